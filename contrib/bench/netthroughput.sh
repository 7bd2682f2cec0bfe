#!/usr/bin/env bash
# Benchmark: network throughput of each network mode, host -> published port
# and container -> host, with iperf3.
#
#   netthroughput.sh [--secs N] [--rounds N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest). Builds a small
# image from the host's iperf3 (its binary, the libraries ldd lists and the
# static busybox for a shell), imports it into fresh berth and podman stores,
# then measures, for each mode and tool, one iperf3 run of N seconds (default
# 3) per round (default 1; berth and podman interleaved, their order swapped
# every other round):
#   host->ctr  iperf3 -s in the container published as 127.0.0.1:PORT:5201,
#              the client on the host: iperf3 -c 127.0.0.1 -p PORT (with
#              --network host the server listens on PORT itself)
#   ctr->host  iperf3 -s outside, the client in the container, reaching the
#              server only through what the mode offers for that as an opt-in
#              (never the host's external address):
#                host         127.0.0.1
#                pasta        pasta:--map-gw, the container's gateway (mapped to the host's 127.0.0.1)
#                slirp4netns  slirp4netns:allow_host_loopback=true, 10.0.2.2 (the host's 127.0.0.1)
#                user network the network's gateway; as root on the host's bridge, rootless
#                             in the tool's rootless network namespace (the bridge's side:
#                             that namespace, not the host, is the far end)
#                default bridge (root only) 10.88.0.1 on podman0
# The modes: --network host (the limit), berth's pasta (Podman 4.3.1 has none),
# slirp4netns, a user network made by the benchmark (netavark; rootless through
# the rootless network namespace and the tool's port proxy), and as root the
# default bridge. Rootless, a "pasta alone" row runs the client under pasta
# itself (pasta -- iperf3 -c GATEWAY, no engine): what berth's pasta mode
# could reach. Podman runs with runc. The figure is iperf3's
# end.sum_received.bits_per_second. Prints the medians in Gbit/s, berth/podman
# per mode (target >= 1: at least Podman's) and berth's pasta over its host
# mode (target: within 2x, >= 0.5), issue 13.
# Needs: iperf3, busybox-static, podman, runc, passt, slirp4netns, netavark, python3.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECS=3 ROUNDS=1 ROOTLESS=1
while (($#)); do
    case $1 in
        --secs) SECS=${2:?--secs needs a number}; shift ;;
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: netthroughput.sh [--secs N] [--rounds N] [--root])" ;;
    esac
    shift
done
[[ $SECS =~ ^[1-9][0-9]*$ ]] || die "--secs must be a positive number"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"
BUSYBOX=${BUSYBOX:-/bin/busybox}

if [[ -z ${BENCH_AS_USER:-} ]]; then
    command -v iperf3 >/dev/null || die "iperf3 is missing: apt-get install iperf3"
    need_tools podman runc iperf3 pasta slirp4netns nsenter python3
    ldd "$BUSYBOX" >/dev/null 2>&1 && die "$BUSYBOX is not static: install busybox-static"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/netthroughput.sh" --secs "$SECS" --rounds "$ROUNDS" --rootless
        exit $?
    fi
fi

side_by_side netthroughput
IMAGE=localhost/bench-iperf3:latest
CMD[podman]+=" --runtime runc"
mkdir -p "$WORK/logs" "$WORK/json"
PODMAN_RUN=()
((EUID == 0)) && PODMAN_RUN=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
RUN_ARGS_berth=() RUN_ARGS_podman=("${PODMAN_RUN[@]}")
SERVERS=()  # pids of the iperf3 servers started outside the containers

# On exit, before side_by_side's clean-up: the servers, the networks, and the
# tools' own state (system reset ends the rootless network namespaces).
net_cleanup() {
    local pid tool
    for pid in "${SERVERS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for tool in berth podman; do
        [[ -d $WORK/$tool-root ]] || continue
        ${CMD[$tool]} rm -f -t 0 -a >/dev/null 2>&1
        ${CMD[$tool]} network rm -f benchnet >/dev/null 2>&1
        ${CMD[$tool]} system reset --force >/dev/null 2>&1
    done
}
trap 'side_by_side_berth_pause; net_cleanup; side_by_side_finish' EXIT

