#!/usr/bin/env bats
# Healthchecks: --healthcheck-* flags, `healthcheck run` (exit 0/1/125), the
# state in inspect (State.Health, Config.Healthcheck), start period, timeout,
# checks run by the monitor every interval (one at a time), ps STATUS and
# --filter health=, a restart starting over, and an image's HEALTHCHECK.
# Intervals are short and most checks are run by hand (interval "disable").

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# remove NAME...: containers running `sleep`, which ignores SIGTERM as PID 1: no 10 s stop timeout.
remove() {
    run_berth stop -t 0 "$@"
    run_berth rm -f "$@"
}

# health NAME EXPR: a value of the container's State.Health (json_get EXPR).
health() {
    run_berth inspect "$1"
    json_get "[0][\"State\"][\"Health\"]$2"
}

# sorted_json: JSON on stdin, compact with its keys sorted (Podman keeps Go's field order).
sorted_json() {
    python3 -c 'import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True, separators=(",", ":")))'
}

# wait_health NAME STATUS [SECONDS]: until State.Health.Status is STATUS.
wait_health() {
    local i got=
    for ((i = 0; i < ${3:-10} * 5; i++)); do
        got=$(timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS inspect --format '{{.State.Health.Status}}' "$1" 2>/dev/null || true)
        [[ $got == "$2" ]] && return 0
        sleep 0.2
    done
    echo "health of $1 is '$got', expected '$2'" >&2
    return 1
}

@test "healthcheck run: a passing check makes the container healthy; inspect shows the state and the config" {
    run_berth run -d --name hc-pass --health-cmd 'echo ok; echo err >&2' --healthcheck-interval disable "$IMAGE" sleep 1000
    assert_equal "$(health hc-pass '["Status"]')" starting "status before any check"
    run_berth healthcheck run hc-pass
    assert_output_equals ""
    assert_equal "$(health hc-pass '["Status"]')" healthy
    assert_equal "$(health hc-pass '["FailingStreak"]')" 0
    assert_equal "$(health hc-pass '["Log"][0]["ExitCode"]')" 0
    assert_equal "$(health hc-pass '["Log"][0]["Output"]')" "$(printf 'ok\nerr\n')"
    [[ $(health hc-pass '["Log"][0]["Start"]') =~ ^20[0-9-]+T[0-9:.]+Z$ ]]
    run_berth inspect hc-pass
    assert_equal "$(json_get '[0]["Config"]["Healthcheck"]' | sorted_json)" \
        '{"Retries":3,"Test":["CMD-SHELL","echo ok; echo err >&2"],"Timeout":30000000000}'
    run_berth events --stream=false --filter event=health_status
    assert_output_contains "health_status"
    # (Podman 4.3.1 logs the status from before the check, here starting)
    assert_output_matches "health_status=(healthy|starting)\)"
    remove hc-pass
}

@test "healthcheck run: failing checks exit 1; unhealthy after --healthcheck-retries in a row; the log keeps five" {
    run_berth run -d --name hc-fail --health-cmd 'echo nope; exit 3' --healthcheck-retries 2 --healthcheck-interval disable "$IMAGE" sleep 1000
    run_berth --exit 1 healthcheck run hc-fail
    assert_output_equals "unhealthy"
    assert_equal "$(health hc-fail '["Status"]')" starting "one failure of two"
    assert_equal "$(health hc-fail '["FailingStreak"]')" 1
    # Podman logs 1 for any failed check, not the command's status.
    assert_equal "$(health hc-fail '["Log"][0]["ExitCode"]')" 1
    run_berth --exit 1 healthcheck run hc-fail
    assert_equal "$(health hc-fail '["Status"]')" unhealthy
    assert_equal "$(health hc-fail '["FailingStreak"]')" 2
    local i
    for i in 1 2 3 4; do run_berth --exit 1 healthcheck run hc-fail; done
    assert_equal "$(health hc-fail '["FailingStreak"]')" 6
    assert_equal "$(health hc-fail '["Log"].__len__()')" 5 "log entries"
    remove hc-fail
}

# bats test_tags=berth-only
@test "healthcheck run: the JSON array form runs without a shell" {
    # berth-only: Podman 4.3.1 splits a JSON-array --health-cmd at spaces instead of parsing it.
    run_berth run -d --name hc-array --health-cmd '["CMD", "test", "-e", "/etc/passwd"]' --healthcheck-interval disable "$IMAGE" sleep 1000
    run_berth healthcheck run hc-array
    assert_equal "$(health hc-array '["Status"]')" healthy
    run_berth inspect hc-array
    assert_equal "$(json_get '[0]["Config"]["Healthcheck"]["Test"]')" '["CMD","test","-e","/etc/passwd"]'
    remove hc-array
}

