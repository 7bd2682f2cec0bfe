#!/usr/bin/env bats
# berth manifest: lists made of a local image and of registry images (one
# platform of an index, or --all of it), annotate and remove, push with the
# images to the open registry (read back by skopeo, and pulled per platform),
# --format v2s2, rm, exists, and the errors for unknown lists, images and
# instances. The multiarch fixture is an OCI index of linux/amd64 and
# linux/arm64/v8.

load ../lib/helpers

MULTI=$REGISTRY_OPEN/multiarch:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet manifest rm ml >/dev/null 2>&1 || true
}

# A repository no other test (or the other mode's run) pushes to.
list_repo() { echo "$REGISTRY_OPEN/mlist-$(id -u)-$BATS_TEST_NUMBER-$$/app"; }

# entry_count: the number of instances in the index in $output.
entry_count() { python3 -c 'import json, sys; print(len(json.loads(sys.argv[1])["manifests"] or []))' "$output"; }

# skopeo_raw REF: the manifest or index the registry has, as stored.
skopeo_raw() {
    run skopeo inspect --tls-verify=false --raw "docker://$1"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
}

@test "manifest create prints the list's ID; inspect shows an empty Docker manifest list; exists" {
    run_berth manifest create ml
    [[ $output =~ ^[0-9a-f]{64}$ ]] || { echo "not an ID: $output" >&2; false; }
    run_berth manifest exists ml
    run_berth manifest exists localhost/ml:latest
    run_berth --exit 1 manifest exists no-such-list
    run_berth manifest inspect ml
    assert_equal "$(json_get '["mediaType"]')" "application/vnd.docker.distribution.manifest.list.v2+json" "mediaType"
    assert_equal "$(json_get '["manifests"]')" "null" "manifests"
}

@test "manifest add of a registry index adds this platform's instance; --all adds every one" {
    run_berth manifest create ml
    local id=$output
    run_berth manifest add ml "docker://$MULTI"
    assert_output_equals "$id"
    run_berth manifest inspect ml
    assert_equal "$(json_get '["manifests"][0]["digest"]')" "$(fixture_info multiarch manifest_digest linux/amd64)" "amd64 digest"
    assert_equal "$(json_get '["manifests"][0]["platform"]["architecture"]')" amd64 "architecture"
    assert_equal "$(entry_count)" 1 "entries"
    run_berth manifest add --all ml "docker://$MULTI"
    run_berth manifest inspect ml
    # Adding a digest the list has replaces that entry: two entries, not three.
    assert_equal "$(entry_count)" 2 "entries"
    assert_output_contains "$(fixture_info multiarch manifest_digest linux/arm64)"
    assert_output_contains '"variant": "v8"'
}

@test "manifest add of a local image: its manifest digest and platform; --arch and --annotation override" {
    run_berth manifest create ml
    run_berth manifest add --arch s390x --annotation org.example.k=v ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth manifest inspect ml
    local digest
    digest=$(json_get '["manifests"][0]["digest"]')
    run_berth image inspect --format '{{.Digest}}' "$REGISTRY_OPEN/busybox:latest"
    assert_equal "$digest" "$output" "instance digest"
    run_berth manifest inspect ml
    assert_equal "$(json_get '["manifests"][0]["platform"]["architecture"]')" s390x "architecture"
    assert_equal "$(json_get '["manifests"][0]["annotations"]["org.example.k"]')" v "annotation"
}

@test "manifest annotate changes an instance's platform and annotations; remove takes it out" {
    run_berth manifest create ml "docker://$MULTI"
    local digest
    digest=$(fixture_info multiarch manifest_digest linux/amd64)
    run_berth manifest annotate --variant v9 --os-version 1.2 --annotation a=b ml "$digest"
    run_berth manifest inspect ml
    assert_equal "$(json_get '["manifests"][0]["platform"]["variant"]')" v9 "variant"
    assert_equal "$(json_get '["manifests"][0]["platform"]["os.version"]')" 1.2 "os.version"
    assert_equal "$(json_get '["manifests"][0]["annotations"]["a"]')" b "annotation"
    run_berth manifest remove ml "$digest"
    run_berth manifest inspect ml
    assert_equal "$(json_get '["manifests"]')" "null" "manifests"
}

