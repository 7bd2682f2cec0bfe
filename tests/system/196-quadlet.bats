#!/usr/bin/env bats
# Quadlet: berth-generator turns .container, .volume, .network, .pod, .kube,
# .image and .build files (and their drop-ins) into services that pass
# `systemd-analyze verify`, links [Install] WantedBy=, and the services' Exec
# lines, run as systemd would, do what the files say: run and remove the
# container, create the volume and the network (with its subnet), create and
# run the pod its containers join, play and down the kube file, pull and
# build the image a container runs; a .network's DNS servers, a .pod's service
# name and exit policy, a .kube's auto-update labels and service container (Type=notify). A bad key is an error naming file, line
# and key, and the other files still get their units; `berth quadlet list|print`.
#
# All berth-only: Podman 4.3 (the one installed here) has no Quadlet; the
# keys and the units follow Podman's documentation (podman-systemd.unit(5)).

load ../lib/helpers
load ../lib/systemd

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    GENERATOR=$(dirname "$BERTH")/berth-generator
    [[ -x $GENERATOR ]] || skip "berth-generator is not beside $BERTH"
    QDIR=$BATS_TEST_TMPDIR/quadlets
    OUT=$BATS_TEST_TMPDIR/out
    mkdir -p "$QDIR" "$OUT"
    export QUADLET_UNIT_DIRS=$QDIR
    # The subnets of the networks made here: root's bridges are on the host,
    # where a rootless run at the same time must not find them taken.
    NET=10.231.$(( $(id -u) == 0 ? 70 : 80 ))
    NET2=10.231.$(( $(id -u) == 0 ? 71 : 81 ))
    NET3=10.231.$(( $(id -u) == 0 ? 72 : 82 ))
}

teardown() {
    berth_quiet rm -f -a -t 0 >/dev/null 2>&1 || true
}

# generate_ok: berth-generator writes the units of $QDIR into $OUT without an error.
generate_ok() {
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 0 ]]
}

# verify_needed RESOURCE_UNIT CONTAINER_UNIT: both verify; the first is a
# oneshot that stays active, and the container's unit Requires= it.
verify_needed() {
    verify_units "$1" "$2"
    assert_equal "$(unit_value "$1" Type)" oneshot
    assert_equal "$(unit_value "$1" RemainAfterExit)" yes
    assert_equal "$(unit_value "$2" Requires)" "$(basename "$1")"
}

# wait_for_log CONTAINER REGEX: the container's log has a line matching REGEX
# within 10 s (a detached container may not have written it yet).
wait_for_log() {
    local i
    for i in $(seq 1 100); do
        timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS logs "$1" 2>/dev/null | grep -qE "$2" && return 0
        sleep 0.1
    done
    run_berth logs "$1"
    echo "FAIL: no line matching '$2' in the log of $1" >&2
    return 1
}

# The Exec lines of a generated unit carry no --root: give the test store by
# berth's environment variables, as a unit's Environment= could.
store_env() {
    export BERTH_ROOT=$BERTH_TEST_ROOT/data BERTH_RUNROOT=$BERTH_TEST_ROOT/run
}

# bats test_tags=berth-only
@test "quadlet: a .container becomes a service that verifies; its Exec lines run and remove the container" {
    skip_without_verify
    cat >"$QDIR/web.container" <<EOF
[Unit]
Description=The web test

[Container]
Image=$IMAGE
Exec=sh -c 'env | grep GREETING; exec sleep 1000'
Environment=GREETING="hello quadlet"
Label=app=web

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF
    mkdir -p "$QDIR/web.container.d"
    printf '[Container]\nLabel=tier=front\n' >"$QDIR/web.container.d/10-tier.conf"
    generate_ok
    local unit=$OUT/web.service
    [[ -f $unit ]]
    [[ $(readlink "$OUT/default.target.wants/web.service") == ../web.service ]]
    verify_units "$unit"
    assert_equal "$(unit_value "$unit" Type)" notify
    assert_equal "$(unit_value "$unit" Restart)" always
    assert_equal "$(unit_value "$unit" Description)" "The web test"
    assert_equal "$(unit_value "$unit" SourcePath)" "$QDIR/web.container"
    store_env
    unit_exec_ok "$unit" ExecStart
    run_berth inspect --format '{{.State.Status}} {{index .Config.Labels "app"}} {{index .Config.Labels "tier"}}' systemd-web
    assert_output_equals "running web front"
    run_berth logs systemd-web
    assert_output_equals "GREETING=hello quadlet"
    unit_exec_ok "$unit" ExecStop
    unit_exec_ok "$unit" ExecStopPost
    run_berth --exit 1 container exists systemd-web
}

