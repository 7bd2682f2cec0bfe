#!/usr/bin/env bats
# berth build's flags beyond the basics: -f - (the Containerfile on standard
# input), --build-arg-file, --env and --unsetenv, --ignorefile, --logfile,
# the RUN containers' flags (-v, --cap-drop, --add-host, --ulimit),
# --layers=false, --pull=newer, --manifest, --annotation, --userns.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet manifest rm buildlist >/dev/null 2>&1 || true
}

ctx() { mkdir -p "$BATS_TEST_TMPDIR/ctx"; echo "$BATS_TEST_TMPDIR/ctx"; }

@test "build -f - reads the Containerfile from standard input" {
    local c
    c=$(ctx)
    run bash -c "printf 'FROM %s\nARG A\nRUN echo \"\$A\" >/a\n' '$IMAGE' | '$BERTH' $BERTH_GLOBAL_OPTS build -q -f - --build-arg A=from-stdin-file -t stdin1 '$c'"
    [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
    run_berth run --rm stdin1 cat /a
    assert_output_equals "from-stdin-file"
}

# berth-only: Podman 4.3 has no --build-arg-file (Podman 4.7 added it).
# bats test_tags=berth-only
@test "build --build-arg-file, with --build-arg winning" {
    local c
    c=$(ctx)
    printf '# comment\nA=from-file\n\nB=from-file\n' >"$BATS_TEST_TMPDIR/args"
    printf 'FROM %s\nARG A\nARG B\nRUN echo "$A $B" >/ab\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --build-arg-file "$BATS_TEST_TMPDIR/args" --build-arg B=from-flag -t argfile1 "$c"
    run_berth run --rm argfile1 cat /ab
    assert_output_equals "from-file from-flag"
    run_berth --exit 125 build --build-arg-file "$BATS_TEST_TMPDIR/no-such-file" "$c"
    assert_output_contains "--build-arg-file"
}

@test "build --env is in the image's environment; --unsetenv drops a base image variable" {
    local c
    c=$(ctx)
    printf 'FROM %s\nENV FROM_BASE=1 KEEP=1\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q -t envbase "$c"
    printf 'FROM envbase\nRUN true\n' >"$c/Containerfile"
    run_berth build -q --env BUILD_ENV=hello --unsetenv FROM_BASE -t env1 "$c"
    run_berth run --rm env1 sh -c 'echo "${FROM_BASE:-unset} $KEEP $BUILD_ENV"'
    assert_output_equals "unset 1 hello"
}

# berth-only: Podman 4.3's RUN steps do not see --env.
# bats test_tags=berth-only
@test "build --env is seen by the final stage's RUN steps" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo "$BUILD_ENV" >/seen\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --env BUILD_ENV=hello -t env2 "$c"
    run_berth run --rm env2 cat /seen
    assert_output_equals "hello"
}

@test "build --ignorefile uses that file instead of the context's" {
    local c
    c=$(ctx)
    echo a >"$c/a.txt"
    echo b >"$c/b.txt"
    echo b.txt >"$c/.containerignore"
    echo a.txt >"$BATS_TEST_TMPDIR/other-ignore"
    printf 'FROM %s\nCOPY . /ctx/\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --ignorefile "$BATS_TEST_TMPDIR/other-ignore" -t ignore1 "$c"
    run_berth run --rm ignore1 ls /ctx
    assert_output_contains "b.txt"
    assert_output_not_contains "a.txt"
}

# berth-only: Podman 4.3 still prints the image ID on standard output with --logfile.
# bats test_tags=berth-only
@test "build --logfile writes the steps, the RUN output and the ID to the file" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo run-output\n' "$IMAGE" >"$c/Containerfile"
    run_berth build --logfile "$BATS_TEST_TMPDIR/log" -t log1 "$c"
    assert_output_equals ""
    run cat "$BATS_TEST_TMPDIR/log"
    assert_output_contains "STEP 1/2: FROM $IMAGE"
    assert_output_contains "run-output"
    assert_output_matches '^[0-9a-f]{64}$'
}

@test "build gives RUN containers -v, --cap-drop, --add-host and --ulimit" {
    local c
    c=$(ctx)
    mkdir -p "$BATS_TEST_TMPDIR/host"
    echo host-file >"$BATS_TEST_TMPDIR/host/f"
    printf 'FROM %s\nRUN cat /hostdata/f >/copied; touch /x; (chown 1 /x 2>/dev/null && echo chown-allowed || echo chown-denied) >/caps; grep -c myhost /etc/hosts >/hosts; ulimit -n >/nofile\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q -v "$BATS_TEST_TMPDIR/host:/hostdata:ro" --cap-drop chown --add-host myhost:10.1.2.3 \
        --ulimit nofile=512:512 -t runflags1 "$c"
    run_berth run --rm runflags1 sh -c 'cat /copied /caps /hosts /nofile'
    assert_output_equals "$(printf 'host-file\nchown-denied\n1\n512')"
}

