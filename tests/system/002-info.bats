#!/usr/bin/env bats
# berth info and berth version as Podman prints them: the tree of keys and
# their types, the YAML and JSON layouts, and the Go field names templates use.
# Values that are berth's own (its runtime, its monitor, pasta) are berth-only.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

# host_cgroup_version: what Podman calls it, v2 only where /sys/fs/cgroup is cgroup2.
host_cgroup_version() {
    [[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] && echo v2 || echo v1
}

# netavark_path: where Debian (or another distribution) installs netavark; "" without it.
netavark_path() {
    ls /usr/lib/podman/netavark /usr/libexec/podman/netavark 2>/dev/null | head -n 1
}

@test "info --format json has Podman's tree and value types" {
    run_berth info --format json
    local doc
    doc=$(sed -n '/^{/,$p' <<<"$output")  # Podman may warn first, on stderr
    # has TYPE PATHS: every path is of the JSON type.
    has() {
        jq -e --arg t "$1" "all($2; type == \$t)" <<<"$doc" >/dev/null || { echo "info --format json: $2 are not all ${1}s" >&2; return 1; }
    }
    has string '.host.ociRuntime | (.name, .package, .path, .version)'
    has string '.host.conmon | (.package, .path, .version)'
    has string '.host.slirp4netns | (.executable, .package, .version)'
    has string '.host | (.logDriver, .eventLogger, .networkBackend, .cgroupManager, .cgroupVersion)'
    has string '.host | (.kernel, .hostname, .uptime, .linkmode, .distribution.distribution, .security.capabilities)'
    has array '.host.cgroupControllers'
    has boolean '.host.security | (.rootless, .seccompEnabled, .apparmorEnabled, .selinuxEnabled)'
    has boolean '.host.serviceIsRemote'
    has number '.host | (.cpus, .memTotal, .memFree, .swapTotal, .swapFree)'
    has number '.host.cpuUtilization | (.userPercent, .systemPercent, .idlePercent)'
    has object '.store | (.graphOptions, .graphStatus)'
    has string '.store | (.configFile, .graphDriverName, .graphRoot, .runRoot, .volumePath, .imageCopyTmpDir)'
    has number '.store | (.graphRootAllocated, .graphRootUsed, .imageStore.number)'
    has number '.store.containerStore | (.number, .paused, .running, .stopped)'
    has object '.registries'
    has array '.plugins | (.volume, .network, .log)'
    has string '.version | (.APIVersion, .Version, .GoVersion, .GitCommit, .BuiltTime, .OsArch, .Os)'
    has number '.version.Built'
    jq -e '(.plugins.volume | index("local")) and (.plugins.log | index("k8s-file"))' <<<"$doc" >/dev/null
    assert_equal "$(jq -r .host.os <<<"$doc")" linux "host.os"
    assert_equal "$(jq -r .host.cgroupVersion <<<"$doc")" "$(host_cgroup_version)" "host.cgroupVersion"
    assert_equal "$(jq -r .host.cpus <<<"$doc")" "$(nproc)" "host.cpus"
    assert_equal "$(jq -r .host.security.rootless <<<"$doc")" "$(is_rootless && echo true || echo false)" "rootless"
    assert_equal "$(jq -r .store.graphRoot <<<"$doc")" "$BERTH_TEST_ROOT/data" "store.graphRoot"
    assert_equal "$(jq -r .store.volumePath <<<"$doc")" "$BERTH_TEST_ROOT/data/volumes" "store.volumePath"
    if is_rootless; then
        assert_equal "$(jq -r '.host.idMappings.uidmap[0] | "\(.container_id):\(.host_id)"' <<<"$doc")" "0:$(id -u)" "uidmap"
    fi
    # netavark is the bridge backend, Podman's and berth's, and bridge a network driver.
    if [[ -n $(netavark_path) ]]; then
        assert_equal "$(jq -r .host.networkBackend <<<"$doc")" netavark "host.networkBackend"
        jq -e '.plugins.network | index("bridge")' <<<"$doc" >/dev/null || { echo "plugins.network has no bridge" >&2; false; }
    fi
    # Two-space indentation, as Podman's.
    assert_output_matches '^  "host": \{$'
}

@test "info templates take Podman's Go field names" {
    run_berth info --format '{{.Host.CgroupsVersion}}'
    assert_output_equals "$(host_cgroup_version)"
    run_berth info --format '{{.Host.OCIRuntime.Name}}'
    [[ -n $output && $output != "<no value>" ]]
    run_berth info --format '{{.Host.Conmon.Path}}'
    [[ -x $output ]]
    run_berth info --format '{{.Host.Slirp4NetNS.Executable}}|{{.Host.EventLogger}}|{{.Host.LogDriver}}'
    assert_output_matches '^[^|]*\|[a-z]+\|k8s-file$'
    run_berth info --format '{{.Host.CPUs}} {{.Host.OS}} {{.Host.Security.Rootless}}'
    assert_output_equals "$(nproc) linux $(is_rootless && echo true || echo false)"
    run_berth info --format '{{.Store.GraphRoot}} {{.Store.VolumePath}} {{.Store.ImageStore.Number}} {{.Store.ContainerStore.Number}}'
    assert_output_equals "$BERTH_TEST_ROOT/data $BERTH_TEST_ROOT/data/volumes 0 0"
    run_berth info --format '{{.Store.GraphOptions}}'
    assert_output_matches '^map\['
    run_berth info --format '{{.Version.Version}}'
    assert_output_matches '^[0-9]+\.[0-9]+\.[0-9]+'
    run_berth info --format '{{json .Host.OCIRuntime}}'
    assert_output_matches '^\{"name":'
    run_berth info --format '{{.Host.Security.DefaultCapabilities}}'
    assert_output_contains CAP_CHOWN
    if is_rootless; then
        run_berth info --format '{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}} {{end}}'
        assert_output_matches "^0:$(id -u):1 "
    fi
    run_berth --exit 125 info --format '{{.Host.NoSuchField}}'
    assert_output_contains "can't evaluate field NoSuchField"
}

@test "info prints YAML as Podman does" {
    run_berth info
    # Sorted sections, nested by two, sequences at their key's indentation.
    assert_equal "$(grep -E '^[a-z]+:' <<<"$output" | tr '\n' ' ')" "host: plugins: registries: store: version: " "sections"
    assert_output_matches '^  ociRuntime:$'
    assert_output_matches '^    name: [^ ]+$'
    assert_output_matches '^  cgroupVersion: v[12]$'
    assert_output_matches '^  eventLogger: [a-z]+$'
    assert_output_matches "^  graphRoot: $BERTH_TEST_ROOT/data\$"
    assert_output_matches '^  log:$'
    assert_output_matches '^  - k8s-file$'
    assert_output_matches '^  APIVersion: '
    # A string that would read as a number is quoted; an empty one is "".
    local version_id
    version_id=$(. /etc/os-release && echo "${VERSION_ID:-}")
    if [[ $version_id =~ ^[0-9]+$ ]]; then
        assert_output_matches "^    version: \"$version_id\"\$"
    fi
    assert_output_matches '^  GitCommit: ""$|^  GitCommit: [0-9a-f]+$'
}

@test "info counts containers by state" {
    pull_fixture busybox
    run_berth create --name info-created "$IMAGE" true
    run_berth run -d --name info-running "$IMAGE" sleep 1000
    wait_state info-running running
    run_berth info --format '{{.Store.ContainerStore.Number}} {{.Store.ContainerStore.Running}} {{.Store.ContainerStore.Paused}} {{.Store.ContainerStore.Stopped}} {{.Store.ImageStore.Number}}'
    assert_output_equals "2 1 0 1 1"
    run_berth rm -f -t 0 info-created info-running
}

@test "version has Podman's Client section; {{.Server.Version}} is the local version" {
    run_berth version
    assert_output_matches '^Client: +'
    assert_output_matches '^Version: +[0-9]+\.[0-9]+\.[0-9]+'
    assert_output_matches '^API Version: +'
    assert_output_matches '^Go Version: +'
    assert_output_matches '^Built: +'
    assert_output_matches '^OS/Arch: +linux/'
    local version
    version=$(sed -n 's/^Version: *//p' <<<"$output")
    run_berth version --format json
    assert_line_count 1
    jq -e '.Client | all(.APIVersion, .Version, .GoVersion, .GitCommit, .BuiltTime, .OsArch, .Os; type == "string") and (.Built | type == "number")' <<<"$output" >/dev/null
    run_berth version --format '{{.Client.Version}} {{.Client.OsArch}}'
    assert_output_matches "^$version linux/"
    run_berth version --format '{{.Server.Version}}|{{.Server.APIVersion}}'
    assert_output_matches "^$version\|"
    run_berth version --format '{{.Version}}'
    assert_output_equals "$version"
    run_berth version --format '{{json .Server}}'
    assert_output_equals null
    run_berth --exit 125 version --format '{{.Server.NoSuchField}}'
    assert_output_contains "can't evaluate field NoSuchField"
}

# bats test_tags=berth-only
@test "info names berth's own runtime, monitor, network and event log" {
    # berth-only: the values are berth's (Podman names runc or crun, conmon, cni or netavark).
    run_berth info --format json
    local doc=$output
    assert_equal "$(jq -r .host.ociRuntime.name <<<"$doc")" berth "ociRuntime.name"
    assert_equal "$(jq -r .host.ociRuntime.path <<<"$doc")" "$(readlink -f "$BERTH")" "ociRuntime.path"
    assert_equal "$(jq -r .host.ociRuntime.version <<<"$doc")" "$("$BERTH" --version)" "ociRuntime.version"
    [[ $(jq -r .host.conmon.path <<<"$doc") == */berth-monitor ]]
    # netavark where installed (berth drives it for user-defined networks), else the default helper.
    local netavark backend=pasta
    netavark=$(netavark_path)
    [[ -n $netavark ]] && backend=netavark
    assert_equal "$(jq -r .host.networkBackend <<<"$doc")" "$backend" "networkBackend"
    assert_equal "$(jq -r .host.rootlessNetworkCmd <<<"$doc")" pasta "rootlessNetworkCmd"
    assert_equal "$(jq -r .host.eventLogger <<<"$doc")" file "eventLogger"
    assert_equal "$(jq -r .host.cgroupManager <<<"$doc")" cgroupfs "cgroupManager"
    assert_equal "$(jq -r .host.logDriver <<<"$doc")" k8s-file "logDriver"
    assert_equal "$(jq -r '.plugins.log | join(",")' <<<"$doc")" "k8s-file,json-file,none" "plugins.log"
    # berth's own fields stay beside Podman's.
    jq -e '(.host.cgroups.resourceControl | type == "boolean") and (.host.helpers | type == "object")' <<<"$doc" >/dev/null
    run_berth --storage-driver vfs info --format '{{.Store.GraphDriverName}} {{.Store.GraphStatus}}'
    assert_output_equals "vfs map[]"
    # The helper that containers.conf makes the default is the one named.
    printf '[network]\ndefault_rootless_network_cmd = "slirp4netns"\n' >"$BATS_TEST_TMPDIR/slirp.conf"
    CONTAINERS_CONF=$BATS_TEST_TMPDIR/slirp.conf run_berth info --format json
    local expect=slirp4netns
    [[ -n $netavark ]] && expect=netavark
    assert_equal "$(jq -r '.host | .networkBackend + " " + .rootlessNetworkCmd' <<<"$output")" "$expect slirp4netns" "with slirp4netns configured"
}

# bats test_tags=berth-only
@test "info names netavark and aardvark-dns as Podman 5 does, and bridge as the only network driver" {
    # berth-only: Podman 4.3.1 has no host.networkBackendInfo and lists macvlan too.
    local netavark
    netavark=$(netavark_path)
    [[ -n $netavark ]] || skip "netavark is not installed"
    local aardvark=${netavark%/netavark}/aardvark-dns
    run_berth info --format json
    local doc=$output
    assert_equal "$(jq -c .plugins.network <<<"$doc")" '["bridge"]' "plugins.network"
    assert_equal "$(jq -r '.host.networkBackendInfo | [.backend, .path, .version] | join("|")' <<<"$doc")" \
        "netavark|$netavark|$("$netavark" --version 2>/dev/null)" "networkBackendInfo"
    assert_equal "$(jq -r '.host.networkBackendInfo.dns | [.path, .version] | join("|")' <<<"$doc")" \
        "$aardvark|$("$aardvark" --version 2>/dev/null)" "networkBackendInfo.dns"
    if command -v dpkg-query >/dev/null && dpkg -S "$netavark" >/dev/null 2>&1; then
        # Debian's package as name_version_architecture, as for the other programs.
        assert_equal "$(jq -r .host.networkBackendInfo.package <<<"$doc")" \
            "$(dpkg-query -W -f '${Package}_${Version}_${Architecture}' netavark)" "networkBackendInfo.package"
        assert_equal "$(jq -r .host.networkBackendInfo.dns.package <<<"$doc")" \
            "$(dpkg-query -W -f '${Package}_${Version}_${Architecture}' aardvark-dns)" "networkBackendInfo.dns.package"
    fi
    run_berth info --format '{{.Host.NetworkBackendInfo.Backend}} {{.Host.NetworkBackendInfo.DNS.Path}}'
    assert_output_equals "netavark $aardvark"
}

# bats test_tags=berth-only
@test "info says whether published ports keep the client's address, for the default mode and for networks" {
    # berth-only: host.publishedPorts is berth's own. 175-network.bats proves the claims (as root).
    run_berth info --format '{{.Host.PublishedPorts.DefaultMode.Mode}} {{.Host.PublishedPorts.DefaultMode.KeepsClientAddress}} {{.Host.PublishedPorts.Networks.KeepsClientAddress}}'
    if is_rootless; then
        assert_output_equals "pasta true false"
        run_berth info --format '{{.Host.PublishedPorts.Networks.How}}'
        assert_output_contains "port proxy"
    else
        assert_output_equals "bridge true true"
        run_berth info --format '{{.Host.PublishedPorts.Networks.How}}'
        assert_output_contains "netavark's DNAT rules"
    fi
    # The default mode follows containers.conf.
    printf '[containers]\nnetns = "slirp4netns"\n' >"$BATS_TEST_TMPDIR/slirp.conf"
    CONTAINERS_CONF=$BATS_TEST_TMPDIR/slirp.conf run_berth info --format '{{.Host.PublishedPorts.DefaultMode.Mode}} {{.Host.PublishedPorts.DefaultMode.KeepsClientAddress}}'
    # Its default port_handler=rootlesskit (berth's port proxy, as Podman's rootlessport) does not keep it ...
    assert_output_equals "slirp4netns false"
    # ... port_handler=slirp4netns does.
    printf '[containers]\nnetns = "slirp4netns:port_handler=slirp4netns"\n' >"$BATS_TEST_TMPDIR/slirp.conf"
    CONTAINERS_CONF=$BATS_TEST_TMPDIR/slirp.conf run_berth info --format '{{.Host.PublishedPorts.DefaultMode.Mode}} {{.Host.PublishedPorts.DefaultMode.KeepsClientAddress}}'
    assert_output_equals "slirp4netns true"
    printf '[containers]\nnetns = "none"\n' >"$BATS_TEST_TMPDIR/none.conf"
    CONTAINERS_CONF=$BATS_TEST_TMPDIR/none.conf run_berth info --format json
    assert_equal "$(jq -r '.host.publishedPorts.defaultMode | [.mode, .keepsClientAddress, .how] | join("|")' <<<"$output")" \
        "none|false|no ports are published in this mode" "with netns none"
}
