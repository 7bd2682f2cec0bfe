#!/usr/bin/env bats
# login/logout: auth file location and mode, credentials used by pull.
# helpers.bash points REGISTRY_AUTH_FILE into this file's store so that logins
# never leak into other test files.

load ../lib/helpers

login_tls() {  # login_tls [berth-login-options...]
    run_berth login --username "$REGISTRY_USER" --password-stdin "$@" "$REGISTRY_TLS" <<<"$REGISTRY_PASS"
}

# auth_entry FILE REGISTRY: the "auth" value for REGISTRY in FILE, or nothing.
auth_entry() {
    python3 -c '
import json, sys
try:
    auths = json.load(open(sys.argv[1])).get("auths", {})
except FileNotFoundError:
    sys.exit(0)
print(auths.get(sys.argv[2], {}).get("auth", ""))
' "$1" "$2"
}

expected_auth() { printf '%s:%s' "$REGISTRY_USER" "$REGISTRY_PASS" | base64; }

@test "login --password-stdin writes the auth file with mode 0600" {
    login_tls
    assert_output_contains "Login Succeeded!"
    [[ -f $REGISTRY_AUTH_FILE ]]
    assert_equal "$(stat -c %a "$REGISTRY_AUTH_FILE")" 600 "mode of $REGISTRY_AUTH_FILE"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS")" "$(expected_auth)" "auth entry"
    run_berth login --get-login "$REGISTRY_TLS"
    assert_output_equals "$REGISTRY_USER"
    run_berth logout "$REGISTRY_TLS"
}

@test "pull after login needs no --creds; logout removes the credentials" {
    login_tls
    run_berth pull -q "$REGISTRY_TLS/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth logout "$REGISTRY_TLS"
    assert_output_contains "Removed login credentials for $REGISTRY_TLS"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS")" "" "auth entry after logout"
    run_berth rmi -a
    run_berth --exit '?' pull "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "authentication required"
}

@test "login with a wrong password fails and stores nothing" {
    run_berth --exit '?' login --username "$REGISTRY_USER" --password-stdin "$REGISTRY_TLS" <<<"wrong"
    assert_failed_with "invalid username/password|unauthorized|authentication required"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS")" "" "auth entry"
}

@test "login --authfile writes the given file" {
    local file=$BATS_TEST_TMPDIR/sub/auth.json
    mkdir -p "$(dirname "$file")"
    login_tls --authfile "$file"
    assert_equal "$(stat -c %a "$file")" 600 "mode of $file"
    assert_equal "$(auth_entry "$file" "$REGISTRY_TLS")" "$(expected_auth)" "auth entry"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS")" "" "default auth file untouched"
    run_berth pull -q --authfile "$file" "$REGISTRY_TLS/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth logout --authfile "$file" "$REGISTRY_TLS"
    assert_equal "$(auth_entry "$file" "$REGISTRY_TLS")" "" "auth entry after logout"
}

@test "pull --authfile reads only that file, not the default credentials" {
    login_tls    # credentials in $REGISTRY_AUTH_FILE
    local empty=$BATS_TEST_TMPDIR/empty-auth.json
    printf '{"auths": {}}\n' >"$empty"
    run_berth --exit '?' pull --authfile "$empty" "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "authentication required"
    run_berth pull -q --authfile "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth logout "$REGISTRY_TLS"
}

@test "REGISTRY_AUTH_FILE is the only file read, as --authfile's default" {
    # Credentials in the runtime auth.json, which is on the default lookup path.
    unset REGISTRY_AUTH_FILE
    export XDG_RUNTIME_DIR=$BERTH_TEST_ROOT/xdg
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    login_tls
    export REGISTRY_AUTH_FILE=$BATS_TEST_TMPDIR/empty-auth.json
    printf '{"auths": {}}\n' >"$REGISTRY_AUTH_FILE"
    run_berth --exit '?' pull "$REGISTRY_TLS/busybox:latest"
    assert_failed_with "authentication required"
    unset REGISTRY_AUTH_FILE
    run_berth pull -q "$REGISTRY_TLS/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth logout "$REGISTRY_TLS"
}

@test "login without --authfile uses \$XDG_RUNTIME_DIR/containers/auth.json" {
    unset REGISTRY_AUTH_FILE
    export XDG_RUNTIME_DIR=$BERTH_TEST_ROOT/xdg
    mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
    login_tls
    local file=$XDG_RUNTIME_DIR/containers/auth.json
    [[ -f $file ]] || { echo "FAIL: $file was not written" >&2; ls -laR "$XDG_RUNTIME_DIR" >&2; return 1; }
    assert_equal "$(stat -c %a "$file")" 600 "mode of $file"
    assert_equal "$(auth_entry "$file" "$REGISTRY_TLS")" "$(expected_auth)" "auth entry"
    run_berth logout "$REGISTRY_TLS"
    assert_equal "$(auth_entry "$file" "$REGISTRY_TLS")" "" "auth entry after logout"
}

@test "login to the token registry, then pull a private image" {
    run_berth login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_TOKEN" <<<"$REGISTRY_PASS"
    assert_output_contains "Login Succeeded!"
    run_berth pull -q "$REGISTRY_TOKEN/private/busybox:latest"
    assert_output_equals "$(fixture_info busybox id)"
    run_berth logout "$REGISTRY_TOKEN"
}

@test "login to the token registry with a wrong password fails" {
    run_berth --exit '?' login -u "$REGISTRY_USER" --password-stdin "$REGISTRY_TOKEN" <<<"wrong"
    assert_failed_with "invalid username/password|unauthorized|authentication required"
}

@test "login -p works and logout --all removes every entry" {
    run_berth login -u "$REGISTRY_USER" -p "$REGISTRY_PASS" "$REGISTRY_TLS"
    assert_output_contains "Login Succeeded!"
    run_berth login -u "$REGISTRY_USER" -p "$REGISTRY_PASS" "$REGISTRY_TOKEN"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TOKEN")" "$(expected_auth)" "token registry entry"
    run_berth logout --all
    assert_output_contains "Removed login credentials for all registries"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TLS")" "" "tls entry"
    assert_equal "$(auth_entry "$REGISTRY_AUTH_FILE" "$REGISTRY_TOKEN")" "" "token entry"
}

@test "logout of a registry one is not logged into fails" {
    run_berth --exit 125 logout 127.0.0.1:5999
    assert_output_contains "not logged into 127.0.0.1:5999"
    run_berth --exit 125 login --get-login 127.0.0.1:5999
    assert_output_contains "not logged into 127.0.0.1:5999"
}

@test "login --password-stdin without --username exits 125" {
    run_berth --exit 125 login --password-stdin "$REGISTRY_TLS" <<<"$REGISTRY_PASS"
    assert_output_contains "username"
}
