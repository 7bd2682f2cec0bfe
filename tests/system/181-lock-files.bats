#!/usr/bin/env bats
# Lock files go with what they lock (issue 10): creating and removing many
# containers (run --rm, create + rm, run -d + rm -f) and pulling and removing
# an image leave the run directory's locks/ no bigger than before.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# Per-container and per-layer lock files (store-wide ones like gc.lock are made once and kept).
lock_files() { ls "$BERTH_TEST_ROOT/run/locks" | grep -E '^(container|layer)-' | sort || true; }

# bats test_tags=berth-only
@test "containers that come and go leave no lock files behind" {
    # berth-only: checks berth's own lock files in its runtime and store directories.
    run_berth run --rm "$IMAGE" true   # the first run makes the store-wide lock files
    local before i
    before=$(lock_files)
    for ((i = 0; i < 10; i++)); do
        run_berth run --rm "$IMAGE" true
        run_berth create --name "c$i" "$IMAGE" true
        run_berth rm "c$i"
    done
    run_berth run -d --name sleeper "$IMAGE" sleep 100
    run_berth rm -f -t 0 sleeper
    assert_equal "$(lock_files)" "$before" "lock files after 21 containers came and went"
}

# bats test_tags=berth-only
@test "layers that are removed take their lock files with them" {
    # berth-only: checks berth's own lock files in its runtime and store directories.
    local before
    before=$(lock_files)
    pull_fixture layers
    run_berth rmi "$REGISTRY_OPEN/layers:latest"
    assert_equal "$(lock_files)" "$before" "lock files after pull and rmi"
}
