# Shared helpers for the benchmark scripts in contrib/bench (sourced, not run).
#
# The hard part is running the same script as an unprivileged user: run_as_user
# re-executes the calling script under runuser with a clean environment and a
# private 0700 XDG_RUNTIME_DIR, so that rootless podman and berth keep their
# runtime state (pause process, locks) away from anything else on the machine.
# Wall clock comes from bash's $EPOCHREALTIME around the command, CPU time
# (user + system) from /usr/bin/time.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/../.." && pwd)
BERTH=${BERTH:-$REPO_DIR/build/src/berth}
REGISTRY=${REGISTRY:-127.0.0.1:5000}
FIXTURES=${BERTH_FIXTURES:-/var/tmp/berth-fixtures}
BENCH_USER=${BENCH_USER:-berthtest}
SAFE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "bench: $*" >&2; exit 1; }
show_help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"; }  # show_help SCRIPT: its header comment
note() { echo "# $*" >&2; }

need_tools() {  # need_tools TOOL...
    local t
    for t in "$@"; do
        command -v "$t" >/dev/null || die "$t is missing: run contrib/install-deps.sh"
    done
    [[ -x $BERTH ]] || die "berth binary $BERTH is not executable: build it or set BERTH=/path/to/berth"
}

registry_up() {
    curl -s -o /dev/null --max-time 3 -w '%{http_code}' "http://$REGISTRY/v2/" | grep -q 200 ||
        die "no registry answers on http://$REGISTRY/v2/: run tests/lib/registries.sh start (as root)"
}

# own_registry_start: start a private docker-registry on 127.0.0.1:5100 (storage in
# /var/tmp/bench-registry) and point REGISTRY at it; it stops when the script exits.
# Other users of the machine (test runs start and stop the shared registries on
# 5000-5003) then neither break the benchmark nor add load to its registry.
OWN_REGISTRY_PID=
own_registry_start() {
    ((EUID == 0)) || die "--own-registry needs root"
    command -v docker-registry >/dev/null || die "docker-registry is missing: run contrib/install-deps.sh"
    local state=/var/tmp/bench-registry addr=127.0.0.1:5100
    (exec 3<>"/dev/tcp/127.0.0.1/5100") 2>/dev/null && die "$addr is already in use"
    mkdir -p "$state/storage"
    printf '%s\n' "version: 0.1" "log:" "  level: error" "storage:" "  filesystem:" \
        "    rootdirectory: $state/storage" "  delete:" "    enabled: true" "http:" \
        "  addr: $addr" "  secret: berth-bench" >"$state/config.yml"
    docker-registry serve "$state/config.yml" >>"$state/registry.log" 2>&1 </dev/null &
    OWN_REGISTRY_PID=$!
    trap own_registry_stop EXIT
    REGISTRY=$addr
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null --max-time 1 "http://$addr/v2/" && return 0
        sleep 0.1
    done
    die "the private registry did not start (log: $state/registry.log)"
}

own_registry_stop() {
    [[ -n $OWN_REGISTRY_PID ]] || return 0
    kill "$OWN_REGISTRY_PID" 2>/dev/null || true
    wait "$OWN_REGISTRY_PID" 2>/dev/null || true
    OWN_REGISTRY_PID=
}

# push_fixture NAME REPO: push fixture image NAME to $REGISTRY/REPO:latest unless it is there
push_fixture() {
    has_image "$2" latest && return 0
    [[ -d $FIXTURES/oci/$1 ]] || die "no $FIXTURES/oci/$1: run tests/lib/setup-fixtures.sh --big (as root)"
    note "pushing $1 to $REGISTRY/$2:latest"
    skopeo copy -q --dest-tls-verify=false "oci:$FIXTURES/oci/$1:latest" "docker://$REGISTRY/$2:latest" >/dev/null ||
        die "could not push $1 to $REGISTRY/$2:latest"
}

# has_image REPO TAG: whether the registry has a manifest for REPO:TAG
has_image() {
    local code
    code=$(curl -s -o /dev/null --max-time 5 -w '%{http_code}' -I \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
        "http://$REGISTRY/v2/$1/manifests/$2")
    [[ $code == 200 ]]
}

# elapsed START END: END - START in seconds (3 decimals)
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }

# timed LOG COMMAND...: run COMMAND with output into LOG; print "WALL CPU": its
# wall-clock seconds and the CPU seconds (user + system, children included) it
# used. On failure, show the end of LOG and exit.
timed() {
    local log=$1 start end rc cpu
    shift
    start=$EPOCHREALTIME
    /usr/bin/time -f '%U %S' -o "$log.cpu" "$@" >"$log" 2>&1
    rc=$?
    end=$EPOCHREALTIME
    if ((rc != 0)); then
        echo "bench: failed (exit $rc): $*" >&2
        tail -n 20 "$log" >&2
        exit 1
    fi
    cpu=$(awk 'END { printf "%.2f", $1 + $2 }' "$log.cpu")
    echo "$(elapsed "$start" "$end") $cpu"
}

