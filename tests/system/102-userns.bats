#!/usr/bin/env bats
# A container's own user namespace (--userns=keep-id, --uidmap/--gidmap,
# --userns=host), host devices (--device, --privileged), and the storage
# driver `info` reports, as root and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

host_dir() {
    local d=$BATS_TEST_TMPDIR/host-$1
    mkdir -p "$d"
    chmod 0777 "$d" "$BATS_TEST_TMPDIR"
    echo "$d"
}

@test "--userns=keep-id: the user's ids inside, files in a bind mount belong to the user, image files to root" {
    skip_if_root "keep-id is rootless only"
    local dir
    dir=$(host_dir keepid)
    run_berth run --rm --userns=keep-id -v "$dir:/data" "$IMAGE" sh -c 'id -u; id -g; touch /data/made; stat -c %u:%g /bin /etc/passwd'
    assert_output_equals "$(printf '%s\n%s\n0:0\n0:0' "$(id -u)" "$(id -g)")"
    assert_equal "$(stat -c %u:%g "$dir/made")" "$(id -u):$(id -g)" "owner of the file made in the container"
    # The container's root is not the user: writing into the image works as the
    # container's root through the mapping, and -u overrides the default user.
    run_berth run --rm --userns=keep-id -u 0 "$IMAGE" sh -c 'id -u; touch /etc/ok && echo written'
    assert_output_equals "$(printf '0\nwritten')"
    run_berth run --rm --userns=keep-id "$IMAGE" cat /proc/self/uid_map
    assert_output_matches "^ +$(id -u) +0 +1\$"
}

@test "--userns=keep-id:uid=,gid= picks the ids inside" {
    skip_if_root "keep-id is rootless only"
    local dir
    dir=$(host_dir keepid2)
    run_berth run --rm --userns=keep-id:uid=200,gid=300 -v "$dir:/data" "$IMAGE" sh -c 'id -u; id -g; touch /data/made'
    assert_output_equals "$(printf '200\n300')"
    assert_equal "$(stat -c %u "$dir/made")" "$(id -u)" "owner of the file made as uid 200"
}

# bats test_tags=berth-only
@test "--userns refusals: keep-id as root, auto:size=lots, unknown modes, bad maps" {
    # berth-only: the messages say what to type; Podman 4.3.1's quote Go (strconv, uint32 patterns) and it accepts maps berth refuses.
    if ! is_rootless; then
        run_berth --exit 125 run --rm --userns=keep-id "$IMAGE" true
        assert_output_contains "rootless"
    fi
    # --userns=auto itself works (105-run-flags.bats); a bad option of it does not.
    run_berth --exit 125 run --rm --userns=auto:size=lots "$IMAGE" true
    assert_output_contains "--userns=auto:size=lots"
    run_berth --exit 125 create --userns=bogus "$IMAGE" true
    assert_output_contains "bogus"
    run_berth --exit 125 create --uidmap 0:1 "$IMAGE" true
    assert_output_contains "CONTAINER:HOST:SIZE"
    run_berth --exit 125 create --userns=keep-id --uidmap 0:1:10 "$IMAGE" true
    run_berth --exit 125 run --rm --uidmap 1:1:10 "$IMAGE" true
    assert_output_contains "container id 0"
    local too_far=0:1:5000000
    is_rootless || too_far=0:4294967000:5000
    run_berth --exit 125 run --rm --uidmap "$too_far" "$IMAGE" true
    assert_output_contains "beyond"
}

@test "--uidmap/--gidmap: the container's own mapping; image files still root's" {
    local dir host
    # The container's root is a stranger to the bats directories: a shared one.
    dir=$(mktemp -d /tmp/berth-uidmap.XXXXXX)
    chmod 0777 "$dir"
    # Rootless, host ids count in the user's namespace (1 = the first subordinate id).
    host=1
    is_rootless || host=200000
    # The container's root must be able to walk to its rootfs (berth opens its
    # own directories; the test root above them is mktemp's 0700).
    chmod o+x "$BERTH_TEST_ROOT"
    # FIXME: rootless, a mapping without the user (intermediate id 0) is
    # refused access to the fuse-overlayfs rootfs (EACCES on the bind of
    # merged/), so the rootless case maps the user too, as container id 5000.
    local extra=()
    is_rootless && extra=(--uidmap 5000:0:1 --gidmap 5000:0:1)
    run_berth run --rm --uidmap "0:$host:5000" --gidmap "0:$host:5000" "${extra[@]}" -v "$dir:/data" "$IMAGE" \
        sh -c 'cat /proc/self/uid_map; id -u; stat -c %u /bin; touch /data/byroot'
    assert_output_matches "^ +0 +$host +5000\$"
    assert_output_contains "$(printf '0\n0')"
    local expect=200000
    is_rootless && expect=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
    assert_equal "$(stat -c %u "$dir/byroot")" "$expect" "host owner of a file the container's root made"
    # --uidmap alone is used for the gids too.
    run_berth run --rm --uidmap "0:$host:5000" "${extra[@]:0:2}" "$IMAGE" cat /proc/self/gid_map
    assert_output_matches "^ +0 +$host +5000\$"
    berth_quiet unshare rm -rf "$dir" 2>/dev/null || rm -rf "$dir" || true
}

