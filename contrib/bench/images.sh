#!/usr/bin/env bash
# Benchmark: `berth images` against `podman images` in a store with 100 images.
#
#   images.sh [--runs N] [--rootless] [--own-registry]
#
# Fills a fresh berth store and a fresh podman store with the same 100 images:
# busybox pulled once from the local registry, plus 99 images imported from
# tiny tarballs of distinct content (distinct layers, so distinct image IDs;
# `tag` would only add names). Then hyperfine (--warmup 3, --runs N, default
# 30, no intermediate shell) times `images` for each and prints the medians
# (and the mean CPU time, user + system), berth/podman and the target: berth
# images with 100 images < 20 ms. For reference it also times `berth --version`
# (the process start-up alone).
# --rootless runs the same as user $BENCH_USER (default berthtest).
# --own-registry pulls busybox from a private registry on 127.0.0.1:5100.
# Needs: hyperfine, setup-fixtures.sh, and registries.sh start (or --own-registry).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS=30 ROOTLESS=0 OWN=0 COUNT=100
while (($#)); do
    case $1 in
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --rootless) ROOTLESS=1 ;;
        --own-registry) OWN=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: images.sh [--runs N] [--rootless] [--own-registry])" ;;
    esac
    shift
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive number"

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman skopeo hyperfine curl python3 tar
    ((OWN)) && own_registry_start
    registry_up
    push_fixture busybox busybox
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/images.sh" --runs "$RUNS"
        exit $?
    fi
fi

USER=${USER:-$(id -un)}
WORK=/tmp/bench-$USER/images
wipe_dir "$WORK"
mkdir -p "$WORK/tars" "$WORK/logs" || die "cannot create $WORK"

PODMAN_DRIVER=$(podman_driver "$WORK/probe-root" "$WORK/probe-run")
# berth's own runtime, whatever runtime containers.conf picks for Podman.
BERTH_ARGS=(--root "$WORK/berth-root" --runroot "$WORK/berth-run" --runtime berth)
PODMAN_ARGS=(--root "$WORK/podman-root" --runroot "$WORK/podman-run" --storage-driver "$PODMAN_DRIVER")

# 99 one-file tarballs, each with its own content.
make_tarballs() {
    python3 - "$WORK/tars" "$((COUNT - 1))" <<'EOF'
import io, sys, tarfile
out, n = sys.argv[1], int(sys.argv[2])
for i in range(1, n + 1):
    with tarfile.open(f"{out}/img-{i}.tar", "w") as tar:
        data = f"bench image {i}\n".encode()
        info = tarfile.TarInfo("etc/bench-id")
        info.size, info.mode, info.mtime = len(data), 0o644, 1700000000
        d = tarfile.TarInfo("etc")
        d.type, d.mode, d.mtime = tarfile.DIRTYPE, 0o755, 1700000000
        tar.addfile(d)
        tar.addfile(info, io.BytesIO(data))
EOF
}

fill() {  # fill NAME COMMAND...: pull busybox and import the tarballs with COMMAND
    local name=$1 i start log=$WORK/logs/$1-fill.log
    shift
    start=$EPOCHREALTIME
    "$@" pull -q --tls-verify=false "$REGISTRY/busybox:latest" >"$log" 2>&1 ||
        { tail -n 20 "$log" >&2; die "$name could not pull busybox"; }
    for ((i = 1; i < COUNT; i++)); do
        "$@" import "$WORK/tars/img-$i.tar" "localhost/bench/img-$i:latest" >>"$log" 2>&1 ||
            { tail -n 20 "$log" >&2; die "$name import of img-$i.tar failed"; }
    done
    local n
    n=$("$@" images -q --no-trunc | sort -u | wc -l)
    ((n == COUNT)) || die "$name store holds $n images, expected $COUNT"
    note "$name: $COUNT images created in $(elapsed "$start" "$EPOCHREALTIME") s"
}

mode=root
((EUID != 0)) && mode="rootless ($USER)"
note "images with $COUNT images, $mode; berth $BERTH; podman storage driver $PODMAN_DRIVER"
make_tarballs || die "could not write the tarballs"
fill berth "$BERTH" "${BERTH_ARGS[@]}"
fill podman podman "${PODMAN_ARGS[@]}"

# The commands as hyperfine runs them (no shell: -N; arguments need no quoting here).
berth_images="$BERTH ${BERTH_ARGS[*]} images"
podman_images="podman ${PODMAN_ARGS[*]} images"
"$BERTH" "${BERTH_ARGS[@]}" images | head -n 4 >&2

hyperfine -N --warmup 3 --runs "$RUNS" --style basic --export-json "$WORK/hyperfine.json" \
    -n berth "$berth_images" -n podman "$podman_images" -n berth-version "$BERTH --version" >"$WORK/logs/hyperfine.txt" 2>&1 ||
    { cat "$WORK/logs/hyperfine.txt" >&2; die "hyperfine failed"; }
cat "$WORK/logs/hyperfine.txt" >&2

hyperfine_times "$WORK/hyperfine.json" >"$WORK/times"
echo "== images with $COUNT images, $mode, hyperfine --warmup 3 --runs $RUNS, podman driver $PODMAN_DRIVER, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
stats ms "$WORK/times" "berth/podman" "berth<20ms" | sed -E 's/   runs:.*//'

"$BERTH" "${BERTH_ARGS[@]}" system reset --force >/dev/null 2>&1 || note "berth system reset failed"
podman "${PODMAN_ARGS[@]}" system reset -f >/dev/null 2>&1 || note "podman system reset failed"
wipe_dir "$WORK"
