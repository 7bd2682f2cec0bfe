#!/usr/bin/env bats
# More --format cases: Go template functions and JSON output across commands.

load ../lib/helpers

setup() {
    pull_fixture busybox-extra
}

@test "range over a list" {
    run_berth image inspect --format '{{range .RootFS.Layers}}{{.}} {{end}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_equals "$(fixture_info busybox-extra diff_ids | tr '\n' ' ' | sed 's/ $//') "
}

@test "len, index and if" {
    run_berth image inspect --format '{{len .RootFS.Layers}} {{index .RepoTags 0}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_equals "2 $REGISTRY_OPEN/busybox-extra:latest"
    run_berth image inspect --format '{{if .Config.Labels}}labelled{{else}}plain{{end}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_equals labelled
}

@test "json of a nested object" {
    run_berth image inspect --format '{{json .Config.Labels}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_equal "$(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1]), sort_keys=True))' "$output")" \
        "$(fixture_info busybox-extra labels)" "labels"
}

@test "upper and lower" {
    run_berth image inspect --format '{{upper .Os}} {{lower "ABC"}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_equals "LINUX abc"
}

@test "literal text around fields, one line per image" {
    run_berth images --format 'image={{.Repository}} tag={{.Tag}}'
    assert_output_equals "image=$REGISTRY_OPEN/busybox-extra tag=latest"
}

@test "images --format {{.Size}} and {{.CreatedAt}}" {
    run_berth images --format '{{.CreatedAt}}'
    assert_output_equals "2024-03-01 00:00:00 +0000 UTC"
    run_berth images --format '{{.Size}}'
    assert_output_matches '^[0-9.]+ ?[kKMG]?B$'
}

@test "version --format json and info --format '{{json .Store}}'" {
    run_berth version --format json
    run json_get '["Client"]["Version"]'
    assert_output_matches '^[0-9]+\.[0-9]+\.[0-9]+'
    run_berth info --format '{{json .Store}}'
    run json_get '["graphRoot"]'
    assert_output_equals "$BERTH_TEST_ROOT/data"
}

@test "a malformed template exits 125 with a template error" {
    run_berth --exit 125 image inspect --format '{{.Id' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_contains "template"
    run_berth --exit '?' image inspect --format '{{.NoSuchField}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_failed_with "NoSuchField"
}
