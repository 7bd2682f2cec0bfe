#!/usr/bin/env bash
# Benchmark: many invocations at once on one store, berth against podman (runc).
#
#   concurrent.sh [--count N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest), network none.
# For each tool, in one run: N (default 200) `run -d` started at once, half of
# them with --name, half without; then N `rm -f -t 0` started at once, one a
# container. Each command's own latency is taken (bash's $EPOCHREALTIME
# around it); the report gives, per phase and tool, how many failed, the p50,
# p99 and max latency, and the wall time of the whole phase, with the ratio
# berth/podman. Failures are listed (first lines) from the logs.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT=200 ROOTLESS=1
while (($#)); do
    case $1 in
        --count) COUNT=${2:?}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) show_help "$0"; exit 0 ;;
        *) die "unknown argument $1 (usage: concurrent.sh [--count N] [--root])" ;;
    esac
    shift
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive number"
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/concurrent.sh" --count "$COUNT" --rootless
        exit $?
    fi
fi

side_by_side concurrent
declare -A R

# phase TOOL NAME ARGS-PER-INDEX-FUNCTION: runs COUNT commands at once; each
# writes "rc ms" to $WORK/NAME/I; prints "failed p50 p99 max wall" in ms.
phase() {
    local tool=$1 name=$2 make_args=$3 i dir=$WORK/$tool-$2
    mkdir -p "$dir"
    local start=$EPOCHREALTIME
    for ((i = 0; i < COUNT; i++)); do
        (
            read -r -a args < <($make_args "$i")
            t0=$EPOCHREALTIME
            ${CMD[$tool]} "${args[@]}" >"$dir/$i.out" 2>&1 </dev/null
            rc=$?
            t1=$EPOCHREALTIME
            echo "$rc $(( (${t1/./} - ${t0/./}) / 1000 ))" >"$dir/$i"
        ) &
    done
    wait
    local wall=$(( (${EPOCHREALTIME/./} - ${start/./}) / 1000 ))
    python3 - "$dir" "$COUNT" "$wall" <<'EOF'
import os, sys
d, n, wall = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = [open(os.path.join(d, str(i))).read().split() for i in range(n)]
failed = sum(1 for rc, _ in rows if rc != "0")
ms = sorted(int(t) for _, t in rows)
pick = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print(failed, pick(0.50), pick(0.99), ms[-1], wall)
EOF
    local f
    for f in "$dir"/*.out; do
        [[ -s $f ]] && grep -qiE 'error|locked' "$f" && note "$tool $name: $(head -n 1 "$f")"
    done | sort | uniq -c | head -n 5 >&2
}

run_args() {  # half named, half not
    if (($1 % 2 == 0)); then
        echo "run -d --network none --name n$1 $IMAGE sleep 1000"
    else
        echo "run -d --network none $IMAGE sleep 1000"
    fi
}
rm_args() { echo "rm -f -t 0 ${IDS[$1]}"; }

for tool in berth podman; do
    ${CMD[$tool]} load -q -i "$TARBALL" >"$WORK/$tool-load.log" 2>&1 || die "$tool load failed (log: $WORK/$tool-load.log)"
    read -r R[$tool.run.failed] R[$tool.run.p50] R[$tool.run.p99] R[$tool.run.max] R[$tool.run.wall] \
        < <(phase "$tool" run run_args)
    R[$tool.running]=$(${CMD[$tool]} ps -q | wc -l)
    mapfile -t IDS < <(${CMD[$tool]} ps -a -q --no-trunc)
    while ((${#IDS[@]} < COUNT)); do IDS+=(none); done
    read -r R[$tool.rm.failed] R[$tool.rm.p50] R[$tool.rm.p99] R[$tool.rm.max] R[$tool.rm.wall] \
        < <(phase "$tool" rm rm_args)
    R[$tool.left]=$(${CMD[$tool]} ps -a -q | wc -l)
done

mode=root
((EUID != 0)) && mode="rootless ($USER)"
echo "== $COUNT concurrent invocations, $mode, network none, podman overlay/runc, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d' ' -f1-3 /proc/loadavg)"
ratio() { python3 -c "print('%.2f' % ($1 / $2) if $2 else '-')"; }
for p in run rm; do
    label="run -d"
    [[ $p == rm ]] && label="rm -f"
    for k in p50 p99 max wall; do
        printf '%-8s %-5s berth %7s ms  podman %7s ms  ratio %s\n' "$label" "$k" "${R[berth.$p.$k]}" "${R[podman.$p.$k]}" \
            "$(ratio "${R[berth.$p.$k]}" "${R[podman.$p.$k]}")"
    done
    printf '%-8s failed berth %d of %d  podman %d of %d\n' "$label" "${R[berth.$p.failed]}" "$COUNT" "${R[podman.$p.failed]}" "$COUNT"
done
echo "running after run -d: berth ${R[berth.running]}, podman ${R[podman.running]} (of $COUNT); left after rm -f: berth ${R[berth.left]}, podman ${R[podman.left]}"
