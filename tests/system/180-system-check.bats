#!/usr/bin/env bats
# berth system check [--repair] [--force] [--quick] [--max] (issue 10): each
# test damages a real store with plain shell the way a kill -9, a full disk or
# a careless rm would, then checks the one-line-per-problem report, exit 125
# while problems remain, what --repair removes (and what only --force does),
# and that afterwards images, ps -a and run work and a second check exits 0.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    DATA=$BERTH_TEST_ROOT/data
    RUN=$BERTH_TEST_ROOT/run
}

# in_store SCRIPT: sh -c SCRIPT on the store's files; rootless inside berth's user
# namespace, where layer files are owned by subordinate ids.
in_store() {
    if is_rootless; then
        berth_quiet unshare sh -c "$1"
    else
        sh -c "$1"
    fi
}

# sql QUERY: runs QUERY on the store's database, prints rows as a|b.
sql() {
    sqlite3 "$DATA/berth.db" "$1"
}

image_id() { sql "SELECT image_id FROM image_names WHERE name = '$IMAGE'"; }
first_layer() { sql "SELECT substr(diff_id, 8) FROM image_layers WHERE image_id = '$(image_id)' AND position = 0"; }

# The store works again: the image can be pulled and run, ps -a works, and a check is clean.
assert_store_works() {
    pull_fixture busybox
    run_berth images --format '{{.Repository}}'
    assert_output_contains "$REGISTRY_OPEN/busybox"
    run_berth run --rm "$IMAGE" echo still-works
    assert_output_equals "still-works"
    run_berth ps -a
    run_berth system check
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "a consistent store checks clean, also after containers came and went" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    run_berth system check
    assert_output_equals ""
    run_berth run --rm "$IMAGE" true
    run_berth create --name keep-me "$IMAGE" true
    run_berth system check
    assert_output_equals ""
    run_berth system check --quick --repair --force
    assert_output_equals ""
    run_berth ps -a --format '{{.Names}}'
    assert_output_contains keep-me
    run_berth rm keep-me
}

# bats test_tags=berth-only
@test "half-written blobs and layers of a killed process are reported, then removed by --repair" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local hex=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    printf 'half a blob' >"$DATA/blobs/sha256/.tmp-killed1"
    in_store "mkdir -p '$DATA/layers/.tmp-$hex-abc123/diff/etc' && echo x >'$DATA/layers/.tmp-$hex-abc123/diff/etc/f'"
    run_berth --exit 125 system check
    assert_output_contains "half-written blob .tmp-killed1: left in"
    assert_output_contains "half-written layer .tmp-$hex-abc123: left in"
    assert_output_contains "Error: 2 problems found in the store: repair with berth system check --repair"
    [[ -f $DATA/blobs/sha256/.tmp-killed1 ]]     # a check alone changes nothing
    run_berth system check --repair
    assert_output_contains "removed half-written blob .tmp-killed1"
    assert_output_contains "removed half-written layer .tmp-$hex-abc123"
    [[ ! -e $DATA/blobs/sha256/.tmp-killed1 && ! -e $DATA/layers/.tmp-$hex-abc123 ]]
    assert_store_works
}

# bats test_tags=berth-only
@test "a deleted or incomplete layer directory damages its image; --repair removes the image" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local how
    for how in "rm -rf LAYER" "rm -rf LAYER/diff"; do
        local id hex
        id=$(image_id)
        hex=$(first_layer)
        [[ -n $id && -n $hex ]]
        in_store "${how//LAYER/$DATA/layers/$hex}"
        run_berth --exit 125 system check
        assert_output_contains "damaged image ${id:0:12}: layer sha256:$hex is missing its directory $DATA/layers/$hex/diff"
        assert_output_contains "damaged layer sha256:$hex: its directory $DATA/layers/$hex/diff is missing"
        run_berth system check --repair
        assert_output_contains "removed damaged image ${id:0:12}"
        assert_output_contains "removed damaged layer sha256:$hex"
        run_berth --exit 1 image exists "$IMAGE"
        [[ ! -e $DATA/layers/$hex ]]
        assert_store_works
    done
}

