#!/usr/bin/env bats
# berth commit: a container's changes (added, changed and deleted files, an
# opaque directory) become a new image that run, inspect, history, images and
# push see as Podman's commit would; --change, -m/-a, -q, failure paths.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown_file() {
    local name
    for name in cm-stopped cm-running cm-opq cm-chg cm-msg cm-q cm-dangling cm-push cm-bad; do
        timeout 30 "$BERTH" $BERTH_GLOBAL_OPTS rm -f "$name" >/dev/null 2>&1 || true
    done
    berth_teardown_file
}

# The new image's ID printed as the last line of commit's output.
last_line() { echo "${lines[${#lines[@]} - 1]}"; }

@test "commit a stopped container: added, changed and deleted files, owners kept" {
    run_berth run --name cm-stopped "$IMAGE" sh -c \
        'echo added >/added.txt; echo changed >>/etc/passwd; rm /etc/group; mkdir -p /srv/owned; echo x >/srv/owned/f; chown -R 1000:1000 /srv/owned'
    run_berth commit cm-stopped cm-img-stopped
    local id
    id=$(last_line)
    [[ $id =~ ^[0-9a-f]{64}$ ]]
    run_berth images -q --no-trunc cm-img-stopped
    assert_output_contains "$id"
    run_berth run --rm cm-img-stopped sh -c \
        'cat /added.txt; tail -n1 /etc/passwd; test -e /etc/group && echo group-present || echo group-gone; stat -c %u:%g /srv/owned/f; cat /srv/owned/f'
    assert_output_equals "$(printf 'added\nchanged\ngroup-gone\n1000:1000\nx')"
    # The image keeps its parent's layers and adds one.
    run_berth image inspect --format '{{len .RootFS.Layers}}' cm-img-stopped
    local layers=$output
    run_berth image inspect --format '{{len .RootFS.Layers}}' "$IMAGE"
    assert_equal "$layers" "$((output + 1))" "layer count"
}

@test "commit a running container" {
    start_sleeper cm-running
    run_berth exec cm-running sh -c 'echo live >/live.txt; rm /bin/yes'
    run_berth commit -q cm-running cm-img-running
    run_berth run --rm cm-img-running sh -c 'cat /live.txt; test -e /bin/yes && echo yes-present || echo yes-gone'
    assert_output_equals "$(printf 'live\nyes-gone')"
    # The container runs on.
    run_berth exec cm-running cat /live.txt
    assert_output_equals "live"
}

@test "a directory removed and made again hides the image's old contents (opaque)" {
    run_berth run --name cm-opq "$IMAGE" sh -c 'rm -rf /usr; mkdir -p /usr/fresh; echo new >/usr/fresh/file'
    run_berth commit -q cm-opq cm-img-opq
    run_berth run --rm cm-img-opq sh -c 'ls /usr; cat /usr/fresh/file'
    assert_output_equals "$(printf 'fresh\nnew')"
    run_berth diff cm-opq
    assert_output_contains "/usr/fresh/file"
}

@test "--change CMD, ENV, LABEL, WORKDIR show in inspect and in run" {
    run_berth run --name cm-chg -e FROMCTR=yes --label ctrlabel=1 "$IMAGE" sh -c 'mkdir -p /app; echo app >/app/data'
    run_berth commit -q \
        -c 'CMD ["cat", "data"]' -c 'ENV MODE=prod' -c 'LABEL team=blue' -c 'WORKDIR /app' -c 'EXPOSE 8080' \
        cm-chg cm-img-chg
    run_berth image inspect cm-img-chg
    assert_equal "$(json_get '[0]["Config"]["Cmd"]')" '["cat","data"]' "Cmd"
    assert_equal "$(json_get '[0]["Config"]["WorkingDir"]')" "/app" "WorkingDir"
    assert_equal "$(json_get '[0]["Config"]["Labels"]["team"]')" "blue" "team label"
    assert_equal "$(json_get '[0]["Config"]["Labels"]["ctrlabel"]')" "1" "the container's label"
    [[ $(json_get '[0]["Config"]["Env"]') == *'"MODE=prod"'* ]]
    [[ $(json_get '[0]["Config"]["Env"]') == *'"FROMCTR=yes"'* ]]
    [[ $(json_get '[0]["Config"]["ExposedPorts"]') == *'"8080/tcp"'* ]]
    run_berth run --rm cm-img-chg
    assert_output_equals "app"
    run_berth run --rm cm-img-chg sh -c 'echo $MODE $FROMCTR; pwd'
    assert_output_equals "$(printf 'prod yes\n/app')"
}