# bats test_tags=berth-only
@test "quadlet: a .volume becomes a oneshot service that creates the volume; a container's Volume=NAME.volume uses it" {
    skip_without_verify
    printf '[Volume]\nLabel=app=web\n' >"$QDIR/data.volume"
    cat >"$QDIR/db.container" <<EOF
[Container]
Image=$IMAGE
Volume=data.volume:/data
Exec=sh -c 'echo stored > /data/f; exec sleep 1000'
EOF
    generate_ok
    local vol=$OUT/data-volume.service ctr=$OUT/db.service
    verify_needed "$vol" "$ctr"
    store_env
    unit_exec_ok "$vol" ExecStart
    # Once more, as at every boot: the volume exists, which is no error.
    unit_exec_ok "$vol" ExecStart
    run_berth volume inspect --format '{{.Name}} {{.Labels.app}}' systemd-data
    assert_output_equals "systemd-data web"
    unit_exec_ok "$ctr" ExecStart
    run_berth exec systemd-db cat /data/f
    assert_output_equals stored
    unit_exec_ok "$ctr" ExecStop
    run_berth volume rm systemd-data
}

# bats test_tags=berth-only
@test "quadlet: a .network becomes a oneshot service that creates the network; a container's Network=NAME.network joins it" {
    skip_without_verify
    cat >"$QDIR/backend.network" <<EOF
[Network]
Subnet=$NET.0/24
Gateway=$NET.1
IPRange=$NET.128/25
Label=app=quadlet
Options=mtu=1400
Internal=yes
NetworkDeleteOnStop=yes
EOF
    cat >"$QDIR/api.container" <<EOF
[Container]
Image=$IMAGE
Network=backend.network
Exec=sleep 1000
EOF
    generate_ok
    local net=$OUT/backend-network.service ctr=$OUT/api.service
    verify_needed "$net" "$ctr"
    assert_equal "$(unit_value "$ctr" After)" backend-network.service
    store_env
    unit_exec_ok "$net" ExecStart
    # Once more, as at every boot: the network exists, which is no error.
    unit_exec_ok "$net" ExecStart
    run_berth network inspect --format \
        '{{range .Subnets}}{{.Subnet}} {{.Gateway}} {{.LeaseRange.StartIP}}{{end}} {{.Internal}} {{.Labels.app}} {{.Options.mtu}}' systemd-backend
    assert_output_equals "$NET.0/24 $NET.1 $NET.129 true quadlet 1400"
    unit_exec_ok "$ctr" ExecStart
    run_berth exec systemd-api ip -4 -o addr show eth0
    assert_output_matches "inet ${NET//./\\.}\\.(129|1[3-9][0-9]|2[0-9][0-9])/24"
    unit_exec_ok "$ctr" ExecStop
    # NetworkDeleteOnStop=yes: the service's stop removes the network.
    unit_exec_ok "$net" ExecStopPost
    run_berth --exit 1 network exists systemd-backend
}

# bats test_tags=berth-only
@test "quadlet: a .network's DNS= and IPAMDriver=host-local: its network's DNS servers, handed to aardvark-dns" {
    skip_without_verify
    cat >"$QDIR/named.network" <<EOF
[Network]
Subnet=$NET3.0/24
DNS=192.0.2.53
DNS=198.51.100.53
IPAMDriver=host-local
EOF
    printf '[Container]\nImage=%s\nNetwork=named.network\nExec=sleep 1000\n' "$IMAGE" >"$QDIR/asker.container"
    generate_ok
    local net=$OUT/named-network.service ctr=$OUT/asker.service
    verify_needed "$net" "$ctr"
    store_env
    unit_exec_ok "$net" ExecStart
    run_berth network inspect --format '{{.NetworkDNSServers}} {{.IPAMOptions.driver}} {{.DNSEnabled}}' systemd-named
    assert_output_equals "[192.0.2.53 198.51.100.53] host-local true"
    run_berth network inspect systemd-named
    assert_equal "$(json_get '[0]["network_dns_servers"]')" '["192.0.2.53","198.51.100.53"]'
    unit_exec_ok "$ctr" ExecStart
    # netavark hands them to aardvark-dns: its file of the network starts "GATEWAY SERVERS".
    run head -1 "$BERTH_TEST_ROOT/run/networks/aardvark-dns/systemd-named"
    assert_output_equals "$NET3.1 192.0.2.53,198.51.100.53"
    # The container asks aardvark-dns, at the gateway.
    run_berth exec systemd-asker cat /etc/resolv.conf
    assert_output_contains "nameserver $NET3.1"
    unit_exec_ok "$ctr" ExecStop
    run_berth network rm systemd-named
}

