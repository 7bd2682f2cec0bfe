#!/usr/bin/env bats
# volume ls --noheading/--filter, volume create -o (tmpfs and bind volumes),
# volume export/import, volume mount/unmount (issue 12), as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
    berth_quiet volume rm -a -f >/dev/null 2>&1 || true
}

@test "volume ls --noheading and --filter name, label, driver, dangling" {
    run_berth volume create --label team=a v-a
    run_berth volume create --label team=b v-b
    run_berth volume create v-c
    run_berth create --name user-a -v v-a:/data "$IMAGE" true
    run_berth volume ls
    assert_output_matches '^DRIVER +VOLUME NAME$'
    run_berth volume ls --noheading
    assert_output_not_contains "DRIVER"
    assert_output_matches '^local +v-a$'
    assert_line_count 3
    run_berth volume ls -q --filter label=team
    assert_output_equals "$(printf 'v-a\nv-b')"
    run_berth volume ls -q --filter label=team=a
    assert_output_equals "v-a"
    run_berth volume ls -q -f name=v-b
    assert_output_equals "v-b"
    run_berth volume ls -q -f name=v-b -f name=v-c
    assert_output_equals "$(printf 'v-b\nv-c')"
    run_berth volume ls -q -f dangling=true
    assert_output_equals "$(printf 'v-b\nv-c')"
    run_berth volume ls -q -f dangling=false
    assert_output_equals "v-a"
    run_berth volume ls -q -f driver=local
    assert_line_count 3
    run_berth volume ls --noheading --filter label=team=b
    assert_output_matches '^local +v-b$'
    assert_line_count 1
    run_berth --exit 125 volume ls -f bogus=1
    assert_output_contains '"bogus" is an invalid volume filter'
    run_berth --exit 125 volume ls -f dangling=maybe
    assert_output_contains '"maybe" is not a valid value for the "dangling" filter - must be true or false'
}

# bats test_tags=berth-only
@test "volume exists: 0 for a volume, 1 for none" {
    run_berth volume create vex
    run_berth volume exists vex
    assert_output_equals ""
    run_berth --exit 1 volume exists vex-none
    assert_output_equals ""
    run_berth volume rm vex
    run_berth --exit 1 volume exists vex
}

# berth-only: Podman 4.3.1 lists a volume that matches any one of the filters of different keys; berth requires all of them, as Docker does and as berth's ps does.
# bats test_tags=berth-only
@test "volume ls: filters of different keys must all match" {
    # berth-only: Podman 4.3.1 lists a volume that matches any filter; Podman 5 wants all keys to match.
    run_berth volume create --label team=a both
    run_berth volume create --label team=a onlylabel
    run_berth volume ls -q -f label=team=a -f name=both
    assert_output_equals both
}

@test "volume create -o type=tmpfs mounts a tmpfs with its options while a container uses it" {
    run_berth volume create -o type=tmpfs -o device=tmpfs -o o=nr_inodes=100,mode=0700 tv
    run_berth volume inspect tv
    assert_equal "$(json_get '[0]["Options"]["type"]')" tmpfs
    assert_equal "$(json_get '[0]["Options"]["device"]')" tmpfs
    assert_equal "$(json_get '[0]["Options"]["o"]')" "nr_inodes=100,mode=0700"
    run_berth run --rm -v tv:/d "$IMAGE" sh -c 'grep " /d " /proc/mounts; stat -c %a /d; echo x >/d/f'
    assert_output_matches '^tmpfs /d tmpfs .*nr_inodes=100'
    assert_output_contains "700"
    # the tmpfs went away with its last user: a new one starts empty
    run_berth run --rm -v tv:/d "$IMAGE" ls -A /d
    assert_output_equals ""
}

@test "volume create -o type=bind,device=DIR shows the host directory" {
    local dir=$BATS_TEST_TMPDIR/bound
    mkdir -p "$dir"
    echo on-host >"$dir/hostfile"
    chmod 0777 "$dir"
    run_berth volume create -o type=bind -o o=bind -o device="$dir" bv
    run_berth volume inspect --format '{{.Name}}' bv
    assert_output_equals bv
    run_berth run --rm -v bv:/d "$IMAGE" cat /d/hostfile
    assert_output_equals on-host
}

@test "volume create -o mistakes exit 125 and name the option" {
    run_berth --exit 125 volume create -o bogus=1 vbad
    assert_output_contains "invalid mount option bogus for driver 'local'"
    run_berth --exit 125 volume create -o type=bind -o device=/nonexistent/dir vbad
    assert_output_contains "/nonexistent/dir"
    run_berth volume ls -q
    assert_output_equals ""
}

