#!/usr/bin/env bats
# kill -9 of berth at random moments (issue 10): pull, run -d, stop, rm, rmi,
# volume rm, save and load, five trials each, every one killed after a random
# 0-300 ms. After each trial every later command works, the records agree with
# the disk, no temporary file is left, and the same operation run again
# succeeds; at the end no mount and no monitor of the store is left.
# contrib/bench/kill9.sh runs the same trials by the hundred.

load ../lib/helpers
load ../lib/kill9

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    export K9_OPTS=$BERTH_GLOBAL_OPTS K9_DATA=$BERTH_TEST_ROOT/data K9_RUN=$BERTH_TEST_ROOT/run
    export K9_IMAGE=$REGISTRY_OPEN/busybox:latest K9_ARCHIVE=$BERTH_FIXTURES/busybox-docker.tar
    export K9_WORK=$BERTH_TEST_ROOT/k9-work
    mkdir -p "$K9_WORK"
}

trials() {  # trials OP...: five trials of each, all problems reported at the end
    local op n failed=0
    for op in "$@"; do
        for n in 1 2 3 4 5; do
            kill9_trial "$op" "$n" >&2 || failed=1
        done
    done
    k9_check_empty >&2 || failed=1
    return $failed
}

@test "kill -9 at random moments of pull, rmi, save and load: the image store stays consistent" {
    trials pull rmi save load
    run_berth run --rm "$K9_IMAGE" echo image-ok
    assert_output_equals image-ok
}

@test "kill -9 at random moments of run -d, stop, rm and volume rm: containers and volumes stay consistent" {
    trials run stop rm volume-rm
}
