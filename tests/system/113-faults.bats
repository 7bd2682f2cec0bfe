#!/usr/bin/env bats
# Faults around berth (issue 10): a full disk under the store, a store berth
# cannot write, a runtime directory that vanished, a stale pause-process pid
# file, a full /dev/shm. Each must end in a one-line error that names the path
# and the fix (or in a silent recovery where that is right), never in a hang,
# and leave a store whose later commands work.
#
# The full disk is a small tmpfs as the store's --root. As root it is mounted
# on the host; rootless it is mounted with `berth unshare` inside berth's own
# user and mount namespace, where every rootless berth command of that store
# runs, so the rootless user's store really lives on the small filesystem.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown_file() {
    local dir
    for dir in "$BERTH_TEST_ROOT"/full*/data; do
        [[ -d $dir ]] || continue
        is_rootless || umount -l "$dir" 2>/dev/null || true
    done
    berth_teardown_file
}

# ---------------------------------------------------------------- small stores

# small_store NAME SIZE: a store on a SIZE tmpfs; sets SMALL (its global options) and SMALL_DIR.
small_store() {
    SMALL_DIR=$BERTH_TEST_ROOT/$1/data
    SMALL=$(extra_store "$1")
    mkdir -p "$SMALL_DIR" "$BERTH_TEST_ROOT/$1/run"
    if is_rootless; then
        timeout 60 "$BERTH" $SMALL unshare mount -t tmpfs -o "size=$2" tmpfs "$SMALL_DIR"
    else
        mount -t tmpfs -o "size=$2" tmpfs "$SMALL_DIR"
    fi
}

# in_small COMMAND...: run a host command where the small store is mounted.
in_small() {
    if is_rootless; then
        timeout 60 "$BERTH" $SMALL unshare "$@"
    else
        "$@"
    fi
}

resize_small() {  # resize_small SIZE: "free space" by growing the filesystem
    in_small mount -o "remount,size=$1" "$SMALL_DIR"
}

# run_small [--exit N] ARGS...: run_berth on the small store.
run_small() {
    BERTH_GLOBAL_OPTS=$SMALL run_berth "$@"
}

# No temporary file of the store (src/store names them .tmp-*) is left.
assert_no_temp_files() {
    local left
    left=$(in_small find "$SMALL_DIR" -name '.tmp-*')
    [[ -z $left ]] || { echo "temporary files left: $left" >&2; return 1; }
}

# The error is one line that says the disk is full.
assert_disk_full_error() {
    assert_equal "$status" 125 "exit status"
    assert_output_matches '[Nn]o space left on device'
    assert_line_count 1
}

# A gzip'd image of N MB of random bytes in the registry; prints its reference.
push_big_image() {  # push_big_image MB
    local ref=$REGISTRY_OPEN/faults-big-$(id -u):latest
    head -c "$(($1 * 1024 * 1024))" /dev/urandom >"$BERTH_TEST_ROOT/random.bin"
    tar -C "$BERTH_TEST_ROOT" -cf "$BERTH_TEST_ROOT/big.tar" random.bin
    berth_quiet import "$BERTH_TEST_ROOT/big.tar" "$ref" >/dev/null
    berth_quiet push --tls-verify=false "$ref" >/dev/null 2>&1
    rm -f "$BERTH_TEST_ROOT/random.bin" "$BERTH_TEST_ROOT/big.tar"
    echo "$ref"
}

# ---------------------------------------------------------------- disk full

# bats test_tags=berth-only
@test "disk full: a pull bigger than the space fails in one line, the store stays usable, and it succeeds once there is room" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    local big
    big=$(push_big_image 8)
    small_store full-pull 6m
    run_small pull -q "$IMAGE"
    run_small --exit '?' pull -q "$big"
    assert_disk_full_error
    assert_no_temp_files
    run_small images --format '{{.Repository}}'
    assert_output_equals "$REGISTRY_OPEN/busybox"
    run_small run --rm "$IMAGE" echo still-works
    assert_output_equals still-works

    resize_small 40m
    run_small pull -q "$big"
    run_small images --format '{{.Repository}}'
    assert_output_contains "faults-big"
    assert_no_temp_files
}

