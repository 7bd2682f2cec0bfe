# Helpers for berth's bats system tests. Load with `load ../lib/helpers` from tests/system/*.bats.
#
# Environment (exported by tests/run-tests; defaults work for a manual run):
#   BERTH              the berth binary under test
#   BERTH_FIXTURES     fixture directory built by lib/setup-fixtures.sh (/var/tmp/berth-fixtures)
#   REGISTRY_OPEN      127.0.0.1:5000  plain HTTP, no auth
#   REGISTRY_TLS       127.0.0.1:5001  HTTPS (CA $BERTH_FIXTURES/ca.crt), Basic auth
#   REGISTRY_TOKEN     127.0.0.1:5002  plain HTTP, Bearer tokens (public/* anonymous pull)
#   REGISTRY_USER / REGISTRY_PASS      testuser / testpass
# Each .bats file gets a fresh store: setup_file creates BERTH_TEST_ROOT and sets
# BERTH_GLOBAL_OPTS="--root $BERTH_TEST_ROOT/data --runroot $BERTH_TEST_ROOT/run";
# REGISTRY_AUTH_FILE points into it too, so that logins never leak between files.
# A file that defines its own setup_file/teardown_file must call
# berth_setup_file/berth_teardown_file from them.

BERTH_TESTS_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export BERTH=${BERTH:-$BERTH_TESTS_LIB/../../build/src/berth}
export BERTH_FIXTURES=${BERTH_FIXTURES:-/var/tmp/berth-fixtures}
export REGISTRY_OPEN=${REGISTRY_OPEN:-127.0.0.1:5000}
export REGISTRY_TLS=${REGISTRY_TLS:-127.0.0.1:5001}
export REGISTRY_TOKEN=${REGISTRY_TOKEN:-127.0.0.1:5002}
export REGISTRY_USER=${REGISTRY_USER:-testuser}
export REGISTRY_PASS=${REGISTRY_PASS:-testpass}
export CONTAINERS_REGISTRIES_CONF=${CONTAINERS_REGISTRIES_CONF:-$BERTH_TESTS_LIB/registries.conf}
BERTH_TIMEOUT=${BERTH_TIMEOUT:-120}

# ---------------------------------------------------------------- store per file

berth_setup_file() {
    BERTH_TEST_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/berth-test.XXXXXX")
    export BERTH_TEST_ROOT
    export BERTH_GLOBAL_OPTS="--root $BERTH_TEST_ROOT/data --runroot $BERTH_TEST_ROOT/run"
    # podman insists that REGISTRY_AUTH_FILE exists; start with no credentials.
    export REGISTRY_AUTH_FILE=$BERTH_TEST_ROOT/auth.json
    printf '{"auths": {}}\n' >"$REGISTRY_AUTH_FILE"
    if is_rootless && [[ -f $BERTH_FIXTURES/ca.crt ]]; then
        local certs=$HOME/.config/containers/certs.d/$REGISTRY_TLS
        mkdir -p "$certs"
        cp "$BERTH_FIXTURES/ca.crt" "$certs/ca.crt"
    fi
}

# extra_store NAME: global options for a second store inside this file's test
# root (removed by teardown_file like the main one).
extra_store() {
    echo "--root $BERTH_TEST_ROOT/$1/data --runroot $BERTH_TEST_ROOT/$1/run"
}

# The rootless store holds files owned by subordinate uids, which only the user
# namespace can remove: ask berth first, then remove what is left.
berth_remove_store() {  # berth_remove_store DIR: DIR/data and DIR/run are a store
    local opts="--root $1/data --runroot $1/run"
    [[ -d $1/data || -d $1/run ]] || return 0
    if timeout 30 "$BERTH" system reset --help >/dev/null 2>&1; then
        # BERTH_TEST_TEARDOWN: tests/run-against-podman cleans up without Podman's reset.
        BERTH_TEST_TEARDOWN=1 timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $opts system reset --force >/dev/null 2>&1 || true
    fi
    if is_rootless && [[ -d $1/data ]] && timeout 30 "$BERTH" unshare --help >/dev/null 2>&1; then
        timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $opts unshare rm -rf "$1/data" >/dev/null 2>&1 || true
    fi
}