# bats test_tags=berth-only
@test "quadlet: a .pod's ServiceName= names its service; ExitPolicy=stop (the default) stops the pod after its last container, continue does not" {
    skip_without_verify
    printf '[Pod]\nServiceName=storefront\n' >"$QDIR/shop.pod"
    printf '[Pod]\nExitPolicy=continue\n' >"$QDIR/stay.pod"
    printf '[Container]\nImage=%s\nPod=shop.pod\nExec=sleep 1\n' "$IMAGE" >"$QDIR/brief.container"
    printf '[Container]\nImage=%s\nPod=stay.pod\nExec=sleep 1\n' "$IMAGE" >"$QDIR/visitor.container"
    generate_ok
    local pod=$OUT/storefront.service stay=$OUT/stay-pod.service unit
    [[ ! -e $OUT/shop-pod.service ]]
    verify_units "$pod" "$stay" "$OUT/brief.service" "$OUT/visitor.service"
    assert_equal "$(unit_value "$OUT/brief.service" BindsTo)" storefront.service
    assert_equal "$(unit_value "$pod" Before)" brief.service
    store_env
    local rt=$BATS_TEST_TMPDIR/rt
    for unit in "$pod" "$stay"; do
        unit_exec_ok "$unit" ExecStartPre
        unit_exec_ok "$unit" ExecStart
    done
    # The pod's id file is the service's, which the container's --pod-id-file names.
    [[ -s $rt/storefront.pod-id ]]
    run_berth pod inspect --format '{{.ExitPolicy}} {{.State}}' systemd-shop
    assert_output_equals "stop Running"
    run_berth pod inspect --format '{{.ExitPolicy}} {{.State}}' systemd-stay
    assert_output_equals "continue Running"
    unit_exec_ok "$OUT/brief.service" ExecStart
    unit_exec_ok "$OUT/visitor.service" ExecStart
    run_berth inspect --format '{{.Pod}}' systemd-brief
    assert_output_equals "$(cat "$rt/storefront.pod-id")"
    # Both containers exit after a second (--rm removes them): one pod stops, the other runs on.
    wait_pod_state systemd-shop Exited
    wait_output "" ps -a -q --filter name=systemd-visitor
    run_berth pod inspect --format '{{.State}}' systemd-stay
    assert_output_equals Running
    for unit in "$pod" "$stay"; do
        unit_exec_ok "$unit" ExecStop
        unit_exec_ok "$unit" ExecStopPost
    done
    run_berth --exit 1 pod exists systemd-shop
    run_berth --exit 1 pod exists systemd-stay
}

