#!/usr/bin/env bats
# berth image inspect and image exists.

load ../lib/helpers

setup() {
    pull_fixture busybox
    pull_fixture busybox-extra
}

@test "image inspect prints podman's JSON fields" {
    run_berth image inspect "$REGISTRY_OPEN/busybox:latest"
    assert_equal "$(json_get '.__len__()')" 1 "number of objects"
    assert_equal "$(json_get '[0]["Id"]')" "$(fixture_info busybox id)" "Id"
    assert_equal "$(json_get '[0]["Digest"]')" "$(fixture_info busybox manifest_digest)" "Digest"
    assert_equal "$(json_get '[0]["RepoTags"]')" "[\"$REGISTRY_OPEN/busybox:latest\"]" "RepoTags"
    assert_equal "$(json_get '[0]["RepoDigests"]')" "[\"$REGISTRY_OPEN/busybox@$(fixture_info busybox manifest_digest)\"]" "RepoDigests"
    assert_equal "$(json_get '[0]["Created"]')" "2024-01-01T00:00:00Z" "Created"
    assert_equal "$(json_get '[0]["Config"]["Cmd"]')" '["sh"]' "Config.Cmd"
    assert_equal "$(json_get '[0]["Config"]["Env"]')" '["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]' "Config.Env"
    assert_equal "$(json_get '[0]["Architecture"]')" "$(fixture_info busybox architecture)" "Architecture"
    assert_equal "$(json_get '[0]["Os"]')" linux "Os"
    assert_equal "$(json_get '[0]["RootFS"]["Type"]')" layers "RootFS.Type"
    assert_equal "$(json_get '[0]["RootFS"]["Layers"]')" "$(fixture_json busybox diff_ids)" "RootFS.Layers"
    # Size is the uncompressed size of the layers: at least the busybox binary.
    local size
    size=$(json_get '[0]["Size"]')
    [[ $size =~ ^[0-9]+$ ]] && ((size > 1000000)) || { echo "FAIL: Size $size" >&2; return 1; }
}

@test "image inspect by short ID, full ID and digest reference" {
    local id
    id=$(fixture_info busybox-extra id)
    run_berth image inspect --format '{{.Id}}' "${id:0:12}"
    assert_output_equals "$id"
    run_berth image inspect --format '{{.Id}}' "sha256:$id"
    assert_output_equals "$id"
    run_berth image inspect --format '{{.Id}}' "$REGISTRY_OPEN/busybox-extra@$(fixture_info busybox-extra manifest_digest)"
    assert_output_equals "$id"
}

@test "image inspect of several images returns one array" {
    run_berth image inspect "$REGISTRY_OPEN/busybox:latest" "$REGISTRY_OPEN/busybox-extra:latest"
    assert_equal "$(json_get '.__len__()')" 2 "number of objects"
    assert_equal "$(json_get '[1]["Config"]["Labels"]["org.berth.test"]')" extra "second image's label"
    assert_equal "$(json_get '[1]["RootFS"]["Layers"]')" "$(fixture_json busybox-extra diff_ids)" "RootFS.Layers"
}

@test "image inspect --format with Go templates" {
    run_berth image inspect --format '{{.Os}}/{{.Architecture}} {{.Config.Cmd}}' "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "linux/$(fixture_info busybox architecture) [sh]"
    run_berth image inspect --format '{{json .Config.Cmd}}' "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals '["sh"]'
    run_berth image inspect --format '{{index .Config.Labels "org.berth.test"}}' "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_equals extra
}

@test "inspect --type image works on images" {
    run_berth inspect --type image --format '{{.Id}}' "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "image inspect of a missing image exits 125: image not known" {
    run_berth --exit 125 image inspect "$REGISTRY_OPEN/no-such-image:latest"
    assert_output_contains "no-such-image"
    assert_output_contains "image not known"
}

@test "image inspect of one missing among several still fails" {
    run_berth --exit 125 image inspect "$REGISTRY_OPEN/busybox:latest" no-such-image
    assert_output_contains "image not known"
}

@test "image exists returns 0 or 1" {
    run_berth image exists "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals ""
    run_berth image exists "$(fixture_info busybox id)"
    run_berth --exit 1 image exists "$REGISTRY_OPEN/no-such-image:latest"
    assert_output_equals ""
    run_berth --exit 1 image exists "$REGISTRY_OPEN/busybox:other-tag"
}
