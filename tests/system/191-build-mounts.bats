#!/usr/bin/env bats
# berth build, RUN --mount: bind (the context, read-only; rw to a throw-away
# copy; from= a stage), cache (kept between builds), tmpfs, secret (a 0400
# file or an environment variable from --secret, never in the image or its
# history); none of them leaves its mountpoint in the layer; a change in a
# bind-mounted context file runs the step again; the errors.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# containerfile TEXT: the build context $BATS_TEST_TMPDIR/ctx with this Containerfile.
containerfile() {
    mkdir -p "$BATS_TEST_TMPDIR/ctx"
    printf 'FROM %s\n%s\n' "$IMAGE" "$1" >"$BATS_TEST_TMPDIR/ctx/Containerfile"
}

# berth-only: Podman 4.3 (Buildah 1.28) leaves the mountpoint /buildsrc in the image.
# bats test_tags=berth-only
@test "RUN --mount=type=bind reads the context read-only and leaves no mountpoint" {
    containerfile 'RUN --mount=type=bind,source=data,target=/buildsrc/data sh -c "cat /buildsrc/data/file.txt >/copied.txt; touch /buildsrc/data/x 2>/dev/null && echo writable >>/copied.txt; true"'
    mkdir -p "$BATS_TEST_TMPDIR/ctx/data"
    echo from-context >"$BATS_TEST_TMPDIR/ctx/data/file.txt"
    run_berth build -q -t bind1 "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm bind1 sh -c 'cat /copied.txt; test -e /buildsrc && echo mountpoint-left; true'
    assert_output_equals "from-context"
    [[ ! -e $BATS_TEST_TMPDIR/ctx/data/x ]]
}

# berth-only: Podman 4.3 writes through an rw bind into the build context itself.
# bats test_tags=berth-only
@test "RUN --mount=type=bind,rw writes to a copy: the context does not change" {
    containerfile 'RUN --mount=type=bind,source=data,target=/w,rw sh -c "echo changed >/w/file.txt && touch /w/new && ls /w >/listing"'
    mkdir -p "$BATS_TEST_TMPDIR/ctx/data"
    echo original >"$BATS_TEST_TMPDIR/ctx/data/file.txt"
    run_berth build -q -t bind2 "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm bind2 cat /listing
    assert_output_equals "$(printf 'file.txt\nnew')"
    assert_equal "$(cat "$BATS_TEST_TMPDIR/ctx/data/file.txt")" original "context file"
    [[ ! -e $BATS_TEST_TMPDIR/ctx/data/new ]]
}

@test "RUN --mount=type=bind,from= mounts a file of an earlier stage" {
    mkdir -p "$BATS_TEST_TMPDIR/ctx"
    cat >"$BATS_TEST_TMPDIR/ctx/Containerfile" <<EOF
FROM $IMAGE AS tools
RUN echo tool-output >/tool.txt
FROM $IMAGE
RUN --mount=type=bind,from=tools,source=/tool.txt,target=/t.txt cp /t.txt /got.txt
EOF
    run_berth build -q -t bind3 "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm bind3 sh -c 'cat /got.txt; test -e /t.txt && echo mountpoint-left; true'
    assert_output_equals "tool-output"
}

@test "RUN --mount=type=cache keeps its content between builds, out of the image" {
    containerfile 'RUN --mount=type=cache,target=/var/cache/app,id=app-cache-'"$$"' sh -c "echo run >>/var/cache/app/log; cat /var/cache/app/log >/seen"'
    run_berth build -q -t cache1 "$BATS_TEST_TMPDIR/ctx"
    run_berth build -q --no-cache -t cache2 "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm cache1 cat /seen
    assert_output_equals "run"
    run_berth run --rm cache2 sh -c 'cat /seen; ls -A /var/cache/app 2>/dev/null; true'
    assert_output_equals "$(printf 'run\nrun')"
}

# berth-only: Podman 4.3 refuses size= on a tmpfs build mount.
# bats test_tags=berth-only
@test "RUN --mount=type=tmpfs gives a tmpfs that is not in the image" {
    containerfile 'RUN --mount=type=tmpfs,target=/scratch,size=1m sh -c "echo x >/scratch/f && grep \" /scratch tmpfs\" /proc/mounts | wc -l >/count"'
    run_berth build -q -t tmpfs1 "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm tmpfs1 sh -c 'cat /count; test -e /scratch && echo mountpoint-left; true'
    assert_output_equals "1"
}

