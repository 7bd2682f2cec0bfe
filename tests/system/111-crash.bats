#!/usr/bin/env bats
# kill -9 of berth itself in the middle of run -d, stop and rm (issue 4): every
# later command works, and the store tells the truth: a container recorded as
# running has a live process, one recorded as exited has none, and once all
# are removed no mount and no monitor of this store is left.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# kill_after DELAY ARGS...: start berth ARGS in the background, kill -9 it after DELAY seconds.
kill_after() {
    local delay=$1
    shift
    # shellcheck disable=SC2086
    "$BERTH" $BERTH_GLOBAL_OPTS "$@" >/dev/null 2>&1 &
    local pid=$!
    sleep "$delay"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# The records agree with the processes: running ⇒ its pid lives, else no pid.
# With --stopping-ok, a container may also be recorded stopping with its pid:
# a killed stop or rm leaves it so until its monitor, which may still be
# tearing the network down (netavark, as root), records the exit.
assert_truthful() {
    local stopping_ok=0
    [[ ${1:-} == --stopping-ok ]] && stopping_ok=1
    run_berth ps -a --format '{{.ID}}'
    local id state pid
    for id in $output; do
        run_berth inspect --format '{{.State.Status}} {{.State.Pid}}' "$id"
        read -r state pid <<<"$output"
        case $state in
            running) [[ $pid -gt 0 ]] && kill -0 "$pid" 2>/dev/null ||
                { echo "container $id recorded running with dead pid $pid" >&2; return 1; } ;;
            stopping) ((stopping_ok)) || [[ $pid -eq 0 ]] ||
                { echo "container $id recorded stopping with pid $pid" >&2; return 1; } ;;
            *) [[ $pid -eq 0 ]] || { echo "container $id recorded $state with pid $pid" >&2; return 1; } ;;
        esac
    done
}

assert_clean() {
    run_berth rm -f -a -t 0
    run_berth ps -a -q
    assert_output_equals ""
    local left
    left=$(berth_mounts | grep -F "$BERTH_TEST_ROOT/" || true)
    [[ -z $left ]] || { echo "mounts left: $left" >&2; return 1; }
    # a monitor may still be waiting for its `container cleanup` to exit
    local i
    for ((i = 0; i < 50; i++)); do
        pgrep -f "berth-monitor .*$BERTH_TEST_ROOT" >/dev/null || return 0
        sleep 0.1
    done
    echo "monitors left: $(pgrep -af "berth-monitor .*$BERTH_TEST_ROOT")" >&2
    return 1
}

# bats test_tags=berth-only
@test "kill -9 of berth in the middle of run -d: later commands work and the store tells the truth" {
    # berth-only: kill -9 recovery of berth itself; looks for berth's mounts (through its pause process) and berth-monitor processes.
    local delay
    for delay in 0.005 0.01 0.02 0.03 0.05 0.08 0.12 0.2; do
        kill_after "$delay" run -d "$IMAGE" sleep 1000
    done
    assert_truthful
    assert_clean
}

# bats test_tags=berth-only
@test "kill -9 of berth in the middle of stop and rm: later commands work and the store tells the truth" {
    # berth-only: kill -9 recovery of berth itself; looks for berth's mounts (through its pause process) and berth-monitor processes.
    local delay i
    for delay in 0.005 0.02 0.05 0.1; do
        run_berth run -d --name "s$delay" "$IMAGE" sleep 1000
        kill_after "$delay" stop -t 0 "s$delay"
        run_berth run -d --name "r$delay" "$IMAGE" sleep 1000
        kill_after "$delay" rm -f -t 0 "r$delay"
    done
    assert_truthful --stopping-ok
    # a second stop finishes what the killed one started
    run_berth ps -a --format '{{.Names}}'
    for i in $output; do
        run_berth stop -t 0 "$i"
    done
    assert_truthful
    assert_clean
}
