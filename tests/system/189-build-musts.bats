#!/usr/bin/env bats
# Issue 14's must-holds for build and publish, each end to end: a multi-stage
# build with ARG, COPY --from, a cache mount, heredocs, USER and WORKDIR (its
# Config, its output, an all-cache rebuild, a rebuild from the first step that
# reads a touched file); .dockerignore with ! and **; files a RUN makes as uid
# 1000 keep that owner; a file deleted by a later step is gone (berth run, and
# skopeo's copy of the pushed image, its layer tars read); pushes to the TLS +
# Basic and the Bearer registries that skopeo agrees with; COPY sources outside
# the context refused.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

# A repository no other test (or the other mode's run) pushes to.
musts_repo() { echo "$1/musts-$(id -u)-$BATS_TEST_NUMBER-$$/$2"; }

# step_lines: "N cached|ran INSTRUCTION" for each STEP of the build output in $output.
step_lines() {
    awk '/^(\[[0-9]+\/[0-9]+\] )?STEP [0-9]+\/[0-9]+: / { if (step != "") print n, (cached ? "cached" : "ran"), step
                                     n++; step = substr($0, index($0, ": ") + 2); cached = 0; next }
         /^--> Using cache / { cached = 1 }
         END { if (step != "") print n, (cached ? "cached" : "ran"), step }' <<<"$output"
}

write_multistage() {
    local ctx=$1
    mkdir -p "$ctx"
    printf 'echo tool-v1\n' >"$ctx/tool.sh"
    printf 'app v1\n' >"$ctx/app.txt"
    cat >"$ctx/Containerfile" <<EOF
ARG BASE=$IMAGE
FROM \$BASE AS tools
ARG GREETING=hello
WORKDIR /src
COPY tool.sh .
RUN --mount=type=cache,target=/cache sh -c 'echo run >>/cache/runs; sh tool.sh >/src/tool.out; echo "\$GREETING" >/src/greeting'
RUN <<SCRIPT
set -e
echo from-heredoc >/src/heredoc.txt
SCRIPT

FROM \$BASE
COPY --from=tools /src/ /app/
COPY app.txt /app/app.txt
USER 1000:1000
WORKDIR /app
RUN touch /tmp/made-by-1000
CMD ["sh", "-c", "cat /app/greeting /app/heredoc.txt /app/tool.out /app/app.txt; stat -c %u:%g /tmp/made-by-1000"]
EOF
}

@test "multi-stage with ARG, COPY --from, a cache mount, heredocs, USER and WORKDIR; all cache the second time; a touched file rebuilds from its step" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    write_multistage "$ctx"
    run_berth build --build-arg GREETING=hi -t musts-app "$ctx"
    run_berth image inspect --format '{{.Id}}' musts-app
    local first=$output
    run_berth image inspect --format '{{.Config.User}}|{{.Config.WorkingDir}}|{{json .Config.Cmd}}' musts-app
    assert_output_equals '1000:1000|/app|["sh","-c","cat /app/greeting /app/heredoc.txt /app/tool.out /app/app.txt; stat -c %u:%g /tmp/made-by-1000"]'
    run_berth run --rm musts-app
    assert_output_equals "hi
from-heredoc
tool-v1
app v1
1000:1000"

    # The same build again: every step but the FROMs is a cache hit, the same image.
    run_berth build --build-arg GREETING=hi -t musts-app "$ctx"
    run step_lines
    assert_output_not_contains " ran WORKDIR"
    assert_output_not_contains " ran COPY"
    assert_output_not_contains " ran RUN"
    assert_output_not_contains " ran USER"
    assert_output_not_contains " ran CMD"
    run_berth image inspect --format '{{.Id}}' musts-app
    assert_equal "$output" "$first" "image of the cached rebuild"

    # app.txt changes: the first stage stays cached, the final stage reruns from COPY app.txt on.
    printf 'app v2\n' >"$ctx/app.txt"
    run_berth build --build-arg GREETING=hi -t musts-app "$ctx"
    run step_lines
    assert_output_matches "cached COPY tool.sh"
    assert_output_matches "cached RUN <<SCRIPT"
    assert_output_matches "cached COPY --from=tools /src/ /app/"
    assert_output_matches "ran COPY app.txt /app/app.txt"
    assert_output_matches "ran RUN touch /tmp/made-by-1000"
    run_berth run --rm musts-app
    assert_output_contains "app v2"
}

@test ".dockerignore: patterns, ** and ! re-includes, as Docker applies them" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx/logs" "$ctx/src/deep/er"
    echo a >"$ctx/logs/a.log"
    echo keep >"$ctx/logs/keep.log"
    echo t >"$ctx/src/deep/er/x.tmp"
    echo t >"$ctx/top.tmp"
    echo code >"$ctx/src/main.c"
    echo s >"$ctx/secret.env"
    printf 'logs/*.log\n!logs/keep.log\n**/*.tmp\nsecret.env\n' >"$ctx/.dockerignore"
    printf 'FROM %s\nCOPY . /ctx\n' "$IMAGE" >"$ctx/Dockerfile"
    run_berth build -q -t musts-ignore "$ctx"
    run_berth run --rm musts-ignore sh -c 'cd /ctx && find . -type f | sort'
    assert_output_equals "./.dockerignore
./Dockerfile
./logs/keep.log
./src/main.c"
}

