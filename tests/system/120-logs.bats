#!/usr/bin/env bats
# berth logs and the log drivers berth-monitor writes: k8s-file (default),
# json-file, none; rotation with max-size; -f, -t, --tail, --since, --until,
# --names; logs across restarts; a removed container.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

logfile() { echo "$BERTH_TEST_ROOT/data/containers/$1/ctr.log"; }

# wait_exited NAME: until `logs` no longer follows (the container exited).
wait_exited() {
    timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS logs -f "$1" >/dev/null 2>&1
}

# bats test_tags=berth-only
@test "a foreground container is logged in k8s-file format; logs prints the text, stderr on stderr" {
    # berth-only: reads the container's log file from berth's own store (berth.db, its paths).
    run_berth run --name fg "$IMAGE" sh -c 'echo out1; echo err1 >&2; printf partial'
    local id
    id=$(sqlite3 "$BERTH_TEST_ROOT/data/berth.db" "SELECT id FROM containers WHERE name = 'fg'")
    run cat "$(logfile "$id")"
    assert_output_matches '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}[-+][0-9]{2}:[0-9]{2} stdout F out1$'
    assert_output_contains " stderr F err1"
    assert_output_contains " stdout P partial"
    run bash -c "timeout 30 $BERTH $BERTH_GLOBAL_OPTS logs fg 2>/dev/null"
    assert_output_equals "$(printf 'out1\npartial')"
    run bash -c "timeout 30 $BERTH $BERTH_GLOBAL_OPTS logs fg 2>&1 >/dev/null"
    assert_output_equals "err1"
    run_berth logs -t fg
    assert_output_matches '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[-+][0-9:]+ out1$'
}

@test "logs --tail, --since, --until, --names and several containers" {
    run_berth run --name nums "$IMAGE" sh -c 'for i in 1 2 3 4 5; do echo n$i; done'
    run_berth logs --tail 2 nums
    assert_output_equals "$(printf 'n4\nn5')"
    run_berth logs --tail 0 nums
    assert_output_equals ""
    run_berth logs --since 10m nums
    assert_line_count 5
    run_berth logs --since 2099-01-01T00:00:00Z nums
    assert_output_equals ""
    run_berth logs --until 2000-01-01 nums
    assert_output_equals ""
    run_berth run --name other "$IMAGE" echo x
    run_berth logs nums other
    assert_line_count 6
    assert_output_matches '^[0-9a-f]{12} x$'
    run_berth logs --names nums other
    assert_output_contains "nums n1"
    assert_output_contains "other x"
    run_berth --exit 125 logs --since yesterday nums
    assert_output_contains "yesterday"
}

@test "logs -f follows a running container and ends when it exits" {
    run_berth run -d --name follow "$IMAGE" sh -c 'for i in 1 2 3; do echo line$i; sleep 0.4; done'
    local start=$SECONDS
    run_berth logs -f follow
    assert_output_equals "$(printf 'line1\nline2\nline3')"
    # It waited for the container, which runs about 1.2 s.
    (( SECONDS - start >= 1 ))
}

@test "logs survive a restart of the container" {
    run_berth run --name again "$IMAGE" echo once
    run_berth start -a again
    run_berth logs again
    assert_output_equals "$(printf 'once\nonce')"
}

# bats test_tags=berth-only
@test "--log-opt max-size rotates into one kept file" {
    # berth-only: reads the container's log file from berth's own store (berth.db, its paths).
    run_berth run --name rot --log-opt max-size=1k "$IMAGE" sh -c 'for i in $(seq 1 200); do echo "line number $i"; done'
    local id
    id=$(sqlite3 "$BERTH_TEST_ROOT/data/berth.db" "SELECT id FROM containers WHERE name = 'rot'")
    [[ -f $(logfile "$id").1 ]]
    (( $(stat -c %s "$(logfile "$id")") <= 1100 ))
    (( $(stat -c %s "$(logfile "$id").1") <= 1100 ))
    run_berth logs rot
    assert_output_contains "line number 200"
    assert_output_not_contains "line number 1$"
    run_berth --exit 125 run --rm --log-opt max-size=lots "$IMAGE" true
    assert_output_contains "max-size"
}

# bats test_tags=berth-only
@test "json-file, none, and path=" {
    # berth-only: reads the container's log file from berth's own store (berth.db, its paths).
    run_berth run --name js --log-driver json-file "$IMAGE" sh -c 'echo "say \"hi\""; echo oops >&2'
    local id
    id=$(sqlite3 "$BERTH_TEST_ROOT/data/berth.db" "SELECT id FROM containers WHERE name = 'js'")
    run python3 -c 'import json,sys; [print(json.loads(l)["stream"], repr(json.loads(l)["log"]), json.loads(l)["time"][-1]) for l in open(sys.argv[1])]' "$(logfile "$id")"
    assert_output_equals "$(printf "stdout 'say \"hi\"\\\\n' Z\nstderr 'oops\\\\n' Z")"
    run_berth logs js
    assert_output_contains 'say "hi"'
    run_berth run --name silent --log-driver none "$IMAGE" echo quiet
    assert_output_equals "quiet"
    run_berth --exit 125 logs silent
    assert_output_contains "log-driver none"
    run_berth run --name elsewhere --log-opt path="$BATS_TEST_TMPDIR/my.log" "$IMAGE" echo moved
    grep -q " stdout F moved$" "$BATS_TEST_TMPDIR/my.log"
    run_berth logs elsewhere
    assert_output_equals "moved"
    run_berth --exit 125 run --rm --log-driver syslog "$IMAGE" true
}

@test "logs of a removed container is a clear error" {
    run_berth run --name gone "$IMAGE" echo bye
    run_berth rm gone
    run_berth --exit 125 logs gone
    assert_output_contains 'no container with name or ID "gone" found'
}
