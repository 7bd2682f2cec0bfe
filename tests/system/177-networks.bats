#!/usr/bin/env bats
# User-defined networks: network create (the default pool, subnets, gateways,
# ranges, labels, options, --dns, --ipam-driver), ls with Podman's columns, --format, --filter, -q
# and --no-trunc, inspect's JSON, rm (refused while containers are on it
# unless -f), prune, exists; the default network `podman`, which exists
# without being created and cannot be removed; and the errors Podman gives:
# a bad subnet, a taken name or subnet, an unknown network.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    [[ -z ${DNS_SERVER_PID:-} ]] || kill "$DNS_SERVER_PID" 2>/dev/null || true
    berth_quiet rm -f -a >/dev/null 2>&1 || true
    berth_quiet network prune -f >/dev/null 2>&1 || true
}

@test "network ls: the default network podman exists without being created" {
    run_berth network ls
    assert_output_matches '^NETWORK ID +NAME +DRIVER$'
    assert_output_matches '^2f259bab93aa +podman +bridge$'
    run_berth network ls --no-trunc --format '{{.ID}} {{.Name}} {{.Driver}}'
    assert_output_equals "2f259bab93aaaaa2542ba43ef33eb990d0999ee1b9924b557b7be53c0b7a1bb9 podman bridge"
    run_berth network exists podman
    run_berth network inspect podman
    assert_equal "$(json_get '[0]["name"]')" "podman"
    assert_equal "$(json_get '[0]["network_interface"]')" "podman0"
    assert_equal "$(json_get '[0]["subnets"][0]["subnet"]')" "10.88.0.0/16"
    assert_equal "$(json_get '[0]["subnets"][0]["gateway"]')" "10.88.0.1"
    assert_equal "$(json_get '[0]["dns_enabled"]')" "false"
    run_berth --exit 125 network rm podman
    assert_output_equals "Error: default network podman cannot be removed"
    run_berth network exists podman
}

