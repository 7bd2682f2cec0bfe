#!/usr/bin/env bats
# image tree and image diff: an image's layers drawn as a tree (and the layers
# built on it with --whatrequires), and the changes of its top layer or
# between two images, also through the top-level diff.

load ../lib/helpers

BASE=

# busybox; tree-two (and tree-two2) on it; tree-three on tree-two; tree-five on busybox.
setup() {
    pull_fixture busybox
    BASE=$REGISTRY_OPEN/busybox:latest
    build_on "$BASE" tree-two 'touch /x && mkdir -p /d && rm -f /bin/ls'
    build_on localhost/tree-two tree-three 'touch /y'
    build_on "$BASE" tree-five 'touch /w'
    berth_quiet tag localhost/tree-two localhost/tree-two2
}

# build_on FROM NAME COMMAND: a one-step image, built once a file.
build_on() {
    "$BERTH" $BERTH_GLOBAL_OPTS image exists "localhost/$2" 2>/dev/null && return 0
    local ctx=$BATS_TEST_TMPDIR/ctx-$2
    mkdir -p "$ctx"
    printf 'FROM %s\nRUN %s\n' "$1" "$3" >"$ctx/Containerfile"
    run_berth build -q -t "localhost/$2" "$ctx"
}

short_id() { run_berth image inspect --format '{{.Id}}' "$1"; cut -c1-12 <<<"$output"; }
base_layer() { fixture_info busybox diff_ids | head -1 | sed 's/^sha256://' | cut -c1-12; }

@test "image tree: header, then the image's one layer as the top layer of its tag" {
    local id layer
    id=$(short_id "$BASE")
    layer=$(base_layer)
    run_berth image tree "$BASE"
    assert_equal "${lines[0]}" "Image ID: $id" "id line"
    assert_equal "${lines[1]}" "Tags:     [$BASE]" "tags line"
    assert_output_matches '^Size:     [0-9.]+[kM]?B$'
    assert_equal "${lines[3]}" "Image Layers" "layers line"
    assert_output_matches "^└── ID: $layer Size: +[0-9.]+[kM]?B Top Layer of: \\[$BASE\\]\$"
    assert_line_count 5
}

@test "image tree: a built image's layers bottom to top, shared layers named by their images" {
    local layer
    layer=$(base_layer)
    run_berth image tree localhost/tree-three
    assert_equal "${lines[1]}" "Tags:     [localhost/tree-three:latest]" "tags line"
    assert_output_matches "^├── ID: $layer Size: +[0-9.]+[kM]?B Top Layer of: \\[$BASE\\]\$"
    assert_equal "$(sed -n 6p <<<"$output" | sed -E 's/ID: [0-9a-f]{12} Size: +[0-9.]+[kM]?B/L/')" \
        "├── L Top Layer of: [localhost/tree-two:latest localhost/tree-two2:latest]" "middle layer"
    assert_output_matches '^└── ID: [0-9a-f]{12} Size: +[0-9.]+[kM]?B Top Layer of: \[localhost/tree-three:latest\]$'
    assert_line_count 7
}

@test "image tree --whatrequires: one child in line, several children on branches" {
    run_berth image tree --whatrequires "$BASE"
    local drawn
    drawn=$(tail -n +5 <<<"$output" | sed -E 's/ID: [0-9a-f]{12} Size: +[0-9.]+[kM]?B/L/')
    assert_equal "$drawn" "├── L Top Layer of: [$BASE]
├── L Top Layer of: [localhost/tree-two:latest localhost/tree-two2:latest]
│   └── L Top Layer of: [localhost/tree-three:latest]
└── L Top Layer of: [localhost/tree-five:latest]" "tree"

    run_berth image tree --whatrequires localhost/tree-two
    drawn=$(tail -n +5 <<<"$output" | sed -E 's/ID: [0-9a-f]{12} Size: +[0-9.]+[kM]?B/L/')
    # tree-two has a sibling (tree-five): it opens a branch, as Podman's walk does.
    assert_equal "$drawn" "└── L Top Layer of: [localhost/tree-two:latest localhost/tree-two2:latest]
    └── L Top Layer of: [localhost/tree-three:latest]" "tree from tree-two"
}

@test "image tree: an unknown image, or a wrong number of images, fails with 125" {
    run_berth --exit 125 image tree no-such-image
    assert_output_contains "image not known"
    run_berth --exit 125 image tree
    run_berth --exit 125 image tree "$BASE" localhost/tree-two
}

@test "image diff: the top layer's changes against its parent, A/C/D" {
    run_berth image diff localhost/tree-two
    assert_output_matches '^C /bin$'
    assert_output_matches '^D /bin/ls$'
    assert_output_matches '^A /d$'
    assert_output_matches '^A /x$'
    assert_output_not_contains "/y"
    run_berth image diff localhost/tree-three
    assert_output_matches '^A /y$'
    assert_output_not_contains "/x"
}

# bats test_tags=berth-only
@test "image diff: lines sorted by path" {
    # berth-only: Podman 4.3.1 prints the changes in no fixed order.
    run_berth image diff localhost/tree-two
    assert_equal "$output" "$(sort -k2 <<<"$output")" "order"
}

@test "image diff --format json: added, changed and deleted arrays" {
    run_berth image diff --format json localhost/tree-two
    run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print({"/d", "/x"} <= set(d["added"]), d["deleted"], "/bin" in d["changed"])' "$output"
    assert_output_contains "True ['/bin/ls'] True"
}

@test "image diff IMAGE BASE: the changes from one image to the other, both ways" {
    run_berth image diff localhost/tree-two "$BASE"
    assert_output_matches '^A /d$'
    assert_output_matches '^A /x$'
    assert_output_matches '^D /bin/ls$'
    run_berth image diff "$BASE" localhost/tree-two
    assert_output_matches '^D /d$'
    assert_output_matches '^D /x$'
    assert_output_matches '^A /bin/ls$'
    run_berth image diff localhost/tree-three localhost/tree-two
    assert_output_matches '^A /y$'
    assert_output_not_contains "/x"
    run_berth image diff --format json localhost/tree-three "$BASE"
    run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print({"/d", "/x", "/y"} <= set(d["added"]), d["deleted"])' "$output"
    assert_output_contains "True ['/bin/ls']"
}

@test "diff takes an image where no container has the name" {
    run_berth diff localhost/tree-three
    assert_output_matches '^A /y$'
    run_berth diff --format json localhost/tree-three localhost/tree-two
    assert_output_contains '"/y"'
}

@test "image diff: an unknown image, a bad format or too many images fails with 125" {
    run_berth --exit 125 image diff no-such-image
    assert_output_contains "no-such-image not found"
    run_berth --exit 125 image diff localhost/tree-two no-such-image
    assert_output_contains "image not known"
    run_berth --exit 125 diff no-such-image
    assert_output_contains "no-such-image not found"
    run_berth --exit 125 image diff --format yaml localhost/tree-two
    assert_output_contains "only supported value for '--format' is 'json'"
    run_berth --exit 125 image diff localhost/tree-three localhost/tree-two "$BASE"
    run_berth --exit 125 image diff
}
