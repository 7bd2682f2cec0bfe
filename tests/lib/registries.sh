#!/usr/bin/env bash
# Start or stop the local test registries (Debian's docker-registry) on 127.0.0.1.
#
#   registries.sh start|stop|status
#
#   open   127.0.0.1:5000  plain HTTP, no auth
#   tls    127.0.0.1:5001  HTTPS (test CA), Basic auth testuser/testpass (bcrypt htpasswd)
#   token  127.0.0.1:5002  plain HTTP, Bearer tokens from token-server.py on 127.0.0.1:5003
#
# State lives in /var/tmp/berth-registries (storage per registry, certs/, logs/,
# *.pid). `start` stops whatever an earlier start left, generates the CAs and
# certificates once, starts the servers, waits for /v2/ to answer with the
# expected status, checks auth, and pushes the fixtures from setup-fixtures.sh
# with skopeo (then corrupts the "tampered" layer blob and the "badmanifest"
# manifest in the open registry's storage). Run as root.
set -euo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
STATE=${BERTH_REGISTRIES:-/var/tmp/berth-registries}
FIXTURES=${BERTH_FIXTURES:-/var/tmp/berth-fixtures}
CERTS=$STATE/certs
LOGS=$STATE/logs
USER_NAME=testuser USER_PASS=testpass
OPEN=127.0.0.1:5000 TLS=127.0.0.1:5001 TOKEN=127.0.0.1:5002 TOKEN_SERVER=127.0.0.1:5003
SERVICE=berth-test-registry ISSUER=berth-test-issuer

die() { echo "registries: $*" >&2; exit 1; }

# --- certificates -----------------------------------------------------------

