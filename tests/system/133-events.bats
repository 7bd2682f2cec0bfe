#!/usr/bin/env bats
# berth events: the append-only events file, Podman's line format, filters,
# --since/--until, --format json, streaming, and concurrent writers.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
}

@test "container lifecycle events in Podman's format" {
    run_berth create --name ev1 --label tier=web "$IMAGE" sleep 1000
    local id=$output
    run_berth start ev1
    run_berth stop -t 0 ev1
    run_berth rename ev1 ev2
    run_berth rm ev2
    run_berth events --stream=false --filter type=container
    assert_output_matches "^20[0-9-]+ [0-9:.]+ \+0000 UTC container create $id \(image=$IMAGE, name=ev1, tier=web\)$"
    assert_output_contains "container start $id"
    # (Podman 4.3.1 logs no stop event for stop -t 0, only died)
    assert_output_contains "container died $id"
    assert_output_contains "container rename $id"
    assert_output_matches "container remove $id \(image=$IMAGE, name=ev2"
    run_berth events --stream=false --filter event=create --filter container=ev1 --format '{{.Status}} {{.Name}} {{.ID}}'
    assert_output_equals "create ev1 $id"
    run_berth events --stream=false --filter container=nosuch
    assert_output_equals ""
    run_berth events --stream=false --filter event=start --format json
    assert_equal "$(json_get '["Status"]')" start
    assert_equal "$(json_get '["Type"]')" container
    assert_equal "$(json_get '["Name"]')" ev1
    [[ $(json_get '["Time"]') =~ ^20[0-9-]+T[0-9:.]+Z$ ]]
}

# bats test_tags=berth-only
@test "events refuses an unknown filter" {
    # berth-only: Podman 4.3.1 ignores an unknown events filter with --stream=false and exits 0.
    run_berth --exit 125 events --stream=false --filter bogus=1
}

# bats test_tags=berth-only
@test "image events; --since and --until" {
    # berth-only: Podman 4.3.1's events --until also leaves out events from before the time (tag, untag).
    run_berth tag "$IMAGE" localhost/evtag:1
    run_berth untag localhost/evtag:1 localhost/evtag:1
    run_berth events --stream=false --filter type=image --format '{{.Status}} {{.Name}}'
    assert_output_contains "tag localhost/evtag:1"
    assert_output_contains "untag localhost/evtag:1"
    sleep 0.2
    local mark
    mark=$(date +%s.%N)
    run_berth create --name late "$IMAGE" true
    # (type=container: Podman also logs an image event for the create's image lookup)
    run_berth events --stream=false --since "$mark" --filter type=container --format '{{.Status}} {{.Name}}'
    assert_output_equals "create late"
    run_berth events --stream=false --until "$mark" --format '{{.Status}} {{.Name}}'
    assert_output_not_contains "create late"
    assert_output_contains "tag localhost/evtag:1"
    # a duration before now
    run_berth events --stream=false --since 10m --filter event=create --format '{{.Name}}'
    assert_output_contains late
    run_berth events --stream=false --until 10m --filter event=create --format '{{.Name}}'
    assert_output_equals ""
    run_berth --exit 125 events --stream=false --since yesterdayish
}

@test "events streams new events until interrupted" {
    local out=$BATS_TEST_TMPDIR/stream
    timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS events --filter event=create --format '{{.Name}}' >"$out" 2>&1 &
    local pid=$!
    sleep 1
    run_berth create --name streamed "$IMAGE" true
    local i
    for i in $(seq 1 50); do
        grep -q streamed "$out" && break
        sleep 0.1
    done
    kill -INT $pid
    wait $pid || true
    assert_equal "$(cat "$out")" streamed
}

@test "concurrent writers never interleave events" {
    local i
    for i in $(seq 1 20); do
        timeout 60 "$BERTH" $BERTH_GLOBAL_OPTS create --name "cw$i" "$IMAGE" true >/dev/null 2>&1 &
    done
    wait
    run_berth events --stream=false --filter event=create --format json
    local n
    n=$(grep -c '"Status":"create"' <<<"$output")
    assert_equal "$n" "$(grep -c . <<<"$output")" "every line is one event"
    python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin if l.strip()]' <<<"$output"
    [[ $(grep -c '"Name":"cw' <<<"$output") -eq 20 ]]
}
