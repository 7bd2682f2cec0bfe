#!/usr/bin/env bats
# secret create|ls|inspect|rm|exists, and run/create --secret as a mounted
# file (content, owner, mode, target) and as an environment variable, as root
# and rootless.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
    berth_quiet secret rm -a >/dev/null 2>&1 || true
}

@test "secret create from a file and from standard input; ls, inspect and --format" {
    printf 'hunter2' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create --label team=a s-file "$BATS_TEST_TMPDIR/pw"
    assert_output_matches '^[0-9a-f]{25}$'
    local id=$output
    run timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create s-stdin - <<<"from stdin"
    assert_equal "$status" 0 "secret create - exit status"
    run_berth secret ls
    assert_output_matches '^ID +NAME +DRIVER +CREATED +UPDATED$'
    assert_output_matches "^$id +s-file +file +.* ago +.* ago\$"
    assert_line_count 3
    run_berth secret ls --noheading --filter name=s-file
    assert_output_matches "^$id +s-file +file "
    assert_line_count 1
    run_berth secret ls -q --filter name=s-file
    assert_output_equals "$id"
    run_berth secret ls --format '{{.Name}} {{.Driver}}' --filter name=s-stdin
    assert_output_equals "s-stdin file"
    run_berth secret inspect s-file
    assert_equal "$(json_get '[0]["ID"]')" "$id"
    assert_equal "$(json_get '[0]["Spec"]["Name"]')" s-file
    assert_equal "$(json_get '[0]["Spec"]["Driver"]["Name"]')" file
    assert_equal "$(json_get '[0]["Spec"]["Labels"]')" '{"team":"a"}'
    assert_output_matches '"CreatedAt": "[0-9]{4}-'
    assert_output_matches '"UpdatedAt": "[0-9]{4}-'
    run_berth secret inspect --format '{{.Spec.Name}} {{.ID}}' "$id"
    assert_output_equals "s-file $id"
    run_berth --exit 125 secret inspect nope
    assert_output_contains 'no secret with name or id "nope": no such secret'
}

@test "secret create: a taken name, a bad name, a missing file and an empty secret fail" {
    printf 'x' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create dup "$BATS_TEST_TMPDIR/pw"
    run_berth --exit 125 secret create dup "$BATS_TEST_TMPDIR/pw"
    assert_output_contains 'dup: secret name in use'
    run_berth --exit 125 secret create 'bad/name' "$BATS_TEST_TMPDIR/pw"
    assert_output_contains 'only 64 [a-zA-Z0-9-_.] characters allowed'
    run_berth --exit 125 secret create gone "$BATS_TEST_TMPDIR/missing"
    assert_output_contains "$BATS_TEST_TMPDIR/missing"
    run_berth --exit 125 secret create empty /dev/null
    assert_output_contains 'must be larger than 0'
    run_berth secret ls -q
    assert_line_count 1
}

@test "secret create --env reads an environment variable" {
    SECRET_VALUE=from-env run_berth secret create --env s-env SECRET_VALUE
    run_berth run --rm --secret s-env "$IMAGE" cat /run/secrets/s-env
    assert_output_equals from-env
}

# bats test_tags=berth-only
@test "secret exists" {
    # berth-only: Podman 4.3.1 has no `secret exists` (Podman 4.5 added it).
    printf 'x' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create here "$BATS_TEST_TMPDIR/pw"
    run_berth secret exists here
    run_berth --exit 1 secret exists nothere
    assert_output_equals ""
}

@test "run --secret mounts the data read-only at /run/secrets/NAME, owned by root, mode 0444" {
    printf 'hunter2' | timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create pw - >/dev/null
    run_berth run --rm --secret pw "$IMAGE" sh -c 'cat /run/secrets/pw; echo; stat -c "%u %g %a" /run/secrets/pw'
    assert_equal "${lines[0]}" hunter2
    assert_equal "${lines[1]}" "0 0 444"
}

# bats test_tags=berth-only
@test "run --secret: the mounted file is read-only even for the container's root" {
    # berth-only: Podman 4.3.1 bind-mounts the secret read-write; only its mode says read-only.
    printf 'hunter2' | timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create pw - >/dev/null
    run_berth run --rm --secret pw "$IMAGE" sh -c 'echo x >/run/secrets/pw || echo refused; cat /run/secrets/pw'
    assert_output_contains refused
    assert_output_contains hunter2
}

