#!/usr/bin/env bats
# berth compose: the Compose front-end (config: merging, .env and ${VAR}
# interpolation, project names, profiles; errors naming file, service and
# key), and projects run through the engine: up -d, ps, logs, exec, run,
# start/stop/restart/kill/rm, down -v, healthcheck-gated and
# completion-gated dependencies, attached up, and the issue's project of a
# web service and a client talking over the project network.
#
# berth-only: Podman 4.3's `compose` needs an external provider
# (docker-compose or podman-compose), which the test machines do not have;
# berth's compose is its own.
# bats file_tags=berth-only

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

setup() {
    PROJ=$BERTH_TEST_ROOT/proj-$BATS_TEST_NUMBER
    mkdir -p "$PROJ"
    cd "$PROJ"
}

teardown() {
    berth_quiet rm -f -a >/dev/null 2>&1 || true
    berth_quiet volume rm -a -f >/dev/null 2>&1 || true
}

# wait_compose_output EXPECTED ARGS...: runs `compose ARGS` until its output is EXPECTED (5 s).
wait_compose_output() {
    local expected=$1 i
    shift
    for i in $(seq 50); do
        run_berth compose "$@"
        [[ $output == "$expected" ]] && return 0
        sleep 0.1
    done
    assert_output_equals "$expected"
}

# compose ARGS...: berth compose in the project directory.
compose() {
    if [[ ${1:-} == --exit ]]; then
        local expect=$2
        shift 2
        run_berth --exit "$expect" compose "$@"
    else
        run_berth compose "$@"
    fi
}

@test "compose config: .env, \${VAR} forms, \$\$, the project name and merged files" {
    cat >.env <<'EOT'
TAG=latest
GREETING="hello world"
EOT
    cat >compose.yaml <<EOT
services:
  web:
    image: $REGISTRY_OPEN/busybox:\${TAG}
    command: echo "\${GREETING}" \${MISSING:-fallback} \${EMPTY-} \$\$HOME
    environment:
      A: \${UNSET_VAR-dflt}
    network_mode: none
EOT
    cat >override.yaml <<'EOT'
services:
  web:
    environment:
      B: "2"
    labels: [x=y]
EOT
    compose config
    assert_output_contains "name: proj-$BATS_TEST_NUMBER"
    assert_output_contains "image: \"$IMAGE\""
    assert_output_contains 'command: [echo, hello world, fallback, $HOME]'
    assert_output_contains '- A=dflt'
    compose -f compose.yaml -f override.yaml config
    assert_output_contains '- A=dflt'
    assert_output_contains '- B=2'
    assert_output_contains 'x: "y"'
    # The environment beats .env; -p beats COMPOSE_PROJECT_NAME beats name:.
    TAG=1.0 run_berth compose config
    assert_output_contains "busybox:1.0"
    COMPOSE_PROJECT_NAME=fromenv run_berth compose config
    assert_output_contains 'name: fromenv'
    COMPOSE_PROJECT_NAME=fromenv run_berth compose -p fromflag config
    assert_output_contains 'name: fromflag'
    compose config --services
    assert_output_equals web
    # A directory name is normalised as Compose does.
    mkdir -p "$PROJ/My.App_X" && cp compose.yaml .env "$PROJ/My.App_X/"
    cd "$PROJ/My.App_X"
    compose config
    assert_output_contains 'name: myapp_x'
    # From a subdirectory the nearest parent's file is the project's, with its .env and its name.
    mkdir -p sub/deeper && cd sub/deeper
    compose config
    assert_output_contains 'name: myapp_x'
    assert_output_contains 'command: [echo, hello world, fallback, $HOME]'
}

@test "compose config: profiles and dependency order" {
    cat >compose.yaml <<EOT
name: prof
services:
  app:
    image: $IMAGE
    network_mode: none
    depends_on: [db]
  db:
    image: $IMAGE
    network_mode: none
  debug:
    image: $IMAGE
    network_mode: none
    profiles: [dbg]
EOT
    compose config --services
    assert_output_equals $'db\napp'
    compose --profile dbg config --services
    assert_output_equals $'db\napp\ndebug'
    COMPOSE_PROFILES=dbg run_berth compose config --services
    assert_output_contains debug
}

