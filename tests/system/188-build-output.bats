#!/usr/bin/env bats
# berth build's flags that take the build elsewhere: -o/--output (the final
# image's root filesystem exported to a directory or a tar, the image still
# made and tagged), --build-context (a directory, image or URL named in
# COPY --from, RUN --mount=from= and FROM, a symlink out of a directory
# refused), --from (the first FROM's image replaced), --skip-unused-stages
# and --jobs.

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

# extra_context: a directory for --build-context, with sub/f, a link out of
# it to a file and one to a directory.
extra_context() {
    local d=$BATS_TEST_TMPDIR/extra
    mkdir -p "$d/sub"
    echo from-extra >"$d/sub/f"
    ln -sf /etc/hostname "$d/out-file"
    ln -sf ../../../../etc "$d/out-dir"
    echo "$d"
}

# ---------------------------------------------------------------- -o/--output

@test "build -o type=local,dest=DIR exports the root filesystem; the image is still made and tagged" {
    local c out=$BATS_TEST_TMPDIR/out
    c=$(ctx)
    printf 'FROM %s\nRUN echo exported >/hi\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -o "type=local,dest=$out" -t outlocal "$c"
    assert_output_contains "Successfully tagged localhost/outlocal:latest"
    [[ $(cat "$out/hi") == exported ]]
    [[ -x $out/bin/busybox ]]
    run_berth run --rm outlocal cat /hi
    assert_output_equals "exported"
    # A bare directory is type=local; what is already there stays.
    mkdir -p "$BATS_TEST_TMPDIR/out2"
    echo kept >"$BATS_TEST_TMPDIR/out2/kept"
    run_berth image build -q --no-cache -o "$BATS_TEST_TMPDIR/out2" "$c"
    [[ $(cat "$BATS_TEST_TMPDIR/out2/hi") == exported ]]
    [[ $(cat "$BATS_TEST_TMPDIR/out2/kept") == kept ]]
}

@test "build -o type=tar,dest=FILE writes a tar of the root filesystem; -q -o - writes it on stdout" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo in-tar >/hi\n' "$IMAGE" >"$c/Containerfile"
    run_berth buildx build -q -o "type=tar,dest=$BATS_TEST_TMPDIR/rootfs.tar" -t outtar "$c"
    run tar -xOf "$BATS_TEST_TMPDIR/rootfs.tar" hi
    assert_output_equals "in-tar"
    run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -q --no-cache -o - '$c' 2>/dev/null | tar -tf - 2>/dev/null"
    assert_output_matches '^hi$'
    assert_output_matches '^bin/busybox$'
    run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -q --no-cache -o type=tar,dest=- '$c' 2>/dev/null | tar -xOf - hi 2>/dev/null"
    assert_output_equals "in-tar"
}

# berth-only: Podman 4.3 writes the step lines and the image ID into the tar on stdout.
# bats test_tags=berth-only
@test "build -o -: stdout is the tar alone; the steps, RUN's output and the ID go to stderr" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo run-output; echo in-tar >/hi\n' "$IMAGE" >"$c/Containerfile"
    timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS build --no-cache -o - "$c" \
        >"$BATS_TEST_TMPDIR/stdout.tar" 2>"$BATS_TEST_TMPDIR/stderr"
    run tar -tf "$BATS_TEST_TMPDIR/stdout.tar"
    [[ $status -eq 0 ]]
    assert_output_matches '^hi$'
    # The tar ends with its two zero blocks (padded to a record): nothing follows it.
    run bash -c "tail -c 1024 '$BATS_TEST_TMPDIR/stdout.tar' | tr -d '\\0' | wc -c"
    assert_output_equals "0"
    run cat "$BATS_TEST_TMPDIR/stderr"
    assert_output_contains "STEP 2/2: RUN echo run-output"
    assert_output_matches '^run-output$'
    assert_output_matches '^[0-9a-f]{64}$'
}

