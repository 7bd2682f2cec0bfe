#!/usr/bin/env bats
# What follows a healthcheck (Podman 4.3): --health-on-failure none|kill|stop|restart
# acting on a container that turned unhealthy, startup healthchecks
# (--health-startup-*) that run until they pass and then hand over to the
# regular check (or restart the container after --health-startup-retries
# failures), Podman's flag spellings, and ps showing a paused container as
# just "Paused". The monitor runs the checks every second; tests poll.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
# A container that exits 0 on SIGTERM (sleep as PID 1 would ignore it): `stop` is quick.
LOOP=(sh -c 'trap "exit 0" TERM; while :; do sleep 0.2; done')

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

remove() {
    run_berth rm -f -t 0 "$@"
}

# field NAME GOTEMPLATE: one inspect value, "" when the container is gone.
field() {
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS inspect --format "$2" "$1" 2>/dev/null || true
}

# wait_field NAME GOTEMPLATE VALUE [SECONDS]: poll until the inspect value is VALUE.
wait_field() {
    local i got=
    for ((i = 0; i < ${4:-15} * 5; i++)); do
        got=$(field "$1" "$2")
        [[ $got == "$3" ]] && return 0
        sleep 0.2
    done
    echo "$2 of $1 is '$got', expected '$3'" >&2
    return 1
}

# wait_change NAME GOTEMPLATE OLD [SECONDS]: poll until the inspect value is set and no longer OLD.
wait_change() {
    local i got=
    for ((i = 0; i < ${4:-15} * 5; i++)); do
        got=$(field "$1" "$2")
        [[ -n $got && $got != "$3" ]] && return 0
        sleep 0.2
    done
    echo "$2 of $1 stayed '$got'" >&2
    return 1
}

# bats test_tags=berth-only
@test "--health-on-failure=stop stops the container once it turns unhealthy" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hca-stop --health-cmd 'exit 1' --health-interval 1s --health-retries 2 \
        --health-on-failure stop "$IMAGE" "${LOOP[@]}"
    assert_equal "$(field hca-stop '{{.Config.HealthcheckOnFailureAction}}')" stop
    wait_field hca-stop '{{.State.Status}}' exited 20
    # Stopped with its stop signal (the shell's trap exits 0), not killed.
    assert_equal "$(field hca-stop '{{.State.ExitCode}}')" 0
    assert_equal "$(field hca-stop '{{.State.Health.Status}}')" unhealthy
    assert_equal "$(field hca-stop '{{.State.Health.FailingStreak}}')" 2
    run_berth events --stream=false --filter container=hca-stop --filter event=stop
    assert_output_contains "hca-stop"
    remove hca-stop
}

# bats test_tags=berth-only
@test "--health-on-failure=kill kills the container once it turns unhealthy" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hca-kill --health-cmd 'exit 1' --health-interval 1s --health-retries 1 \
        --health-on-failure kill "$IMAGE" "${LOOP[@]}"
    assert_equal "$(field hca-kill '{{.Config.HealthcheckOnFailureAction}}')" kill
    wait_field hca-kill '{{.State.Status}}' exited 20
    assert_equal "$(field hca-kill '{{.State.ExitCode}}')" 137 "SIGKILL"
    remove hca-kill
}

# bats test_tags=berth-only
@test "--health-on-failure=restart restarts the container, which keeps running" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    # /scratch is a new tmpfs at every start: the restart cures the container.
    run_berth run -d --name hca-restart --tmpfs /scratch --health-cmd 'test ! -e /scratch/bad' --health-interval 1s \
        --health-retries 1 --health-on-failure restart "$IMAGE" "${LOOP[@]}"
    assert_equal "$(field hca-restart '{{.Config.HealthcheckOnFailureAction}}')" restart
    wait_field hca-restart '{{.State.Health.Status}}' healthy
    local pid
    pid=$(field hca-restart '{{.State.Pid}}')
    assert_equal "$(field hca-restart '{{.RestartCount}}')" 0
    run_berth exec hca-restart touch /scratch/bad
    wait_field hca-restart '{{.RestartCount}}' 1 20
    wait_field hca-restart '{{.State.Health.Status}}' healthy
    assert_equal "$(field hca-restart '{{.State.Status}}')" running
    [[ $(field hca-restart '{{.State.Pid}}') != "$pid" ]] || { echo "same pid $pid after the restart" >&2; false; }
    run_berth exec hca-restart ls /scratch
    assert_output_equals ""
    run_berth events --stream=false --filter container=hca-restart --filter event=restart
    assert_output_contains "hca-restart"
    remove hca-restart
}

