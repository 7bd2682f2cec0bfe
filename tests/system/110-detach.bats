#!/usr/bin/env bats
# Detached containers and their berth-monitor: run -d, start, exit records,
# --rm, restart policies, a monitor killed with -9, attach, and many
# concurrent run -d. Records are read straight from berth.db (sqlite3), so
# these tests do not depend on ps/inspect.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# record ID: "state exit_code pid monitor_pid restart_count" of the container, or "missing".
record() {
    sqlite3 -separator ' ' "$BERTH_TEST_ROOT/data/berth.db" \
        "SELECT state, exit_code, pid, monitor_pid, restart_count FROM containers WHERE id LIKE '$1%' OR name = '$1'" 2>/dev/null |
        grep . || echo missing
}

# wait_record ID PATTERN [SECONDS]: until the record matches the regex.
wait_record() {
    local i
    for ((i = 0; i < ${3:-20} * 10; i++)); do
        [[ $(record "$1") =~ $2 ]] && return 0
        sleep 0.1
    done
    echo "record of $1 is '$(record "$1")', expected /$2/" >&2
    return 1
}

monitors_of() { pgrep -f "berth-monitor --id=$1" || true; }

# wait_monitor ID present|gone: the forked child execs berth-monitor just after
# run -d returns, and the monitor ends just after its cleanup command: poll.
wait_monitor() {
    local i
    for ((i = 0; i < 50; i++)); do
        case $2 in
            present) [[ -n $(monitors_of "$1") ]] && return 0 ;;
            gone) [[ -z $(monitors_of "$1") ]] && return 0 ;;
        esac
        sleep 0.1
    done
    echo "monitor of $1 is not $2: $(monitors_of "$1")" >&2
    return 1
}

# bats test_tags=berth-only
@test "run -d prints the full ID, returns while the container runs, records the exit" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    # 3 s, not 1: on a loaded machine (load 100 on 2 cores) the run -d and the
    # record check took longer than the container lived, and its monitor was gone.
    run_berth run -d "$IMAGE" sh -c 'sleep 3; exit 4'
    local id=$output
    [[ $id =~ ^[0-9a-f]{64}$ ]]
    [[ $(record "$id") =~ ^running ]]
    wait_monitor "$id" present
    wait_record "$id" '^exited 4 0 0 0$'
    wait_monitor "$id" gone
    [[ -f $BERTH_TEST_ROOT/run/containers/$id/exit ]]
    [[ $(cut -d' ' -f1 "$BERTH_TEST_ROOT/run/containers/$id/exit") == 4 ]]
    ! berth_mounts | grep -q "$id"
    run_berth rm "$id"
}

# bats test_tags=berth-only
@test "a foreground run records the exit without an exit command" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth --exit 3 run --name fg "$IMAGE" sh -c 'exit 3'
    [[ $(record fg) == "exited 3 0 0 0" ]]
    run_berth rm fg
}

# bats test_tags=berth-only
@test "start is detached, start -a attaches, start -a -i passes stdin" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth create --name st "$IMAGE" sh -c 'echo started; exit 2'
    run_berth start st
    assert_output_equals "st"
    wait_record st '^exited 2 '
    run_berth --exit 2 start -a st
    assert_output_equals "started"
    run_berth create --name sti "$IMAGE" cat
    run bash -c "echo through | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS start -a -i sti"
    [[ $status -eq 0 ]]
    assert_output_equals "through"
    run_berth rm st sti
}

# bats test_tags=berth-only
@test "run -d --rm removes the container after it exits" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth run -d --rm "$IMAGE" sh -c 'sleep 0.5'
    local id=$output
    wait_record "$id" '^missing$'
    [[ ! -d $BERTH_TEST_ROOT/data/containers/$id ]]
    [[ ! -d $BERTH_TEST_ROOT/run/containers/$id ]]
}

# bats test_tags=berth-only
@test "restart=on-failure:2 restarts twice, then the record shows the failure" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth run -d --name rs --restart on-failure:2 "$IMAGE" sh -c 'echo run; exit 3'
    wait_record rs '^exited 3 0 0 2$' 30
    run_berth logs rs
    assert_output_equals "$(printf 'run\nrun\nrun')"
    run_berth run -d --name rs0 --restart on-failure:2 "$IMAGE" true
    wait_record rs0 '^exited 0 0 0 0$'
    run_berth --exit 125 run --restart sometimes "$IMAGE" true
    assert_output_contains "invalid restart policy"
    run_berth --exit 125 run --rm --restart always "$IMAGE" true
    run_berth rm rs rs0
}

