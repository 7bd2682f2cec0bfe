#!/usr/bin/env bats
# container clone: a copy of a container from the options it was created
# with, with the clone's own flags over them (Podman 4.3's command).

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

@test "container clone copies the command, environment and labels, named NAME-clone, then NAME-clone1" {
    run_berth create --name orig -e GREETING=hello --label team=blue "$IMAGE" sh -c 'echo $GREETING'
    run_berth container clone orig
    local id=$output
    [[ $id =~ ^[0-9a-f]{64}$ ]]
    run_berth inspect --format '{{.Name}} {{.Config.Labels.team}}' "$id"
    assert_output_equals "orig-clone blue"
    run_berth start -a orig-clone
    assert_output_equals "hello"
    run_berth container clone orig
    run_berth inspect --format '{{.Name}}' "$output"
    assert_output_equals "orig-clone1"
    # The original is untouched.
    run_berth inspect --format '{{.State.Status}}' orig
    assert_output_equals "created"
    run_berth rm orig orig-clone orig-clone1
}

# berth-only: Podman 4.3.1 rootless on this cgroup v1 host drops -m (inspect shows Memory 0); berth records it, warning that no cgroup enforces it.
# bats test_tags=berth-only
@test "container clone NAME IMAGE, -m, --run, and --destroy with and without -f" {
    run_berth create --name src2 "$IMAGE" sleep 300
    run_berth container clone -m 32m --run src2 copy2 "$IMAGE"
    run_berth inspect --format '{{.State.Status}} {{.HostConfig.Memory}}' copy2
    assert_output_equals "running 33554432"
    # A running original goes only with -f; without it the copy is made all the same.
    run_berth --exit 125 container clone --destroy copy2 copy3
    assert_output_contains "running"
    run_berth container exists copy2
    run_berth container exists copy3
    run_berth container clone --destroy -f copy2 copy4
    run_berth --exit 1 container exists copy2
    run_berth inspect --format '{{.HostConfig.Memory}}' copy4
    assert_output_equals "33554432"
    run_berth rm -f -t 0 src2 copy3 copy4
}

@test "container clone: bad use is an error naming it, and nothing is made" {
    run_berth create --name src3 "$IMAGE" true
    run_berth --exit 125 container clone -f src3
    assert_output_contains "cannot set --force without --destroy"
    run_berth --exit 125 container clone nosuch
    assert_output_contains "no container with name or ID \"nosuch\" found"
    run_berth --exit 125 container clone src3 src3
    assert_output_contains "already in use"
    run_berth ps -a --format '{{.Names}}' --filter name=src3
    assert_output_equals "src3"
    run_berth rm src3
}
