#!/usr/bin/env bats
# berth images: columns, quiet/no-trunc/digests, filters, sorting and --format.

load ../lib/helpers

setup() {
    pull_fixture busybox
    pull_fixture layers
    pull_fixture busybox-extra
}

short_id() { fixture_info "$1" id | cut -c1-12; }

@test "images prints podman's columns" {
    run_berth images
    assert_equal "$(sed -E 's/ +/ /g' <<<"${lines[0]}")" "REPOSITORY TAG IMAGE ID CREATED SIZE" "header"
    assert_output_matches "^$REGISTRY_OPEN/busybox +latest +$(short_id busybox) +.+ago +[0-9.]+ ?[kKMG]?B\$"
    assert_output_matches "^$REGISTRY_OPEN/layers +latest +$(short_id layers) +"
    assert_output_matches "^$REGISTRY_OPEN/busybox-extra +latest +$(short_id busybox-extra) +"
    assert_line_count 4
}

@test "images sorts by creation time, newest first" {
    run_berth images --format '{{.Repository}}'
    assert_equal "$output" "$REGISTRY_OPEN/busybox-extra
$REGISTRY_OPEN/layers
$REGISTRY_OPEN/busybox" "order"
}

@test "images -q prints short IDs only" {
    run_berth images -q
    assert_line_count 3
    assert_output_contains "$(short_id busybox)"
    assert_output_contains "$(short_id layers)"
    assert_output_contains "$(short_id busybox-extra)"
    run grep -vxE '[0-9a-f]{12}' <<<"$output"
    assert_equal "$output" "" "lines that are not a 12-hex ID"
}

@test "images --no-trunc prints full IDs" {
    run_berth images --no-trunc
    assert_output_matches "^$REGISTRY_OPEN/busybox +latest +sha256:$(fixture_info busybox id) +"
    run_berth images -q --no-trunc
    assert_output_contains "sha256:$(fixture_info layers id)"
    assert_line_count 3
}

@test "images --digests adds a DIGEST column" {
    run_berth images --digests
    assert_equal "$(sed -E 's/ +/ /g' <<<"${lines[0]}")" "REPOSITORY TAG DIGEST IMAGE ID CREATED SIZE" "header"
    assert_output_matches "^$REGISTRY_OPEN/busybox +latest +$(fixture_info busybox manifest_digest) +$(short_id busybox) +"
}

@test "images NAME lists only that repository" {
    run_berth images --format '{{.Repository}}:{{.Tag}}' "$REGISTRY_OPEN/busybox"
    assert_output_equals "$REGISTRY_OPEN/busybox:latest"
}

@test "images --filter reference=" {
    run_berth images --format '{{.Repository}}:{{.Tag}}' --filter "reference=$REGISTRY_OPEN/busybox-extra"
    assert_output_equals "$REGISTRY_OPEN/busybox-extra:latest"
    run_berth images --format '{{.Repository}}:{{.Tag}}' --filter "reference=$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "$REGISTRY_OPEN/busybox:latest"
    run_berth images -q --filter "reference=$REGISTRY_OPEN/nothing-here"
    assert_output_equals ""
}

@test "images --filter label=" {
    run_berth images --format '{{.Repository}}' --filter label=org.berth.test=extra
    assert_output_equals "$REGISTRY_OPEN/busybox-extra"
    run_berth images --format '{{.Repository}}' --filter label=org.berth.test
    assert_line_count 2
    assert_output_contains "$REGISTRY_OPEN/layers"
    assert_output_contains "$REGISTRY_OPEN/busybox-extra"
    run_berth images --format '{{.Repository}}' --filter label=org.berth.test=extra --filter label=org.berth.flavour=extra
    assert_output_equals "$REGISTRY_OPEN/busybox-extra"
}

@test "images --filter before= and since=" {
    run_berth images --format '{{.Repository}}' --filter "since=$REGISTRY_OPEN/busybox"
    assert_equal "$(sort <<<"$output")" "$REGISTRY_OPEN/busybox-extra
$REGISTRY_OPEN/layers" "since busybox"
    run_berth images --format '{{.Repository}}' --filter "before=$REGISTRY_OPEN/busybox-extra"
    assert_equal "$(sort <<<"$output")" "$REGISTRY_OPEN/busybox
$REGISTRY_OPEN/layers" "before busybox-extra"
    run_berth images --format '{{.Repository}}' --filter "before=$REGISTRY_OPEN/busybox"
    assert_output_equals ""
}

@test "images --filter with an unknown key fails" {
    run_berth --exit 125 images --filter no-such-filter=1
    assert_output_contains "no-such-filter"
}

@test "images --filter dangling=true lists untagged images" {
    run_berth images -q --filter dangling=true
    assert_output_equals ""
    run_berth untag "$REGISTRY_OPEN/layers:latest"
    run_berth images -q --filter dangling=true
    assert_output_equals "$(short_id layers)"
    run_berth images --format '{{.Repository}}:{{.Tag}}' --filter dangling=false
    assert_output_not_contains "layers"
    assert_line_count 2
    run_berth images
    assert_output_matches "^<none> +<none> +$(short_id layers) +"
}

@test "images --format with a Go template" {
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_equal "$(sort <<<"$output")" "$REGISTRY_OPEN/busybox-extra:latest
$REGISTRY_OPEN/busybox:latest
$REGISTRY_OPEN/layers:latest" "repository:tag lines"
    run_berth images --format '{{.ID}} {{.Repository}}' "$REGISTRY_OPEN/layers"
    assert_output_equals "$(short_id layers) $REGISTRY_OPEN/layers"
}

@test "images --format table prints a header" {
    run_berth images --format 'table {{.Repository}} {{.Tag}} {{.ID}}'
    assert_equal "$(sed -E 's/ +/ /g' <<<"${lines[0]}")" "REPOSITORY TAG IMAGE ID" "header"
    assert_line_count 4
    assert_output_matches "^$REGISTRY_OPEN/layers +latest +$(short_id layers)\$"
}

@test "images --format json" {
    run_berth images --format json
    assert_equal "$(json_get '.__len__()')" 3 "number of images"
    python3 -c '
import json, sys
images = json.loads(sys.argv[1])
want = {sys.argv[2], sys.argv[3], sys.argv[4]}
ids = {i["Id"].removeprefix("sha256:") for i in images}
assert ids == want, (ids, want)
for i in images:
    assert isinstance(i["Size"], int) and i["Size"] > 0, i
    assert isinstance(i["Created"], int) and i["Created"] > 1700000000, i
    assert i["Digest"].startswith("sha256:"), i
    assert any(n.startswith(sys.argv[5] + "/") for n in i["Names"]), i
' "$output" "$(fixture_info busybox id)" "$(fixture_info layers id)" "$(fixture_info busybox-extra id)" "$REGISTRY_OPEN"
    run_berth images --format json "$REGISTRY_OPEN/busybox-extra"
    assert_equal "$(json_get '[0]["Labels"]["org.berth.test"]')" extra "Labels"
}

@test "images --format with an unknown field fails naming the field" {
    run_berth --exit '?' images --format '{{.NoSuchField}}'
    assert_failed_with "NoSuchField"
}