@test "manifest push pushes the local image and the registry instances, then the index; skopeo and pull read it" {
    local dest
    dest=$(list_repo):v1
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth manifest add ml "docker://$MULTI"
    run_berth manifest annotate --arch arm64 --variant v8 ml "$(fixture_info multiarch manifest_digest linux/amd64)"
    run_berth manifest push --digestfile "$BATS_TEST_TMPDIR/digest" ml "docker://$dest"
    skopeo_raw "$dest"
    local index=$output
    assert_equal "sha256:$(printf '%s' "$index" | sha256sum | cut -d' ' -f1)" "$(cat "$BATS_TEST_TMPDIR/digest")" "--digestfile"
    assert_equal "$(json_get '["mediaType"]' "$index")" "application/vnd.oci.image.index.v1+json" "index type"
    # Every instance is in the destination repository.
    local d
    for d in $(python3 -c 'import json,sys; print(" ".join(m["digest"] for m in json.loads(sys.argv[1])["manifests"]))' "$index"); do
        skopeo_raw "${dest%:v1}@$d"
    done
    # A pull of the list on this (amd64) host gets the busybox fixture.
    run_berth pull -q "$dest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "manifest push --format v2s2 pushes a Docker manifest list of Docker manifests" {
    local dest
    dest=$(list_repo):v2
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth manifest push -q --format v2s2 ml "$dest"
    skopeo_raw "$dest"
    assert_equal "$(json_get '["mediaType"]')" "application/vnd.docker.distribution.manifest.list.v2+json" "list type"
    assert_equal "$(json_get '["manifests"][0]["mediaType"]')" "application/vnd.docker.distribution.manifest.v2+json" "instance type"
    skopeo_raw "${dest%:v2}@$(json_get '["manifests"][0]["digest"]')"
    assert_equal "$(json_get '["mediaType"]')" "application/vnd.docker.distribution.manifest.v2+json" "pushed instance"
}

@test "manifest push --rm removes the list after the push" {
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth manifest push -q --rm ml "$(list_repo):v3"
    run_berth --exit 1 manifest exists ml
}

@test "manifest rm removes the list and not its images" {
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    local id=$output
    run_berth manifest rm ml
    assert_output_contains "Untagged: localhost/ml:latest"
    assert_output_contains "Deleted: $id"
    run_berth --exit 1 manifest exists ml
    run_berth image exists "$REGISTRY_OPEN/busybox:latest"
    run_berth --exit 1 manifest rm ml
}

@test "manifest errors: a taken name, unknown lists, images and instances" {
    run_berth manifest create ml
    run_berth --exit 125 manifest create ml
    run_berth manifest create --amend ml
    run_berth --exit 125 manifest add no-such-list "docker://$MULTI"
    run_berth --exit 125 manifest add ml "docker://$REGISTRY_OPEN/no-such-image-$$:latest"
    run_berth --exit 125 manifest remove ml "sha256:$(printf '0%.0s' {1..64})"
    run_berth --exit 125 manifest push no-such-list "$(list_repo):v4"
}

# berth-only: Podman 4.3 leaves the new, empty list behind when an image cannot be read.
# bats test_tags=berth-only
@test "manifest create with an image that cannot be read leaves no list" {
    run_berth --exit 125 manifest create ml2 "docker://$REGISTRY_OPEN/no-such-image-$$:latest"
    assert_output_contains "no-such-image-$$"
    run_berth --exit 1 manifest exists ml2
}

# berth-only: the messages are berth's own; Podman's name the same things in other words.
# bats test_tags=berth-only
@test "manifest error messages name the list, the image and the fix" {
    run_berth manifest create ml
    run_berth --exit 125 manifest create ml
    assert_output_contains "manifest list named localhost/ml:latest exists"
    run_berth --exit 125 manifest create "$REGISTRY_OPEN/busybox:latest"
    assert_output_contains "is already associated with image"
    run_berth --exit 125 manifest add no-such-list "docker://$MULTI"
    assert_output_contains "no-such-list: no such manifest list"
    run_berth --exit 125 manifest remove ml "sha256:$(printf '0%.0s' {1..64})"
    assert_output_contains "no instance with digest sha256:0000"
    run_berth --exit 125 tag "$REGISTRY_OPEN/busybox:latest" ml
    assert_output_contains "is the name of a manifest list"
    run_berth --exit 125 manifest annotate --annotation novalue ml "sha256:$(printf '0%.0s' {1..64})"
    assert_output_contains "not KEY=VALUE"
}

# berth-only: Podman 4.3 reads a bare name from the registry only; berth takes the local image first.
# bats test_tags=berth-only
@test "manifest add of a bare local name takes the local image" {
    run_berth tag "$REGISTRY_OPEN/busybox:latest" localhost/only-local:v1
    run_berth manifest create ml only-local:v1
    run_berth manifest inspect ml
    local digest
    digest=$(json_get '["manifests"][0]["digest"]')
    run_berth image inspect --format '{{.Digest}}' localhost/only-local:v1
    assert_equal "$digest" "$output" "instance digest"
}

