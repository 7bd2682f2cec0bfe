#!/usr/bin/env bats
# stop, kill, wait, restart, pause/unpause, rm, rename, container exists,
# container prune, top, port, stats: per-container reporting, Podman's exit
# codes and messages, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
}

# state_of NAME [TEMPLATE]: a field of the container's inspect document (default the state).
state_of() {
    local format='{{.State.Status}}'
    [[ -n ${2:-} ]] && format=$2
    timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS container inspect --format "$format" "$1"
}

# A container whose shell handles TERM (exit 7), so that stop's signal is seen.
TRAPPER='trap "exit 7" TERM; while :; do sleep 0.1; done'

@test "stop sends the stop signal first and waits for the exit" {
    run_berth run -d --name trapper "$IMAGE" sh -c "$TRAPPER"
    wait_state trapper running
    sleep 0.3
    run_berth stop trapper
    assert_output_equals trapper
    assert_equal "$(state_of trapper)" exited
    assert_equal "$(state_of trapper '{{.State.ExitCode}}')" 7
    assert_equal "$(state_of trapper '{{.State.Pid}}')" 0
    # stopping a stopped or created container is fine
    run_berth stop trapper
    assert_output_equals trapper
    run_berth create --name fresh "$IMAGE" true
    run_berth stop fresh
    assert_output_equals fresh
}

@test "stop of a container that ignores SIGTERM kills it after -t seconds" {
    run_berth run -d --name stubborn "$IMAGE" sleep 1000
    wait_state stubborn running
    local start=$SECONDS
    run_berth stop -t 2 stubborn
    assert_output_contains stubborn
    local took=$((SECONDS - start))
    [[ $took -ge 2 && $took -lt 9 ]] || { echo "stop took ${took}s" >&2; false; }
    assert_equal "$(state_of stubborn '{{.State.ExitCode}}')" 137
    # --stop-signal from create is used
    run_berth run -d --name usr1 --stop-signal USR1 "$IMAGE" sh -c 'trap "exit 9" USR1; while :; do sleep 0.1; done'
    wait_state usr1 running
    sleep 0.3
    run_berth stop -t 5 usr1
    assert_equal "$(state_of usr1 '{{.State.ExitCode}}')" 9
}

@test "stop resolves every name first: a missing one fails before anything stops" {
    run_berth run -d --name keep "$IMAGE" sleep 1000
    wait_state keep running
    run_berth --exit 125 stop -t 0 keep nosuch
    assert_output_contains 'no container with name or ID "nosuch" found'
    assert_output_not_contains keep
    assert_equal "$(state_of keep)" running
    run_berth stop --ignore -t 0 keep nosuch
    assert_output_equals keep
    # by ID prefix, and --all prints full IDs
    run_berth run -d --name p1 "$IMAGE" sleep 1000
    local id=$output
    wait_state p1 running
    run_berth stop -t 0 "${id:0:10}"
    assert_output_equals "${id:0:10}"
    run_berth start p1
    wait_state p1 running
    # --all reports every container, the already stopped one too, as Podman does.
    run_berth create --name c1 "$IMAGE" true
    local created=$output
    run_berth container inspect --format '{{.Id}}' keep
    local keep=$output
    run_berth stop -a -t 0
    assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$id" "$keep" "$created" | sort)" "stop -a"
    assert_equal "$(state_of p1)" exited
    assert_equal "$(state_of c1)" created
}

@test "kill sends a signal; a stopped container is an error" {
    run_berth run -d --name k1 "$IMAGE" sh -c 'trap "exit 5" HUP; while :; do sleep 0.1; done'
    wait_state k1 running
    sleep 0.3
    run_berth kill -s HUP k1
    assert_output_equals k1
    run_berth wait k1
    assert_output_equals 5
    run_berth --exit 125 kill k1
    assert_output_contains "can only kill running containers"
    assert_output_contains "container state improper"
    run_berth run -d --name k2 "$IMAGE" sleep 1000
    wait_state k2 running
    run_berth --exit 125 kill -s NOSUCH k2
    assert_output_contains "invalid signal"
    run_berth kill k2
    run_berth wait k2
    assert_output_equals 137
}

