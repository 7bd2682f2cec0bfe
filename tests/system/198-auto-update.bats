#!/usr/bin/env bats
# berth auto-update: the registry policy (v1 pushed to the open registry, a
# labelled container of it, v2 pushed: --dry-run reports pending and changes
# nothing, auto-update pulls v2 and recreates the container under its name),
# the local policy (a new image built under the container's reference), the
# rollback of a new image whose command fails (and --rollback=false), a
# container created from a short name, and the table without labelled
# containers.
#
# berth-only: Podman 4.3 updates a container only by restarting its systemd
# unit (PODMAN_SYSTEMD_UNIT) and refuses containers without one; this machine
# has no systemd as PID 1 and no D-Bus. berth recreates the container itself
# there, which is what these tests check.
# bats file_tags=berth-only

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
HEADER_RE='^UNIT +CONTAINER +IMAGE +POLICY +UPDATED$'
ROW='{{.ContainerName}} {{.Policy}} {{.Updated}}'

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -f -a -t 0 >/dev/null 2>&1 || true
}

# build_version TAG VERSION [CMD-JSON]: an image whose /version holds VERSION
# (and whose CMD is CMD-JSON, a sleep by default); prints nothing, sets $built.
build_version() {
    local ctx=$BATS_TEST_TMPDIR/ctx-$2
    mkdir -p "$ctx"
    echo "$2" >"$ctx/version"
    printf 'FROM %s\nCOPY version /version\nCMD %s\n' "$IMAGE" "${3:-[\"sleep\", \"1000\"]}" >"$ctx/Containerfile"
    run_berth build -q -t "$1" "$ctx"
    built=${lines[-1]}
}

# A repository no other test (or the other mode's run) pushes to.
au_repo() { echo "$REGISTRY_OPEN/autoupdate-$(id -u)-$BATS_TEST_NUMBER-$$/app"; }

# push_version REF VERSION: builds VERSION and pushes it as REF, leaving no local REF.
push_version() {
    build_version "localhost/au-src:$2" "$2"
    run_berth tag "localhost/au-src:$2" "$1"
    run_berth push -q "$1"
    run_berth untag "$built" "$1"
}

# run_labelled NAME POLICY IMAGE [ARGS...]: a detached container with that
# policy; its ID in $cid (the last line: a pull prints its progress first).
run_labelled() {
    local name=$1 policy=$2
    shift 2
    run_berth run -d --name "$name" --stop-signal KILL --label "io.containers.autoupdate=$policy" "$@"
    cid=${lines[-1]}
}

# only_container NAME: the one container in the store is NAME (nothing left aside).
only_container() {
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals "$1"
}

@test "auto-update registry: --dry-run reports pending and changes nothing; the update pulls v2 and keeps the name" {
    local repo old_id
    repo=$(au_repo):latest
    push_version "$repo" v1
    run_labelled au-reg registry "$repo"
    old_id=$cid
    run_berth exec au-reg cat /version
    assert_output_equals v1
    run_berth auto-update --format "$ROW"
    assert_output_equals "au-reg registry false"

    push_version "$repo" v2
    run_berth auto-update --dry-run
    assert_line_count 2
    assert_output_matches "$HEADER_RE"
    assert_output_matches "^ +${old_id:0:12} \\(au-reg\\) +${repo//./\\.} +registry +pending$"
    # Nothing changed: same container, running v1, and v2 not pulled.
    run_berth inspect --format '{{.Id}} {{.State.Status}}' au-reg
    assert_output_equals "$old_id running"
    run_berth exec au-reg cat /version
    assert_output_equals v1
    run_berth --exit 1 image exists "$repo"

    run_berth auto-update
    assert_output_matches "^ +${old_id:0:12} \\(au-reg\\) +${repo//./\\.} +registry +true$"
    run_berth inspect --format '{{.Id}} {{.State.Status}} {{index .Config.Labels "io.containers.autoupdate"}}' au-reg
    [[ $output != "$old_id "* ]] || { echo "au-reg is still $old_id" >&2; return 1; }
    assert_output_matches "^[0-9a-f]{64} running registry$"
    run_berth exec au-reg cat /version
    assert_output_equals v2
    only_container au-reg
    run_berth image exists "$repo"
    # Up to date now.
    run_berth auto-update --format "$ROW"
    assert_output_equals "au-reg registry false"
}

