#!/usr/bin/env bats
# save/load (docker-archive, oci-archive, oci-dir, multi-image) and import.

load ../lib/helpers

setup() {
    pull_fixture busybox
    pull_fixture busybox-extra
}

# skopeo_json TRANSPORT:PATH [skopeo-inspect options]: skopeo's view of an archive.
skopeo_inspect() {
    run skopeo inspect "$@"
    echo "$output" >&2
    [[ $status -eq 0 ]] || { echo "FAIL: skopeo inspect $* exited $status" >&2; return 1; }
}

@test "save writes a docker-archive that skopeo reads, load reads it back" {
    local archive=$BATS_TEST_TMPDIR/busybox.tar
    run_berth save -o "$archive" "$REGISTRY_OPEN/busybox:latest"
    [[ -s $archive ]]
    assert_equal "$(stat -c %u "$archive")" "$(id -u)" "owner of the archive"
    skopeo_inspect "docker-archive:$archive"
    assert_equal "$(json_get '["Layers"]')" "$(fixture_json busybox diff_ids)" "layers in the archive"
    assert_equal "$(json_get '["Architecture"]')" "$(fixture_info busybox architecture)" "Architecture"
    run tar -xOf "$archive" manifest.json
    assert_equal "$(json_get '[0]["RepoTags"]')" "[\"$REGISTRY_OPEN/busybox:latest\"]" "RepoTags in manifest.json"
    assert_equal "$(json_get '[0]["Config"]')" "$(fixture_info busybox id).json" "config file name in manifest.json"

    run_berth rmi "$REGISTRY_OPEN/busybox:latest"
    run_berth load -i "$archive"
    assert_output_contains "Loaded image: $REGISTRY_OPEN/busybox:latest"
    run_berth image inspect --format '{{.Id}}' "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "save --format oci-archive round-trips" {
    local archive=$BATS_TEST_TMPDIR/busybox-oci.tar
    run_berth save --format oci-archive -o "$archive" "$REGISTRY_OPEN/busybox-extra:latest"
    skopeo_inspect --raw "oci-archive:$archive"
    assert_equal "$(json_get '["config"]["digest"]')" "$(fixture_info busybox-extra config_digest)" "config digest"
    assert_equal "$(json_get '["layers"].__len__()')" 2 "number of layers"
    run tar -xOf "$archive" oci-layout
    assert_output_contains imageLayoutVersion

    run_berth rmi "$REGISTRY_OPEN/busybox-extra:latest"
    run_berth load -i "$archive"
    assert_output_contains "Loaded image"
    run_berth images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
    assert_output_contains "$(fixture_info busybox-extra id | cut -c1-12) "
    assert_output_contains "busybox-extra:latest"
    run_berth image inspect --format '{{index .Config.Labels "org.berth.test"}}' "$(fixture_info busybox-extra id)"
    assert_output_equals extra
}