@test "build -o with a bad value fails naming -o" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN touch /should-not-run\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build -o "type=oci,dest=$BATS_TEST_TMPDIR/x" "$c"
    assert_output_contains '"oci"'
    assert_output_contains "output"
    run_berth --exit 125 build -o "type=local,dest=$BATS_TEST_TMPDIR/x,compression=zstd" "$c"
    assert_output_contains "compression"
}

# berth-only: a build whose steps all come from the cache exports its image
# too; Podman 4.3 then exports something else (the base image's files).
# bats test_tags=berth-only
@test "build -o exports the final image when every step is cached" {
    local c
    c=$(ctx)
    printf 'FROM %s
RUN echo cached >/hi
' "$IMAGE" >"$c/Containerfile"
    run_berth build -q -t outcached "$c"
    run_berth build -o "$BATS_TEST_TMPDIR/cached" "$c"
    assert_output_contains "Using cache"
    [[ $(cat "$BATS_TEST_TMPDIR/cached/hi") == cached ]]
    run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -q -o - '$c' 2>/dev/null | tar -xOf - hi"
    assert_output_equals "cached"
}

# berth-only: Podman 4.3 makes a directory named "type=local" of it.
# bats test_tags=berth-only
@test "build -o type=local without dest= is refused, naming the forms" {
    local c
    c=$(ctx)
    printf 'FROM %s\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build -o type=local "$c"
    assert_output_contains '-o/--output "type=local": dest= is missing: use type=local,dest=DIR'
    assert_output_not_contains "STEP"  # refused before building
}

# ---------------------------------------------------------------- --build-context

@test "build --build-context NAME=DIR: COPY --from=NAME and RUN --mount=from=NAME read that directory" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM %s\nCOPY --from=extra sub/f /copied\nRUN --mount=from=extra,target=/m cat /m/sub/f >/mounted\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --build-context "extra=$extra" -t bcdir "$c"
    run_berth run --rm bcdir cat /copied /mounted
    assert_output_equals "$(printf 'from-extra\nfrom-extra')"
    # Its content is the steps' cache key: a change is copied again.
    echo changed >"$extra/sub/f"
    run_berth build --build-context "extra=$extra" -t bcdir "$c"
    assert_output_not_contains "Using cache"
    run_berth run --rm bcdir cat /copied /mounted
    assert_output_equals "$(printf 'changed\nchanged')"
}

@test "build --build-context: the context's name wins over a stage of that name" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM %s AS extra\nRUN echo from-stage >/sub-f\nFROM %s\nCOPY --from=extra sub/f /copied\n' "$IMAGE" "$IMAGE" >"$c/Containerfile"
    run_berth build -q --build-context "extra=$extra" -t bcstage "$c"
    run_berth run --rm bcstage cat /copied
    assert_output_equals "from-extra"
}

@test "build --build-context NAME=docker-image://REF: FROM NAME and COPY --from=NAME use the image" {
    local c
    c=$(ctx)
    printf 'FROM base\nCOPY --from=tools /bin/busybox /tools-busybox\nRUN echo on-base >/on-base\n' >"$c/Containerfile"
    run_berth build -q --build-context "base=docker-image://$IMAGE" --build-context "tools=container-image://$IMAGE" -t bcimage "$c"
    run_berth run --rm bcimage sh -c 'cat /on-base; test -x /tools-busybox && echo copied'
    assert_output_equals "$(printf 'on-base\ncopied')"
}

@test "build --build-context NAME=URL: the tarball the URL serves is the context" {
    local c
    c=$(ctx)
    mkdir -p "$BATS_TEST_TMPDIR/served/sub"
    echo from-url >"$BATS_TEST_TMPDIR/served/sub/f"
    tar -C "$BATS_TEST_TMPDIR/served" -czf "$SERVE_DIR/extra-$BATS_TEST_NUMBER.tar.gz" .
    printf 'FROM %s\nCOPY --from=web sub/f /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --build-context "web=http://127.0.0.1:$SERVE_PORT/extra-$BATS_TEST_NUMBER.tar.gz" -t bcurl "$c"
    run_berth run --rm bcurl cat /copied
    assert_output_equals "from-url"
}

