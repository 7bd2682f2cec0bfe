#!/usr/bin/env bats
# Containers on user-defined networks (netavark and aardvark-dns): addresses
# from the network's subnet, name and alias resolution between containers of
# one network, isolation from other networks (berth's own rules: by address
# too), --internal without a default
# route, static --ip and --ip6, --mac-address, inspect's
# NetworkSettings.Networks, -p through netavark's forwarding as root, leases
# given back when a container stops and unique under concurrent starts,
# `network rm -f` with running containers, `network disconnect -f`, and the
# errors: an unknown network, a taken address, an address outside the
# subnets, an invalid MAC address, a bridge name (--interface-name) that is
# taken or invalid.
#
# Each network gets its own subnet (10.178.N.0/24 as root, 10.179.N.0/24 rootless) and bridge name, so that
# the stores of test files running beside this one (as root the bridges
# share the host's namespace) never collide with it.

load ../lib/helpers
load ../lib/udp

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

# mknet NAME N [OPTIONS...]: a network on $P.N.0/24; as root with the bridge
# bt<pid>nN (rootless bridges are in the user's own network namespace).
mknet() {
    local name=$1 n=$2
    shift 2
    local bridge=()
    is_rootless || bridge=(--interface-name "bt$(( $$ % 100000 ))n$n")
    run_berth network create --subnet "$P.$n.0/24" "${bridge[@]}" "$@" "$name"
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
    # The same name from another network does not resolve (and its address
    # is not reachable from there: the next test).
    local ip
    ip=$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.NetworkSettings.Networks.front.IPAddress}}' web)
    [[ $ip =~ ^$PR\.1\.[0-9]+$ ]] || { echo "web's address $ip is not in front's subnet" >&2; false; }
    run_berth --exit 1 run --rm --network back "$IMAGE" wget -q -O- http://web/
    assert_output_contains "bad address 'web'"
}

# reach NETWORK IP: whether a container on NETWORK connects to IP:80 ("reached" or "blocked").
reach() {
    run_berth run --rm --network "$1" "$IMAGE" sh -c "nc -w 2 $2 80 </dev/null >/dev/null 2>&1 && echo reached || echo blocked"
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1's netavark 1.4 does not isolate networks (its
# FORWARD rules accept whatever a network's subnet sends, and it has no
# isolate option), so there a container on another network reaches it.
@test "networks are isolated: another network cannot reach a container's address; its own, a published port and isolate=false can" {
    mknet iso1 21 --disable-dns
    mknet iso2 22 --disable-dns
    mknet open 23 --disable-dns -o isolate=false
    local port ip
    port=$(free_port)
    run_berth run -d --name w21 -p "$port:80" --network iso1 "$IMAGE" \
        sh -c 'mkdir -p /www && echo hello-21 > /www/index.html && exec httpd -f -p 80 -h /www'
    ip=$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.NetworkSettings.Networks.iso1.IPAddress}}' w21)
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-21" "served through the published port"
    # Its own network reaches it, another does not, and not the other way round either.
    reach iso1 "$ip"
    assert_output_equals "reached"
    reach iso2 "$ip"
    assert_output_equals "blocked"
    run_berth run -d --name w22 --network iso2 "$IMAGE" sh -c 'mkdir -p /www && echo hello-22 > /www/index.html && exec httpd -f -p 80 -h /www'
    reach iso1 "$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.NetworkSettings.Networks.iso2.IPAddress}}' w22)"
    assert_output_equals "blocked"
    # A network created with isolate=false is open to and from the others.
    reach open "$ip"
    assert_output_equals "reached"
    if ! is_rootless; then
        # A published port stays reachable from another network (through the
        # host's address, its gateway), and the replies come back.
        run_berth run --rm --network iso2 "$IMAGE" wget -q -O- "http://$P.22.1:$port/"
        assert_output_equals "hello-21"
        local b=bt$(( $$ % 100000 ))n
        run iptables -w -S
        assert_output_contains "-A BERTH-ISOLATION-2 -o ${b}21 -j DROP"
        assert_output_not_contains "${b}23"
        # The rules go with the bridges.
        run_berth network rm -f -t 0 iso1 iso2 open
        run iptables -w -S
        assert_output_not_contains "${b}21"
        assert_output_not_contains "${b}22"
    fi
}

