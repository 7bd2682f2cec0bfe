#!/usr/bin/env bats
# berth search: the catalog of the distribution registries (open, TLS with
# Basic auth, Bearer tokens), --list-tags, --limit, --format, --filter and
# --no-trunc (against a static server that answers Docker Hub's /v1/search),
# and the failures: unreachable registries, bad filters, --list-tags misuse.
#
# setup_file pushes the busybox fixture as repositories of a namespace of this
# run's own ($NS), so that both modes and earlier runs never see each other's.

load ../lib/helpers

setup_file() {
    berth_setup_file
    export NS="search-$(id -u)-$$"
    berth_quiet pull -q "$REGISTRY_OPEN/busybox:latest"
    local dest
    # pre-$NS/app sorts before $NS/app in the catalog and contains "$NS/app".
    for dest in "$NS/app:1.0" "$NS/app:latest" "$NS/app-extra:latest" "pre-$NS/app:latest"; do
        berth_quiet tag "$REGISTRY_OPEN/busybox:latest" "$REGISTRY_OPEN/$dest"
        berth_quiet push "$REGISTRY_OPEN/$dest"
    done
    for dest in "$REGISTRY_TLS/$NS/app:latest" "$REGISTRY_TOKEN/$NS/app:latest"; do
        berth_quiet tag "$REGISTRY_OPEN/busybox:latest" "$dest"
        berth_quiet push --creds "$REGISTRY_USER:$REGISTRY_PASS" "$dest"
    done
    # A registry with Docker Hub's search API: /v2/ answers 200 and
    # /v1/search?q=... the file v1/search (http.server ignores the query).
    start_http_server
    mkdir -p "$SERVE_DIR/v2" "$SERVE_DIR/v1"
    echo '{}' >"$SERVE_DIR/v2/index.html"
    cat >"$SERVE_DIR/v1/search" <<'EOF'
{"num_results": 3, "query": "hello", "results": [
  {"name": "hello", "description": "The official hello image: a tiny program\nthat says hello and exits", "star_count": 12, "is_official": true, "is_automated": false},
  {"name": "tools/hello", "description": "Built automatically", "star_count": 3, "is_official": false, "is_automated": true},
  {"name": "someone/hello-world", "description": "", "star_count": 0, "is_official": false, "is_automated": false}
]}
EOF
    export HUB=127.0.0.1:$SERVE_PORT
}

teardown_file() {
    stop_http_server
    berth_teardown_file
}

login_as() {  # login_as REGISTRY: log in with the test user's credentials
    run_berth login --username "$REGISTRY_USER" --password-stdin "$1" <<<"$REGISTRY_PASS"
}

@test "search REGISTRY/TERM lists the repositories containing TERM, an exact match first" {
    run_berth search "$REGISTRY_OPEN/$NS/app"
    [[ ${lines[0]} =~ ^NAME\ +DESCRIPTION$ ]] || { echo "header: ${lines[0]}" >&2; return 1; }
    [[ ${lines[1]} =~ ^$REGISTRY_OPEN/$NS/app\ *$ ]] || { echo "first row: ${lines[1]}" >&2; return 1; }
    assert_line_count 4
    run_berth search --format '{{.Name}}' "$REGISTRY_OPEN/$NS/app"
    assert_output_equals "$REGISTRY_OPEN/$NS/app
$REGISTRY_OPEN/pre-$NS/app
$REGISTRY_OPEN/$NS/app-extra"
    # image search is the same command.
    run_berth image search --format '{{.Name}}' "$REGISTRY_OPEN/$NS/app-"
    assert_output_equals "$REGISTRY_OPEN/$NS/app-extra"
}

@test "search TERM without a registry searches the unqualified-search registries" {
    run_berth search --format '{{.Index}} {{.Name}}' "$NS"
    assert_output_equals "$REGISTRY_OPEN $REGISTRY_OPEN/pre-$NS/app
$REGISTRY_OPEN $REGISTRY_OPEN/$NS/app
$REGISTRY_OPEN $REGISTRY_OPEN/$NS/app-extra"
}

