#!/usr/bin/env bats
# berth build: RUN/COPY/ENV/WORKDIR/CMD/LABEL, the step output, multi-stage
# with COPY --from and --target, .containerignore, --build-arg, a failing RUN
# (its status, and no container left), a Containerfile error, -q and --iidfile.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# no_containers: `ps -a` lists none (no step left its container behind).
no_containers() {
    run_berth ps -a -q
    assert_equal "$output" "" "containers left by build"
}

@test "build: RUN, COPY, ENV, WORKDIR, CMD, LABEL make the image run shows" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx/dir/sub"
    echo hello >"$ctx/hello.txt"
    echo deep >"$ctx/dir/sub/deep.txt"
    cat >"$ctx/Containerfile" <<EOF
FROM $IMAGE
ENV GREETING=hi WHO=world
RUN echo "\$GREETING \$WHO" >/built.txt
COPY hello.txt /data/
COPY dir /data/dir
WORKDIR /app
LABEL org.example.kind=test "second label"=yes
CMD ["sh", "-c", "cat /built.txt /data/hello.txt /data/dir/sub/deep.txt; echo \$GREETING; pwd"]
EOF
    run_berth build -t built1 "$ctx"
    assert_output_contains "STEP 1/8: FROM $IMAGE"
    assert_output_contains "STEP 3/8: RUN echo \"\$GREETING \$WHO\" >/built.txt"
    assert_output_contains "COMMIT built1"
    assert_output_contains "Successfully tagged localhost/built1:latest"
    assert_output_matches '^--> [0-9a-f]{11}$'
    local id=${lines[-1]}
    [[ $id =~ ^[0-9a-f]{64}$ ]]
    run_berth run --rm built1
    assert_output_equals "$(printf 'hi world\nhello\ndeep\nhi\n/app')"
    run_berth image inspect --format '{{.Id}} {{index .Config.Labels "org.example.kind"}} {{index .Config.Labels "second label"}}' built1
    assert_output_equals "$id test yes"
    run_berth image inspect --format '{{.Config.WorkingDir}} {{json .Config.Cmd}}' built1
    assert_output_contains "/app [\"sh\",\"-c\""
    run_berth run --rm built1 stat -c '%u:%g' /data/hello.txt
    assert_output_equals "0:0"
    no_containers
}

@test "build: the step lines are Podman's" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nRUN echo from-run\nENV A=1\n' "$IMAGE" >"$ctx/Dockerfile"
    run_berth build "$ctx"
    [[ ${lines[0]} == "STEP 1/3: FROM $IMAGE" ]]
    [[ ${lines[1]} == "STEP 2/3: RUN echo from-run" ]]
    [[ ${lines[2]} == "from-run" ]]
    [[ ${lines[3]} =~ ^--\>\ [0-9a-f]{11}$ ]]
    [[ ${lines[4]} == "STEP 3/3: ENV A=1" ]]
    [[ ${lines[5]} == "COMMIT" ]]
    [[ ${lines[6]} =~ ^--\>\ [0-9a-f]{11}$ ]]
    [[ ${lines[7]} =~ ^[0-9a-f]{64}$ ]]
    [[ ${lines[7]} == "${lines[6]#--> }"* ]]
    assert_line_count 8
}

@test "build: multi-stage with COPY --from, and --target builds only what it needs" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    cat >"$ctx/Containerfile" <<EOF
FROM $IMAGE AS first
RUN echo made-in-first >/artifact
FROM $IMAGE AS unused
RUN echo never-run
FROM $IMAGE
COPY --from=first /artifact /copied
CMD ["cat", "/copied"]
EOF
    run_berth build -t multi "$ctx"
    assert_output_contains "[1/3] STEP 1/2: FROM $IMAGE AS first"
    assert_output_contains "[3/3] STEP 2/3: COPY --from=first /artifact /copied"
    assert_output_not_contains "never-run"
    assert_output_contains "[3/3] COMMIT multi"
    run_berth run --rm multi
    assert_output_equals "made-in-first"

    run_berth build --target first -t firstonly "$ctx"
    assert_output_contains "STEP 1/2: FROM $IMAGE AS first"
    assert_output_not_contains "[1/"
    assert_output_not_contains "COPY"
    run_berth run --rm firstonly cat /artifact
    assert_output_equals "made-in-first"
    no_containers
}

