#!/usr/bin/env bats
# Images with many layers (Docker and Podman allow 127): a 100-layer image runs
# with the native overlay, fuse-overlayfs and vfs, as root and rootless. The
# overlay options name layers by their short links (data/layers/l/<26 chars>)
# relative to the layers directory; with absolute paths 100 layers would not
# fit in the kernel's one page of mount options. A 140-layer image, past what
# one page holds even so, is mounted with one fsconfig "lowerdir+" per layer
# (kernel 6.8+). rmi leaves no link behind.

load ../lib/helpers

IMAGE=localhost/many-layers:latest
MORE=localhost/more-layers:latest
LAYERS=100

setup_file() {
    berth_setup_file
    local dir=$BERTH_TEST_ROOT/many
    mkdir -p "$dir"
    # busybox at the bottom, then many/bottom, many/f3..f99 one per layer, a
    # whiteout of many/f10 in layer 50, and many/top in the last layer.
    # The 140-layer image shares l1..l99 and adds many/g100..g138 and many/top140.
    python3 - "$BERTH_TESTS_LIB/images.json" "$dir/desc.json" "$LAYERS" <<'EOF'
import json, platform, sys
src = json.load(open(sys.argv[1]))
count = int(sys.argv[3])
layers = {"l1": src["layers"]["busybox-rootfs"]}
layers["l2"] = {"entries": [{"path": "many", "type": "dir"}, {"path": "many/bottom", "type": "file", "content": "bottom\n"}]}
for i in range(3, count):
    if i == 50:
        layers["l%d" % i] = {"entries": [{"path": "many/f10", "type": "whiteout"}]}
    else:
        layers["l%d" % i] = {"entries": [{"path": "many/f%d" % i, "type": "file", "content": "%d\n" % i}]}
layers["l%d" % count] = {"entries": [{"path": "many/top", "type": "file", "content": "top\n"}]}
arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
manifest = {"os": "linux", "architecture": arch, "created": "2024-01-01T00:00:00Z",
            "config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], "Cmd": ["sh"]},
            "layers": ["l%d" % i for i in range(1, count + 1)]}
more = dict(manifest, layers=["l%d" % i for i in range(1, count)] + ["m%d" % i for i in range(count, 141)])
for i in range(count, 140):
    layers["m%d" % i] = {"entries": [{"path": "many/g%d" % i, "type": "file", "content": "%d\n" % i}]}
layers["m140"] = {"entries": [{"path": "many/top140", "type": "file", "content": "top140\n"}]}
json.dump({"layers": layers, "images": {"many": {"tag": "latest", "manifests": [manifest]},
                                         "more": {"tag": "latest", "manifests": [more]}}},
          open(sys.argv[2], "w"))
EOF
    python3 "$BERTH_TESTS_LIB/mkimage.py" "$dir/desc.json" "$dir/out" >/dev/null
    load_as "$dir/out/oci/many" "$IMAGE"
    load_as "$dir/out/oci/more" "$MORE"
}

load_as() {  # load_as OCI-LAYOUT NAME: load it and tag its image NAME
    local out
    out=$(timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS load -q -i "$1")
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS tag "${out##* }" "$2"
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS untag "$2" "${out##* }"
}

LINKS() { echo "$BERTH_TEST_ROOT/data/layers/l"; }

# The lowest layer (busybox itself, many/bottom), the topmost, and the whiteout between.
check_layers() {  # check_layers [GLOBAL OPTIONS...]
    run_berth "$@" run --rm "$IMAGE" sh -c 'cat /many/bottom /many/top; test -e /many/f10 || echo f10 whited out; cat /many/f11; ls /many | wc -l'
    assert_output_equals "$(printf 'bottom\ntop\nf10 whited out\n11\n97')"
}