@test "volume export writes a tar of the contents; volume import reads it back, from a file or stdin" {
    local dir=$BATS_TEST_TMPDIR
    run_berth run --rm -v ve:/d "$IMAGE" sh -c 'mkdir /d/sub; echo hi >/d/sub/f; echo top >/d/t'
    run_berth volume export ve -o "$dir/ve.tar"
    run tar -tf "$dir/ve.tar"
    [[ $(sort <<<"$output") == "$(printf 'sub/\nsub/f\nt')" ]]
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS volume export ve | tar -tf - | sort"
    [[ $status -eq 0 ]]
    assert_output_equals "$(printf 'sub/\nsub/f\nt')"
    run_berth volume create vi
    run_berth volume import vi "$dir/ve.tar"
    assert_output_equals ""
    run_berth run --rm -v vi:/d "$IMAGE" cat /d/sub/f /d/t
    assert_output_equals "$(printf 'hi\ntop')"
    run_berth volume create vs
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS volume import vs - <'$dir/ve.tar'"
    [[ $status -eq 0 ]]
    run_berth run --rm -v vs:/d "$IMAGE" cat /d/sub/f
    assert_output_equals hi
    run_berth --exit 125 volume export nosuchvol -o "$dir/x.tar"
    assert_output_contains "nosuchvol"
    run_berth --exit 125 volume import nosuchvol "$dir/ve.tar"
    assert_output_contains "nosuchvol"
    run_berth --exit 125 volume import vi "$dir/nosuchfile.tar"
    assert_output_contains "nosuchfile.tar"
}

@test "volume mount prints the mount point (rootless: inside unshare); volume unmount" {
    run_berth run --rm -v vm:/d "$IMAGE" sh -c 'echo mounted >/d/file'
    run_berth volume inspect --format '{{.Mountpoint}}' vm
    local mountpoint=$output
    if is_rootless; then
        run_berth --exit 125 volume mount vm
        assert_output_contains "in rootless mode, must execute"
        run_berth unshare "$BERTH" $BERTH_GLOBAL_OPTS volume mount vm
        assert_output_equals "$mountpoint"
        run_berth unshare cat "$mountpoint/file"
        assert_output_equals mounted
    else
        run_berth volume mount vm
        assert_output_equals "$mountpoint"
        [[ $(cat "$mountpoint/file") == mounted ]]
    fi
    run_berth volume unmount vm
    assert_output_equals vm
    if ! is_rootless; then
        run_berth --exit 125 volume mount nosuchvol
        assert_output_contains "nosuchvol"
    fi
}

# bats test_tags=berth-only
@test "a tmpfs volume is not left mounted when a container's start fails" {
    # berth-only: reads berth's mount table (berth_mounts).
    run_berth volume create -o type=tmpfs -o device=tmpfs tfail
    run_berth volume inspect --format '{{.Mountpoint}}' tfail
    local mountpoint=$output
    # the command does not exist: the start fails in the container
    run_berth --exit 127 run -v tfail:/d "$IMAGE" /no/such/command
    run berth_mounts
    [[ $output != *" $mountpoint "* ]]
    # a bind source gone by the start: the start fails before the container exists
    local dir=$BATS_TEST_TMPDIR/gone
    mkdir -p "$dir"
    run_berth create --name tgone -v tfail:/d -v "$dir:/b" "$IMAGE" true
    rmdir "$dir"
    run_berth --exit 125 start tgone
    run berth_mounts
    [[ $output != *" $mountpoint "* ]]
    # a container that does run mounts it as before, and it goes with the container
    run_berth run --rm -v tfail:/d "$IMAGE" sh -c 'grep -c " /d tmpfs " /proc/mounts'
    assert_output_equals 1
    run berth_mounts
    [[ $output != *" $mountpoint "* ]]
}

# bats test_tags=berth-only
@test "volume mount of a tmpfs volume mounts it until volume unmount" {
    # berth-only: reads berth's mount table (berth_mounts).
    run_berth volume create -o type=tmpfs tmv
    run_berth volume inspect --format '{{.Mountpoint}}' tmv
    local mountpoint=$output
    if is_rootless; then
        run_berth unshare "$BERTH" $BERTH_GLOBAL_OPTS volume mount tmv
    else
        run_berth volume mount tmv
    fi
    run berth_mounts
    [[ $output == *" $mountpoint "* ]]
    run_berth volume unmount tmv
    run berth_mounts
    [[ $output != *" $mountpoint "* ]]
}

@test "-v SRC:DST:O is an overlay: the container's writes never reach the source and are gone at the next start" {
    local src=$BATS_TEST_TMPDIR/ovl-src
    mkdir -p "$src"
    echo original >"$src/f"
    run_berth run --rm -v "$src:/data:O" "$IMAGE" sh -c 'echo changed >/data/f; echo new >/data/new; rm -f /data/gone; cat /data/f /data/new'
    assert_output_equals "$(printf 'changed\nnew')"
    # The host's directory is untouched.
    [[ $(cat "$src/f") == original ]]
    [[ ! -e $src/new ]]
    # A second start of one container sees the source as it is, not the last run's changes.
    run_berth create --name ovl -v "$src:/data:O" "$IMAGE" sh -c 'cat /data/f; ls /data; echo again >/data/f'
    run_berth start -a ovl
    assert_output_equals "$(printf 'original\nf')"
    run_berth start -a ovl
    assert_output_equals "$(printf 'original\nf')"
    [[ $(cat "$src/f") == original ]]
    # A named volume under :O keeps its content too.
    run_berth volume create ovl-vol
    run_berth run --rm -v ovl-vol:/data:O "$IMAGE" sh -c 'echo x >/data/x; ls /data'
    assert_output_equals "x"
    run_berth run --rm -v ovl-vol:/data "$IMAGE" ls -A /data
    assert_output_equals ""
}

@test "-v SRC:DST:O with another option than U, z or Z is refused, as Podman does" {
    run_berth --exit 125 run --rm -v "$BATS_TEST_TMPDIR:/data:O,ro" "$IMAGE" true
    assert_output_contains "can't use 'O' with other options"
}
