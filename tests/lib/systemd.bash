# Helpers for the tests of systemd units (generate systemd, Quadlet): this
# machine has no systemd as PID 1, so the tests check units with
# `systemd-analyze verify` (offline) and run their Exec lines themselves, as
# systemd would. Load after helpers: `load ../lib/systemd`.

skip_without_verify() {
    command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (Debian package systemd)"
}

# verify_units FILES...: systemd-analyze verify accepts them without a word
# (an unknown key or a missing binary is only a warning: fail on any output).
verify_units() {
    local out
    out=$(cd "$(dirname "$1")" && systemd-analyze verify --man=no "$@" 2>&1) || {
        echo "systemd-analyze verify $* failed: $out" >&2
        return 1
    }
    if [[ -n $out ]]; then
        echo "systemd-analyze verify $* warned: $out" >&2
        return 1
    fi
}

# unit_exec FILE KEY: runs every KEY= line of the unit FILE in order, as
# systemd would: continuation lines joined, words split with systemd's
# quoting, %t (the test's runtime dir), %n, %N, %% and $$ expanded, a leading
# "-" (failure ignored) honoured. Stops at the first command that fails, with
# its status.
unit_exec() {
    mkdir -p "$BATS_TEST_TMPDIR/rt"
    run python3 - "$1" "$2" "$BATS_TEST_TMPDIR/rt" <<'EOF'
import os, subprocess, sys
path, key, runtime = sys.argv[1:4]
text = open(path).read().replace("\\\n", " ")
unit = os.path.basename(path)
def words(value):
    out, cur, quote, i, have = [], "", None, 0, False
    while i < len(value):
        c = value[i]
        if quote:
            if c == quote:
                quote = None
            elif c == "\\" and quote == '"':
                i += 1
                cur += {"n": "\n", "t": "\t"}.get(value[i], value[i])
            else:
                cur += c
        elif c in "\"'":
            quote, have = c, True
        elif c.isspace():
            if cur or have:
                out.append(cur)
            cur, have = "", False
        else:
            cur += c
        i += 1
    if cur or have:
        out.append(cur)
    return out
def expand(word):
    out, i = "", 0
    while i < len(word):
        c = word[i]
        if c in "%$" and i + 1 < len(word):
            n = word[i + 1]
            if c == "%":
                out += {"t": runtime, "n": unit, "N": unit.rsplit(".", 1)[0], "%": "%"}[n]
                i += 2
                continue
            if n == "$":
                out += "$"
                i += 2
                continue
        out += c
        i += 1
    return out
for line in text.splitlines():
    if not line.startswith(key + "="):
        continue
    value = line[len(key) + 1:]
    ignore = value.startswith("-")
    argv = [expand(w) for w in words(value.lstrip("-"))]
    print("+ " + " ".join(argv), flush=True)
    status = subprocess.call(argv)
    if status != 0 and not ignore:
        sys.exit(status)
EOF
    echo "$output" >&2
}

# unit_exec_ok FILE KEY: unit_exec, failing the test unless every line succeeded.
unit_exec_ok() {
    unit_exec "$@"
    if [[ $status -ne 0 ]]; then
        echo "FAIL: $2 of $1 exited $status" >&2
        return 1
    fi
}

# unit_value FILE KEY: the values of KEY= in FILE, one a line, continuation lines joined.
unit_value() {
    python3 -c '
import sys
text = open(sys.argv[1]).read().replace("\\\n\t", "")
for line in text.splitlines():
    if line.startswith(sys.argv[2] + "="):
        print(line[len(sys.argv[2]) + 1:])
' "$1" "$2"
}

# listen_notify SOCKET OUT: a unix datagram socket at SOCKET; each datagram
# received goes to OUT as one JSON string a line. Stops after the first one
# (or after a minute, a safety net only). Sets LISTENER to its pid.
listen_notify() {
    python3 -c '
import json, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.settimeout(60)
try:
    data = s.recv(4096)
    open(sys.argv[2], "a").write(json.dumps(data.decode()) + "\n")
except socket.timeout:
    pass
' "$1" "$2" &
    LISTENER=$!
    local i
    for i in $(seq 1 100); do
        [[ -S $1 ]] && return 0
        sleep 0.1
    done
    echo "the notify listener did not start" >&2
    return 1
}