# bats test_tags=berth-only
@test "save --format oci-dir writes an OCI layout directory" {
    # berth-only: Podman 4.3.1 cannot load an OCI layout directory: it parses the path as an image name.
    local dir=$BATS_TEST_TMPDIR/busybox-dir
    run_berth save --format oci-dir -o "$dir" "$REGISTRY_OPEN/busybox:latest"
    [[ -f $dir/index.json && -f $dir/oci-layout && -d $dir/blobs/sha256 ]]
    skopeo_inspect "oci:$dir"
    assert_equal "$(json_get '["Layers"].__len__()')" 1 "number of layers"
    skopeo_inspect --config "oci:$dir"
    assert_equal "$(json_get '["config"]["Cmd"]')" '["sh"]' "Cmd in the saved config"
    # Every blob is named by its digest.
    local blob
    for blob in "$dir"/blobs/sha256/*; do
        assert_equal "$(sha256sum "$blob" | cut -d' ' -f1)" "$(basename "$blob")" "digest of $blob"
    done
    run_berth rmi "$REGISTRY_OPEN/busybox:latest"
    run_berth load -i "$dir"
    assert_output_contains "Loaded image"
    run_berth image exists "$(fixture_info busybox id)"
}

@test "save -m writes several images into one docker-archive" {
    local archive=$BATS_TEST_TMPDIR/multi.tar
    run_berth save -m -o "$archive" "$REGISTRY_OPEN/busybox:latest" "$REGISTRY_OPEN/busybox-extra:latest"
    run tar -xOf "$archive" manifest.json
    assert_equal "$(json_get '.__len__()')" 2 "images in manifest.json"
    python3 -c '
import json, sys
tags = sorted(t for m in json.loads(sys.argv[1]) for t in m["RepoTags"])
assert tags == [sys.argv[2] + "/busybox-extra:latest", sys.argv[2] + "/busybox:latest"], tags
' "$output" "$REGISTRY_OPEN"
    skopeo_inspect "docker-archive:$archive:@1"
    run_berth rmi -a
    run_berth load -i "$archive"
    assert_output_contains "Loaded image: $REGISTRY_OPEN/busybox:latest"
    assert_output_contains "Loaded image: $REGISTRY_OPEN/busybox-extra:latest"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_line_count 2
}

@test "load < archive reads stdin" {
    run_berth save -o "$BATS_TEST_TMPDIR/bb.tar" "$REGISTRY_OPEN/busybox:latest"
    run_berth rmi "$REGISTRY_OPEN/busybox:latest"
    run_berth load <"$BATS_TEST_TMPDIR/bb.tar"
    assert_output_contains "Loaded image: $REGISTRY_OPEN/busybox:latest"
}

@test "load a docker-archive written by skopeo" {
    run_berth load -i "$BERTH_FIXTURES/busybox-docker.tar"
    assert_output_contains "Loaded image: docker.io/library/busybox:latest"
    run_berth image inspect --format '{{.Id}}' docker.io/library/busybox:latest
    assert_output_equals "$(fixture_info busybox id)"
}

@test "load an oci-archive written by skopeo" {
    run_berth load -i "$BERTH_FIXTURES/busybox-oci.tar"
    assert_output_contains "Loaded image"
    assert_output_contains "busybox:latest"
    run_berth images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
    assert_output_matches "^$(fixture_info busybox id | cut -c1-12) .*busybox:latest\$"
}

@test "load of a file that is not an archive fails" {
    printf 'not a tar file\n' >"$BATS_TEST_TMPDIR/garbage"
    run_berth --exit '?' load -i "$BATS_TEST_TMPDIR/garbage"
    assert_failed_with "garbage|archive|tar|payload"
    run_berth --exit '?' load -i "$BATS_TEST_TMPDIR/does-not-exist"
    assert_failed_with "does-not-exist"
    # lrzip's framing: a compression berth does not read (libarchive would run
    # the external lrzip program on it), refused like any other non-archive.
    printf 'LRZI\0\6%064d' 0 >"$BATS_TEST_TMPDIR/image.tar.lrz"
    run_berth --exit '?' load -i "$BATS_TEST_TMPDIR/image.tar.lrz"
    assert_failed_with "image.tar.lrz|archive|tar|payload"
}

@test "save of a missing image exits 125" {
    run_berth --exit 125 save -o "$BATS_TEST_TMPDIR/x.tar" no-such-image
    assert_output_contains "image not known"
    [[ ! -e $BATS_TEST_TMPDIR/x.tar ]]
}

@test "import a rootfs tarball with --change" {
    run_berth import --change 'CMD ["/bin/echo", "hi"]' --change 'ENV FOO=bar' \
        "$BERTH_FIXTURES/busybox-rootfs.tar" imported:v1
    local id=${lines[-1]#sha256:}
    [[ $id =~ ^[0-9a-f]{64}$ ]] || { echo "FAIL: last line is not an image ID: $id" >&2; return 1; }
    run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output_contains "localhost/imported:v1 ${id:0:12}"
    run_berth image inspect localhost/imported:v1
    assert_equal "$(json_get '[0]["Config"]["Cmd"]')" '["/bin/echo","hi"]' "Config.Cmd"
    assert_equal "$(json_get '[0]["Config"]["Env"]')" '["FOO=bar"]' "Config.Env"
    # The tarball is the busybox layer, byte for byte: same diff ID.
    assert_equal "$(json_get '[0]["RootFS"]["Layers"]')" "$(fixture_json busybox diff_ids)" "RootFS.Layers"
    assert_equal "$(json_get '[0]["Os"]')" linux "Os"
}

@test "import from stdin, and CMD=value shorthand" {
    run_berth import --change CMD=/bin/sh - stdin-import <"$BERTH_FIXTURES/busybox-rootfs.tar"
    run_berth image inspect --format '{{json .Config.Cmd}}' localhost/stdin-import:latest
    assert_output_matches '^\["/bin/sh"\]$|^\["/bin/sh","-c","/bin/sh"\]$'
}

@test "import without a name makes a dangling image" {
    run_berth import "$BERTH_FIXTURES/busybox-rootfs.tar"
    local id=${lines[-1]#sha256:}
    run_berth images -q --no-trunc --filter dangling=true
    assert_output_contains "$id"
}
