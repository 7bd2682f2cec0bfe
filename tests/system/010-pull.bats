#!/usr/bin/env bats
# berth pull: registries (plain, TLS + Basic, token), references, platforms,
# integrity (digest mismatch), hostile layers, concurrency and crash safety.

load ../lib/helpers

# An image's ID as berth reports it (full hex, no sha256: prefix).
image_id() {
    run_berth image inspect --format '{{.Id}}' "$1"
    echo "${output#sha256:}"
}

@test "pull from the open registry with --tls-verify=false" {
    local conf=$BATS_TEST_TMPDIR/registries.conf
    printf 'unqualified-search-registries = []\n' >"$conf"
    # Without the insecure entry berth talks HTTPS to a plain-HTTP registry and fails.
    CONTAINERS_REGISTRIES_CONF=$conf run_berth --exit '?' pull "$REGISTRY_OPEN/busybox:latest"
    [[ $status -ne 0 ]]
    CONTAINERS_REGISTRIES_CONF=$conf run_berth pull --tls-verify=false "$REGISTRY_OPEN/busybox:latest"
    # podman prints the image ID last.
    assert_equal "${lines[-1]}" "$(fixture_info busybox id)" "last line of pull output"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_OPEN/busybox:latest"
}

@test "a malformed registries.conf fails pull naming the file, and not commands that name no image" {
    local conf=$BATS_TEST_TMPDIR/broken-registries.conf
    printf '[[registry]\nlocation = "example.test"\n' >"$conf"
    run_berth images -q
    local before=$output
    CONTAINERS_REGISTRIES_CONF=$conf run_berth --exit 125 pull --tls-verify=false "$REGISTRY_OPEN/busybox-extra:latest"
    assert_output_contains "$conf"
    run_berth images -q
    assert_output_equals "$before"
    # ps, like Podman's, reads registries.conf only to resolve an image name.
    CONTAINERS_REGISTRIES_CONF=$conf run_berth ps -a
    assert_output_contains "CONTAINER ID"
}

@test "pull uses insecure = true from registries.conf" {
    run_berth pull "$REGISTRY_OPEN/busybox-extra:latest"
    assert_equal "${lines[-1]}" "$(fixture_info busybox-extra id)" "image ID"
}

@test "pull -q prints only the image ID" {
    run_berth pull -q "$REGISTRY_OPEN/layers:latest"
    assert_line_count 1
    assert_output_equals "$(fixture_info layers id)"
}

@test "pull of a short name resolves through unqualified-search-registries" {
    run_berth pull -q busybox
    assert_output_equals "$(fixture_info busybox id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_OPEN/busybox:latest"
    assert_output_not_contains "docker.io"
}

@test "pull through a registries.conf mirror falls back to the registry when the mirror is down" {
    local conf=$BATS_TEST_TMPDIR/registries.conf
    cat >"$conf" <<EOF
unqualified-search-registries = []

[[registry]]
prefix = "example.test/team"
location = "$REGISTRY_OPEN"
insecure = true

[[registry.mirror]]
location = "127.0.0.1:1"
insecure = true
EOF
    # The name the user typed is kept; the bytes come from the location (the mirror refuses).
    CONTAINERS_REGISTRIES_CONF=$conf run_berth pull -q example.test/team/busybox:latest
    assert_output_equals "$(fixture_info busybox id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "example.test/team/busybox:latest"
}

@test "pull of a short name through an alias" {
    local conf=$BATS_TEST_TMPDIR/registries.conf
    cat >"$conf" <<EOF
unqualified-search-registries = []

[aliases]
"bb" = "$REGISTRY_OPEN/busybox"

[[registry]]
location = "$REGISTRY_OPEN"
insecure = true
EOF
    CONTAINERS_REGISTRIES_CONF=$conf run_berth pull -q bb
    assert_output_equals "$(fixture_info busybox id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_OPEN/busybox:latest"
    # The short name finds the image it pulled, locally, through the same alias.
    CONTAINERS_REGISTRIES_CONF=$conf run_berth image inspect --format '{{.Id}}' bb
    assert_output_equals "$(fixture_info busybox id)"
}

# bats test_tags=berth-only
@test "an alias that matches is the only candidate: the search registries are not tried" {
    # berth-only: differs from Podman 4.3.1, which here pulls from the search registry without trying the alias; berth takes the alias as the only candidate, as containers-registries.conf(5) says.
    local conf=$BATS_TEST_TMPDIR/registries.conf
    cat >"$conf" <<EOF
unqualified-search-registries = ["$REGISTRY_OPEN"]

[aliases]
"busybox" = "$REGISTRY_OPEN/no-such-repo"

[[registry]]
location = "$REGISTRY_OPEN"
insecure = true
EOF
    # $REGISTRY_OPEN/busybox exists, but the alias points elsewhere: no fallback.
    CONTAINERS_REGISTRIES_CONF=$conf run_berth --exit '?' pull busybox
    assert_failed_with "no-such-repo"
    assert_output_contains "Trying to pull $REGISTRY_OPEN/no-such-repo:latest"
    assert_output_not_contains "$REGISTRY_OPEN/busybox"
}

