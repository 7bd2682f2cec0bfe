#!/usr/bin/env bats
# Quadlet: berth-generator turns .container and .volume files (and their
# drop-ins) into services that pass `systemd-analyze verify`, links [Install] WantedBy=,
# and the service's Exec lines, run as systemd would, run and remove the
# container; a bad key is an error naming file, line and key, and the other
# files still get their units; `berth quadlet list|print`.
#
# All berth-only: Podman 4.3 (the one installed here) has no Quadlet; the
# keys and the units follow Podman's documentation (podman-systemd.unit(5)).

load ../lib/helpers
load ../lib/systemd

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    GENERATOR=$(dirname "$BERTH")/berth-generator
    [[ -x $GENERATOR ]] || skip "berth-generator is not beside $BERTH"
    QDIR=$BATS_TEST_TMPDIR/quadlets
    OUT=$BATS_TEST_TMPDIR/out
    mkdir -p "$QDIR" "$OUT"
    export QUADLET_UNIT_DIRS=$QDIR
}

teardown() {
    berth_quiet rm -f -a -t 0 >/dev/null 2>&1 || true
}

# The Exec lines of a generated unit carry no --root: give the test store by
# berth's environment variables, as a unit's Environment= could.
store_env() {
    export BERTH_ROOT=$BERTH_TEST_ROOT/data BERTH_RUNROOT=$BERTH_TEST_ROOT/run
}

# bats test_tags=berth-only
@test "quadlet: a .container becomes a service that verifies; its Exec lines run and remove the container" {
    skip_without_verify
    cat >"$QDIR/web.container" <<EOF
[Unit]
Description=The web test

[Container]
Image=$IMAGE
Exec=sh -c 'env | grep GREETING; exec sleep 1000'
Environment=GREETING="hello quadlet"
Label=app=web

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF
    mkdir -p "$QDIR/web.container.d"
    printf '[Container]\nLabel=tier=front\n' >"$QDIR/web.container.d/10-tier.conf"
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 0 ]]
    local unit=$OUT/web.service
    [[ -f $unit ]]
    [[ $(readlink "$OUT/default.target.wants/web.service") == ../web.service ]]
    verify_units "$unit"
    assert_equal "$(unit_value "$unit" Type)" notify
    assert_equal "$(unit_value "$unit" Restart)" always
    assert_equal "$(unit_value "$unit" Description)" "The web test"
    assert_equal "$(unit_value "$unit" SourcePath)" "$QDIR/web.container"
    store_env
    unit_exec_ok "$unit" ExecStart
    run_berth inspect --format '{{.State.Status}} {{index .Config.Labels "app"}} {{index .Config.Labels "tier"}}' systemd-web
    assert_output_equals "running web front"
    run_berth logs systemd-web
    assert_output_equals "GREETING=hello quadlet"
    unit_exec_ok "$unit" ExecStop
    unit_exec_ok "$unit" ExecStopPost
    run_berth --exit 1 container exists systemd-web
}

# bats test_tags=berth-only
@test "quadlet: a .volume becomes a oneshot service that creates the volume; a container's Volume=NAME.volume uses it" {
    skip_without_verify
    printf '[Volume]\nLabel=app=web\n' >"$QDIR/data.volume"
    cat >"$QDIR/db.container" <<EOF
[Container]
Image=$IMAGE
Volume=data.volume:/data
Exec=sh -c 'echo stored > /data/f; exec sleep 1000'
EOF
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 0 ]]
    local vol=$OUT/data-volume.service ctr=$OUT/db.service
    verify_units "$vol" "$ctr"
    assert_equal "$(unit_value "$vol" Type)" oneshot
    assert_equal "$(unit_value "$ctr" Requires)" data-volume.service
    store_env
    unit_exec_ok "$vol" ExecStart
    # Once more, as at every boot: the volume exists, which is no error.
    unit_exec_ok "$vol" ExecStart
    run_berth volume inspect --format '{{.Name}} {{.Labels.app}}' systemd-data
    assert_output_equals "systemd-data web"
    unit_exec_ok "$ctr" ExecStart
    run_berth exec systemd-db cat /data/f
    assert_output_equals stored
    unit_exec_ok "$ctr" ExecStop
    run_berth volume rm systemd-data
}

# bats test_tags=berth-only
@test "quadlet: an unknown key is an error naming file, line and key; the other files still get units" {
    printf '[Container]\nImage=%s\nPublishPorts=8080:80\n' "$IMAGE" >"$QDIR/bad.container"
    printf '[Container]\nImage=%s\nExec=true\n' "$IMAGE" >"$QDIR/good.container"
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 1 ]]
    assert_output_contains "$QDIR/bad.container:3: unsupported key PublishPorts in section [Container]"
    [[ ! -e $OUT/bad.service ]]
    [[ -f $OUT/good.service ]]
    run "$GENERATOR" -dryrun
    assert_output_contains "---good.service---"
}

# bats test_tags=berth-only
@test "quadlet list and print show the files in the search path" {
    printf '[Container]\nImage=%s\n' "$IMAGE" >"$QDIR/one.container"
    mkdir -p "$QDIR/one.container.d"
    printf '[Container]\nExec=true\n' >"$QDIR/one.container.d/x.conf"
    run_berth quadlet list
    assert_output_matches '^NAME +UNIT NAME +PATH ON DISK$'
    assert_output_matches "^one.container +one.service +$QDIR/one.container$"
    run_berth quadlet list --format '{{.UnitName}}'
    assert_output_equals one.service
    run_berth quadlet print one
    assert_output_contains "Image=$IMAGE"
    assert_output_contains "# $QDIR/one.container.d/x.conf"
    assert_output_contains "Exec=true"
    run_berth --exit 125 quadlet print nosuch
    assert_output_contains "no quadlet nosuch.container found (searched $QDIR)"
}