@test "the container's command becomes the image's" {
    run_berth commit -q cm-chg cm-img-cmd
    run_berth image inspect cm-img-cmd
    assert_equal "$(json_get '[0]["Config"]["Cmd"]')" '["sh","-c","mkdir -p /app; echo app >/app/data"]' "Cmd"
}

@test "-m and --author go to inspect and history (docker format)" {
    run_berth run --name cm-msg "$IMAGE" true
    run_berth --exit 125 commit -q -m "not for oci" cm-msg cm-img-msg
    assert_output_contains "messages are only compatible with the docker image format (-f docker)"
    run_berth commit -q -f docker -m "my message" --author "Jane Doe <jane@example.com>" cm-msg cm-img-msg
    run_berth image inspect cm-img-msg
    assert_equal "$(json_get '[0]["Comment"]')" "my message" "Comment"
    assert_equal "$(json_get '[0]["Author"]')" "Jane Doe <jane@example.com>" "Author"
    assert_equal "$(json_get '[0]["ManifestType"]')" "application/vnd.docker.distribution.manifest.v2+json" "ManifestType"
    run_berth history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' cm-img-msg
    assert_equal "${lines[0]}" "/bin/sh|FROM $IMAGE" "newest history entry"
    run_berth image inspect cm-img-msg
    assert_equal "$(json_get '[0]["History"][-1]["author"]')" "Jane Doe <jane@example.com>" "history author"
}

@test "-q prints only the ID; without it progress goes to stderr; --iidfile" {
    run_berth run --name cm-q "$IMAGE" touch /q
    run_berth commit -q --iidfile "$BATS_TEST_TMPDIR/iid" cm-q cm-img-q
    assert_line_count 1
    [[ $output =~ ^[0-9a-f]{64}$ ]]
    assert_equal "$(cat "$BATS_TEST_TMPDIR/iid")" "$output" "iidfile: the bare ID, as Podman writes it"
    run bash -c "timeout -k 10 $BERTH_TIMEOUT $BERTH $BERTH_GLOBAL_OPTS commit cm-q cm-img-q2 2>/dev/null"
    [[ $status -eq 0 && $output =~ ^[0-9a-f]{64}$ ]]
    run_berth commit cm-q cm-img-q3
    assert_output_contains "Writing manifest to image destination"
}

@test "commit without a name makes a dangling image" {
    run_berth run --name cm-dangling "$IMAGE" touch /dangling
    run_berth commit -q cm-dangling
    local id=$output
    run_berth images --format '{{.ID}} {{.Repository}}:{{.Tag}}'
    assert_output_contains "${id:0:12} <none>:<none>"
    run_berth images --filter dangling=true -q --no-trunc
    assert_output_contains "$id"
    run_berth run --rm "$id" ls /dangling
    assert_output_equals "/dangling"
}

@test "commit, push to the registry, skopeo inspects it and a pull brings it back" {
    local dest=$REGISTRY_OPEN/committed-$(id -u)-$$/busybox:v1
    run_berth run --name cm-push "$IMAGE" sh -c 'echo pushed >/pushed.txt; rm /etc/group'
    run_berth commit -q cm-push "$dest"
    local id=$output
    run_berth push "$dest"
    run skopeo inspect --tls-verify=false "docker://$dest"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    local layers
    layers=$(json_get '["Layers"]' | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
    run_berth image inspect --format '{{len .RootFS.Layers}}' "$dest"
    assert_equal "$layers" "$output" "layers in the registry"
    run_berth rm -f cm-push
    run_berth rmi "$dest"
    run_berth pull -q "$dest"
    assert_output_equals "$id"
    run_berth run --rm "$dest" sh -c 'cat /pushed.txt; test -e /etc/group || echo group-gone'
    assert_output_equals "$(printf 'pushed\ngroup-gone')"
}

@test "commit of a missing container is exit 125 with one line" {
    run_berth --exit 125 commit no-such-container cm-img-none
    assert_line_count 1
    assert_output_contains 'no container with name or ID "no-such-container" found'
}

@test "a bad --change is refused before anything is written" {
    run_berth run --name cm-bad "$IMAGE" true
    run_berth --exit 125 commit -c 'BOGUS x' cm-bad cm-img-bad
    assert_output_contains 'invalid change "BOGUS x"'
    run_berth --exit 1 image exists cm-img-bad
    run_berth rm cm-bad
}