@test "build: .containerignore keeps a file out of COPY" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx/src"
    echo keep >"$ctx/src/keep.txt"
    echo secret >"$ctx/src/secret.txt"
    printf 'src/secret.txt\n' >"$ctx/.containerignore"
    printf 'FROM %s\nCOPY . /ctx\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -t ignored "$ctx"
    run_berth run --rm ignored ls /ctx/src
    assert_output_equals "keep.txt"
    printf 'FROM %s\nCOPY src/secret.txt /\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth --exit 125 build "$ctx"
    assert_output_contains 'building at STEP "COPY src/secret.txt /"'
    no_containers
}

@test "build: --build-arg values ARG, the default applies otherwise" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    cat >"$ctx/Containerfile" <<EOF
ARG BASE=$IMAGE
FROM \$BASE
ARG WHO=nobody
ENV GREETING="hello \$WHO"
RUN echo "run sees \$WHO" >/run.txt
CMD ["sh", "-c", "cat /run.txt; echo \$GREETING; echo \${WHO:-unset}"]
EOF
    run_berth build -q --build-arg WHO=builder -t args1 "$ctx"
    run_berth run --rm args1
    assert_output_equals "$(printf 'run sees builder\nhello builder\nunset')"
    run_berth build -q -t args2 "$ctx"
    run_berth run --rm args2
    assert_output_equals "$(printf 'run sees nobody\nhello nobody\nunset')"
}

@test "build: a failing RUN stops the build with its status and leaves no container" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nRUN echo before\nRUN exit 3\nRUN echo after\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth --exit 3 build -t failed "$ctx"
    assert_output_contains 'Error: building at STEP "RUN exit 3": while running runtime: exit status 3'
    assert_output_not_contains "after"
    printf 'FROM %s\nRUN false\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth --exit 1 build "$ctx"
    assert_output_contains 'Error: building at STEP "RUN false": while running runtime: exit status 1'
    no_containers
    run_berth --exit 1 image exists failed
}

# bats test_tags=berth-only
@test "build: a Containerfile error names the file and line" {
    # berth-only: Podman's message names the instruction, not the file and line.
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nRUN true\nRUNN false\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth --exit 125 build "$ctx"
    assert_output_contains "Containerfile:3:"
    assert_output_contains "RUNN"
    no_containers
}

@test "build: -q prints only the ID, --iidfile writes it" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nLABEL quiet=yes\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -q --iidfile "$BATS_TEST_TMPDIR/iid" "$ctx"
    assert_line_count 1
    [[ $output =~ ^[0-9a-f]{64}$ ]]
    assert_equal "$(cat "$BATS_TEST_TMPDIR/iid")" "sha256:$output" "iidfile"
    run_berth image inspect --format '{{index .Config.Labels "quiet"}}' "$output"
    assert_output_equals "yes"
}

@test "build: an unchanged step reuses the earlier build's image; --no-cache does not" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    echo one >"$ctx/f.txt"
    printf 'FROM %s\nRUN echo executed\nCOPY f.txt /f.txt\nENV X=1\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -q "$ctx"
    local first=$output
    run_berth build "$ctx"
    ! grep -qx executed <<<"$output"
    [[ $(grep -c -- '^--> Using cache [0-9a-f]\{64\}$' <<<"$output") -eq 3 ]]
    [[ ${lines[-1]} == "$first" ]]

    echo two >"$ctx/f.txt"
    run_berth build "$ctx"
    [[ $(grep -c -- '^--> Using cache' <<<"$output") -eq 1 ]]
    [[ ${lines[-1]} != "$first" ]]
    run_berth run --rm "${lines[-1]}" cat /f.txt
    assert_output_equals "two"

    run_berth build --no-cache "$ctx"
    assert_output_not_contains "Using cache"
    no_containers
}

