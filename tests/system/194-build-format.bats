#!/usr/bin/env bats
# berth build's output flags: --format oci|docker (and BUILDAH_FORMAT),
# --squash and --squash-all, --timestamp (reproducible images), --platform,
# --os, --arch and --variant (the config's platform and FROM's choice in a
# manifest list; no emulation), --cache-ttl.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest
MULTI=$REGISTRY_OPEN/multiarch:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

ctx() { mkdir -p "$BATS_TEST_TMPDIR/ctx"; echo "$BATS_TEST_TMPDIR/ctx"; }
# A context whose Containerfile copies one file onto scratch: a build that runs nothing.
scratch_ctx() {
    local c
    c=$(ctx)
    echo x >"$c/f"
    printf 'FROM scratch\nCOPY f /f\n' >"$c/Containerfile"
    echo "$c"
}

OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json

@test "build --format docker keeps HEALTHCHECK; the default OCI format drops it with a warning" {
    local c
    c=$(ctx)
    printf 'FROM %s\nHEALTHCHECK --retries=2 CMD true\nLABEL fmt=1\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -t fmt-oci "$c"
    assert_output_contains "HEALTHCHECK is not supported for OCI image format and will be ignored. Must use \`docker\` format"
    run_berth image inspect --format '{{.ManifestType}}' fmt-oci
    assert_output_equals "$OCI_MANIFEST"
    run_berth image inspect fmt-oci
    assert_equal "$(json_get '[0].get("Healthcheck")')" "null" "Healthcheck of the OCI image"

    run_berth build -q --format docker -t fmt-docker "$c"
    assert_output_not_contains "HEALTHCHECK is not supported"
    run_berth image inspect --format '{{.ManifestType}}' fmt-docker
    assert_output_equals "$DOCKER_MANIFEST"
    run_berth image inspect fmt-docker
    assert_equal "$(json_get '[0]["Healthcheck"]["Test"]')" '["CMD-SHELL","true"]' "Healthcheck of the Docker image"
    assert_equal "$(json_get '[0]["Healthcheck"]["Retries"]')" 2 "its retries"
}

@test "build honours BUILDAH_FORMAT; --format wins; a bad --format is refused" {
    local c
    c=$(ctx)
    printf 'FROM %s\nLABEL envformat=1\n' "$IMAGE" >"$c/Containerfile"
    BUILDAH_FORMAT=docker run_berth build -q -t fmt-env "$c"
    run_berth image inspect --format '{{.ManifestType}}' fmt-env
    assert_output_equals "$DOCKER_MANIFEST"
    BUILDAH_FORMAT=docker run_berth build -q --format oci -t fmt-env2 "$c"
    run_berth image inspect --format '{{.ManifestType}}' fmt-env2
    assert_output_equals "$OCI_MANIFEST"
    run_berth --exit 125 build --format v2s2 "$c"
    assert_output_contains 'unrecognized image type "v2s2"'
    assert_line_count 1
}

@test "build --squash makes the build's layers one; --squash-all makes the image one layer" {
    local c base
    c=$(ctx)
    printf 'FROM %s\nRUN echo a >/a\nRUN echo b >/b\nRUN rm /a\nLABEL squashed=1\n' "$IMAGE" >"$c/Containerfile"
    run_berth image inspect --format '{{len .RootFS.Layers}}' "$IMAGE"
    base=$output
    run_berth build -q --squash -t sq1 "$c"
    run_berth image inspect --format '{{len .RootFS.Layers}}' sq1
    assert_output_equals "$((base + 1))"
    run_berth run --rm sq1 sh -c 'cat /b; test -e /a && echo a-is-there || echo a-is-gone'
    assert_output_equals "$(printf 'b\na-is-gone')"

    run_berth build -q --squash-all -t sq2 "$c"
    run_berth image inspect --format '{{len .RootFS.Layers}}' sq2
    assert_output_equals 1
    run_berth run --rm sq2 sh -c 'cat /b; test -e /a && echo a-is-there || echo a-is-gone; echo hi | wc -c'
    assert_output_equals "$(printf 'b\na-is-gone\n3')"
    run_berth image inspect --format '{{index .Config.Labels "squashed"}}' sq2
    assert_output_equals 1
}