# bats test_tags=berth-only
@test "quadlet: a .pod becomes a service that creates and runs the pod; a container's Pod=NAME.pod joins it" {
    skip_without_verify
    local port
    port=$(free_port)
    cat >"$QDIR/shop.pod" <<EOF
[Pod]
PublishPort=127.0.0.1:$port:8080
Label=app=shop
Volume=cart.volume:/cart
EOF
    printf '[Volume]\n' >"$QDIR/cart.volume"
    cat >"$QDIR/front.container" <<EOF
[Container]
Image=$IMAGE
Pod=shop.pod
Exec=sh -c 'echo in-the-pod > /cart/index.html; exec httpd -f -p 8080 -h /cart'
EOF
    generate_ok
    local pod=$OUT/shop-pod.service ctr=$OUT/front.service vol=$OUT/cart-volume.service
    verify_units "$pod" "$ctr" "$vol"
    assert_equal "$(unit_value "$pod" Type)" forking
    assert_equal "$(unit_value "$pod" Wants | tail -1)" front.service
    assert_equal "$(unit_value "$pod" Before)" front.service
    assert_equal "$(unit_value "$ctr" BindsTo)" shop-pod.service
    assert_equal "$(unit_value "$pod" Requires)" cart-volume.service
    store_env
    unit_exec_ok "$vol" ExecStart
    unit_exec_ok "$pod" ExecStartPre
    unit_exec_ok "$pod" ExecStart
    local rt=$BATS_TEST_TMPDIR/rt
    # Type=forking: the PIDFile= is the infra container's monitor, alive.
    kill -0 "$(cat "$rt/shop-pod.pid")"
    run_berth pod inspect --format '{{.Name}} {{.State}} {{.Labels.app}}' systemd-shop
    assert_output_equals "systemd-shop Running shop"
    unit_exec_ok "$ctr" ExecStart
    run_berth inspect --format '{{.Pod}}' systemd-front
    assert_output_equals "$(cat "$rt/shop-pod.pod-id")"
    # The pod's port reaches the container; the pod's volume is mounted in it.
    run fetch "http://127.0.0.1:$port/index.html"
    assert_output_equals in-the-pod
    unit_exec_ok "$pod" ExecStop
    unit_exec_ok "$pod" ExecStopPost
    run_berth --exit 1 pod exists systemd-shop
    run_berth --exit 1 container exists systemd-front
    run_berth volume rm systemd-cart
}

# bats test_tags=berth-only
@test "quadlet: a .kube plays its YAML file (ConfigMap=, Network=) and downs it when the service stops" {
    skip_without_verify
    mkdir -p "$QDIR/k8s"
    cat >"$QDIR/k8s/greeter.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: greeter
spec:
  containers:
  - name: c
    image: $IMAGE
    command: ["sh", "-c", "echo \$GREETING; exec sleep 1000"]
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef:
          name: greeting
          key: text
EOF
    cat >"$QDIR/k8s/greeting.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: greeting
data:
  text: hello-from-a-configmap
EOF
    printf '[Network]\nSubnet=%s.0/24\n' "$NET2" >"$QDIR/lan.network"
    cat >"$QDIR/greeter.kube" <<EOF
[Kube]
Yaml=k8s/greeter.yaml
ConfigMap=k8s/greeting.yaml
Network=lan.network
SetWorkingDirectory=yaml
EOF
    generate_ok
    local kube=$OUT/greeter-kube.service net=$OUT/lan-network.service
    verify_units "$kube" "$net"
    assert_equal "$(unit_value "$kube" WorkingDirectory)" "$QDIR/k8s"
    assert_equal "$(unit_value "$kube" Requires)" lan-network.service
    store_env
    unit_exec_ok "$net" ExecStart
    unit_exec_ok "$kube" ExecStart
    wait_for_log greeter-c hello-from-a-configmap
    run_berth exec greeter-c ip -4 -o addr show eth0
    assert_output_contains "inet $NET2."
    unit_exec_ok "$kube" ExecStopPost
    run_berth --exit 1 pod exists greeter
    run_berth network rm systemd-lan
}