@test "build: COPY --chown and --chmod, --label, and the image build / buildx build spellings" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx/d"
    echo owned >"$ctx/d/owned.txt"
    printf 'FROM %s\nCOPY --chown=1000:1001 d /owned/\nCOPY --chown=nobody d/owned.txt /by-name.txt\nCOPY --chmod=0640 d/owned.txt /mode.txt\nCOPY --from=%s --chown=1000:1001 /etc/passwd /etc/group /from-image/\nUSER 1000\n' "$IMAGE" "$IMAGE" >"$ctx/Containerfile"
    run_berth image build -q --label built.by=bats -t chowned "$ctx"
    run_berth run --rm chowned stat -c '%u:%g %n' /owned/owned.txt /by-name.txt
    assert_output_equals "$(printf '1000:1001 /owned/owned.txt\n65534:65534 /by-name.txt')"
    run_berth run --rm chowned stat -c '%a %u' /mode.txt
    assert_output_equals "640 0"
    run_berth run --rm chowned stat -c '%u:%g %n' /from-image/passwd /from-image/group
    assert_output_equals "$(printf '1000:1001 /from-image/passwd\n1000:1001 /from-image/group')"
    run_berth image inspect --format '{{index .Config.Labels "built.by"}} {{.Config.User}}' chowned
    assert_output_equals "bats 1000"
    run_berth buildx build -q -t chowned2 "$ctx"
    [[ $output =~ ^[0-9a-f]{64}$ ]]
}

@test "build: ADD extracts a local tar, COPY does not" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx" "$BATS_TEST_TMPDIR/t/top"
    echo inside >"$BATS_TEST_TMPDIR/t/top/file.txt"
    tar -C "$BATS_TEST_TMPDIR/t" -czf "$ctx/a.tar.gz" top
    echo plain >"$ctx/plain.txt"
    printf 'FROM %s\nADD a.tar.gz /x/\nCOPY a.tar.gz /y/\nADD plain.txt /z/\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -q -t added "$ctx"
    run_berth run --rm added sh -c 'cat /x/top/file.txt; ls /y; cat /z/plain.txt'
    assert_output_equals "$(printf 'inside\na.tar.gz\nplain')"
}

# bats test_tags=berth-only
@test "build: RUN <<EOF runs the heredoc as a script, COPY <<EOF makes it a file" {
    # berth-only: Podman 4.3's Buildah does not know heredocs (they came in Podman 4.4).
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    cat >"$ctx/Containerfile" <<EOF
FROM $IMAGE
RUN <<SCRIPT
echo one >/h
echo two >>/h
SCRIPT
COPY <<NOTE /etc/note.txt
a note
NOTE
CMD ["cat", "/h", "/etc/note.txt"]
EOF
    run_berth build -q -t heredoc "$ctx"
    run_berth run --rm heredoc
    assert_output_equals "$(printf 'one\ntwo\na note')"
}

# bats test_tags=berth-only
@test "build: heredocs as a RUN command's input (several too); COPY <<EOF substitutes unless quoted" {
    # berth-only: Podman 4.3's Buildah does not know heredocs (they came in Podman 4.4).
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    cat >"$ctx/Containerfile" <<'EOF'
FROM REPLACE_IMAGE
ARG WHO=builder
ENV GREETING=hello
RUN cat <<FIRST >/one; cat <<-SECOND >/two
$GREETING from run
FIRST
	tab-stripped "quoted" $WHO
	SECOND
COPY <<NOTE /note.txt
$GREETING ${WHO:-nobody} "kept" \$literal
NOTE
COPY <<"RAW" /raw.txt
$GREETING stays
RAW
CMD ["cat", "/one", "/two", "/note.txt", "/raw.txt"]
EOF
    sed -i "s|REPLACE_IMAGE|$IMAGE|" "$ctx/Containerfile"
    run_berth build -q -t heredoc2 "$ctx"
    run_berth run --rm heredoc2
    assert_output_equals "$(printf '%s\n' 'hello from run' 'tab-stripped "quoted" builder' 'hello builder "kept" $literal' '$GREETING stays')"
}