@test "build --timestamp gives the same image twice, its times and its files' set to it" {
    local c id digest
    c=$(ctx)
    echo content >"$c/f"
    printf 'FROM %s\nCOPY f /f\nRUN echo made >/made\nENV STAMPED=1\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --no-cache --timestamp 1600000000 -t ts1 "$c"
    id=${lines[-1]}
    run_berth image inspect --format '{{.Digest}}' ts1
    digest=$output
    sleep 1.1  # another second: without --timestamp the times would differ
    touch "$c/f"
    run_berth build -q --no-cache --timestamp 1600000000 -t ts2 "$c"
    assert_equal "${lines[-1]}" "$id" "the image ID of the second build"
    run_berth image inspect --format '{{.Digest}}' ts2
    assert_output_equals "$digest"
    run_berth image inspect ts2
    assert_equal "$(json_get '[0]["Created"]')" "2020-09-13T12:26:40Z" "Created"
    assert_equal "$(json_get '[0]["History"][-1]["created"]')" "2020-09-13T12:26:40Z" "the last history entry's time"
    run_berth run --rm ts2 stat -c %Y /f /made
    assert_output_equals "$(printf '1600000000\n1600000000')"

    run_berth --exit 125 build --timestamp yesterday "$c"
    assert_output_contains "--timestamp"
    assert_output_contains "yesterday"
}

# image_ids: the full ID of every image (-a), one a line, sorted.
image_ids() {
    run_berth images -aq --no-trunc
    printf '%s\n' "${lines[@]}" | sort -u
}

# assert_new_images BEFORE N: N images more than the IDs in BEFORE, none of them dangling.
assert_new_images() {
    local new dangling
    new=$(comm -13 <(printf '%s\n' "$1") <(image_ids))
    assert_equal "$(printf '%s\n' "$new" | grep -c .)" "$2" "new images: $new"
    run_berth images -q --no-trunc --filter dangling=true
    dangling=$(comm -12 <(printf '%s\n' "$new") <(printf '%s\n' "${lines[@]}" | sort -u))
    assert_equal "$dangling" "" "new dangling images"
}

@test "build --squash, --timestamp and --format leave the images Podman's leave: no dangling step image" {
    local c before
    c=$(ctx)
    # --squash keeps no step's image: the image alone is new.
    printf 'FROM %s\nRUN echo %s >/a\nRUN echo b >/b\nENV DONE=1\n' "$IMAGE" "squash-$$" >"$c/Containerfile"
    before=$(image_ids)
    run_berth build -q --squash -t left-sq "$c"
    assert_new_images "$before" 1
    # --timestamp stamps every step's image: three, the last the image.
    printf 'FROM %s\nRUN echo %s >/a\nRUN echo b >/b\nENV DONE=1\n' "$IMAGE" "timestamp-$$" >"$c/Containerfile"
    before=$(image_ids)
    run_berth build -q --timestamp 1600000000 -t left-ts "$c"
    assert_new_images "$before" 3
    # --format docker: the steps' images and the image, built on them.
    printf 'FROM %s\nRUN echo %s >/a\nRUN echo b >/b\nENV DONE=1\n' "$IMAGE" "docker-$$" >"$c/Containerfile"
    before=$(image_ids)
    run_berth build -q --format docker -t left-docker "$c"
    assert_new_images "$before" 3
}

@test "build --platform, --os and --arch set the image's platform; a bad --platform is refused" {
    local c
    c=$(scratch_ctx)
    run_berth build -q --platform linux/arm64/v8 -t plat1 "$c"
    run_berth image inspect --format '{{.Os}}/{{.Architecture}}' plat1
    assert_output_equals "linux/arm64"
    # --no-cache: Podman 4.3's cache takes the image of another platform's build of the same steps.
    run_berth build -q --no-cache --arch arm --variant v7 -t plat2 "$c"
    run_berth image inspect --format '{{.Os}}/{{.Architecture}}' plat2
    assert_output_equals "linux/arm"
    run_berth build -q --no-cache --os linux --arch s390x -t plat3 "$c"
    run_berth image inspect --format '{{.Os}}/{{.Architecture}}' plat3
    assert_output_equals "linux/s390x"

    run_berth --exit 125 build --platform arm64 "$c"
    assert_output_contains 'invalid platform syntax for "arm64"'
    assert_line_count 1
    run_berth --exit 125 build --platform linux/arm/v7/extra "$c"
    assert_output_contains 'invalid platform syntax for "linux/arm/v7/extra"'
}

