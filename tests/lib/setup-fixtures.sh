#!/usr/bin/env bash
# Build the test image fixtures without network, into /var/tmp/berth-fixtures.
#
#   setup-fixtures.sh [--big] [--force]
#
# Images are described in images.json and written by mkimage.py as OCI layouts
# (oci/<name>, tag "latest"); info/<name>.json holds the digests tests compare
# against. Also written: busybox-rootfs.tar (for `import`), busybox-docker.tar
# (docker-archive made by skopeo), busybox-oci.tar (oci-archive), and
# tampered/*.data: the bytes registries.sh writes over a blob in a registry's
# storage (same length, different digest).
# The result is cached: it is rebuilt only when a hash of these scripts and of
# /bin/busybox changes. --big also builds the ~100 MB "big" image (benchmarks).
set -euo pipefail

LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${BERTH_FIXTURES:-/var/tmp/berth-fixtures}
BIG=0 FORCE=0
for arg in "$@"; do
    case $arg in
        --big) BIG=1 ;;
        --force) FORCE=1 ;;
        *) echo "usage: $0 [--big] [--force]" >&2; exit 2 ;;
    esac
done

for tool in python3 skopeo; do
    command -v "$tool" >/dev/null || { echo "setup-fixtures: $tool is missing: run contrib/install-deps.sh" >&2; exit 1; }
done
[[ -x /bin/busybox ]] || { echo "setup-fixtures: /bin/busybox is missing: install busybox-static" >&2; exit 1; }

HASH=$(cat "$LIB/setup-fixtures.sh" "$LIB/mkimage.py" "$LIB/images.json" /bin/busybox | sha256sum | cut -c1-32)
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)

build_main() {
    local tmp="$OUT.tmp.$$"
    rm -rf "$tmp"
    mkdir -p "$tmp"
    local nonce
    nonce=$(od -An -tx1 -N6 /dev/urandom | tr -d ' \n')
    python3 "$LIB/mkimage.py" "$LIB/images.json" "$tmp" --var "NONCE=$nonce" --var "ARCH=$ARCH"
    echo "$nonce" >"$tmp/nonce"

    # Archives in the formats other tools write, made by skopeo.
    skopeo copy -q "oci:$tmp/oci/busybox:latest" "docker-archive:$tmp/busybox-docker.tar:busybox:latest" >/dev/null
    skopeo copy -q "oci:$tmp/oci/busybox:latest" "oci-archive:$tmp/busybox-oci.tar:busybox:latest" >/dev/null

    make_tampered "$tmp"
    [[ -f $OUT/ca.crt ]] && cp "$OUT/ca.crt" "$tmp/ca.crt"
    echo "$HASH" >"$tmp/.stamp"
    chmod -R a+rX "$tmp"
    rm -rf "$OUT"
    mv "$tmp" "$OUT"
}

# tampered/<hex>.data: a replacement for blob <hex> with the same length and a
# different digest that still decompresses and untars cleanly, so that only the
# digest check can notice it.
make_tampered() {
    local dir=$1
    python3 - "$dir" <<'EOF'
import gzip, json, os, sys
out = sys.argv[1]
os.makedirs(os.path.join(out, "tampered"), exist_ok=True)
def write(hexd, data):
    with open(os.path.join(out, "tampered", hexd + ".data"), "wb") as f:
        f.write(data)
tampered = json.load(open(os.path.join(out, "info", "tampered.json")))
hexd = tampered["layers"][-1].split(":")[1]
blob = open(os.path.join(out, "oci", "tampered", "blobs", "sha256", hexd), "rb").read()
raw = gzip.decompress(blob)
assert b"ORIGINAL-MARKER" in raw
new = gzip.compress(raw.replace(b"ORIGINAL-MARKER", b"TAMPERED-MARKER"), compresslevel=0, mtime=0)
assert len(new) == len(blob) and new != blob
write(hexd, new)
bad = json.load(open(os.path.join(out, "info", "badmanifest.json")))
hexd = bad["manifest_digest"].split(":")[1]
blob = open(os.path.join(out, "oci", "badmanifest", "blobs", "sha256", hexd), "rb").read()
new = blob.replace(b"original-manifest-bytes", b"tampered-manifest-bytes")
assert len(new) == len(blob) and new != blob
write(hexd, new)
EOF
}

build_big() {
    python3 "$LIB/mkimage.py" "$LIB/images.json" "$OUT" --var "NONCE=$(cat "$OUT/nonce")" --var "ARCH=$ARCH" --only big
    echo "$HASH" >"$OUT/.stamp-big"
    chmod -R a+rX "$OUT/oci/big" "$OUT/info/big.json"
}

if ((EUID != 0)); then
    echo "setup-fixtures: run as root (fixtures live in $OUT and are shared by all test users)" >&2
    exit 1
fi
if ((FORCE)) || [[ ! -f $OUT/.stamp || $(cat "$OUT/.stamp") != "$HASH" ]]; then
    build_main
fi
if ((BIG)) && [[ ! -f $OUT/.stamp-big || $(cat "$OUT/.stamp-big") != "$HASH" ]]; then
    build_big
fi