@test "--userns=host keeps berth's own namespace" {
    run_berth run --rm --userns=host "$IMAGE" cat /proc/self/uid_map
    if is_rootless; then
        assert_output_matches "^ +0 +$(id -u) +1\$"
    else
        assert_output_matches "^ +0 +0 +4294967295\$"
    fi
}

@test "--device binds or creates the host's node, under its own name too" {
    run_berth run --rm --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'stat -c "%F %t:%T" /dev/myzero; head -c 7 /dev/myzero | wc -c'
    assert_output_equals "$(printf 'character special file 1:5\n7')"
    [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
    run_berth run --rm --device /dev/fuse "$IMAGE" stat -c "%F %t:%T" /dev/fuse
    assert_output_equals "character special file a:e5"
    run_berth run --rm --device /dev/fuse:/dev/fuse:rw "$IMAGE" test -c /dev/fuse
    run_berth --exit 1 run --rm "$IMAGE" test -e /dev/fuse
    run_berth --exit 125 create --device /etc/passwd "$IMAGE" true
    assert_output_matches "not a (character or block device|device node)"  # berth's words, Podman's
    run_berth --exit 125 create --device /dev/null:relative "$IMAGE" true
    run_berth --exit 125 create --device /no/such/dev "$IMAGE" true
    assert_output_contains "/no/such/dev"
}

@test "--device with --userns=keep-id" {
    skip_if_root "keep-id is rootless only"
    run_berth run --rm --userns=keep-id --device /dev/zero:/dev/myzero "$IMAGE" sh -c 'head -c 3 /dev/myzero | wc -c'
    assert_output_equals "3"
}

@test "--privileged gives the host's devices" {
    [[ -c /dev/fuse ]] || skip "no /dev/fuse on this host"
    run_berth run --rm --privileged "$IMAGE" stat -c "%F" /dev/fuse
    assert_output_equals "character special file"
    run_berth run --rm --privileged "$IMAGE" sh -c 'head -c 2 /dev/zero | wc -c; test -c /dev/null && echo null'
    assert_output_equals "$(printf '2\nnull')"
}

# bats test_tags=berth-only
@test "info shows the storage driver the store recorded" {
    # berth-only: it reads berth's own record of the driver (data/storage-driver).
    run_berth run --rm "$IMAGE" true
    local recorded
    recorded=$(cat "$BERTH_TEST_ROOT/data/storage-driver")
    [[ -n $recorded ]]
    run_berth info --format json
    assert_output_contains "\"graphDriverName\": \"$recorded\""
    run_berth --storage-driver vfs info --format json
    assert_output_contains '"graphDriverName": "vfs"'
}

@test "--userns=keep-id: the user has a passwd and a group line, as Podman writes them" {
    skip_if_root "keep-id is rootless only"
    run_berth run --rm --userns=keep-id "$IMAGE" sh -c 'id -un; id -gn; grep "^$(id -un):" /etc/passwd; grep "^$(id -gn):" /etc/group; stat -c %u:%g /etc/passwd /etc/group /etc/hostname /etc/hosts'
    local user group
    user=$(id -un)
    group=$(id -gn)
    assert_equal "${lines[0]}" "$user" "user name"
    assert_equal "${lines[1]}" "$group" "group name"
    assert_equal "${lines[2]}" "$user:*:$(id -u):$(id -g):$(getent passwd "$user" | cut -d: -f5):/:/bin/sh" "passwd line"
    assert_equal "${lines[3]}" "$group:x:$(id -g):$user" "group line"
    # The files berth writes belong to the container's root, as the image's do.
    assert_equal "$(echo ${lines[@]:4})" "0:0 0:0 0:0 0:0" "owners of the files berth writes"
}
