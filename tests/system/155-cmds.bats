#!/usr/bin/env bats
# Commands and flags Podman has that berth lacked (issue 12): start --all and
# --filter, stop and restart --filter, stop --timeout, diff -l, ps --sort, cp --overwrite, --pause,
# -a=false and container-to-container copies, system df and system prune.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
}

# state_of NAME: the container's state word.
state_of() {
    timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS container inspect --format '{{.State.Status}}' "$1"
}

id_of() {
    timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS container inspect --format '{{.Id}}' "$1"
}

@test "start --all starts every container that is not running and prints full IDs" {
    run_berth create --name sa1 "$IMAGE" sleep 100
    run_berth create --name sa2 "$IMAGE" sleep 100
    run_berth run -d --name sa3 "$IMAGE" sleep 100
    local id1 id2
    id1=$(id_of sa1)
    id2=$(id_of sa2)
    run_berth start --all
    [[ $(sort <<<"$output") == "$(printf '%s\n%s\n' "$id1" "$id2" | sort)" ]]
    assert_equal "$(state_of sa1)" running
    assert_equal "$(state_of sa2)" running
    # nothing left to start: nothing printed
    run_berth start --all
    assert_output_equals ""
}

@test "start --filter picks containers as ps --filter does" {
    run_berth create --name sf1 --label team=a "$IMAGE" sleep 100
    run_berth create --name sf2 --label team=b "$IMAGE" sleep 100
    local id1
    id1=$(id_of sf1)
    run_berth start --filter label=team=a
    assert_output_equals "$id1"
    assert_equal "$(state_of sf1)" running
    assert_equal "$(state_of sf2)" created
    run_berth start --filter name=sf2 --filter status=created
    assert_output_equals "$(id_of sf2)"
    assert_equal "$(state_of sf2)" running
}

@test "start --all/--filter mistakes exit 125 and say what is wrong" {
    run_berth create --name sm1 "$IMAGE" true
    run_berth --exit 125 start --all sm1
    assert_output_contains "either start all containers or the container(s) provided in the arguments"
    run_berth --exit 125 start --filter bogus=1
    assert_output_contains "bogus is an invalid filter"
    run_berth --exit 125 start -a --all
    assert_output_contains "you cannot start and attach all containers at once"
    run_berth --exit 125 start
    assert_output_contains "start requires at least one argument"
    assert_equal "$(state_of sm1)" created
}

@test "stop --filter and restart --filter act on what ps --filter matches and print full IDs" {
    run_berth run -d --name sf1 --label team=a "$IMAGE" sleep 100
    run_berth run -d --name sf2 --label team=b "$IMAGE" sleep 100
    run_berth create --name sf3 --label team=a "$IMAGE" sleep 100
    run_berth stop -t 0 --filter label=team=a
    # every match, in any state: the created one is printed too, as Podman does
    [[ $(sort <<<"$output") == "$(printf '%s\n%s\n' "$(id_of sf1)" "$(id_of sf3)" | sort)" ]]
    assert_equal "$(state_of sf1)" exited
    assert_equal "$(state_of sf2)" running
    assert_equal "$(state_of sf3)" created
    run_berth restart -t 0 --filter name=sf1 --filter name=sf3
    [[ $(sort <<<"$output") == "$(printf '%s\n%s\n' "$(id_of sf1)" "$(id_of sf3)" | sort)" ]]
    assert_equal "$(state_of sf1)" running
    assert_equal "$(state_of sf3)" running
    assert_equal "$(state_of sf2)" running
    run_berth stop -t 0 --filter name=no-such-name
    assert_output_equals ""
    run_berth --exit 125 stop --filter name=sf1 sf1
    assert_output_contains "--filter takes no arguments"
    run_berth --exit 125 restart --filter bogus=1
    assert_output_contains "bogus is an invalid filter"
    assert_equal "$(state_of sf1)" running
}

@test "stop --timeout is stop -t" {
    run_berth run -d --name st1 "$IMAGE" sleep 100
    run_berth stop --timeout 0 st1
    assert_output_equals st1
    assert_equal "$(state_of st1)" exited
    run_berth run -d --name st2 "$IMAGE" sleep 100
    run_berth stop --timeout=1 st2
    assert_equal "$(state_of st2)" exited
    run_berth --exit 125 stop --timeout 1 nosuchcontainer
    assert_output_contains "nosuchcontainer"
}

