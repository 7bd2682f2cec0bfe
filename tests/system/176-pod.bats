#!/usr/bin/env bats
# Pods: pod create (with its infra container) and the pod commands, containers
# joining a pod with --pod (and --pod new:NAME), the namespaces they share
# (two members reach each other on 127.0.0.1), a port published on the pod
# reaching a member from the host, pod ps/inspect, the pod's lifecycle over
# its members (and --exit-policy stop), the pod's --volume in every member, and the errors Podman gives: an unknown pod, a taken name, -p
# on a member, rm of a pod that runs, rm of the infra container alone.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet pod rm -a -f >/dev/null 2>&1 || true
    berth_quiet rm -f -a >/dev/null 2>&1 || true
}

# busybox httpd serving "hello-from-pod" on port $1 inside the container.
httpd_on() {
    echo "mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p $1 -h /www"
}

@test "pod create prints the ID; pod ps lists it with Podman's columns; --format, -q, --no-trunc, --filter" {
    run_berth pod create --name p1 --label team=blue
    local id=$output
    [[ $id =~ ^[0-9a-f]{64}$ ]] || { echo "not a pod ID: $id" >&2; false; }
    run_berth pod ps
    assert_output_matches '^POD ID +NAME +STATUS +CREATED +INFRA ID +# OF CONTAINERS$'
    assert_output_matches "^${id:0:12} +p1 +Created +.* +[0-9a-f]{12} +1$"
    run_berth pod ps -q
    assert_output_equals "$id"
    run_berth pod ps --no-trunc --format '{{.ID}}'
    assert_output_equals "$id"
    run_berth pod ls --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}'
    assert_output_equals "p1 Created 1"
    run_berth pod create p2
    run_berth pod list --filter name=p2 --format '{{.Name}}'
    assert_output_equals "p2"
    run_berth pod ps --filter label=team=blue --format '{{.Name}}'
    assert_output_equals "p1"
    run_berth pod exists p1
    run_berth --exit 1 pod exists nosuchpod
}

@test "pod inspect: Id, Name, State, infra container, shared namespaces, containers" {
    run_berth pod create --name pi --hostname podhost
    local id=$output
    run_berth pod inspect pi
    assert_equal "$(json_get '["Id"]')" "$id"
    assert_equal "$(json_get '["Name"]')" "pi"
    assert_equal "$(json_get '["State"]')" "Created"
    assert_equal "$(json_get '["CreateInfra"]')" "true"
    # Podman lists them in Go's map order: compare them sorted.
    assert_equal "$(python3 -c 'import json, sys; print(",".join(sorted(json.loads(sys.argv[1])["SharedNamespaces"])))' "$output")" \
        "ipc,net,uts" "shared namespaces"
    assert_equal "$(json_get '["NumContainers"]')" "1"
    local infra
    infra=$(json_get '["InfraContainerID"]')
    assert_equal "$(json_get '["Containers"][0]["Id"]')" "$infra"
    assert_equal "$(json_get '["Containers"][0]["Name"]')" "${id:0:12}-infra"
    assert_equal "$(json_get '["Containers"][0]["State"]')" "created"
    run_berth pod inspect --format '{{.Name}} {{.NumContainers}}' pi
    assert_output_equals "pi 1"
}

@test "two containers in a pod reach each other on 127.0.0.1" {
    run_berth pod create --name web
    run_berth run -d --pod web --name server "$IMAGE" sh -c "$(httpd_on 8080)"
    run_berth run --rm --pod web "$IMAGE" sh -c \
        'for i in $(seq 1 50); do wget -q -O - http://127.0.0.1:8080/ && exit 0; sleep 0.1; done; exit 1'
    assert_output_equals "hello-from-pod"
    run_berth pod ps --format '{{.Status}} {{.NumberOfContainers}}'
    assert_output_equals "Running 2"
    run_berth ps --pod --format '{{.Names}} {{.PodName}}' --filter pod=web
    assert_output_matches '^server web$'
    assert_output_matches '-infra web$'
    run_berth inspect --format '{{.Pod}}' server
    assert_equal "$output" "$(berth_quiet pod inspect --format '{{.Id}}' web 2>&1)"
}

# bats test_tags=berth-only
@test "a port published on the pod reaches a member from the host" {
    # berth-only: Podman 4.3.1 publishes a rootless pod's ports through
    # slirp4netns or rootlessport, with a pulled infra image of its own.
    local port
    port=$(free_port)
    run_berth pod create --name pub -p "127.0.0.1:$port:8080"
    run_berth run -d --pod pub "$IMAGE" sh -c "$(httpd_on 8080)"
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-from-pod" "page fetched through the pod's published port"
}

