#!/usr/bin/env bats
# Pods, what their containers do: pod top (the processes of every running
# container, the infra's too, one header), pod logs (every member but the
# infra, each line prefixed by the short ID or --names the name, as Podman 4.3
# which counts the infra; none with -c; -f, -t, --tail, --since), pod stats
# (one row per running container, Podman's columns), and pod clone (a new pod
# with the same options, its infra, and a copy of each member). Each with the
# errors Podman gives: an unknown pod (exit 125 and a one-line error naming
# it), an unknown descriptor, a container that is not in the pod, a taken name.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet pod rm -a -f -t 0 >/dev/null 2>&1 || true
    berth_quiet rm -f -a -t 0 >/dev/null 2>&1 || true
}

# assert_unknown_pod: the last run_berth failed with 125 and one line naming nosuchpod.
assert_unknown_pod() {
    assert_equal "$status" 125 "exit status"
    assert_line_count 1
    assert_output_matches "^Error: .*no pod with name or ID nosuchpod found"
}

@test "pod top: the processes of every running container, the infra's too, one header" {
    run_berth pod create --name tp
    run_berth run -d --pod tp --name tp1 "$IMAGE" sleep 1001
    run_berth run -d --pod tp --name tp2 "$IMAGE" sleep 1002
    run_berth pod top tp
    assert_line_count 4
    assert_output_matches '^USER +PID +PPID +%CPU +ELAPSED +TTY +TIME +COMMAND$'
    # The infra's pause process (Podman's catatonit, berth-init for berth).
    assert_output_matches ' -P *$'
    assert_output_matches '^root +1 +0 +.* sleep 1001 *$'
    assert_output_matches '^root +1 +0 +.* sleep 1002 *$'
    # Descriptors as one comma-separated word or as several words.
    run_berth pod top tp pid,comm
    assert_output_matches '^PID +COMMAND$'
    assert_output_matches '^1 +sleep$'
    assert_line_count 4
    run_berth pod top tp pid args
    assert_output_matches '^1 +sleep 1002 *$'
    # A stopped member is left out.
    run_berth stop -t 0 tp1
    run_berth pod top tp args
    assert_line_count 3
    assert_output_not_contains "sleep 1001"
}

@test "pod top: a pod none of whose containers runs prints nothing" {
    run_berth pod create --name idle
    run_berth create --pod idle "$IMAGE" true
    run_berth pod top idle
    assert_output_equals ""
}

@test "pod top errors: unknown pod, unknown descriptor, no pod" {
    run_berth --exit 125 pod top nosuchpod
    assert_unknown_pod
    run_berth pod create --name tperr
    run_berth run -d --pod tperr "$IMAGE" sleep 1000
    run_berth --exit 125 pod top tperr pid,bogus
    assert_line_count 1
    assert_output_matches "^Error: .*bogus.*unknown descriptor|^Error: .*unknown descriptor.*bogus"
    run_berth --exit 125 pod top
    assert_line_count 1
    assert_output_contains "you must provide the name or id of a running pod"
}

@test "pod logs: every member but the infra, prefixed by short ID or --names; -c without prefix" {
    run_berth pod create --name lp
    run_berth run --pod lp --name lp1 "$IMAGE" sh -c 'echo one; echo err >&2'
    run_berth run --pod lp --name lp2 "$IMAGE" sh -c 'echo two'
    local id1 id2
    id1=$(berth_quiet inspect --format '{{.Id}}' lp1 2>&1)
    id2=$(berth_quiet inspect --format '{{.Id}}' lp2 2>&1)
    run_berth pod logs lp
    assert_line_count 3
    assert_output_matches "^${id1:0:12} one$"
    assert_output_matches "^${id1:0:12} err$"
    assert_output_matches "^${id2:0:12} two$"
    run_berth pod logs --names lp
    assert_line_count 3
    assert_output_matches '^lp1 one$'
    assert_output_matches '^lp1 err$'
    assert_output_matches '^lp2 two$'
    run_berth pod logs -c lp1 lp
    assert_output_equals $'one\nerr'
    run_berth pod logs --container lp1 --names lp
    assert_output_equals $'one\nerr'
    run_berth pod logs --tail 1 --names lp
    assert_line_count 2
    assert_output_matches '^lp1 err$'
    assert_output_matches '^lp2 two$'
    run_berth pod logs -t -c lp2 lp
    assert_output_matches '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+) two$'
    run_berth pod logs --since 10m -c lp2 lp
    assert_output_equals "two"
}