@test "healthcheck run: failures during --healthcheck-start-period do not count" {
    run_berth run -d --name hc-start --health-cmd 'test -e /tmp/ready' --healthcheck-retries 1 \
        --healthcheck-start-period 3s --healthcheck-interval disable "$IMAGE" sleep 1000
    run_berth --exit 1 healthcheck run hc-start
    assert_equal "$(health hc-start '["Status"]')" starting
    assert_equal "$(health hc-start '["FailingStreak"]')" 0
    assert_equal "$(health hc-start '["Log"][0]["ExitCode"]')" 1
    run_berth exec hc-start touch /tmp/ready
    run_berth healthcheck run hc-start
    assert_equal "$(health hc-start '["Status"]')" healthy "a pass in the start period counts"
    run_berth exec hc-start rm /tmp/ready
    sleep 3
    run_berth --exit 1 healthcheck run hc-start
    assert_equal "$(health hc-start '["Status"]')" unhealthy "a failure after the start period counts"
    remove hc-start
}

# bats test_tags=berth-only
@test "healthcheck run: a check slower than --healthcheck-timeout is killed and fails" {
    # berth-only: Podman 4.3.1 ends a check that times out with an error (exit 125) instead of counting a failure.
    run_berth run -d --name hc-slow --health-cmd 'echo begun; sleep 60' --healthcheck-timeout 1s --healthcheck-retries 1 \
        --healthcheck-interval disable "$IMAGE" sleep 1000
    local t0=$SECONDS
    run_berth --exit 1 healthcheck run hc-slow
    assert_output_equals "unhealthy"
    (( SECONDS - t0 < 10 )) || { echo "healthcheck run took $((SECONDS - t0)) s with a 1s timeout" >&2; false; }
    assert_equal "$(health hc-slow '["Status"]')" unhealthy
    assert_equal "$(health hc-slow '["Log"][0]["ExitCode"]')" -1
    [[ $(health hc-slow '["Log"][0]["Output"]') == *begun*"exceeded timeout of 1s"* ]]
    run_berth exec hc-slow ps
    assert_output_not_contains "sleep 60"
    remove hc-slow
}