# bats test_tags=berth-only
@test "stop of a --restart=always container keeps it stopped; start re-arms the policy" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth run -d --name ra --restart always "$IMAGE" sleep 1000
    wait_record ra '^running '
    run_berth stop -t 0 ra
    wait_record ra '^exited 137 0 0 0$'
    sleep 1
    wait_record ra '^exited 137 0 0 0$'
    run_berth start ra
    wait_record ra '^running '
    run_berth kill ra
    # killed, not stopped: --restart always starts it again
    wait_record ra '^running .* 1$' 30
    run_berth rm -f -t 0 ra
}

# bats test_tags=berth-only
@test "kill -9 of a monitor: the next command marks the container exited (-1), kills it and unmounts it" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth run -d --name killed "$IMAGE" sleep 1000
    local id=$output
    local mon pid
    wait_monitor "$id" present
    mon=$(monitors_of "$id")
    [[ -n $mon ]]
    pid=$(record "$id" | cut -d' ' -f3)
    [[ $pid -gt 0 ]] && kill -0 "$pid"
    berth_mounts | grep -q "$id"
    kill -9 $mon
    sleep 0.5
    [[ $(record "$id") =~ ^running ]]
    # Any command that reads the container notices, and the orphan does not run on unwatched.
    run_berth logs killed
    [[ $(record "$id") == "exited -1 0 0 0" ]]
    ! berth_mounts | grep -q "$id"
    local i
    for ((i = 0; i < 20; i++)); do
        [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) =~ ^(Z|)$ ]] && break
        sleep 0.1
    done
    [[ $(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) =~ ^(Z|)$ ]]
    # It can be started again and is stopped normally.
    run_berth start killed
    wait_record "$id" '^running '
    run_berth stop -t 0 killed
    wait_record "$id" '^exited 137 0 0 0$'
    run_berth rm killed
}

# bats test_tags=berth-only
@test "attach relays stdin and output and returns the exit code" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    run_berth run -d -i --name att "$IMAGE" sh -c 'read line; echo "got $line"; exit 5'
    run bash -c "echo hello | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS attach att"
    [[ $status -eq 5 ]]
    assert_output_equals "got hello"
    wait_record att '^exited 5 '
    run_berth --exit 125 attach att
    assert_output_contains "only attach to running containers"
    run_berth rm att
}

# bats test_tags=berth-only
@test "attach to a run -d -it container: typed input reaches it, the detach keys leave it running" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    command -v script >/dev/null || skip "script(1) is not installed"
    run_berth run -d -it --name atty "$IMAGE" sh
    # Input is sent after a pause: until berth puts the terminal in raw mode,
    # the line discipline would eat ctrl-q (XON).
    run bash -c "(sleep 1; printf 'echo attached-\$((6*7))\n'; sleep 1; printf '\020\021'; sleep 2) |
        timeout -k 10 $BERTH_TIMEOUT script -qec '$BERTH $BERTH_GLOBAL_OPTS attach atty' /dev/null"
    echo "$output" >&2
    [[ $status -eq 0 ]]
    assert_output_contains "attached-42"
    wait_record atty '^running '
    # other keys with --detach-keys; ctrl-p ctrl-q then go to the container
    run bash -c "(sleep 1; printf '\030\001'; sleep 2) |
        timeout -k 10 $BERTH_TIMEOUT script -qec '$BERTH $BERTH_GLOBAL_OPTS attach --detach-keys ctrl-x,ctrl-a atty' /dev/null"
    [[ $status -eq 0 ]]
    wait_record atty '^running '
    run_berth --exit 125 attach --detach-keys ctrl-nonsense atty
    run_berth rm -f -t 0 atty
}

# bats test_tags=berth-only
@test "50 concurrent run -d all exit and leave consistent records" {
    # berth-only: reads berth's own container records in berth.db and watches berth-monitor processes.
    local i
    for i in $(seq 50); do
        timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS run -d --name many$i "$IMAGE" sh -c "exit $((i % 7))" \
            >"$BATS_TEST_TMPDIR/out$i" 2>&1 &
    done
    wait
    for i in $(seq 50); do
        [[ $(cat "$BATS_TEST_TMPDIR/out$i") =~ ^[0-9a-f]{64}$ ]] || { cat "$BATS_TEST_TMPDIR/out$i"; false; }
    done
    for i in $(seq 50); do
        wait_record many$i "^exited $((i % 7)) 0 0 0\$" 60
    done
    [[ $(sqlite3 "$BERTH_TEST_ROOT/data/berth.db" "SELECT count(*) FROM containers WHERE name LIKE 'many%'") == 50 ]]
    sleep 0.5
    [[ -z $(pgrep -f "berth-monitor --id=.*--dir=$BERTH_TEST_ROOT/" || true) ]]
    for i in $(seq 50); do
        run_berth rm many$i
    done
    ! berth_mounts | grep -q "$BERTH_TEST_ROOT/data/containers"
}
