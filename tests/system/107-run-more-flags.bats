#!/usr/bin/env bats
# run/create flags of Podman's that shape the container's processes and
# mounts: --umask, --oom-score-adj, --personality, --image-volume,
# --volumes-from and --requires; --tmpfs's copy-up.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    local c=$BATS_FILE_TMPDIR/volctx
    mkdir -p "$c"
    printf 'FROM %s\nRUN mkdir /data && echo from-image >/data/f\nVOLUME /data\n' "$IMAGE" >"$c/Containerfile"
    berth_quiet build -q -t volimage "$c"
}

@test "--umask sets the processes' umask; 0022 without it" {
    run_berth run --rm "$IMAGE" sh -c umask
    assert_output_equals "0022"
    run_berth run --rm --umask 0077 "$IMAGE" sh -c 'umask; touch /tmp/f; stat -c %a /tmp/f'
    assert_output_equals "0077
600"
}

@test "--oom-score-adj sets the container's OOM score adjustment" {
    run_berth run --rm --oom-score-adj 500 "$IMAGE" cat /proc/self/oom_score_adj
    assert_output_equals "500"
}

# berth-only: Podman 4.3 runs runc 1.1 here, which ignores linux.personality (uname -m stays x86_64).
# bats test_tags=berth-only
@test "--personality LINUX32 runs the container in the 32-bit execution domain" {
    [[ $(uname -m) == x86_64 ]] || skip "needs an x86-64 host"
    run_berth run --rm --personality LINUX32 "$IMAGE" uname -m
    assert_output_equals "i686"
    run_berth run --rm --personality LINUX "$IMAGE" uname -m
    assert_output_equals "x86_64"
}

@test "an image's VOLUME gets an anonymous volume with the image's content; rm -v removes it" {
    run_berth volume ls -q
    local before=${#lines[@]}
    run_berth create --name withvol volimage sh -c 'grep -c " /data " /proc/mounts; cat /data/f'
    run_berth volume ls -q
    assert_equal "${#lines[@]}" "$((before + 1))" "volumes after create"
    run_berth start -a withvol
    assert_output_equals "1
from-image"
    run_berth rm -v withvol
    run_berth volume ls -q
    assert_equal "${#lines[@]}" "$before" "volumes after rm -v"
}

@test "--image-volume tmpfs mounts a tmpfs there with the image's files, ignore mounts nothing" {
    run_berth run --rm --image-volume tmpfs volimage sh -c 'grep " /data " /proc/mounts | cut -d" " -f3; cat /data/f'
    assert_output_equals "tmpfs
from-image"
    run_berth run --rm --image-volume ignore volimage sh -c 'grep -c " /data " /proc/mounts; cat /data/f'
    assert_output_equals "0
from-image"
    run_berth run --rm -v "$BATS_TEST_TMPDIR:/data" volimage sh -c 'grep -c " /data " /proc/mounts'
    assert_output_equals "1"
}

@test "--volumes-from mounts another container's volumes and binds; :ro makes them read-only" {
    mkdir -p "$BATS_TEST_TMPDIR/host"
    echo on-host >"$BATS_TEST_TMPDIR/host/h"
    run_berth run --name vfsource -v vfvol:/vol -v "$BATS_TEST_TMPDIR/host:/host" "$IMAGE" sh -c 'echo in-volume >/vol/v'
    run_berth run --rm --volumes-from vfsource "$IMAGE" sh -c 'cat /vol/v /host/h; echo more >/vol/w && echo written'
    assert_output_equals "in-volume
on-host
written"
    run_berth run --rm --volumes-from vfsource:ro "$IMAGE" sh -c 'cat /vol/w; touch /vol/x 2>/dev/null || echo read-only'
    assert_output_equals "more
read-only"
    run_berth rm vfsource
    run_berth volume rm vfvol
}

@test "--requires starts the containers it names first; rm of one refuses while another requires it, --depend removes both" {
    run_berth create --name dependency "$IMAGE" sleep 100
    run_berth run -d --name dependent --requires dependency "$IMAGE" sleep 100
    run_berth inspect --format '{{.State.Running}}' dependency
    assert_output_equals "true"
    run_berth inspect --format '{{.Id}}' dependency
    local dependency_id=$output
    run_berth inspect --format '{{.Id}}' dependent
    local dependent_id=$output
    run_berth --exit 125 rm -f -t 0 dependency
    assert_output_contains "has dependent containers which must be removed before it: $dependent_id"
    run_berth rm -f -t 0 --depend dependency
    assert_output_equals "$dependent_id
$dependency_id"
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
}

@test "bad values of these flags fail before anything is made" {
    run_berth --exit 125 run --rm --umask 0999 "$IMAGE" true
    assert_output_contains "invalid umask string 0999"
    run_berth --exit 125 run --rm --image-volume foo "$IMAGE" true
    assert_output_contains "invalid image volume mode \"foo\""
    run_berth --exit 125 run --rm --volumes-from nosuch "$IMAGE" true
    assert_output_contains "no container with name or ID \"nosuch\" found"
    run_berth --exit 125 run --rm --requires nosuch "$IMAGE" true
    assert_output_contains "\"nosuch\" is not a valid container, cannot be used as a dependency"
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
}

@test "--tmpfs starts with the image's files at its path (tmpcopyup), notmpcopyup empty; /etc/hosts stays mounted on it" {
    run_berth run --rm --hostname tmpfs-etc --tmpfs /etc "$IMAGE" sh -c 'grep -c " /etc tmpfs " /proc/mounts; grep -c "^root:" /etc/passwd; grep -c tmpfs-etc /etc/hosts /etc/hostname'
    assert_output_equals "1
1
/etc/hosts:1
/etc/hostname:1"
    run_berth run --rm --tmpfs /etc:notmpcopyup "$IMAGE" sh -c 'test -e /etc/passwd || echo no-passwd; test -s /etc/resolv.conf && echo resolv.conf'
    assert_output_equals "no-passwd
resolv.conf"
}
