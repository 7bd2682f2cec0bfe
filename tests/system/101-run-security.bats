#!/usr/bin/env bats
# berth run's security flags and its defences against hostile images, as root
# and rootless: --privileged, --security-opt seccomp=/mask=/unmask=, the tty's
# window size, fds passed to the container, images and flags whose paths are
# symlinks out of the rootfs, and --runtime runc giving the same results.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# host_caps: the capability set every capability is in (the host's bounding set).
host_caps() {
    awk '/^CapBnd:/ { print $2 }' /proc/self/status
}

# bats test_tags=berth-only
@test "--privileged: every capability, no seccomp, masked and read-only paths open" {
    # berth-only: differs from Podman 4.3.1, which does not mask /proc/interrupts (berth masks it, as newer Podman does).
    run_berth run --rm --privileged "$IMAGE" grep -E '^(CapEff|CapBnd|Seccomp):' /proc/self/status
    assert_output_matches '^Seccomp:[[:space:]]+0$'
    # Every capability berth may pass on: the effective set is the bounding set.
    local eff bnd
    eff=$(awk '/^CapEff:/ { print $2 }' <<<"$output")
    bnd=$(awk '/^CapBnd:/ { print $2 }' <<<"$output")
    assert_equal "$eff" "$bnd" "CapEff of a privileged container"
    is_rootless || assert_equal "$eff" "$(host_caps)" "CapEff of a privileged container"
    [[ $eff != 00000000800405fb ]]
    # /proc/interrupts is masked by default (empty), readable when privileged.
    run_berth run --rm "$IMAGE" sh -c 'wc -c </proc/interrupts'
    assert_output_equals "0"
    run_berth run --rm --privileged "$IMAGE" sh -c 'wc -c </proc/interrupts'
    [[ $output -gt 0 ]]
    run_berth run --rm --privileged "$IMAGE" sh -c 'grep " /proc/sys " /proc/mounts || echo none'
    assert_output_equals "none"
}

@test "--security-opt seccomp=PROFILE.json applies the profile, seccomp=unconfined none" {
    local profile=$BATS_TEST_TMPDIR/deny-mkdir.json
    cat >"$profile" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
EOF
    chmod 0644 "$profile"
    chmod 0755 "$BATS_TEST_TMPDIR"
    run_berth --exit 1 run --rm --security-opt "seccomp=$profile" "$IMAGE" mkdir /tmp/denied
    assert_output_contains "Operation not permitted"
    run_berth run --rm --security-opt "seccomp=$profile" "$IMAGE" sh -c 'touch /tmp/file && grep Seccomp: /proc/self/status'
    assert_output_matches 'Seccomp:[[:space:]]+2'
    run_berth run --rm --security-opt seccomp=unconfined "$IMAGE" sh -c 'mkdir /tmp/made && grep Seccomp: /proc/self/status'
    assert_output_matches 'Seccomp:[[:space:]]+0'
    run_berth --exit 125 run --rm --security-opt seccomp=/no/such/profile.json "$IMAGE" true
    assert_output_contains "/no/such/profile.json"
}

@test "--security-opt mask= hides a path, unmask= opens one or ALL" {
    run_berth run --rm --security-opt mask=/etc/hostname "$IMAGE" sh -c 'wc -c </etc/hostname'
    assert_output_equals "0"
    run_berth run --rm --security-opt mask=/etc/hostname:/etc/hosts "$IMAGE" sh -c 'cat /etc/hostname /etc/hosts | wc -c'
    assert_output_equals "0"
    run_berth run --rm "$IMAGE" sh -c 'wc -c </etc/hostname'
    [[ $output -gt 0 ]]
    # (no /proc/kcore on this kernel: /proc/interrupts and /proc/timer_list stand in)
    run_berth run --rm --security-opt unmask=/proc/interrupts "$IMAGE" sh -c '[ $(wc -c </proc/interrupts) -gt 0 ] && echo open; wc -c </proc/timer_list'
    assert_output_equals "$(printf 'open\n0')"
    run_berth run --rm --security-opt unmask=ALL "$IMAGE" sh -c '[ $(wc -c </proc/interrupts) -gt 0 ] && echo open'
    assert_output_equals "open"
    run_berth run --rm --security-opt unmask=ALL "$IMAGE" sh -c 'grep -c " /proc/sys " /proc/mounts || true'
    assert_output_equals "0"
}