@test "build --build-context: a symbolic link out of the directory is refused" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM %s\nCOPY --from=extra out-file /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    printf 'FROM %s\nCOPY --from=extra out-dir/hostname /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    echo beside >"$BATS_TEST_TMPDIR/beside"
    printf 'FROM %s\nCOPY --from=extra ../beside /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    run_berth ps -a -q
    assert_output_equals ""
}

# berth-only: Podman 4.3 resolves the link inside the directory and says the file is missing.
# bats test_tags=berth-only
@test "build --build-context: a link out is refused by COPY and RUN --mount, saying so" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM %s\nCOPY --from=extra out-file /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    assert_output_contains 'source "out-file" is a symbolic link that leads out of the build context'
    printf 'FROM %s\nRUN --mount=from=extra,source=out-dir,target=/m ls /m\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    assert_output_contains "leads out of the build context"
}

@test "build --build-context: an unknown name, a missing directory and a bad value are refused" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM %s\nCOPY --from=extra sub/f /copied\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --build-context "other=$extra" "$c"
    assert_output_contains "extra"
    run_berth --exit 125 build --build-context "extra=$BATS_TEST_TMPDIR/no-such-dir" "$c"
    assert_output_contains "no-such-dir"
    run_berth --exit 125 build --build-context extra "$c"
    assert_output_matches 'build.context'
}

# berth-only: Podman 4.3 tries to pull an image of that name.
# bats test_tags=berth-only
@test "build --build-context: FROM a directory context is refused, naming the fix" {
    local c extra
    c=$(ctx)
    extra=$(extra_context)
    printf 'FROM extra\n' >"$c/Containerfile"
    run_berth --exit 125 build --build-context "extra=$extra" "$c"
    assert_output_contains '"extra" is a build context of files, not an image: give --build-context extra=docker-image://IMAGE'
}

# ---------------------------------------------------------------- --from, --skip-unused-stages, --jobs

@test "build --from replaces the first FROM's image, keeping its AS name" {
    local c
    c=$(ctx)
    printf 'FROM no-such-image-anywhere AS base\nRUN echo built >/built\nFROM base\nRUN cat /built\n' >"$c/Containerfile"
    run_berth build --from "$IMAGE" -t fromflag "$c"
    assert_output_contains "[1/2] STEP 1/2: FROM $IMAGE AS base"
    run_berth run --rm fromflag cat /built
    assert_output_equals "built"
}

@test "build --skip-unused-stages=false builds every stage; the default skips the unused ones" {
    local c
    c=$(ctx)
    printf 'FROM %s AS one\nRUN echo one >/one\nFROM %s AS unused\nRUN echo unused-stage-ran\nFROM %s\nCOPY --from=one /one /one\n' \
        "$IMAGE" "$IMAGE" "$IMAGE" >"$c/Containerfile"
    run_berth build --no-cache "$c"
    assert_output_not_contains "[2/3] STEP"
    assert_output_not_contains "unused-stage-ran"
    run_berth build --no-cache --skip-unused-stages=false "$c"
    assert_output_contains "[2/3] STEP 1/2: FROM $IMAGE AS unused"
    assert_output_matches '^unused-stage-ran$'
}

@test "build --jobs takes a count of 0 or more; anything else is refused" {
    local c
    c=$(ctx)
    printf 'FROM %s AS one\nRUN echo one >/one\nFROM %s\nCOPY --from=one /one /one\n' "$IMAGE" "$IMAGE" >"$c/Containerfile"
    run_berth build -q --jobs 2 -t jobs2 "$c"
    run_berth build -q --jobs 0 -t jobs0 "$c"
    run_berth run --rm jobs0 cat /one
    assert_output_equals "one"
    run_berth --exit 125 build --jobs -1 "$c"
    assert_output_contains "jobs"
    run_berth --exit 125 build --jobs many "$c"
    assert_output_contains "jobs"
}
