#!/usr/bin/env bash
# Benchmark: the fixed start-up every berth command pays, against podman.
#
#   startup.sh [--runs N]
#
# hyperfine (-N, --warmup 10, --runs N, default 100) times, in one run, side by
# side: `berth version`, `berth --version`, `podman version`, `podman --version`
# and /bin/true (the cost of a process at all). None of them opens a store.
# Prints the medians, the target (berth version <= 2 ms) with PASS or MISS and
# the ratio berth/podman. Runs as the calling user. Needs: hyperfine, podman.
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=100
while (($#)); do
    case $1 in
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: startup.sh [--runs N])" ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"
need_tools podman hyperfine python3

WORK=$(mktemp -d /tmp/bench-startup-XXXXXX) || die "cannot create a work directory"
trap 'rm -rf "$WORK"' EXIT
hyperfine -N --warmup 10 --runs "$RUNS" --style basic --export-json "$WORK/hyperfine.json" \
    -n berth "$BERTH version" -n berth-flag "$BERTH --version" \
    -n podman "podman version" -n podman-flag "podman --version" -n true /bin/true \
    >"$WORK/hyperfine.txt" 2>&1 || { cat "$WORK/hyperfine.txt" >&2; die "hyperfine failed"; }
hyperfine_times "$WORK/hyperfine.json" >"$WORK/times"
echo "== start-up: version, hyperfine --warmup 10 --runs $RUNS, berth $BERTH, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
stats ms "$WORK/times" "berth<=2ms" "berth/podman" "berth-flag/podman-flag" | sed -E 's/   runs:.*//'
