#!/usr/bin/env bats
# Global flags and Podman's configuration files: containers.conf and
# storage.conf from Podman's paths (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF),
# flags over files, and a clear error for what this host or berth cannot do.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
}

# bats test_tags=berth-only
@test "remote connections are refused with 125, naming the flags" {
    # berth-only: berth refuses Podman's remote flags; Podman would try to connect.
    local flags
    for flags in "--remote" "-r" "--url unix:///run/podman/podman.sock" "--connection other" "-c other"; do
        run_berth --exit 125 $flags ps
        assert_output_contains "remote connections are not supported"
    done
}

@test "--noout prints nothing on stdout; errors still go to stderr" {
    run_berth --noout version
    assert_output_equals ""
    run_berth --noout create --name quiet "$IMAGE" true
    assert_output_equals ""
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals quiet
    run --separate-stderr timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS --noout rm nosuch
    [[ $status -ne 0 ]]
    [[ $stderr == *nosuch* ]]
}

@test "a flag given twice takes the last value" {
    run_berth create --name twice "$IMAGE" true
    run_berth ps -a --format '{{.ID}}' --format '{{.Names}}'
    assert_output_equals twice
    run_berth --log-level debug --log-level error ps -a -q
    assert_line_count 1
}

@test "--events-backend none records no event; file does" {
    run_berth --events-backend none create --name noev "$IMAGE" true
    run_berth --events-backend=file create --name ev "$IMAGE" true
    run_berth events --stream=false --filter event=create --filter container=noev
    assert_output_equals ""
    run_berth events --stream=false --filter event=create --filter container=ev --format '{{.Name}}'
    assert_output_equals ev
}

# bats test_tags=berth-only
@test "a backend or cgroup manager this host lacks is an error that names the fix" {
    # berth-only: Podman 4.3 accepts --events-backend journald without journald and fails later, differently.
    [[ -S /run/systemd/journal/socket ]] && skip "this host has journald"
    run_berth --exit 125 --events-backend journald ps
    assert_output_contains "events backend journald is not available"
    assert_output_contains "--events-backend file"
    run_berth --exit 125 --events-backend syslog ps
    assert_output_contains "use file, journald or none"
    [[ -d /run/systemd/system ]] && skip "this host runs systemd"
    run_berth --exit 125 --cgroup-manager systemd ps
    assert_output_contains "cgroup manager systemd is not available"
    run_berth --cgroup-manager cgroupfs ps
}

# bats test_tags=berth-only
@test "containers.conf from CONTAINERS_CONF: events_logger, volume_path; a syntax error names the file and line" {
    # berth-only: on this host Podman needs runtime = "runc" from the user's containers.conf, which CONTAINERS_CONF replaces.
    local conf=$BATS_TEST_TMPDIR/containers.conf vols=$BATS_TEST_TMPDIR/vols
    mkdir -p "$vols"
    printf '[engine]\nevents_logger = "none"\nvolume_path = "%s"\nunknown_key = 1\n[machine]\ncpus = 4\n' "$vols" >"$conf"
    CONTAINERS_CONF=$conf run_berth create --name confd "$IMAGE" true
    run_berth events --stream=false --filter event=create --filter container=confd
    assert_output_equals ""
    CONTAINERS_CONF=$conf run_berth volume create cv
    [[ -d $vols/cv/_data ]]
    CONTAINERS_CONF=$conf run_berth volume inspect --format '{{.Mountpoint}}' cv
    assert_output_equals "$vols/cv/_data"
    # The flag wins over the file.
    CONTAINERS_CONF=$conf run_berth --events-backend file create --name flagged "$IMAGE" true
    run_berth events --stream=false --filter event=create --filter container=flagged --format '{{.Name}}'
    assert_output_equals flagged
    printf '[engine]\nruntime = "runc"\nevents_logger = \n' >"$conf"
    CONTAINERS_CONF=$conf run_berth --exit 125 ps
    assert_output_contains "containers.conf $conf: line 3:"
    # toml++ 3.3.0 asserts on a table header cut short and on some non-ASCII
    # characters (config/toml_impl.cpp): each is the parse error, not an abort.
    printf '[\nruntime = "runc"\n' >"$conf"
    CONTAINERS_CONF=$conf run_berth --exit 125 ps
    assert_output_contains "containers.conf $conf: line 1:"
    printf '[engi\xc5\x86e]\nruntime = "runc"\n' >"$conf"
    CONTAINERS_CONF=$conf run_berth --exit 125 ps
    assert_output_contains "containers.conf $conf: line 1:"
    printf '[containers]\npids_limit = "lots"\n' >"$conf"
    CONTAINERS_CONF=$conf run_berth --exit 125 ps
    assert_output_contains "containers.conf $conf: \"pids_limit\" must be an integer"
    CONTAINERS_CONF=$BATS_TEST_TMPDIR/missing.conf run_berth --exit 125 ps
    assert_output_contains "missing.conf"
}

# bats test_tags=berth-only
@test "--volumepath moves named volumes" {
    # berth-only: Podman keeps --volumepath in its database and refuses a different one later.
    local vols=$BATS_TEST_TMPDIR/vp
    mkdir -p "$vols"
    run_berth --volumepath "$vols" volume create pv
    [[ -d $vols/pv/_data ]]
    run_berth --volumepath "$vols" run --rm -v pv:/data "$IMAGE" sh -c 'echo hi >/data/f'
    [[ $(cat "$vols/pv/_data/f") == hi ]]
    run_berth --volumepath "$vols" volume rm pv
    [[ ! -e $vols/pv ]]
}

# bats test_tags=berth-only
@test "storage.conf from CONTAINERS_STORAGE_CONF: berth's store goes below its graphroot" {
    # berth-only: berth keeps a directory of its own below graphroot, never Podman's files.
    local conf=$BATS_TEST_TMPDIR/storage.conf root=$BATS_TEST_TMPDIR/graph
    printf '[storage]\ndriver = "vfs"\ngraphroot = "%s"\n' "$root" >"$conf"
    run env CONTAINERS_STORAGE_CONF="$conf" timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" info --format '{{.Store.GraphRoot}} {{.Store.GraphDriverName}}'
    assert_equal "$status" 0
    assert_output_equals "$root/berth vfs"
    printf '[storage\n' >"$conf"
    run env CONTAINERS_STORAGE_CONF="$conf" timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" info
    assert_equal "$status" 125
    assert_output_contains "storage.conf $conf: line 1"
}

# bats test_tags=berth-only
@test "--runtime names an OCI runtime that must exist" {
    # berth-only: Podman's message names its runtime lookup differently.
    run_berth --exit 125 --runtime /no/such/runtime run --rm "$IMAGE" true
    assert_output_contains "/no/such/runtime"
}
