#!/usr/bin/env bash
# Benchmark: pull the ~97 MB "big" image (6 layers) from the local registry with
# berth, podman and skopeo, side by side.
#
#   pull.sh [--rounds N] [--rootless] [--own-registry]
#
#   berth   berth pull into an empty store (download, verify, unpack, record)
#   podman  podman pull into an empty store (same work)
#   skopeo  skopeo copy docker://... oci:DIR (the transfer alone: no unpacking)
#
# Each round runs the three in turn (the order reverses every round), each into
# a fresh store that is wiped afterwards; `sync` runs (untimed) before every
# measurement so that one tool's write-back does not land on the next. Wall
# clock of the whole command; its CPU time (user + system) is shown too. Prints
# medians, berth/podman and berth/skopeo and the targets. --rootless runs the
# same as user $BENCH_USER (default berthtest) with runuser; stores live in
# /tmp/bench-$USER. --own-registry pulls from a private registry on
# 127.0.0.1:5100 instead of the shared one on 5000.
# Needs: tests/lib/setup-fixtures.sh --big, and tests/lib/registries.sh start
# (or --own-registry).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=5 ROOTLESS=0 OWN=0
while (($#)); do
    case $1 in
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
        --rootless) ROOTLESS=1 ;;
        --own-registry) OWN=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: pull.sh [--rounds N] [--rootless] [--own-registry])" ;;
    esac
    shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive number"

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman skopeo curl python3
    ((OWN)) && own_registry_start
    registry_up
    push_fixture big bench/big
    push_fixture busybox busybox
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/pull.sh" --rounds "$ROUNDS"
        exit $?
    fi
fi
IMAGE=$REGISTRY/bench/big:latest

USER=${USER:-$(id -un)}
WORK=/tmp/bench-$USER/pull
wipe_dir "$WORK"
mkdir -p "$WORK/logs" || die "cannot create $WORK"
TIMES=$WORK/times

PODMAN_DRIVER=$(podman_driver "$WORK/probe-root" "$WORK/probe-run")

BERTH_CMD=("$BERTH" --root "$WORK/berth-root" --runroot "$WORK/berth-run")
PODMAN_CMD=(podman --root "$WORK/podman-root" --runroot "$WORK/podman-run" --storage-driver "$PODMAN_DRIVER")

run_berth() {
    local t
    sync
    t=$(timed "$WORK/logs/berth-$1.log" "${BERTH_CMD[@]}" pull --tls-verify=false "$IMAGE") || exit 1
    "${BERTH_CMD[@]}" images --format '{{.ID}}' 2>/dev/null | grep -q . || die "berth pull left no image (log: $WORK/logs/berth-$1.log)"
    "${BERTH_CMD[@]}" system reset --force >/dev/null 2>&1 || note "berth system reset failed in round $1"
    wipe_dir "$WORK/berth-root"
    wipe_dir "$WORK/berth-run"
    echo "berth $t" >>"$TIMES"
}

run_podman() {
    local t
    sync
    t=$(timed "$WORK/logs/podman-$1.log" "${PODMAN_CMD[@]}" pull --tls-verify=false "$IMAGE") || exit 1
    "${PODMAN_CMD[@]}" system reset -f >/dev/null 2>&1 || note "podman system reset failed in round $1"
    wipe_dir "$WORK/podman-root"
    wipe_dir "$WORK/podman-run"
    echo "podman $t" >>"$TIMES"
}

run_skopeo() {
    local t
    sync
    t=$(timed "$WORK/logs/skopeo-$1.log" skopeo copy --src-tls-verify=false "docker://$IMAGE" "oci:$WORK/skopeo-oci:latest") || exit 1
    wipe_dir "$WORK/skopeo-oci"
    echo "skopeo $t" >>"$TIMES"
}

mode=root
((EUID != 0)) && mode="rootless ($USER)"
note "pull $IMAGE, $ROUNDS rounds, $mode; berth $BERTH; podman storage driver $PODMAN_DRIVER"
# Warm the registry's files into the page cache (untimed).
skopeo copy -q --src-tls-verify=false "docker://$IMAGE" "oci:$WORK/warm:latest" >/dev/null 2>&1
wipe_dir "$WORK/warm"

: >"$TIMES"
for ((round = 1; round <= ROUNDS; round++)); do
    if ((round % 2)); then order=(berth podman skopeo); else order=(skopeo podman berth); fi
    for tool in "${order[@]}"; do
        "run_$tool" "$round"
    done
    note "round $round (wall, cpu): $(tail -n 3 "$TIMES" | sort | tr '\n' ' ')"
done

echo "== pull $IMAGE (~97 MB, 6 layers), $mode, $ROUNDS rounds, podman driver $PODMAN_DRIVER, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
stats s "$TIMES" "berth/podman<=0.6" "berth/skopeo<=1.3"
wipe_dir "$WORK"
