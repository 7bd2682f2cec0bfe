#!/usr/bin/env bash
# Install everything berth needs to build, run and test on Debian 12 (bookworm).
# Idempotent: when every package is already installed it returns at once.
set -euo pipefail

BUILD_PKGS=(g++ meson ninja-build pkg-config libcli11-dev nlohmann-json3-dev
    libcurl4-openssl-dev libssl-dev libseccomp-dev libyaml-cpp-dev libyaml-dev doctest-dev
    libarchive-dev libsqlite3-dev libtomlplusplus-dev libfmt-dev libcap-dev
    libzstd-dev zlib1g-dev go-md2man)  # zlib: the static sqlite3 links it
RUNTIME_PKGS=(uidmap fuse-overlayfs slirp4netns passt runc netavark aardvark-dns iptables)  # netavark, aardvark-dns: user-defined networks
TEST_PKGS=(bats busybox-static skopeo docker-registry apache2-utils openssl
    python3 curl ca-certificates zstd tar sqlite3 procps python3-kubernetes python3-yaml
    systemd podman)  # python3-kubernetes checks kube generate's YAML; systemd-analyze verify checks generated units offline;
                     # podman is the other engine of 187-interop (never used by berth itself)
ALL_PKGS=("${BUILD_PKGS[@]}" "${RUNTIME_PKGS[@]}" "${TEST_PKGS[@]}")

missing=()
declare -A installed=()
while read -r name status; do
    [[ $status == installed ]] && installed[${name%%:*}]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${ALL_PKGS[@]}" 2>/dev/null || true)
for pkg in "${ALL_PKGS[@]}"; do
    [[ -n ${installed[$pkg]:-} ]] || missing+=("$pkg")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi

if ((EUID != 0)); then
    echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
    exit 1
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${ALL_PKGS[@]}" >/dev/null

# Debian's docker-registry package starts a system registry on :5000, which the
# test harness needs for itself: stop and disable it if it runs.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