# private_xdg USER: a fresh private 0700 XDG_RUNTIME_DIR owned by USER, one per
# run (two benchmarks at once must not wipe each other's pause processes)
private_xdg() {
    local dir
    dir=$(mktemp -d "/tmp/bench-xdg-$1-XXXXXX") || die "cannot create a runtime dir in /tmp"
    chmod 0700 "$dir"
    chown "$1:" "$dir"
    echo "$dir"
}

# run_as_user USER SCRIPT ARGS...: run SCRIPT as USER with a clean environment
run_as_user() {
    local user=$1 script=$2
    shift 2
    ((EUID == 0)) || die "--rootless needs root (it switches to $user with runuser)"
    id "$user" >/dev/null 2>&1 || die "user $user does not exist"
    grep -q "^$user:" /etc/subuid || die "$user has no range in /etc/subuid"
    local home xdg
    home=$(getent passwd "$user" | cut -d: -f6)
    xdg=$(private_xdg "$user")
    [[ -r $BERTH && -x $BERTH ]] || die "$BERTH is not readable by others"
    runuser -u "$user" -- env -i "HOME=$home" "USER=$user" "LOGNAME=$user" "PATH=$SAFE_PATH" \
        "LANG=C.UTF-8" "XDG_RUNTIME_DIR=$xdg" "TMPDIR=/tmp" "BERTH=$BERTH" "REGISTRY=$REGISTRY" \
        "BERTH_FIXTURES=$FIXTURES" "BENCH_AS_USER=1" bash "$script" "$@"
    local rc=$?
    # Rootless podman leaves its pause process behind; end it (it is ours: it lives in our private dir).
    local pidfile=$xdg/libpod/tmp/pause.pid
    if [[ -f $pidfile ]]; then
        kill "$(cat "$pidfile")" 2>/dev/null || true
    fi
    rm -rf "$xdg"
    return $rc
}

# podman_driver ROOT RUNROOT: print overlay when podman can pull into an overlay store here, else vfs
podman_driver() {
    if [[ -n ${PODMAN_DRIVER:-} ]]; then
        echo "$PODMAN_DRIVER"
        return
    fi
    local root=$1 runroot=$2
    if podman --root "$root" --runroot "$runroot" --storage-driver overlay \
        pull -q --tls-verify=false "$REGISTRY/busybox:latest" >/dev/null 2>&1; then
        echo overlay
    else
        echo vfs
    fi
    podman --root "$root" --runroot "$runroot" --storage-driver overlay system reset -f >/dev/null 2>&1 || true
    podman --root "$root" --runroot "$runroot" --storage-driver vfs system reset -f >/dev/null 2>&1 || true
    wipe_dir "$root"
    wipe_dir "$runroot"
}

# wipe_dir DIR: remove DIR; files owned by subordinate ids are removed inside podman's user namespace
wipe_dir() {
    [[ -e $1 ]] || return 0
    rm -rf "$1" 2>/dev/null && return 0
    if ((EUID != 0)); then
        podman unshare rm -rf "$1" 2>/dev/null || true
    fi
    rm -rf "$1" 2>/dev/null || true
    [[ ! -e $1 ]] || note "could not remove all of $1"
}

# hyperfine_times HYPERFINE_JSON: one line per run, "COMMAND SECONDS CPU", the
# input of stats (hyperfine keeps only the mean CPU time, user + system).
hyperfine_times() {
    python3 - "$1" <<'EOF'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    for t in r["times"]:
        print(r["command"], t, r["user"] + r["system"])
EOF
}

