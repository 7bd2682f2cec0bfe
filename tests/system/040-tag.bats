#!/usr/bin/env bats
# tag, untag, rmi, image prune and history.

load ../lib/helpers

setup() {
    pull_fixture busybox
    pull_fixture busybox-extra
}

names_of() {  # names_of IMAGE: its RepoTags, one a line, sorted
    run_berth image inspect "$1"
    python3 -c 'import json,sys; print("\n".join(sorted(json.loads(sys.argv[1])[0]["RepoTags"] or [])))' "$output"
}

@test "tag adds names; short names get localhost/" {
    run_berth tag "$REGISTRY_OPEN/busybox:latest" mybox:v1 "$REGISTRY_OPEN/other/box:v2"
    assert_output_equals ""
    assert_equal "$(names_of "$REGISTRY_OPEN/busybox:latest")" "$REGISTRY_OPEN/busybox:latest
$REGISTRY_OPEN/other/box:v2
localhost/mybox:v1" "RepoTags"
    run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output_contains "localhost/mybox:v1 $(fixture_info busybox id | cut -c1-12)"
    run_berth image inspect --format '{{.Id}}' mybox:v1
    assert_output_equals "$(fixture_info busybox id)"
    run_berth untag "$REGISTRY_OPEN/busybox:latest" mybox:v1 "$REGISTRY_OPEN/other/box:v2"
}

@test "tag without a tag means :latest" {
    run_berth tag "$REGISTRY_OPEN/busybox-extra:latest" extra-copy
    run_berth image inspect --format '{{.Id}}' localhost/extra-copy:latest
    assert_output_equals "$(fixture_info busybox-extra id)"
    run_berth untag localhost/extra-copy
}

@test "tag moves a name from one image to another" {
    run_berth tag "$REGISTRY_OPEN/busybox:latest" moving:tag
    run_berth tag "$REGISTRY_OPEN/busybox-extra:latest" moving:tag
    run_berth image inspect --format '{{.Id}}' moving:tag
    assert_output_equals "$(fixture_info busybox-extra id)"
    assert_equal "$(names_of "$REGISTRY_OPEN/busybox:latest")" "$REGISTRY_OPEN/busybox:latest" "busybox names"
    run_berth untag moving:tag
}

@test "tag of a missing image exits 125" {
    run_berth --exit 125 tag no-such-image:latest x:y
    assert_output_contains "image not known"
}

@test "tag with an invalid name exits 125" {
    run_berth --exit 125 tag "$REGISTRY_OPEN/busybox:latest" "UPPER::bad"
    assert_output_contains "invalid reference"
}

@test "untag removes one name, or all names" {
    run_berth tag "$REGISTRY_OPEN/busybox:latest" u1 u2
    run_berth untag "$REGISTRY_OPEN/busybox:latest" localhost/u1
    assert_equal "$(names_of "$REGISTRY_OPEN/busybox:latest")" "$REGISTRY_OPEN/busybox:latest
localhost/u2:latest" "after untag u1"
    run_berth untag "$(fixture_info busybox id)"
    assert_equal "$(names_of "$(fixture_info busybox id)")" "" "after untag all"
    run_berth images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
    assert_output_contains "<none>:<none> $(fixture_info busybox id | cut -c1-12)"
}

@test "rmi of a name with other names only untags" {
    run_berth tag "$REGISTRY_OPEN/busybox-extra:latest" second-name
    run_berth rmi second-name
    assert_output_equals "Untagged: localhost/second-name:latest"
    run_berth image exists "$REGISTRY_OPEN/busybox-extra:latest"
}

@test "rmi of the last name deletes the image" {
    run_berth rmi "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_contains "Untagged: $REGISTRY_OPEN/busybox-extra:latest"
    assert_output_contains "Deleted: $(fixture_info busybox-extra id)"
    run_berth --exit 1 image exists "$(fixture_info busybox-extra id)"
    # The shared base layer is still there for busybox.
    run_berth image inspect --format '{{.Id}}' "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "rmi of a missing image exits 1" {
    run_berth --exit 1 rmi no-such-image:latest
    assert_output_contains "image not known"
}

@test "rmi by ID of an image with several names needs --force" {
    run_berth tag "$REGISTRY_OPEN/busybox-extra:latest" several
    run_berth --exit '?' rmi "$(fixture_info busybox-extra id | cut -c1-12)"
    assert_failed_with "more than one tag|force"
    run_berth image exists "$REGISTRY_OPEN/busybox-extra:latest"
    run_berth rmi -f "$(fixture_info busybox-extra id | cut -c1-12)"
    assert_output_contains "Deleted: $(fixture_info busybox-extra id)"
    run_berth --exit 1 image exists several
    run_berth --exit 1 image exists "$REGISTRY_OPEN/busybox-extra:latest"
}

@test "rmi -a removes every image" {
    run_berth rmi -a
    assert_output_contains "Deleted: $(fixture_info busybox id)"
    assert_output_contains "Deleted: $(fixture_info busybox-extra id)"
    run_berth images -q
    assert_output_equals ""
}

@test "image prune removes dangling images only" {
    run_berth untag "$REGISTRY_OPEN/busybox-extra:latest"
    run_berth image prune -f
    assert_output_equals "$(fixture_info busybox-extra id)"
    run_berth images -q --no-trunc
    assert_output_equals "sha256:$(fixture_info busybox id)"
    run_berth image prune -f
    assert_output_equals ""
}

@test "image prune -a removes all unused images" {
    run_berth image prune -a -f
    assert_output_contains "$(fixture_info busybox id)"
    assert_output_contains "$(fixture_info busybox-extra id)"
    run_berth images -q
    assert_output_equals ""
}

@test "history lists the layers newest first" {
    run_berth history "$REGISTRY_OPEN/busybox-extra:latest"
    assert_equal "$(sed -E 's/ +/ /g' <<<"${lines[0]}")" "ID CREATED CREATED BY SIZE COMMENT" "header"
    assert_line_count 4
    run_berth history --no-trunc --format '{{.CreatedBy}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_equal "$output" "$(fixture_info busybox-extra history | tac)" "created-by, newest first"
    run_berth history -q "$REGISTRY_OPEN/busybox-extra:latest"
    assert_line_count 3
    assert_equal "${lines[0]}" "$(fixture_info busybox-extra id | cut -c1-12)" "first history ID is the image ID"
}

@test "history --format json" {
    run_berth history --format json "$REGISTRY_OPEN/busybox:latest"
    assert_equal "$(json_get '.__len__()')" 2 "number of entries"
    assert_equal "$(json_get '[1]["createdBy"]' 2>/dev/null || json_get '[1]["CreatedBy"]')" "$(fixture_info busybox history | head -n1)" "oldest entry"
}

@test "history of a missing image exits 125" {
    run_berth --exit 125 history no-such-image
    assert_output_contains "image not known"
}