# bats test_tags=berth-only
# berth-only: berth's own isolation rules, and it kills berth's own monitor.
@test "system reset of a store whose monitor was killed leaves no isolation rule of its bridge on the host" {
    is_rootless && skip "rootless, the rules are in the per-user network namespace, which reset removes whole"
    local store=(--root "$BATS_TEST_TMPDIR/reset-data" --runroot "$BATS_TEST_TMPDIR/reset-run")
    local bridge=bt$(( $$ % 100000 ))n25
    timeout 60 "$BERTH" "${store[@]}" pull -q "$IMAGE" >/dev/null
    timeout 30 "$BERTH" "${store[@]}" network create --subnet "$P.25.0/24" --interface-name "$bridge" n25 >/dev/null
    local monitor
    timeout 30 "$BERTH" "${store[@]}" run -d --name r25 --network n25 "$IMAGE" sleep 1000 >/dev/null
    monitor=$(timeout 10 "$BERTH" "${store[@]}" inspect --format '{{.State.ConmonPid}}' r25)
    run iptables -w -S
    assert_output_contains "-A BERTH-ISOLATION-2 -o $bridge -j DROP"
    # The monitor gone, nothing has torn the network down: reset does.
    kill -9 "$monitor"
    timeout 60 "$BERTH" "${store[@]}" system reset -f
    run iptables -w -S
    assert_output_not_contains "$bridge"
    run ip -o link
    assert_output_not_contains "$bridge"
}