@test "network create: a free 10.89.N.0/24 subnet, a podmanN bridge, DNS on; inspect shows Podman's document" {
    run_berth network create n1
    assert_output_equals "n1"
    run_berth network inspect n1
    [[ $(json_get '[0]["id"]') =~ ^[0-9a-f]{64}$ ]]
    assert_equal "$(json_get '[0]["driver"]')" "bridge"
    [[ $(json_get '[0]["network_interface"]') =~ ^podman[1-9][0-9]*$ ]]
    local subnet gateway
    subnet=$(json_get '[0]["subnets"][0]["subnet"]')
    gateway=$(json_get '[0]["subnets"][0]["gateway"]')
    [[ $subnet =~ ^10\.89\.([0-9]+)\.0/24$ ]] || { echo "not from the default pool: $subnet" >&2; false; }
    assert_equal "$gateway" "10.89.${BASH_REMATCH[1]}.1" "gateway"
    assert_equal "$(json_get '[0]["ipv6_enabled"]')" "false"
    assert_equal "$(json_get '[0]["internal"]')" "false"
    assert_equal "$(json_get '[0]["dns_enabled"]')" "true"
    assert_equal "$(json_get '[0]["ipam_options"]')" '{"driver":"host-local"}'
    [[ $(json_get '[0]["created"]') =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T ]]
    # A second network gets another subnet and another bridge.
    run_berth network create n2
    run_berth network inspect --format '{{.NetworkInterface}} {{(index .Subnets 0).Subnet}}' n1 n2
    [[ ${lines[0]} != "${lines[1]%% *}"* ]]
    [[ ${lines[0]#* } != "${lines[1]#* }" ]] || { echo "same subnet twice: $output" >&2; false; }
}

@test "network create: --subnet, --gateway, --ip-range, --internal, --label, --disable-dns, --opt" {
    run_berth network create --subnet 10.213.7.0/24 --gateway 10.213.7.254 --ip-range 10.213.7.128/25 \
        --internal --label team=blue --label tier=db --disable-dns --opt mtu=1400 custom
    run_berth network inspect custom
    assert_equal "$(json_get '[0]["subnets"][0]["subnet"]')" "10.213.7.0/24"
    assert_equal "$(json_get '[0]["subnets"][0]["gateway"]')" "10.213.7.254"
    assert_equal "$(json_get '[0]["subnets"][0]["lease_range"]["start_ip"]')" "10.213.7.129"
    assert_equal "$(json_get '[0]["subnets"][0]["lease_range"]["end_ip"]')" "10.213.7.255"
    assert_equal "$(json_get '[0]["internal"]')" "true"
    assert_equal "$(json_get '[0]["dns_enabled"]')" "false"
    assert_equal "$(json_get '[0]["labels"]')" '{"team":"blue","tier":"db"}'
    assert_equal "$(json_get '[0]["options"]')" '{"mtu":"1400"}'
    # Without a name: podmanN.
    run_berth network create --subnet 10.213.8.0/24
    [[ $output =~ ^podman[1-9][0-9]*$ ]] || { echo "not a podmanN name: $output" >&2; false; }
    run_berth network exists "$output"
}

@test "network create: a bad subnet, a taken name or subnet, a bad gateway: one clear error, exit 125, nothing created" {
    run_berth --exit 125 network create --subnet 10.213.0.0/33 bad1
    assert_output_equals "Error: invalid CIDR address: 10.213.0.0/33"
    run_berth --exit 125 network create --subnet bogus bad1
    assert_output_equals "Error: invalid CIDR address: bogus"
    run_berth --exit 125 network create --gateway 10.213.9.1 bad1
    assert_output_equals "Error: cannot set gateway or range without subnet"
    run_berth --exit 125 network create --subnet 10.213.9.0/24 --gateway 10.213.10.1 bad1
    assert_output_equals "Error: gateway 10.213.10.1 not in subnet 10.213.9.0/24"
    run_berth --exit 125 network create 'bad name'
    assert_output_matches '^Error: network name bad name invalid: names must match \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\]\*'
    run_berth --exit 125 network create --subnet 10.213.12.0/24 host
    assert_output_equals 'Error: cannot create network with name "host" because it conflicts with a valid network mode'
    run_berth --exit 125 network create --subnet 10.213.12.0/24 bridge
    assert_output_equals 'Error: cannot create network with name "bridge" because it conflicts with a valid network mode'
    run_berth --exit 1 network exists host
    run_berth --exit 125 network create -d nosuchdriver bad1
    assert_output_matches '^Error: unsupported driver nosuchdriver: invalid argument'
    run_berth --exit 1 network exists bad1
    run_berth network create --subnet 10.213.11.0/24 taken
    run_berth --exit 125 network create taken
    assert_output_equals "Error: network name taken already used: network already exists"
    run_berth --exit 125 network create --subnet 10.213.11.0/25 other
    assert_output_equals "Error: subnet 10.213.11.0/25 is already used on the host or by another config"
    run_berth --exit 1 network exists other
}

# bats test_tags=berth-only
@test "network create --ignore: an existing network of that name is kept" {
    # berth-only: --ignore came with Podman 4.4; 4.3.1 does not know it.
    run_berth network create --subnet 10.213.12.0/24 kept
    run_berth network create --ignore --subnet 10.213.13.0/24 kept
    assert_output_equals "kept"
    run_berth network inspect --format '{{(index .Subnets 0).Subnet}}' kept
    assert_output_equals "10.213.12.0/24"
}

# wait_for_file_line FILE LINE: FILE has the line LINE within 10 s.
wait_for_file_line() {
    local i
    for i in $(seq 1 100); do
        grep -qx "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "no line $2 in $1: $(cat "$1" 2>&1)" >&2
    return 1
}

@test "network create --ipam-driver host-local; an unknown IPAM driver is refused" {
    run_berth network create --ipam-driver host-local --subnet 10.213.20.0/24 ipamnet
    run_berth network inspect --format '{{.IPAMOptions.driver}}' ipamnet
    assert_output_equals host-local
    run_berth --exit 125 network create --ipam-driver foo ipambad
    assert_output_contains 'unsupported ipam driver "foo"'
    run_berth --exit 1 network exists ipambad
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 has no network create --dns (it came with 4.5);
# it makes networks with --ipam-driver none, which berth refuses, and refuses
# dhcp in words of its own.
@test "network create --dns: the network's DNS servers in inspect and in aardvark-dns's file, which asks them; IPAM dhcp and none refused" {
    # Root's bridges are on the host, where a rootless run at the same time must not find the subnet taken.
    local net=10.213.$(( $(id -u) == 0 ? 21 : 22 ))
    run_berth network create --dns 192.0.2.53 --dns 198.51.100.53 --subnet "$net.0/24" dnsnet
    run_berth network inspect --format '{{.NetworkDNSServers}}' dnsnet
    assert_output_equals "[192.0.2.53 198.51.100.53]"
    run_berth run -d --name dnsuser --network dnsnet "$IMAGE" sleep 1000
    # netavark hands them to aardvark-dns: its file of the network starts "GATEWAY SERVERS".
    run head -1 "$BERTH_TEST_ROOT/run/networks/aardvark-dns/dnsnet"
    assert_output_equals "$net.1 192.0.2.53,198.51.100.53"
    # As root aardvark-dns runs on the host, where a DNS server on a loopback
    # address is reachable (rootless, in berth's network namespace, it is not):
    # a name that no container has is asked there, and resolves to its answer.
    if ! is_rootless; then
        local server=127.$(( RANDOM % 200 + 20 )).$(( RANDOM % 250 + 1 )).$(( RANDOM % 250 + 1 )) ready=$BATS_TEST_TMPDIR/dns.ready
        python3 "$BERTH_TESTS_LIB/dns-answer.py" "$server" 10.213.23.1 >"$ready" 2>&1 &
        DNS_SERVER_PID=$!
        wait_for_file_line "$ready" ready
        run_berth network create --dns "$server" --subnet 10.213.23.0/24 fwdnet
        # aardvark-dns, already running for dnsnet, takes fwdnet's gateway on a
        # SIGHUP that netavark does not wait for: the first query can come first.
        run_berth --exit 1 run --rm --network fwdnet "$IMAGE" sh -c '
            for i in $(seq 20); do wget -q -O- http://not-a-container.example:9/ 2>&1 | grep -q "bad address" || break; sleep 0.25; done
            wget -q -O- http://not-a-container.example:9/'
        assert_output_contains "can't connect to remote host (10.213.23.1)"
    fi
    run_berth --exit 125 network create --dns 192.0.2.53 --disable-dns nodns
    assert_output_equals "Error: cannot set NetworkDNSServers if DNS is not enabled for the network: leave out --disable-dns or --dns"
    run_berth --exit 125 network create --dns resolver.example badserver
    assert_output_equals "Error: --dns resolver.example: not an IP address"
    local driver
    for driver in dhcp none; do
        run_berth --exit 125 network create --ipam-driver "$driver" "ipam$driver"
        assert_output_equals "Error: ipam driver $driver is not supported by berth: use --ipam-driver host-local (the default)"
        run_berth --exit 1 network exists "ipam$driver"
    done
    run_berth --exit 1 network exists nodns
    run_berth --exit 1 network exists badserver
}

@test "network ls: --filter, -q, --no-trunc, --format" {
    run_berth network create --label team=blue fa
    run_berth network create fb
    run_berth network ls -q
    assert_output_equals $'fa\nfb\npodman'
    run_berth network ls --filter name=fa --format '{{.Name}} {{.Driver}}'
    assert_output_equals "fa bridge"
    run_berth network ls --filter label=team=blue --format '{{.Name}} {{.Labels}}'
    assert_output_equals "fa team=blue"
    run_berth network ls --filter driver=bridge -q
    assert_output_equals $'fa\nfb\npodman'
    run_berth network inspect --format '{{.ID}}' fb
    local id=$output
    run_berth network ls --filter id="${id:0:10}" --format '{{.ID}}'
    assert_output_equals "${id:0:12}"
    run_berth network ls --no-trunc --filter name=fb
    assert_output_matches "^$id +fb +bridge$"
    run_berth network ls --format json
    assert_equal "$(json_get '[0]["name"]')" "fa"
    run_berth --exit 125 network ls --filter bogus=1
    assert_output_matches '^Error: invalid filter "bogus"'
}

@test "network inspect, rm, exists: by name or ID; an unknown network is Podman's error" {
    run_berth network create ri
    run_berth network inspect --format '{{.ID}}' ri
    local id=$output
    run_berth network inspect --format '{{.Name}}' "${id:0:12}"
    assert_output_equals "ri"
    run_berth network exists "$id"
    run_berth --exit 125 network inspect nosuchnet
    assert_output_contains "Error: inspecting object: network nosuchnet: unable to find network with name or ID nosuchnet: network not found"
    run_berth --exit 1 network rm nosuchnet
    assert_output_equals "Error: unable to find network with name or ID nosuchnet: network not found"
    run_berth --exit 1 network exists nosuchnet
    assert_output_equals ""
    run_berth network rm "${id:0:12}"
    assert_output_equals "${id:0:12}"
    run_berth --exit 1 network exists ri
}

@test "network prune removes the networks no container is on, never the default" {
    run_berth network create p1
    run_berth network create --label keep=yes p2
    run_berth network prune -f --filter label!=keep
    assert_output_equals "p1"
    run_berth network prune -f
    assert_output_equals "p2"
    run_berth network ls -q
    assert_output_equals "podman"
}

@test "system prune removes the networks no container is on" {
    run_berth network create sp1
    run_berth system prune -f
    assert_output_contains $'Deleted Networks\nsp1'
    run_berth --exit 1 network exists sp1
    run_berth network exists podman
}

@test "network create --ipv6: an fdXX::/64 subnet besides the IPv4 one; an IPv6 --subnet alone enables IPv6" {
    run_berth network create --ipv6 six
    run_berth network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}} {{.Gateway}} {{end}}' six
    [[ $output =~ ^true\ 10\.89\.[0-9]+\.0/24\ 10\.89\.[0-9]+\.1\ fd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::/64\ fd[0-9a-f]{2}(:[0-9a-f]{1,4}){3}::1\ $ ]] \
        || { echo "unexpected subnets: $output" >&2; false; }
    run_berth network create --subnet fd10:213::/64 sixonly
    run_berth network inspect --format '{{.IPv6Enabled}} {{range .Subnets}}{{.Subnet}} {{.Gateway}} {{end}}' sixonly
    assert_output_equals "true fd10:213::/64 fd10:213::1 "
    run_berth --exit 125 network create -o colour=red badopt
    assert_output_equals "Error: unsupported bridge network option colour"
}

@test "network create: 8 concurrent creates get 8 distinct subnets and bridges" {
    local i pids=()
    for i in 1 2 3 4 5 6 7 8; do
        timeout 60 "$BERTH" $BERTH_GLOBAL_OPTS network create "cc$i" >/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done
    run_berth network inspect --format '{{(index .Subnets 0).Subnet}}' cc1 cc2 cc3 cc4 cc5 cc6 cc7 cc8
    assert_line_count 8
    assert_equal "$(sort -u <<<"$output" | wc -l)" "8" "distinct subnets"
    run_berth network inspect --format '{{.NetworkInterface}}' cc1 cc2 cc3 cc4 cc5 cc6 cc7 cc8
    assert_equal "$(sort -u <<<"$output" | wc -l)" "8" "distinct bridges"
}