@test "wait prints exit codes of several containers; --condition" {
    run_berth --exit 3 run --name w1 "$IMAGE" sh -c 'exit 3'
    run_berth run --name w2 "$IMAGE" true
    run_berth wait w1 w2
    assert_equal "$output" $'3\n0'
    run_berth create --name w3 "$IMAGE" true
    run_berth wait --condition created w3
    assert_output_equals -1
    run_berth run -d --name w4 "$IMAGE" sleep 1000
    run_berth wait --condition running w4
    assert_output_equals -1
    run_berth --exit 125 wait nosuch
    assert_output_contains 'no container with name or ID "nosuch" found'
    run_berth --exit 125 wait --condition bogus w4
}

@test "restart stops and starts again" {
    run_berth run -d --name r1 "$IMAGE" sleep 1000
    wait_state r1 running
    local pid1
    pid1=$(state_of r1 '{{.State.Pid}}')
    run_berth restart -t 0 r1
    assert_output_equals r1
    wait_state r1 running
    [[ $(state_of r1 '{{.State.Pid}}') != "$pid1" ]]
    run_berth create --name r2 "$IMAGE" sleep 1000
    run_berth restart r2
    wait_state r2 running
}

# bats test_tags=berth-only
@test "pause freezes every process of the container, unpause thaws it" {
    # berth-only: rootless Podman 4.3.1 cannot pause on cgroup v1 ("this container does not have a cgroup"); berth freezes the processes without one.
    run_berth run -d --name pz "$IMAGE" sh -c 'sleep 1000 & while :; do sleep 0.1; done'
    wait_state pz running
    sleep 0.3
    run_berth pause pz
    assert_output_equals pz
    assert_equal "$(state_of pz)" paused
    assert_equal "$(state_of pz '{{.State.Paused}}')" true
    run_berth ps --format '{{.Names}} {{.Status}}'
    assert_output_equals "pz Paused"
    local pid
    pid=$(state_of pz '{{.State.Pid}}')
    # init is stopped (T) by SIGSTOP, or its berth cgroup is frozen
    local cg freeze=0
    cg=$(sed -n 's/^0:://p' /proc/$pid/cgroup)
    for root in /sys/fs/cgroup /sys/fs/cgroup/unified; do
        [[ $cg == */berth-* && -r $root$cg/cgroup.freeze ]] && freeze=$(cat "$root$cg/cgroup.freeze")
    done
    grep -q '^State:.*T' /proc/$pid/status || [[ $freeze == 1 ]]
    run_berth --exit 125 pause pz
    assert_output_contains "is not running, can't pause"
    run_berth unpause pz
    assert_output_equals pz
    assert_equal "$(state_of pz)" running
    run_berth --exit 125 unpause pz
    assert_output_contains "is not paused"
    # a paused container stops too
    run_berth pause pz
    run_berth stop -t 1 pz
    assert_equal "$(state_of pz)" exited
}

@test "rm: missing is exit 1, running is exit 2, -f stops, -a, -i" {
    run_berth run -d --name rmrun "$IMAGE" sleep 1000
    wait_state rmrun running
    run_berth create --name rmc "$IMAGE" true
    run_berth --exit 1 rm rmc nosuch
    assert_output_contains 'no container with name or ID "nosuch" found'
    run_berth container exists rmc
    run_berth --exit 2 rm rmrun
    assert_output_contains "as it is running"
    run_berth rm -f -t 0 rmrun rmc
    # (Podman removes them in parallel and prints each as it is done)
    assert_equal "$(sort <<<"$output")" $'rmc\nrmrun'
    run_berth --exit 1 container exists rmrun
    run_berth rm -i nosuch
    assert_output_equals ""
    run_berth create --name a1 "$IMAGE" true
    local id=$output
    run_berth rm -a
    assert_output_equals "$id"
}

