#!/usr/bin/env bats
# Containers on user-defined networks (netavark and aardvark-dns): addresses
# from the network's subnet, name and alias resolution between containers of
# one network, isolation from other networks, --internal without a default
# route, static --ip, inspect's NetworkSettings.Networks, -p through
# netavark's forwarding as root, leases given back when a container stops
# and unique under concurrent starts, `network rm -f` with running
# containers, and the errors: an unknown network, a taken address.
#
# Each network gets its own subnet (10.178.N.0/24 as root, 10.179.N.0/24 rootless) and bridge name, so that
# the stores of test files running beside this one (as root the bridges
# share the host's namespace) never collide with it.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
# Root and rootless runs of this file go side by side: as root the bridges
# are on the host, where the rootless run's network create would see them.
P=10.178
is_rootless && P=10.179
PR=${P/./\\.}  # as a regular expression

setup_file() {
    berth_setup_file
    pull_fixture busybox
    [[ -n $(ls /usr/lib/podman/netavark /usr/libexec/podman/netavark 2>/dev/null) ]] || skip "netavark is not installed"
}

teardown() {
    berth_quiet rm -f -a -t 0 >/dev/null 2>&1 || true
    berth_quiet network prune -f >/dev/null 2>&1 || true
}

# mknet NAME N [OPTIONS...]: a network on $P.N.0/24 with the bridge bt<pid>N.
mknet() {
    local name=$1 n=$2
    shift 2
    run_berth network create --subnet "$P.$n.0/24" --interface-name "bt$(( $$ % 100000 ))n$n" "$@" "$name"
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 starts aardvark-dns through systemd, absent here,
# so rootless Podman resolves no container names.
@test "two containers on a network reach each other by name and by alias; another network does not resolve them" {
    mknet front 1
    mknet back 2
    run_berth run -d --name web --network front --network-alias www "$IMAGE" \
        sh -c 'mkdir -p /www && echo hello-from-web > /www/index.html && exec httpd -f -p 80 -h /www'
    run_berth run --rm --network front "$IMAGE" sh -c 'for i in $(seq 1 50); do wget -q -O- http://web/ && break; sleep 0.1; done'
    assert_output_equals "hello-from-web"
    run_berth run --rm --network front "$IMAGE" wget -q -O- http://www/
    assert_output_equals "hello-from-web"
    # The same name from another network does not resolve. (Its address is
    # routed, as in Podman: networks are isolated only with -o isolate=true,
    # which Debian 12's netavark 1.4 does not have.)
    local ip
    ip=$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.NetworkSettings.Networks.front.IPAddress}}' web)
    [[ $ip =~ ^$PR\.1\.[0-9]+$ ]] || { echo "web's address $ip is not in front's subnet" >&2; false; }
    run_berth --exit 1 run --rm --network back "$IMAGE" wget -q -O- http://web/
    assert_output_contains "bad address 'web'"
}

@test "a container gets an address of the subnet; inspect shows it, the gateway and the aliases" {
    mknet n3 3
    run_berth run -d --name a3 --network n3:alias=first,alias=second "$IMAGE" sleep 1000
    run_berth inspect --format '{{.NetworkSettings.Networks.n3.IPAddress}} {{.NetworkSettings.Networks.n3.Gateway}} {{.NetworkSettings.Networks.n3.IPPrefixLen}} {{.NetworkSettings.IPAddress}}' a3
    assert_output_equals "$P.3.2 $P.3.1 24 $P.3.2"
    run_berth inspect --format '{{.HostConfig.NetworkMode}} {{range .NetworkSettings.Networks.n3.Aliases}}{{.}} {{end}}' a3
    assert_output_matches '^bridge first second $'
    run_berth inspect --format '{{.NetworkSettings.Networks.n3.MacAddress}}' a3
    assert_output_matches '^([0-9a-f]{2}:){5}[0-9a-f]{2}$'
    # The container sees the same address on eth0, and a default route through the gateway.
    run_berth exec a3 sh -c 'ip -4 -o addr show eth0; ip route'
    assert_output_contains "inet $P.3.2/24"
    assert_output_contains "default via $P.3.1"
    # /etc/hosts names the container by its address; resolv.conf asks aardvark-dns at the gateway.
    run_berth exec a3 cat /etc/hosts /etc/resolv.conf
    assert_output_matches "^$PR\\.3\\.2[[:space:]].*a3"
    assert_output_matches "^nameserver $PR\\.3\\.1\$"
}

@test "--ip gives a static address; a taken one is refused and the container does not start" {
    mknet n4 4
    run_berth run -d --name s1 --network n4 --ip $P.4.50 "$IMAGE" sleep 1000
    run_berth inspect --format '{{.NetworkSettings.Networks.n4.IPAddress}}' s1
    assert_output_equals "$P.4.50"
    run_berth --exit 125 run -d --name s2 --network n4 --ip $P.4.50 "$IMAGE" sleep 1000
    assert_output_contains "$P.4.50 is already allocated"
    run_berth inspect --format '{{.State.Status}}' s2
    assert_output_equals "created"
    run_berth --exit 125 create --network n4 --ip 10.99.0.5 "$IMAGE" true
    assert_output_contains "not in any subnet on network n4"
    run_berth --exit 125 create --network none --ip $P.4.9 "$IMAGE" true
    assert_output_contains "need a user-defined network"
}