@test "compose errors name the file, the service and the key" {
    compose --exit 125 config
    assert_output_contains "no compose file found in $PROJ"
    compose --exit 125 -f nosuch.yaml config
    assert_output_contains "compose file $PROJ/nosuch.yaml not found"
    printf 'services:\n  web:\n    image: %s\n    colour: red\n' "$IMAGE" >compose.yaml
    compose --exit 125 config
    assert_output_contains "$PROJ/compose.yaml: service web: colour: unknown key"
    printf 'services:\n  web:\n    image: ${IMG:?set IMG to the image}\n' >compose.yaml
    compose --exit 125 config
    assert_output_contains "$PROJ/compose.yaml: service web: image: required variable IMG is missing a value: set IMG to the image"
    IMG=$IMAGE run_berth compose config -q
    assert_output_equals ""
    printf 'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n' >compose.yaml
    compose --exit 125 up -d
    assert_output_contains "dependency cycle between services: a -> b -> a"
    printf 'services:\n  a:\n    image: %s\n    network_mode: none\n' "$IMAGE" >compose.yaml
    compose --exit 125 logs nosuch
    assert_output_contains "no such service: nosuch"
    compose --exit 125 exec nosuch true
    assert_output_contains "no such service: nosuch"
    printf 'services:\n  a:\n    image: x\n    ports: 80\n' >compose.yaml
    compose --exit 125 config
    assert_output_contains "service a: ports: must be a list"
    printf 'services: [\n' >compose.yaml
    compose --exit 125 config
    assert_output_contains "$PROJ/compose.yaml: line "
    # A merge key that names no anchor, and one whose value is not a map.
    printf 'services:\n  a:\n    <<: *base\n' >compose.yaml
    compose --exit 125 config
    assert_output_contains "$PROJ/compose.yaml: line 3, column 9: alias *base names no anchor before it"
    printf 'x-base: &base 3\nservices:\n  a:\n    <<: *base\n' >compose.yaml
    compose --exit 125 config
    assert_output_contains "$PROJ/compose.yaml: line 4, column 9: a merge key (<<) takes a map or a list of maps"
}

@test "compose config: an x- anchor merged into services with <<" {
    cat >compose.yaml <<EOT
x-common: &common
  image: $IMAGE
  network_mode: none
  command: sleep 60
  environment:
    A: "1"
services:
  a:
    <<: *common
  b:
    <<: *common
    environment:
      A: "2"
EOT
    compose config
    assert_output_contains '- A=1'
    assert_output_contains '- A=2'
    compose config --services
    assert_output_equals "a
b"
    compose up -d
    compose ps --format '{{.Service}} {{.Image}}'
    assert_output_contains "a $IMAGE"
    assert_output_contains "b $IMAGE"
    compose exec b sh -c 'echo $A'
    assert_output_equals 2
    compose down -t 0
}

@test "compose up -d, ps, logs, exec, stop, start, restart, kill, rm and down -v" {
    cat >.env <<'EOT'
MESSAGE=from-dotenv
EOT
    cat >compose.yaml <<EOT
name: life
services:
  app:
    image: $IMAGE
    command: sh -c 'echo started \$\$MESSAGE; echo data > /data/f; exec sleep 1000'
    environment:
      MESSAGE: \${MESSAGE}
    network_mode: none
    volumes:
      - data:/data
    labels:
      tier: back
    stop_grace_period: 1s
  side:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    deploy:
      replicas: 2
    stop_signal: SIGKILL
volumes:
  data:
EOT
    compose up -d
    assert_output_contains "Volume life_data  Created"
    assert_output_contains "Container life-app-1  Started"
    compose ps
    assert_output_matches '^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS'
    assert_output_matches '^life-app-1 .* app .* Up '
    assert_output_matches '^life-side-2 .* side .* Up '
    compose ps --format '{{.Name}} {{.Service}} {{.State}}'
    assert_output_equals $'life-app-1 app running\nlife-side-1 side running\nlife-side-2 side running'
    run_berth inspect --format '{{index .Config.Labels "com.docker.compose.project"}} {{index .Config.Labels "com.docker.compose.service"}} {{index .Config.Labels "com.docker.compose.container-number"}} {{index .Config.Labels "tier"}}' life-side-2
    assert_output_equals "life side 2 "
    run_berth inspect --format '{{index .Config.Labels "com.docker.compose.project.working_dir"}} {{index .Config.Labels "com.docker.compose.project.config_files"}}' life-app-1
    assert_output_equals "$PROJ $PROJ/compose.yaml"
    run_berth volume inspect --format '{{index .Labels "com.docker.compose.project"}}' life_data
    assert_output_equals life
    wait_compose_output "app-1  | started from-dotenv" logs app
    compose exec -T app cat /data/f
    assert_output_equals data
    compose --exit 3 exec -T app sh -c 'exit 3'
    compose exec -T --index 2 side hostname
    compose ls
    assert_output_matches '^life +running\(3\) '
    # Up again: nothing changed, nothing recreated.
    run_berth inspect --format '{{.Id}}' life-app-1
    local id=$output
    compose up -d
    assert_output_contains "Container life-app-1  Running"
    run_berth inspect --format '{{.Id}}' life-app-1
    assert_equal "$output" "$id" "container id after a second up"
    compose stop side
    compose ps -a --format '{{.Name}} {{.State}}'
    assert_output_contains "life-side-1 exited"
    assert_output_contains "life-app-1 running"
    compose start
    assert_output_contains "Container life-side-1  Started"
    compose restart app
    assert_output_contains "Container life-app-1  Restarted"
    compose kill side
    assert_output_contains "Container life-side-2  Killed"
    wait_compose_output app ps --services
    compose rm
    assert_output_contains "Container life-side-1  Removed"
    compose ps -a --services
    assert_output_equals app
    compose down -v
    assert_output_contains "Container life-app-1  Removed"
    assert_output_contains "Volume life_data  Removed"
    run_berth ps -a --format '{{.Names}}'
    assert_output_equals ""
    run_berth volume ls -q
    assert_output_equals ""
    compose ls -a
    assert_output_not_contains life
}

