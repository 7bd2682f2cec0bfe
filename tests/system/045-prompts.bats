#!/usr/bin/env bats
# Commands that destroy data do only what they were asked (issue 12): the
# "are you sure?" of the prune commands and system reset is asked whether or
# not stdin is a terminal, so a piped "n" keeps everything and only -f skips
# it; rmi of one of an image's names untags that name, with --force too;
# rmi of an image a container uses fails unless --force, which removes the container.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup() {
    pull_fixture busybox
}

@test "volume prune asks even without a terminal: n keeps, no answer fails, y removes" {
    run_berth volume create unused1
    run_berth volume prune <<<"n"
    assert_output_contains "WARNING! This will remove all volumes not used by at least one container."
    assert_output_contains "unused1"
    assert_output_contains "Are you sure you want to continue? [y/N]"
    run_berth volume ls -q
    assert_output_equals "unused1"
    run_berth --exit 125 volume prune </dev/null
    run_berth volume ls -q
    assert_output_equals "unused1"
    run_berth volume prune <<<"y"
    assert_output_contains "unused1"
    run_berth volume ls -q
    assert_output_equals ""
}

@test "container prune and image prune keep everything on a piped n" {
    run_berth create --name pruneme "$IMAGE" true
    run_berth container prune <<<"N"
    assert_output_contains "Are you sure you want to continue? [y/N]"
    run_berth container exists pruneme
    run_berth tag "$IMAGE" localhost/dangle:1
    run_berth image prune -a <<<"no"
    assert_output_contains "WARNING! This command removes all images without at least one container associated with them."
    run_berth image exists localhost/dangle:1
    run_berth container prune <<<"yes"
    run_berth --exit 1 container exists pruneme
    run_berth untag localhost/dangle:1
}

@test "system reset asks even without a terminal, and n keeps the store" {
    run_berth system reset <<<"n"
    assert_output_contains "Are you sure you want to continue? [y/N]"
    run_berth image exists "$IMAGE"
}

@test "rmi --force of one of an image's names only untags it" {
    run_berth tag "$IMAGE" localhost/first:1 localhost/second:2
    run_berth rmi -f localhost/first:1
    assert_output_equals "Untagged: localhost/first:1"
    run_berth image exists localhost/second:2
    run_berth image exists "$IMAGE"
    run_berth rmi localhost/second:2
    assert_output_equals "Untagged: localhost/second:2"
    run_berth image exists "$IMAGE"
}

@test "rmi REPOSITORY@DIGEST of an image with that one name removes it" {
    local id digest
    id=$(berth_quiet image inspect --format '{{.Id}}' "$IMAGE" 2>&1)
    digest=$(berth_quiet image inspect --format '{{.Digest}}' "$IMAGE" 2>&1)
    run_berth image inspect --format '{{.RepoTags}}' "$IMAGE"
    assert_output_equals "[$IMAGE]"
    run_berth rmi "$REGISTRY_OPEN/busybox@$digest"
    assert_output_equals "Untagged: $IMAGE
Deleted: $id"
    run_berth --exit 1 image exists "$IMAGE"
}

# bats test_tags=berth-only
@test "rmi REPOSITORY@DIGEST of an image with other names untags that repository only" {
    # berth-only: Podman 4.3.1 answers "tag not known" here and removes nothing.
    local digest
    digest=$(berth_quiet image inspect --format '{{.Digest}}' "$IMAGE" 2>&1)
    run_berth tag "$IMAGE" localhost/keep:1
    run_berth rmi "$REGISTRY_OPEN/busybox@$digest"
    assert_output_equals "Untagged: $IMAGE"
    run_berth image exists localhost/keep:1
    # the digest still names the image, but no name of that repository is left
    run_berth --exit 2 rmi "$REGISTRY_OPEN/busybox@$digest"
    assert_output_contains "none of its names is in that repository"
    run_berth image exists localhost/keep:1
}

@test "rmi of an image a container uses fails and keeps both; rmi -f removes the container too" {
    local IMAGE_ID
    IMAGE_ID=$("$BERTH" $BERTH_GLOBAL_OPTS image inspect --format '{{.Id}}' "$IMAGE")
    # One name only, else rmi NAME would just untag it.
    run_berth untag "$IMAGE"
    run_berth tag "$IMAGE_ID" localhost/inuse:1
    run_berth create --name uses-image localhost/inuse:1 true
    run_berth --exit 2 rmi localhost/inuse:1
    assert_output_contains "image is in use by a container"
    run_berth image exists localhost/inuse:1
    run_berth container exists uses-image
    run_berth --exit 2 rmi -a
    run_berth image exists localhost/inuse:1
    run_berth rmi -f localhost/inuse:1
    run_berth --exit 1 container exists uses-image
    run_berth --exit 1 image exists localhost/inuse:1
}