@test "a container gets an address of the subnet; inspect shows it, the gateway and the aliases" {
    mknet n3 3
    run_berth run -d --name a3 --network n3:alias=first,alias=second "$IMAGE" sleep 1000
    run_berth inspect --format '{{.NetworkSettings.Networks.n3.IPAddress}} {{.NetworkSettings.Networks.n3.Gateway}} {{.NetworkSettings.Networks.n3.IPPrefixLen}} {{.NetworkSettings.IPAddress}}' a3
    # As Podman: the top-level fields are the default network's only.
    assert_output_equals "$P.3.2 $P.3.1 24 "
    run_berth inspect --format '{{.HostConfig.NetworkMode}} {{range .NetworkSettings.Networks.n3.Aliases}}{{.}} {{end}}' a3
    assert_output_matches '^bridge first second [0-9a-f]{12} $'
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

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 exits 126 when the address is taken at start (its
# network setup fails as the runtime's start does); berth exits 125, an engine error.
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
    # A /30 has one address for a container: the second run gets it only if the first gave it back.
    run_berth network create --subnet "$P.11.0/30" n11
    run_berth run --rm --network n11 "$IMAGE" sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "$P.11.2/30"
    run_berth run --rm --network n11 "$IMAGE" sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "$P.11.2/30"
    mknet n6 6
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
# berth-only: rootless Podman 4.3.1 forwards with rootlessport and cannot
# start aardvark-dns here.
@test "-p with a user-defined network: netavark's forwarding as root, berth's port proxy rootless" {
    mknet n7 7
    local port
    port=$(free_port)
    run_berth run -d -p "$port:80" --network n7 "$IMAGE" sh -c 'mkdir -p /www && echo hello-on-n7 > /www/index.html && exec httpd -f -p 80 -h /www'
    local cid=$output
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-on-n7" "page fetched through the published port"
    run_berth port "$cid"
    assert_output_contains "80/tcp -> 0.0.0.0:$port"
    # The port is taken while it runs: a second container cannot have it, and is not left running.
    run_berth --exit 125 run -d --name second -p "$port:80" --network n7 "$IMAGE" sleep 1000
    run_berth inspect --format '{{.State.Status}}' second
    assert_output_equals "created"
    run_berth rm -f -t 0 "$cid"
    assert_port_closed "$port" "after rm -f"
}

@test "-p with a user-defined network: a UDP port echoes, beside a TCP port of the same number" {
    udp_echo_binary
    mknet n24 24 --disable-dns
    local port
    port=$(free_port)
    run_berth run -d -p "127.0.0.1:$port:5353/udp" -p "127.0.0.1:$port:80" --network n24 -v "$BATS_TEST_TMPDIR/udpecho:/udpecho:ro" "$IMAGE" \
        sh -c 'mkdir -p /www; echo hello-on-n24 > /www/index.html; /udpecho 5353 & exec httpd -f -p 80 -h /www'
    local cid=$output
    assert_equal "$(udp_ping "$port")" "ping" "echo through the published UDP port"
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-on-n24" "page through the TCP port of the same number"
    # A second client (another source port) gets its own echo.
    assert_equal "$(udp_ping "$port")" "ping" "echo for a second client"
    run_berth port "$cid"
    assert_output_contains "5353/udp -> 127.0.0.1:$port"
    assert_output_contains "80/tcp -> 127.0.0.1:$port"
    # The UDP port is taken while it runs, and free once the container is gone.
    # (berth exits 125; Podman 4.3.1 126, as its runtime's start fails.)
    run_berth --exit '?' run -d --name second -p "127.0.0.1:$port:5353/udp" --network n24 "$IMAGE" sleep 1000
    [[ $status -eq 125 || $status -eq 126 ]] || { echo "a second container on UDP port $port: exit $status" >&2; false; }
    assert_output_contains "127.0.0.1:$port"
    assert_output_contains "ddress already in use"
    run_berth rm -f -t 0 "$cid" second
    python3 -c "import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('127.0.0.1', $port))" \
        || { echo "UDP port $port still bound after rm -f" >&2; false; }
}

# bats test_tags=berth-only
@test "-p with a user-defined network: the client's address kept as root, the network's gateway rootless" {
    # berth-only: as root Podman cannot start containers here (runc fails on
    # rlimits); rootless Podman's rootlessport is not berth's proxy.
    mknet n21 21
    local port host
    port=$(free_port)
    # The host's own address: a client that is not on the loopback.
    host=$(ip -4 -o addr show scope global | awk '{ sub(/\/.*/, "", $4); print $4; exit }')
    [[ -n $host ]] || skip "the host has no global IPv4 address"
    run_berth run -d -p "$port:80" --network n21 "$IMAGE" sh -c 'mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www'
    local cid=$output
    if is_rootless; then
        # berth's port proxy connects from the per-user namespace (info: keepsClientAddress false).
        assert_equal "$(peer_seen "$cid" 80 "$host" "$port")" "$P.21.1" "a client on $host, rootless"
    else
        # netavark's DNAT rules keep it (info: true; 175-network.bats shows it for a client in a namespace of its own).
        assert_equal "$(peer_seen "$cid" 80 "$host" "$port")" "$host" "a client on $host, as root"
    fi
    # From the host's loopback, both: the network's gateway.
    assert_equal "$(peer_seen "$cid" 80 127.0.0.1 "$port")" "$P.21.1" "a client on 127.0.0.1"
    run_berth info --format '{{.Host.PublishedPorts.Networks.KeepsClientAddress}}'
    assert_output_equals "$(is_rootless && echo false || echo true)"
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
# berth-only: Podman 4.3.1 runs no container on a user network here (as root
# runc fails on rlimits; rootless its aardvark-dns needs systemd).
@test "a user network starts, connects and tears down with a PATH without /usr/sbin (a Debian user's)" {
    # netavark runs iptables by name, and iptables is in /usr/sbin.
    mknet n25 25
    mknet n26 26
    PATH=/usr/local/bin:/usr/bin:/bin run_berth run -d --name lean --network n25 "$IMAGE" sleep 1000
    run_berth exec lean sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "inet $P.25."
    PATH=/usr/local/bin:/usr/bin:/bin run_berth network connect n26 lean
    run_berth exec lean sh -c 'ip -4 -o addr show eth1'
    assert_output_contains "inet $P.26."
    PATH=/usr/local/bin:/usr/bin:/bin run_berth rm -f -t 0 lean
    run_berth network rm n25 n26
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

# bats test_tags=berth-only
# berth-only: it kills berth's own monitor (Podman's conmon differs).
@test "kill -9 of the monitor: the next command tears the network down and frees the port and the address" {
    mknet n12 12
    local port
    port=$(free_port)
    run_berth run -d --name k12 -p "$port:80" --network n12 --ip "$P.12.7" "$IMAGE" sh -c 'mkdir -p /www && echo k12 > /www/index.html && exec httpd -f -p 80 -h /www'
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "k12" "served before the kill"
    run_berth inspect --format '{{.State.ConmonPid}} {{.State.Pid}}' k12
    local monitor=${output% *} pid=${output#* }
    kill -9 "$monitor"
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    run_berth ps -a --format '{{.Names}} {{.State}}'
    assert_output_contains "k12 exited"
    # The port is free, and the address can be taken by another container.
    assert_port_closed "$port" "after the monitor was killed"
    run_berth run --rm --network n12 --ip "$P.12.7" "$IMAGE" sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "$P.12.7/24"
    if ! is_rootless; then
        run_berth rm k12
        run ip -o link
        assert_output_not_contains "bt$(( $$ % 100000 ))n12"
    fi
}

# bats test_tags=berth-only
# berth-only: rootless Podman 4.3.1 cannot start aardvark-dns here (systemd),
# and its reload prints other messages.
@test "network reload sets a running container's networks up again with the same address" {
    mknet n13 13
    run_berth run -d --name r13 --network n13 "$IMAGE" \
        sh -c 'mkdir -p /www && echo r13 > /www/index.html && exec httpd -f -p 80 -h /www'
    run_berth inspect --format '{{.NetworkSettings.Networks.n13.IPAddress}}' r13
    local before=$output
    run_berth network reload r13
    assert_output_matches '^[0-9a-f]{64}$'
    run_berth inspect --format '{{.NetworkSettings.Networks.n13.IPAddress}}' r13
    assert_output_equals "$before"
    run_berth run --rm --network n13 "$IMAGE" sh -c 'for i in $(seq 1 50); do wget -q -O- http://r13/ && break; sleep 0.1; done'
    assert_output_equals "r13"
    run_berth network reload --all
    assert_output_contains "$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.Id}}' r13)"
    run_berth stop -t 0 r13
    run_berth --exit 125 network reload r13
    assert_output_contains "is not running"
    run_berth --exit 125 network reload
    assert_output_contains "give containers or --all"
}

@test "--ip6 gives a static IPv6 address on a network with an IPv6 subnet" {
    local p6=fd00:${P#10.}:14
    mknet n14 14 --ipv6 --subnet "$p6::/64"
    run_berth run --rm --network n14 --ip6 "$p6::50" "$IMAGE" ip -6 -o addr show eth0
    assert_output_contains "inet6 $p6::50/64"
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 checks the address only at start (exit 126), and
# rootless it cannot start aardvark-dns here (systemd) for a detached run.
@test "--ip6: inspect shows it as GlobalIPv6Address; one outside the subnets is refused at create" {
    local p6=fd00:${P#10.}:15
    mknet n15 15 --ipv6 --subnet "$p6::/64"
    run_berth run -d --name v6 --network n15 --ip6 "$p6::51" "$IMAGE" sleep 1000
    run_berth inspect --format '{{.NetworkSettings.Networks.n15.GlobalIPv6Address}} {{.NetworkSettings.Networks.n15.GlobalIPv6PrefixLen}}' v6
    assert_output_equals "$p6::51 64"
    run_berth --exit 125 create --network n15 --ip6 fd00:1::5 "$IMAGE" true
    assert_line_count 1
    assert_output_contains "fd00:1::5 not in any subnet on network n15"
}

@test "--mac-address sets eth0's address on the network; an invalid one is refused" {
    mknet n16 16
    run_berth run --rm --network n16 --mac-address 02:42:ac:11:00:0f "$IMAGE" cat /sys/class/net/eth0/address
    assert_output_contains "02:42:ac:11:00:0f"
    run_berth run --rm --network n16:mac=02:42:ac:11:00:1e "$IMAGE" sh -c 'ip link show eth0'
    assert_output_contains "link/ether 02:42:ac:11:00:1e"
    run_berth --exit 125 create --network n16 --mac-address zz:42 "$IMAGE" true
    assert_line_count 1
    assert_output_contains "zz:42: invalid MAC address"
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1's network create has no --interface-name.
@test "network create --interface-name: a name another network has, or an invalid one, is refused" {
    local bridge=bt$(( $$ % 100000 ))n17
    run_berth network create --subnet "$P.17.0/24" --interface-name "$bridge" n17
    run_berth network inspect --format '{{.NetworkInterface}}' n17
    assert_output_equals "$bridge"
    run_berth --exit 125 network create --subnet "$P.18.0/24" --interface-name "$bridge" n18
    assert_line_count 1
    assert_output_contains "bridge name $bridge already in use"
    run_berth --exit 125 network create --interface-name 'bad/name' n18
    assert_line_count 1
    assert_output_contains "interface name bad/name invalid"
    run_berth --exit 125 network create --interface-name averyveryverylongname n18
    assert_output_contains "interface name averyveryverylongname invalid"
    run_berth --exit 1 network exists n18
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1's rootless aardvark-dns does not start here (systemd).
@test "network disconnect -f takes a running container off a network; of a stopped one, its next start" {
    mknet n19 19
    mknet n20 20
    run_berth run -d --name dc --network n19 "$IMAGE" sleep 1000
    run_berth network connect n20 dc
    run_berth exec dc sh -c 'ip -o link | grep -c eth1 || true'
    assert_output_equals "1"
    run_berth network disconnect -f n20 dc
    run_berth exec dc sh -c 'ip -o link | grep -c eth1 || true'
    assert_output_equals "0"
    run_berth inspect --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}' dc
    assert_output_equals "n19 "
    run_berth stop -t 0 dc
    run_berth network connect n20 dc
    run_berth network disconnect --force n19 dc
    run_berth start dc
    run_berth exec dc sh -c 'ip -4 -o addr show eth0'
    assert_output_contains "inet $P.20."
    run_berth --exit 125 network disconnect -f n19 dc
    assert_output_contains "not connected to network n19"
}