# berth-only: Podman takes any first component as the registry ("search-0-1/app" would be a host); berth reads it as a reference does.
# bats test_tags=berth-only
@test "search NAMESPACE/TERM searches the unqualified-search registries for it" {
    run_berth search --format '{{.Name}}' "$NS/app-"
    assert_output_equals "$REGISTRY_OPEN/$NS/app-extra"
}

@test "search REGISTRY/ lists 25 repositories, --limit more or fewer, a negative one none" {
    run_berth search --format '{{.Name}}' "$REGISTRY_OPEN/"
    assert_line_count 25
    run_berth search --format '{{.Name}}' --limit 30 "$REGISTRY_OPEN/"
    assert_line_count 30
    run_berth search --format '{{.Name}}' --limit 2 "$REGISTRY_OPEN/$NS/app"
    assert_output_equals "$REGISTRY_OPEN/$NS/app
$REGISTRY_OPEN/pre-$NS/app"
    run_berth search --limit -1 "$REGISTRY_OPEN/$NS/app"
    assert_output_equals ""
}

@test "search with nothing found prints nothing and succeeds" {
    run_berth search "$REGISTRY_OPEN/$NS-nothing-here"
    assert_output_equals ""
}

@test "search --format: Go templates, table, json" {
    run_berth search --format '{{.Index}}|{{.Name}}|{{.Description}}|{{.Stars}}|{{.Official}}|{{.Automated}}|{{.Tag}}' "$REGISTRY_OPEN/$NS/app-"
    assert_output_equals "$REGISTRY_OPEN|$REGISTRY_OPEN/$NS/app-extra||0|||"
    run_berth search --format 'table {{.Index}}\t{{.Name}}' "$REGISTRY_OPEN/$NS/app-"
    [[ ${lines[0]} =~ ^INDEX\ +NAME$ ]] || { echo "header: ${lines[0]}" >&2; return 1; }
    [[ ${lines[1]} =~ ^$REGISTRY_OPEN\ +$REGISTRY_OPEN/$NS/app-extra$ ]] || { echo "row: ${lines[1]}" >&2; return 1; }
    run_berth search --format json "$REGISTRY_OPEN/$NS/app-"
    run python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
assert isinstance(doc, list) and len(doc) == 1, doc
assert list(doc[0]) == ["Index", "Name", "Description", "Stars", "Official", "Automated", "Tag"], list(doc[0])
print(doc[0]["Index"], doc[0]["Name"], doc[0]["Stars"])' "$output"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
    assert_output_equals "$REGISTRY_OPEN $REGISTRY_OPEN/$NS/app-extra 0"
    run_berth --exit 125 search --format '{{.Nope}}' "$REGISTRY_OPEN/$NS/app-"
    assert_output_contains "can't evaluate field Nope"
}

@test "search --compatible adds the STARS, OFFICIAL and AUTOMATED columns" {
    run_berth search --compatible "$REGISTRY_OPEN/$NS/app-"
    [[ ${lines[0]} =~ ^NAME\ +DESCRIPTION\ +STARS\ +OFFICIAL\ +AUTOMATED$ ]] || { echo "header: ${lines[0]}" >&2; return 1; }
    [[ ${lines[1]} =~ ^$REGISTRY_OPEN/$NS/app-extra\ +0\ *$ ]] || { echo "row: ${lines[1]}" >&2; return 1; }
}

@test "a registry with a v1 search API: descriptions cut at 44 bytes unless --no-trunc, stars and marks" {
    run_berth search --tls-verify=false --format '{{.Name}}|{{.Description}}|{{.Stars}}|{{.Official}}|{{.Automated}}' "$HUB/hello"
    assert_output_equals "$HUB/hello|The official hello image: a tiny program tha...|12|[OK]|
$HUB/tools/hello|Built automatically|3||[OK]
$HUB/someone/hello-world||0||"
    run_berth search --tls-verify=false --no-trunc --format '{{.Description}}' --limit 1 "$HUB/hello"
    assert_output_equals "The official hello image: a tiny program that says hello and exits"
    # JSON is never cut.
    run_berth search --tls-verify=false --format json --limit 1 "$HUB/hello"
    assert_output_contains '"Description": "The official hello image: a tiny program that says hello and exits"'
    run_berth search --tls-verify=false --compatible --limit 1 "$HUB/hello"
    [[ ${lines[1]} =~ ^$HUB/hello\ +The\ official.*\.\.\.\ +12\ +\[OK\]\ *$ ]] || { echo "row: ${lines[1]}" >&2; return 1; }
}