# bats test_tags=berth-only
@test "--health-on-failure=none (the default) leaves an unhealthy container running" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hca-none --health-cmd 'exit 1' --health-interval 1s --health-retries 1 "$IMAGE" "${LOOP[@]}"
    assert_equal "$(field hca-none '{{.Config.HealthcheckOnFailureAction}}')" none
    wait_field hca-none '{{.State.Health.Status}}' unhealthy
    sleep 1.5
    assert_equal "$(field hca-none '{{.State.Status}}')" running
    remove hca-none
}

# bats test_tags=berth-only
@test "a startup check runs alone until it passes, then the regular check takes over" {
    # berth-only: Podman 4.3.1 has no --health-startup-* flags.
    run_berth run -d --name hca-startup --health-cmd 'echo regular >>/tmp/log' --health-interval 1s \
        --health-startup-cmd 'echo startup >>/tmp/log; test -e /tmp/ready' --health-startup-interval 1s \
        --health-startup-success 2 "$IMAGE" "${LOOP[@]}"
    run_berth inspect hca-startup
    assert_equal "$(json_get '[0]["Config"]["StartupHealthCheck"]')" \
        '{"Interval":1000000000,"Retries":0,"Successes":2,"Test":["CMD-SHELL","echo startup >>/tmp/log; test -e /tmp/ready"],"Timeout":30000000000}'
    local i
    for ((i = 0; i < 50; i++)); do
        [[ $(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS exec hca-startup grep -c startup /tmp/log 2>/dev/null) -ge 2 ]] && break
        sleep 0.2
    done
    assert_equal "$(field hca-startup '{{.State.Health.Status}}')" starting "failing startup checks do not count"
    assert_equal "$(field hca-startup '{{.State.Health.FailingStreak}}')" 0
    run_berth exec hca-startup cat /tmp/log
    assert_output_not_contains regular
    run_berth exec hca-startup touch /tmp/ready
    # Two passes, then the regular check: its first line, and no startup line after it.
    for ((i = 0; i < 50; i++)); do
        timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS exec hca-startup grep -q regular /tmp/log 2>/dev/null && break
        sleep 0.2
    done
    sleep 2.2
    run_berth exec hca-startup sh -c 'tr "\n" " " </tmp/log'
    [[ $output =~ ^(startup\ )+(regular\ )+$ ]] || { echo "startup and regular checks mixed: $output" >&2; false; }
    [[ $output =~ startup\ startup\ regular ]] || { echo "handed over before two passes: $output" >&2; false; }
    [[ $output =~ regular\ regular ]] || { echo "the regular check did not continue: $output" >&2; false; }
    assert_equal "$(field hca-startup '{{.State.Health.Status}}')" healthy
    remove hca-startup
}

# bats test_tags=berth-only
@test "after the startup check passed the monitor ticks at the regular interval (here: none)" {
    # berth-only: Podman 4.3.1 has no --health-startup-* flags.
    run_berth run -d --name hca-handover --health-cmd 'echo regular >>/tmp/log' --health-interval disable \
        --health-startup-cmd 'echo startup >>/tmp/log' --health-startup-interval 1s "$IMAGE" "${LOOP[@]}"
    wait_field hca-handover '{{.State.Health.Status}}' healthy
    sleep 2.5
    run_berth exec hca-handover cat /tmp/log
    assert_output_equals startup "one startup check, then no automatic checks"
    run_berth healthcheck run hca-handover
    run_berth exec hca-handover cat /tmp/log
    assert_output_equals "$(printf 'startup\nregular')"
    remove hca-handover
}

