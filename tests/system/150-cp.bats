#!/usr/bin/env bats
# berth cp (both directions, tar streams, -a, symlink sources resolved in the
# container, --userns=keep-id owners, a stopped container's volumes), export,
# diff, mount/unmount, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    start_sleeper cpc
}

teardown_file() {
    local name
    for name in cpc cps cpd cpm cpv cpk cpk0; do
        timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS rm -f "$name" >/dev/null 2>&1 || true
    done
    berth_teardown_file
}

@test "cp a file and a directory into a running container and back out" {
    local dir=$BATS_TEST_TMPDIR
    echo "file content" >"$dir/f.txt"
    mkdir -p "$dir/tree/sub"
    echo deep >"$dir/tree/sub/deep.txt"
    ln -s sub/deep.txt "$dir/tree/link"
    run_berth cp "$dir/f.txt" cpc:/tmp/
    run_berth exec cpc cat /tmp/f.txt
    assert_output_equals "file content"
    run_berth cp "$dir/f.txt" cpc:/tmp/renamed.txt
    run_berth exec cpc cat /tmp/renamed.txt
    assert_output_equals "file content"
    run_berth cp "$dir/tree" cpc:/tmp
    run_berth exec cpc sh -c 'cat /tmp/tree/sub/deep.txt; readlink /tmp/tree/link'
    assert_output_equals "$(printf 'deep\nsub/deep.txt')"
    # without -a, files copied in belong to the container's user (root)
    run_berth exec cpc stat -c '%u:%g' /tmp/f.txt
    assert_output_equals "0:0"

    mkdir "$dir/out"
    run_berth cp cpc:/tmp/tree "$dir/out/"
    [[ $(cat "$dir/out/tree/sub/deep.txt") == deep ]]
    [[ $(readlink "$dir/out/tree/link") == sub/deep.txt ]]
    run_berth cp cpc:/etc/hostname "$dir/out/hn"
    run_berth exec cpc cat /etc/hostname
    [[ $(cat "$dir/out/hn") == "$output" ]]
    run_berth cp cpc:/tmp/tree/. "$dir/out/contents"
    [[ -f $dir/out/contents/sub/deep.txt ]]
    run_berth --exit 125 cp cpc:/no/such/file "$dir/out/"
    assert_output_contains "/no/such/file"
    run_berth --exit 125 cp "$dir/f.txt" "$dir/g.txt"
}

@test "cp with - streams a tar; -a=false keeps uid/gid" {
    local dir=$BATS_TEST_TMPDIR
    mkdir "$dir/src"
    echo owned >"$dir/src/owned.txt"
    tar -C "$dir/src" --owner=1234 --group=5678 -cf "$dir/in.tar" owned.txt
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpc:/tmp <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpc stat -c '%u:%g' /tmp/owned.txt
    assert_output_equals "0:0"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp -a=false - cpc:/tmp <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpc sh -c 'stat -c "%u:%g" /tmp/owned.txt; cat /tmp/owned.txt'
    assert_output_equals "$(printf '1234:5678\nowned')"
    # out as a tar stream, owned by the container's user (its ids outside), as Podman writes it
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp cpc:/tmp/owned.txt - | tar --numeric-owner -tvf -"
    [[ $status -eq 0 ]]
    [[ $output == *" 0/0 "*"owned.txt"* ]]
    # copied out, files belong to whoever runs cp, -a or not (Podman's rule)
    run_berth cp cpc:/tmp/owned.txt "$dir/mine.txt"
    [[ $(stat -c '%u:%g' "$dir/mine.txt") == "$(id -u):$(id -g)" ]]
    run_berth cp --archive=false cpc:/tmp/owned.txt "$dir/mine2.txt"
    [[ $(stat -c '%u:%g' "$dir/mine2.txt") == "$(id -u):$(id -g)" ]]
}

@test "cp never follows a container symlink to the host (/etc/shadow and friends)" {
    local dir=$BATS_TEST_TMPDIR
    mkdir "$dir/hostdir"
    echo "host secret" >"$dir/hostdir/secret"
    run_berth exec cpc sh -c "ln -s /etc/shadow /shadowlink; ln -s $dir/hostdir/secret /leak; ln -s $dir/hostdir /leakdir; echo container-shadow >/etc/shadow"
    # a link given as the source is followed inside the container, where its target does not exist
    run_berth --exit 125 cp cpc:/leak "$dir/got-link"
    assert_output_contains "could not be found on container cpc"
    [[ ! -e $dir/got-link ]]
    run_berth --exit 125 cp cpc:/leakdir/secret "$dir/got-through-dir"
    [[ ! -e $dir/got-through-dir ]]
    # /etc/shadow through a link is the container's file, never the host's
    run_berth exec cpc cat /etc/shadow
    local container_shadow=$output
    assert_equal "$container_shadow" "container-shadow"
    run_berth cp cpc:/shadowlink "$dir/shadow"
    [[ $(cat "$dir/shadow") == "$container_shadow" ]]
    if ! is_rootless; then
        ! cmp -s "$dir/shadow" /etc/shadow
    fi
    # writing through the links lands inside the container or fails; the host is untouched
    echo overwritten >"$dir/payload"
    run_berth --exit '?' cp "$dir/payload" cpc:/leakdir/newfile
    [[ ! -e $dir/hostdir/newfile ]]
    run_berth --exit '?' cp "$dir/payload" cpc:/leak
    [[ $(cat "$dir/hostdir/secret") == "host secret" ]]
    run_berth cp "$dir/payload" cpc:/shadowlink
    run_berth exec cpc cat /shadowlink
    assert_output_equals "overwritten"
    if ! is_rootless; then
        run grep -c overwritten /etc/shadow
        [[ $output == 0 ]]
    fi
}