@test "pod logs: one member is prefixed too (the infra counts); -f prints new lines; a pod of only its infra prints nothing" {
    run_berth pod create --name lone
    run_berth pod logs lone
    assert_output_equals ""
    run_berth run -d --pod lone --name lone1 "$IMAGE" sh -c 'echo first; sleep 3; echo second; sleep 1000'
    # Podman 4.3 follows while the infra runs: stop following once "second" is there.
    local out=$BATS_TEST_TMPDIR/follow.out i
    "$BERTH" $BERTH_GLOBAL_OPTS pod logs -f --names lone >"$out" 2>&1 3>&- &
    local pid=$!
    for i in $(seq 1 100); do
        grep -q second "$out" && break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" || true
    assert_equal "$(cat "$out")" $'lone1 first\nlone1 second' "pod logs -f output"
}

# bats test_tags=berth-only
@test "pod logs -f returns when the members have stopped" {
    # berth-only: Podman 4.3.1 keeps following while the infra container runs.
    run_berth pod create --name ends
    run_berth run -d --pod ends --name ends1 "$IMAGE" sh -c 'echo first; sleep 2; echo second'
    run_berth pod logs -f ends
    assert_line_count 2
    assert_output_matches '^[0-9a-f]{12} first$'
    assert_output_matches '^[0-9a-f]{12} second$'
}

@test "pod logs errors: unknown pod, container not in the pod, unknown container, no pod" {
    run_berth --exit 125 pod logs nosuchpod
    assert_unknown_pod
    run_berth pod create --name lerr
    run_berth create --name outsider "$IMAGE" true
    run_berth --exit 125 pod logs -c outsider lerr
    assert_line_count 1
    assert_output_matches "^Error: container outsider is not in pod lerr"
    run_berth --exit 125 pod logs -c nosuchctr lerr
    assert_line_count 1
    assert_output_matches "^Error: .*nosuchctr"
    run_berth --exit 125 pod logs
    assert_line_count 1
    assert_output_contains "specify at least one pod name or ID to log"
}

# bats test_tags=berth-only
@test "pod stats: one row per running container with Podman's columns; --format, json, all pods" {
    # berth-only: Podman 4.3.1 refuses pod stats rootless without cgroup v2
    # (the test hosts), and Podman is run rootless only.
    run_berth pod create --name sp
    local pod=$output
    run_berth run -d --pod sp --name sp1 "$IMAGE" sleep 1000
    run_berth pod stats --no-stream sp
    assert_line_count 3
    assert_output_matches '^POD +CID +NAME +CPU % +MEM USAGE/ LIMIT +MEM % +NET IO +BLOCK IO +PIDS$'
    assert_output_matches "^${pod:0:12} +[0-9a-f]{12} +sp1 +[0-9.]+% +.* / .* +[0-9.]+% +.* +1$"
    assert_output_matches "^${pod:0:12} +[0-9a-f]{12} +[0-9a-f]{12}-infra +"
    run_berth pod stats --no-stream --format '{{.Pod}} {{.Name}} {{.PIDS}}' sp
    assert_output_matches "^${pod:0:12} sp1 1$"
    run_berth pod stats --no-stream --format json sp
    assert_equal "$(json_get '[0]["Pod"]')" "${pod:0:12}"
    assert_equal "$(python3 -c 'import json, sys; print(",".join(sorted(json.loads(sys.argv[1])[0])))' "$output")" \
        "BlockIO,CID,CPU,Mem,MemUsage,MemUsageBytes,Name,NetIO,PIDS,Pod" "JSON keys"
    # Every pod without names (and with --all); an idle pod adds no rows.
    run_berth pod create --name idle
    run_berth pod stats --no-stream --format '{{.Name}}'
    assert_line_count 2
    assert_output_matches '^sp1$'
    run_berth pod stats --no-stream --all --format '{{.Name}}'
    assert_line_count 2
    run_berth pod stats --no-stream idle
    assert_output_matches '^-- +-- +-- +-- +-- +-- +-- +-- +--$'
}

# bats test_tags=berth-only
@test "pod stats errors: unknown pod, --all with names" {
    # berth-only: Podman 4.3.1 refuses pod stats rootless without cgroup v2.
    run_berth --exit 125 pod stats --no-stream nosuchpod
    assert_unknown_pod
    run_berth pod create --name serr
    run_berth --exit 125 pod stats --no-stream --all serr
    assert_line_count 1
    assert_output_contains "--all, --latest and arguments cannot be used together"
}

