#!/usr/bin/env bash
# Benchmark: `berth build` against `podman build`, and `berth push` of the
# result against `skopeo copy` of the same image, side by side in one run.
#
#   build.sh [--rounds N] [--runs N] [--root]
#
# Rootless by default, as user $BENCH_USER (default berthtest). Both tools get
# a fresh private store holding the same base image: the busybox fixture
# ($BERTH_FIXTURES/busybox-docker.tar; a debootstrap'd Debian needs the
# network, which the test machines lack). The context is a Containerfile of
# three RUN steps and a COPY of a 50 MB directory (50 files of 1 MB of
# incompressible data), network none for the RUN steps. Measured:
#   cold     N rounds (default 3, order alternating): build into a store
#            holding the base alone (the built images are removed between
#            rounds)
#   cached   hyperfine -N --warmup 2 --runs N (default 10): the same build
#            again, every step a cache hit
#   push     N rounds: `berth push` of the result to $REGISTRY (default
#            127.0.0.1:5000), `podman push` of its own, and `skopeo copy` of
#            berth's (saved as an OCI layout first, untimed), each to a
#            repository of its own that the registry does not have yet, with
#            podman's and skopeo's blob location caches emptied (else they
#            mount the blobs from an earlier round's repository; as root
#            they keep it in /var/lib/containers/cache, and rounds after the
#            first measure such mounts)
# and prints the medians with the targets: cached berth < 150 ms and
# berth/podman <= 0.2 (5x faster); cold and push as ratios.
# --root runs as root instead. Needs: podman, runc, skopeo, hyperfine, the
# fixtures (tests/lib/setup-fixtures.sh), a registry on $REGISTRY
# (tests/lib/registries.sh start).
set -uo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ROUNDS=3 RUNS=10 ROOTLESS=1
while (($#)); do
    case $1 in
        --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
        --runs) RUNS=${2:?--runs needs a number}; shift ;;
        --root) ROOTLESS=0 ;;
        --rootless) ROOTLESS=1 ;;
        -h|--help) usage ;;
        *) die "unknown argument $1 (usage: build.sh [--rounds N] [--runs N] [--root])" ;;
    esac
    shift
done
[[ $ROUNDS =~ ^[1-9][0-9]*$ && $RUNS =~ ^[1-9][0-9]*$ ]] || die "--rounds and --runs must be positive numbers"
TARBALL=$FIXTURES/busybox-docker.tar

if [[ -z ${BENCH_AS_USER:-} ]]; then
    need_tools podman runc skopeo hyperfine python3
    [[ -r $TARBALL ]] || die "no $TARBALL: run tests/lib/setup-fixtures.sh (as root)"
    registry_up
    if ((ROOTLESS)); then
        run_as_user "$BENCH_USER" "$BENCH_DIR/build.sh" --rounds "$ROUNDS" --runs "$RUNS" --rootless
        exit $?
    fi
fi

side_by_side build
mkdir -p "$WORK/logs" "$WORK/ctx/data" || die "cannot create $WORK"
# As root podman raises nofile and nproc above this machine's hard limits (see run.sh).
PODMAN_BUILD=()
((EUID == 0)) && PODMAN_BUILD=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
TAG=localhost/bench-app:latest

# The context: 50 x 1 MB of random data, and the Containerfile.
for i in $(seq -w 1 50); do
    head -c 1048576 /dev/urandom >"$WORK/ctx/data/f$i" || die "cannot write the context"
done
cat >"$WORK/ctx/Containerfile" <<EOF
FROM $IMAGE
RUN echo one >/one && mkdir -p /srv
COPY data /srv/data
RUN du -s /srv/data >/size
RUN echo three >/three
EOF

for tool in berth podman; do
    ${CMD[$tool]} load -q -i "$TARBALL" >"$WORK/logs/$tool-load.log" 2>&1 ||
        { cat "$WORK/logs/$tool-load.log" >&2; die "$tool load failed"; }
done

build_cmd() {  # build_cmd TOOL: the build command line
    local extra=""
    [[ $1 == podman ]] && extra="${PODMAN_BUILD[*]}"
    echo "${CMD[$1]} build -q --network none $extra -t $TAG $WORK/ctx"
}

# forget TOOL: the built images go, the base stays (the next build is cold).
forget() {
    ${CMD[$1]} rmi -f "$TAG" >/dev/null 2>&1
    ${CMD[$1]} image prune -f >/dev/null 2>&1
    ${CMD[$1]} images -a -q | grep -q . || die "$1: the base image went too"
    [[ $(${CMD[$1]} images -a -q | wc -l) == 1 ]] || die "$1: images left after rmi and prune: $(${CMD[$1]} images -a)"
}

