#!/usr/bin/env bats
# berth compose: the service keys that are flags of `run` (privileged, tty,
# devices, resources, ulimits, sysctls, security_opt, dns_search, logging,
# volumes_from, ipc/pid service:, annotations) reach the container, and
# secrets from files and variables are mounted at /run/secrets, remade when
# their file changes and removed by down; keys berth cannot honour fail,
# naming the service and key.
#
# berth-only, as 197-compose.bats: Podman 4.3's `compose` needs an external provider.
# bats file_tags=berth-only

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    PROJ=$BERTH_TEST_ROOT/keys-$BATS_TEST_NUMBER
    mkdir -p "$PROJ"
    cd "$PROJ"
}

teardown() {
    berth_quiet compose down -v >/dev/null 2>&1 || true
    berth_quiet rm -f -a >/dev/null 2>&1 || true
    berth_quiet volume rm -a -f >/dev/null 2>&1 || true
}

# oci_get EXPR CONTAINER: EXPR of the container's OCI config.json.
oci_get() {
    run_berth inspect --format '{{.OCIConfigPath}}' "$2"
    json_get "$1" "$(cat "$output")"
}

# exec_until EXPECTED CONTAINER CMD...: berth exec until its output is EXPECTED (5 s).
exec_until() {
    local expected=$1 i
    shift
    for i in $(seq 50); do
        run_berth exec "$@"
        [[ $output == "$expected" ]] && return 0
        sleep 0.1
    done
    assert_output_equals "$expected"
}

@test "compose up: privileged, tty, stdin_open, group_add, devices, security_opt, sysctls, dns, logging, annotations" {
    cat >compose.yaml <<EOT
name: flags
services:
  web:
    image: $IMAGE
    command: sleep 1000
    privileged: true
    tty: true
    stdin_open: true
    group_add: ["100"]
    devices: ["/dev/null:/dev/mynull"]
    security_opt: [no-new-privileges]
    sysctls:
      kernel.msgmax: 65536
    dns_search: example.com
    dns_opt: [ndots:2]
    oom_score_adj: 100
    logging:
      driver: json-file
    annotations:
      team: blue
    stop_signal: SIGKILL
EOT
    run_berth compose up -d
    assert_output_contains "Container flags-web-1  Started"
    run_berth inspect --format '{{.HostConfig.Privileged}} {{.Config.Tty}} {{.Config.OpenStdin}} {{.HostConfig.LogConfig.Type}} {{index .Config.Annotations "team"}}' flags-web-1
    assert_output_equals "true true true json-file blue"
    run_berth exec flags-web-1 sh -c 'test -c /dev/mynull && echo char'
    assert_output_equals "char"
    run_berth exec flags-web-1 sh -c 'grep ^Groups: /proc/1/status; grep ^NoNewPrivs: /proc/1/status; cat /proc/sys/kernel/msgmax /proc/1/oom_score_adj'
    assert_output_matches "Groups:.*\b100\b"
    assert_output_matches "NoNewPrivs:[[:space:]]+1"
    assert_output_contains "65536"
    assert_output_contains "100"
    run_berth exec flags-web-1 cat /etc/resolv.conf
    assert_output_contains "search example.com"
    assert_output_contains "options ndots:2"
    [[ $(oci_get '["process"]["terminal"]' flags-web-1) == true ]]
}

@test "compose up: mem_limit, memswap_limit, cpus, cpu_shares, pids_limit in the spec; shm_size and ulimits in the container" {
    cat >compose.yaml <<EOT
name: res
services:
  web:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    mem_limit: 512m
    memswap_limit: 1g
    cpus: 0.5
    cpu_shares: 512
    pids_limit: 100
    shm_size: 32m
    ulimits:
      nofile:
        soft: 1024
        hard: 2048
    stop_signal: SIGKILL
EOT
    run_berth compose up -d
    assert_output_contains "Container res-web-1  Started"
    assert_equal "$(oci_get '["linux"]["resources"]["memory"]["limit"]' res-web-1)" 536870912 "memory limit"
    assert_equal "$(oci_get '["linux"]["resources"]["memory"]["swap"]' res-web-1)" 1073741824 "memory+swap"
    assert_equal "$(oci_get '["linux"]["resources"]["cpu"]["quota"]' res-web-1)" 50000 "cpu quota"
    assert_equal "$(oci_get '["linux"]["resources"]["cpu"]["shares"]' res-web-1)" 512 "cpu shares"
    assert_equal "$(oci_get '["linux"]["resources"]["pids"]["limit"]' res-web-1)" 100 "pids limit"
    run_berth exec res-web-1 sh -c 'df -k /dev/shm | tail -1'
    assert_output_matches "[[:space:]]32768[[:space:]].*/dev/shm\$"
    run_berth exec res-web-1 sh -c 'grep "open files" /proc/1/limits'
    assert_output_matches "Max open files[[:space:]]+1024[[:space:]]+2048"
}

