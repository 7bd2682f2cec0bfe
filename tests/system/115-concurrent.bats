#!/usr/bin/env bats
# Many berth invocations at once on one store: concurrent creates with and
# without --name, and concurrent rm -f. Every command succeeds, no record is
# lost or doubled, no "database is locked", and nothing is left behind
# (mounts, monitors, container directories). Rootless Podman (runc) passes
# this file with `keyring = false` in containers.conf: without it runc gives
# each container a session keyring, and a user may own only 200 keys.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
# Containers started (then removed) at once by the second test, half of them
# named. A sanitizer build sets it lower: 200 ASan processes on 2 cores spend
# minutes each just unmapping their shadow memory at exit.
COUNT=${BERTH_TEST_CONCURRENT:-200}

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# parallel N ARGS...: runs `berth ARGS` N times at once, each with its index
# in place of {}; waits for all; prints "FAILED n: output" for each failure.
parallel_berth() {
    local n=$1 i
    shift
    local dir=$BATS_TEST_TMPDIR/parallel
    rm -rf "$dir"
    mkdir -p "$dir"
    for ((i = 0; i < n; i++)); do
        local args=("${@//\{\}/$i}")
        # "|| rc=$?": under bats' set -e a failure would end the subshell before it wrote its status.
        (rc=0
            timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS "${args[@]}" >"$dir/$i.out" 2>&1 </dev/null || rc=$?
            echo $rc >"$dir/$i.rc") &
    done
    wait
    for ((i = 0; i < n; i++)); do
        [[ $(cat "$dir/$i.rc") == 0 ]] || echo "FAILED $i (exit $(cat "$dir/$i.rc")): $(cat "$dir/$i.out")"
    done
}

# Nothing of any container is left: records, directories, monitors, mounts.
assert_nothing_left() {
    run_berth ps -a -q
    assert_output_equals ""
    run bash -c "ls -A '$BERTH_TEST_ROOT/run/containers' '$BERTH_TEST_ROOT/data/containers' 2>/dev/null | grep -v -e '^\$' -e ':\$' -e '^.trash\$'"
    assert_output_equals ""
    run pgrep -f "berth-monitor.*$BERTH_TEST_ROOT"
    assert_output_equals ""
    local mounts
    mounts=$(berth_mounts | grep -c "$BERTH_TEST_ROOT/data/containers" || true)
    assert_equal "$mounts" "0" "mounts left under the containers directory"
}

@test "30 unnamed run -d at once: all start, with 30 different names" {
    run parallel_berth 30 run -d "$IMAGE" sleep 1000
    assert_output_equals ""
    run_berth ps -a --format '{{.Names}}'
    [[ $(wc -l <<<"$output") -eq 30 ]]
    [[ $(sort -u <<<"$output" | wc -l) -eq 30 ]]
    assert_output_matches '^[a-z]+_[a-z]+(_[0-9]+)?$'
    run_berth rm -a -f -t 0
    assert_nothing_left
}

@test "$COUNT run -d at once, named and unnamed, then $COUNT rm -f at once: nothing lost, doubled or left" {
    # --network none: the store is under test, not $COUNT network helpers
    # (rootless, each would start its own pasta, ~30 MB apiece).
    run parallel_berth $((COUNT / 2)) run -d --network none --name "named{}" "$IMAGE" sleep 1000
    assert_output_equals ""
    run parallel_berth $((COUNT - COUNT / 2)) run -d --network none "$IMAGE" sleep 1000
    assert_output_equals ""
    run_berth ps --format '{{.Names}} {{.Status}}'
    [[ $(wc -l <<<"$output") -eq $COUNT ]]
    [[ $(awk '{ print $1 }' <<<"$output" | sort -u | wc -l) -eq $COUNT ]]
    [[ $(grep -c ' Up ' <<<"$output") -eq $COUNT ]]
    assert_output_not_contains "locked"
    run_berth ps -q --no-trunc
    local ids=($output)
    [[ ${#ids[@]} -eq $COUNT ]]
    printf '%s\n' "${ids[@]}" >"$BATS_TEST_TMPDIR/ids"
    # $COUNT concurrent rm -f, one a container.
    local dir=$BATS_TEST_TMPDIR/rm id i=0
    mkdir -p "$dir"
    for id in "${ids[@]}"; do
        (rc=0
            timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS rm -f -t 0 "$id" >"$dir/$i.out" 2>&1 </dev/null || rc=$?
            echo $rc >"$dir/$i.rc") &
        i=$((i + 1))
    done
    wait
    for ((i = 0; i < COUNT; i++)); do
        [[ $(cat "$dir/$i.rc") == 0 ]] || { echo "rm $i (exit $(cat "$dir/$i.rc")): $(cat "$dir/$i.out")" >&2; false; }
    done
    assert_nothing_left
}
