#!/usr/bin/env bats
# berth push: to the open registry (insecure via registries.conf), to the
# Basic-auth TLS registry, read back by berth and by skopeo; a layer the
# registry has in another repository is mounted, not uploaded; failure paths.

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

@test "push mounts a layer the registry has in another repository instead of uploading it" {
    pull_fixture busybox
    local log=${BERTH_REGISTRIES:-/var/tmp/berth-registries}/logs/open.log
    [[ -r $log ]] || skip "the open registry's log $log is not readable"
    local dest repo layer
    dest=$(push_repo):mounted
    repo=${dest#"$REGISTRY_OPEN/"}
    repo=${repo%:mounted}
    run skopeo inspect --tls-verify=false --raw "docker://$REGISTRY_OPEN/busybox:latest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    layer=$(json_get '["layers"][0]["digest"]')
    layer=${layer#sha256:}
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$dest"
    run_berth push "$dest"
    # The registry's access log: a mount of the layer from busybox (201), and no upload of it.
    run grep -E "\"POST /v2/$repo/blobs/uploads/\?[^ ]*mount=sha256(%3A|:)$layer[^ ]* HTTP/[0-9.]+\" 201 " "$log"
    [[ $status -eq 0 ]] || { echo "no mount of layer $layer into $repo in $log" >&2; return 1; }
    run grep -E "\"PUT /v2/$repo/blobs/uploads/[^ ]*digest=sha256(%3A|:)$layer" "$log"
    assert_equal "$status" 1 "grep status for an upload of the layer into $repo"
    run skopeo inspect --tls-verify=false "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
}

# berth-only: Podman 4.3 pushes this image (pulled with a Docker manifest) with its gzip layers as they are, zstd asked or not.
# bats test_tags=berth-only
@test "push --compression-format zstd: +zstd layers that berth pulls back and skopeo copies; gzip again" {
    pull_fixture busybox
    local dest dest2
    dest=$(push_repo):zstd
    dest2=$(push_repo):gzip-again
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$dest"
    run_berth push --compression-format zstd "$dest"
    run skopeo inspect --tls-verify=false --raw "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_equal "$(json_get '["layers"][0]["mediaType"]')" "application/vnd.oci.image.layer.v1.tar+zstd" "layer media type"
    run skopeo copy --src-tls-verify=false "docker://$dest" "oci:$BATS_TEST_TMPDIR/oci:zstd"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    run_berth rmi "$dest"
    run_berth pull -q "$dest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth run --rm "$dest" echo pulled-zstd
    assert_output_equals "pulled-zstd"
    # The zstd layers the store now has, pushed as gzip.
    run_berth tag "$dest" "$dest2"
    run_berth push --compression-format gzip "$dest2"
    run skopeo inspect --tls-verify=false --raw "docker://$dest2"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_output_contains "tar+gzip"
    assert_output_not_contains "zstd"
    run_berth --exit 125 push --compression-format lz4 "$dest2"
    assert_output_contains '"lz4"'
    assert_line_count 1
}

# berth-only: Podman 4.3 has no --compression-level.
# bats test_tags=berth-only
@test "push --compression-level; one out of the compressor's range is refused" {
    pull_fixture busybox
    local dest
    dest=$(push_repo):level
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$dest"
    run_berth push --compression-format zstd --compression-level 19 "$dest"
    run_berth --exit 125 push --compression-format gzip --compression-level 42 "$dest"
    assert_output_contains "--compression-level 42"
    assert_line_count 1
}

@test "push on a terminal draws a bar for each uploading blob; redirected, only the lines" {
    pull_fixture busybox
    local ctx=$BATS_TEST_TMPDIR/ctx dest
    dest=$(push_repo):bars
    mkdir -p "$ctx"
    head -c 8388608 /dev/urandom >"$ctx/big"   # incompressible, so the upload takes more than one progress report
    printf 'FROM %s/busybox:latest\nCOPY big /big\n' "$REGISTRY_OPEN" >"$ctx/Containerfile"
    run_berth build -q -t "$dest" "$ctx"
    run script -qec "timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS push $dest" /dev/null </dev/null
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_output_matches 'Copying blob [0-9a-f]{12} \[[= ]{30}\] [0-9.]+ ?[kMG]?B / [0-9.]+ ?[kMG]?B'
    assert_output_matches 'Copying blob [0-9a-f]{12} done'
    # Not on a terminal: Podman's lines, no bar and no escape sequence.
    run_berth push "$dest" "$(push_repo):bars-again"
    assert_output_not_contains "["
    assert_output_contains "Writing manifest to image destination"
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
