#!/usr/bin/env bash
# Benchmark: many detached containers, berth against podman (runc), side by side.
#
#   lifecycle.sh [--count N] [--ps-count M] [--podman-ps-running K] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest), network none.
# For each tool, in one run: start N (default 100) detached `sleep 1000`
# containers one after the other (time per container), sum the RSS and PSS of
# the per-container monitors (berth-monitor, conmon), take the RSS of the
# monitor of one container that logs steadily, time `ps -a` with N
# containers and `exec CTR true` (hyperfine, 20 runs each); then, with
# --ps-count M (M > N, e.g. 1000), start more detached `sleep` containers up to
# M running ones (each with its monitor) and time `ps -a` again (hyperfine, 10
# runs); then stop and remove all of them (`rm -f -t 0 -a`). Podman is slow to
# start that many: --podman-ps-running K gives podman only K running containers
# in the second phase, the rest up to M `create`d (never started); the report
# says so. Prints each figure, the ratio berth/podman, and the issue's targets:
# monitor under 300 KiB each, ps -a at most 25 ms at 1,000, exec at most 6 ms.
# Needs: hyperfine, podman, runc, the fixtures; for M = 1000 about 2,000
# processes of $BENCH_USER (ulimit -u) and a few GiB of memory.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=100 PS_COUNT=0 PODMAN_PS_RUNNING= ROOTLESS=1
while (($#)); do
    case $1 in
        --count) COUNT=${2:?}; shift ;;
        --ps-count) PS_COUNT=${2:?}; shift ;;
        --podman-ps-running) PODMAN_PS_RUNNING=${2:?}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) show_help "$0"; exit 0 ;;
        *) die "unknown argument $1 (usage: lifecycle.sh [--count N] [--ps-count M] [--podman-ps-running K] [--root])" ;;
    esac
    shift
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"
[[ $PS_COUNT =~ ^[0-9]+$ ]] && { ((PS_COUNT == 0 || PS_COUNT > COUNT)); } ||
    die "--ps-count must be a number above --count ($COUNT)"
PODMAN_PS_RUNNING=${PODMAN_PS_RUNNING:-$PS_COUNT}
[[ $PODMAN_PS_RUNNING =~ ^[0-9]+$ ]] && ((PODMAN_PS_RUNNING <= PS_COUNT)) ||
    die "--podman-ps-running must be a number up to --ps-count ($PS_COUNT)"
((PODMAN_PS_RUNNING == 0 || PODMAN_PS_RUNNING >= COUNT)) || PODMAN_PS_RUNNING=$COUNT
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc hyperfine python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/lifecycle.sh" --count "$COUNT" --ps-count "$PS_COUNT" \
            --podman-ps-running "$PODMAN_PS_RUNNING" --rootless
        exit $?
    fi
fi

if ((EUID != 0)); then
    conf=$HOME/.config/containers/containers.conf
    if [[ ! -e $conf ]]; then
        mkdir -p "$(dirname "$conf")"
        printf '[engine]\nruntime = "runc"\n' >"$conf"
    fi
fi

side_by_side lifecycle
mkdir -p "$WORK/logs" || die "cannot create $WORK"
declare -A MONITOR=([berth]=berth-monitor [podman]=conmon)
declare -A R

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