# bats test_tags=berth-only
@test "the monitor runs the check every interval, one at a time; ps shows the health and filters on it" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hc-auto --health-cmd 'echo auto' --healthcheck-interval 1s "$IMAGE" sleep 1000
    run_berth run -d --name hc-none "$IMAGE" sleep 1000
    wait_health hc-auto healthy 10
    run_berth ps
    assert_output_matches "Up .* \(healthy\) +hc-auto$"
    assert_output_matches "Up [^(]*hc-none$"
    run_berth ps --filter health=healthy --format '{{.Names}}'
    assert_output_equals "hc-auto"
    run_berth ps --filter health=none --format '{{.Names}}'
    assert_output_equals "hc-none"
    run_berth ps --filter health=unhealthy --format '{{.Names}}'
    assert_output_equals ""
    run_berth --exit 125 ps --filter health=sick
    assert_output_contains "health"

    # A check slower than the interval: the next starts only after it ended.
    run_berth run -d --name hc-overlap --health-cmd 'echo start >>/tmp/l; sleep 1.5; echo end >>/tmp/l' \
        --healthcheck-interval 1s "$IMAGE" sleep 1000
    sleep 5
    run_berth exec hc-overlap cat /tmp/l
    [[ ${#lines[@]} -ge 4 ]] || { echo "expected at least two checks in 5 s" >&2; false; }
    run_berth exec hc-overlap sh -c 'tr "\n" " " </tmp/l'
    [[ $output =~ ^(start\ end\ )+(start\ )?$ ]] || { echo "checks overlapped: $output" >&2; false; }
    remove hc-auto hc-none hc-overlap
}

# bats test_tags=berth-only
@test "a failing check run by the monitor makes the container unhealthy" {
    # berth-only: Podman runs interval checks from systemd timers, and this host has no systemd.
    run_berth run -d --name hc-autofail --health-cmd 'exit 1' --healthcheck-interval 1s --healthcheck-retries 2 "$IMAGE" sleep 1000
    wait_health hc-autofail unhealthy 12
    run_berth ps --filter health=unhealthy
    assert_output_matches "\(unhealthy\) +hc-autofail$"
    remove hc-autofail
}

@test "healthcheck run: no healthcheck, a stopped or a missing container is exit 125 with a clear message" {
    run_berth run -d --name hc-plain "$IMAGE" sleep 1000
    run_berth --exit 125 healthcheck run hc-plain
    # Podman names the container by its ID here, berth by the name it was given.
    assert_output_matches "container [0-9a-z-]+ has no defined healthcheck"
    run_berth create --name hc-created --health-cmd true "$IMAGE" true
    run_berth --exit 125 healthcheck run hc-created
    assert_output_matches "container [0-9a-z-]+ is not running"
    run_berth --exit 125 healthcheck run hc-missing
    assert_output_contains "hc-missing"
    run_berth --exit 125 healthcheck run
    remove hc-plain hc-created
}

@test "a restart starts the health over; a stopped container keeps its last state" {
    run_berth run -d --name hc-restart --health-cmd true --healthcheck-interval disable "$IMAGE" sleep 1000
    run_berth healthcheck run hc-restart
    assert_equal "$(health hc-restart '["Status"]')" healthy
    run_berth stop -t 0 hc-restart
    assert_equal "$(health hc-restart '["Status"]')" healthy
    run_berth --exit 125 healthcheck run hc-restart
    assert_output_contains "is not running"
    run_berth start hc-restart
    assert_equal "$(health hc-restart '["Status"]')" starting
    assert_equal "$(health hc-restart '["FailingStreak"]')" 0
    remove hc-restart
}

@test "bad healthcheck flags are one-line errors naming the flag" {
    # berth's messages name Podman's current spelling, Podman 4.3.1's the old one.
    run_berth --exit 125 run --rm --health-cmd true --healthcheck-interval 10 "$IMAGE" true
    assert_output_matches "health(check)?-interval"
    assert_line_count 1
    run_berth --exit 125 create --health-cmd true --healthcheck-timeout 0s "$IMAGE" true
    assert_output_matches "health(check)?-timeout"
    run_berth --exit 125 create --health-cmd true --healthcheck-retries 0 "$IMAGE" true
    assert_output_matches "health(check)?-retries"
    run_berth --exit 125 create --health-start-period=soon --health-cmd true "$IMAGE" true
    assert_output_matches "health(check)?-start-period"
    run_berth ps -a -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "an image's HEALTHCHECK applies; flags override its fields; none and --no-healthcheck disable it" {
    # berth-only: differs from Podman 4.3.1, which ignores --health-interval and --health-retries without --health-cmd when the image has a HEALTHCHECK; berth overrides those fields of the image's check, as Docker does.
    # An image like busybox whose config has a Healthcheck (Docker's form, nanoseconds).
    local dir=$BERTH_TEST_ROOT/hcimage
    mkdir -p "$dir/x"
    run_berth save -o "$dir/busybox.tar" "$IMAGE"
    tar -C "$dir/x" -xf "$dir/busybox.tar"
    chmod -R u+w "$dir/x"  # Podman's archive has read-only files
    python3 - "$dir/x" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
manifest = json.load(open(os.path.join(d, "manifest.json")))
config = json.load(open(os.path.join(d, manifest[0]["Config"])))
config["config"]["Healthcheck"] = {"Test": ["CMD-SHELL", "exit 0"], "Interval": 60000000000, "Timeout": 5000000000, "Retries": 4}
body = json.dumps(config).encode()
name = hashlib.sha256(body).hexdigest() + ".json"
open(os.path.join(d, name), "wb").write(body)
manifest[0]["Config"] = name
manifest[0]["RepoTags"] = ["localhost/hcimage:latest"]
json.dump(manifest, open(os.path.join(d, "manifest.json"), "w"))
EOF
    (cd "$dir/x" && tar -cf "$dir/hc.tar" *)
    run_berth load -i "$dir/hc.tar"

    run_berth create --name hc-img localhost/hcimage:latest sleep 1000
    run_berth inspect hc-img
    assert_equal "$(json_get '[0]["Config"]["Healthcheck"]' | sorted_json)" \
        '{"Interval":60000000000,"Retries":4,"Test":["CMD-SHELL","exit 0"],"Timeout":5000000000}'
    run_berth create --name hc-img2 --healthcheck-interval 2s --healthcheck-retries 1 localhost/hcimage:latest sleep 1000
    run_berth inspect hc-img2
    assert_equal "$(json_get '[0]["Config"]["Healthcheck"]' | sorted_json)" \
        '{"Interval":2000000000,"Retries":1,"Test":["CMD-SHELL","exit 0"],"Timeout":5000000000}'
    run_berth create --name hc-img3 --health-cmd none localhost/hcimage:latest sleep 1000
    run_berth create --name hc-img4 --no-healthcheck localhost/hcimage:latest sleep 1000
    for c in hc-img3 hc-img4; do
        run_berth inspect "$c"
        assert_equal "$(json_get '[0]["Config"].get("Healthcheck")')" null "healthcheck of $c"
    done
    run_berth start hc-img
    run_berth healthcheck run hc-img
    assert_equal "$(health hc-img '["Status"]')" healthy
    remove hc-img hc-img2 hc-img3 hc-img4
}
