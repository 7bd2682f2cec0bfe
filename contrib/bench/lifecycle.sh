#!/usr/bin/env bash
# Benchmark: many detached containers, berth against podman (runc), side by side.
#
#   lifecycle.sh [--count N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest), network none.
# For each tool, in one run: start N (default 100) detached `sleep 1000`
# containers one after the other (time per container), sum the RSS and PSS of
# the per-container monitors (berth-monitor, conmon), time `ps -a` with N
# containers and `exec CTR true` (hyperfine, 20 runs each), then stop and
# remove all of them (`rm -f -t 0 -a`). Prints each figure, the ratio
# berth/podman, and the issue's targets: monitor under 300 KiB each, ps -a
# under 50 ms, exec under 20 ms. Needs: hyperfine, podman, runc, the fixtures.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=100 ROOTLESS=1
while (($#)); do
    case $1 in
        --count) COUNT=${2:?}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) die "unknown argument $1 (usage: lifecycle.sh [--count N] [--root])" ;;
    esac
    shift
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc hyperfine python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/lifecycle.sh" --count "$COUNT" --rootless
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

USER=${USER:-$(id -un)}
WORK=/tmp/bench-$USER/lifecycle
wipe_dir "$WORK"
mkdir -p "$WORK/logs" || die "cannot create $WORK"
IMAGE=docker.io/library/busybox:latest
declare -A CMD=(
    [berth]="$BERTH --root $WORK/berth-root --runroot $WORK/berth-run"
    [podman]="podman --root $WORK/podman-root --runroot $WORK/podman-run --storage-driver overlay"
)
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
    hyperfine -N --warmup 3 --runs 20 --style none --export-json "$WORK/$tool-exec.json" "$cmd exec c1 true" >/dev/null 2>&1 ||
        die "$tool exec failed"
    R[$tool.exec]=$(median_ms "$WORK/$tool-exec.json")
    start=$(now_ms)
    $cmd rm -f -t 0 -a >/dev/null 2>>"$WORK/logs/$tool-rm.log" || die "$tool rm -f -a failed (log: $WORK/logs/$tool-rm.log)"
    R[$tool.rm]=$(python3 -c "print('%.1f' % (($(now_ms) - $start) / $COUNT))")
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
row "ps -a with $COUNT" ps ms
row "exec CTR true" exec ms
row "rm -f -a, per container" rm ms
verdict() { python3 -c "print('PASS' if $1 else 'MISS')"; }
echo "monitor PSS ${R[berth.pss]} KiB, RSS ${R[berth.rss]} KiB   target < 300 KiB   PSS $(verdict "${R[berth.pss]} < 300"), RSS $(verdict "${R[berth.rss]} < 300")"
echo "ps -a ${R[berth.ps]} ms   target < 50 ms (at 1,000)   $(verdict "${R[berth.ps]} < 50")"
echo "exec ${R[berth.exec]} ms   target < 20 ms   $(verdict "${R[berth.exec]} < 20")"
