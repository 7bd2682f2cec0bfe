#!/usr/bin/env bats
# Interoperability with the other engines, through the open registry: an image
# berth builds and pushes is copied by skopeo without warnings and pulled and
# run by Podman; an image Podman builds and pushes (OCI and Docker formats) is
# pulled and run by berth. Podman works on a store of this file's own (vfs,
# runc, cgroupfs, no keyring), so nothing of the user's is touched.
#
# As root, Podman cannot start a container here: runc fails to set the rlimits
# Podman asks for (root lacks CAP_SYS_RESOURCE on these machines). There the
# Podman side is checked with `podman create` and `podman cp`, which read the
# same image without running it; rootless, Podman runs it.

load ../lib/helpers

setup_file() {
    berth_setup_file
    PODMAN_DIR=$BERTH_TEST_ROOT/podman
    mkdir -p "$PODMAN_DIR"
    printf '[containers]\nkeyring = false\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nevents_logfile_path = "%s"\n' \
        "$PODMAN_DIR/events.log" >"$PODMAN_DIR/containers.conf"
    export PODMAN_DIR
}

teardown_file() {
    if command -v podman >/dev/null; then
        podman_cmd rm -a -f -t 0 >/dev/null 2>&1 || true
        podman_cmd rmi -a -f >/dev/null 2>&1 || true
        # Rootless Podman keeps a pause process for the user: end it with the file.
        local pause=${XDG_RUNTIME_DIR:-/nonexistent}/libpod/tmp/pause.pid
        if is_rootless && [[ -f $pause ]]; then
            kill "$(cat "$pause")" 2>/dev/null || true
        fi
    fi
    berth_teardown_file
}

need_podman() {
    command -v podman >/dev/null || skip "podman is not installed (apt-get install podman): it is the other side of these tests"
}

podman_cmd() {
    env -u CONTAINERS_STORAGE_CONF CONTAINERS_CONF="$PODMAN_DIR/containers.conf" timeout -k 10 "$BERTH_TIMEOUT" \
        podman --root "$PODMAN_DIR/root" --runroot "$PODMAN_DIR/run" --storage-driver vfs "$@"
}

# run_podman ARGS: podman_cmd, failing the test (with its output) unless it succeeds.
run_podman() {
    run podman_cmd "$@"
    if [[ $status -ne 0 ]]; then
        echo "podman $* exited $status: $output" >&2
        return 1
    fi
}

# A repository no other test (or the other mode's run) pushes to.
interop_repo() { echo "$REGISTRY_OPEN/interop-$(id -u)-$BATS_TEST_NUMBER-$$/$1"; }

@test "an image berth builds and pushes: skopeo copies it without warnings, Podman pulls and runs it" {
    need_podman
    pull_fixture busybox
    local ctx=$BATS_TEST_TMPDIR/ctx dest
    dest=$(interop_repo app):v1
    mkdir -p "$ctx"
    echo "copied by berth" >"$ctx/note"
    cat >"$ctx/Containerfile" <<EOF
FROM $REGISTRY_OPEN/busybox:latest
RUN mkdir /data && echo built-by-berth >/data/msg && chown 1000:1000 /data/msg && echo doomed >/etc/gone
RUN rm /etc/gone
COPY note /data/note
ENV GREETING=hello
WORKDIR /data
CMD ["cat", "/data/msg"]
EOF
    run_berth build -q -t "$dest" "$ctx"
    run_berth push --digestfile "$BATS_TEST_TMPDIR/digest" "$dest"

    # skopeo, an independent client: copies it to an OCI layout, warning about nothing.
    run skopeo copy --src-tls-verify=false "docker://$dest" "oci:$BATS_TEST_TMPDIR/oci:v1"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_output_not_contains "level=warn"
    assert_output_not_contains "WARN"
    run skopeo inspect --tls-verify=false "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_equal "$(json_get '["Digest"]')" "$(cat "$BATS_TEST_TMPDIR/digest")" "manifest digest, skopeo against berth's --digestfile"

    # Podman pulls it and sees berth's config, files, owners and deletions.
    run_podman pull -q --tls-verify=false "$dest"
    run_podman image inspect --format '{{.Config.Cmd}} {{.Config.WorkingDir}} {{range .Config.Env}}{{.}};{{end}}' "$dest"
    assert_output_contains "[cat /data/msg] /data"
    assert_output_contains "GREETING=hello"
    if is_rootless; then
        run_podman run --rm --network none "$dest"
        assert_output_equals "built-by-berth"
        run_podman run --rm --network none "$dest" sh -c 'stat -c %u:%g /data/msg; cat /data/note; test -e /etc/gone && echo still-there || echo gone'
        assert_output_equals "1000:1000
copied by berth
gone"
    else
        run_podman create --network none "$dest"
        local ctr=$output
        # export, not cp: podman cp gives what it copies out the caller's ids.
        podman_cmd export "$ctr" >"$BATS_TEST_TMPDIR/rootfs.tar"
        run tar -xOf "$BATS_TEST_TMPDIR/rootfs.tar" data/msg data/note
        assert_output_equals "built-by-berth
copied by berth"
        run tar -tvf "$BATS_TEST_TMPDIR/rootfs.tar" --numeric-owner
        assert_output_matches "1000/1000 .* data/msg$"
        assert_output_not_contains "etc/gone"
        run_podman rm -f "$ctr"
    fi
}

@test "an image Podman builds and pushes, as OCI and as Docker v2s2, is pulled and run by berth" {
    need_podman
    local ctx=$BATS_TEST_TMPDIR/ctx oci docker
    oci=$(interop_repo podman-oci):v1
    docker=$(interop_repo podman-docker):v1
    mkdir -p "$ctx"
    echo "built-by-podman" >"$ctx/msg"
    # No RUN: as root Podman could not run the step (see the top of the file).
    cat >"$ctx/Containerfile" <<EOF
FROM $REGISTRY_OPEN/busybox:latest
COPY --chown=1000:1000 msg /srv/msg
ENV ORIGIN=podman
WORKDIR /srv
USER 1000
CMD ["cat", "/srv/msg"]
EOF
    run_podman build -q --tls-verify=false -t localhost/podman-built "$ctx"
    run_podman push --tls-verify=false --format oci localhost/podman-built "docker://$oci"
    run_podman push --tls-verify=false --format v2s2 localhost/podman-built "docker://$docker"

    local ref
    for ref in "$oci" "$docker"; do
        run_berth pull -q "$ref"
        run_berth run --rm "$ref"
        assert_output_equals "built-by-podman"
        run_berth run --rm "$ref" sh -c 'id -u; pwd; echo $ORIGIN; stat -c %u:%g /srv/msg'
        assert_output_equals "1000
/srv
podman
1000:1000"
    done
    run_berth inspect --format '{{.Config.User}} {{.Config.WorkingDir}}' "$docker"
    assert_output_equals "1000 /srv"
}
