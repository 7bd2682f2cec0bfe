#!/usr/bin/env bats
# Two images that share a layer (same diff ID) through different blobs: the
# same tar gzip'd at level 6 in one image and stored uncompressed inside a
# gzip stream (level 0) in the other. The store keeps the layer once, with the
# blob it was first pulled from, so the second image's own blob is never
# downloaded. push and save of the second image must still work: they describe
# the layer by the blob the store has (a new, consistent manifest; the config
# and so the image ID are unchanged), as Podman, which recompresses on push, does.

load ../lib/helpers

setup_file() {
    berth_setup_file
    local dir=$BERTH_TEST_ROOT/shared
    mkdir -p "$dir"
    python3 - "$dir/desc.json" <<'EOF'
import json, platform, sys
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
entries = [{"path": "shared", "type": "dir"},
           {"path": "shared/data", "type": "file", "random": 65536, "seed": 85},
           {"path": "shared/hello", "type": "file", "content": "hello from the shared layer\n"}]
def image(cmd, layer):
    return {"tag": "latest", "manifests": [{"os": "linux", "architecture": arch, "created": "2024-01-01T00:00:00Z",
            "config": {"Cmd": [cmd]}, "layers": [layer]}]}
json.dump({"layers": {"gz": {"compression": "gzip", "entries": entries},
                      "gz0": {"compression": "gzip0", "entries": entries}},
           "images": {"first": image("first", "gz"), "second": image("second", "gz0")}},
          open(sys.argv[1], "w"))
EOF
    python3 "$BERTH_TESTS_LIB/mkimage.py" "$dir/desc.json" "$dir/out" >/dev/null
    REPO=$REGISTRY_OPEN/shared-blobs-$(id -u)-$$
    export REPO INFO=$dir/out/info
    local img
    for img in first second; do
        skopeo copy -q --retry-times 2 --dest-tls-verify=false \
            "oci:$dir/out/oci/$img:latest" "docker://$REPO/$img:latest" >/dev/null
    done
}

info() {  # info IMAGE KEY: a value from mkimage's description of IMAGE
    python3 -c 'import json, sys; v = json.load(open(sys.argv[1]))[sys.argv[2]]; print(v[0] if isinstance(v, list) else v)' \
        "$INFO/$1.json" "$2"
}

# pull_both: first (its gzip blob makes the layer), then second (layer reused).
pull_both() {
    run_berth pull -q "$REPO/first:latest"
    run_berth pull -q "$REPO/second:latest"
    assert_output_equals "$(info second id)"
}

@test "the fixture: one diff ID, two different blobs" {
    assert_equal "$(info first diff_ids)" "$(info second diff_ids)" "diff IDs"
    [[ $(info first layers) != "$(info second layers)" ]]
    pull_both
    run_berth image inspect --format '{{index .RootFS.Layers 0}}' "$REPO/second:latest"
    assert_output_equals "$(info second diff_ids)"
}

@test "push of an image whose layer is stored under another image's blob" {
    pull_both
    local dest=$REPO/pushed-second:latest
    run_berth push --digestfile "$BATS_TEST_TMPDIR/digest" "$REPO/second:latest" "$dest"
    assert_output_contains "Writing manifest to image destination"
    # The registry holds a consistent image: skopeo copies it (verifying every digest).
    run skopeo copy -q --src-tls-verify=false "docker://$dest" "dir:$BATS_TEST_TMPDIR/copy"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    local manifest
    manifest=$(cat "$BATS_TEST_TMPDIR/copy/manifest.json")
    assert_equal "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/copy/manifest.json" | cut -d' ' -f1)" \
        "$(cat "$BATS_TEST_TMPDIR/digest")" "pushed manifest digest"
    # It names the blob berth has (first's), and the config is second's.
    assert_equal "$(json_get '["layers"][0]["digest"]' "$manifest")" "$(info first layers)" "layer blob"
    assert_equal "$(json_get '["config"]["digest"]' "$manifest")" "$(info second config_digest)" "config"
    # A fresh store pulls it back as the same image, and the layer has second's content.
    local other
    other=$(extra_store fresh)
    BERTH_GLOBAL_OPTS=$other run_berth pull -q "$dest"
    assert_output_equals "$(info second id)"
    BERTH_GLOBAL_OPTS=$other run_berth image inspect --format '{{index .RootFS.Layers 0}}' "$dest"
    assert_output_equals "$(info second diff_ids)"
}

@test "save of that image in every format is consistent" {
    pull_both
    local fmt
    for fmt in oci-dir docker-dir; do
        local out=$BATS_TEST_TMPDIR/$fmt
        run_berth save --format "$fmt" -o "$out" "$REPO/second:latest"
        local transport=oci
        [[ $fmt == docker-dir ]] && transport=dir
        # skopeo verifies every blob against the manifest while copying.
        run skopeo copy -q "$transport:$out" "dir:$BATS_TEST_TMPDIR/check-$fmt"
        [[ $status -eq 0 ]] || { echo "$fmt: $output" >&2; return 1; }
        run skopeo inspect --config "$transport:$out"
        [[ $status -eq 0 ]] || { echo "$fmt: $output" >&2; return 1; }
        assert_equal "$(json_get '["config"]["Cmd"][0]')" "second" "$fmt config"
    done
    for fmt in oci-archive docker-archive; do
        local out=$BATS_TEST_TMPDIR/second.$fmt.tar
        run_berth save --format "$fmt" -o "$out" "$REPO/second:latest"
        run skopeo copy -q "$fmt:$out" "dir:$BATS_TEST_TMPDIR/check-$fmt"
        [[ $status -eq 0 ]] || { echo "$fmt: $output" >&2; return 1; }
    done
    # And berth loads its own archive back into a fresh store as the same image.
    local other
    other=$(extra_store loaded)
    BERTH_GLOBAL_OPTS=$other run_berth load -q -i "$BATS_TEST_TMPDIR/second.oci-archive.tar"
    assert_output_contains "$REPO/second:latest"
    BERTH_GLOBAL_OPTS=$other run_berth image inspect --format '{{.Id}}' "$REPO/second:latest"
    assert_output_equals "$(info second id)"
}
