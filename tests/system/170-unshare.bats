#!/usr/bin/env bats
# berth unshare: a host command inside berth's rootless user and mount
# namespace (uid 0 there), the store's environment variables, Podman's exit
# codes, signals and stdin passing straight through, and `berth mount` made
# usable rootless. As root it is refused, as with Podman.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    if is_rootless; then
        pull_fixture busybox
    fi
}

teardown_file() {
    timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS rm -f unshm >/dev/null 2>&1 || true
    berth_teardown_file
}

@test "unshare as root fails with Podman's message and exit 125" {
    skip_if_rootless
    run_berth --exit 125 unshare id -u
    assert_output_equals "Error: please use unshare with rootless"
    run_berth --exit 125 unshare --rootless-netns id -u
    assert_output_contains "please use unshare with rootless"
}

# bats test_tags=berth-only
@test "unshare runs as uid 0 and the store's files are root's inside, the user's outside" {
    # berth-only: looks at berth's own store files (berth.db) from inside unshare.
    skip_if_root
    local data=$BERTH_TEST_ROOT/data
    run_berth unshare id -u
    assert_output_equals 0
    run_berth unshare stat -c %u "$data" "$data/berth.db"
    assert_output_equals "0
0"
    [[ $(stat -c %u "$data") == "$(id -u)" ]]
    # The subordinate range is mapped too: a file chowned to 1 inside belongs
    # to the first subordinate uid outside, and unshare can remove it again.
    run_berth unshare sh -c "touch '$data/owned-by-1' && chown 1:1 '$data/owned-by-1' && stat -c %u:%g '$data/owned-by-1'"
    assert_output_equals "1:1"
    local outside
    outside=$(stat -c %u "$data/owned-by-1")
    [[ $outside != "$(id -u)" && $outside != 0 ]]
    run_berth unshare rm "$data/owned-by-1"
    [[ ! -e $data/owned-by-1 ]]
}

# bats test_tags=berth-only
@test "unshare sets CONTAINERS_GRAPHROOT, CONTAINERS_RUNROOT, BERTH_ROOT and BERTH_RUNROOT" {
    # berth-only: BERTH_ROOT and BERTH_RUNROOT are berth's own variables.
    skip_if_root
    run_berth unshare sh -c 'echo "$CONTAINERS_GRAPHROOT|$CONTAINERS_RUNROOT|$BERTH_ROOT|$BERTH_RUNROOT"'
    local data=$BERTH_TEST_ROOT/data run=$BERTH_TEST_ROOT/run
    assert_output_equals "$data|$run|$data|$run"
}

@test "unshare passes the command's exit status through; 127 missing, 126 not executable" {
    skip_if_root
    run_berth --exit 3 unshare sh -c 'exit 3'
    run_berth --exit 1 unshare false
    # Options after COMMAND are its own; a leading "--" ends berth's options.
    run_berth unshare -- sh -c 'echo "$1 $2"' sh -a --rootless-netns
    assert_output_equals "-a --rootless-netns"
    run_berth --exit 127 unshare no-such-command-berth
    assert_output_contains '"no-such-command-berth"'
    assert_output_contains 'not found in $PATH'
    run_berth --exit 127 unshare /no/such/file
    assert_output_contains '/no/such/file'
    local file=$BATS_TEST_TMPDIR/not-executable
    printf '#!/bin/sh\necho ran\n' >"$file"
    chmod 0644 "$file"
    run_berth --exit 126 unshare "$file"
    assert_output_not_contains "ran"
    run_berth --exit 126 unshare "$BATS_TEST_TMPDIR"
}

# bats test_tags=berth-only
@test "unshare --rootless-netns is refused" {
    # berth-only: differs from Podman 4.3.1, which has a rootless network namespace to enter; berth has none yet.
    skip_if_root
    run_berth --exit 125 unshare --rootless-netns id -u
    assert_output_contains "--rootless-netns: not supported"
}

# bats test_tags=berth-only
@test "unshare without a command runs \$SHELL, else /bin/sh, with stdin passed through" {
    # berth-only: differs from Podman 4.3.1, which refuses to start a shell when $SHELL is unset; berth falls back to /bin/sh.
    skip_if_root
    run bash -c "echo 'echo shell=\$0; id -u' | SHELL=/bin/sh timeout 60 '$BERTH' $BERTH_GLOBAL_OPTS unshare"
    echo "$output" >&2
    [[ $status -eq 0 ]]
    assert_output_equals "shell=/bin/sh
0"
    run bash -c "echo 'echo shell=\$0; exit 4' | env -u SHELL timeout 60 '$BERTH' $BERTH_GLOBAL_OPTS unshare"
    echo "$output" >&2
    [[ $status -eq 4 ]]
    assert_output_equals "shell=/bin/sh"
}

# bats test_tags=berth-only
@test "unshare: SIGTERM reaches the command" {
    # berth-only: differs from Podman 4.3.1, whose unshare does not forward SIGTERM to the command.
    skip_if_root
    local ready=$BATS_TEST_TMPDIR/ready
    "$BERTH" $BERTH_GLOBAL_OPTS unshare sh -c "trap 'exit 7' TERM; touch '$ready'; while :; do sleep 0.1; done" \
        </dev/null >/dev/null 2>&1 3>&- &
    local pid=$! i
    for i in $(seq 1 100); do
        [[ -e $ready ]] && break
        sleep 0.1
    done
    [[ -e $ready ]]
    kill -TERM "$pid"
    local status=0
    wait "$pid" || status=$?
    assert_equal "$status" 7 "exit status after SIGTERM"
}

# bats test_tags=berth-only
@test "berth mount works inside unshare and its path is visible to the session" {
    # berth-only: the nested berth finds the store through BERTH_ROOT and BERTH_RUNROOT, berth's own variables (a nested podman needs --root).
    skip_if_root
    run_berth --exit 125 mount unshm
    assert_output_matches "must execute \`[a-z]+ unshare\` first"
    run_berth create --name unshm "$IMAGE" true
    # The nested berth finds the store through BERTH_ROOT/BERTH_RUNROOT.
    run_berth unshare sh -c 'p=$("$0" mount unshm) && echo "path=$p" && ls "$p/bin/busybox" && "$0" mount' "$BERTH"
    assert_output_matches '^path=/'
    assert_output_matches '/bin/busybox$'
    assert_output_matches '^[0-9a-f]{12}  /'
    # `berth unshare berth mount`: the mount stays in berth's namespace for later sessions.
    run_berth unshare "$BERTH" mount unshm
    local path=$output
    [[ $path == /* ]]
    run_berth unshare ls "$path/bin/busybox"
    run_berth unshare "$BERTH" unmount unshm
    run_berth --exit 1 unshare test -e "$path/bin/busybox"
    run_berth rm unshm
}