@test "pull --all-tags pulls every tag of the repository, also when the reference has a tag" {
    local repo=$REGISTRY_OPEN/alltags-$(id -u)-$$/busybox
    run_berth pull -q "$REGISTRY_OPEN/busybox:latest"
    run_berth tag "$REGISTRY_OPEN/busybox:latest" "$repo:one" "$repo:two"
    run_berth push "$repo:one"
    run_berth push "$repo:two"
    run_berth rmi "$repo:one" "$repo:two"
    run_berth --exit 1 image exists "$repo:one"
    run_berth pull --all-tags "$repo"
    run_berth image exists "$repo:one"
    run_berth image exists "$repo:two"
    run_berth rmi "$repo:one" "$repo:two"
    run_berth pull --all-tags "$repo:one"
    run_berth image exists "$repo:two"
    run_berth rmi "$repo:one" "$repo:two"
}

@test "pull records the image config from the registry" {
    pull_fixture busybox
    run_berth image inspect "$REGISTRY_OPEN/busybox:latest"
    assert_equal "$(json_get '[0]["Id"]')" "$(fixture_info busybox id)" "Id"
    assert_equal "$(json_get '[0]["Digest"]')" "$(fixture_info busybox manifest_digest)" "Digest"
    assert_equal "$(json_get '[0]["Config"]["Cmd"]')" '["sh"]' "Config.Cmd"
    assert_equal "$(json_get '[0]["RootFS"]["Layers"][0]')" "$(fixture_info busybox diff_ids)" "RootFS.Layers"
}

@test "pull of a multi-arch index picks the host platform" {
    run_berth pull -q "$REGISTRY_OPEN/multiarch:latest"
    assert_output_equals "$(fixture_info multiarch id linux/amd64)"
    run_berth image inspect --format '{{.Architecture}}' "$REGISTRY_OPEN/multiarch:latest"
    assert_output_equals amd64
}

@test "pull --platform linux/arm64 picks the arm64 manifest" {
    run_berth pull -q --platform linux/arm64 "$REGISTRY_OPEN/multiarch:latest"
    assert_output_equals "$(fixture_info multiarch id linux/arm64)"
    run_berth image inspect --format '{{.Architecture}}' "$(fixture_info multiarch id linux/arm64)"
    assert_output_equals arm64
    run_berth image inspect --format '{{.Os}}' "$(fixture_info multiarch id linux/arm64)"
    assert_output_equals linux
}

@test "pull --platform with no matching manifest fails" {
    run_berth --exit '?' pull --platform linux/s390x "$REGISTRY_OPEN/multiarch:latest"
    assert_failed_with "s390x"
}

@test "pull by digest" {
    local digest
    digest=$(fixture_info busybox-extra manifest_digest)
    run_berth pull -q "$REGISTRY_OPEN/busybox-extra@$digest"
    assert_output_equals "$(fixture_info busybox-extra id)"
    run_berth images --digests --format '{{.Repository}} {{.Digest}}'
    assert_output_contains "$REGISTRY_OPEN/busybox-extra $digest"
    run_berth image inspect --format '{{.Digest}}' "$REGISTRY_OPEN/busybox-extra@$digest"
    assert_output_equals "$digest"
}

@test "pull of an unknown tag fails with manifest unknown" {
    run_berth --exit '?' pull "$REGISTRY_OPEN/busybox:no-such-tag"
    assert_failed_with "manifest unknown"
    run_berth --exit '?' pull "$REGISTRY_OPEN/busybox@sha256:$(printf '0%.0s' {1..64})"
    assert_failed_with "manifest unknown"
}

@test "pull of a malformed reference exits 125" {
    run_berth --exit 125 pull "Foo::x"
    assert_output_contains "invalid reference"
}

@test "pull from an unreachable registry names the registry" {
    run_berth --exit '?' pull --tls-verify=false 127.0.0.1:1/busybox:latest
    assert_failed_with "pinging container registry 127.0.0.1:1"
}

@test "pull from the TLS registry with --creds, CA from certs.d" {
    run_berth pull -q --creds "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TLS/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_TLS/busybox:latest"
}

@test "pull from the TLS registry without credentials: authentication required" {
    run_berth --exit '?' pull "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "authentication required"
}