# bats test_tags=berth-only
@test "disk full: a container that fills the disk fails itself, and berth records its exit" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    small_store full-run 8m
    run_small pull -q "$IMAGE"
    run_small --exit 1 run --name filler "$IMAGE" dd if=/dev/zero of=/fill bs=64k
    assert_output_contains "No space left on device"
    assert_output_not_contains "WARN"
    run_small inspect --format '{{.State.Status}} {{.State.ExitCode}}' filler
    assert_output_equals "exited 1"
    run_small ps -a --format '{{.Names}} {{.Status}}'
    assert_output_matches '^filler Exited \(1\)'

    # berth's own write on the full disk: one line, and nothing half-made
    head -c $((1024 * 1024)) /dev/urandom >"$BERTH_TEST_ROOT/random.bin"
    tar -C "$BERTH_TEST_ROOT" -cf "$BERTH_TEST_ROOT/full-run.tar" random.bin
    run_small --exit '?' import "$BERTH_TEST_ROOT/full-run.tar" fullimport
    assert_disk_full_error
    assert_no_temp_files
    run_small images --format '{{.Repository}}'
    assert_output_equals "$REGISTRY_OPEN/busybox"

    run_small rm filler
    run_small import "$BERTH_TEST_ROOT/full-run.tar" fullimport
    run_small volume create fullvol
    run_small run --rm -v fullvol:/v "$IMAGE" sh -c 'echo ok >/v/f && cat /v/f'
    assert_output_equals ok
    assert_no_temp_files
}

# bats test_tags=berth-only
@test "disk full: a log that fills the disk neither crashes nor spins the monitor, and the exit is recorded" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    small_store full-log 8m
    run_small pull -q "$IMAGE"
    run_small run -d --name logger --log-driver k8s-file "$IMAGE" \
        sh -c 'i=0; while [ $i -lt 200 ]; do head -c 65536 /dev/zero | tr "\0" x; echo; i=$((i+1)); done; exit 3'
    BERTH_TIMEOUT=60 run_small wait logger
    assert_output_equals 3
    run_small inspect --format '{{.State.Status}} {{.State.ExitCode}}' logger
    assert_output_equals "exited 3"
    # the monitor went away with its container
    assert_no_process "berth-monitor .*$SMALL_DIR" 5
    run_small rm logger
    run_small run --rm "$IMAGE" echo room-again
    assert_output_equals room-again
}

# bats test_tags=berth-only
@test "disk full: volume writes fill the disk, the volume and the store stay usable" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    small_store full-vol 8m
    run_small pull -q "$IMAGE"
    run_small volume create data
    run_small --exit 1 run --rm -v data:/data "$IMAGE" dd if=/dev/zero of=/data/fill bs=64k
    assert_output_contains "No space left on device"
    run_small volume ls -q
    assert_output_equals data
    run_small ps -a -q
    assert_output_equals ""
    run_small run --rm -v data:/data "$IMAGE" rm /data/fill
    run_small run --rm -v data:/data "$IMAGE" sh -c 'echo fine >/data/f && cat /data/f'
    assert_output_equals fine
    run_small volume rm data
    assert_no_temp_files
}

# ---------------------------------------------------------------- unwritable stores

# bats test_tags=berth-only
@test "a read-only store: commands that write fail in one line naming the path, reads work" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    if is_rootless; then
        # a directory the user cannot write and that berth's namespace cannot either (owned by root)
        BERTH_GLOBAL_OPTS="--root /var/lib/berth-faults-nope/data --runroot $BERTH_TEST_ROOT/ro-run" \
            run_berth --exit 125 images
        assert_output_contains "/var/lib/berth-faults-nope"
        assert_line_count 1
        return
    fi
    local ro=$BERTH_TEST_ROOT/ro
    mkdir -p "$ro/data" "$ro/run"
    BERTH_GLOBAL_OPTS="$(extra_store ro)" berth_quiet pull -q "$IMAGE" >/dev/null
    mount --bind "$ro/data" "$ro/data"
    mount -o remount,bind,ro "$ro/data"
    BERTH_GLOBAL_OPTS="$(extra_store ro)" run_berth --exit '?' pull -q "$REGISTRY_OPEN/busybox-extra:latest"
    local pull_status=$status pull_output=$output
    BERTH_GLOBAL_OPTS="$(extra_store ro)" run_berth --exit '?' images --format '{{.Repository}}'
    local images_status=$status images_output=$output
    umount "$ro/data"
    status=$pull_status output=$pull_output
    assert_equal "$status" 125 "exit status of pull"
    assert_output_contains "$ro/data"
    assert_output_matches '[Rr]ead-only'
    [[ $(wc -l <<<"$output") -eq 1 ]]
    assert_equal "$images_status" 0 "exit status of images"
    assert_equal "$images_output" "$REGISTRY_OPEN/busybox" "images"
}