# bats test_tags=berth-only
@test "100- and 140-layer images have a short link for each layer" {
    # berth-only: checks berth's own layer directories and their short links.
    run_berth image inspect --format '{{len .RootFS.Layers}}' "$IMAGE"
    assert_output_equals "$LAYERS"
    run find "$(LINKS)" -mindepth 1 -maxdepth 1 -type l -name '??????????????????????????'
    assert_line_count 141 # 99 shared, one only in the first, 41 only in the second
    # Every link resolves to a layer's diff directory.
    run find -L "$(LINKS)" -mindepth 1 -maxdepth 1 -type l
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "a 100-layer image runs with the native overlay" {
    # berth-only: checks berth's own layer directories and their short links.
    check_layers --storage-driver overlay
    # The rootfs is mounted, not copied: a named container's driver says so.
    run_berth --storage-driver overlay run --name ovl "$IMAGE" true
    run_berth inspect --format '{{.Driver}}' ovl
    assert_output_equals "overlay"
    run_berth rm ovl
}

# bats test_tags=berth-only
@test "the overlay options name layers by their short links, relative to the layers directory" {
    # berth-only: checks berth's own layer directories and their short links.
    run_berth --storage-driver overlay run -d --name links "$IMAGE" sleep 100
    run_berth inspect --format '{{.Id}}' links
    local id=$output
    run grep -F "/containers/$id/merged " <(berth_mounts)
    assert_output_contains "lowerdir=l/"
    assert_output_contains "upperdir=../containers/$id/upper"
    assert_output_not_contains "/diff"
    run_berth rm -f -t 0 links
}

# bats test_tags=berth-only
@test "a 100-layer image runs with fuse-overlayfs and with vfs" {
    # berth-only: checks berth's own layer directories and their short links.
    [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
    command -v fuse-overlayfs >/dev/null || skip "fuse-overlayfs is not installed"
    check_layers --storage-driver fuse-overlayfs
    check_layers --storage-driver vfs
}

# bats test_tags=berth-only
@test "a 100-layer image runs in its own user namespace (fuse-overlayfs with id mappings)" {
    # berth-only: checks berth's own layer directories and their short links.
    skip_if_root "keep-id is rootless only"
    [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
    run_berth run --rm --userns=keep-id "$IMAGE" sh -c 'cat /many/bottom /many/top; test -e /many/f10 || echo gone'
    assert_output_equals "$(printf 'bottom\ntop\ngone')"
}

# bats test_tags=berth-only
@test "a 140-layer image runs with the native overlay (one lowerdir+ per layer)" {
    # berth-only: checks berth's own layer directories and their short links.
    run_berth --storage-driver overlay run --rm "$MORE" sh -c 'cat /many/bottom /many/top140 /many/g120; test -e /many/f10 || echo gone; ls /many | wc -l'
    assert_output_equals "$(printf 'bottom\ntop140\n120\ngone\n137')"
    [[ -c /dev/fuse ]] || return 0
    run_berth --storage-driver fuse-overlayfs run --rm "$MORE" cat /many/top140
    assert_output_equals "top140"
}

# bats test_tags=berth-only
@test "a store made before layer links gets them when a container is mounted" {
    # berth-only: checks berth's own layer directories and their short links.
    rm -rf "$(LINKS)"
    check_layers --storage-driver overlay
    run find "$(LINKS)" -mindepth 1 -maxdepth 1 -type l
    assert_line_count "$LAYERS"
    check_layers --storage-driver overlay # and mounts with them
}

# bats test_tags=berth-only
@test "rmi removes the links of the layers it removes and no others" {
    # berth-only: checks berth's own layer directories and their short links.
    run_berth rmi "$MORE"
    assert_output_contains "Deleted:"
    run find "$(LINKS)" -mindepth 1 -maxdepth 1 -type l
    assert_line_count "$LAYERS"
    run find -L "$(LINKS)" -mindepth 1 -maxdepth 1 -type l # dangling ones
    assert_output_equals ""
    run_berth rmi "$IMAGE"
    run find "$(LINKS)" -mindepth 1
    assert_output_equals ""
    run find "$BERTH_TEST_ROOT/data/layers" -mindepth 1 -maxdepth 1 -name '[0-9a-f]*'
    assert_output_equals ""
}