# bats test_tags=berth-only
@test "a missing config blob and a corrupt manifest blob damage the image; --quick only looks for missing ones" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local id manifest
    id=$(image_id)
    manifest=$(sql "SELECT substr(manifest_digest, 8) FROM images WHERE id = '$id'")
    in_store "rm -f '$DATA/blobs/sha256/$manifest' && printf 'not a manifest' >'$DATA/blobs/sha256/$manifest'"
    run_berth system check --quick
    assert_output_equals ""
    run_berth --exit 125 system check
    assert_output_contains "damaged image ${id:0:12}: manifest blob sha256:$manifest"
    in_store "rm -f '$DATA/blobs/sha256/$id'"
    run_berth --exit 125 system check --quick
    assert_output_equals "damaged image ${id:0:12}: config blob sha256:$id is missing
Error: 1 problem found in the store: repair with berth system check --repair"
    run_berth system check --repair
    assert_output_contains "removed damaged image ${id:0:12}: config blob sha256:$id is missing"
    assert_output_contains "removed unreferenced layer sha256:"
    assert_output_contains "removed unreferenced blob sha256:$manifest"
    run_berth images -q
    assert_output_equals ""
    assert_store_works
}

# bats test_tags=berth-only
@test "an image whose layer record is gone, and the unrecorded directory, are repaired" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local id hex
    id=$(image_id)
    hex=$(first_layer)
    sql "DELETE FROM layers WHERE diff_id = 'sha256:$hex'"
    run_berth --exit 125 system check
    assert_output_contains "damaged image ${id:0:12}: layer sha256:$hex is not in the store"
    assert_output_contains "unrecorded layer $hex: a directory in $DATA/layers that no layer record names"
    run_berth system check -r
    assert_output_contains "removed damaged image ${id:0:12}"
    assert_output_contains "removed unrecorded layer $hex"
    [[ ! -e $DATA/layers/$hex ]]
    assert_store_works
}

# bats test_tags=berth-only
@test "unreferenced layers and blobs are reported; --max spares recent layers" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local id hex
    id=$(image_id)
    hex=$(first_layer)
    sql "DELETE FROM images WHERE id = '$id'"   # image_layers and names go with it (ON DELETE CASCADE)
    sql "DELETE FROM image_layers WHERE image_id = '$id'; DELETE FROM image_names WHERE image_id = '$id'; DELETE FROM image_digests WHERE image_id = '$id'"
    run_berth --exit 125 system check
    assert_output_contains "unreferenced layer sha256:$hex: no image uses it"
    assert_output_contains "unreferenced blob sha256:$id: no image or layer refers to it"
    run_berth --exit 125 system check --max 1h
    assert_output_not_contains "unreferenced layer"
    assert_output_contains "unreferenced blob sha256:$id"
    run_berth --exit 125 system check -m nonsense
    assert_output_contains 'invalid --max "nonsense"'
    run_berth system check --repair
    assert_output_contains "removed unreferenced layer sha256:$hex"
    [[ ! -e $DATA/layers/$hex && ! -e $DATA/blobs/sha256/$id ]]
    assert_store_works
}

# bats test_tags=berth-only
@test "lock files and run directories of containers that no longer exist are removed, live ones kept" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local gone=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    local gone2=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    local nolayer=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
    run_berth create --name alive "$IMAGE" echo alive-and-well
    touch "$RUN/locks/container-$gone.lock" "$RUN/locks/layer-$nolayer.lock"
    mkdir -p "$RUN/containers/$gone2"
    in_store "mkdir -p '$DATA/containers/$gone/upper/etc' && touch '$DATA/containers/$gone/upper/etc/x'"
    run_berth --exit 125 system check
    assert_output_contains "stale lock file container-$gone.lock: container ${gone:0:12} does not exist"
    assert_output_contains "stale lock file layer-$nolayer.lock: the layer it locks does not exist"
    assert_output_contains "stale run directory $RUN/containers/$gone2: container ${gone2:0:12} does not exist"
    assert_output_contains "stale container directory $DATA/containers/$gone: container ${gone:0:12} does not exist"
    assert_output_contains "Error: 4 problems"
    # The report made no lock files of its own.
    [[ ! -e $RUN/locks/container-$gone2.lock ]]
    run_berth system check --repair
    assert_line_count 4
    [[ ! -e $RUN/locks/container-$gone.lock && ! -e $RUN/locks/layer-$nolayer.lock ]]
    [[ ! -e $RUN/containers/$gone2 && ! -e $DATA/containers/$gone ]]
    run_berth start --attach alive
    assert_output_equals "alive-and-well"
    run_berth rm alive
    assert_store_works
}