@test "pod stop stops members and infra; pod start starts them again; pod rm -f removes all" {
    run_berth pod create --name life
    run_berth create --pod life --name member "$IMAGE" sleep 1000
    run_berth pod start life
    wait_state member running
    run_berth pod ps --format '{{.Status}}'
    assert_output_equals "Running"
    run_berth pod stop -t 0 life
    run_berth pod ps --format '{{.Status}}'
    assert_output_equals "Exited"
    run_berth pod start life
    wait_state member running
    run_berth pod rm -f life
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
    run_berth pod ps -q
    assert_output_equals ""
}

@test "pod create --exit-policy: stop stops the pod when its last container exits, continue keeps its infra running" {
    run_berth pod create --exit-policy stop pstop
    run_berth pod inspect --format '{{.ExitPolicy}}' pstop
    assert_output_equals stop
    # Two members: the pod runs on while one of them does.
    run_berth run -d --pod pstop --name stay "$IMAGE" sleep 1000
    run_berth run --pod pstop "$IMAGE" true
    run_berth pod inspect --format '{{.State}}' pstop
    assert_output_equals Degraded
    # The last one stops: so does the pod, its infra included.
    run_berth stop -t 0 stay
    wait_pod_state pstop Exited
    run_berth inspect --format '{{.State.Status}}' "$(berth_quiet pod inspect --format '{{.InfraContainerID}}' pstop 2>&1)"
    assert_output_equals exited
    # A detached member that exits on its own (its monitor's cleanup) stops the pod too.
    run_berth pod create --exit-policy stop pdetached
    run_berth run -d --pod pdetached "$IMAGE" true
    wait_pod_state pdetached Exited
    # The default: the infra keeps the pod running.
    run_berth pod create pcontinue
    run_berth pod inspect --format '{{.ExitPolicy}}' pcontinue
    assert_output_equals continue
    run_berth run --pod pcontinue "$IMAGE" true
    run_berth pod inspect --format '{{.State}}' pcontinue
    assert_output_equals Degraded
    run_berth inspect --format '{{.State.Status}}' "$(berth_quiet pod inspect --format '{{.InfraContainerID}}' pcontinue 2>&1)"
    assert_output_equals running
    run_berth --exit 125 pod create --exit-policy often pbad
    assert_output_contains 'invalid pod exit policy: "often"'
}

@test "pod create --volume: every member mounts the pod's volumes; a member's own volume at the same path is a conflict" {
    echo on-the-host >"$BATS_TEST_TMPDIR/h"
    run_berth pod create --name vols -v podvol:/shared -v "$BATS_TEST_TMPDIR:/host"
    run_berth run --rm --pod vols "$IMAGE" sh -c 'echo from-the-first > /shared/f'
    run_berth run --rm --pod vols "$IMAGE" cat /shared/f /host/h
    assert_output_equals "from-the-first
on-the-host"
    run_berth --exit 125 run --rm --pod vols -v own:/shared "$IMAGE" true
    assert_output_contains '"/shared": duplicate mount destination'
    run_berth pod rm -f vols
    run_berth volume rm podvol
}

@test "run --pod new:NAME creates the pod; rm of its last member leaves the pod" {
    run_berth run --pod new:fresh --name lone "$IMAGE" true
    run_berth pod ps --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_equals "fresh 2"
    run_berth rm lone
    run_berth pod ps --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_equals "fresh 1"
}

# bats test_tags=berth-only
@test "--network on a member of a pod that shares its network is refused" {
    # berth-only: Podman 4.3.1 accepts --network none on such a member.
    run_berth pod create --name netpod
    run_berth --exit 125 run --pod netpod --network none "$IMAGE" true
    assert_output_contains "networks must be defined when the pod is created"
    run_berth --exit 125 create --pod netpod --network host "$IMAGE" true
    assert_output_contains "network cannot be configured when it is shared with a pod"
}

@test "errors: unknown pod, taken name, -p on a member, rm of a running pod, rm of the infra container" {
    run_berth --exit 125 run --pod nosuchpod "$IMAGE" true
    assert_output_contains "nosuchpod"
    assert_output_contains "no pod with name or ID"
    run_berth pod create --name taken
    run_berth --exit 125 pod create --name taken
    assert_output_contains "taken"
    run_berth --exit 125 run --pod taken -p 8080:80 "$IMAGE" true
    assert_output_contains "published or exposed ports must be defined when the pod is created"
    run_berth run -d --pod taken "$IMAGE" sleep 1000
    run_berth --exit 125 pod rm taken
    assert_output_matches "removing container [0-9a-f]{64} from pod [0-9a-f]{64}: cannot remove container [0-9a-f]{64} as it is running"
    local infra
    infra=$(berth_quiet pod inspect --format '{{.InfraContainerID}}' taken 2>&1)
    run_berth --exit '?' rm -f "$infra"
    assert_failed_with "is the infra container of pod .* and cannot be removed without removing the pod"
    run_berth pod rm -f taken
    run_berth --exit 1 pod exists taken
}