# bats test_tags=berth-only
@test "quadlet: a .kube is Type=notify: its service container's monitor is the main process and ends with the pods" {
    skip_without_verify
    printf 'kind: Pod\nmetadata: {name: brief}\nspec:\n  restartPolicy: Never\n  containers:\n  - {name: c, image: "%s", %s}\n' \
        "$IMAGE" 'command: [sh, -c, "until [ -e /tmp/done ]; do sleep 0.1; done"]' >"$QDIR/brief.yaml"
    printf '[Kube]\nYaml=brief.yaml\n' >"$QDIR/brief.kube"
    generate_ok
    local kube=$OUT/brief-kube.service
    verify_units "$kube"
    assert_equal "$(unit_value "$kube" Type)" notify
    assert_equal "$(unit_value "$kube" NotifyAccess)" all
    assert_equal "$(unit_value "$kube" KillMode)" mixed
    store_env
    local sock=$BATS_TEST_TMPDIR/notify.sock got=$BATS_TEST_TMPDIR/notify.out
    listen_notify "$sock" "$got"
    NOTIFY_SOCKET=$sock unit_exec_ok "$kube" ExecStart
    wait "$LISTENER"
    local service
    service=$(timeout 10 "$BERTH" $BERTH_GLOBAL_OPTS ps -q --no-trunc --filter name=-service)
    [[ -n $service ]]
    run_berth inspect --format '{{.State.Status}} {{.State.ConmonPid}} {{.Pod}}' "$service"
    local monitor=${output#running }
    monitor=${monitor% }
    [[ $output == "running "* ]]
    assert_equal "$(cat "$got")" "\"MAINPID=$monitor\\nREADY=1\"" "notification"
    kill -0 "$monitor"
    # The containers do not get the unit's socket.
    run_berth exec brief-c sh -c 'echo "[$NOTIFY_SOCKET]"'
    assert_output_equals "[]"
    run_berth pod inspect --format '{{.ExitPolicy}}' brief
    assert_output_equals stop
    # The pod's last container exits: the pod stops, and with it the service
    # container, whose monitor (the unit's main process) ends.
    run_berth exec brief-c touch /tmp/done
    wait_pod_state brief Exited
    wait_state "$service" exited
    local i
    for i in $(seq 1 50); do
        kill -0 "$monitor" 2>/dev/null || break
        sleep 0.1
    done
    ! kill -0 "$monitor" 2>/dev/null
    unit_exec_ok "$kube" ExecStopPost
    run_berth --exit 1 pod exists brief
    run_berth --exit 1 container exists "$service"
}

# bats test_tags=berth-only
@test "quadlet: a .kube's AutoUpdate= labels the played containers for berth auto-update" {
    skip_without_verify
    cat >"$QDIR/pair.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: pair
spec:
  containers:
  - name: first
    image: $IMAGE
    command: ["sleep", "1000"]
  - name: second
    image: $IMAGE
    command: ["sleep", "1000"]
EOF
    printf '[Kube]\nYaml=pair.yaml\nAutoUpdate=registry\nAutoUpdate=second/local\n' >"$QDIR/pair.kube"
    generate_ok
    local kube=$OUT/pair-kube.service
    verify_units "$kube"
    store_env
    unit_exec_ok "$kube" ExecStart
    run_berth inspect --format '{{index .Config.Labels "io.containers.autoupdate"}}' pair-first
    assert_output_equals registry
    run_berth inspect --format '{{index .Config.Labels "io.containers.autoupdate"}}' pair-second
    assert_output_equals local
    unit_exec_ok "$kube" ExecStopPost
    run_berth --exit 1 pod exists pair
}

# bats test_tags=berth-only
@test "quadlet: an .image pulls its image; a container's Image=NAME.image runs it" {
    skip_without_verify
    # Not in the store until the .image's service pulls it.
    run_berth rmi "$IMAGE"
    printf '[Image]\nImage=%s\nTLSVerify=no\n' "$IMAGE" >"$QDIR/tools.image"
    printf '[Container]\nImage=tools.image\nExec=sh -c "echo pulled-by-quadlet; exec sleep 1000"\n' >"$QDIR/tool.container"
    generate_ok
    local img=$OUT/tools-image.service ctr=$OUT/tool.service
    verify_needed "$img" "$ctr"
    store_env
    run_berth --exit 1 image exists "$IMAGE"
    unit_exec_ok "$img" ExecStart
    run_berth image exists "$IMAGE"
    unit_exec_ok "$ctr" ExecStart
    wait_for_log systemd-tool pulled-by-quadlet
    unit_exec_ok "$ctr" ExecStop
}

# bats test_tags=berth-only
@test "quadlet: a .build builds its image in the unit's directory; a container's Image=NAME.build runs it" {
    skip_without_verify
    printf 'FROM %s\nCOPY msg /msg\n' "$IMAGE" >"$QDIR/Containerfile.app"
    echo built-by-quadlet >"$QDIR/msg"
    cat >"$QDIR/app.build" <<EOF
[Build]
ImageTag=localhost/quadlet-app:1
File=Containerfile.app
SetWorkingDirectory=unit
Label=built.by=quadlet
Pull=never
EOF
    cat >"$QDIR/app.container" <<EOF
[Container]
Image=app.build
Exec=sh -c 'cat /msg; exec sleep 1000'
EOF
    generate_ok
    local build=$OUT/app-build.service ctr=$OUT/app.service
    verify_needed "$build" "$ctr"
    assert_equal "$(unit_value "$build" WorkingDirectory)" "$QDIR"
    store_env
    unit_exec_ok "$build" ExecStart
    run_berth image inspect --format '{{index .Labels "built.by"}}' localhost/quadlet-app:1
    assert_output_equals quadlet
    unit_exec_ok "$ctr" ExecStart
    wait_for_log systemd-app built-by-quadlet
    unit_exec_ok "$ctr" ExecStop
    run_berth rmi localhost/quadlet-app:1
}

# bats test_tags=berth-only
@test "quadlet: errors in .network, .pod, .kube, .build and references name the file (and line); the other files still get units" {
    printf '[Network]\nSubnet=10.231.9.0/24\nIPAMDriver=dhcp\n' >"$QDIR/bad.network"
    printf '[Pod]\nExitPolicy=sometimes\n' >"$QDIR/bad.pod"
    printf '[Kube]\nYaml=k.yaml\nAutoUpdate=always\n' >"$QDIR/bad.kube"
    printf '[Container]\nImage=%s\nNetwork=nosuch.network\n' "$IMAGE" >"$QDIR/lost.container"
    printf '[Build]\nFile=Containerfile\n' >"$QDIR/notag.build"
    printf '[Pod]\n' >"$QDIR/fine.pod"
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 1 ]]
    assert_output_contains "$QDIR/bad.network:3: IPAMDriver=dhcp is not supported by berth: remove it or use IPAMDriver=host-local"
    assert_output_contains "$QDIR/bad.pod:2: ExitPolicy=sometimes is not stop or continue"
    assert_output_contains "$QDIR/bad.kube:3: AutoUpdate=always is not a policy: use registry, local, or CONTAINER/registry or CONTAINER/local"
    assert_output_contains "$QDIR/lost.container:3: Network=nosuch.network: no Quadlet file nosuch.network in the search path"
    assert_output_contains "$QDIR/notag.build: [Build] has no ImageTag="
    [[ ! -e $OUT/bad-network.service && ! -e $OUT/lost.service && ! -e $OUT/notag-build.service ]]
    [[ ! -e $OUT/bad-pod.service && ! -e $OUT/bad-kube.service ]]
    [[ -f $OUT/fine-pod.service ]]
}