@test "--cidfile: run writes the ID, kill, stop and rm read it; a missing file is exit 125" {
    local cid=$BATS_TEST_TMPDIR/cid
    run_berth run -d --cidfile "$cid" --name cidc "$IMAGE" sleep 1000
    local id=$output
    assert_equal "$(cat "$cid")" "$id"
    run_berth --exit 125 run -d --cidfile "$cid" "$IMAGE" true
    assert_output_contains "$cid"
    wait_state cidc running
    run_berth kill --cidfile "$cid"
    assert_output_equals "$id"
    run_berth stop --cidfile "$cid"
    assert_output_equals "$id"
    run_berth rm --cidfile "$cid"
    assert_output_equals "$id"
    run_berth --exit 1 container exists cidc
    for cmd in rm stop kill; do
        run_berth --exit 125 $cmd --cidfile "$BATS_TEST_TMPDIR/nosuch"
        assert_output_contains "$BATS_TEST_TMPDIR/nosuch"
    done
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 fails on a missing --cidfile even with --ignore; berth
# skips it, as the units of `generate systemd --new` need (rm -f --ignore --cidfile).
@test "rm --ignore skips a missing --cidfile" {
    run_berth rm --ignore --cidfile "$BATS_TEST_TMPDIR/nosuch"
    assert_output_equals ""
}

@test "rename, container exists" {
    run_berth create --name old "$IMAGE" true
    run_berth rename old new
    assert_output_equals ""
    run_berth container exists new
    run_berth --exit 1 container exists old
    run_berth create --name taken "$IMAGE" true
    run_berth --exit 125 rename new taken
    assert_output_contains "already in use"
    run_berth --exit 125 rename new 'bad/name'
    assert_output_contains "names must match"
    run_berth --exit 125 rename nosuch x
}

@test "container prune removes what is not running" {
    run_berth run -d --name running1 "$IMAGE" sleep 1000
    wait_state running1 running
    run_berth create --name pr1 --label drop=yes "$IMAGE" true
    local id1=$output
    run_berth run --name pr2 "$IMAGE" true
    run_berth container prune -f --filter label=drop=yes
    assert_output_equals "$id1"
    run_berth container prune -f
    assert_line_count 1
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals running1
}

@test "top lists the container's processes; port prints nothing" {
    run_berth run -d --name topc "$IMAGE" sleep 1000
    wait_state topc running
    run_berth top topc
    assert_output_matches '^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND$'
    # (Podman ends the line with a space)
    assert_output_matches '^root +1 +0 +[0-9.]+ +[0-9.msh]+ +\? +0s +sleep 1000 ?$'
    run_berth top topc pid,comm user
    assert_output_matches '^PID +COMMAND +USER$'
    assert_output_matches '^1 +sleep +root$'
    run_berth port topc
    assert_output_equals ""
    run_berth create --name topstopped "$IMAGE" true
    run_berth --exit 125 top topstopped
    assert_output_contains "top can only be used on running containers"
}

# bats test_tags=berth-only
@test "top refuses an unknown descriptor" {
    # berth-only: differs from Podman 4.3.1, which runs ps(1) in the container with descriptors it does not know.
    run_berth run -d --name topbad "$IMAGE" sleep 1000
    wait_state topbad running
    run_berth --exit 125 top topbad bogus
    assert_output_contains "unknown descriptor"
}

# bats test_tags=berth-only
@test "stats --no-stream shows CPU, memory and pids" {
    # berth-only: rootless Podman 4.3.1 has no stats without cgroup v2; berth reads the processes' own counters.
    run_berth run -d --name st1 "$IMAGE" sh -c 'sleep 1000 & sleep 1000'
    wait_state st1 running
    sleep 0.3
    run_berth stats --no-stream
    assert_output_matches '^ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET IO +BLOCK IO +PIDS +CPU TIME +AVG CPU %$'
    assert_output_contains st1
    run_berth stats --no-stream --format '{{.Name}} {{.PIDs}}' st1
    assert_output_matches '^st1 [23]$'
    run_berth stats --no-stream --format json st1
    assert_equal "$(json_get '[0]["Name"]')" st1
    [[ $(json_get '[0]["MemUsageRaw"]') -gt 0 ]]
}