@test "pod clone: a new pod with the same options, its own infra and a copy of each member" {
    run_berth pod create --name orig --label team=blue
    local orig=$output
    run_berth create --pod orig --name member "$IMAGE" sh -c 'echo cloned; sleep 1000'
    run_berth pod clone orig
    local clone=$output
    [[ $clone =~ ^[0-9a-f]{64}$ && $clone != "$orig" ]] || { echo "not a new pod ID: $clone" >&2; false; }
    run_berth pod inspect --format '{{.Name}} {{.State}} {{.NumContainers}}' "$clone"
    assert_output_equals "orig-clone Created 2"
    run_berth pod inspect orig-clone
    assert_equal "$(json_get '["Labels"]["team"]')" "blue"
    local infra
    infra=$(json_get '["InfraContainerID"]')
    run_berth inspect --format '{{.Name}}' "$infra"
    assert_output_equals "${orig:0:12}-infra-clone"
    run_berth inspect --format '{{.Pod}}' member-clone
    assert_output_equals "$clone"
    # The copy runs in the new pod, with the original's command.
    run_berth pod start orig-clone
    run_berth pod ps --filter name=orig-clone --format '{{.Status}}'
    assert_output_equals "Running"
    run_berth pod ps --filter name='^orig$' --format '{{.Status}}'
    assert_output_equals "Created"
    run_berth pod logs -c member-clone orig-clone
    assert_output_equals "cloned"
}

# bats test_tags=berth-only
@test "pod clone: a member's copy keeps its restart policy and what --env-file gave it" {
    # berth-only: Podman 4.3.1's copy has on-failure with no retry count.
    printf 'FROM_FILE=yes\n' >"$BATS_TEST_TMPDIR/env"
    run_berth pod create --name keep
    run_berth create --pod keep --name kept --restart on-failure:3 --env-file "$BATS_TEST_TMPDIR/env" -e SET=1 \
        "$IMAGE" sh -c 'echo "$FROM_FILE $SET"'
    # The file was read at create: the copy does not need it.
    rm "$BATS_TEST_TMPDIR/env"
    run_berth pod clone keep
    run_berth inspect --format '{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' kept-clone
    assert_output_equals "on-failure 3"
    run_berth pod start keep-clone
    run_berth wait kept-clone
    run_berth pod logs -c kept-clone keep-clone
    assert_output_equals "yes 1"
}

# bats test_tags=berth-only
@test "pod clone keeps the namespaces the pod shares" {
    # berth-only: Podman 4.3.1's clone shares ipc, net and uts whatever the pod shared.
    run_berth pod create --name pidpod --share ipc,net,uts,pid
    run_berth pod clone pidpod
    run_berth pod inspect pidpod-clone
    assert_equal "$(python3 -c 'import json, sys; print(",".join(sorted(json.loads(sys.argv[1])["SharedNamespaces"])))' "$output")" \
        "ipc,net,pid,uts" "shared namespaces"
}

@test "pod clone --name, NAME, --start and --destroy; a second clone's names" {
    run_berth pod create --name src
    run_berth create --pod src --name worker "$IMAGE" sleep 1000
    run_berth pod clone --name named --start src
    run_berth pod ps --filter name=named --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
    assert_output_equals "named Running 2"
    # A second clone's copies take the next free name, as Podman's do.
    run_berth pod clone src
    run_berth pod ps --filter name=src-clone --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_equals "src-clone 2"
    run_berth container exists worker-clone1
    run_berth pod create --name gone
    run_berth create --pod gone --name worker2 "$IMAGE" sleep 1000
    run_berth pod clone --destroy gone positional
    run_berth pod ps --format '{{.Name}}'
    assert_output_matches '^positional$'
    assert_output_not_contains "gone"
    run_berth --exit 1 pod exists gone
    run_berth --exit 1 container exists worker2
    run_berth container exists worker2-clone
}

@test "pod clone errors: unknown pod, taken name" {
    run_berth --exit 125 pod clone nosuchpod
    assert_unknown_pod
    run_berth pod create --name first
    run_berth pod create --name second
    run_berth --exit 125 pod clone --name second first
    assert_line_count 1
    assert_output_contains "second"
    run_berth pod ps --format '{{.Name}}'
    assert_line_count 2
}