@test "search --filter: stars, is-official, is-automated" {
    run_berth search --tls-verify=false --format '{{.Name}}' --filter stars=3 "$HUB/hello"
    assert_output_equals "$HUB/hello
$HUB/tools/hello"
    run_berth search --tls-verify=false --format '{{.Name}}' --filter stars=3 --filter is-official "$HUB/hello"
    assert_output_equals "$HUB/hello"
    run_berth search --tls-verify=false --format '{{.Name}}' --filter is-automated=true "$HUB/hello"
    assert_output_equals "$HUB/tools/hello"
    run_berth search --tls-verify=false --format '{{.Name}}' --filter is-official=false --filter is-automated=false "$HUB/hello"
    assert_output_equals "$HUB/someone/hello-world"
    # The catalog has no stars: nothing passes, and that is no error.
    run_berth search --filter stars=1 "$REGISTRY_OPEN/$NS/app"
    assert_output_equals ""
}

@test "search --filter: unknown filters and bad values fail with exit 125" {
    run_berth --exit 125 search --filter foo=1 "$REGISTRY_OPEN/$NS/app"
    assert_output_contains 'invalid filter type "foo=1"'
    run_berth --exit 125 search --filter stars=many "$REGISTRY_OPEN/$NS/app"
    assert_output_contains "incorrect value type for stars filter"
    run_berth --exit 125 search --filter stars "$REGISTRY_OPEN/$NS/app"
    assert_output_contains "should be stars=<value>"
}

@test "search --list-tags lists NAME and TAG of one repository" {
    run_berth search --list-tags "$REGISTRY_OPEN/$NS/app"
    [[ ${lines[0]} =~ ^NAME\ +TAG$ ]] || { echo "header: ${lines[0]}" >&2; return 1; }
    # In the registry's order of tags.
    assert_output_matches "^$REGISTRY_OPEN/$NS/app +1\.0$"
    assert_output_matches "^$REGISTRY_OPEN/$NS/app +latest$"
    assert_line_count 3
    run_berth search --list-tags --limit 1 "$REGISTRY_OPEN/$NS/app:latest"
    assert_line_count 2
    run_berth search --list-tags --format json "$REGISTRY_OPEN/$NS/app"
    run python3 -c 'import json, sys; d = json.loads(sys.argv[1]); print(d[0]["Name"], *sorted(d[0]["Tags"]), len(d))' "$output"
    assert_output_equals "$REGISTRY_OPEN/$NS/app 1.0 latest 1"
    # A name without a registry: that repository in each search registry.
    run_berth search --list-tags busybox
    assert_output_matches "^$REGISTRY_OPEN/busybox +latest$"
}

@test "search --list-tags misuse: no repository, with --filter, a repository that does not exist" {
    run_berth --exit 125 search --list-tags "$REGISTRY_OPEN/"
    assert_output_contains "must be a docker reference"
    run_berth --exit 125 search --list-tags --filter stars=1 "$REGISTRY_OPEN/$NS/app"
    assert_output_contains "filters are not applicable to list tags result"
    run_berth --exit 125 search --list-tags "$REGISTRY_OPEN/$NS/no-such-repository"
    assert_output_contains "getting repository tags"
}

@test "search of an unreachable registry fails with exit 125 naming it" {
    local port
    port=$(free_port)
    run_berth --exit 125 search "127.0.0.1:$port/app"
    assert_output_contains "couldn't search registry \"127.0.0.1:$port\""
    assert_output_contains "pinging container registry 127.0.0.1:$port"
}