# berth-only: Podman 4.3's image inspect shows no Variant.
# bats test_tags=berth-only
@test "build --platform and --variant put the variant in the image's config" {
    local c
    c=$(scratch_ctx)
    run_berth build -q --platform linux/arm64/v8 -t variant1 "$c"
    run_berth image inspect variant1
    assert_equal "$(json_get '[0]["Os"]') $(json_get '[0]["Architecture"]') $(json_get '[0]["Variant"]')" "linux arm64 v8" "platform"
    run_berth build -q --arch arm --variant v7 -t variant2 "$c"
    run_berth image inspect variant2
    assert_equal "$(json_get '[0]["Os"]') $(json_get '[0]["Architecture"]') $(json_get '[0]["Variant"]')" "linux arm v7" "platform"
}

@test "build --platform picks that platform's image of a manifest list in FROM" {
    local c
    c=$(ctx)
    printf 'FROM %s\nLABEL picked=1\n' "$MULTI" >"$c/Containerfile"
    run_berth build -q --platform linux/arm64/v8 -t plat-list "$c"
    run_berth image inspect --format '{{.Architecture}}' plat-list
    assert_output_equals arm64
    run_berth image inspect --format '{{.Architecture}}' "$MULTI"
    assert_output_equals arm64
}

@test "build --cache-ttl rebuilds cached steps older than it" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo ttl >/ttl\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -t ttl1 "$c"
    assert_output_not_contains "Using cache"
    run_berth build --cache-ttl 1h -t ttl1 "$c"
    assert_output_contains "Using cache"
    sleep 2.1
    run_berth build --cache-ttl 1s -t ttl1 "$c"
    assert_output_not_contains "Using cache"

    run_berth --exit 125 build --cache-ttl soon "$c"
    assert_output_contains "--cache-ttl"
    assert_output_contains '"soon"'
}

@test "build - takes the context as a tar on standard input: plain, gzip or zstd; a bare Containerfile too" {
    local c comp
    c=$(ctx)
    echo stdin-context >"$c/data.txt"
    printf 'FROM %s\nCOPY data.txt /data.txt\n' "$IMAGE" >"$c/Containerfile"
    tar -C "$c" -cf "$BATS_TEST_TMPDIR/ctx.tar" .
    gzip -k "$BATS_TEST_TMPDIR/ctx.tar"
    zstd -q "$BATS_TEST_TMPDIR/ctx.tar" -o "$BATS_TEST_TMPDIR/ctx.tar.zst"
    for comp in tar tar.gz tar.zst; do
        run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -q -t stdinctx - <'$BATS_TEST_TMPDIR/ctx.$comp'"
        [[ $status -eq 0 ]] || { echo "ctx.$comp: $output" >&2; false; }
        run_berth run --rm stdinctx cat /data.txt
        assert_output_equals "stdin-context"
        run_berth rmi stdinctx
    done
    printf 'FROM %s\nRUN echo bare >/bare\n' "$IMAGE" >"$BATS_TEST_TMPDIR/Containerfile.bare"
    run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -q -t stdinbare - <'$BATS_TEST_TMPDIR/Containerfile.bare'"
    [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
    run_berth run --rm stdinbare cat /bare
    assert_output_equals "bare"
}

# berth-only: Podman 4.3 reads the Containerfile from standard input and then finds no context there.
# bats test_tags=berth-only
@test "build - with -f - is refused: standard input cannot be both" {
    run bash -c "'$BERTH' $BERTH_GLOBAL_OPTS build -f - - </dev/null"
    assert_equal "$status" 125 "exit status"
    assert_output_contains "cannot both be standard input"
}