# bats test_tags=berth-only
@test "a foreign-owned store: a clear error naming the directory, no hang" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    skip_if_root "root may use any directory as its store"
    # /var/tmp/berth-fixtures belongs to root; the test user may read it, not write it
    BERTH_GLOBAL_OPTS="--root $BERTH_FIXTURES/oci --runroot $BERTH_TEST_ROOT/foreign-run" run_berth --exit 125 images
    assert_output_contains "$BERTH_FIXTURES/oci"
    assert_line_count 1
}

# ---------------------------------------------------------------- runtime state

# bats test_tags=berth-only
@test "XDG_RUNTIME_DIR vanished after a logout: berth falls back and keeps working" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    skip_if_root "root keeps its runtime state in /run/berth"
    local xdg=$BERTH_TEST_ROOT/xdg
    mkdir -m 0700 "$xdg"
    local opts="--root $BERTH_TEST_ROOT/data"
    XDG_RUNTIME_DIR=$xdg run timeout 60 "$BERTH" $opts run --rm "$IMAGE" echo first
    assert_equal "$status" 0 "first run"
    # a logout ends the user's processes and removes the directory
    local pause
    pause=$(find "$xdg" -name pause.pid -exec cut -d' ' -f1 {} \; 2>/dev/null | head -n1)
    [[ -n $pause ]] && kill -9 "$pause" 2>/dev/null
    rm -rf "$xdg"
    XDG_RUNTIME_DIR=$xdg run timeout 60 "$BERTH" $opts run --rm "$IMAGE" echo second
    echo "$output" >&2
    assert_equal "$status" 0 "run after XDG_RUNTIME_DIR vanished"
    assert_output_equals second
    [[ ! -e $xdg ]]
}

# bats test_tags=berth-only
@test "a stale pause-process pid file (dead or unrelated pid) is replaced, not joined" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    skip_if_root "only rootless berth has a pause process"
    local pidfile=$BERTH_TEST_ROOT/run/pause.pid
    run_berth run --rm "$IMAGE" true
    [[ -s $pidfile ]]
    # a dead pid
    local dead
    dead=$(sh -c 'echo $$')
    echo "$dead 12345" >"$pidfile"
    run_berth run --rm "$IMAGE" echo after-dead
    assert_output_equals after-dead
    [[ $(cut -d' ' -f1 "$pidfile") != "$dead" ]]
    # a live process of the same user that is not a pause process
    sleep 1000 &
    local unrelated=$!
    echo "$unrelated" >"$pidfile"
    run_berth run --rm "$IMAGE" echo after-unrelated
    local st=$status out=$output
    kill -0 "$unrelated"
    kill "$unrelated"
    status=$st output=$out
    assert_output_equals after-unrelated
    [[ $(cut -d' ' -f1 "$pidfile") != "$unrelated" ]]
    berth_mounts >/dev/null
}

# bats test_tags=berth-only
@test "a full /dev/shm on the host: berth neither hangs nor crashes" {
    # berth-only: fault injection into berth's store, runtime directory and pause process; asserts berth's own errors and recovery.
    skip_if_rootless "filling the host's /dev/shm needs a private mount namespace, which only root can make without berth's own"
    run timeout 120 unshare -m --propagation private sh -c '
        mount -t tmpfs -o size=64k tmpfs /dev/shm &&
        { dd if=/dev/zero of=/dev/shm/fill bs=4k 2>/dev/null; true; } &&
        "$BERTH" $BERTH_GLOBAL_OPTS run --rm "$0" sh -c "echo x >/dev/shm/y && cat /dev/shm/y"' "$IMAGE"
    echo "$output" >&2
    assert_equal "$status" 0 "exit status"
    assert_output_equals x
}
