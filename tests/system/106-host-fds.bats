#!/usr/bin/env bats
# No descriptor of the caller's reaches a container process (the class of runc's
# CVE-2024-21626): berth is started with fds 3-12 open on a host directory, a
# host file and the host's /, and no process it starts in a container (run,
# exec, exec -d, healthchecks, with and without --preserve-fds) may see one of
# them, start in one as its working directory, or read through one. Messages are
# not checked, only exit codes and what the container could read.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    HOST=$(mktemp -d "$BERTH_TEST_ROOT/hostdir.XXXXXX")
    MARKER="host-secret-$RANDOM$RANDOM"
    echo "$MARKER" >"$HOST/secret"
    chmod 0755 "$HOST"
    chmod 0644 "$HOST/secret"
    export HOST MARKER
    start_sleeper fdc
}

teardown_file() {
    timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS rm -f -t 0 fdc >/dev/null 2>&1 || true
    berth_teardown_file
}

# with_host_fds ARGS...: berth ARGS, with fds 3-12 open on $HOST, $HOST/secret and /.
with_host_fds() {
    run timeout -k 10 "$BERTH_TIMEOUT" bash -c '
        exec 3<"$HOST" 4<"$HOST/secret" 5</ 6<"$HOST" 7<"$HOST/secret" 8</ 9<"$HOST" 10<"$HOST/secret" 11</ 12<"$HOST"
        exec "$@"' with_host_fds "$BERTH" $BERTH_GLOBAL_OPTS "$@"
    echo "\$ berth $* (fds 3-12 on host files)" >&2
    echo "$output" >&2
}

# A shell script for the container: the shell's own fds, a line "--", then
# every way through them to the marker. It uses no pipe and no redirection
# of a group: busybox sh would hold the pipe's fds, or its copies of the
# redirected ones (from fd 10 up), while ls lists them. (Nor `cat
# /proc/$$/fd/N` itself: reading such a copy of stdin blocks.)
PROBE='ls /proc/$$/fd; echo --
for n in 3 4 5 6 7 8 9 10 11 12; do
    cat /proc/$$/fd/$n/secret 2>/dev/null
    (cd /proc/$$/fd/$n 2>/dev/null && cat secret 2>/dev/null)
done; true'

assert_no_marker() {
    assert_output_not_contains "$MARKER"
}

# assert_fds LIST: the fds PROBE listed, space-separated, are LIST.
assert_fds() {
    local fds
    fds=$(sed -n '/^--$/q; p' <<<"$output" | tr '\n' ' ')
    assert_equal "$fds" "$1 " "the fds of the container's process"
}

@test "run: fds 3-12 of the caller do not reach the container, -w through them is refused" {
    with_host_fds run --rm "$IMAGE" sh -c "$PROBE"
    [[ $status -eq 0 ]]
    assert_no_marker
    assert_fds "0 1 2"
    local n
    for n in 3 4 5 9 12; do
        with_host_fds run --rm -w /proc/self/fd/$n "$IMAGE" sh -c 'pwd; cat secret; ls'
        [[ $status -ne 0 ]]
        assert_no_marker
    done
}

@test "exec: fds 3-12 of the caller do not reach the process, -w through them is refused" {
    with_host_fds exec fdc sh -c "$PROBE"
    [[ $status -eq 0 ]]
    assert_no_marker
    assert_fds "0 1 2"
    local n
    for n in 3 4 5 6 9 11 12; do
        with_host_fds exec -w /proc/self/fd/$n fdc sh -c 'pwd; cat secret; cat ../../../../etc/hostname; ls'
        [[ $status -ne 0 ]]
        assert_no_marker
        with_host_fds exec -w /dev/fd/$n fdc sh -c 'pwd; cat secret'
        [[ $status -ne 0 ]]
        assert_no_marker
    done
    # The container's own /proc links that lead out of its root are refused too.
    run_berth --exit '?' exec -w /proc/1/cwd fdc pwd
    run_berth --exit '?' exec -w /proc/self/root fdc sh -c 'cat secret'
    assert_no_marker
    # An ordinary workdir still works.
    with_host_fds exec -w /etc fdc pwd
    [[ $status -eq 0 ]]
    assert_output_equals "/etc"
}

@test "exec -d: the detached process sees no fd of the caller and cannot start in one" {
    with_host_fds exec -d fdc sh -c "exec >/tmp/probe-d 2>&1; $PROBE"
    [[ $status -eq 0 ]]
    run_berth exec fdc sh -c 'for i in $(seq 1 50); do [ -s /tmp/probe-d ] && cat /tmp/probe-d && exit 0; sleep 0.1; done; exit 1'
    assert_no_marker
    assert_fds "0 1 2"
    with_host_fds exec -d -w /proc/self/fd/9 fdc sh -c 'pwd >/tmp/pwd-d; cat secret >>/tmp/pwd-d'
    sleep 0.5
    run_berth exec fdc sh -c 'cat /tmp/pwd-d 2>/dev/null; true'
    assert_no_marker
    [[ $output == "" || $output == /* ]]
}

@test "healthcheck run: the health command sees no fd of the caller" {
    run_berth run -d --name fdhc --health-cmd "sh -c 'exec >/tmp/probe-hc 2>&1; $PROBE'" --health-interval 1h "$IMAGE" sleep 1000
    with_host_fds healthcheck run fdhc
    [[ $status -eq 0 ]]
    run_berth exec fdhc cat /tmp/probe-hc
    assert_no_marker
    assert_fds "0 1 2"
    run_berth rm -f -t 0 fdhc
}

@test "--preserve-fds passes only the fds it names, and -w cannot go through them" {
    with_host_fds run --rm --preserve-fds 2 "$IMAGE" sh -c 'ls /proc/$$/fd; echo --; cat /proc/$$/fd/4'
    [[ $status -eq 0 ]]
    # fd 4 is $HOST/secret, passed on purpose: its content is readable, nothing beyond 4 is open.
    assert_fds "0 1 2 3 4"
    assert_output_contains "$MARKER"
    with_host_fds exec --preserve-fds 2 fdc sh -c 'ls /proc/$$/fd; echo --'
    [[ $status -eq 0 ]]
    assert_fds "0 1 2 3 4"
    # A preserved fd on a host directory is a descriptor, never a way to start outside the root.
    with_host_fds exec --preserve-fds 2 -w /proc/self/fd/3 fdc sh -c 'pwd; cat secret'
    [[ $status -ne 0 ]]
    assert_no_marker
    with_host_fds run --rm --preserve-fds 2 -w /proc/self/fd/3 "$IMAGE" sh -c 'pwd; cat secret'
    [[ $status -ne 0 ]]
    assert_no_marker
}