# stats UNIT FILE TARGET...: FILE has lines "TOOL SECONDS [CPU-SECONDS]"; print
# per tool the median, min, max and every run (in UNIT: s or ms), the median CPU
# time when known, then each target: "A/B" (the ratio of medians), "A/B<=LIMIT"
# or "A<LIMITms" (with PASS or MISS).
stats() {
    python3 - "$@" <<'EOF'
import statistics, sys, re
unit, path, targets = sys.argv[1], sys.argv[2], sys.argv[3:]
runs, cpus = {}, {}
for line in open(path):
    tool, secs, *cpu = line.split()
    runs.setdefault(tool, []).append(float(secs))
    if cpu:
        cpus.setdefault(tool, []).append(float(cpu[0]))
med = {t: statistics.median(v) for t, v in runs.items()}
scale, prec = (1000.0, 1) if unit == "ms" else (1.0, 3)
fmt = lambda x: f"{x * scale:.{prec}f}"
for t, v in runs.items():
    cpu = f"   cpu {fmt(statistics.median(cpus[t]))} {unit}" if t in cpus else ""
    print(f"{t:13s} median {fmt(med[t]):>8s} {unit}   min {fmt(min(v))}  max {fmt(max(v))}{cpu}   runs: "
          + " ".join(fmt(x) for x in v))
for target in targets:
    m = re.fullmatch(r"([\w-]+)/([\w-]+)", target)
    if m:
        print(f"ratio {m.group(1)}/{m.group(2)} = {med[m.group(1)] / med[m.group(2)]:.2f}")
        continue
    m = re.fullmatch(r"([\w-]+)/([\w-]+)(<=|<)([0-9.]+)", target)
    if m:
        a, b, op, lim = m.group(1), m.group(2), m.group(3), float(m.group(4))
        r = med[a] / med[b]
        ok = r <= lim if op == "<=" else r < lim
        print(f"ratio {a}/{b} = {r:.2f}   target {op} {lim:g}   {'PASS' if ok else 'MISS'}")
        continue
    m = re.fullmatch(r"([\w-]+)(<=|<)([0-9.]+)(ms|s)", target)
    if m:
        a, op, lim, u = m.group(1), m.group(2), float(m.group(3)), m.group(4)
        v = med[a] * (1000.0 if u == "ms" else 1.0)
        ok = v <= lim if op == "<=" else v < lim
        print(f"{a} median = {v:.1f} {u}   target {op} {lim:g} {u}   {'PASS' if ok else 'MISS'}")
        continue
    raise SystemExit(f"bad target {target}")
EOF
}

# usage: print the calling script's header comment (its help text)
usage() {
    awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
    exit 0
}

# side_by_side NAME: the set-up of a benchmark that runs berth and podman in
# one run. Sets WORK (/tmp/bench-$USER/NAME, emptied), IMAGE and CMD[berth],
# CMD[podman] (fresh private stores under WORK); rootless, gives podman a
# runtime dir of this run's own (OWN_XDG); on exit removes what is left of
# the containers, the work dir and both tools' pause processes.
side_by_side() {
    USER=${USER:-$(id -un)}
    WORK=/tmp/bench-$USER/$1
    IMAGE=docker.io/library/busybox:latest
    declare -gA CMD=(
        [berth]="$BERTH --root $WORK/berth-root --runroot $WORK/berth-run --runtime berth"
        [podman]="podman --root $WORK/podman-root --runroot $WORK/podman-run --storage-driver overlay"
    )
    if ((EUID != 0)); then
        # run_as_user's XDG_RUNTIME_DIR is shared by every bench script that runs as
        # this user, and each wipes it when it starts: podman's runtime state (its
        # pause process, locks) gets a directory of its own for this run.
        OWN_XDG=/tmp/bench-xdg-$USER-$1-$$
        rm -rf "$OWN_XDG"
        mkdir -m 0700 "$OWN_XDG" || die "cannot create $OWN_XDG"
        export XDG_RUNTIME_DIR=$OWN_XDG
        # runc gives each container a session keyring, and an unprivileged user may
        # own only 200 keys (kernel.keys.maxkeys): podman would stop at ~190
        # containers. keyring = false is podman's own switch for that (berth makes none).
        printf '[containers]\nkeyring = false\n[engine]\nruntime = "runc"\n' >"$OWN_XDG/containers.conf"
        export CONTAINERS_CONF=$OWN_XDG/containers.conf
    fi
    trap 'side_by_side_berth_pause; side_by_side_finish' EXIT
    wipe_dir "$WORK"
    mkdir -p "$WORK" || die "cannot create $WORK"
}

# On any exit: remove what is left of the containers, then end both pause processes.
side_by_side_finish() {
    local tool
    trap - EXIT
    for tool in berth podman; do
        [[ -d $WORK/$tool-root ]] && ${CMD[$tool]} rm -f -t 0 -a >/dev/null 2>&1
    done
    wipe_dir "$WORK"
    if [[ -n ${OWN_XDG:-} ]]; then
        [[ -f $OWN_XDG/libpod/tmp/pause.pid ]] && kill "$(cat "$OWN_XDG/libpod/tmp/pause.pid")" 2>/dev/null
        rm -rf "$OWN_XDG"
    fi
    # berth's pause process: "PID START" in its runroot (the work dir is gone by now, so it was read first).
    [[ -n ${BERTH_PAUSE:-} ]] && kill "$BERTH_PAUSE" 2>/dev/null
    return 0
}
side_by_side_berth_pause() {
    local pid start
    read -r pid start 2>/dev/null <"$WORK/berth-run/pause.pid" || return 0
    [[ $(awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$pid/stat" 2>/dev/null) == "$start" ]] && BERTH_PAUSE=$pid
}