# The image: iperf3, its libraries (with their paths), the loader and busybox.
build_image() {
    local root=$WORK/image lib
    mkdir -p "$root"/{bin,etc,tmp,usr/bin}
    chmod 1777 "$root/tmp"
    cp /usr/bin/iperf3 "$root/usr/bin/"
    for lib in $(ldd /usr/bin/iperf3 | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
    done
    cp "$BUSYBOX" "$root/bin/busybox"
    for applet in sh ip awk cat sleep; do
        ln -s busybox "$root/bin/$applet"
    done
    echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
    tar -C "$root" -cf "$WORK/iperf3-rootfs.tar" . || die "cannot make the image's tar"
    rm -rf "$root"
}
build_image
for tool in berth podman; do
    ${CMD[$tool]} import --change 'CMD ["/bin/sh"]' "$WORK/iperf3-rootfs.tar" "$IMAGE" >"$WORK/logs/$tool-import.log" 2>&1 ||
        { cat "$WORK/logs/$tool-import.log" >&2; die "$tool import failed"; }
done

# A port nobody listens on, above the last one handed out.
NEXT_PORT=$((30000 + $$ % 20000))
free_port() {
    while ss -Htln "sport = :$NEXT_PORT" | grep -q .; do
        NEXT_PORT=$((NEXT_PORT + 1))
    done
    PORT=$NEXT_PORT
    NEXT_PORT=$((NEXT_PORT + 1))
}

# wait_listening LOGCMD...: until LOGCMD's output says iperf3 listens (10 s)
wait_listening() {
    local _
    for _ in $(seq 100); do
        "$@" 2>/dev/null | grep -q "Server listening" && return 0
        sleep 0.1
    done
    return 1
}

# The user networks, on subnets of their own.
${CMD[berth]} network create --disable-dns --subnet 10.211.0.0/24 benchnet >/dev/null || die "berth network create failed"
${CMD[podman]} network create --disable-dns --subnet 10.212.0.0/24 benchnet >/dev/null || die "podman network create failed"
declare -A GATEWAY=([berth]=10.211.0.1 [podman]=10.212.0.1)
# Podman's default network hands out 10.88.0.2 first, which a container of
# another store on the shared podman0 may hold: it gets an address of its own.
PODMAN_DEFAULT_NET=10.88.$((200 + $$ % 50))

# Whether berth's pasta starts with --map-gw (the opt-in to reach the host's loopback).
PASTA_MAP_GW_NA=""
if ! out=$(${CMD[berth]} run --rm --network pasta:--map-gw "$IMAGE" sh -c : 2>&1); then
    PASTA_MAP_GW_NA="berth run --network pasta:--map-gw fails here: ${out//$'\n'/ }"
fi

# mode_args TOOL MODE DIR: set NET (the --network arguments) or NA (why the mode
# cannot be measured), and for ctr->host SERVER_ADDR, TARGET and SERVER_PREFIX.
mode_args() {
    local tool=$1 mode=$2 dir=$3
    NET=() NA="" SERVER_ADDR=127.0.0.1 TARGET=127.0.0.1 SERVER_PREFIX=()
    case $mode in
        host) NET=(--network host) ;;
        pasta)
            [[ $tool == podman ]] && { NA="Podman 4.3.1 has no pasta"; return; }
            [[ $dir == c2h && -n $PASTA_MAP_GW_NA ]] && { NA=$PASTA_MAP_GW_NA; return; }
            if [[ $dir == h2c ]]; then NET=(--network pasta); else NET=(--network pasta:--map-gw); TARGET=gateway; fi ;;
        slirp4netns)
            if [[ $dir == h2c ]]; then NET=(--network slirp4netns); else
                NET=(--network slirp4netns:allow_host_loopback=true); TARGET=10.0.2.2; fi ;;
        usernet)
            NET=(--network benchnet)
            SERVER_ADDR=${GATEWAY[$tool]} TARGET=${GATEWAY[$tool]}
            if ((EUID != 0)); then
                if [[ $tool == berth ]]; then
                    SERVER_PREFIX=(${CMD[berth]} unshare nsenter "--net=$WORK/berth-run/netns/rootless-netns")
                else
                    SERVER_PREFIX=(${CMD[podman]} unshare --rootless-netns)
                fi
            fi ;;
        default)
            NET=(--network bridge)
            [[ $tool == podman ]] && NET+=(--ip "$PODMAN_DEFAULT_NET.$((2 + RANDOM % 240))")
            SERVER_ADDR=10.88.0.1 TARGET=10.88.0.1 ;;
    esac
}

