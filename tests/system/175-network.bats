#!/usr/bin/env bats
# --network pasta and -p/--publish: a published port reaches a server in the
# container over pasta, `port` shows the mapping, rm -f frees the port and
# leaves no pasta behind; bad -p values and -p without pasta are refused.
# Only 127.0.0.1 is used on the host side.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -f -a >/dev/null 2>&1 || true
}

# free_port: a TCP port nobody listens on at 127.0.0.1.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 10000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# pastas_of ID: pids of pasta processes started for container ID.
pastas_of() {
    pgrep -f "pasta .*$BERTH_TEST_ROOT/run/containers/$1" || true
}

# bats test_tags=berth-only
@test "run -p publishes a port through pasta; port shows it; rm -f frees it" {
    # berth-only: Podman 4.3.1 has no pasta network mode.
    command -v pasta >/dev/null || skip "pasta (passt) not installed"
    local port
    port=$(free_port)
    run_berth run -d -p "127.0.0.1:$port:80" "$IMAGE" \
        sh -c 'mkdir -p /www && echo hello-from-berth > /www/index.html && exec httpd -f -p 80 -h /www'
    local cid=$output
    local body=""
    for i in $(seq 1 50); do
        body=$(curl -s --max-time 2 "http://127.0.0.1:$port/" || true)
        [[ $body == hello-from-berth ]] && break
        sleep 0.1
    done
    assert_equal "$body" "hello-from-berth" "page fetched through the published port"
    [[ -n $(pastas_of "$cid") ]] || { echo "no pasta process for $cid" >&2; false; }

    run_berth port "$cid"
    assert_output_equals "80/tcp -> 127.0.0.1:$port"
    run_berth port "$cid" 80
    assert_output_equals "127.0.0.1:$port"
    run_berth ps --format '{{.Ports}}' --filter "id=$cid"
    assert_output_equals "127.0.0.1:$port->80/tcp"
    run_berth inspect --format '{{json .HostConfig.PortBindings}}' "$cid"
    assert_output_contains "\"HostPort\":\"$port\""
    run_berth inspect --format '{{.HostConfig.NetworkMode}}' "$cid"
    assert_output_equals "pasta"

    # The host port is taken: pasta's error, exit 125, nothing left behind.
    run_berth --exit 125 run --rm -p "127.0.0.1:$port:80" "$IMAGE" true
    assert_output_contains "start pasta"
    assert_output_contains "$port"

    run_berth rm -f "$cid"
    [[ -z $(pastas_of "$cid") ]] || { echo "pasta left behind after rm -f: $(pastas_of "$cid")" >&2; false; }
    if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
        echo "port $port still open after rm -f" >&2
        false
    fi
}

# bats test_tags=berth-only
@test "--network pasta without -p gives a network that is up; pasta goes with the container" {
    # berth-only: Podman 4.3.1 has no pasta network mode.
    command -v pasta >/dev/null || skip "pasta (passt) not installed"
    run_berth run --rm --network pasta "$IMAGE" sh -c 'ip -o link show up | grep -c -v " lo:"'
    assert_output_equals "1"
    run_berth run --rm --net pasta "$IMAGE" true
    run_berth ps -a -q
    assert_output_equals ""
    [[ -z $(pastas_of) ]] || { echo "pasta left behind by run --rm: $(pastas_of)" >&2; false; }
    run_berth run -d --network pasta "$IMAGE" sleep 1000
    run_berth run -d --network pasta "$IMAGE" sleep 1000
    [[ $(pastas_of | wc -l) -eq 2 ]] || { echo "expected 2 pasta processes: $(pastas_of)" >&2; false; }
    run_berth rm -f -a
    [[ -z $(pastas_of) ]] || { echo "pasta left behind by rm -f -a: $(pastas_of)" >&2; false; }
}

# bats test_tags=berth-only
@test "a malformed -p is refused with 125 naming it; with --network none or host -p is dropped with a warning" {
    # berth-only: differs from Podman 4.3.1, which takes a port range in -p; berth refuses ranges (not supported yet).
    run_berth --exit 125 run --rm -p 80-81:80-81 "$IMAGE" true
    assert_output_contains "80-81:80-81"
    run_berth --exit 125 create -p abc "$IMAGE" true
    assert_output_contains "-p/--publish \"abc\""
    run_berth ps -a -q
    assert_output_equals ""
    # As Podman: the container runs, without the ports.
    run_berth run --rm -p 8080:80 --network none "$IMAGE" true
    assert_output_contains "Port mappings have been discarded"
    run_berth run --rm -p 8080:80 --network host "$IMAGE" true
    assert_output_contains "Port mappings have been discarded"
    run_berth ps -a -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "--network pasta in a user namespace of the container's own" {
    # berth-only: Podman 4.3.1 has no pasta network mode.
    command -v pasta >/dev/null || skip "pasta (passt) not installed"
    local userns=(--userns=keep-id)
    is_rootless || userns=(--uidmap 0:200000:1000 --gidmap 0:200000:1000)
    chmod o+x "$BERTH_TEST_ROOT"  # the container's root walks to its rootfs
    run_berth run --rm "${userns[@]}" --network pasta "$IMAGE" \
        sh -c 'ip -o link show up | grep -c -v " lo:"; cat /proc/self/uid_map'
    assert_output_matches "^1$"
    is_rootless || assert_output_contains "200000"
    [[ -z $(pastas_of) ]] || { echo "pasta left behind: $(pastas_of)" >&2; false; }
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 starts pasta with its default, which maps the
# gateway address to the host's loopback (the rule this test holds is Podman's
# for slirp4netns: loopback only with allow_host_loopback=true).
@test "--network pasta: a service the host binds to 127.0.0.1 is not reachable through the gateway" {
    command -v pasta >/dev/null || skip "pasta (passt) not installed"
    command -v python3 >/dev/null || skip "python3 not installed"
    local port
    port=$(free_port)
    mkdir -p "$BATS_TEST_TMPDIR/www"
    echo host-loopback-secret >"$BATS_TEST_TMPDIR/www/secret"
    python3 -m http.server "$port" --bind 127.0.0.1 --directory "$BATS_TEST_TMPDIR/www" >/dev/null 2>&1 &
    local server=$!
    local i
    for i in $(seq 1 50); do
        (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break
        sleep 0.1
    done
    # The service is up on the host's loopback...
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { kill $server; echo "server did not start" >&2; false; }
    # ...and not reachable from the container, at its gateway or at 127.0.0.1.
    run_berth run --rm --network pasta "$IMAGE" sh -c "
        gw=\$(ip route | awk '/default/ { print \$3; exit }')
        echo gateway=\$gw
        timeout 5 wget -q -O- http://\$gw:$port/secret
        timeout 5 wget -q -O- http://127.0.0.1:$port/secret
        true"
    kill $server
    assert_output_contains "gateway="
    assert_output_not_contains "host-loopback-secret"
}