# bats test_tags=berth-only
@test "quadlet: an unknown key is an error naming file, line and key; the other files still get units" {
    printf '[Container]\nImage=%s\nPublishPorts=8080:80\n' "$IMAGE" >"$QDIR/bad.container"
    printf '[Container]\nImage=%s\nExec=true\n' "$IMAGE" >"$QDIR/good.container"
    run "$GENERATOR" "$OUT"
    echo "$output"
    [[ $status -eq 1 ]]
    assert_output_contains "$QDIR/bad.container:3: unsupported key PublishPorts in section [Container]"
    [[ ! -e $OUT/bad.service ]]
    [[ -f $OUT/good.service ]]
    run "$GENERATOR" -dryrun
    assert_output_contains "---good.service---"
}

# bats test_tags=berth-only
@test "quadlet list and print show the files in the search path" {
    printf '[Container]\nImage=%s\n' "$IMAGE" >"$QDIR/one.container"
    printf '[Network]\n' >"$QDIR/two.network"
    printf '[Pod]\nServiceName=three-renamed\n' >"$QDIR/three.pod"
    mkdir -p "$QDIR/one.container.d"
    printf '[Container]\nExec=true\n' >"$QDIR/one.container.d/x.conf"
    run_berth quadlet list
    assert_output_matches '^NAME +UNIT NAME +PATH ON DISK$'
    assert_output_matches "^one.container +one.service +$QDIR/one.container$"
    assert_output_matches "^two.network +two-network.service +$QDIR/two.network$"
    run_berth quadlet list --format '{{.UnitName}}'
    assert_output_equals "one.service
three-renamed.service
two-network.service"
    run_berth quadlet print two.network
    assert_output_equals "[Network]"
    run_berth quadlet print one
    assert_output_contains "Image=$IMAGE"
    assert_output_contains "# $QDIR/one.container.d/x.conf"
    assert_output_contains "Exec=true"
    run_berth --exit 125 quadlet print nosuch
    assert_output_contains "no quadlet nosuch.container found (searched $QDIR)"
}