@test "pull from the TLS registry with a wrong password fails" {
    run_berth --exit '?' pull --creds "$REGISTRY_USER:wrong" "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "authentication required|unauthorized|invalid username/password"
}

@test "pull from the TLS registry with --cert-dir lacking the CA fails verification" {
    local certs=$BATS_TEST_TMPDIR/empty-certs
    mkdir -p "$certs"
    run_berth --exit '?' pull --cert-dir "$certs" --creds "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "certificate|x509"
}

@test "pull --tls-verify=true overrides insecure in registries.conf" {
    run_berth --exit '?' pull --tls-verify=true "$REGISTRY_OPEN/busybox:latest"
    assert_failed_with "https|HTTPS|HTTP response|TLS|SSL|tls|ssl"
}

@test "token registry: anonymous pull of public/ works" {
    run_berth pull -q "$REGISTRY_TOKEN/public/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "token registry: anonymous pull of private/ fails" {
    run_berth --exit '?' pull "$REGISTRY_TOKEN/private/busybox:latest"
    assert_failed_with "authentication required|unauthorized|denied"
    run_berth images --format '{{.Repository}}'
    assert_output_not_contains "private/busybox"
}

@test "token registry: private/ with --creds works" {
    run_berth pull -q --creds "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TOKEN/private/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_TOKEN/private/busybox:latest"
}

@test "token registry: wrong password is rejected by the token server" {
    run_berth --exit '?' pull --creds "$REGISTRY_USER:wrong" "$REGISTRY_TOKEN/private/busybox:latest"
    assert_failed_with "authentication required|unauthorized|invalid username/password"
}

@test "pull of a tampered layer fails with digest mismatch and stores nothing" {
    run_berth --exit '?' pull "$REGISTRY_OPEN/tampered:latest"
    assert_failed_with "digest mismatch|[Dd]igest did not match"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    assert_output_not_contains "tampered"
    run_berth --exit 1 image exists "$REGISTRY_OPEN/tampered:latest"
    # The store still works and the shared busybox layer is usable.
    run_berth pull -q "$REGISTRY_OPEN/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
}

@test "pull by digest of a manifest whose bytes were changed fails" {
    local digest
    digest=$(fixture_info badmanifest manifest_digest)
    run_berth --exit '?' pull "$REGISTRY_OPEN/badmanifest@$digest"
    assert_failed_with "digest"
    run_berth images --format '{{.Repository}}'
    assert_output_not_contains "badmanifest"
}

# Hostile layers: berth may refuse them (naming the entry) or confine them, but
# nothing may appear or change outside the store.
evil_check() {  # evil_check IMAGE ENTRY-REGEX
    local passwd_sum passwd_links target_sum
    passwd_sum=$(sha256sum /etc/passwd)
    passwd_links=$(stat -c %h /etc/passwd)
    target_sum=$(sha256sum /tmp/berth-hardlink-target 2>/dev/null || true)
    run_berth --exit '?' pull "$REGISTRY_OPEN/$1:latest"
    if [[ $status -ne 0 ]]; then
        assert_output_matches "$2"
    fi
    run compgen -G '/tmp/pwned-*'
    [[ $status -ne 0 ]] || { echo "FAIL: files escaped the store: $output" >&2; return 1; }
    [[ ! -e /evil-abs ]] || { echo "FAIL: /evil-abs was created" >&2; return 1; }
    assert_equal "$(sha256sum /etc/passwd)" "$passwd_sum" "/etc/passwd checksum"
    assert_equal "$(stat -c %h /etc/passwd)" "$passwd_links" "/etc/passwd link count"
    assert_equal "$(sha256sum /tmp/berth-hardlink-target 2>/dev/null || true)" "$target_sum" "/tmp/berth-hardlink-target"
    # Whatever happened, the store stays usable.
    run_berth images
}

@test "evil layer: ../ entry names stay confined" {
    evil_check evil-dotdot 'pwned-dotdot|\.\./'
}

@test "evil layer: absolute entry names stay confined" {
    evil_check evil-abs 'evil-abs|pwned-abs|absolute'
}

@test "evil layer: writing through a symlink to /tmp stays confined" {
    evil_check evil-symlink 'escape|pwned-sym|symlink'
}

@test "evil layer: hard links to host files stay confined" {
    evil_check evil-hardlink 'hl-passwd|hl-target|etc/passwd|hard ?link'
}