@test "run --secret with target, uid, gid and mode; a relative target is under /run/secrets" {
    printf 'hunter2' | timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create pw - >/dev/null
    run_berth run --rm --secret pw,type=mount,target=/etc/app.key,uid=12,gid=34,mode=0400 "$IMAGE" \
        sh -c 'stat -c "%u %g %a" /etc/app.key; cat /etc/app.key'
    assert_equal "${lines[0]}" "12 34 400"
    assert_equal "${lines[1]}" hunter2
    run_berth run --rm --secret pw,target=sub.key,uid=12 "$IMAGE" stat -c '%n %u %g %a' /run/secrets/sub.key
    assert_output_equals "/run/secrets/sub.key 12 0 444"
}

@test "run --secret type=env sets NAME or the target variable" {
    printf 'hunter2' | timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create pw - >/dev/null
    run_berth run --rm --secret pw,type=env "$IMAGE" sh -c 'echo "$pw"'
    assert_output_equals hunter2
    run_berth run --rm --secret pw,type=env,target=API_KEY "$IMAGE" sh -c 'echo "$API_KEY-${pw:-unset}"'
    assert_output_equals hunter2-unset
}

@test "create --secret: inspect shows the mounted secrets in Config.Secrets; start reads them" {
    printf 'hunter2' | timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS secret create pw - >/dev/null
    run_berth secret inspect --format '{{.ID}}' pw
    local id=$output
    run_berth create --name c-sec --secret pw,uid=5,mode=0440 --secret pw,type=env,target=E "$IMAGE" sh -c 'cat /run/secrets/pw; echo " $E"'
    run_berth inspect --format '{{json .Config.Secrets}}' c-sec
    assert_equal "$(json_get '[0]["Name"]') $(json_get '[0]["ID"]')" "pw $id"
    assert_equal "$(json_get '[0]["UID"]') $(json_get '[0]["GID"]') $(json_get '[0]["Mode"]')" "5 0 288"
    assert_equal "$(json_get '[1:]')" '[]' "the env secret in Config.Secrets"
    run_berth start -a c-sec
    assert_output_equals "hunter2 hunter2"
    run_berth create --name c-none "$IMAGE" true
    run_berth inspect --format '{{json .Config.Secrets}}' c-none
    assert_output_equals null
}

@test "run --secret: a missing secret and bad options fail before the container is made" {
    printf 'x' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create pw "$BATS_TEST_TMPDIR/pw"
    run_berth --exit 125 run --rm --secret nope "$IMAGE" true
    assert_output_contains 'no secret with name or id "nope": no such secret'
    run_berth --exit 125 run --rm --secret pw,type=bad "$IMAGE" true
    assert_output_contains 'type bad is invalid'
    run_berth --exit 125 run --rm --secret pw,mode=abc "$IMAGE" true
    assert_output_contains 'mode abc invalid'
    run_berth --exit 125 run --rm --secret pw,foo=bar "$IMAGE" true
    assert_output_contains 'option foo=bar invalid'
    run_berth --exit 125 run --rm --secret pw,type=env,uid=3 "$IMAGE" true
    assert_output_contains 'UID, GID, Mode options cannot be set with secret type env'
    run_berth ps -a -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "secret rm: refused while a container uses the secret, done once it is removed" {
    # berth-only: Podman 4.3.1 removes a secret in use, and the container then fails to start ("no such secret").
    printf 'x' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create pw "$BATS_TEST_TMPDIR/pw"
    local id=${output}
    run_berth create --name user-of-pw --secret pw "$IMAGE" true
    run_berth --exit 125 secret rm pw
    assert_output_contains 'secret pw is in use by container'
    run_berth secret exists pw
    run_berth rm user-of-pw
    run_berth secret rm pw
    assert_output_equals "$id"
    run_berth --exit 1 secret exists pw
}

@test "secret rm -a and rm of a missing secret" {
    printf 'x' >"$BATS_TEST_TMPDIR/pw"
    run_berth secret create one "$BATS_TEST_TMPDIR/pw"
    run_berth secret create two "$BATS_TEST_TMPDIR/pw"
    run_berth --exit 125 secret rm nope
    assert_output_contains 'no secret with name or id "nope": no such secret'
    run_berth secret rm -a
    assert_line_count 2
    run_berth secret ls -q
    assert_output_equals ""
}