# bats test_tags=berth-only
@test "restart --timeout is restart -t" {
    # berth-only: Podman 4.3.1's restart has no --timeout spelling (Podman 5's does).
    run_berth run -d --name rt1 "$IMAGE" sleep 100
    run_berth restart --timeout 0 rt1
    assert_output_equals rt1
    assert_equal "$(state_of rt1)" running
}

@test "diff -l shows the newest container's changes; --latest with a name or another format is refused" {
    run_berth run --name df1 "$IMAGE" true
    run_berth run --name df2 "$IMAGE" sh -c 'echo new >/latestfile'
    run_berth diff -l
    assert_output_matches '^A /latestfile$'
    run_berth diff --latest --format json
    [[ $(json_get '["added"]') == *'"/latestfile"'* ]]
    run_berth --exit 125 diff -l df1
    assert_output_contains "--latest and containers cannot be used together"
    run_berth --exit 125 diff --format '{{.}}' df2
    assert_output_contains "only supported value for '--format' is 'json'"
    run_berth --exit 125 diff
    assert_output_contains "requires a name, id, or the \"--latest\" flag"
}

@test "ps --sort orders by names, image, command, id and status; a bad key is refused" {
    # a second apart: berth records creation times in seconds
    run_berth create --name sort-b "$IMAGE" sleep 100
    sleep 1.1
    run_berth create --name sort-c "$IMAGE" echo c
    sleep 1.1
    run_berth create --name sort-a "$IMAGE" true
    run_berth ps -a --sort names --format '{{.Names}}'
    assert_output_equals "$(printf 'sort-a\nsort-b\nsort-c')"
    run_berth ps -a --sort command --format '{{.Names}}'
    assert_output_equals "$(printf 'sort-c\nsort-b\nsort-a')"
    run_berth ps -a --sort created --format '{{.Names}}'
    assert_output_equals "$(printf 'sort-b\nsort-c\nsort-a')"
    run_berth ps -a --sort id --format '{{.ID}}'
    assert_output_equals "$(sort <<<"$output")"
    run_berth start sort-b
    run_berth ps -a --sort status --format '{{.Names}}'
    [[ ${lines[2]} == sort-b ]]
    for key in image runningfor size; do
        run_berth ps -a --sort "$key" --format '{{.Names}}'
        assert_line_count 3
    done
    run_berth --exit 125 ps --sort bogus
    assert_output_contains '"bogus" is not a valid value'
}

@test "cp between two containers, and within one" {
    run_berth run -d --name cpa "$IMAGE" sh -c 'mkdir -p /src/sub; echo from-a >/src/sub/f; echo top >/src/t; sleep 100'
    run_berth create --name cpb "$IMAGE" true
    sleep 0.5
    run_berth cp cpa:/src/sub/f cpb:/copied
    run_berth cp cpa:/src cpb:/
    run_berth start -a cpb
    run_berth cp cpb:/copied "$BATS_TEST_TMPDIR/copied"
    [[ $(cat "$BATS_TEST_TMPDIR/copied") == from-a ]]
    run_berth cp cpb:/src/sub/f "$BATS_TEST_TMPDIR/deep"
    [[ $(cat "$BATS_TEST_TMPDIR/deep") == from-a ]]
    run_berth --exit 125 cp cpa:/no/such/file cpb:/x
    assert_output_contains "/no/such/file"
    run_berth --exit 125 cp cpa:/src/t nosuchcontainer:/x
    assert_output_contains "nosuchcontainer"
}

# bats test_tags=berth-only
@test "cp within one container" {
    # berth-only: Podman 4.3.1 hangs copying from a container to itself.
    run_berth run -d --name cpself "$IMAGE" sh -c 'echo self >/orig; sleep 100'
    sleep 0.5
    run_berth cp cpself:/orig cpself:/dup
    run_berth exec cpself cat /dup
    assert_output_equals self
}

