#!/usr/bin/env bats
# berth ps / container ls: columns, states, -a -q -l -n --no-trunc -s,
# filters, --format (template, table, json), and many containers at once
# (concurrent run -d and rm -f leave an exact, consistent list).

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet rm -a -f -t 0 >/dev/null 2>&1 || true
}

@test "ps shows running containers with Podman's columns; -a adds created and exited ones" {
    run_berth create --name created1 --label team=a "$IMAGE" true
    run_berth --exit 3 run --name exited3 --label team=b "$IMAGE" sh -c 'exit 3'
    run_berth run -d --name up1 "$IMAGE" sleep 1000
    wait_state up1 running
    run_berth ps
    assert_output_matches '^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
    assert_output_matches "^[0-9a-f]{12} +$IMAGE +sleep 1000 +.* ago +Up .* +up1$"
    assert_output_not_contains created1
    assert_output_not_contains exited3
    assert_line_count 2
    run_berth ps -a
    assert_line_count 4
    assert_output_matches ' Created +created1$'
    assert_output_matches ' Exited \(3\) .* ago +exited3$'
    # the aliases
    for alias in ls list ps; do
        run_berth container $alias -a --format '{{.Names}}'
        assert_line_count 3
    done
}

@test "ps -q, --no-trunc, -l, -n, --noheading" {
    run_berth create --name first "$IMAGE" true
    sleep 1
    run_berth create --name second "$IMAGE" echo a-very-long-command-line-here
    local id=$output
    # oldest first, as Podman lists them
    run_berth ps -a -q
    assert_line_count 2
    assert_equal "${lines[1]}" "${id:0:12}"
    run_berth ps -a -q --no-trunc
    assert_equal "${lines[1]}" "$id"
    run_berth ps -l --format '{{.Names}}'
    assert_output_equals second
    run_berth ps -n 2 --format '{{.Names}}'
    assert_equal "$output" $'first\nsecond'
    run_berth ps -a --noheading
    assert_line_count 2
    # COMMAND is cut at 17 characters unless --no-trunc
    run_berth ps -a --filter name=second
    assert_output_contains "echo a-very-long-..."
    run_berth ps -a --no-trunc --filter name=second
    assert_output_contains "echo a-very-long-command-line-here"
    assert_output_contains "$id"
}

@test "ps --filter id, name, label, status, ancestor, exited, before, since" {
    run_berth create --name fa --label env=prod "$IMAGE" true
    local fa=$output
    sleep 1
    run_berth --exit 2 run --name fb --label env=dev "$IMAGE" sh -c 'exit 2'
    sleep 1
    run_berth create --name fc "$IMAGE" true
    run_berth ps -a --filter "id=${fa:0:8}" --format '{{.Names}}'
    assert_output_equals fa
    run_berth ps -a --filter name=f[ab] --format '{{.Names}}'
    assert_equal "$output" $'fa\nfb'
    run_berth ps -a --filter label=env=prod --format '{{.Names}}'
    assert_output_equals fa
    run_berth ps -a --filter label=env --format '{{.Names}}'
    assert_line_count 2
    run_berth ps --filter status=exited --format '{{.Names}}'
    assert_output_equals fb
    run_berth ps -a --filter status=created --filter status=exited --format '{{.Names}}'
    assert_line_count 3
    run_berth ps -a --filter exited=2 --format '{{.Names}}'
    assert_output_equals fb
    run_berth ps -a --filter exited=0 --format '{{.Names}}'
    assert_output_equals ""
    run_berth ps -a --filter ancestor="$IMAGE" --format '{{.Names}}'
    assert_line_count 3
    run_berth ps -a --filter ancestor=nosuchimage --format '{{.Names}}'
    assert_output_equals ""
    run_berth ps -a --filter before=fb --format '{{.Names}}'
    assert_output_equals fa
    run_berth ps -a --filter since=fb --format '{{.Names}}'
    assert_output_equals fc
    # different keys must all match
    run_berth ps -a --filter label=env --filter status=exited --format '{{.Names}}'
    assert_output_equals fb
    run_berth --exit 125 ps --filter status=bogus
    assert_output_contains "unknown container state: bogus"
    run_berth --exit 125 ps --filter nokey=1
    assert_output_contains "invalid filter"
}