# Podman lists a manifest list as an image of its own: `images` and the
# commands that name images see it.

@test "images lists a manifest list with its name, ID and creation time; -a, -q, --format json and --filter see it" {
    run_berth manifest create ml
    local id=$output
    run_berth images --format '{{.Repository}} {{.Tag}} {{.ID}}'
    assert_output_contains "localhost/ml latest ${id:0:12}"
    run_berth images -a --format '{{.Repository}} {{.Tag}} {{.ID}}'
    assert_output_contains "localhost/ml latest ${id:0:12}"
    run_berth images -q
    assert_output_contains "${id:0:12}"
    run_berth images --filter reference=ml --format '{{.ID}} {{.CreatedAt}}'
    assert_output_contains "${id:0:12} $(date +%Y-%m-%d)"
    assert_line_count 1
    run_berth images --format json
    python3 -c '
import json, sys
entries = [e for e in json.loads(sys.argv[1]) if e["Id"] == sys.argv[2]]
assert len(entries) == 1, entries
assert entries[0]["Names"] == ["localhost/ml:latest"], entries[0]
assert not entries[0].get("Dangling"), entries[0]  # Podman leaves a false one out
' "$output" "$id"
    run_berth images --filter "id=$id" --format '{{.ID}}'
    assert_output_equals "${id:0:12}"
    run_berth images --filter dangling=false --format '{{.ID}}'
    assert_output_contains "${id:0:12}"
    run_berth images --filter dangling=true --format '{{.ID}}'
    assert_output_not_contains "${id:0:12}"
    run_berth images --filter label=org.example.none=1 --format '{{.ID}}'
    assert_output_not_contains "${id:0:12}"
    run_berth images --filter since="$REGISTRY_OPEN/busybox:latest" --format '{{.ID}}'
    assert_output_contains "${id:0:12}"
    run_berth images --filter reference=no-such-name --format '{{.ID}}'
    assert_output_equals ""
}

@test "image exists and inspect of a manifest list find its image for this platform; an empty list finds none" {
    run_berth manifest create ml
    local id=$output
    run_berth --exit 1 image exists ml
    run_berth --exit 125 image inspect ml
    run_berth manifest add ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth image exists ml
    run_berth image exists "$id"
    run_berth image inspect --format '{{.Id}}' "$REGISTRY_OPEN/busybox:latest"
    local image=$output
    run_berth image inspect --format '{{.Id}}' ml
    assert_output_equals "$image"
}

@test "rmi of an empty manifest list removes the list; rmi -a removes lists too" {
    run_berth manifest create ml
    local id=$output
    run_berth rmi ml
    assert_output_contains "Untagged: localhost/ml:latest"
    assert_output_contains "Deleted: $id"
    run_berth --exit 1 manifest exists ml
    run_berth --exit 1 rmi ml
    run_berth image exists "$REGISTRY_OPEN/busybox:latest"

    local BERTH_GLOBAL_OPTS
    BERTH_GLOBAL_OPTS=$(extra_store rmi-all)
    run_berth manifest create ml-a
    run_berth manifest create ml-b
    run_berth rmi -a
    run_berth --exit 1 manifest exists ml-a
    run_berth --exit 1 manifest exists ml-b
    run_berth images -aq
    assert_output_equals ""
}

# berth-only: Podman 4.3 resolves a list's name or ID to its image for this
# platform and removes (or untags) that image, leaving the list: a known
# surprise (its rmi docs warn of it); berth removes the list, as `manifest rm`.
# bats test_tags=berth-only
@test "rmi of a manifest list removes the list and keeps its images" {
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    local id=$output
    run_berth rmi ml
    assert_output_equals "$(printf 'Untagged: localhost/ml:latest\nDeleted: %s' "$id")"
    run_berth image exists "$REGISTRY_OPEN/busybox:latest"
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    id=$output
    run_berth rmi "${id:0:12}"
    assert_output_contains "Deleted: $id"
    run_berth --exit 1 manifest exists ml
    run_berth image exists "$REGISTRY_OPEN/busybox:latest"
}

# berth-only: Podman tags the list itself; berth keeps one name per list and says so.
# bats test_tags=berth-only
@test "tag of a manifest list is refused with the way to another name" {
    run_berth manifest create ml "containers-storage:$REGISTRY_OPEN/busybox:latest"
    run_berth --exit 125 tag ml ml-copy
    assert_output_contains "manifest list"
    assert_output_contains "berth manifest create ml-copy"
    run_berth --exit 1 image exists ml-copy
}