# monitor_memory TOOL: "RSS_KiB PSS_KiB" summed over the tool's monitors of this run.
monitor_memory() {
    local pid rss=0 pss=0 r p
    for pid in $(pgrep -u "$(id -u)" -x "${MONITOR[$1]}"); do
        grep -q "$WORK" "/proc/$pid/cmdline" 2>/dev/null || continue
        r=$(awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
        p=$(awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup" 2>/dev/null) || continue
        rss=$((rss + ${r:-0})) pss=$((pss + ${p:-0}))
    done
    echo "$rss $pss"
}

# monitor_rss_of TOOL ID: the RSS in KiB of the monitor of container ID.
monitor_rss_of() {
    local pid
    for pid in $(pgrep -u "$(id -u)" -x "${MONITOR[$1]}"); do
        grep -q "$2" "/proc/$pid/cmdline" 2>/dev/null || continue
        awk '/^Rss:/ { print $2 }' "/proc/$pid/smaps_rollup"
        return
    done
    echo 0
}

# grow TOOL FROM TO run -d|create: containers cFROM..cTO, running `sleep 1000` or only created.
grow() {
    local tool=$1 from=$2 to=$3 i
    shift 3
    for ((i = from; i <= to; i++)); do
        ${CMD[$tool]} "$@" --network none --name "c$i" "$IMAGE" sleep 1000 >/dev/null 2>>"$WORK/logs/$tool-grow.log" ||
            { tail -n 3 "$WORK/logs/$tool-grow.log" >&2; die "$tool $* failed at c$i"; }
    done
}

# count_running TOOL: how many containers the tool's ps shows running.
count_running() {
    ${CMD[$1]} ps -q | wc -l
}

median_ms() {  # median_ms HYPERFINE_JSON
    python3 -c 'import json,sys; print("%.1f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"
}

for tool in berth podman; do
    cmd=${CMD[$tool]}
    $cmd load -q -i "$TARBALL" >"$WORK/logs/$tool-load.log" 2>&1 || die "$tool load failed (log: $WORK/logs/$tool-load.log)"
    start=$(now_ms)
    for i in $(seq "$COUNT"); do
        $cmd run -d --network none --name "c$i" "$IMAGE" sleep 1000 >/dev/null 2>>"$WORK/logs/$tool-run.log" ||
            die "$tool run -d failed (log: $WORK/logs/$tool-run.log)"
    done
    R[$tool.start]=$(python3 -c "print('%.1f' % (($(now_ms) - $start) / $COUNT))")
    sleep 1
    read -r rss pss < <(monitor_memory "$tool")
    R[$tool.rss]=$((rss / COUNT)) R[$tool.pss]=$((pss / COUNT))
    hyperfine -N --warmup 3 --runs 20 --style none --export-json "$WORK/$tool-ps.json" "$cmd ps -a" >/dev/null 2>&1 ||
        die "$tool ps -a failed"
    R[$tool.ps]=$(median_ms "$WORK/$tool-ps.json")
    note "$tool: ps -a with $COUNT running: ${R[$tool.ps]} ms"
    hyperfine -N --warmup 3 --runs 20 --style none --export-json "$WORK/$tool-exec.json" "$cmd exec c1 true" >/dev/null 2>&1 ||
        die "$tool exec failed"
    R[$tool.exec]=$(median_ms "$WORK/$tool-exec.json")
    # One container that logs steadily (200 lines a second): its monitor's RSS after 5 s.
    id=$($cmd run -d --network none --name logger "$IMAGE" sh -c 'while :; do echo "line $RANDOM"; usleep 5000; done' 2>>"$WORK/logs/$tool-run.log") ||
        die "$tool run -d of the logging container failed"
    sleep 5
    R[$tool.logrss]=$(monitor_rss_of "$tool" "$id")
    $cmd rm -f -t 0 logger >/dev/null 2>&1
    total=$COUNT
    if ((PS_COUNT > 0)); then
        running=$PS_COUNT
        [[ $tool == podman ]] && running=$PODMAN_PS_RUNNING
        start=$(now_ms)
        grow "$tool" $((COUNT + 1)) "$running" run -d
        grow "$tool" $((running + 1)) "$PS_COUNT" create
        R[$tool.grow]=$(python3 -c "print('%.1f' % (($(now_ms) - $start) / ($PS_COUNT - $COUNT)))")
        R[$tool.running]=$(count_running "$tool")
        R[$tool.total]=$($cmd ps -a -q | wc -l)
        hyperfine -N --warmup 2 --runs 10 --style none --export-json "$WORK/$tool-ps-many.json" "$cmd ps -a" >/dev/null 2>&1 ||
            die "$tool ps -a with $PS_COUNT failed"
        R[$tool.psmany]=$(median_ms "$WORK/$tool-ps-many.json")
        note "$tool: ps -a with ${R[$tool.total]} containers (${R[$tool.running]} running): ${R[$tool.psmany]} ms; run -d/create each ${R[$tool.grow]} ms"
        total=$PS_COUNT
    fi
    start=$(now_ms)
    $cmd rm -f -t 0 -a >/dev/null 2>>"$WORK/logs/$tool-rm.log" || die "$tool rm -f -a failed (log: $WORK/logs/$tool-rm.log)"
    R[$tool.rm]=$(python3 -c "print('%.1f' % (($(now_ms) - $start) / $total))")
    left=$($cmd ps -a -q | wc -l)
    ((left == 0)) || note "$tool: $left containers left after rm -f -a"
done

mode=root
((EUID != 0)) && mode="rootless ($USER)"
echo "== $COUNT detached sleep containers, $mode, network none, podman overlay/runc, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
row() {  # row LABEL KEY UNIT
    local b=${R[berth.$2]} p=${R[podman.$2]}
    printf '%-28s berth %8s %-4s podman %8s %-4s ratio %s\n' "$1" "$b" "$3" "$p" "$3" \
        "$(python3 -c "print('%.2f' % ($b / $p) if $p else '-')")"
}
row "run -d, per container" start ms
row "monitor RSS, each" rss KiB
row "monitor PSS, each" pss KiB
row "monitor RSS, logging" logrss KiB
row "ps -a with $COUNT" ps ms
row "exec CTR true" exec ms
if ((PS_COUNT > 0)); then
    row "run -d/create $((COUNT + 1))..$PS_COUNT, each" grow ms
    row "ps -a with $PS_COUNT" psmany ms
    for tool in berth podman; do
        echo "  $tool: ps -a with ${R[$tool.total]} containers, ${R[$tool.running]} of them running"
    done
fi
row "rm -f -a, per container" rm ms
verdict() { python3 -c "print('PASS' if $1 else 'MISS')"; }
echo "monitor PSS ${R[berth.pss]} KiB, RSS ${R[berth.rss]} KiB   target < 300 KiB   PSS $(verdict "${R[berth.pss]} < 300"), RSS $(verdict "${R[berth.rss]} < 300")"
echo "monitor of a logging container, RSS ${R[berth.logrss]} KiB   target < 300 KiB   $(verdict "${R[berth.logrss]} < 300")"
if ((PS_COUNT > 0)); then
    echo "ps -a ${R[berth.psmany]} ms with $PS_COUNT   target <= 25 ms (at 1,000)   $(verdict "${R[berth.psmany]} <= 25")"
else
    echo "ps -a ${R[berth.ps]} ms with $COUNT   target <= 25 ms (at 1,000; use --ps-count 1000)   $(verdict "${R[berth.ps]} <= 25")"
fi
echo "exec ${R[berth.exec]} ms   target <= 6 ms   $(verdict "${R[berth.exec]} <= 6")"