# bats test_tags=berth-only
@test "ps --format: template, table, json" {
    # berth-only: differs from Podman 4.3.1, whose {{.State}} in ps templates is the status text ("Up 1 second ago"); berth prints the state, as Podman 5 does.
    run_berth run -d --name fmt1 --label k=v "$IMAGE" sleep 1000
    local id=$output
    wait_state fmt1 running
    run_berth ps --format '{{.ID}} {{.Names}} {{.State}} {{.Command}} {{.Image}}'
    assert_output_equals "${id:0:12} fmt1 running sleep 1000 $IMAGE"
    run_berth ps --format 'table {{.ID}}\t{{.Names}}\t{{.Status}}'
    assert_output_matches '^CONTAINER ID +NAMES +STATUS$'
    assert_output_matches "^${id:0:12} +fmt1 +Up "
    run_berth ps --format json
    assert_equal "$(json_get '[0]["Id"]')" "$id"
    assert_equal "$(json_get '[0]["Names"]')" '["fmt1"]'
    assert_equal "$(json_get '[0]["State"]')" running
    assert_equal "$(json_get '[0]["Command"]')" '["sleep","1000"]'
    assert_equal "$(json_get '[0]["Labels"]["k"]')" v
    [[ $(json_get '[0]["Pid"]') -gt 0 ]]
    run_berth --exit 125 ps --format '{{.NoSuchField}}'
    run_berth ps -a -s --format '{{.Size}}'
    assert_output_matches '^[0-9.]+ ?[kMG]?B \(virtual [0-9.]+ ?[kMG]?B\)$'
}

@test "ps shows a container whose process died as exited" {
    run_berth run -d --name dies "$IMAGE" sh -c 'sleep 0.5; exit 4'
    run_berth wait dies
    assert_output_equals 4
    run_berth ps -a --filter name=dies --format '{{.Status}}'
    assert_output_matches '^Exited \(4\) '
}

@test "50 concurrent run -d, then ps -a lists exactly 50; 50 concurrent rm -f leave none" {
    local dir=$BATS_TEST_TMPDIR i
    for i in $(seq 1 50); do
        timeout 120 "$BERTH" $BERTH_GLOBAL_OPTS run -d --name "many$i" "$IMAGE" sleep 1000 >"$dir/run$i.out" 2>&1 &
    done
    wait
    cat "$dir"/run*.out >&2
    ! grep -qi "database is locked" "$dir"/run*.out
    run_berth ps -a --format '{{.Names}}'
    assert_line_count 50
    [[ $(sort -u <<<"$output" | wc -l) -eq 50 ]]
    run_berth ps -a -q --no-trunc
    [[ $(sort -u <<<"$output" | wc -l) -eq 50 ]]
    run_berth ps --filter status=running -q
    assert_line_count 50
    for i in $(seq 1 50); do
        timeout 120 "$BERTH" $BERTH_GLOBAL_OPTS rm -f -t 0 "many$i" >"$dir/rm$i.out" 2>&1 &
    done
    wait
    cat "$dir"/rm*.out >&2
    ! grep -qi "database is locked" "$dir"/rm*.out
    for i in $(seq 1 50); do
        assert_equal "$(cat "$dir/rm$i.out")" "many$i" "rm many$i"
    done
    run_berth ps -a -q
    assert_output_equals ""
    # no monitor of this store is left (their command lines name its run directory)
    sleep 1
    run pgrep -af -- "$BERTH_TEST_ROOT/run/"
    assert_equal "$output" "" "processes left"
}