# bats test_tags=berth-only
@test "cp - refuses a tar entry that climbs out of the destination" {
    # berth-only: Podman 4.3.1 accepts such a stream (exit 0); berth refuses it, exit 125.
    local dir=$BATS_TEST_TMPDIR
    echo payload >"$dir/payload"
    python3 -c 'import sys, tarfile; t = tarfile.open(sys.argv[1], "w"); t.add(sys.argv[2], arcname="../../payload-escaped"); t.close()' "$dir/evil.tar" "$dir/payload"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpc:/tmp <'$dir/evil.tar'"
    [[ $status -eq 125 ]]
    [[ $output == *"leads out of the destination"* ]]
}

@test "cp resolves a symlink source inside the container as Podman does" {
    local dir=$BATS_TEST_TMPDIR
    run_berth exec cpc sh -c 'mkdir -p /data/sub; echo f >/data/file; echo s >/data/sub/s; ln -s file /data/inner
        ln -s /data/file /lfile; ln -s /data /ldir; ln -s data/file /rel; ln -s /ldir /l2; ln -s /nowhere /dangling'
    mkdir "$dir/named" "$dir/into" "$dir/contents"
    # to a new name: the target's file or tree under that name; links inside the tree stay links
    run_berth cp cpc:/lfile "$dir/named/f"
    [[ -f $dir/named/f && ! -L $dir/named/f && $(cat "$dir/named/f") == f ]]
    run_berth cp cpc:/rel "$dir/named/r"
    [[ $(cat "$dir/named/r") == f ]]
    local src n=0
    for src in /ldir /ldir/ /l2; do
        n=$((n + 1))
        run_berth cp "cpc:$src" "$dir/named/d$n"
        [[ -d $dir/named/d$n && $(cat "$dir/named/d$n/sub/s") == s ]]
        [[ $(readlink "$dir/named/d$n/inner") == file ]]
    done
    # into an existing directory: under the target's own name
    run_berth cp cpc:/lfile "$dir/into/"
    run_berth cp cpc:/ldir "$dir/into/"
    run ls "$dir/into"
    assert_equal "$output" $'data\nfile'
    [[ $(cat "$dir/into/data/file") == f ]]
    # "/." is the contents
    run_berth cp cpc:/ldir/. "$dir/contents/"
    run ls "$dir/contents"
    assert_equal "$output" $'file\ninner\nsub'
    # a tar stream names the entries after the target too
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp cpc:/lfile - | tar -tf -"
    assert_output_equals "file"
    run_berth --exit 125 cp cpc:/dangling "$dir/named/x"
    assert_output_contains '"/dangling" could not be found on container cpc: no such file or directory'
}

@test "cp - creates the parent directories a tar stream has no entries for" {
    local dir=$BATS_TEST_TMPDIR
    mkdir -p "$dir/npa/b"
    echo deep >"$dir/npa/b/c.txt"
    tar -C "$dir" --no-recursion -cf "$dir/np.tar" npa/b/c.txt
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpc:/tmp <'$dir/np.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpc sh -c 'cat /tmp/npa/b/c.txt; stat -c "%a %u:%g" /tmp/npa /tmp/npa/b'
    assert_output_equals "$(printf 'deep\n755 0:0\n755 0:0')"
}