# bats test_tags=berth-only
@test "a container whose directory is gone: --repair leaves it, --repair --force removes it" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    run_berth run --name lost "$IMAGE" true
    local cid
    cid=$(sql "SELECT id FROM containers WHERE name = 'lost'")
    [[ -d $DATA/containers/$cid ]]
    in_store "rm -rf '$DATA/containers/$cid'"
    run_berth --exit 125 system check
    assert_output_equals "damaged container lost (${cid:0:12}): its directory $DATA/containers/$cid is gone
Error: 1 problem found in the store: repair with berth system check --repair"
    run_berth --exit 125 system check --repair
    assert_output_contains "damaged container lost (${cid:0:12}): its directory $DATA/containers/$cid is gone (--force removes it)"
    assert_output_contains "Error: 1 problem found in the store: remove the damaged containers too with berth system check --repair --force"
    run_berth ps -a --format '{{.Names}}'
    assert_output_contains lost
    run_berth system check --repair --force
    assert_output_equals "removed damaged container lost (${cid:0:12}): its directory $DATA/containers/$cid is gone"
    run_berth ps -a -q
    assert_output_equals ""
    assert_store_works
}

# bats test_tags=berth-only
@test "containers of a damaged image keep it without --force; --force removes both" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local id
    id=$(image_id)
    run_berth create --name user1 "$IMAGE" true
    run_berth run -d --name user2 "$IMAGE" sleep 100
    in_store "rm -f '$DATA/blobs/sha256/$id'"
    run_berth --exit 125 system check --repair
    assert_output_contains "damaged container user1"
    assert_output_contains "damaged container user2"
    assert_output_contains "its image ${id:0:12} is damaged: config blob sha256:$id is missing (--force removes it)"
    assert_output_contains "damaged image ${id:0:12}: config blob sha256:$id is missing (used by a container: --force removes it with its containers)"
    run_berth ps -a --format '{{.Names}}'
    assert_output_contains user1
    run_berth system check --repair --force
    assert_output_contains "removed damaged container user1"
    assert_output_contains "removed damaged container user2"
    assert_output_contains "removed damaged image ${id:0:12}"
    run_berth ps -a -q
    assert_output_equals ""
    run_berth images -q
    assert_output_equals ""
    assert_store_works
}

# bats test_tags=berth-only
@test "a check beside running commands finds nothing wrong and breaks nothing" {
    # berth-only: Podman 4.3.1 has no system check; the tests damage berth's own store files (berth.db, layers, blobs, locks).
    local workload
    (
        for ((i = 0; i < 6; i++)); do
            "$BERTH" $BERTH_GLOBAL_OPTS run --rm "$IMAGE" true || echo "run --rm failed" >&2
            "$BERTH" $BERTH_GLOBAL_OPTS create --name "busy$i" "$IMAGE" true >/dev/null || echo "create failed" >&2
            "$BERTH" $BERTH_GLOBAL_OPTS rm "busy$i" >/dev/null || echo "rm failed" >&2
        done
    ) 2>"$BERTH_TEST_ROOT/workload.err" &
    workload=$!
    local checks=0 reports=""
    while kill -0 "$workload" 2>/dev/null; do
        run timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS system check --repair
        reports+=$output
        checks=$((checks + 1))
    done
    wait "$workload"
    echo "$checks checks ran beside the workload" >&2
    [[ $checks -gt 0 ]]
    assert_equal "$(cat "$BERTH_TEST_ROOT/workload.err")" "" "errors of the commands beside the checks"
    assert_equal "$reports" "" "what the checks reported"
    assert_store_works
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 has no system check.
@test "pulls leave no blob behind: over a loaded image, through a manifest list; rmi -a leaves none" {
    local other
    other=$(extra_store pulls)
    BERTH_GLOBAL_OPTS=$other run_berth load -q -i "$BERTH_FIXTURES/busybox-docker.tar"
    # The same image from the registry: its manifest replaces the one load made.
    BERTH_GLOBAL_OPTS=$other run_berth pull -q "$IMAGE"
    # Through an index, whose blob stays while the image keeps its digest.
    BERTH_GLOBAL_OPTS=$other run_berth pull -q "$REGISTRY_OPEN/multiarch:latest"
    BERTH_GLOBAL_OPTS=$other run_berth system check
    assert_output_equals ""
    BERTH_GLOBAL_OPTS=$other run_berth rmi -a
    BERTH_GLOBAL_OPTS=$other run_berth system check
    assert_output_equals ""
    run find "$BERTH_TEST_ROOT/pulls/data/blobs" -type f
    assert_output_equals ""
}