@test "auto-update local: a new image under the container's reference replaces it; json format; the unit label" {
    # Without systemd as PID 1, a container with a unit is recreated by berth too.
    [[ ! -d /run/systemd/system ]] || skip "systemd runs here: auto-update would restart the unit au-loc.service"
    local old_id
    build_version au-local v1
    # As in a unit of generate systemd or Quadlet: run labels the container with its unit.
    PODMAN_SYSTEMD_UNIT=au-loc.service run_labelled au-loc local -e KEEP=me au-local
    old_id=$cid
    run_berth auto-update --format "{{.Unit}} $ROW"
    assert_output_equals "au-loc.service au-loc local false"
    build_version au-local v2
    run_berth auto-update --dry-run --format "$ROW"
    assert_output_equals "au-loc local pending"
    run_berth exec au-loc cat /version
    assert_output_equals v1
    run_berth auto-update --format json
    assert_equal "$(json_get '[0]["ContainerName"]') $(json_get '[0]["ContainerID"]') $(json_get '[0]["Image"]') $(json_get '[0]["Updated"]')" \
        "au-loc $old_id au-local true"
    run_berth exec au-loc sh -c 'cat /version; echo $KEEP'
    assert_output_equals "$(printf 'v2\nme')"
    run_berth inspect --format '{{.Image}} {{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}' au-loc
    assert_output_equals "$built au-loc.service"
    only_container au-loc
}

@test "auto-update rolls back a new image whose command fails; --rollback=false keeps the failure" {
    local old_id v1 v3
    build_version au-rb v1
    v1=$built
    run_labelled au-rb local au-rb
    old_id=$cid
    build_version au-rb v3 '["sh", "-c", "exit 3"]'
    v3=$built
    run_berth auto-update --format "$ROW"
    assert_output_equals "au-rb local rolled back"
    # The old container runs again under its name, and the name is v1's again.
    run_berth inspect --format '{{.Id}} {{.State.Status}}' au-rb
    assert_output_equals "$old_id running"
    run_berth exec au-rb cat /version
    assert_output_equals v1
    only_container au-rb
    run_berth image inspect --format '{{.Id}}' au-rb
    assert_output_equals "$v1"

    run_berth tag "$v3" au-rb
    run_berth --exit 125 auto-update --rollback=false --format "$ROW"
    assert_output_contains "au-rb local failed"
    assert_output_contains "Error: auto-updating container \"$old_id\" (au-rb): the new container exited with code 3"
    run_berth inspect --format '{{.Id}} {{.State.Status}} {{.State.ExitCode}}' au-rb
    assert_output_matches "^[0-9a-f]{64} exited 3$"
    [[ $output != "$old_id "* ]] || { echo "au-rb is still the old container" >&2; return 1; }
    only_container au-rb
}

@test "auto-update: a short name, an unknown policy or a registry that does not answer is an error naming the container; the others go on" {
    local short_id bad_id gone_id gone_ref
    gone_ref=127.0.0.1:$(free_port)/au/gone:latest
    run_berth tag "$IMAGE" "$gone_ref"
    run_labelled au-gone registry "$gone_ref" sleep 1000
    gone_id=$cid
    run_berth tag "$IMAGE" au-short
    run_labelled au-sn registry au-short sleep 1000
    short_id=$cid
    run_labelled au-bad sometimes "$IMAGE" sleep 1000
    bad_id=$cid
    build_version au-ok v1
    run_labelled au-ok local au-ok
    run_berth --exit 125 auto-update --format "$ROW"
    assert_output_contains "au-ok local false"
    assert_output_contains "Error: auto-updating container \"$short_id\" (au-sn): short name: auto updates require fully-qualified image reference: \"au-short\""
    assert_output_contains "Error: auto-updating container \"$bad_id\" (au-bad): \"sometimes\" is not a valid auto-update policy"
    assert_output_contains "au-gone registry failed"
    assert_output_contains "Error: auto-updating container \"$gone_id\" (au-gone): image check for \"$gone_ref\" failed: "
    run_berth inspect --format '{{.Id}} {{.State.Status}}' au-sn
    assert_output_equals "$short_id running"
}

@test "auto-update without labelled running containers prints an empty table and exits 0" {
    run_berth auto-update
    assert_output_matches "$HEADER_RE"
    assert_line_count 1
    # An unlabelled container, and a labelled one that is not running, are not looked at.
    run_berth run -d --stop-signal KILL "$IMAGE" sleep 1000
    run_berth create --label io.containers.autoupdate=registry "$IMAGE" true
    run_berth auto-update --dry-run
    assert_output_matches "$HEADER_RE"
    assert_line_count 1
    run_berth auto-update --help
    assert_output_contains "--rollback"
}

@test "auto-update registry: a container of the image that was pushed from here is up to date" {
    local repo id
    repo=$(au_repo):latest
    build_version "$repo" v1
    run_berth push -q "$repo"
    run_labelled au-pushed registry "$repo"
    id=$cid
    run_berth auto-update --format "$ROW"
    assert_output_equals "au-pushed registry false"
    run_berth inspect --format '{{.Id}} {{.State.Status}}' au-pushed
    assert_output_equals "$id running"
}