# bats test_tags=berth-only
@test "concurrent pulls sharing a layer both succeed and extract it once" {
    # berth-only: checks berth's own debug log lines ("extracting layer").
    local store log=$BERTH_TEST_ROOT/concurrent
    store=$(extra_store concurrent)
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $store --log-level debug pull "$REGISTRY_OPEN/busybox:latest" >"$log.1.log" 2>&1 &
    local pid1=$!
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $store --log-level debug pull "$REGISTRY_OPEN/busybox-extra:latest" >"$log.2.log" 2>&1 &
    local pid2=$!
    local rc1=0 rc2=0
    wait $pid1 || rc1=$?
    wait $pid2 || rc2=$?
    cat "$log.1.log" "$log.2.log" >&2
    assert_equal "$rc1" 0 "exit status of pull busybox"
    assert_equal "$rc2" 0 "exit status of pull busybox-extra"
    # The log names a layer by its blob digest or by its diff ID; accept either.
    local shared extra
    shared="extracting layer ($(fixture_info busybox layers)|$(fixture_info busybox diff_ids))"
    run grep -hE "$shared" "$log.1.log" "$log.2.log"
    assert_line_count 1
    extra="extracting layer ($(fixture_info busybox-extra layers | tail -n1)|$(fixture_info busybox-extra diff_ids | tail -n1))"
    run grep -hE "$extra" "$log.1.log" "$log.2.log"
    assert_line_count 1
    run timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $store images --format '{{.Repository}}:{{.Tag}}'
    assert_output_contains "$REGISTRY_OPEN/busybox:latest"
    assert_output_contains "$REGISTRY_OPEN/busybox-extra:latest"
}

@test "kill -9 during pull leaves a store that recovers" {
    local _
    for _ in 1 2 3 4 5; do
        "$BERTH" $BERTH_GLOBAL_OPTS pull "$REGISTRY_OPEN/layers:latest" >/dev/null 2>&1 &
        local pid=$!
        sleep "0.$(printf '%02d' $((RANDOM % 30 + 1)))"
        kill -9 "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    run_berth pull -q "$REGISTRY_OPEN/layers:latest"
    assert_output_equals "$(fixture_info layers id)"
    run_berth images --format '{{.Repository}}:{{.Tag}}'
    run grep -c "^$REGISTRY_OPEN/layers:latest\$" <<<"$output"
    assert_output_equals 1
    run_berth image inspect "$REGISTRY_OPEN/layers:latest"
    assert_equal "$(json_get '[0]["RootFS"]["Layers"]')" "$(fixture_json layers diff_ids)" "RootFS.Layers"
}

@test "layer contents on disk: owners, modes, links, whiteouts (root)" {
    skip_if_rootless "reads the store from outside the user namespace"
    pull_fixture layers
    local ids layers_dir=$BERTH_TEST_ROOT/data/layers
    mapfile -t ids < <(fixture_info layers diff_ids)
    local base=$layers_dir/${ids[0]#sha256:}/diff owners=$layers_dir/${ids[1]#sha256:}/diff
    local wh=$layers_dir/${ids[2]#sha256:}/diff opq=$layers_dir/${ids[3]#sha256:}/diff
    [[ -d $base && -d $owners && -d $wh && -d $opq ]] || {
        echo "FAIL: expected layers/<diff-id>/diff for each layer under $layers_dir:" >&2
        ls -la "$layers_dir" >&2 || true
        return 1
    }
    assert_equal "$(cat "$base/data/a.txt")" "a" "data/a.txt"
    assert_equal "$(stat -c '%u:%g' "$owners/data/owned-1000")" "1000:1000" "owner of owned-1000"
    assert_equal "$(stat -c '%u:%g' "$owners/data/owned-nobody")" "65534:65534" "owner of owned-nobody"
    assert_equal "$(stat -c '%a %u' "$owners/data/setuid")" "4755 0" "setuid file"
    assert_equal "$(stat -c '%a %u' "$owners/data/dir-1000")" "700 1000" "dir-1000"
    assert_equal "$(stat -c %i "$owners/data/hl-a")" "$(stat -c %i "$owners/data/hl-b")" "hard link inode"
    assert_equal "$(readlink "$owners/data/link")" "a.txt" "symlink target"
    run find "$owners/data/long" -type f
    assert_equal "${#lines[@]}" 1 "files under data/long"
    local long=${output#"$owners/"}
    assert_equal "${#long}" 200 "length of the long path $long"
    # OCI whiteouts become overlay whiteouts (0:0 character devices) ...
    assert_equal "$(stat -c '%F %t:%T' "$wh/data/remove-me")" "character special file 0:0" "whiteout of data/remove-me"
    [[ ! -e $wh/data/.wh.remove-me ]]
    # ... and opaque markers become the overlay opaque xattr.
    [[ ! -e $opq/data/opq/.wh..wh..opq ]]
    assert_equal "$(python3 -c 'import os,sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$opq/data/opq")" "y" "opaque xattr"
    assert_equal "$(cat "$opq/data/opq/new")" "new" "data/opq/new"
}
