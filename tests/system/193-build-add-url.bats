#!/usr/bin/env bats
# berth build, ADD with URLs: a file served on 127.0.0.1 is added as
# downloaded (named by the URL, mode 0600, not extracted), --checksum is
# checked, the download's content is the step's cache key, and a URL that
# fails names itself. A build context given as the URL of a tarball.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
    start_http_server
}

teardown_file() {
    stop_http_server
    berth_teardown_file
}

ctx() { mkdir -p "$BATS_TEST_TMPDIR/ctx"; echo "$BATS_TEST_TMPDIR/ctx"; }

@test "ADD URL adds the file as downloaded: named by the URL, mode 0600, an archive not extracted" {
    echo served-content >"$SERVE_DIR/file-$BATS_TEST_NUMBER.txt"
    tar -C "$SERVE_DIR" -czf "$SERVE_DIR/archive-$BATS_TEST_NUMBER.tar.gz" "file-$BATS_TEST_NUMBER.txt"
    local c
    c=$(ctx)
    printf 'FROM %s\nADD http://127.0.0.1:%s/file-%s.txt /data/\nADD http://127.0.0.1:%s/archive-%s.tar.gz?x=1 /data/\nADD http://127.0.0.1:%s/file-%s.txt /renamed.txt\n' \
        "$IMAGE" "$SERVE_PORT" "$BATS_TEST_NUMBER" "$SERVE_PORT" "$BATS_TEST_NUMBER" "$SERVE_PORT" "$BATS_TEST_NUMBER" >"$c/Containerfile"
    run_berth build -q -t addurl1 "$c"
    run_berth run --rm addurl1 sh -c "cat /data/file-$BATS_TEST_NUMBER.txt /renamed.txt; stat -c %a /data/file-$BATS_TEST_NUMBER.txt; ls /data"
    assert_output_equals "$(printf 'served-content\nserved-content\n600\narchive-%s.tar.gz\nfile-%s.txt' "$BATS_TEST_NUMBER" "$BATS_TEST_NUMBER")"
}

@test "ADD URL: the same content is cached, changed content runs the step again" {
    echo v1 >"$SERVE_DIR/changing.txt"
    local c
    c=$(ctx)
    printf 'FROM %s\nADD http://127.0.0.1:%s/changing.txt /changing.txt\n' "$IMAGE" "$SERVE_PORT" >"$c/Containerfile"
    run_berth build -t addurl2 "$c"
    run_berth build -t addurl2 "$c"
    assert_output_contains "Using cache"
    echo v2 >"$SERVE_DIR/changing.txt"
    run_berth build -t addurl2 "$c"
    assert_output_not_contains "Using cache"
    run_berth run --rm addurl2 cat /changing.txt
    assert_output_equals "v2"
}

# berth-only: Podman 4.3 has no ADD --checksum, and its messages are its own.
# bats test_tags=berth-only
@test "ADD --checksum is checked; a URL that fails names itself" {
    echo checked >"$SERVE_DIR/checked.txt"
    local sum c
    sum=$(sha256sum "$SERVE_DIR/checked.txt" | cut -d' ' -f1)
    c=$(ctx)
    printf 'FROM %s\nADD --checksum=sha256:%s http://127.0.0.1:%s/checked.txt /checked.txt\n' "$IMAGE" "$sum" "$SERVE_PORT" >"$c/Containerfile"
    run_berth build -q -t addurl3 "$c"
    printf 'FROM %s\nADD --checksum=sha256:%s http://127.0.0.1:%s/checked.txt /checked.txt\n' "$IMAGE" "$(printf '0%.0s' {1..64})" "$SERVE_PORT" >"$c/Containerfile"
    run_berth --exit 125 build -q "$c"
    assert_output_contains "not --checksum=sha256:0000"
    printf 'FROM %s\nADD http://127.0.0.1:%s/no-such-file.txt /x\n' "$IMAGE" "$SERVE_PORT" >"$c/Containerfile"
    run_berth --exit 125 build -q "$c"
    assert_output_contains "no-such-file.txt: HTTP 404"
    run_berth ps -a -q
    assert_output_equals ""
}

@test "build URL: the context is the tarball the URL serves, extracted" {
    local c
    c=$(ctx)
    echo from-url-context >"$c/data.txt"
    printf 'FROM %s\nCOPY data.txt /data.txt\n' "$IMAGE" >"$c/Containerfile"
    tar -C "$c" -czf "$SERVE_DIR/ctx-$BATS_TEST_NUMBER.tar.gz" .
    run_berth build -q -t urlctx1 "http://127.0.0.1:$SERVE_PORT/ctx-$BATS_TEST_NUMBER.tar.gz"
    run_berth run --rm urlctx1 cat /data.txt
    assert_output_equals "from-url-context"
    run_berth --exit 125 build "http://127.0.0.1:$SERVE_PORT/no-such-context.tar.gz"
    assert_output_contains "404"
}