@test "-it: the container's terminal has the caller's window size" {
    command -v script >/dev/null || skip "script(1) is not installed"
    # stdin /dev/null: Podman ends an -it session that reads an early end of its input before the output arrives
    run script -qec "stty rows 33 cols 101; timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm -it $IMAGE busybox stty size" /dev/null </dev/null
    [[ $status -eq 0 ]]
    assert_output_contains "33 101"
    run script -qec "stty rows 17 cols 45; timeout --foreground $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm -t $IMAGE busybox stty size" /dev/null
    [[ $status -eq 0 ]]
    assert_output_contains "17 45"
}

@test "/proc/self/fd holds only 0, 1, 2, plus what --preserve-fds passes" {
    # bats itself keeps fd 3 (and more) open: none of them may reach the container.
        # (a second command keeps sh from exec'ing ls, whose own directory fd would show)
    run_berth run --rm "$IMAGE" sh -c 'ls /proc/$$/fd; true'
    assert_output_equals "$(printf '0\n1\n2')"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS run --rm --preserve-fds 2 $IMAGE sh -c 'ls /proc/\$\$/fd; cat <&4; true' 3</dev/null 4<<<passed 5</dev/null"
    [[ $status -eq 0 ]]
    assert_output_equals "$(printf '0\n1\n2\n3\n4\npassed')"
}

# ------------------------------------------------------------------ hostile images

# import_with NAME SETUP: imports the busybox rootfs, changed by the shell
# code SETUP (run in the unpacked tree), as localhost/NAME.
import_with() {
    local tree=$BATS_TEST_TMPDIR/tree-$1
    mkdir -p "$tree"
    tar -xf "$BERTH_FIXTURES/busybox-rootfs.tar" -C "$tree"
    (cd "$tree" && eval "$2")
    tar --owner=0 --group=0 -C "$tree" -cf "$BATS_TEST_TMPDIR/$1.tar" .
    run_berth import -q "$BATS_TEST_TMPDIR/$1.tar" "localhost/$1:latest"
}

# host_dir NAME: a directory on the host that the rootless user may write to.
host_dir() {
    local d=$BATS_TEST_TMPDIR/host-$1
    mkdir -p "$d"
    chmod 0777 "$d" "$BATS_TEST_TMPDIR"
    echo "$d"
}

# bats test_tags=berth-only
@test "an image whose /etc/passwd and /etc/group link to host files: the host's are never read" {
    # berth-only: Podman 4.3.1 refuses every run of this image, numeric -u too, failing on the symlinked passwd file.
    local host
    host=$(host_dir passwd)
    echo 'escaped:x:4242:4242::/:/bin/sh' >"$host/passwd"
    echo 'escgroup:x:4343:' >"$host/group"
    chmod 0644 "$host/passwd" "$host/group"
    import_with evilpasswd "rm -f etc/passwd etc/group && ln -s $host/passwd etc/passwd && ln -s $host/group etc/group"
    # (Podman 4.3.1 exits 126 here, as its runtime finds no such user; berth 125)
    run_berth --exit '?' run --rm -u escaped localhost/evilpasswd id
    assert_failed_with "escaped"
    assert_output_not_contains "4242"
    run_berth --exit '?' run --rm -u 0 --group-add escgroup localhost/evilpasswd id
    [[ $status -ne 0 ]]
    assert_output_not_contains "4343"
    # Numeric ids need no passwd file and still work.
    run_berth run --rm -u 7:8 localhost/evilpasswd id -u
    assert_output_equals "7"
}

