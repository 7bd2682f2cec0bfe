#!/usr/bin/env bats
# berth run/create/start/rm and volumes: output, exit codes, stdin, tty,
# environment, user, mounts, security defaults, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

@test "run --rm echo prints hi" {
    run_berth run --rm "$IMAGE" echo hi
    assert_output_equals "hi"
    # --rm leaves nothing behind
    run_berth volume ls -q
}

@test "run propagates the exit code, 127 for a missing command, 126 for a non-executable one" {
    run_berth --exit 3 run --rm "$IMAGE" sh -c 'exit 3'
    run_berth --exit 127 run --rm "$IMAGE" /no/such/command
    run_berth --exit 126 run --rm "$IMAGE" /etc/passwd
    run_berth --exit 125 run --rm --pull never "$REGISTRY_OPEN/not-there:latest" true
    assert_output_contains "not-there"
}

@test "run -i pipes stdin through; without -i stdin is empty" {
    run bash -c "echo piped | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm -i $IMAGE cat"
    [[ $status -eq 0 ]]
    assert_output_equals "piped"
    run bash -c "echo piped | timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm $IMAGE cat"
    [[ $status -eq 0 ]]
    assert_output_equals ""
}

@test "run -e, --env-file, -w, --hostname, default hostname" {
    local envfile=$BATS_TEST_TMPDIR/env
    printf 'FROMFILE=file\n# comment\nBOTH=file\n' >"$envfile"
    run_berth run --rm -e FOO=bar -e BOTH=flag --env-file "$envfile" "$IMAGE" sh -c 'echo $FOO $FROMFILE $BOTH'
    assert_output_equals "bar file flag"
    run_berth run --rm -w /tmp "$IMAGE" pwd
    assert_output_equals "/tmp"
    run_berth run --rm --hostname box "$IMAGE" hostname
    assert_output_equals "box"
    run_berth run --name hosttest "$IMAGE" hostname
    local name=$output
    run_berth rm hosttest
    [[ ${#name} -eq 12 ]]
}

@test "run -u sets the user, --entrypoint replaces the command" {
    run_berth run --rm -u 1234:5678 "$IMAGE" id
    assert_output_contains "uid=1234"
    assert_output_contains "gid=5678"
    run_berth run --rm -u nobody "$IMAGE" id -un
    assert_output_equals "nobody"
    run_berth run --rm --entrypoint /bin/echo "$IMAGE" from entrypoint
    assert_output_equals "from entrypoint"
}

@test "security defaults: 11 capabilities, seccomp filter, no_new_privs on request, masked paths" {
    run_berth run --rm "$IMAGE" grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status
    assert_output_matches '^CapEff:[[:space:]]+00000000800405fb$'
    assert_output_matches '^Seccomp:[[:space:]]+2$'
    assert_output_matches '^NoNewPrivs:[[:space:]]+0$'
    run_berth run --rm --security-opt no-new-privileges "$IMAGE" grep NoNewPrivs /proc/self/status
    assert_output_matches 'NoNewPrivs:[[:space:]]+1'
    run_berth run --rm --security-opt seccomp=unconfined "$IMAGE" grep Seccomp: /proc/self/status
    assert_output_matches 'Seccomp:[[:space:]]+0'
    run_berth run --rm --cap-drop all "$IMAGE" grep CapEff /proc/self/status
    assert_output_matches 'CapEff:[[:space:]]+0000000000000000'
    # (this machine's kernel has no /proc/kcore or /proc/sysrq-trigger: /proc/keys and /proc/sys stand in)
    run_berth run --rm "$IMAGE" sh -c 'wc -c </proc/keys; (echo 1 >/proc/sys/kernel/ns_last_pid) 2>/dev/null && echo writable; true'
    assert_output_equals "0"
    run_berth run --rm "$IMAGE" ls /proc/self/fd
    assert_output_equals "$(printf '0\n1\n2\n3')"
}

@test "--network none has only loopback, --network host sees the host's interfaces" {
    run_berth run --rm --network none "$IMAGE" ls /sys/class/net
    assert_output_equals "lo"
    run_berth run --rm --network host "$IMAGE" ls /sys/class/net
    [[ $(wc -l <<<"$output") -ge 1 ]]
}

@test "create, start -a, rm" {
    run_berth create --name c1 "$IMAGE" sh -c 'echo started; exit 4'
    local id=$output
    [[ ${#id} -eq 64 ]]
    run_berth --exit 4 start -a c1
    assert_output_equals "started"
    run_berth --exit 4 start -a "${id:0:12}"
    run_berth --exit 125 create --name c1 "$IMAGE" true
    assert_output_contains "already in use"
    run_berth rm c1
    assert_output_equals "c1"
    run_berth --exit 1 rm c1
    assert_output_contains "no container with name or ID"
    run_berth rm -i c1
}

@test "an attached run forwards the signals berth gets to the container, once each" {
    assert_signals_forwarded run --rm "$IMAGE"
}

@test "run --sig-proxy=false: a signal ends berth, not the container, which runs on" {
    local out=$BATS_TEST_TMPDIR/sp.out pid status=0 i
    "$BERTH" $BERTH_GLOBAL_OPTS run --name sp --sig-proxy=false "$IMAGE" \
        sh -c 'trap "exit 43" TERM; echo ready; while :; do sleep 0.1; done' </dev/null >"$out" 2>&1 3>&- &
    pid=$!
    for i in $(seq 1 100); do
        grep -q ready "$out" && break
        sleep 0.1
    done
    grep -q ready "$out" || { kill -9 "$pid"; cat "$out" >&2; false; }
    kill -TERM "$pid"
    # berth ends (by the signal; Podman's handler exits 0), the container does not.
    (sleep 20; kill -9 "$pid" 2>/dev/null) 3>&- &
    local watchdog=$!
    wait "$pid" || status=$?
    kill "$watchdog" 2>/dev/null || true
    echo "berth ended with status $status"
    [[ $status -ne 137 ]] || { echo "FAIL: berth did not end on SIGTERM" >&2; false; }
    sleep 0.5
    run_berth inspect --format '{{.State.Status}}' sp
    assert_output_equals running
    run_berth rm -f -t 0 sp
    run_berth --exit 125 start --sig-proxy nosuch
    assert_output_contains "sig-proxy without --attach"
}

# assert_not_mounted ID: the container's rootfs is no mount in berth's mount
# namespace (rootless: its user+mount namespace, where the mount would be).
assert_not_mounted() {
    if berth_mounts | grep -F "/containers/$1/merged "; then
        echo "FAIL: the rootfs of $1 is still mounted" >&2
        return 1
    fi
}

# bats test_tags=berth-only
@test "a start that fails after mounting the rootfs unmounts it" {
    # berth-only: looks for berth's own rootfs mounts (through its pause process); Podman 4.3.1 also refuses an unknown --runtime at create, not at start.
    # The command is missing: the runtime fails after the rootfs was mounted.
    run_berth create --name nocmd "$IMAGE" /no/such/command
    local id=$output
    run_berth --exit 125 start nocmd
    assert_not_mounted "$id"
    run_berth --exit 125 start -a nocmd
    assert_not_mounted "$id"
    # The OCI runtime is not in PATH: refused after the rootfs was mounted.
    run_berth create --name noruntime --runtime no-such-runtime "$IMAGE" true
    local id2=$output
    run_berth --exit 125 start noruntime
    assert_output_contains "not found in PATH"
    assert_not_mounted "$id2"
    # A runtime that exits 1 (or cannot be executed): the container ran as far
    # as berth knows and its exit is recorded, detached or attached.
    run_berth create --name falseruntime --runtime /bin/false "$IMAGE" true
    local id3=$output
    run_berth --exit 1 start -a falseruntime
    assert_not_mounted "$id3"
    run_berth start falseruntime
    wait_state falseruntime exited
    # `container cleanup` may still be unmounting under the lock.
    local i
    for i in $(seq 1 50); do
        berth_mounts | grep -qF "/containers/$id3/merged " || break
        sleep 0.1
    done
    assert_not_mounted "$id3"
    run_berth rm nocmd noruntime falseruntime
}

@test "rm -f kills a running container" {
    # --init: sleep as PID 1 would ignore rm's SIGTERM and be killed only after
    # the 10 s stop timeout, with Podman's warning; berth-init forwards it.
    run_berth run -d --init --name sleeper "$IMAGE" sleep 1000
    run_berth --exit 2 rm sleeper
    assert_output_contains "running"
    run_berth rm -f sleeper
    assert_output_equals "sleeper"
    # without an init the same works, after the stop timeout and a warning
    run_berth run -d --name sleeper2 "$IMAGE" sleep 1000
    run_berth rm -f sleeper2
    [[ ${lines[-1]} == sleeper2 ]]
}

@test "-t gives the container a tty, -it relays input and the exit code" {
    command -v script >/dev/null || skip "script(1) is not installed"
    run script -qec "timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm -t $IMAGE sh -c 'test -t 0 && readlink /proc/self/fd/0'" /dev/null
    [[ $status -eq 0 ]]
    assert_output_contains "/dev/pts/"
    run bash -c "echo 'echo in-tty; exit 5' | script -qec '$BERTH $BERTH_GLOBAL_OPTS run --rm -it $IMAGE sh' /dev/null"
    [[ $status -eq 5 ]]
    assert_output_contains "in-tty"
    # FIXME: the busybox fixture has no stty, so the window size is not checked here.
}

@test "-v bind mounts, read-only, --tmpfs, --read-only" {
    local dir=$BATS_TEST_TMPDIR/bind
    mkdir -p "$dir"
    chmod 0777 "$dir" "$BATS_TEST_TMPDIR"
    echo hello >"$dir/file"
    run_berth run --rm -v "$dir:/data" "$IMAGE" cat /data/file
    assert_output_equals "hello"
    run_berth --exit 1 run --rm -v "$dir:/data:ro" "$IMAGE" touch /data/new
    [[ ! -e $dir/new ]]
    run_berth run --rm --tmpfs /scratch "$IMAGE" sh -c 'grep " /scratch " /proc/mounts'
    assert_output_contains "tmpfs"
    run_berth --exit 1 run --rm --read-only "$IMAGE" touch /newfile
    run_berth run --rm --read-only "$IMAGE" touch /tmp/ok
}

@test "named volumes: created on first use, survive the container, copy up image content" {
    run_berth run --rm -v vol1:/data "$IMAGE" sh -c 'echo kept >/data/f'
    run_berth run --rm -v vol1:/data "$IMAGE" cat /data/f
    assert_output_equals "kept"
    run_berth run --rm -v etcvol:/etc "$IMAGE" cat /etc/group
    assert_output_contains "root:x:0:"
    run_berth volume ls --format '{{.Name}}'
    assert_output_contains "vol1"
    run_berth volume inspect vol1
    assert_output_contains '"Name": "vol1"'
    run_berth volume create named
    assert_output_equals "named"
    run_berth --exit 125 volume create named
    run_berth volume rm named
    # In use by a running container: refused, unless forced, which removes the container.
    run_berth run -d --name volholder -v held:/data "$IMAGE" sleep 1000
    run_berth --exit 2 volume rm held
    assert_output_contains "held"
    run_berth --exit 125 volume rm -t 0 held
    assert_output_contains "--force"
    run_berth volume rm -f -t 0 held
    assert_output_equals "held"
    run_berth --exit 1 container exists volholder
    run_berth volume prune -f
    assert_output_contains "vol1"
    run_berth volume ls -q
    assert_output_equals ""
}

@test "volume rm -f removes exactly the containers that mount the volume" {
    run_berth run -d --name user1 -v shared:/data "$IMAGE" sleep 1000
    run_berth run -d --name user2 --mount type=volume,source=shared,target=/m "$IMAGE" sleep 1000
    # These merely name the volume: as an argument, in the environment, as another volume's path.
    run_berth run -d --name bystander1 "$IMAGE" sleep 1000 shared
    run_berth run -d --name bystander2 -e "X=shared" -e 'Y="shared"' "$IMAGE" sleep 1000
    run_berth run -d --name bystander3 -v other:/shared "$IMAGE" sleep 1000
    run_berth create --name bystander4 "$IMAGE" echo "shared:" "src=shared" "source=shared"
    run_berth volume rm -f -t 0 shared
    assert_output_equals "shared"
    run_berth ps -a --format '{{.Names}}'
    assert_output_not_contains "user1"
    assert_output_not_contains "user2"
    local b
    for b in bystander1 bystander2 bystander3 bystander4; do
        assert_output_contains "$b"
    done
    run_berth rm -f -t 0 bystander1 bystander2 bystander3 bystander4
    run_berth volume rm other
}

@test "volume prune and volume rm leave the volumes of existing containers alone, anonymous ones too" {
    run_berth volume create keep
    run_berth volume create idle
    run_berth create --name anonuser -v /data "$IMAGE" true
    run_berth container inspect --format '{{range .Mounts}}{{.Name}}{{end}}' anonuser
    local anon=$output
    [[ -n $anon ]]
    run_berth create --name keeper -v keep:/k "$IMAGE" true
    run_berth create --name namer "$IMAGE" echo idle "$anon"
    run_berth volume prune -f
    assert_output_equals "idle"
    run_berth volume ls -q
    assert_output_contains "$anon"
    assert_output_contains "keep"
    run_berth --exit 2 volume rm keep
    run_berth --exit 2 volume rm "$anon"
    run_berth rm anonuser keeper namer
    run_berth volume prune -f
    assert_output_contains "$anon"
    assert_output_contains "keep"
    run_berth volume ls -q
    assert_output_equals ""
}

@test "--ulimit, --cap-add" {
    run_berth run --rm --ulimit nofile=123:456 "$IMAGE" sh -c 'ulimit -n; ulimit -Hn'
    assert_output_equals "$(printf '123\n456')"
    run_berth run --rm --cap-add net_admin "$IMAGE" grep CapEff /proc/self/status
    assert_output_matches 'CapEff:[[:space:]]+00000000800415fb'
}

@test "--runtime runc gives the same results" {
    command -v runc >/dev/null || skip "runc is not installed"
    run_berth run --rm --runtime runc "$IMAGE" echo hi
    assert_output_equals "hi"
    run_berth --exit 3 run --rm --runtime runc "$IMAGE" sh -c 'exit 3'
    # runc once inherited the container's lock: stop and rm then waited forever.
    # And stop's SIGKILL once killed `runc run` and left the container running:
    # sleep as pid 1 ignores SIGTERM, so only the SIGKILL ends it.
    local secs=$((4000 + $(id -u) % 1000))  # this mode's own: the other mode runs this test at the same time
    run_berth run -d --name runc-d --runtime runc "$IMAGE" sleep "$secs"
    run_berth stop -t 1 runc-d
    run_berth rm runc-d
    assert_no_process "sleep $secs\$"
}