@test "cp through --userns=keep-id: in, the container's user owns the files; out, the caller" {
    skip_if_root "--userns=keep-id maps the rootless user"
    local dir=$BATS_TEST_TMPDIR me
    me="$(id -u):$(id -g)"
    start_sleeper cpk --userns=keep-id
    echo hi >"$dir/k.txt"
    mkdir "$dir/kd"
    echo x >"$dir/kd/x"
    run_berth cp "$dir/k.txt" cpk:/tmp/k.txt
    run_berth cp "$dir/kd" cpk:/tmp/kd
    run_berth exec cpk stat -c '%u:%g' /tmp/k.txt /tmp/kd /tmp/kd/x
    assert_equal "$output" "$(printf '%s\n%s\n%s' "$me" "$me" "$me")"
    run_berth exec cpk sh -c 'echo made >/tmp/made'
    run_berth cp cpk:/tmp/made "$dir/made"
    [[ $(stat -c '%u:%g' "$dir/made") == "$me" ]]
    # a tar written out: the container user's ids outside (the caller, root of the user namespace)
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp cpk:/tmp/made - | tar --numeric-owner -tvf -"
    [[ $output == *" 0/0 "*"made"* ]]
    # the same mapping with --user 0: what is copied in belongs to the container's root
    start_sleeper cpk0 --userns=keep-id --user 0
    run_berth cp "$dir/k.txt" cpk0:/tmp/k.txt
    run_berth exec cpk0 stat -c '%u:%g' /tmp/k.txt
    assert_output_equals "0:0"
}

@test "cp sees a stopped container's volumes and bind mounts, both ways" {
    local dir=$BATS_TEST_TMPDIR
    mkdir "$dir/bind"
    echo inbind >"$dir/bind/b.txt"
    run_berth volume create cpvol
    run_berth run --name cpv -v cpvol:/vol -v "$dir/bind:/bind" "$IMAGE" sh -c 'echo invol >/vol/v.txt'
    run_berth cp cpv:/vol/v.txt "$dir/v-out.txt"
    [[ $(cat "$dir/v-out.txt") == invol ]]
    run_berth cp cpv:/bind/b.txt "$dir/b-out.txt"
    [[ $(cat "$dir/b-out.txt") == inbind ]]
    echo newin >"$dir/newin.txt"
    run_berth cp "$dir/newin.txt" cpv:/vol/newin.txt
    run_berth cp "$dir/newin.txt" cpv:/bind/newin.txt
    [[ $(cat "$dir/bind/newin.txt") == newin ]]
    run_berth run --rm -v cpvol:/vol "$IMAGE" cat /vol/newin.txt
    assert_output_equals newin
    # bound for the copies only: the container starts as before, and then goes with its volume
    run_berth start -a cpv
    run_berth rm cpv
    run_berth volume rm cpvol
}

@test "cp into and out of a stopped container" {
    local dir=$BATS_TEST_TMPDIR
    run_berth run --name cps "$IMAGE" sh -c 'echo before >/stopped.txt'
    echo added >"$dir/added.txt"
    run_berth cp "$dir/added.txt" cps:/added.txt
    run_berth cp cps:/stopped.txt "$dir/stopped.txt"
    [[ $(cat "$dir/stopped.txt") == before ]]
    run_berth start -a cps
    run_berth cp cps:/added.txt "$dir/back.txt"
    [[ $(cat "$dir/back.txt") == added ]]
    run_berth rm cps
}

@test "export writes a tar of the rootfs that import reads back" {
    local dir=$BATS_TEST_TMPDIR
    run_berth exec cpc sh -c 'echo exported >/export-marker'
    run_berth export -o "$dir/ctr.tar" cpc
    run tar -tf "$dir/ctr.tar"
    assert_output_matches '^(\./)?bin/busybox$'
    assert_output_matches '^(\./)?export-marker$'
    run_berth import "$dir/ctr.tar" localhost/exported:latest
    run_berth run --rm localhost/exported:latest cat /export-marker
    assert_output_equals "exported"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS export cpc | tar -tf - | grep -c export-marker"
    assert_output_equals "1"
}

@test "diff lists added, changed and deleted paths" {
    start_sleeper cpd
    run_berth exec cpd sh -c 'echo new >/newfile; echo "extra:x:999:" >>/etc/group; rm /etc/passwd'
    run_berth diff cpd
    assert_output_matches '^A /newfile$'
    assert_output_matches '^C /etc/group$'
    assert_output_matches '^C /etc$'
    assert_output_matches '^D /etc/passwd$'
    assert_output_not_contains "/bin/busybox"
    run_berth diff --format json cpd
    [[ $(json_get '["deleted"]') == '["/etc/passwd"]' ]]
    run_berth rm -f cpd
}

@test "mount prints the rootfs path; unmount; rootless mount needs berth unshare, unmount does not" {
    if is_rootless; then
        run_berth --exit 125 mount cpc
        assert_output_contains "in rootless mode, must execute"
        run_berth unmount cpc
        assert_output_equals cpc
        return
    fi
    run_berth run --name cpm "$IMAGE" sh -c 'echo m >/mounted.txt'
    run_berth mount cpm
    local path=$output
    [[ $(cat "$path/mounted.txt") == m ]]
    run_berth mount
    assert_output_contains "$path"
    run_berth umount cpm
    [[ ! -e $path/mounted.txt ]]
    run_berth rm cpm
}