# bats test_tags=berth-only
@test "a startup check that fails --health-startup-retries times restarts the container" {
    # berth-only: Podman 4.3.1 has no --health-startup-* flags.
    run_berth run -d --name hca-startfail --health-cmd true --health-interval 1s \
        --health-startup-cmd 'exit 1' --health-startup-interval 1s --health-startup-retries 2 "$IMAGE" "${LOOP[@]}"
    local pid
    pid=$(field hca-startfail '{{.State.Pid}}')
    wait_change hca-startfail '{{.State.Pid}}' "$pid" 20
    wait_field hca-startfail '{{.State.Status}}' running
    assert_equal "$(field hca-startfail '{{.State.Health.Status}}')" starting "the startup check never passes"
    remove hca-startfail
}

# bats test_tags=berth-only
@test "healthcheck run runs the startup check until it passed and prints starting when it fails" {
    # berth-only: Podman 4.3.1 has no --health-startup-* flags.
    run_berth run -d --name hca-manual --health-cmd 'exit 1' --health-interval disable --health-retries 1 \
        --health-startup-cmd 'test -e /tmp/ready' --health-startup-interval disable "$IMAGE" "${LOOP[@]}"
    run_berth --exit 1 healthcheck run hca-manual
    assert_output_equals starting
    assert_equal "$(field hca-manual '{{.State.Health.Status}}')" starting
    run_berth exec hca-manual touch /tmp/ready
    run_berth healthcheck run hca-manual
    assert_equal "$(field hca-manual '{{.State.Health.Status}}')" healthy
    run_berth --exit 1 healthcheck run hca-manual
    assert_output_equals unhealthy "now the regular check runs"
    assert_equal "$(field hca-manual '{{.State.Health.Status}}')" unhealthy
    remove hca-manual
}

# bats test_tags=berth-only
@test "bad --health-on-failure and startup flags are exit 125 naming the flag; nothing is created" {
    # berth-only: Podman 4.3.1 has no --health-startup-* flags.
    run_berth --exit 125 run -d --health-cmd true --health-on-failure reboot "$IMAGE" true
    assert_output_contains "--health-on-failure"
    assert_output_contains "none, kill, restart or stop"
    assert_line_count 1
    run_berth --exit 125 create --health-on-failure=STOP "$IMAGE" true
    assert_output_contains "--health-on-failure"
    run_berth --exit 125 create --health-cmd true --health-startup-cmd true --health-startup-interval 5 "$IMAGE" true
    assert_output_contains "--health-startup-interval"
    run_berth --exit 125 create --health-cmd true --health-startup-cmd true --health-startup-retries -1 "$IMAGE" true
    assert_output_contains "--health-startup-retries"
    run_berth --exit 125 create --health-startup-cmd true "$IMAGE" true
    assert_output_contains "no regular healthcheck"
    run_berth --exit 125 create --no-healthcheck --health-startup-cmd true "$IMAGE" true
    assert_output_contains "--health-startup-cmd"
    run_berth ps -a -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "--help lists Podman's --health-* spellings first, berth's --healthcheck-* as aliases" {
    # berth-only: the --help layout lists berth's own --healthcheck-* aliases.
    run_berth run --help
    assert_output_matches "--health-cmd,? *--healthcheck-cmd"
    assert_output_matches "--health-interval,? *--healthcheck-interval"
    assert_output_contains "--health-on-failure"
    assert_output_contains "--health-startup-success"
    run_berth create --name hca-alias --healthcheck-cmd true --healthcheck-retries 5 "$IMAGE" true
    assert_equal "$(field hca-alias '{{.Config.Healthcheck.Retries}}')" 5
    remove hca-alias
}

# bats test_tags=berth-only
@test "ps shows a paused container with a healthcheck as just Paused" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hca-pause --health-cmd true --health-interval 1s "$IMAGE" "${LOOP[@]}"
    wait_field hca-pause '{{.State.Health.Status}}' healthy
    run_berth ps --format '{{.Status}}' --filter name=hca-pause
    assert_output_matches "^Up .* \(healthy\)$"
    run_berth pause hca-pause
    run_berth ps --format '{{.Status}}' --filter name=hca-pause
    assert_output_equals "Paused"
    run_berth ps
    assert_output_matches " Paused +hca-pause$"
    run_berth unpause hca-pause
    run_berth ps --format '{{.Status}}' --filter name=hca-pause
    assert_output_matches "^Up .* \(healthy\)$"
    remove hca-pause
}