# berth-only: Podman 4.3 leaves an empty /run/secrets in the image and shows the secret mount's id in the history.
# bats test_tags=berth-only
@test "RUN --mount=type=secret: a 0400 file and an env variable, in neither the image nor its history" {
    echo -n s3cret-value >"$BATS_TEST_TMPDIR/token"
    # The Containerfile names the secret by its checksum only, so that "s3cret" found anywhere is a leak.
    local sum
    sum=$(md5sum <"$BATS_TEST_TMPDIR/token" | cut -c1-32)
    containerfile 'RUN --mount=type=secret,id=tok sh -c "stat -c %a /run/secrets/tok >/mode; test \"\$(md5sum </run/secrets/tok | cut -c1-32)\" = '"$sum"' && echo file-ok >/ok"
RUN --mount=type=secret,id=tok,env=TOKEN sh -c "test \"\$(printf %s \"\$TOKEN\" | md5sum | cut -c1-32)\" = '"$sum"' && echo env-ok >>/ok"
RUN --mount=type=secret,id=fromenv sh -c "cat /run/secrets/fromenv >>/ok; echo >>/ok"'
    HOST_SECRET=host-value run_berth build -q -t secret1 --secret "id=tok,src=$BATS_TEST_TMPDIR/token" \
        --secret id=fromenv,env=HOST_SECRET "$BATS_TEST_TMPDIR/ctx"
    run_berth run --rm secret1 sh -c 'cat /mode /ok; test -e /run/secrets && echo mountpoint-left; true'
    assert_output_equals "$(printf '400\nfile-ok\nenv-ok\nhost-value')"
    run_berth history --no-trunc secret1
    assert_output_not_contains "s3cret"
    assert_output_not_contains "host-value"
    run_berth image inspect secret1
    assert_output_not_contains "s3cret"
}

# berth-only: Podman 4.3 keeps using the cached step after a bind-mounted file changed.
# bats test_tags=berth-only
@test "RUN --mount: a bind-mounted context file that changed runs the step again" {
    containerfile 'RUN --mount=type=bind,source=input.txt,target=/input.txt cat /input.txt'
    echo first >"$BATS_TEST_TMPDIR/ctx/input.txt"
    run_berth build -t key1 "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "first"
    run_berth build -t key1 "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "Using cache"
    echo second >"$BATS_TEST_TMPDIR/ctx/input.txt"
    run_berth build -t key1 "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "second"
    assert_output_not_contains "Using cache"
}

# berth-only: Podman 4.3 panics on a required secret that is not given.
# bats test_tags=berth-only
@test "RUN --mount errors: a required secret not given, a missing secret file, a bind out of the context" {
    containerfile 'RUN --mount=type=secret,id=nope,required true'
    run_berth --exit 125 build "$BATS_TEST_TMPDIR/ctx"
    containerfile 'RUN --mount=type=bind,source=../..,target=/x true'
    run_berth --exit 125 build "$BATS_TEST_TMPDIR/ctx"
    containerfile 'RUN true'
    run_berth --exit 125 build --secret "id=x,src=$BATS_TEST_TMPDIR/no-such-file" "$BATS_TEST_TMPDIR/ctx"
}

# berth-only: the messages are berth's own.
# bats test_tags=berth-only
@test "RUN --mount error messages name the secret, the source and the fix" {
    containerfile 'RUN --mount=type=secret,id=nope,required true'
    run_berth --exit 125 build "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains 'secret "nope" is required: give it with `berth build --secret id=nope,src=PATH`'
    containerfile 'RUN --mount=type=bind,source=../..,target=/x true'
    run_berth --exit 125 build "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "leads out of the build context"
    containerfile 'RUN true'
    run_berth --exit 125 build --secret "id=x,src=$BATS_TEST_TMPDIR/no-such-file" "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "--secret id=x: $BATS_TEST_TMPDIR/no-such-file does not exist"
    run_berth --exit 125 build --secret "id=x,bogus=1" "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains 'unknown key "bogus"'
    containerfile 'RUN --mount=type=ssh true'
    run_berth --exit 125 build "$BATS_TEST_TMPDIR/ctx"
    assert_output_contains "type=ssh is not supported"
    run_berth ps -a -q
    assert_output_equals ""
}
