#!/usr/bin/env bash
# Fault trial, not a timing: kill -9 berth at random moments, by the hundred.
#
#   kill9.sh [--trials N] [--root]
#
# Rootless by default (as $BENCH_USER through runuser), in a fresh private
# store. Runs N trials (default 320) round-robin over pull, run -d, stop, rm,
# rmi, volume rm, save and load: each operation is SIGKILLed after a random
# 0-300 ms, then the store is checked (every command works, records agree
# with the disk, no temporary file is left, a re-run of the operation
# succeeds; the trial logic is tests/lib/kill9.bash, shared with
# tests/system/112-kill9.bats). Every 40 trials, and at the end, all
# containers are removed and no mount or monitor may be left. Prints each
# problem as it is found and a summary per operation; exit 1 if any trial broke.
set -uo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRIALS=320 ROOTLESS=1
while (($#)); do
    case $1 in
        --trials) TRIALS=${2:?}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) show_help "$0"; exit 0 ;;
        *) die "unknown argument $1 (usage: kill9.sh [--trials N] [--root])" ;;
    esac
    shift
done
[[ $TRIALS =~ ^[1-9][0-9]*$ ]] || die "--trials must be a positive number"
export K9_ARCHIVE=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools nsenter pgrep
    [[ -r $K9_ARCHIVE ]] || die "no $K9_ARCHIVE: run tests/lib/setup-fixtures.sh (as root)"
    registry_up
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/kill9.sh" --trials "$TRIALS" --rootless
        exit $?
    fi
fi
. "$REPO_DIR/tests/lib/kill9.bash"

STORE=$(mktemp -d /var/tmp/kill9-XXXXXX) || die "cannot create a store directory in /var/tmp"
export K9_DATA=$STORE/data K9_RUN=$STORE/run K9_WORK=$STORE/work
export K9_OPTS="--root $K9_DATA --runroot $K9_RUN" K9_IMAGE=$REGISTRY/busybox:latest
mkdir -p "$K9_WORK"
export CONTAINERS_REGISTRIES_CONF=$REPO_DIR/tests/lib/registries.conf
cleanup() {
    k9 system reset --force >/dev/null 2>&1
    ((EUID == 0)) || k9 unshare rm -rf "$K9_DATA" >/dev/null 2>&1
    # the rootless pause process of this store (the commands above may have started it)
    [[ -s $K9_RUN/pause.pid ]] && kill "$(cut -d' ' -f1 "$K9_RUN/pause.pid")" 2>/dev/null
    rm -rf "$STORE"
}
trap cleanup EXIT
k9 pull -q "$K9_IMAGE" >/dev/null || die "cannot pull $K9_IMAGE"

declare -A runs broke
failed=0 start=$SECONDS
note "$TRIALS trials, $( ((EUID == 0)) && echo root || echo rootless), store $STORE"
for ((n = 0; n < TRIALS; n++)); do
    op=${K9_OPERATIONS[n % ${#K9_OPERATIONS[@]}]}
    runs[$op]=$((${runs[$op]:-0} + 1))
    if ! kill9_trial "$op" "$n"; then
        broke[$op]=$((${broke[$op]:-0} + 1))
        failed=$((failed + 1))
    fi
    if (((n + 1) % 40 == 0 || n + 1 == TRIALS)); then
        k9_check_empty || { failed=$((failed + 1)); broke[empty-store]=$((${broke[empty-store]:-0} + 1)); }
        k9 image exists "$K9_IMAGE" || k9 pull -q "$K9_IMAGE" >/dev/null
        note "$((n + 1)) trials, $failed broken, $((SECONDS - start)) s"
    fi
done
echo "kill9: $TRIALS trials in $((SECONDS - start)) s ($( ((EUID == 0)) && echo root || echo rootless))"
for op in "${K9_OPERATIONS[@]}" empty-store; do
    [[ -n ${runs[$op]:-}${broke[$op]:-} ]] || continue
    printf '  %-10s %4s trials  %3d broken\n' "$op" "${runs[$op]:-}" "${broke[$op]:-0}"
done
((failed == 0))