@test "cp refuses to replace a directory by a file and vice versa unless --overwrite" {
    local dir=$BATS_TEST_TMPDIR
    mkdir -p "$dir/host/d"
    echo file >"$dir/host/sub"
    echo inner >"$dir/host/d/in"
    run_berth run -d --name cpo "$IMAGE" sh -c 'mkdir -p /dd/sub/x; echo old >/dd/d; sleep 100'
    sleep 0.5
    run_berth --exit 125 cp "$dir/host/sub" cpo:/dd/
    run_berth exec cpo test -d /dd/sub
    run_berth cp --overwrite "$dir/host/sub" cpo:/dd/
    run_berth exec cpo cat /dd/sub
    assert_output_equals file
    run_berth --exit 125 cp "$dir/host/d" cpo:/dd/
    run_berth exec cpo cat /dd/d
    assert_output_equals old
    run_berth cp --overwrite "$dir/host/d" cpo:/dd/
    run_berth exec cpo cat /dd/d/in
    assert_output_equals inner
}

@test "cp -a (default) gives copied files the container's user; -a=false and --archive=false keep the tar's" {
    local dir=$BATS_TEST_TMPDIR
    mkdir "$dir/src"
    echo owned >"$dir/src/owned.txt"
    tar -C "$dir/src" --owner=1234 --group=5678 -cf "$dir/in.tar" owned.txt
    run_berth run -d --name cpown "$IMAGE" sleep 100
    sleep 0.5
    run_berth exec cpown mkdir /a /b /c
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp - cpown:/a <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp -a=false - cpown:/b <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS cp --archive=false - cpown:/c <'$dir/in.tar'"
    [[ $status -eq 0 ]]
    run_berth exec cpown stat -c '%u:%g' /a/owned.txt /b/owned.txt /c/owned.txt
    assert_output_equals "$(printf '0:0\n1234:5678\n1234:5678')"
}

# bats test_tags=berth-only
@test "cp --pause pauses a running container for the copy and leaves it running" {
    # berth-only: Podman 4.3.1 accepts --pause but never pauses.
    run_berth run -d --name cpp "$IMAGE" sleep 100
    sleep 0.5
    echo paused-copy >"$BATS_TEST_TMPDIR/p.txt"
    run_berth cp --pause "$BATS_TEST_TMPDIR/p.txt" cpp:/p.txt
    run_berth exec cpp cat /p.txt
    assert_output_equals paused-copy
    assert_equal "$(state_of cpp)" running
    run_berth events --stream=false --filter event=pause --filter event=unpause --format '{{.Status}}'
    assert_output_contains "pause"
    assert_output_contains "unpause"
    # a stopped container is not paused, and --pause=false is accepted
    run_berth stop -t 0 cpp
    run_berth cp --pause=false "$BATS_TEST_TMPDIR/p.txt" cpp:/q.txt
    run_berth cp --pause cpp:/q.txt "$BATS_TEST_TMPDIR/q.txt"
    [[ $(cat "$BATS_TEST_TMPDIR/q.txt") == paused-copy ]]
}

@test "system df shows Podman's summary, -v the details, --format its fields" {
    run_berth volume create dfvol
    run_berth run --name dfc -v dfvol:/data "$IMAGE" sh -c 'echo 0123456789 >/data/ten'
    run_berth system df
    assert_output_matches '^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$'
    assert_output_matches '^Images +1 +1 +[0-9.]+[kM]?B +0B \(0%\)$'
    assert_output_matches '^Containers +1 +0 +'
    assert_output_matches '^Local Volumes +1 +1 +11B +0B \(0%\)$'
    run_berth system df --format '{{.Type}}|{{.Total}}|{{.Active}}'
    assert_output_equals "$(printf 'Images|1|1\nContainers|1|0\nLocal Volumes|1|1')"
    run_berth system df -v
    assert_output_contains "Images space usage:"
    assert_output_contains "Containers space usage:"
    assert_output_contains "Local Volumes space usage:"
    assert_output_matches '^dfvol +1 +11B$'
    assert_output_matches '^VOLUME NAME +LINKS +SIZE$'
    run_berth --exit 125 system df --format '{{.Bogus}}'
    run_berth rm dfc
    run_berth volume rm dfvol
}

