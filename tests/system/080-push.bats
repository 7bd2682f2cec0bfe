#!/usr/bin/env bats
# berth push: to the open registry (insecure via registries.conf), to the
# Basic-auth TLS registry, read back by berth and by skopeo; failure paths.

load ../lib/helpers

# A repository no other test (or the other mode's run) pushes to.
push_repo() { echo "$REGISTRY_OPEN/pushed-$(id -u)-$BATS_TEST_NUMBER-$$/busybox"; }

@test "push to the open registry, then skopeo and a fresh pull see the same image" {
    pull_fixture busybox
    local dest
    dest=$(push_repo):v1
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$dest"
    run_berth push --digestfile "$BATS_TEST_TMPDIR/digest" "$dest"
    assert_output_contains "Writing manifest to image destination"
    # skopeo, an independent client, reads what berth wrote.
    run skopeo inspect --tls-verify=false "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_equal "$(json_get '["Digest"]')" "$(cat "$BATS_TEST_TMPDIR/digest")" "manifest digest"
    # The pushed image comes back with the same ID.
    run_berth rmi "$dest"
    run_berth pull -q "$dest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "push to the TLS registry needs credentials" {
    pull_fixture busybox
    local dest=$REGISTRY_TLS/pushed-$(id -u)-$$/busybox:latest
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$dest"
    run_berth --exit 125 push "$dest"
    assert_output_contains "authentication required"
    run_berth push --creds "$REGISTRY_USER:$REGISTRY_PASS" "$dest"
    run skopeo inspect --creds "$REGISTRY_USER:$REGISTRY_PASS" --cert-dir "$BERTH_FIXTURES" "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
}

@test "push of an image that does not exist fails naming it" {
    run_berth --exit 125 push "$REGISTRY_OPEN/no-such-image-$$:latest"
    assert_output_contains "image not known"
}

@test "push to an unreachable registry names the registry" {
    pull_fixture busybox
    run_berth --exit 125 push "$REGISTRY_OPEN/busybox:latest" 127.0.0.1:1/busybox:latest
    assert_output_contains "127.0.0.1:1"
}