berth_teardown_file() {
    [[ -n ${BERTH_TEST_ROOT:-} && -d $BERTH_TEST_ROOT ]] || return 0
    local dir
    for dir in "$BERTH_TEST_ROOT"/*/; do
        [[ $dir == "$BERTH_TEST_ROOT/data/" || $dir == "$BERTH_TEST_ROOT/run/" ]] && continue
        berth_remove_store "${dir%/}"
    done
    berth_remove_store "$BERTH_TEST_ROOT"
    rm -rf "$BERTH_TEST_ROOT" 2>/dev/null || true
    # Pause processes whose pid file a test took away (a vanished
    # XDG_RUNTIME_DIR, a stale pid) are found by the test root in their
    # environment, which they inherit from the berth that started them.
    local p
    for p in $(pgrep -u "$(id -u)" -x berth-pause); do
        tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qxF "BERTH_TEST_ROOT=$BERTH_TEST_ROOT" && kill -9 "$p" 2>/dev/null
    done
    return 0
}

setup_file() { berth_setup_file; }
teardown_file() { berth_teardown_file; }

# ---------------------------------------------------------------- running berth

# run_berth [--exit N|'?'] ARGS...: run berth with the per-file store under bats'
# `run`; fail (printing the output) unless it exits N (default 0; '?' = any).
run_berth() {
    local expect=0
    if [[ ${1:-} == --exit ]]; then
        expect=$2
        shift 2
    fi
    run timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS "$@"
    echo "\$ berth $*" >&2
    echo "$output" >&2
    if [[ $expect != '?' && $status -ne $expect ]]; then
        local why="exited $status"
        [[ $status -eq 124 ]] && why="timed out after ${BERTH_TIMEOUT}s"
        [[ $status -eq 137 ]] && why="was killed (timed out after ${BERTH_TIMEOUT}s and ignored SIGTERM, or SIGKILL)"
        echo "FAIL: berth $* $why, expected exit $expect" >&2
        return 1
    fi
}

# berth_quiet ARGS...: run berth outside `run` (for setup steps); output goes to stderr.
berth_quiet() {
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS "$@" >&2
}

is_rootless() { [[ $(id -u) -ne 0 ]]; }
skip_if_rootless() { is_rootless && skip "${1:-test requires root}"; return 0; }
skip_if_root() { is_rootless || skip "${1:-test requires a rootless user}"; return 0; }

# peer_seen CID CTRPORT ADDRESS PORT [NETNS]: connects to ADDRESS:PORT (from
# the network namespace NETNS if given), sends a byte and holds the
# connection open, and prints the address that the container's established
# connection on CTRPORT has as its peer (netstat -tn in the container), or
# "nothing". The byte: pasta of Debian 12 completes the handshake with the
# container only once the client has sent something.
peer_seen() {
    local cid=$1 ctrport=$2 address=$3 port=$4 netns=${5:-} client i peer=""
    local enter=()
    [[ -n $netns ]] && enter=(ip netns exec "$netns")
    "${enter[@]}" timeout 8 bash -c "exec 3<>/dev/tcp/$address/$port; printf x >&3; sleep 6" 2>/dev/null &
    client=$!
    for i in $(seq 1 40); do
        run_berth exec "$cid" sh -c 'netstat -tn'
        peer=$(awk -v p=":$ctrport" -v c=":$port" '$4 ~ p"$" && $5 !~ c"$" && $6 == "ESTABLISHED" { a = $5; sub(/^::ffff:/, "", a); sub(/:[0-9]+$/, "", a); print a; exit }' <<<"$output")
        [[ -n $peer ]] && break
        sleep 0.1
    done
    kill "$client" 2>/dev/null || true
    wait "$client" 2>/dev/null || true
    echo "${peer:-nothing}"
}

# assert_port_closed PORT [WHEN]: nothing accepts connections on 127.0.0.1:PORT
# any more (WHEN, e.g. "after rm -f", goes into the failure message).
assert_port_closed() {
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        echo "port $1 still open ${2:-}" >&2
        return 1
    fi
}

# free_port: a TCP port nobody listens on at 127.0.0.1.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$((20000 + RANDOM % 10000))
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

# start_http_server: serves the new directory SERVE_DIR (in the test root) on
# 127.0.0.1 (python3 http.server) at a free port, SERVE_PORT; both exported.
# stop_http_server ends it (from teardown_file).
start_http_server() {
    export SERVE_DIR=$BERTH_TEST_ROOT/www SERVE_PORT
    mkdir -p "$SERVE_DIR"
    SERVE_PORT=$(free_port)
    python3 -m http.server --bind 127.0.0.1 --directory "$SERVE_DIR" "$SERVE_PORT" >/dev/null 2>&1 3>&- &
    echo $! >"$BERTH_TEST_ROOT/server.pid"
    local i
    for i in $(seq 1 50); do
        curl -s -o /dev/null "http://127.0.0.1:$SERVE_PORT/" && return 0
        sleep 0.1
    done
    echo "the test HTTP server did not start" >&2
    return 1
}

stop_http_server() {
    [[ -f $BERTH_TEST_ROOT/server.pid ]] && kill "$(cat "$BERTH_TEST_ROOT/server.pid")" 2>/dev/null
    return 0
}

# fetch URL: over HTTP from the host, the body, retried for 5 s while the server starts.
fetch() {
    local body="" i
    for i in $(seq 1 50); do
        body=$(curl -s --max-time 2 "$1" || true)
        [[ -n $body ]] && break
        sleep 0.1
    done
    echo "$body"
}

# berth_mounts: the mount table berth works in (rootless: inside its user namespace).
berth_mounts() {
    if is_rootless; then
        local pause
        pause=$(cut -d' ' -f1 "$BERTH_TEST_ROOT/run/pause.pid")
        nsenter -t "$pause" -U -m --preserve-credentials cat /proc/self/mountinfo
    else
        cat /proc/self/mountinfo
    fi
}

# wait_output EXPECTED ARGS...: poll `berth ARGS` until it prints EXPECTED (10 s).
wait_output() {
    local expected=$1 i
    shift
    for i in $(seq 1 100); do
        [[ $(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS "$@" 2>/dev/null) == "$expected" ]] && return 0
        sleep 0.1
    done
    echo "berth $* did not print $expected" >&2
    return 1
}

# wait_state NAME STATE: poll inspect until the container is in STATE (10 s).
wait_state() {
    wait_output "$2" container inspect --format '{{.State.Status}}' "$1"
}

# wait_pod_state POD STATE: poll pod inspect until the pod is in STATE (10 s).
wait_pod_state() {
    wait_output "$2" pod inspect --format '{{.State}}' "$1"
}

# start_sleeper NAME [RUN OPTIONS...]: a long-running container of $IMAGE, started in the
# background (attached), and waited for until exec can reach it.
start_sleeper() {
    local name=$1
    shift
    "$BERTH" $BERTH_GLOBAL_OPTS run --name "$name" "$@" "$IMAGE" sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
    local i
    for i in $(seq 1 100); do
        if timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS exec "$name" true >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    echo "container $name did not start" >&2
    return 1
}

# assert_signals_forwarded ARGS...: runs `berth ARGS... sh -c SCRIPT` in the
# background (an attached run, an exec), where SCRIPT counts the SIGUSR1s it
# gets and exits 40+count on SIGTERM. berth gets one SIGUSR1, then a SIGTERM:
# it must survive both, forward each once, and exit 41 with the process.
assert_signals_forwarded() {
    local out=$BATS_TEST_TMPDIR/signals.out i status=0
    "$BERTH" $BERTH_GLOBAL_OPTS "$@" sh -c 'n=0; trap "n=\$((n+1))" USR1; trap "exit \$((40+n))" TERM; echo ready; while :; do sleep 0.1; done' \
        </dev/null >"$out" 2>&1 3>&- &
    local pid=$!
    for i in $(seq 1 100); do
        grep -q ready "$out" && break
        sleep 0.1
    done
    if ! grep -q ready "$out"; then
        kill -9 "$pid"
        cat "$out" >&2
        return 1
    fi
    kill -USR1 "$pid"
    sleep 0.5
    kill -TERM "$pid"
    (sleep 20; kill -9 "$pid" 2>/dev/null) &
    local watchdog=$!
    wait "$pid" || status=$?
    kill "$watchdog" 2>/dev/null || true
    cat "$out" >&2
    if [[ $status -ne 41 ]]; then
        echo "FAIL: berth $* exited $status, expected 41 (one SIGUSR1, then SIGTERM)" >&2
        return 1
    fi
}

# pull_fixture NAME [REGISTRY]: make sure REGISTRY/NAME:latest is in the store.
pull_fixture() {
    local ref=${2:-$REGISTRY_OPEN}/$1:latest
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS image exists "$ref" 2>/dev/null && return 0
    run_berth pull -q "$ref"
}

# ---------------------------------------------------------------- fixtures

# fixture_info NAME KEY [PLATFORM]: a value from $BERTH_FIXTURES/info/NAME.json
# (lists print one item a line). For multi-platform images give PLATFORM (linux/arm64).
fixture_info() {
    python3 - "$BERTH_FIXTURES/info/$1.json" "$2" "${3:-}" <<'EOF'
import json, sys
info = json.load(open(sys.argv[1]))
if sys.argv[3]:
    info = info["platforms"][sys.argv[3]]
value = info[sys.argv[2]]
if isinstance(value, list):
    print("\n".join(str(v) for v in value))
elif isinstance(value, dict):
    print(json.dumps(value, sort_keys=True))
else:
    print(value)
EOF
}

# fixture_json NAME KEY [PLATFORM]: the same value as compact JSON.
fixture_json() {
    python3 -c '
import json, sys
info = json.load(open(sys.argv[1]))
if sys.argv[3]:
    info = info["platforms"][sys.argv[3]]
print(json.dumps(info[sys.argv[2]], separators=(",", ":")))
' "$BERTH_FIXTURES/info/$1.json" "$2" "${3:-}"
}

# json_get EXPR [JSON]: evaluate a Python subscript like '[0]["Config"]["Cmd"]' on
# JSON ($output by default); strings print raw, anything else as compact JSON.
json_get() {
    python3 -c '
import json, sys
d = json.loads(sys.argv[2])
v = eval("d" + sys.argv[1])
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))
' "$1" "${2-$output}"
}

# ---------------------------------------------------------------- assertions

# assert_no_process PATTERN [SECONDS]: within SECONDS (default 5) no process's
# command line matches PATTERN (pgrep -f); else fail, listing those left.
assert_no_process() {
    local i left
    for ((i = 0; i < ${2:-5} * 10; i++)); do
        pgrep -f "$1" >/dev/null || return 0
        sleep 0.1
    done
    left=$(pgrep -af "$1") || return 0
    echo "FAIL: processes left: ${left//$'\n'/; }" >&2
    return 1
}

assert_equal() {  # assert_equal ACTUAL EXPECTED [WHAT]
    if [[ $1 != "$2" ]]; then
        printf 'FAIL: %s\n  expected: %q\n  actual:   %q\n' "${3:-value}" "$2" "$1" >&2
        return 1
    fi
}

assert_output_contains() {
    if [[ $output != *"$1"* ]]; then
        printf 'FAIL: output does not contain %q; output was:\n%s\n' "$1" "$output" >&2
        return 1
    fi
}

assert_output_not_contains() {
    if [[ $output == *"$1"* ]]; then
        printf 'FAIL: output contains %q; output was:\n%s\n' "$1" "$output" >&2
        return 1
    fi
}

# assert_output_matches ERE: some line of the output matches the extended regex.
assert_output_matches() {
    if ! grep -qE -- "$1" <<<"$output"; then
        printf 'FAIL: no output line matches /%s/; output was:\n%s\n' "$1" "$output" >&2
        return 1
    fi
}

assert_output_equals() {
    assert_equal "$output" "$1" "output"
}

assert_line_count() {  # assert_line_count N: non-empty output lines
    if [[ ${#lines[@]} -ne $1 ]]; then
        printf 'FAIL: expected %d output lines, got %d:\n%s\n' "$1" "${#lines[@]}" "$output" >&2
        return 1
    fi
}

# assert_failed_with ERE: the last run_berth exited non-zero and its output matches.
assert_failed_with() {
    if [[ $status -eq 0 ]]; then
        printf 'FAIL: expected a failure, got exit 0; output was:\n%s\n' "$output" >&2
        return 1
    fi
    assert_output_matches "$1"
}