# bats test_tags=berth-only
@test "an image whose /dev links to a host directory: nothing is created there" {
    # berth-only: Podman 4.3.1 with runc creates /dev's entries through the image's symlink, in the host directory.
    local host
    host=$(host_dir dev)
    import_with evildev "rm -rf dev && ln -s $host dev"
    run_berth --exit '?' run --rm localhost/evildev sh -c 'ls /dev/null /dev/pts >/dev/null && echo ok'
    run ls -A "$host"
    assert_output_equals ""
}

@test "-w and a volume target that link out of the rootfs stay inside it" {
    local wdir vdir src
    wdir=$(host_dir workdir)
    vdir=$(host_dir voltarget)
    src=$(host_dir volsource)
    echo TOPSECRET >"$vdir/secret"
    chmod 0644 "$vdir/secret"
    import_with evillinks "ln -s $wdir work && mkdir -p mnt && ln -s $vdir mnt/vol"
    run_berth --exit '?' run --rm -w /work localhost/evillinks sh -c 'touch created; pwd'
    run ls -A "$wdir"
    assert_output_equals ""
    run_berth --exit 1 run --rm localhost/evillinks cat /mnt/vol/secret
    assert_output_not_contains "TOPSECRET"
    run_berth --exit '?' run --rm -v "$src:/mnt/vol" localhost/evillinks sh -c 'touch /mnt/vol/new; ls /mnt/vol; cat /mnt/vol/* 2>/dev/null'
    assert_output_not_contains "TOPSECRET"
    run ls -A "$vdir"
    assert_output_equals "secret"
    [[ -e $src/new ]]
    run_berth --exit '?' run --rm -v "anonvol:/mnt/vol" localhost/evillinks sh -c 'cat /mnt/vol/* 2>/dev/null; true'
    assert_output_not_contains "TOPSECRET"
    run ls -A "$vdir"
    assert_output_equals "secret"
}

# ------------------------------------------------------------------ runc

# bats test_tags=berth-only
@test "--runtime runc gives the same results: output, exit codes, user, security defaults, mounts" {
    # berth-only: differs from Podman 4.3.1, which does not mask /proc/interrupts (berth masks it, as newer Podman does).
    command -v runc >/dev/null || skip "runc is not installed"
    local dir
    dir=$(host_dir runcbind)
    local n=0
    for rt in "" "--runtime runc"; do
        n=$((n + 1))
        run_berth run --rm $rt "$IMAGE" echo hi
        assert_output_equals "hi"
        run_berth --exit 3 run --rm $rt "$IMAGE" sh -c 'exit 3'
        # The uid the image lacks gets a passwd entry (named after it), as Podman gives it.
        run_berth run --rm $rt -u 1234:5678 "$IMAGE" id
        assert_output_contains "uid=1234(1234) gid=5678"
        run_berth run --rm $rt "$IMAGE" grep -E '^(CapEff|Seccomp|NoNewPrivs):' /proc/self/status
        assert_output_matches '^CapEff:[[:space:]]+00000000800405fb$'
        assert_output_matches '^Seccomp:[[:space:]]+2$'
        run_berth run --rm $rt "$IMAGE" sh -c 'wc -c </proc/interrupts; ls /proc/$$/fd; true'
        assert_output_equals "$(printf '0\n0\n1\n2')"
        run_berth run --rm $rt -v "$dir:/data" "$IMAGE" sh -c "echo x >/data/f-$n"
        run_berth run --rm $rt --security-opt mask=/etc/hostname "$IMAGE" sh -c 'wc -c </etc/hostname'
        assert_output_equals "0"
        run_berth run --rm $rt --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'head -c 5 /dev/myzero | wc -c'
        assert_output_equals "5"
    done
    [[ $(ls "$dir" | wc -l) -eq 2 ]]
}