mode=root
((EUID != 0)) && mode="rootless ($USER)"
note "build of 3 RUN + COPY 50 MB on busybox, $mode; berth $BERTH; podman overlay/runc; registry $REGISTRY"

# Cold builds, the order alternating; the last round's images stay for the cached runs.
: >"$WORK/cold"
for ((round = 1; round <= ROUNDS; round++)); do
    order=(berth podman)
    ((round % 2 == 0)) && order=(podman berth)
    for tool in "${order[@]}"; do
        sync
        # shellcheck disable=SC2046
        read -r wall cpu < <(timed "$WORK/logs/$tool-cold-$round.log" $(build_cmd "$tool"))
        echo "$tool $wall $cpu" >>"$WORK/cold"
        ((round < ROUNDS)) && forget "$tool"
    done
done

# Cached rebuilds.
hyperfine -N --warmup 2 --runs "$RUNS" --style basic --export-json "$WORK/hyperfine.json" \
    -n berth "$(build_cmd berth)" -n podman "$(build_cmd podman)" \
    >"$WORK/logs/hyperfine.txt" 2>&1 || { cat "$WORK/logs/hyperfine.txt" >&2; die "hyperfine failed"; }
hyperfine_times "$WORK/hyperfine.json" >"$WORK/cached"
for tool in berth podman; do  # a rebuild that ran a step would not be a cached rebuild
    ${CMD[$tool]} build --network none ${PODMAN_BUILD[@]+"${PODMAN_BUILD[@]}"} -t "$TAG" "$WORK/ctx" >"$WORK/logs/$tool-cached.log" 2>&1
    [[ $(grep -c 'Using cache' "$WORK/logs/$tool-cached.log") == 4 ]] || die "$tool: the rebuild did not use the cache for all 4 steps"
done

# Pushes: each round to new repositories, so that every blob is uploaded.
${CMD[berth]} push -q "$TAG" "oci:$WORK/oci" >"$WORK/logs/berth-oci.log" 2>&1 ||
    { cat "$WORK/logs/berth-oci.log" >&2; die "berth push to an OCI layout failed"; }
: >"$WORK/push"
run_id=$(date +%s)-$$
for ((round = 1; round <= ROUNDS; round++)); do
    repo=$REGISTRY/bench-build/$USER-$run_id-$round
    # containers/image remembers which repositories have a blob and mounts it from
    # there instead of uploading it: rootless, that memory is in XDG_DATA_HOME.
    rm -rf "$WORK/cache-data"
    sync
    # shellcheck disable=SC2086  # CMD holds a command line
    read -r wall cpu < <(timed "$WORK/logs/berth-push-$round.log" ${CMD[berth]} push --tls-verify=false "$TAG" "$repo/berth:latest")
    echo "berth-push $wall $cpu" >>"$WORK/push"
    # shellcheck disable=SC2086
    read -r wall cpu < <(timed "$WORK/logs/podman-push-$round.log" env XDG_DATA_HOME="$WORK/cache-data" ${CMD[podman]} push --tls-verify=false "$TAG" "$repo/podman:latest")
    echo "podman-push $wall $cpu" >>"$WORK/push"
    read -r wall cpu < <(timed "$WORK/logs/skopeo-$round.log" env XDG_DATA_HOME="$WORK/cache-data" skopeo copy -q --dest-tls-verify=false "oci:$WORK/oci" "docker://$repo/skopeo:latest")
    echo "skopeo $wall $cpu" >>"$WORK/push"
done

echo "== build: 3 RUN + COPY 50 MB on busybox, $mode, podman overlay/runc, $(date -u +%Y-%m-%dT%H:%MZ), load $(cut -d" " -f1-3 /proc/loadavg)"
echo "-- cold build ($ROUNDS rounds)"
stats s "$WORK/cold" "berth/podman"
echo "-- cached rebuild (hyperfine --warmup 2 --runs $RUNS)"
stats ms "$WORK/cached" "berth<150ms" "berth/podman<=0.2" "podman/berth" | sed -E 's/   runs:.*//'
echo "-- push to $REGISTRY ($ROUNDS rounds, new repositories)"
stats s "$WORK/push" "berth-push/skopeo" "berth-push/podman-push"

for tool in berth podman; do
    ${CMD[$tool]} system reset -f >/dev/null 2>&1 || note "$tool system reset failed"
done