@test "build --layers=false runs every step again" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo step-ran\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -t layers1 "$c"
    run_berth build --layers=false -t layers1 "$c"
    assert_output_contains "step-ran"
    assert_output_not_contains "Using cache"
}

# berth-only: Podman 4.3 has no --pull=newer.
# bats test_tags=berth-only
@test "build --pull=newer uses the local base image when the registry cannot answer; --pull=always fails" {
    local c
    c=$(ctx)
    run_berth tag "$IMAGE" 127.0.0.1:1/offline/busybox:latest
    printf 'FROM 127.0.0.1:1/offline/busybox:latest\nRUN echo ok\n' >"$c/Containerfile"
    run_berth build -q --pull=newer -t newer1 "$c"
    run_berth --exit 125 build -q --pull=always -t newer2 "$c"
    assert_output_contains "127.0.0.1:1"
    run_berth --exit 125 build --pull=sometimes "$c"
    assert_output_contains "use missing, always, never or newer"
}

@test "build --manifest adds the image to a manifest list, creating it" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo one >/v\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --manifest buildlist -t m1 "$c"
    run_berth image inspect --format '{{.Digest}}' m1
    local digest=$output
    run_berth manifest inspect buildlist
    assert_output_contains "\"digest\": \"$digest\""
    printf 'FROM %s\nRUN echo two >/v\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --manifest buildlist -t m2 "$c"
    run_berth manifest inspect buildlist
    assert_equal "$(python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])["manifests"]))' "$output")" 2 "instances"
}

@test "build --annotation: the OCI manifest's annotations, shown by inspect; a cached rebuild keeps them; --format docker has none" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo annotated >/a\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --annotation a=b=c --annotation flag -t annot1 "$c"
    run_berth image inspect --format '{{index .Annotations "a"}}|{{index .Annotations "flag"}}|{{.ManifestType}}' annot1
    assert_output_equals "b=c||application/vnd.oci.image.manifest.v1+json"
    # The same image from the cache: without --annotation its manifest stays.
    run_berth build -q -t annot2 "$c"
    run_berth image inspect --format '{{index .Annotations "a"}}' annot2
    assert_output_equals "b=c"
    run_berth build -q --format docker --annotation a=b -t annot3 "$c"
    run_berth image inspect --format '{{index .Annotations "a"}}|{{.ManifestType}}' annot3
    assert_output_equals "|application/vnd.docker.distribution.manifest.v2+json"
    run_berth run --rm annot3 cat /a
    assert_output_equals "annotated"
}

@test "build --userns=container and --userns=host run RUN steps in the user's namespace" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN id -u >/uid\n' "$IMAGE" >"$c/Containerfile"
    for mode in container host; do
        run_berth build -q --no-cache --userns="$mode" -t userns-$mode "$c"
        run_berth run --rm userns-$mode cat /uid
        assert_output_equals "0"
    done
}

# berth-only: Podman joins the user namespace a path names; berth refuses it.
# bats test_tags=berth-only
@test "build --userns=PATH and an empty --annotation key are refused, naming the flag" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN true\n' "$IMAGE" >"$c/Containerfile"
    run_berth --exit 125 build --userns=/proc/self/ns/user "$c"
    assert_output_contains "--userns=/proc/self/ns/user"
    run_berth --exit 125 build --annotation =v "$c"
    assert_output_contains "--annotation \"=v\""
}

# berth-only: Podman 4.3 ignores --annotation when the last step comes from its cache.
# bats test_tags=berth-only
@test "build --annotation on a cached image replaces its annotations" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo replaced >/r\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --annotation a=1 -t annot4 "$c"
    run_berth build -q --annotation other=2 -t annot5 "$c"
    run_berth image inspect --format '{{index .Annotations "a"}}|{{index .Annotations "other"}}' annot5
    assert_output_equals "|2"
}

@test "build --creds and --cert-dir pull the base image from the TLS + Basic auth registry" {
    local c
    c=$(ctx)
    printf 'FROM %s/busybox:latest\nRUN echo authed >/a\n' "$REGISTRY_TLS" >"$c/Containerfile"
    run_berth --exit '?' build -q --creds "$REGISTRY_USER:wrong" "$c"
    assert_failed_with "authentication required|unauthorized|invalid username/password"
    mkdir -p "$BATS_TEST_TMPDIR/empty-certs"
    run_berth --exit '?' build -q --cert-dir "$BATS_TEST_TMPDIR/empty-certs" --creds "$REGISTRY_USER:$REGISTRY_PASS" "$c"
    assert_failed_with "certificate|x509"
    run_berth build -q --retry 1 --retry-delay 100ms --creds "$REGISTRY_USER:$REGISTRY_PASS" -t credsb "$c"
    run_berth run --rm credsb cat /a
    assert_output_equals "authed"
}