@test "compose up: volumes_from and ipc/pid service: use the first container of the named service, which starts first" {
    cat >compose.yaml <<EOT
name: share
services:
  web:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    volumes_from: ["db:ro"]
    ipc: service:db
    pid: service:db
    stop_signal: SIGKILL
  db:
    image: $IMAGE
    command: sh -c 'echo kept > /data/f; exec sleep 1000'
    network_mode: none
    ipc: shareable
    volumes: [/data]
    stop_signal: SIGKILL
EOT
    run_berth compose up -d
    assert_output_contains "Container share-web-1  Started"
    exec_until kept share-web-1 cat /data/f
    run_berth --exit 1 exec share-web-1 touch /data/g
    run_berth inspect --format '{{.Id}}' share-db-1
    local db=$output
    run_berth inspect --format '{{.HostConfig.IpcMode}} {{.HostConfig.PidMode}}' share-web-1
    assert_output_equals "container:$db container:$db"
    # Sharing db's PID namespace, web sees db's sleep beside its own.
    run_berth exec share-web-1 ps
    assert_equal "$(grep -c 'sleep 1000' <<<"$output")" 2 "sleeps seen"
}

@test "compose secrets: a file, a variable and an external one at /run/secrets; remade when the file changes; down removes the project's" {
    printf 'first' >pw.txt
    printf 'outside' >ext.txt
    run_berth secret create keys_external ext.txt
    cat >compose.yaml <<EOT
name: sec
services:
  web:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    secrets:
      - pw
      - source: token
        target: /etc/token
        uid: "1"
        mode: 0400
      - ext
    stop_signal: SIGKILL
secrets:
  pw:
    file: ./pw.txt
  token:
    environment: TOKEN
  ext:
    external: true
    name: keys_external
EOT
    TOKEN=from-env run_berth compose up -d
    assert_output_contains "Secret sec_pw  Created"
    assert_output_contains "Secret sec_token  Created"
    run_berth exec sec-web-1 sh -c 'cat /run/secrets/pw; echo; cat /etc/token; echo; stat -c "%a %u" /etc/token; cat /run/secrets/ext'
    assert_output_equals "first
from-env
400 1
outside"
    # Unchanged: nothing is remade; a changed file remakes the secret and the container.
    TOKEN=from-env run_berth compose up -d
    assert_output_not_contains "Secret"
    assert_output_contains "Container sec-web-1  Running"
    printf 'second' >pw.txt
    TOKEN=from-env run_berth compose up -d
    assert_output_contains "Secret sec_pw  Recreated"
    run_berth exec sec-web-1 cat /run/secrets/pw
    assert_output_equals "second"
    run_berth compose down
    assert_output_contains "Secret sec_pw  Removed"
    run_berth secret ls --format '{{.Name}}'
    assert_output_not_contains "sec_pw"
    assert_output_not_contains "sec_token"
    assert_output_contains "keys_external"
    # A missing variable and a missing external secret fail at up, saying what to do.
    run_berth --exit 125 compose up -d
    assert_output_contains "environment variable TOKEN is not set"
    run_berth secret rm keys_external
    TOKEN=x run_berth --exit 125 compose up -d
    assert_output_contains "secret keys_external declared as external, but could not be found"
}

@test "compose: a key berth cannot honour, or a bad value, fails naming the service and key" {
    printf 'services:\n  web:\n    image: %s\n    mem_reservation: 1g\n' "$IMAGE" >compose.yaml
    run_berth --exit 125 compose config
    assert_output_contains "$PROJ/compose.yaml: service web: mem_reservation: is not supported by berth"
    printf 'services:\n  web:\n    image: %s\n    mem_limit: lots\n' "$IMAGE" >compose.yaml
    run_berth --exit 125 compose up -d
    assert_output_contains "compose.yaml: service web: mem_limit: "
    printf 'services:\n  web:\n    image: %s\n    ulimits:\n      nofile: {soft: 1}\n' "$IMAGE" >compose.yaml
    run_berth --exit 125 compose up -d
    assert_output_contains "service web: ulimits.nofile: needs both soft and hard"
    printf 'services:\n  web:\n    image: %s\n    secrets: [nope]\n' "$IMAGE" >compose.yaml
    run_berth --exit 125 compose up -d
    assert_output_contains "service web: secrets: secret \"nope\" is not declared in the top-level secrets"
    # A device that does not exist is found by run's own check, at up.
    printf 'services:\n  web:\n    image: %s\n    network_mode: none\n    devices: [/dev/nosuch]\n' "$IMAGE" >compose.yaml
    run_berth --exit 125 compose up -d
    assert_output_contains "service web"
    assert_output_contains "/dev/nosuch"
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
}
