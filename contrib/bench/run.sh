#!/usr/bin/env bash
# Benchmark: `berth run --rm busybox true` against `podman run --rm busybox true`.
#
#   run.sh [--runs N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest), with network
# none for both. Loads the same busybox image (the fixture
# $BERTH_FIXTURES/busybox-docker.tar) into a fresh berth store and a fresh
# podman store, then hyperfine (-N, --warmup 5, --runs N, default 30) times, in
# one run, side by side:
#   berth    berth run --rm --network none busybox true
#   podman   podman run --rm --network none busybox true   (runtime runc)
#   unshare  unshare -Urpf --mount-proc true   (the kernel's own cost of the namespaces)
# and prints the medians, the targets (berth <= 12 ms, podman/berth >= 5, i.e.
# berth/podman <= 0.2) with PASS or MISS, and the ratio berth/unshare. Then it
# samples the peak RSS (VmHWM) of the berth CLI and of berth-monitor during
# `berth run --rm busybox sleep 1`.
# Podman needs runc for this user: ~/.config/containers/containers.conf gets
# `[engine] runtime = "runc"` when the user has no such file.
# --root runs as root instead. Needs: hyperfine, podman, runc, the fixtures
# (tests/lib/setup-fixtures.sh).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=30 ROOTLESS=1
while (($#)); do
    case $1 in
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: run.sh [--runs N] [--root])" ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc hyperfine unshare python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/run.sh" --runs "$RUNS" --rootless
        exit $?
    fi
fi

# podman_runc: make rootless podman use runc (crun is not installed here).
podman_runc() {
    ((EUID == 0)) && return 0
    local conf=$HOME/.config/containers/containers.conf
    if [[ ! -e $conf ]]; then
        mkdir -p "$(dirname "$conf")"
        printf '[engine]\nruntime = "runc"\n' >"$conf"
        note "wrote $conf (runtime = \"runc\")"
    elif ! grep -Eq '^\s*runtime\s*=\s*"runc"' "$conf"; then
        die "$conf exists without runtime = \"runc\" in [engine]: add it"
    fi
}

USER=${USER:-$(id -un)}
WORK=/tmp/bench-$USER/run
wipe_dir "$WORK"
mkdir -p "$WORK/logs" || die "cannot create $WORK"
podman_runc

PODMAN_DRIVER=${PODMAN_DRIVER:-overlay}
# berth's own runtime, whatever runtime containers.conf picks for Podman.
BERTH_ARGS=(--root "$WORK/berth-root" --runroot "$WORK/berth-run" --runtime berth)
PODMAN_ARGS=(--root "$WORK/podman-root" --runroot "$WORK/podman-run" --storage-driver "$PODMAN_DRIVER")
IMAGE=docker.io/library/busybox:latest
# As root podman raises nofile and nproc to 1048576, above this machine's hard
# limits without CAP_SYS_RESOURCE, and runc fails (--ulimit host does not help):
# root podman gets limits every machine allows.
PODMAN_RUN=()
((EUID == 0)) && PODMAN_RUN=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

"$BERTH" "${BERTH_ARGS[@]}" load -q -i "$TARBALL" >"$WORK/logs/berth-load.log" 2>&1 ||
    { cat "$WORK/logs/berth-load.log" >&2; die "berth load failed"; }
podman "${PODMAN_ARGS[@]}" load -q -i "$TARBALL" >"$WORK/logs/podman-load.log" 2>&1 ||
    { cat "$WORK/logs/podman-load.log" >&2; die "podman load failed"; }
for tool in berth podman; do
    if [[ $tool == berth ]]; then cmd=("$BERTH" "${BERTH_ARGS[@]}"); else cmd=(podman "${PODMAN_ARGS[@]}"); fi
    [[ $tool == podman ]] && cmd+=(run "${PODMAN_RUN[@]}") || cmd+=(run)
    out=$("${cmd[@]}" --rm --network none "$IMAGE" echo ok 2>&1)
    [[ $out == ok ]] || die "$tool run does not work here: $out"
done

mode=root
((EUID != 0)) && mode="rootless ($USER)"
note "run --rm busybox true, $mode; berth $BERTH; podman storage driver $PODMAN_DRIVER, runtime runc"

berth_run="$BERTH ${BERTH_ARGS[*]} run --rm --network none $IMAGE true"
podman_run="podman ${PODMAN_ARGS[*]} run ${PODMAN_RUN[*]} --rm --network none $IMAGE true"
hyperfine -N --warmup 5 --runs "$RUNS" --style basic --export-json "$WORK/hyperfine.json" \
    -n berth "$berth_run" -n podman "$podman_run" -n unshare "unshare -Urpf --mount-proc true" \
    >"$WORK/logs/hyperfine.txt" 2>&1 || { cat "$WORK/logs/hyperfine.txt" >&2; die "hyperfine failed"; }
cat "$WORK/logs/hyperfine.txt" >&2

hyperfine_times "$WORK/hyperfine.json" >"$WORK/times"

# Peak RSS (VmHWM) of the CLI and of the monitor, sampled every 5 ms during a
# one-second container; the last sample before each process ends is its peak.
# The monitor's peak includes static glibc's start-up; "running" is its RSS in
# its poll loop (what lifecycle.sh sums over 100 monitors).
peak_rss() {
    python3 - "$@" <<'EOF'
import os, subprocess, sys, time
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
peak = {"cli": 0, "monitor": 0}
def hwm(pid, field="VmHWM:"):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith(field):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
steady = []  # the monitor's RSS samples: after start-up it unmaps what its loop does not use
uid = os.getuid()
# Only this run's monitors (their --dir is under our --runroot): test runs of
# other sessions may have monitors of the same user.
runroot = sys.argv[sys.argv.index("--runroot") + 1].encode()
while proc.poll() is None:
    peak["cli"] = max(peak["cli"], hwm(proc.pid))
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if (open(f"/proc/{pid}/comm").read().strip() == "berth-monitor" and os.stat(f"/proc/{pid}").st_uid == uid
                    and runroot in open(f"/proc/{pid}/cmdline", "rb").read()):
                peak["monitor"] = max(peak["monitor"], hwm(pid))
                steady.append(hwm(pid, "VmRSS:"))
        except OSError:
            pass
    time.sleep(0.005)
print(f"peak RSS: berth CLI {peak['cli'] / 1024:.2f} MiB, berth-monitor {peak['monitor'] / 1024:.2f} MiB"
      f" (running, median sample: {sorted(steady)[len(steady) // 2] if steady else 0} KiB)"
      f"   target monitor < 1 MiB   {'PASS' if 0 < peak['monitor'] < 1024 else 'MISS'}")
EOF
}

echo "== run --rm busybox true, $mode, network none, hyperfine --warmup 5 --runs $RUNS, podman $PODMAN_DRIVER/runc, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
stats ms "$WORK/times" "berth<=12ms" "berth/podman<=0.2" "podman/berth" "berth/unshare" | sed -E 's/   runs:.*//'
peak_rss "$BERTH" "${BERTH_ARGS[@]}" run --rm --network none "$IMAGE" sleep 1

"$BERTH" "${BERTH_ARGS[@]}" system reset --force >/dev/null 2>&1 || note "berth system reset failed"
podman "${PODMAN_ARGS[@]}" system reset -f >/dev/null 2>&1 || note "podman system reset failed"
wipe_dir "$WORK"