# measure ROUND TOOL MODE DIR: one iperf3 run; appends "MODE DIR TOOL BPS" (or
# "MODE DIR TOOL na REASON") to $WORK/results.
measure() {
    local round=$1 tool=$2 mode=$3 dir=$4 name=bench-$3-$4-$2-$1${5:-} json rc=0
    json=$WORK/json/$name.json
    mode_args "$tool" "$mode" "$dir"
    if [[ -n $NA ]]; then
        echo "$mode $dir $tool na $NA" >>"$WORK/results"
        return
    fi
    local run=(${CMD[$tool]} run)
    [[ $tool == berth ]] && run+=("${RUN_ARGS_berth[@]}") || run+=("${RUN_ARGS_podman[@]}")
    free_port
    if [[ $dir == h2c ]]; then
        local publish=(-p "127.0.0.1:$PORT:5201") server_port=5201
        [[ $mode == host ]] && publish=() server_port=$PORT
        "${run[@]}" -d --name "$name" "${NET[@]}" "${publish[@]}" "$IMAGE" \
            iperf3 -s -1 --forceflush -p "$server_port" >"$WORK/logs/$name.run" 2>&1 ||
            { cat "$WORK/logs/$name.run" >&2; die "$tool run --network ${NET[*]:1} failed"; }
        wait_listening ${CMD[$tool]} logs "$name" || die "$tool: iperf3 in $name did not start listening"
        timeout $((SECS + 30)) iperf3 -c 127.0.0.1 -p "$PORT" -t "$SECS" -J >"$json" 2>"$WORK/logs/$name.client" || rc=$?
        ${CMD[$tool]} rm -f -t 0 "$name" >/dev/null 2>&1
    else
        local log=$WORK/logs/$name.server pid holder=""
        # The bridge and its gateway address exist while a container is on the network.
        if [[ $mode == usernet || $mode == default ]]; then
            holder=bench-hold-$tool-$round
            local hold_net=("${NET[@]}")
            [[ $mode == default && $tool == podman ]] && hold_net=(--network bridge --ip "$PODMAN_DEFAULT_NET.250")
            "${run[@]}" -d --name "$holder" "${hold_net[@]}" "$IMAGE" sleep 600 >"$WORK/logs/$name.hold" 2>&1 ||
                { cat "$WORK/logs/$name.hold" >&2; die "$tool run --network ${NET[*]:1} failed"; }
        fi
        "${SERVER_PREFIX[@]}" timeout $((SECS + 30)) iperf3 -s -1 --forceflush -B "$SERVER_ADDR" -p "$PORT" >"$log" 2>&1 &
        pid=$!
        SERVERS+=("$pid")
        wait_listening cat "$log" || { cat "$log" >&2; die "$tool $mode: the iperf3 server on $SERVER_ADDR did not start"; }
        local client="iperf3 -c $TARGET -p $PORT -t $SECS -J"
        [[ $TARGET == gateway ]] && client="iperf3 -c \$(ip route | awk '/^default/ { print \$3; exit }') -p $PORT -t $SECS -J"
        timeout $((SECS + 30)) "${run[@]}" --rm --name "$name" "${NET[@]}" "$IMAGE" sh -c "exec $client" \
            >"$json" 2>"$WORK/logs/$name.client" || rc=$?
        wait "$pid" 2>/dev/null
        [[ -n $holder ]] && ${CMD[$tool]} rm -f -t 0 "$holder" >/dev/null 2>&1
    fi
    record "$mode" "$dir" "$tool" "$name" "$rc"
}

# record MODE DIR TOOL NAME RC: append the received bits per second of
# $WORK/json/NAME.json to the results (the client exited with RC).
record() {
    local bps
    bps=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
if "error" in d:
    raise SystemExit(d["error"])
print(d["end"]["sum_received"]["bits_per_second"])' "$WORK/json/$4.json" 2>&1) && (($5 == 0)) ||
        { note "$3 $1 $2: iperf3 failed (rc $5): $bps"; tail -3 "$WORK/logs/$4.client" >&2; return 1; }
    echo "$1 $2 $3 $bps" >>"$WORK/results"
}