@test "build: intermediate images are listed with -a only, are not dangling, and go with the image built on them" {
    # A store of its own: the other tests leave images of their own.
    BERTH_GLOBAL_OPTS=$(extra_store interm)
    pull_fixture busybox
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nRUN echo a >/a\nENV X=1\nRUN echo b >/b\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -q -t interm1 "$ctx"
    local id=$output
    run_berth images --format '{{.Repository}}'
    assert_output_not_contains "<none>"
    run_berth images -a --format '{{.Repository}} {{.ID}}'
    assert_equal "$(grep -c '^<none> ' <<<"$output")" 2 "intermediate images listed by -a"
    run_berth images -q --filter dangling=true
    assert_output_equals ""
    run_berth image prune -f
    assert_output_equals ""
    run_berth images -a -q
    assert_equal "$(grep -c . <<<"$output")" 4 "images after prune"
    # rmi of the built image takes its intermediate images along.
    run_berth rmi interm1
    assert_equal "$(grep -c '^Deleted: ' <<<"$output")" 3 "Deleted lines"
    assert_output_contains "Deleted: $id"
    run_berth images -a --format '{{.Repository}}'
    assert_output_equals "$REGISTRY_OPEN/busybox"
}

@test "build: FROM scratch with files from another stage" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    cat >"$ctx/Containerfile" <<EOF
FROM $IMAGE AS tools
RUN echo made >/made
FROM scratch
COPY --from=tools /bin/busybox /bin/busybox
COPY --from=tools /made /made
ENTRYPOINT ["/bin/busybox"]
CMD ["cat", "/made"]
EOF
    run_berth build -t fromscratch "$ctx"
    assert_output_contains "[2/2] STEP 1/5: FROM scratch"
    run_berth run --rm fromscratch
    assert_output_equals "made"
    run_berth image inspect --format '{{len .RootFS.Layers}}' fromscratch
    assert_output_equals "2"
    no_containers
}

@test "build: --pull=never refuses an image that is not here; --target names a stage that exists" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s/never-pulled:latest\n' "$REGISTRY_OPEN" >"$ctx/Containerfile"
    run_berth --exit 125 build --pull=never "$ctx"
    assert_output_contains "never-pulled"
    printf 'FROM %s AS one\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth --exit 125 build --target two "$ctx"
    assert_output_contains "two"
}

# bats test_tags=berth-only
@test "build: a base image's ONBUILD triggers run after FROM and are not inherited" {
    # berth-only: Podman 4.3's image inspect template has no .Config.OnBuild (its Config is the OCI one).
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir "$ctx"
    printf 'FROM %s\nONBUILD RUN echo triggered >/t\n' "$IMAGE" >"$ctx/Containerfile"
    # The default OCI format has no ONBUILD: dropped with Podman's warning; --format docker keeps it.
    run_berth build -t notrigger "$ctx"
    assert_output_contains "ONBUILD is not supported for OCI image format, RUN echo triggered >/t will be ignored"
    run_berth image inspect --format '{{json .Config}}' notrigger
    assert_output_not_contains "echo triggered"
    run_berth build -q --format docker -t withtrigger "$ctx"
    run_berth image inspect --format '{{json .Config.OnBuild}}' withtrigger
    assert_output_equals '["RUN echo triggered >/t"]'
    printf 'FROM withtrigger\nCMD ["cat", "/t"]\n' >"$ctx/Containerfile"
    run_berth build -q -t triggered "$ctx"
    run_berth run --rm triggered
    assert_output_equals "triggered"
    run_berth image inspect --format '{{json .Config}}' triggered
    assert_output_not_contains "echo triggered"
    no_containers
}
