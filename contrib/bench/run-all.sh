#!/usr/bin/env bash
# Run every benchmark in contrib/bench: pull (root, then rootless), images (root),
# start-up, run (rootless and root), lifecycle (rootless), network throughput
# (rootless and root) and build (rootless).
#
#   run-all.sh [--rounds N] [--runs N] [--no-rootless] [--own-registry]
#
# Run as root with the fixtures built (tests/lib/setup-fixtures.sh --big) and the
# registries started (tests/lib/registries.sh start). BERTH=/path/to/berth picks
# the binary (default build/src/berth). --own-registry uses a private
# registry on 127.0.0.1:5100 (see pull.sh). Prints each benchmark's summary;
# the exit status is 1 when a benchmark failed to run (a MISS is not a failure).
set -uo pipefail

DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROUNDS=5 RUNS=30 ROOTLESS=1 EXTRA=()
while (($#)); do
    case $1 in
        --rounds) ROUNDS=${2:?}; shift ;;
        --runs) RUNS=${2:?}; shift ;;
        --no-rootless) ROOTLESS=0 ;;
        --own-registry) EXTRA=(--own-registry) ;;
        -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
        *) echo "run-all: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done

rc=0
echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(uname -r), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$DIR/pull.sh" --rounds "$ROUNDS" "${EXTRA[@]}" || rc=1
if ((ROOTLESS)); then
    "$DIR/pull.sh" --rounds "$ROUNDS" --rootless "${EXTRA[@]}" || rc=1
fi
"$DIR/images.sh" --runs "$RUNS" "${EXTRA[@]}" || rc=1
"$DIR/startup.sh" || rc=1              # version: the start-up every command pays
"$DIR/run.sh" --runs "$RUNS" || rc=1  # rootless run --rm busybox true against podman and unshare
"$DIR/run.sh" --runs "$RUNS" --root || rc=1
"$DIR/lifecycle.sh" || rc=1             # rootless: 100 detached containers, monitors, ps, exec, rm
"$DIR/netthroughput.sh" || rc=1         # rootless: iperf3 per network mode against podman
"$DIR/netthroughput.sh" --root || rc=1
"$DIR/build.sh" --rounds "$(( ROUNDS < 3 ? ROUNDS : 3 ))" || rc=1  # rootless: cold and cached build, push, against podman and skopeo
exit $rc