# pasta_alone ROUND: ctr->host through pasta alone, no engine (pasta's default
# maps the gateway to the host's loopback): what berth's pasta mode can reach.
pasta_alone() {
    local name=bench-pasta-c2h-alone-$1 log pid gw rc=0
    log=$WORK/logs/$name.server
    free_port
    timeout $((SECS + 30)) iperf3 -s -1 --forceflush -B 127.0.0.1 -p "$PORT" >"$log" 2>&1 &
    pid=$!
    SERVERS+=("$pid")
    wait_listening cat "$log" || { cat "$log" >&2; die "pasta alone: the iperf3 server did not start"; }
    gw=$(ip -4 route show default | awk '{ print $3; exit }')
    timeout $((SECS + 30)) pasta --config-net --quiet -t none -u none -T none -U none -- \
        iperf3 -c "$gw" -p "$PORT" -t "$SECS" -J >"$WORK/json/$name.json" 2>"$WORK/logs/$name.client" || rc=$?
    wait "$pid" 2>/dev/null
    record pasta c2h pasta-alone "$name" "$rc"
}

RETRIES=()
MODES=(host pasta slirp4netns usernet)
((EUID == 0)) && MODES+=(default)
: >"$WORK/results"
for ((round = 1; round <= ROUNDS; round++)); do
    tools=(berth podman)
    ((round % 2 == 0)) && tools=(podman berth)
    for mode in "${MODES[@]}"; do
        for dir in h2c c2h; do
            for tool in "${tools[@]}"; do
                note "round $round: $tool $mode $dir"
                # One retry: a run of another store's root tests may reload the firewall under us.
                measure "$round" "$tool" "$mode" "$dir" ||
                    { RETRIES+=("$tool $mode $dir round $round"); measure "$round" "$tool" "$mode" "$dir" -retry; } ||
                    die "$tool $mode $dir failed twice (logs were in $WORK/logs)"
            done
            # (as root, pasta alone changes to nobody and its command hangs)
            if [[ $mode == pasta && $dir == c2h ]] && ((EUID != 0)); then
                pasta_alone "$round" || die "pasta alone failed"
            fi
        done
    done
done

who=root
((EUID != 0)) && who="rootless ($USER)"
echo "== network throughput, $who, iperf3 -t $SECS, $ROUNDS round(s), $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
python3 - "$WORK/results" <<'EOF'
import statistics, sys
runs, na = {}, {}
for line in open(sys.argv[1]):
    mode, d, tool, value, *why = line.split()
    if value == "na":
        na[(mode, d, tool)] = " ".join(why)
    else:
        runs.setdefault((mode, d, tool), []).append(float(value) / 1e9)
med = {k: statistics.median(v) for k, v in runs.items()}
names = {"host": "host", "pasta": "pasta", "slirp4netns": "slirp4netns", "usernet": "user network", "default": "default bridge"}
dirs = {"h2c": "host->ctr", "c2h": "ctr->host"}
def cell(key):
    if key in med:
        return f"{med[key]:6.2f} Gbit/s" + (f" ({' '.join(f'{x:.2f}' for x in runs[key])})" if len(runs[key]) > 1 else "")
    return "n/a"
print(f"{'mode':15s} {'direction':10s} {'berth':>26s}   {'podman':>26s}   target")
modes = [m for m in names if any(k[0] == m for k in list(med) + list(na))]
for mode in modes:
    for d in dirs:
        b, p = (mode, d, "berth"), (mode, d, "podman")
        target = ""
        if b in med and p in med:
            r = med[b] / med[p]
            target = f"berth/podman = {r:.2f}" + ("" if mode == "host" else f" >= 1 {'PASS' if r >= 1 else 'MISS'}")
        if b in na:
            target = f"berth n/a: {na[b]}"
        if p in na:
            target += f"{'; ' if target else ''}podman n/a: {na[p]}"
        if mode == "pasta" and b in med and (("host", d, "berth")) in med:
            r = med[b] / med[("host", d, "berth")]
            target += f"{'; ' if target else ''}pasta/host = {r:.2f} >= 0.5 {'PASS' if r >= 0.5 else 'MISS'}"
        print(f"{names[mode]:15s} {dirs[d]:10s} {cell(b):>26s}   {cell(p):>26s}   {target}")
        a = (mode, d, "pasta-alone")
        if a in med:
            host = med.get(("host", d, "berth"))
            ratio = f"pasta alone/berth host = {med[a] / host:.2f}" if host else ""
            print(f"{'(pasta alone)':15s} {dirs[d]:10s} {cell(a):>26s}   {'':>26s}   {ratio}")
EOF
for retry in "${RETRIES[@]}"; do
    echo "retried once: $retry"
done
