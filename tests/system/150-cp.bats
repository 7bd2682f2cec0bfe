#!/usr/bin/env bats
# berth cp (both directions, tar streams, -a, container-rooted symlinks),
# export, diff, mount/unmount, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    start_sleeper cpc
}

teardown_file() {
    local name
    for name in cpc cps cpd cpm; do
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
    run bash -c "timeout $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpc:/tmp <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpc stat -c '%u:%g' /tmp/owned.txt
    assert_output_equals "0:0"
    run bash -c "timeout $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp -a=false - cpc:/tmp <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpc sh -c 'stat -c "%u:%g" /tmp/owned.txt; cat /tmp/owned.txt'
    assert_output_equals "$(printf '1234:5678\nowned')"
    # out as a tar stream, with the container's owners
    run bash -c "timeout $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp cpc:/tmp/owned.txt - | tar -tvf -"
    [[ $status -eq 0 ]]
    [[ $output == *"1234/5678"*"owned.txt"* ]]
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
    # the link itself, not its target
    run_berth cp cpc:/leak "$dir/got-link"
    [[ -L $dir/got-link ]]
    # -L follows it inside the container, where the target does not exist
    run_berth --exit 125 cp -L cpc:/leak "$dir/got-followed"
    [[ ! -e $dir/got-followed ]]
    run_berth --exit 125 cp cpc:/leakdir/secret "$dir/got-through-dir"
    [[ ! -e $dir/got-through-dir ]]
    # /etc/shadow through a link is the container's file, never the host's
    run_berth exec cpc cat /etc/shadow
    local container_shadow=$output
    assert_equal "$container_shadow" "container-shadow"
    run_berth cp -L cpc:/shadowlink "$dir/shadow"
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
    # a tar stream cannot climb out either
    python3 -c 'import sys, tarfile; t = tarfile.open(sys.argv[1], "w"); t.add(sys.argv[2], arcname="../../payload-escaped"); t.close()' "$dir/evil.tar" "$dir/payload"
    run bash -c "timeout $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpc:/tmp <'$dir/evil.tar'"
    [[ $status -ne 0 ]]
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
    run bash -c "timeout $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS export cpc | tar -tf - | grep -c export-marker"
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

@test "mount prints the rootfs path; unmount; rootless needs berth unshare" {
    if is_rootless; then
        run_berth --exit 125 mount cpc
        assert_output_contains "in rootless mode, must execute"
        run_berth --exit 125 unmount cpc
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