@test "compose up: a changed service is recreated, an orphan is found, --remove-orphans removes it" {
    printf 'name: re\nservices:\n  a:\n    image: %s\n    command: sleep 1000\n    network_mode: none\n  b:\n    image: %s\n    command: sleep 1000\n    network_mode: none\n' "$IMAGE" "$IMAGE" >compose.yaml
    compose up -d
    run_berth inspect --format '{{.Id}}' re-a-1
    local id=$output
    printf 'name: re\nservices:\n  a:\n    image: %s\n    command: sleep 999\n    network_mode: none\n' "$IMAGE" >compose.yaml
    compose up -d
    assert_output_contains "Container re-a-1  Recreate"
    assert_output_contains "orphan containers (re-b-1)"
    run_berth inspect --format '{{.Id}}' re-a-1
    [[ $output != "$id" ]] || { echo "re-a-1 was not recreated" >&2; false; }
    compose up -d --force-recreate
    assert_output_contains "Container re-a-1  Recreate"
    compose up -d --remove-orphans
    assert_output_contains "Container re-b-1  Removed"
    compose down
    run_berth ps -a -q
    assert_output_equals ""
}

@test "compose up: service_healthy and service_completed_successfully gate the start" {
    cat >compose.yaml <<EOT
name: gate
services:
  init:
    image: $IMAGE
    command: sh -c 'sleep 1; echo seeded > /data/seed'
    network_mode: none
    volumes: [data:/data]
  db:
    image: $IMAGE
    command: sh -c 'sleep 2; touch /data/ready; exec sleep 1000'
    network_mode: none
    volumes: [data:/data]
    healthcheck:
      test: ["CMD", "test", "-f", "/data/ready"]
      interval: 1s
      retries: 30
  app:
    image: $IMAGE
    command: sh -c 'cat /data/seed; test -f /data/ready && echo db-was-ready; exec sleep 1000'
    network_mode: none
    volumes: [data:/data]
    depends_on:
      db:
        condition: service_healthy
      init:
        condition: service_completed_successfully
volumes:
  data:
EOT
    compose up -d
    compose ps -a --format '{{.Name}} {{.State}} {{.Health}}'
    assert_output_contains "gate-db-1 running healthy"
    assert_output_contains "gate-init-1 exited"
    # app started after init had written the seed and after db was ready (healthy).
    wait_compose_output $'seeded\ndb-was-ready' logs --no-log-prefix app
    compose down -v
    # A dependency that fails is an error naming it.
    cat >compose.yaml <<EOT
name: gate2
services:
  init:
    image: $IMAGE
    command: sh -c 'exit 4'
    network_mode: none
  app:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    depends_on:
      init: {condition: service_completed_successfully}
  sick:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    healthcheck: {test: "exit 1", interval: 1s, retries: 1}
  needs_sick:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
    depends_on:
      sick: {condition: service_healthy}
EOT
    compose --exit 125 up -d app
    assert_output_contains 'service "init" didn'"'"'t complete successfully: exit 4'
    compose --exit 125 up -d needs_sick
    assert_output_contains "dependency failed to start: container gate2-sick-1 is unhealthy"
    compose down
    run_berth ps -a -q
    assert_output_equals ""
}