@test "build --uts and --pid host: RUN steps are in the host's namespaces; private ones are not" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN for n in uts pid; do readlink /proc/self/ns/$n; done >/ns\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --no-cache --uts host --pid host -t nshost "$c"
    run_berth run --rm nshost cat /ns
    assert_output_equals "$(readlink /proc/self/ns/uts /proc/self/ns/pid)"
    run_berth build -q --no-cache --uts private --pid private -t nspriv "$c"
    run_berth run --rm nspriv cat /ns
    assert_output_not_contains "$(readlink /proc/self/ns/uts)"
    assert_output_not_contains "$(readlink /proc/self/ns/pid)"
}

@test "build passes the host's proxy variables to RUN (--http-proxy=false does not), and --stdin feeds RUN" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo "proxy=${ftp_proxy:-none}" >/proxy; cat >/in\n' "$IMAGE" >"$c/Containerfile"
    run bash -c "echo fed-in | ftp_proxy=ftp://proxy.invalid:21 timeout 120 '$BERTH' $BERTH_GLOBAL_OPTS build -q --stdin -t proxy1 '$c'"
    [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
    run_berth run --rm proxy1 cat /proxy /in
    assert_output_equals "proxy=ftp://proxy.invalid:21
fed-in"
    run bash -c "echo other | ftp_proxy=ftp://proxy.invalid:21 timeout 120 '$BERTH' $BERTH_GLOBAL_OPTS build -q --no-cache --http-proxy=false -t proxy2 '$c'"
    [[ $status -eq 0 ]] || { echo "$output" >&2; false; }
    run_berth run --rm proxy2 cat /proxy /in
    assert_output_equals "proxy=none"
}

@test "build --omit-history, --os-version and --os-feature shape the image's config" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN echo x >/x\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --omit-history --os-version 10.0.1 --os-feature a --os-feature b -t shaped "$c"
    run_berth image inspect --format '{{len .History}}' shaped
    assert_output_equals "0"
    run_berth save --format oci-dir -o "$BATS_TEST_TMPDIR/oci" shaped
    run python3 - "$BATS_TEST_TMPDIR/oci" <<'PY'
import json, sys, os
d = sys.argv[1]
blob = lambda digest: json.load(open(os.path.join(d, "blobs", *digest.split(":"))))
manifest = blob(json.load(open(os.path.join(d, "index.json")))["manifests"][0]["digest"])
config = blob(manifest["config"]["digest"])
print(config.get("os.version"), config.get("os.features"), config.get("history"))
PY
    assert_output_equals "10.0.1 ['a', 'b'] None"
}

# berth-only: the refusals are berth's (Podman runs chroot isolation, and its stdin is free when the context is a path).
# bats test_tags=berth-only
@test "build --isolation: oci and rootless build, chroot is refused; --stdin with the context on stdin is refused" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN true\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --isolation oci "$c"
    BUILDAH_ISOLATION=rootless run_berth build -q "$c"
    run_berth --exit 125 build --isolation chroot "$c"
    assert_output_contains "--isolation chroot"
    run_berth --exit 125 build --isolation vm "$c"
    assert_output_contains "unknown isolation"
    run bash -c "tar -C '$c' -cf - . | '$BERTH' $BERTH_GLOBAL_OPTS build --stdin -"
    [[ $status -eq 125 ]] || { echo "$output" >&2; false; }
    [[ $output == *"--stdin: standard input already holds the context"* ]] || { echo "$output" >&2; false; }
    run_berth --exit 125 build --retry-delay soon "$c"
    assert_output_contains "--retry-delay"
}

# berth-only: Podman's runc bind-mounts the host's /dev/mqueue for --ipc host, which this machine does not mount.
# bats test_tags=berth-only
@test "build --ipc host: RUN steps are in the host's IPC namespace" {
    local c
    c=$(ctx)
    printf 'FROM %s\nRUN readlink /proc/self/ns/ipc >/ns\n' "$IMAGE" >"$c/Containerfile"
    run_berth build -q --ipc host -t ipchost "$c"
    run_berth run --rm ipchost cat /ns
    assert_output_equals "$(readlink /proc/self/ns/ipc)"
}