make_ca() {  # make_ca NAME CN
    [[ -f $CERTS/$1.crt && -f $CERTS/$1.key ]] && return 0
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 -subj "/CN=$2" \
        -keyout "$CERTS/$1.key" -out "$CERTS/$1.crt" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

make_cert() {  # make_cert NAME CA CN EXTENSIONS
    [[ -f $CERTS/$1.crt && -f $CERTS/$1.key && $CERTS/$1.crt -nt $CERTS/$2.crt ]] && return 0
    openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=$3" \
        -keyout "$CERTS/$1.key" -out "$CERTS/$1.csr" 2>/dev/null
    printf '%b\n' "$4" >"$CERTS/$1.ext"
    openssl x509 -req -sha256 -days 3650 -in "$CERTS/$1.csr" -CA "$CERTS/$2.crt" -CAkey "$CERTS/$2.key" \
        -CAcreateserial -extfile "$CERTS/$1.ext" -out "$CERTS/$1.crt" 2>/dev/null
}

setup_certs() {
    mkdir -p "$CERTS"
    chmod 0755 "$CERTS"
    make_ca ca "berth test CA"
    make_cert server ca 127.0.0.1 \
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth"
    make_ca token-ca "berth test token CA"
    make_cert token-signer token-ca "berth test token signer" \
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature"
    htpasswd -Bbn "$USER_NAME" "$USER_PASS" >"$CERTS/htpasswd"
    # Clients: system-wide certs.d, and a world-readable copy for rootless users.
    mkdir -p "/etc/containers/certs.d/$TLS"
    cp "$CERTS/ca.crt" "/etc/containers/certs.d/$TLS/ca.crt"
    mkdir -p "$FIXTURES"
    cp "$CERTS/ca.crt" "$FIXTURES/ca.crt"
    chmod 0644 "/etc/containers/certs.d/$TLS/ca.crt" "$FIXTURES/ca.crt"
}

# --- configuration ----------------------------------------------------------

write_config() {  # write_config NAME ADDR AUTH-AND-TLS-YAML
    mkdir -p "$STATE/$1"
    cat >"$STATE/$1.yml" <<EOF
version: 0.1
log:
  level: info
  formatter: text
  fields:
    service: registry-$1
storage:
  filesystem:
    rootdirectory: $STATE/$1
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: $2
  secret: berth-test-secret-$1
  headers:
    X-Content-Type-Options: [nosniff]
$3
health:
  storagedriver:
    enabled: false
EOF
}

write_configs() {
    write_config open "$OPEN" ""
    write_config tls "$TLS" "  tls:
    certificate: $CERTS/server.crt
    key: $CERTS/server.key
auth:
  htpasswd:
    realm: berth-test-basic
    path: $CERTS/htpasswd"
    write_config token "$TOKEN" "auth:
  token:
    realm: http://$TOKEN_SERVER/token
    service: $SERVICE
    issuer: $ISSUER
    rootcertbundle: $CERTS/token-ca.crt"
}

# --- processes --------------------------------------------------------------

port_busy() { (exec 3<>"/dev/tcp/${1%:*}/${1#*:}") 2>/dev/null; }

ours() {  # ours PIDFILE: the pid in it, if it is alive and one of ours
    [[ -f $1 ]] || return 1
    local pid
    pid=$(cat "$1")
    [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qE 'docker-registry|token-server' || return 1
    echo "$pid"
}

stop_one() {
    local pidfile=$STATE/$1.pid pid
    if pid=$(ours "$pidfile"); then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

start_one() {  # start_one NAME ADDR COMMAND...
    local name=$1 addr=$2
    shift 2
    port_busy "$addr" && die "$addr is already in use by another process (Debian's docker-registry service? try: systemctl disable --now docker-registry)"
    setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null &
    echo $! >"$STATE/$name.pid"
}

wait_status() {  # wait_status NAME URL EXPECTED-CODE [CURL-ARGS...]
    local name=$1 url=$2 want=$3 code=
    shift 3
    for _ in $(seq 100); do
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$@" "$url" || true)
        [[ $code == "$want" ]] && return 0
        ours "$STATE/$name.pid" >/dev/null || break
        sleep 0.1
    done
    echo "registries: $name did not answer $url with HTTP $want (last: ${code:-none}); log:" >&2
    tail -n 20 "$LOGS/$name.log" >&2 || true
    exit 1
}

expect_status() {  # expect_status WHAT WANT CURL-ARGS...
    local what=$1 want=$2 code
    shift 2
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" || true)
    [[ $code == "$want" ]] || die "check failed: $what: HTTP ${code:-none}, expected $want"
}

token_for() {  # token_for SCOPE [CURL-ARGS...]: print a token
    local scope=$1
    shift
    curl -sf --max-time 5 "$@" "http://$TOKEN_SERVER/token?service=$SERVICE&scope=$scope" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

start_all() {
    command -v docker-registry >/dev/null || die "docker-registry is missing: run contrib/install-deps.sh"
    [[ -f $FIXTURES/.stamp ]] || die "no fixtures in $FIXTURES: run tests/lib/setup-fixtures.sh first"
    stop_all
    mkdir -p "$STATE" "$LOGS"
    setup_certs
    write_configs
    start_one open "$OPEN" docker-registry serve "$STATE/open.yml"
    start_one tls "$TLS" docker-registry serve "$STATE/tls.yml"
    start_one token-server "$TOKEN_SERVER" python3 "$LIB/token-server.py" --listen "$TOKEN_SERVER" \
        --key "$CERTS/token-signer.key" --chain "$CERTS/token-signer.crt,$CERTS/token-ca.crt" \
        --issuer "$ISSUER" --service "$SERVICE" --user "$USER_NAME:$USER_PASS"
    start_one token "$TOKEN" docker-registry serve "$STATE/token.yml"

    wait_status open "http://$OPEN/v2/" 200
    wait_status tls "https://$TLS/v2/" 401 --cacert "$CERTS/ca.crt"
    wait_status token-server "http://$TOKEN_SERVER/token?service=$SERVICE" 200
    wait_status token "http://$TOKEN/v2/" 401
    check_auth
    push_all
    check_pushed
}

check_auth() {
    expect_status "tls with credentials" 200 --cacert "$CERTS/ca.crt" -u "$USER_NAME:$USER_PASS" "https://$TLS/v2/"
    expect_status "tls with a wrong password" 401 --cacert "$CERTS/ca.crt" -u "$USER_NAME:wrong" "https://$TLS/v2/"
    expect_status "token server with a wrong password" 401 -u "$USER_NAME:wrong" "http://$TOKEN_SERVER/token?service=$SERVICE"
    local token
    token=$(token_for registry:catalog:\* -u "$USER_NAME:$USER_PASS") || die "token server gave no token"
    expect_status "token registry with a signed token (x5c chain)" 200 -H "Authorization: Bearer $token" "http://$TOKEN/v2/"
}

skopeo_push() {  # skopeo_push IMAGE DEST [SKOPEO-OPTIONS...]
    local image=$1 dest=$2
    shift 2
    skopeo copy -q --retry-times 2 "$@" "oci:$FIXTURES/oci/$image:latest" "docker://$dest" >/dev/null ||
        die "skopeo could not push $image to $dest"
}

blob_data() {  # blob_data REGISTRY HEX: path of a blob's data file in a registry's storage
    echo "$STATE/$1/docker/registry/v2/blobs/sha256/${2:0:2}/$2/data"
}

push_all() {
    local img
    for img in busybox busybox-extra layers evil-dotdot evil-abs evil-symlink evil-hardlink tampered badmanifest; do
        skopeo_push "$img" "$OPEN/$img:latest" --dest-tls-verify=false
    done
    skopeo_push multiarch "$OPEN/multiarch:latest" --dest-tls-verify=false --all
    skopeo_push busybox "$TLS/busybox:latest" --dest-creds "$USER_NAME:$USER_PASS" --dest-cert-dir "/etc/containers/certs.d/$TLS"
    skopeo_push busybox "$TOKEN/public/busybox:latest" --dest-tls-verify=false --dest-creds "$USER_NAME:$USER_PASS"
    skopeo_push busybox "$TOKEN/private/busybox:latest" --dest-tls-verify=false --dest-creds "$USER_NAME:$USER_PASS"

    # Corrupt the tampered layer and the badmanifest manifest in place (same size, other bytes).
    local f hex target
    for f in "$FIXTURES"/tampered/*.data; do
        hex=$(basename "$f" .data)
        target=$(blob_data open "$hex")
        [[ -f $target ]] || die "blob $hex not found in the open registry's storage ($target)"
        cat "$f" >"$target"
    done
}

manifest_digest() {  # manifest_digest URL [CURL-ARGS...]
    local url=$1
    shift
    curl -sI --max-time 5 "$@" \
        -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json' \
        "$url" | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" { print $2 }'
}

info() {  # info IMAGE KEY
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$FIXTURES/info/$1.json" "$2"
}

check_pushed() {
    local img got want
    for img in busybox busybox-extra layers evil-dotdot evil-abs evil-symlink evil-hardlink tampered; do
        got=$(manifest_digest "http://$OPEN/v2/$img/manifests/latest")
        want=$(info "$img" manifest_digest)
        [[ $got == "$want" ]] || die "$OPEN/$img:latest has digest '$got', expected $want"
    done
    got=$(manifest_digest "http://$OPEN/v2/multiarch/manifests/latest")
    [[ $got == "$(info multiarch index_digest)" ]] || die "$OPEN/multiarch:latest is not the fixture index ($got)"
    got=$(manifest_digest "https://$TLS/v2/busybox/manifests/latest" --cacert "$CERTS/ca.crt" -u "$USER_NAME:$USER_PASS")
    [[ $got == "$(info busybox manifest_digest)" ]] || die "$TLS/busybox:latest missing ($got)"
    local token
    token=$(token_for repository:public/busybox:pull)
    got=$(manifest_digest "http://$TOKEN/v2/public/busybox/manifests/latest" -H "Authorization: Bearer $token")
    [[ $got == "$(info busybox manifest_digest)" ]] || die "anonymous pull of $TOKEN/public/busybox fails ($got)"
    token=$(token_for repository:private/busybox:pull)
    expect_status "anonymous pull of $TOKEN/private/busybox" 401 -H "Authorization: Bearer $token" \
        "http://$TOKEN/v2/private/busybox/manifests/latest"
}

stop_all() {
    local name
    for name in open tls token token-server; do
        stop_one "$name"
    done
}

status_all() {
    local name rc=0
    for name in open tls token token-server; do
        if pid=$(ours "$STATE/$name.pid"); then echo "$name: running (pid $pid)"; else echo "$name: stopped"; rc=1; fi
    done
    return $rc
}

case ${1:-} in
    start) start_all ;;
    stop) stop_all ;;
    status) status_all ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