# bats test_tags=berth-only
@test "system df --format json is one array of the three summaries" {
    # berth-only: Podman 4.3.1 prints the word "json" three times here (Podman 5 prints the array).
    run_berth system df --format json
    assert_equal "$(json_get '[0]["Type"]')" Images
    assert_equal "$(json_get '[2]["Type"]')" "Local Volumes"
}

@test "system prune asks even without a terminal; n keeps everything" {
    run_berth create --name keepme "$IMAGE" true
    run_berth system prune <<<"n"
    assert_output_contains "WARNING! This command removes:"
    assert_output_contains "all stopped containers"
    assert_output_contains "all dangling images"
    assert_output_contains "Are you sure you want to continue? [y/N]"
    run_berth container exists keepme
    run_berth --exit 125 system prune -a --volumes </dev/null
    assert_output_contains "all volumes not used by at least one container"
    assert_output_contains "all images without at least one container associated with them"
    run_berth container exists keepme
    run_berth --exit 125 system prune -f --filter bogus=1
    assert_output_contains "bogus is an invalid filter"
    run_berth container exists keepme
}

@test "system prune removes stopped containers, --volumes unused volumes, -a unused images" {
    run_berth create --name gone1 "$IMAGE" true
    run_berth run -d --name stays "$IMAGE" sleep 100
    run_berth volume create unusedvol
    run_berth system prune -f
    assert_output_contains "Deleted Containers"
    assert_output_matches '^Total reclaimed space: '
    run_berth --exit 1 container exists gone1
    run_berth container exists stays
    run_berth volume ls -q
    assert_output_equals unusedvol
    run_berth system prune -f --volumes
    assert_output_contains "Deleted Volumes"
    assert_output_contains "unusedvol"
    run_berth volume ls -q
    assert_output_equals ""
    # the image a running container uses stays, even with -a
    run_berth system prune -f -a
    run_berth image exists "$IMAGE"
    run_berth rm -f -t 0 stays
    run_berth system prune -f --filter label=nomatch=1 -a
    run_berth image exists "$IMAGE"
}

@test "container init readies a container without running it; start runs it" {
    run_berth create --name in1 "$IMAGE" sh -c 'echo ran'
    run_berth container init in1
    assert_output_equals in1
    assert_equal "$(state_of in1)" initialized
    run_berth ps -a --format '{{.Names}} {{.Status}}'
    assert_output_contains "in1 Initialized"
    run_berth --exit 125 init in1
    assert_output_contains "has already been created in runtime"
    run_berth start -a in1
    assert_output_equals ran
    assert_equal "$(state_of in1)" exited
    run_berth init in1
    assert_equal "$(state_of in1)" initialized
    run_berth rm in1
}

@test "container init --all prints every ID; a running container or no name is an error" {
    run_berth create --name in2 "$IMAGE" true
    run_berth run -d --name in3 "$IMAGE" sleep 100
    run_berth --exit 125 init in3
    assert_output_contains "has already been created in runtime"
    run_berth init --all
    assert_output_contains "$(id_of in2)"
    assert_output_contains "$(id_of in3)"
    assert_equal "$(state_of in2)" initialized
    assert_equal "$(state_of in3)" running
    run_berth --exit 125 init
    assert_output_contains "you must provide at least one name or id"
    run_berth --exit 125 init nosuchcontainer
    assert_output_contains "nosuchcontainer"
}

@test "container prune --filter until: a duration keeps younger containers; a bad value is exit 125 naming it" {
    run_berth create --name young "$IMAGE" true
    run_berth container prune -f --filter until=1h30m
    run_berth ps -a --format '{{.Names}}'
    assert_output_contains "young"
    run_berth --exit 125 container prune -f --filter until=bogus
    # berth names the filter; Podman 4.3.1 says "failed to parse value as time or duration".
    assert_output_matches '(invalid until filter|failed to parse value as time or duration):? "bogus"'
    run_berth --exit 125 container prune -f --filter until=1e300h
    assert_output_matches '(invalid until filter|failed to parse value as time or duration):? "1e300h"'
    run_berth ps -a --format '{{.Names}}'
    assert_output_contains "young"
}
