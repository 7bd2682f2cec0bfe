#!/usr/bin/env bats
# berth exec: output, exit codes, stdin, tty, user, workdir, environment, the
# container's security setup and pid namespace, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    start_sleeper ex
}

teardown_file() {
    local name
    for name in ex ex2 ex3; do
        timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS rm -f "$name" >/dev/null 2>&1 || true
    done
    berth_teardown_file
}

@test "exec echo prints its output" {
    run_berth exec ex echo hello from exec
    assert_output_equals "hello from exec"
}

@test "exec propagates the exit code, 127 for a missing command, 126 for a non-executable one" {
    run_berth --exit 3 exec ex sh -c 'exit 3'
    run_berth --exit 127 exec ex /no/such/command
    assert_output_contains "/no/such/command"
    run_berth --exit 127 exec ex nosuchcommand
    assert_output_contains "not found"
    run_berth --exit 126 exec ex /etc/passwd
    run_berth --exit 125 exec no-such-container true
    # No command: Podman 4.3.1 exits 255 here, berth 125; both say why.
    run_berth --exit '?' exec ex
    assert_failed_with "command"
}

# bats test_tags=berth-only
@test "exec forwards the signals berth gets to the process, once each" {
    # berth-only: differs from Podman 4.3.1, whose exec does not forward the signals it gets to the process; berth's does, as its run does.
    assert_signals_forwarded exec ex
}

@test "exec into a stopped container is a clear error with exit 125" {
    run_berth run --name ex2 "$IMAGE" true
    # (Podman 4.3.1 exits 255 here, berth 125 as Podman's other errors.)
    run_berth --exit '?' exec ex2 true
    [[ $status -ne 0 ]]
    assert_output_matches '^Error: .*can only create exec sessions on running containers'
    assert_line_count 1
    run_berth rm ex2
}

@test "exec -i passes stdin; without -i stdin is empty" {
    run bash -c "echo piped | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS exec -i ex cat"
    [[ $status -eq 0 ]]
    assert_output_equals "piped"
    run bash -c "echo piped | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS exec ex cat"
    [[ $status -eq 0 ]]
    assert_output_equals ""
}

@test "exec -t gets a pty from the container's /dev/pts; without -t no tty" {
    run_berth exec ex sh -c '[ -t 0 ] || [ -t 1 ] && echo tty || echo "not a tty"'
    assert_output_equals "not a tty"
    run script -qec "timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS exec -t ex sh -c 'p=\$(readlink /proc/self/fd/0); echo \$p; [ -c \$p ] && echo exists; [ -t 1 ] && echo istty; echo \$TERM'" /dev/null
    echo "$output" >&2
    [[ $status -eq 0 ]]
    assert_output_matches '^/dev/pts/[0-9]+'
    assert_output_contains "exists"
    assert_output_contains "istty"
    assert_output_contains "xterm"
    # the exit code comes through the pty too
    run script -qec "timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS exec -t ex sh -c 'exit 7'" /dev/null
    [[ $status -eq 7 ]]
}

@test "exec -it relays typed input through the tty and returns the exit code" {
    command -v script >/dev/null || skip "script(1) is not installed"
    # script gives berth a terminal; the shell in the container reads the lines from it
    run bash -c "printf 'tty\necho typed-\$((6*7))\nexit 9\n' | timeout -k 10 $BERTH_TIMEOUT script -qec '$BERTH $BERTH_GLOBAL_OPTS exec -it ex sh' /dev/null"
    echo "$output" >&2
    [[ $status -eq 9 ]]
    assert_output_contains "typed-42"
    assert_output_matches '/dev/pts/[0-9]+'
    # the container keeps running after the exec session ends
    run_berth exec ex true
}

@test "exec -u, -w, -e, --env-file" {
    run_berth exec -u 1234:5678 ex id
    assert_output_contains "uid=1234"
    assert_output_contains "gid=5678"
    run_berth exec -u nobody ex id -un
    assert_output_equals "nobody"
    # (Podman 4.3.1 exits 255 here, berth 125 as Podman's other errors)
    run_berth --exit '?' exec -u nosuchuser ex id
    [[ $status -ne 0 ]]
    assert_output_contains "nosuchuser"
    run_berth exec -w /etc ex pwd
    assert_output_equals "/etc"
    # (Podman 4.3.1 with runc exits 127 here, taking runc's error for a missing command)
    run_berth --exit '?' exec -w /no/such/dir ex pwd
    assert_failed_with "/no/such/dir"
    local envfile=$BATS_TEST_TMPDIR/env
    printf 'FROMFILE=file\nBOTH=file\n' >"$envfile"
    run_berth exec -e FOO=bar -e BOTH=flag --env-file "$envfile" ex sh -c 'echo $FOO $FROMFILE $BOTH $PATH'
    assert_output_equals "bar file flag /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
}

@test "exec'd process has the container's capabilities, seccomp and no_new_privs" {
    run_berth exec ex grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/1/status
    local container=$output
    run_berth exec ex grep -E '^(CapEff|CapBnd|Seccomp|NoNewPrivs):' /proc/self/status
    assert_equal "$output" "$container" "exec'd process status vs the container's"
    assert_output_matches '^CapEff:[[:space:]]+00000000800405fb$'
    assert_output_matches '^Seccomp:[[:space:]]+2$'
    run_berth exec --privileged ex grep CapEff /proc/self/status
    assert_output_not_contains "00000000800405fb"
    # a container with no_new_privs set gives it to its exec'd processes too
    start_sleeper ex3 --security-opt no-new-privileges
    run_berth exec ex3 grep NoNewPrivs /proc/self/status
    assert_output_matches 'NoNewPrivs:[[:space:]]+1'
    run_berth rm -f ex3
}

@test "exec'd process is in the container's namespaces" {
    # The container's pid namespace: its command is PID 1 and the exec'd shell is
    # listed (its pid is small, but how small depends on the runtime's helpers).
    run_berth exec ex sh -c 'echo $$; ps'
    local pid=${lines[0]}
    (( pid > 1 ))
    assert_output_matches "^ *$pid .*sh -c"
    assert_output_matches '^ *1 .*sleep 1000'
    run_berth exec ex hostname
    local hostname=$output
    run_berth exec ex cat /etc/hostname
    assert_equal "$output" "$hostname"
    # the mount namespace: a file written by one exec is seen by the next
    run_berth exec ex sh -c 'echo marker >/tmp/exec-marker'
    run_berth exec ex cat /tmp/exec-marker
    assert_output_equals "marker"
    [[ ! -e /tmp/exec-marker ]]
}

@test "exec -d returns at once and the process runs in the container" {
    run_berth exec -d ex sh -c 'sleep 1; echo done >/tmp/detached'
    run_berth exec ex sh -c 'for i in $(seq 1 50); do [ -e /tmp/detached ] && cat /tmp/detached && exit 0; sleep 0.1; done; exit 1'
    assert_output_equals "done"
}

@test "exec --preserve-fds passes extra fds; others are closed" {
    run_berth exec ex ls /proc/self/fd
    assert_output_equals "$(printf '0\n1\n2\n3')"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS exec --preserve-fds 1 ex cat /proc/self/fd/3 3<<<'from fd 3'"
    [[ $status -eq 0 ]]
    assert_output_equals "from fd 3"
}
