#!/usr/bin/env bash
# Benchmark: the start time each network mode adds to `run --rm busybox true`.
#
#   netstart.sh [--runs N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest). Loads the
# busybox fixture into fresh berth and podman stores, then hyperfine (-N,
# --warmup 3, --runs N, default 20) times, in one run, side by side:
#   berth-none    berth run --rm --network none busybox true
#   berth-pasta   berth run --rm --network pasta busybox true
#   berth-slirp   berth run --rm --network slirp4netns busybox true
#   podman-none   podman run --rm --network none busybox true   (runtime runc)
#   podman-slirp  podman run --rm --network slirp4netns busybox true
#   berth-bridge  berth run --rm --network benchnet busybox true    (a user network, netavark)
#   podman-bridge podman run --rm --network benchnet busybox true   (left out if podman cannot run it here)
#   pasta-alone   pasta --config-net -- true   (pasta's own start and exit, rootless only)
# and prints the medians and each mode's time over its tool's `none`, with the
# targets (berth's pasta and user network add at most 5 ms, issue 13). Podman
# 4.3.1 has no pasta. Both user networks are made with --disable-dns: rootless
# Podman 4.3.1 cannot start aardvark-dns without systemd.
# Needs: hyperfine, podman, runc, passt, slirp4netns, the fixtures.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=20 ROOTLESS=1
while (($#)); do
    case $1 in
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: netstart.sh [--runs N] [--root])" ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc hyperfine pasta slirp4netns python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/netstart.sh" --runs "$RUNS" --rootless
        exit $?
    fi
fi

side_by_side netstart
mkdir -p "$WORK/logs"
PODMAN_RUN=()
((EUID == 0)) && PODMAN_RUN=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

${CMD[berth]} load -q -i "$TARBALL" >"$WORK/logs/berth-load.log" 2>&1 ||
    { cat "$WORK/logs/berth-load.log" >&2; die "berth load failed"; }
${CMD[podman]} load -q -i "$TARBALL" >"$WORK/logs/podman-load.log" 2>&1 ||
    { cat "$WORK/logs/podman-load.log" >&2; die "podman load failed"; }

berth_run="${CMD[berth]} run --rm"
podman_run="${CMD[podman]} run ${PODMAN_RUN[*]} --rm"
for mode in none pasta slirp4netns; do
    out=$($berth_run --network $mode "$IMAGE" echo ok 2>&1)
    [[ $out == ok ]] || die "berth run --network $mode does not work here: $out"
done
for mode in none slirp4netns; do
    out=$($podman_run --network $mode "$IMAGE" echo ok 2>&1)
    [[ $out == ok ]] || die "podman run --network $mode does not work here: $out"
done
${CMD[berth]} network create --disable-dns --subnet 10.211.0.0/24 benchnet >/dev/null || die "berth network create failed"
out=$($berth_run --network benchnet "$IMAGE" echo ok 2>&1)
[[ $out == ok ]] || die "berth run --network benchnet does not work here: $out"
bridges=(-n berth-bridge "$berth_run --network benchnet $IMAGE true")
if ${CMD[podman]} network create --disable-dns --subnet 10.212.0.0/24 benchnet >/dev/null 2>&1 &&
    out=$($podman_run --network benchnet "$IMAGE" echo ok 2>&1) && [[ $out == ok ]]; then
    bridges+=(-n podman-bridge "$podman_run --network benchnet $IMAGE true")
else
    note "podman cannot run a container on a user network here: left out ($out)"
fi

alone=()
((EUID != 0)) && alone=(-n pasta-alone "pasta --config-net --quiet -t none -u none -T none -U none -- true")
hyperfine -N --warmup 3 --runs "$RUNS" --style basic --export-json "$WORK/hyperfine.json" \
    -n berth-none "$berth_run --network none $IMAGE true" \
    -n berth-pasta "$berth_run --network pasta $IMAGE true" \
    -n berth-slirp "$berth_run --network slirp4netns $IMAGE true" \
    -n podman-none "$podman_run --network none $IMAGE true" \
    -n podman-slirp "$podman_run --network slirp4netns $IMAGE true" \
    "${bridges[@]}" "${alone[@]}" >"$WORK/logs/hyperfine.txt" 2>&1 || { cat "$WORK/logs/hyperfine.txt" >&2; die "hyperfine failed"; }
hyperfine_times "$WORK/hyperfine.json" >"$WORK/times"

mode=root
((EUID != 0)) && mode="rootless ($USER)"
echo "== network start time, $mode, hyperfine --warmup 3 --runs $RUNS, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
stats ms "$WORK/times" | sed -E 's/   runs:.*//'
python3 - "$WORK/times" <<'EOF'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    tool, secs, *_ = line.split()
    runs.setdefault(tool, []).append(float(secs) * 1000)
med = {t: statistics.median(v) for t, v in runs.items()}
for tool, base in (("berth-pasta", "berth-none"), ("berth-slirp", "berth-none"), ("podman-slirp", "podman-none"),
                   ("berth-bridge", "berth-none"), ("podman-bridge", "podman-none")):
    if tool not in med:
        continue
    added = med[tool] - med[base]
    target = f"   target <= 5 ms   {'PASS' if added <= 5 else 'MISS'}" if tool in ("berth-pasta", "berth-bridge") else ""
    print(f"added by {tool.split('-')[1]:6s} ({tool.split('-')[0]}): {added:6.1f} ms{target}")
if "pasta-alone" in med:
    print(f"pasta alone (start, configure, exit): {med['pasta-alone']:.1f} ms")
EOF
