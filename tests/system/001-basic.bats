#!/usr/bin/env bats
# Basic CLI behaviour: version, info, help, and podman's exit codes for usage errors.

load ../lib/helpers

@test "berth --version prints the version" {
    run_berth --version
    # "berth version 1.2.3" as Podman prints "podman version 4.3.1"
    assert_output_matches '^[a-z]+ version [0-9]+\.[0-9]+\.[0-9]+'
    assert_line_count 1
}

@test "berth version agrees with --version" {
    run_berth --version
    local version=${output##* }
    run_berth version
    assert_output_matches "^Version: +$version\$"
    assert_output_matches '^OS/Arch: +linux/'
    run_berth version --format '{{.Client.Version}}'
    assert_output_equals "$version"
}

@test "berth info --format reports rootless and the store paths" {
    local expected=false
    is_rootless && expected=true
    run_berth info --format '{{.Host.Security.Rootless}}'
    assert_output_equals "$expected"
    run_berth info --format '{{.Store.GraphRoot}}'
    assert_output_equals "$BERTH_TEST_ROOT/data"
    run_berth info --format '{{.Store.RunRoot}}'
    assert_output_equals "$BERTH_TEST_ROOT/run"
}

@test "berth info --format json is valid JSON" {
    run_berth info --format json
    run json_get '["host"]["arch"]'
    [[ $status -eq 0 ]] || run json_get '["Host"]["Arch"]'
    assert_equal "$output" "$(dpkg --print-architecture 2>/dev/null || echo amd64)" "host arch"
}

@test "berth --help lists the commands" {
    run_berth --help
    assert_output_contains "Available Commands:"
    local cmd
    for cmd in pull images inspect tag rmi save load login logout search info version; do
        assert_output_matches "^ +$cmd "
    done
}

@test "berth help of a subcommand shows its usage" {
    run_berth pull --help
    assert_output_contains "Usage:"
    assert_output_contains "pull"
    assert_output_contains "--quiet"
}

@test "every command and alias that --help lists answers its own --help" {
    # berth sets up only the command named on the command line: each one
    # must still be found, with its aliases, after global flags too.
    run_berth --help
    local lines=() line word n=0
    # The names of each line ("unmount, umount"): Podman pads the column with
    # as little as one space before the description, so take the words up to the
    # first that does not end in a comma.
    mapfile -t lines < <(sed -n '/^Available Commands:/,/^$/p' <<<"$output" | sed -e 1d -e '/^$/d' -e 's/^ *//' |
        sed -E 's/^(([a-z0-9-]+, )*[a-z0-9-]+).*/\1/')
    [[ ${#lines[@]} -gt 30 ]]
    for line in "${lines[@]}"; do
        # "unmount, umount": an alias shows its command's usage.
        for word in ${line//,/ }; do
            run_berth "$word" --help
            assert_output_contains "Usage"
            assert_output_contains "${line%%,*}"
            n=$((n + 1))
        done
    done
    [[ $n -gt ${#lines[@]} ]]
    run_berth --log-level error container ls --help
    assert_output_contains "--all"
    run_berth --log-level=error umount --help
    assert_output_contains "Usage"
}

@test "unknown command exits 125" {
    run_berth --exit 125 no-such-command
    assert_output_contains "unrecognized command"
    assert_output_contains "no-such-command"
}

@test "a missing command prints the usage and exits 125" {
    run_berth --exit 125
    assert_output_contains "Usage"
    assert_output_matches "^Error: missing command '[a-z]+ COMMAND'"
    run_berth --exit 125 volume
    assert_output_matches "^Error: missing command '[a-z]+ volume COMMAND'"
}

@test "an unknown --log-level exits 1 and names the levels" {
    run_berth --exit 1 --log-level=bogus version
    assert_output_contains 'Log Level "bogus" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic'
    run_berth --log-level=warning version
}

@test "unknown global flag exits 125" {
    run_berth --exit 125 --no-such-flag images
    assert_output_contains "unknown flag"
    assert_output_contains "--no-such-flag"
}

@test "unknown subcommand flag exits 125" {
    run_berth --exit 125 images --no-such-flag
    assert_output_contains "unknown flag"
    assert_output_contains "--no-such-flag"
}

@test "missing required argument exits 125" {
    run_berth --exit 125 tag
    assert_output_matches "requires|accepts|argument"
}

# bats test_tags=berth-only
@test "man pages document every command and flag" {
    # berth-only: checks berth's own man pages against its own --help.
    [[ -n ${BERTH_MAN_DIR:-} && -x $BERTH_MAN_DIR/check.sh ]] || skip "BERTH_MAN_DIR with man/check.sh not provided by the runner"
    run "$BERTH_MAN_DIR/check.sh" "$BERTH" "$BERTH_MAN_DIR"
    [[ $status -eq 0 ]] || { echo "$output" >&2; return 1; }
}

# bats test_tags=berth-only
@test "completion scripts name the real commands" {
    # berth-only: the completion scripts are berth's own (Podman's call back into podman for every word).
    run_berth completion bash
    assert_output_contains "complete -o default -F _berth berth"
    assert_output_contains "image ls"
    run_berth completion zsh
    assert_output_contains "#compdef berth"
    run_berth completion fish
    assert_output_contains "complete -c berth"
    run_berth --exit 125 completion tcsh
}
