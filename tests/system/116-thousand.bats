#!/usr/bin/env bats
# 1,000 running containers on one store: ps, inspect, stats --no-stream and
# events still tell the truth about every one of them, and rm -f -a removes
# them all with nothing left behind. (The times these take are measured in
# contrib/bench/lifecycle.sh --ps-count 1000, never here.)

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
COUNT=${BERTH_TEST_THOUSAND:-1000}

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown_file() {
    timeout 600 "$BERTH" $BERTH_GLOBAL_OPTS rm -f -a -t 0 >/dev/null 2>&1 || true
    berth_teardown_file
}

# bats test_tags=berth-only
@test "$COUNT running containers: ps, inspect, stats --no-stream and events are right for each" {
    # berth-only: rootless Podman 4.3.1 needs far longer than the test's timeouts to start 1,000 containers on this machine.
    local since
    since=$(date +%s)
    # 20 streams of run -d, each starting its share one after the other.
    # --network none: rootless, each container would otherwise have its own
    # pasta (~30 MB apiece, 30 GB for 1,000); the helpers are 175's subject.
    local dir=$BATS_TEST_TMPDIR/start s i
    mkdir -p "$dir"
    for ((s = 0; s < 20; s++)); do
        (for ((i = s; i < COUNT; i += 20)); do
            timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS run -d --network none --name "k$i" "$IMAGE" sleep 3600 \
                >/dev/null 2>>"$dir/$s.err" </dev/null || echo "k$i" >>"$dir/$s.failed"
        done) &
    done
    wait
    if compgen -G "$dir/*.failed" >/dev/null; then
        cat "$dir"/*.err >&2
        false
    fi

    # ps: every one, once, running.
    run_berth ps --format '{{.Names}} {{.State}}'
    [[ $(wc -l <<<"$output") -eq $COUNT ]]
    [[ $(awk '$2 == "running"' <<<"$output" | wc -l) -eq $COUNT ]]
    [[ $(awk '{ print $1 }' <<<"$output" | sort -u | wc -l) -eq $COUNT ]]
    run_berth ps -a -q --no-trunc
    local ids=($output)
    [[ ${#ids[@]} -eq $COUNT ]]

    # inspect of all of them at once: each its own name, running, with a live pid.
    run_berth inspect --format '{{.Name}} {{.State.Running}} {{.State.Pid}}' "${ids[@]}"
    [[ $(wc -l <<<"$output") -eq $COUNT ]]
    [[ $(awk '$2 == "true" && $3 > 0' <<<"$output" | wc -l) -eq $COUNT ]]
    local pid
    for pid in $(awk 'NR % 100 == 1 { print $3 }' <<<"$output"); do
        [[ -d /proc/$pid ]] || { echo "pid $pid of a running container is gone" >&2; false; }
    done

    # stats --no-stream: one row per container, each with its pids.
    run_berth stats --no-stream --format '{{.ID}} {{.PIDs}}'
    [[ $(wc -l <<<"$output") -eq $COUNT ]]
    [[ $(awk '$2 >= 1' <<<"$output" | wc -l) -eq $COUNT ]]

    # events: one start for each, none twice.
    run_berth events --stream=false --since "$since" --filter event=start --format '{{.Name}}'
    [[ $(grep -c '^k[0-9]*$' <<<"$output") -eq $COUNT ]]
    [[ $(sort -u <<<"$output" | grep -c '^k[0-9]*$') -eq $COUNT ]]

    # rm -f -a: all gone, no monitor left.
    run_berth rm -f -a -t 0
    run_berth ps -a -q
    assert_output_equals ""
    run pgrep -f "berth-monitor.*$BERTH_TEST_ROOT"
    assert_output_equals ""
}