@test "a file a RUN deletes is gone: in run, and as a whiteout in the pushed layers skopeo copies; uid 1000's file keeps its owner there" {
    command -v skopeo >/dev/null || skip "skopeo not installed"
    local ctx=$BATS_TEST_TMPDIR/ctx dest
    dest=$(musts_repo "$REGISTRY_OPEN" layers):v1
    mkdir -p "$ctx"
    cat >"$ctx/Containerfile" <<EOF
FROM $IMAGE
RUN echo doomed >/etc/doomed && mkdir -p /dir/sub && echo x >/dir/sub/f && mkdir /home/u && chown 1000:1000 /home/u
RUN rm /etc/doomed && rm -rf /dir
USER 1000
RUN echo mine >/home/u/mine
EOF
    run_berth build -q -t "$dest" "$ctx"
    run_berth run --rm "$dest" sh -c 'test -e /etc/doomed && echo doomed-here; test -e /dir && echo dir-here; stat -c %u:%g /home/u/mine; cat /home/u/mine'
    assert_output_equals "1000:1000
mine"
    run_berth push -q "$dest"
    local oci=$BATS_TEST_TMPDIR/oci
    run skopeo copy --src-tls-verify=false "docker://$dest" "oci:$oci:v1"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    # The manifest's last three layers are the three RUN steps, in order.
    local layers
    layers=$(python3 -c '
import json, sys
oci = sys.argv[1]
index = json.load(open(oci + "/index.json"))
digest = index["manifests"][0]["digest"].split(":")[1]
manifest = json.load(open(oci + "/blobs/sha256/" + digest))
print(" ".join(oci + "/blobs/sha256/" + l["digest"].split(":")[1] for l in manifest["layers"][-3:]))' "$oci")
    read -r made deleted owned <<<"$layers"
    run tar -tzf "$made"
    assert_output_contains "etc/doomed"
    run tar -tzf "$deleted"
    assert_output_contains "etc/.wh.doomed"
    assert_output_contains ".wh.dir"
    assert_output_not_contains "dir/sub"
    run tar -tvzf "$owned" --numeric-owner
    assert_output_matches "1000/1000 .* home/u/mine$"
}

@test "push to the TLS + Basic registry and to the Bearer registry: skopeo agrees on digest and config" {
    command -v skopeo >/dev/null || skip "skopeo not installed"
    local ctx=$BATS_TEST_TMPDIR/ctx registry dest config
    mkdir -p "$ctx"
    printf 'FROM %s\nRUN echo pushed-%s >/pushed\n' "$IMAGE" "$$" >"$ctx/Containerfile"
    run_berth build -q -t musts-push "$ctx"
    run_berth image inspect --format '{{.Id}}' musts-push
    config=$output
    local tls
    for registry in "$REGISTRY_TLS" "$REGISTRY_TOKEN"; do
        dest=$(musts_repo "$registry" app):v1
        tls=false
        [[ $registry == "$REGISTRY_TLS" ]] && tls=true
        run_berth push --creds "$REGISTRY_USER:$REGISTRY_PASS" --digestfile "$BATS_TEST_TMPDIR/digest" musts-push "$dest"
        run skopeo inspect --creds "$REGISTRY_USER:$REGISTRY_PASS" --cert-dir "$BERTH_FIXTURES" --tls-verify=$tls "docker://$dest"
        [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
        assert_equal "$(json_get '["Digest"]')" "$(cat "$BATS_TEST_TMPDIR/digest")" "manifest digest at $registry"
        # The config skopeo fetches is the one berth has: its digest is the image ID.
        skopeo inspect --raw --config --creds "$REGISTRY_USER:$REGISTRY_PASS" --cert-dir "$BERTH_FIXTURES" --tls-verify=$tls \
            "docker://$dest" >"$BATS_TEST_TMPDIR/config.json"
        assert_equal "$(sha256sum <"$BATS_TEST_TMPDIR/config.json" | cut -c1-64)" "$config" "config digest at $registry"
    done
}

@test "COPY from outside the context is refused naming it: ../x, an absolute path, a symlink pointing out; a link inside is followed" {
    local ctx=$BATS_TEST_TMPDIR/ctx
    mkdir -p "$ctx/data"
    echo outside >"$BATS_TEST_TMPDIR/outside.txt"
    echo inside >"$ctx/data/inside.txt"
    ln -s "$BATS_TEST_TMPDIR/outside.txt" "$ctx/abs-link"
    ln -s ../../outside.txt "$ctx/data/up-link"
    ln -s data/inside.txt "$ctx/in-link"
    local src
    for src in ../outside.txt "$BATS_TEST_TMPDIR/outside.txt" abs-link data/up-link; do
        printf 'FROM %s\nCOPY %s /copied\n' "$IMAGE" "$src" >"$ctx/Containerfile"
        run_berth --exit 125 build "$ctx"
        assert_output_contains "source \"$src\""
        assert_output_matches "^Error: building at STEP \"COPY "
        assert_output_not_contains "outside
"
    done
    # A link that stays in the context is followed, as Docker does: its target's content.
    printf 'FROM %s\nCOPY in-link /copied\n' "$IMAGE" >"$ctx/Containerfile"
    run_berth build -q -t musts-link "$ctx"
    run_berth run --rm musts-link sh -c 'test -L /copied && echo a-link; cat /copied'
    assert_output_equals "inside"
    # ...and its target's content is what the cache looks at.
    echo changed >"$ctx/data/inside.txt"
    run_berth build -q -t musts-link "$ctx"
    run_berth run --rm musts-link cat /copied
    assert_output_equals "changed"
    run_berth ps -a -q
    assert_equal "$output" "" "containers left by the builds"
}