@test "one registry that answers is enough; when none has results, the failures are the error" {
    local port conf=$BATS_TEST_TMPDIR/registries.conf
    port=$(free_port)
    printf 'unqualified-search-registries = ["%s", "127.0.0.1:%s"]\n[[registry]]\nlocation = "%s"\ninsecure = true\n' \
        "$REGISTRY_OPEN" "$port" "$REGISTRY_OPEN" >"$conf"
    CONTAINERS_REGISTRIES_CONF=$conf run_berth search --format '{{.Name}}' "$NS"
    assert_output_equals "$REGISTRY_OPEN/pre-$NS/app
$REGISTRY_OPEN/$NS/app
$REGISTRY_OPEN/$NS/app-extra"
    CONTAINERS_REGISTRIES_CONF=$conf run_berth --exit 125 search "$NS-nothing-here"
    assert_output_contains "couldn't search registry \"127.0.0.1:$port\""
    assert_output_not_contains "couldn't search registry \"$REGISTRY_OPEN\""
}

@test "search of the Basic-auth TLS registry: refused anonymously, listed after login, --tls-verify=false" {
    run_berth --exit 125 search "$REGISTRY_TLS/$NS/app"
    assert_output_contains "couldn't search registry \"$REGISTRY_TLS\""
    assert_output_matches "authentication required"
    login_as "$REGISTRY_TLS"
    run_berth search --format '{{.Name}}' "$REGISTRY_TLS/$NS/app"
    assert_output_equals "$REGISTRY_TLS/$NS/app"
    run_berth search --tls-verify=false --format '{{.Name}}' "$REGISTRY_TLS/$NS/app"
    assert_output_equals "$REGISTRY_TLS/$NS/app"
    run_berth search --list-tags "$REGISTRY_TLS/$NS/app"
    assert_output_matches "^$REGISTRY_TLS/$NS/app +latest$"
    run_berth logout "$REGISTRY_TLS"
}

@test "search of the Bearer-token registry: the catalog needs a user, given by login" {
    run_berth --exit 125 search "$REGISTRY_TOKEN/$NS/app"
    assert_output_contains "couldn't search registry \"$REGISTRY_TOKEN\""
    login_as "$REGISTRY_TOKEN"
    run_berth search --format '{{.Name}}' "$REGISTRY_TOKEN/$NS/app"
    assert_output_equals "$REGISTRY_TOKEN/$NS/app"
    run_berth logout "$REGISTRY_TOKEN"
}

# berth-only: Podman 4.3.1's search has no --creds and no --cert-dir.
# bats test_tags=berth-only
@test "search --creds and --cert-dir" {
    run_berth search --creds "$REGISTRY_USER:$REGISTRY_PASS" --format '{{.Name}}' "$REGISTRY_TOKEN/$NS/app"
    assert_output_equals "$REGISTRY_TOKEN/$NS/app"
    run_berth --exit 125 search --creds "$REGISTRY_USER:wrong" "$REGISTRY_TLS/$NS/app"
    assert_output_contains "invalid username/password for $REGISTRY_TLS"
    # --cert-dir replaces the certs.d lookup: a directory without the CA fails verification.
    mkdir -p "$BATS_TEST_TMPDIR/empty-certs" "$BATS_TEST_TMPDIR/certs"
    run_berth --exit 125 search --cert-dir "$BATS_TEST_TMPDIR/empty-certs" --creds "$REGISTRY_USER:$REGISTRY_PASS" "$REGISTRY_TLS/$NS/app"
    assert_output_contains "certificate"
    assert_output_contains "--tls-verify=false"
    cp "$BERTH_FIXTURES/ca.crt" "$BATS_TEST_TMPDIR/certs/ca.crt"
    run_berth search --cert-dir "$BATS_TEST_TMPDIR/certs" --creds "$REGISTRY_USER:$REGISTRY_PASS" --format '{{.Name}}' "$REGISTRY_TLS/$NS/app"
    assert_output_equals "$REGISTRY_TLS/$NS/app"
}

@test "search usage errors: no term, two terms, a missing --authfile" {
    run_berth --exit 125 search
    run_berth --exit 125 search a b
    run_berth --exit 125 search --authfile "$BATS_TEST_TMPDIR/nonexistent.json" "$REGISTRY_OPEN/$NS/app"
    assert_output_matches "[Nn]o such file or directory"
}