@test "an unknown network is an error naming it, exit 125, and no container is left" {
    run_berth --exit 125 run --rm --network nosuchnet "$IMAGE" true
    assert_output_contains "unable to find network with name or ID nosuchnet: network not found"
    run_berth --exit 125 create --name ghost --network "bad name" "$IMAGE" true
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
}

@test "an --internal network has no default route; a normal one has" {
    mknet inside 5 --internal
    run_berth run --rm --network inside "$IMAGE" ip route
    assert_output_not_contains "default"
    assert_output_contains "$P.5.0/24"
}

@test "addresses are given back when containers stop, and unique when 20 start at once" {
    mknet n6 6
    run_berth run --rm --network n6 "$IMAGE" sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "$P.6.2/24"
    # The lease of the first is free again.
    run_berth run --rm --network n6 "$IMAGE" sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "$P.6.2/24"
    local i pids=()
    for i in $(seq 1 20); do
        timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS run -d --name c$i --network n6 "$IMAGE" sleep 1000 >/dev/null 2>"$BATS_TEST_TMPDIR/err$i" &
        pids+=($!)
    done
    local failed=0
    for i in "${!pids[@]}"; do wait "${pids[$i]}" || { failed=1; cat "$BATS_TEST_TMPDIR/err$((i + 1))" >&2; }; done
    assert_equal "$failed" 0 "every concurrent run -d succeeded"
    run_berth inspect --format '{{.NetworkSettings.Networks.n6.IPAddress}}' $(seq -f 'c%g' 1 20)
    assert_equal "$(sort -u <<<"$output" | grep -c "^$PR\\.6\\.")" 20 "distinct addresses"
    # network rm -f removes them (stopping them) and the network.
    run_berth network rm -f -t 0 n6
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
    run_berth --exit 1 network exists n6
}

# bats test_tags=berth-only
# berth-only: the message is berth's own (rootless Podman 4.3 forwards with rootlessport).
@test "-p with a user-defined network: served through netavark as root; refused rootless" {
    mknet n7 7
    local port
    port=$(free_port)
    if is_rootless; then
        run_berth --exit 125 run -d -p "$port:80" --network n7 "$IMAGE" true
        assert_output_contains "not supported rootless yet"
        return 0
    fi
    run_berth run -d -p "$port:80" --network n7 "$IMAGE" sh -c 'mkdir -p /www && echo hello-on-n7 > /www/index.html && exec httpd -f -p 80 -h /www'
    local cid=$output
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-on-n7" "page fetched through netavark's port forwarding"
    run_berth port "$cid"
    assert_output_contains "80/tcp -> 0.0.0.0:$port"
}

@test "stopping a container removes its interface on the bridge; the network can then be removed" {
    mknet n8 8
    run_berth run -d --name v8 --network n8 "$IMAGE" sleep 1000
    run_berth --exit 2 network rm n8
    assert_output_contains "has associated containers"
    run_berth stop -t 0 v8
    run_berth rm v8
    run_berth network rm n8
    if ! is_rootless; then
        # Nothing stays on the host: netavark took the bridge away with its last container.
        run ip -o link
        assert_output_not_contains "bt$(( $$ % 100000 ))n8"
    fi
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1's rootless aardvark-dns does not start here (systemd).
@test "network connect and disconnect take effect on a running container" {
    mknet n9 9
    mknet n10 10
    run_berth run -d --name srv --network n10 "$IMAGE" \
        sh -c 'mkdir -p /www && echo hello-on-n10 > /www/index.html && exec httpd -f -p 80 -h /www'
    run_berth run -d --name cli --network n9 "$IMAGE" sleep 1000
    run_berth exec cli sh -c 'ip -o link | grep -c eth1 || true'
    assert_output_equals "0"
    run_berth network connect --alias other n10 cli
    run_berth inspect --format '{{.NetworkSettings.Networks.n10.IPAddress}}' cli
    assert_output_matches "^$PR\\.10\\.[0-9]+$"
    run_berth exec cli sh -c 'ip -4 -o addr show eth1'
    assert_output_contains "inet $P.10."
    run_berth exec cli sh -c 'for i in $(seq 1 50); do wget -q -O- http://srv/ && break; sleep 0.1; done'
    assert_output_equals "hello-on-n10"
    run_berth exec srv sh -c 'for i in $(seq 1 50); do nslookup other >/dev/null 2>&1 && echo found && break; sleep 0.1; done'
    assert_output_equals "found"
    run_berth --exit 125 network connect n10 cli
    assert_output_contains "already connected to network n10"
    run_berth network disconnect n10 cli
    run_berth exec cli sh -c 'ip -o link | grep -c eth1 || true'
    assert_output_equals "0"
    run_berth --exit 125 network disconnect n10 cli
    assert_output_contains "not connected to network n10"
    run_berth --exit 125 network disconnect n9 cli
    assert_output_contains "last network"
    run_berth --exit 125 network connect nosuchnet cli
    assert_output_contains "network not found"
    # A container in another mode cannot be connected.
    run_berth create --name lone --network none "$IMAGE" true
    run_berth --exit 125 network connect n9 lone
    assert_output_contains "not on a user-defined network"
}