@test "compose run: a one-off container of a service, --rm" {
    printf 'name: once\nservices:\n  tool:\n    image: %s\n    command: echo default\n    network_mode: none\n    environment: [X=1]\n' "$IMAGE" >compose.yaml
    compose run --rm -T tool sh -c 'echo run $X'
    assert_output_contains "run 1"
    compose --exit 7 run --rm -T tool sh -c 'exit 7'
    run_berth ps -a -q
    assert_output_equals ""
    compose run -T --name keep tool
    assert_output_contains default
    run_berth inspect --format '{{index .Config.Labels "com.docker.compose.oneoff"}}' keep
    assert_output_equals True
    compose down
    run_berth ps -a -q
    assert_output_equals ""
}

@test "compose up (attached): prefixed logs until the services exit" {
    printf 'name: att\nservices:\n  one:\n    image: %s\n    command: echo first\n    network_mode: none\n  second:\n    image: %s\n    command: sh -c "sleep 0.5; echo two"\n    network_mode: none\n' "$IMAGE" "$IMAGE" >compose.yaml
    compose up
    assert_output_contains "one-1     | first"
    assert_output_contains "second-1  | two"
    compose down
}

@test "compose: a web service with a healthcheck, a client that fetches it by name over the project network, a named volume and .env" {
    printf 'PAGE=hello-from-web\nPORT=8080\n' >.env
    cat >compose.yaml <<EOT
name: webapp
services:
  web:
    image: $IMAGE
    command: sh -c 'echo \$\${PAGE} > /srv/index.html && exec httpd -f -p \$\${PORT} -h /srv'
    environment:
      PAGE: \${PAGE}
      PORT: \${PORT}
    volumes:
      - site:/srv
    healthcheck:
      test: ["CMD-SHELL", "wget -q -O- http://127.0.0.1:\${PORT}/ >/dev/null"]
      interval: 1s
      retries: 20
  client:
    image: $IMAGE
    command: sh -c 'wget -q -O- http://web:\${PORT}/ && exec sleep 1000'
    depends_on:
      web:
        condition: service_healthy
volumes:
  site:
EOT
    compose up -d
    assert_output_contains "Network webapp_default  Created"
    assert_output_contains "Volume webapp_site  Created"
    compose ps --format '{{.Service}} {{.State}} {{.Health}}'
    assert_output_contains "web running healthy"
    assert_output_contains "client running"
    wait_compose_output "client-1  | hello-from-web" logs client
    compose exec -T client wget -q -O- http://web:8080/
    assert_output_equals hello-from-web
    compose exec -T web cat /srv/index.html
    assert_output_equals hello-from-web
    compose down -v
    run_berth ps -a -q
    assert_output_equals ""
    run_berth volume ls -q
    assert_output_equals ""
    run_berth network ls --format '{{.Name}}'
    assert_output_not_contains webapp
}

@test "compose build, pull, images, top, port, pause and unpause" {
    local port ports
    port=$(free_port)
    ports="ports: [\"127.0.0.1:$port:80\"]"
    mkdir -p app
    printf 'FROM %s\nARG WORD=unset\nRUN echo "$WORD" > /word\n' "$IMAGE" >app/Containerfile.custom
    cat >compose.yaml <<EOT
name: img
services:
  built:
    build:
      context: ./app
      dockerfile: Containerfile.custom
      args:
        WORD: built-word
    command: sh -c 'cat /word; exec httpd -f -p 80 -h /'
    $ports
  pulled:
    image: $IMAGE
    command: sleep 1000
    network_mode: none
EOT
    compose pull
    assert_output_contains "Image $IMAGE  Pulled"
    compose build
    assert_output_contains "img-built"
    run_berth image exists img-built
    compose up -d
    wait_compose_output "built-1  | built-word" logs built
    compose images
    assert_output_matches '^img-built-1 +.*img-built +latest '
    assert_output_matches '^img-pulled-1 +.*busybox +latest '
    compose top pulled
    assert_output_contains "img-pulled-1"
    assert_output_contains "sleep 1000"
    compose port built 80
    assert_output_equals "127.0.0.1:$port"
    assert_equal "$(fetch "http://127.0.0.1:$port/word")" "built-word" "served on the published port"
    compose --exit 125 port built 81
    assert_output_contains "no port 81/tcp of service built is published"
    compose pause pulled
    compose ps --format '{{.Name}} {{.State}}' pulled
    assert_output_equals "img-pulled-1 paused"
    compose unpause pulled
    compose ps --format '{{.Name}} {{.State}}' pulled
    assert_output_equals "img-pulled-1 running"
    compose ls -q
    assert_output_equals img
    compose down --rmi local
    assert_output_contains "Image img-built  Removed"
    run_berth --exit 1 image exists img-built
    run_berth image exists "$IMAGE"
    run_berth ps -a -q
    assert_output_equals ""
}
