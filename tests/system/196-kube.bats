#!/usr/bin/env bats
# Kubernetes YAML: kube generate of a container and of a pod (checked against
# the Kubernetes API's schema offline by lib/kube-validate.py, with Debian's
# python3-kubernetes), kube play of a Pod with a ConfigMap, a PVC and a
# published port (served on the host), kube down / play --down, a round
# trip (generate, remove, play back), --annotation (auto-update labels), --service-container, and the errors: bad YAML, an unknown
# kind, a missing image.

load ../lib/helpers

IMAGE=$REGISTRY_OPEN/busybox:latest

setup_file() {
    berth_setup_file
    pull_fixture busybox
}

teardown() {
    berth_quiet pod rm -a -f >/dev/null 2>&1 || true
    berth_quiet rm -f -a >/dev/null 2>&1 || true
    berth_quiet volume rm -a -f >/dev/null 2>&1 || true
}

# kube_validate FILE: every document valid for the Kubernetes API (python3-kubernetes' models).
kube_validate() {
    run /usr/bin/python3 "$BERTH_TESTS_LIB/kube-validate.py" "$1"
    echo "$output" >&2
    [[ $status -eq 0 ]] || { echo "FAIL: not valid Kubernetes YAML: $1" >&2; cat "$1" >&2; false; }
}

# kube_get FILE EXPR: a value of the YAML documents, EXPR in Python over `docs`
# (the documents) and `kind(K)` (the first document of kind K).
kube_get() {
    /usr/bin/python3 -c '
import json, sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
def kind(k):
    return next(d for d in docs if d["kind"] == k)
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v, sort_keys=True))' "$1" "$2"
}

@test "kube generate of a container: a valid Pod with its command, env, port, volumes and workdir" {
    run_berth volume create gvol
    run_berth create --name gen1 -e FOO=bar -p 18080:80 -v gvol:/data -v /tmp:/hosttmp:ro -w /data \
        "$IMAGE" sh -c 'echo hi'
    local f=$BERTH_TEST_ROOT/gen1.yaml
    run_berth kube generate -f "$f" gen1
    grep -Eq '^# Created with (berth|podman)-[0-9]' "$f" || { echo "no header naming the engine's version" >&2; false; }
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'kind("Pod")["metadata"]["name"]')" "gen1-pod"
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["name"]')" "gen1"
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["image"]')" "$IMAGE"
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["command"]')" '["sh", "-c", "echo hi"]'
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["env"]')" '[{"name": "FOO", "value": "bar"}]'
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["ports"]')" '[{"containerPort": 80, "hostPort": 18080}]'
    assert_equal "$(kube_get "$f" 'kind("Pod")["spec"]["containers"][0]["workingDir"]')" "/data"
    assert_equal "$(kube_get "$f" 'sorted(m["mountPath"] for m in kind("Pod")["spec"]["containers"][0]["volumeMounts"])')" \
        '["/data", "/hosttmp"]'
    assert_equal "$(kube_get "$f" '[v["persistentVolumeClaim"]["claimName"] for v in kind("Pod")["spec"]["volumes"] if "persistentVolumeClaim" in v]')" '["gvol"]'
    assert_equal "$(kube_get "$f" '[v["hostPath"]["path"] for v in kind("Pod")["spec"]["volumes"] if "hostPath" in v]')" '["/tmp"]'
    # The image's own command is left out.
    run_berth create --name gen2 "$IMAGE"
    f=$BERTH_TEST_ROOT/gen2.yaml
    run_berth generate kube -f "$f" gen2
    kube_validate "$f"
    assert_equal "$(kube_get "$f" '"command" in kind("Pod")["spec"]["containers"][0]')" "false"
}

@test "kube generate -s of a pod with two containers, a named volume and a port: valid Service and Pod" {
    run_berth pod create --name gpod -p 18081:80
    run_berth create --pod gpod --name web -v gvol2:/www --user 1000 --read-only "$IMAGE" httpd -f -p 80
    run_berth create --pod gpod --name side -e A=1 --entrypoint /bin/sh "$IMAGE" -c 'sleep 100'
    local f=$BERTH_TEST_ROOT/gpod.yaml
    run_berth kube generate -s -f "$f" gpod
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'kind("Service")["spec"]["type"]')" "NodePort"
    assert_equal "$(kube_get "$f" '[p["port"] for p in kind("Service")["spec"]["ports"]]')" "[80]"
    assert_equal "$(kube_get "$f" 'kind("Service")["spec"]["selector"] == kind("Pod")["metadata"]["labels"]')" "true"
    assert_equal "$(kube_get "$f" 'kind("Pod")["metadata"]["name"]')" "gpod"
    assert_equal "$(kube_get "$f" 'sorted(c["name"] for c in kind("Pod")["spec"]["containers"])')" '["side", "web"]'
    assert_equal "$(kube_get "$f" '[c for c in kind("Pod")["spec"]["containers"] if c["name"] == "web"][0]["ports"]')" \
        '[{"containerPort": 80, "hostPort": 18081}]'
    assert_equal "$(kube_get "$f" '[c for c in kind("Pod")["spec"]["containers"] if c["name"] == "web"][0]["securityContext"]["runAsUser"]')" "1000"
    assert_equal "$(kube_get "$f" '[c for c in kind("Pod")["spec"]["containers"] if c["name"] == "web"][0]["securityContext"]["readOnlyRootFilesystem"]')" "true"
    assert_equal "$(kube_get "$f" '[c for c in kind("Pod")["spec"]["containers"] if c["name"] == "side"][0]["command"]')" '["/bin/sh"]'
    assert_equal "$(kube_get "$f" '[c for c in kind("Pod")["spec"]["containers"] if c["name"] == "side"][0]["args"]')" '["-c", "sleep 100"]'
    assert_equal "$(kube_get "$f" '[v["persistentVolumeClaim"]["claimName"] for v in kind("Pod")["spec"]["volumes"] if "persistentVolumeClaim" in v]')" '["gvol2"]'
}

# bats test_tags=berth-only
@test "kube generate: claims for named volumes, --type deployment, -f FILE, unknown names" {
    # berth-only: Podman 4.3.1 writes no claim for a volume a pod mounts, has no --type, and words the errors its own way.
    run_berth create --name dep1 -v dvol:/data "$IMAGE" sleep 100
    local f=$BERTH_TEST_ROOT/dep.yaml
    run_berth kube generate --type deployment --replicas 2 -f "$f" dep1
    assert_output_equals ""
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'kind("Deployment")["spec"]["replicas"]')" "2"
    assert_equal "$(kube_get "$f" 'kind("Deployment")["spec"]["template"]["spec"]["containers"][0]["name"]')" "dep1"
    assert_equal "$(kube_get "$f" 'kind("PersistentVolumeClaim")["metadata"]["name"]')" "dvol"
    assert_equal "$(head -4 "$f" | tail -1)" "# Created with berth-$(berth_quiet version --format '{{.Client.Version}}' 2>&1)"
    run_berth --exit 125 kube generate -f "$f" dep1
    assert_output_contains "file exists"
    run_berth volume create --label team=blue named
    run_berth kube generate named
    echo "$output" >"$f"
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'docs[0]["kind"]')" "PersistentVolumeClaim"
    assert_equal "$(kube_get "$f" 'docs[0]["metadata"]["labels"]')" '{"team": "blue"}'
    run_berth --exit 125 kube generate nosuchthing
    assert_output_equals 'Error: name or ID "nosuchthing" not found'
    run_berth --exit 125 kube generate --type cronjob dep1
    assert_output_contains 'invalid type "cronjob": use pod, deployment, daemonset or job'
    # A DaemonSet and a Job: valid objects, and a Job's pod never restarts always.
    run_berth kube generate --type daemonset dep1
    echo "$output" >"$f"
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'kind("DaemonSet")["spec"]["selector"]["matchLabels"]')" '{"app": "dep1-pod"}'
    run_berth kube generate --type job dep1
    echo "$output" >"$f"
    kube_validate "$f"
    assert_equal "$(kube_get "$f" 'kind("Job")["spec"]["template"]["spec"]["restartPolicy"]')" "Never"
    run_berth --exit 125 kube generate --type job --replicas 2 dep1
    assert_output_contains "--replicas is only used with --type deployment"
}

# The Pod the play tests use: httpd serving the PVC, a writer putting the
# ConfigMap's greeting there, a ConfigMap volume, a published port.
web_yaml() {  # web_yaml PORT
    cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: webcfg
data:
  GREETING: hello-from-kube
  note.txt: from-configmap-volume
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: webdata
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
---
apiVersion: v1
kind: Pod
metadata:
  name: kweb
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: server
    image: $IMAGE
    command: [sh, -c, "exec httpd -f -p 8080 -h /www"]
    ports:
    - containerPort: 8080
      hostPort: $1
      hostIP: 127.0.0.1
    volumeMounts:
    - {name: data, mountPath: /www}
    - {name: cfg, mountPath: /etc/cfg, readOnly: true}
  - name: writer
    image: $IMAGE
    command: [sh, -c, 'echo "\$GREETING" > /www/index.html && exec sleep 1000']
    env:
    - name: GREETING
      valueFrom:
        configMapKeyRef: {name: webcfg, key: GREETING}
    volumeMounts:
    - {name: data, mountPath: /www}
  volumes:
  - name: data
    persistentVolumeClaim: {claimName: webdata}
  - name: cfg
    configMap: {name: webcfg}
EOF
}

# bats test_tags=berth-only
@test "kube play: a Pod with two containers, a ConfigMap, a PVC and a published port serves on the host; play --down removes it" {
    # berth-only: Podman 4.3.1 publishes a rootless pod's ports through its
    # own infra image and rootlessport; it refuses a claim whose volume exists.
    local port f=$BERTH_TEST_ROOT/web.yaml
    port=$(free_port)
    web_yaml "$port" >"$f"
    run_berth kube play "$f"
    assert_equal "$(sed -E 's/^[0-9a-f]{64}$/ID/' <<<"$output")" "Volumes:
webdata
Pod:
ID
Containers:
ID
ID" "kube play's report"
    run_berth pod ps --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_equals "kweb 3"
    run_berth ps --format '{{.Names}}' --filter pod=kweb
    assert_output_contains "kweb-server"
    assert_output_contains "kweb-writer"
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-from-kube" "page from the PVC on the pod's host port"
    run_berth exec kweb-server cat /etc/cfg/note.txt
    assert_output_equals "from-configmap-volume"
    run_berth exec kweb-writer sh -c 'echo $GREETING'
    assert_output_equals "hello-from-kube"
    local pod_id
    pod_id=$(berth_quiet pod inspect --format '{{.Id}}' kweb 2>&1)
    run_berth kube play --down "$f"
    assert_equal "$(grep -v '^WARN' <<<"$output")" "Pods stopped:
$pod_id
Pods removed:
$pod_id"
    run_berth pod ps -q
    assert_output_equals ""
    run_berth ps -a -q
    assert_output_equals ""
    # As Podman 4.3: the claim's volume stays; the ConfigMap's copy went with the pod.
    run_berth volume ls -q
    assert_output_equals "webdata"
    # Played again, the claim's volume is used as it is, with its page.
    run_berth kube play "$f"
    assert_output_not_contains "Volumes:"
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "hello-from-kube"
    run_berth kube down "$f"
    run_berth --exit 125 kube down "$f"
    assert_output_contains "no pod with name or ID kweb found"
}

@test "kube play --start=false creates the pod and its containers without starting them; --replace replaces it" {
    local f=$BERTH_TEST_ROOT/idle.yaml
    cat >"$f" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: idle
spec:
  containers:
  - name: one
    image: $IMAGE
    command: [sleep, "1000"]
    workingDir: /tmp
    env:
    - {name: K, value: v}
EOF
    run_berth kube play --start=false "$f"
    assert_output_matches '^Pod:$'
    assert_output_matches '^Container:$'
    run_berth inspect --format '{{.Name}} {{.State.Status}}' idle-one
    assert_output_equals "idle-one created"
    run_berth inspect --format '{{.Config.WorkingDir}}' idle-one
    assert_output_equals "/tmp"
    local old
    old=$(berth_quiet pod inspect --format '{{.Id}}' idle 2>&1)
    run_berth kube play --start=false --replace "$f"
    assert_output_contains "Pods removed:
$old
Pod:"
    assert_equal "$(grep -c "$old" <<<"$output")" "2" "the old pod only in the removal lines"
    run_berth pod ps --format '{{.Name}}'
    assert_output_equals "idle"
    run_berth kube down "$f"
    # "-" reads the YAML from standard input, for play and down.
    run timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS kube play --start=false - <"$f"
    [[ $status -eq 0 ]] || { echo "kube play - failed: $output" >&2; false; }
    run_berth pod ps --format '{{.Name}}'
    assert_output_equals "idle"
    run timeout -k 10 "$BERTH_TIMEOUT" "$BERTH" $BERTH_GLOBAL_OPTS kube down - <"$f"
    [[ $status -eq 0 ]] || { echo "kube down - failed: $output" >&2; false; }
    run_berth pod ps -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "round trip: a pod generated, removed and played back has the same containers, ports, env and volumes" {
    # berth-only: Podman 4.3.1 publishes a rootless pod's ports through its own infra image.
    local port f=$BERTH_TEST_ROOT/round.yaml
    port=$(free_port)
    run_berth pod create --name rt -p "127.0.0.1:$port:8080"
    run_berth volume create rtvol
    run_berth run --rm -v rtvol:/www "$IMAGE" sh -c 'echo round-trip > /www/index.html'
    run_berth create --pod rt --name srv -v rtvol:/www -e MODE=served "$IMAGE" sh -c 'exec httpd -f -p 8080 -h /www'
    run_berth create --pod rt --name helper --init -e A=1 -e B="two words" "$IMAGE" sleep 1000
    run_berth pod start rt
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "round-trip" "before"
    run_berth kube generate -f "$f" rt
    kube_validate "$f"
    run_berth pod rm -f rt
    run_berth kube play "$f"
    run_berth pod ps --format '{{.Name}} {{.NumberOfContainers}}'
    assert_output_equals "rt 3"
    assert_equal "$(fetch "http://127.0.0.1:$port/")" "round-trip" "after the round trip"
    run_berth exec rt-srv sh -c 'echo $MODE'
    assert_output_equals "served"
    run_berth exec rt-helper sh -c 'echo "$A/$B"'
    assert_output_equals "1/two words"
    run_berth inspect --format '{{range .Mounts}}{{.Name}}:{{.Destination}}{{end}}' rt-srv
    assert_output_equals "rtvol:/www"
    run_berth inspect --format '{{.HostConfig.Init}}' rt-helper
    assert_output_equals "true"
    # Generated again, the played pod gives the same containers back (not rt-srv).
    local again=$BERTH_TEST_ROOT/again.yaml
    run_berth kube generate -f "$again" rt
    assert_equal "$(kube_get "$again" 'sorted(c["name"] for c in kind("Pod")["spec"]["containers"])')" \
        "$(kube_get "$f" 'sorted(c["name"] for c in kind("Pod")["spec"]["containers"])')"
    assert_equal "$(kube_get "$again" '[c.get("env") for c in kind("Pod")["spec"]["containers"]]')" \
        "$(kube_get "$f" '[c.get("env") for c in kind("Pod")["spec"]["containers"]]')"
    run_berth kube down "$f"
}

# bats test_tags=berth-only
@test "kube play: a Deployment's replicas, a Secret as env and volume, a livenessProbe, hostPath and a shared emptyDir" {
    # berth-only: Podman 4.3.1 keeps Secrets in its own secret store and words its healthchecks differently.
    local f=$BERTH_TEST_ROOT/dep.yaml host=$BERTH_TEST_ROOT/made-by-play
    cat >"$f" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  password: czNjcjN0
stringData:
  user: admin
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  replicas: 2
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: $IMAGE
        command: [sleep, "1000"]
        env:
        - name: PASSWORD
          valueFrom:
            secretKeyRef: {name: creds, key: password}
        envFrom:
        - secretRef: {name: creds}
          prefix: S_
        livenessProbe:
          exec:
            command: [test, -e, /scratch]
          periodSeconds: 30
          failureThreshold: 2
        volumeMounts:
        - {name: secret, mountPath: /run/creds, readOnly: true}
        - {name: host, mountPath: /host}
        - {name: scratch, mountPath: /scratch}
      - name: peer
        image: $IMAGE
        command: [sh, -c, "echo from-peer > /shared/note && exec sleep 1000"]
        volumeMounts:
        - {name: scratch, mountPath: /shared}
      volumes:
      - name: secret
        secret: {secretName: creds}
      - name: host
        hostPath: {path: $host, type: DirectoryOrCreate}
      - name: scratch
        emptyDir: {}
EOF
    run_berth kube play "$f"
    run_berth pod ps --format '{{.Name}}'
    assert_output_contains "app-pod-0"
    assert_output_contains "app-pod-1"
    assert_line_count 2
    run_berth exec app-pod-1-main sh -c 'echo "$PASSWORD $S_user $(cat /run/creds/password)"'
    assert_output_equals "s3cr3t admin s3cr3t"
    run_berth inspect --format '{{.Config.Healthcheck.Test}} {{.Config.Healthcheck.Retries}}' app-pod-0-main
    assert_output_equals "[CMD test -e /scratch] 2"
    run_berth healthcheck run app-pod-0-main
    [[ -d $host ]] || { echo "hostPath $host was not created" >&2; false; }
    run_berth exec app-pod-0-main sh -c 'echo hi > /host/file'
    assert_equal "$(cat "$host/file")" "hi"
    # The emptyDir is the pod's: its containers share it, the other replica has its own.
    run_berth exec app-pod-0-main sh -c 'for i in $(seq 1 50); do cat /scratch/note 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
    assert_output_equals "from-peer"
    run_berth exec app-pod-1-main touch /scratch/only-in-1
    run_berth exec app-pod-0-main ls /scratch
    assert_output_not_contains "only-in-1"
    run_berth kube down "$f"
    assert_output_contains "Pods removed:"
    run_berth pod ps -q
    assert_output_equals ""
    # ... and goes with the pod.
    run_berth volume ls -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "kube play: a DaemonSet with an httpGet probe turns healthy, a Job runs once, subPath of a hostPath" {
    # berth-only: Podman 4.3.1 plays neither DaemonSet nor Job.
    local f=$BERTH_TEST_ROOT/ds.yaml host=$BERTH_TEST_ROOT/site
    mkdir -p "$host/www" && echo from-subpath >"$host/www/index.html"
    cat >"$f" <<EOF
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: httpd
        image: $IMAGE
        command: [sh, -c, "exec httpd -f -p 8080 -h /www"]
        ports:
        - {name: http, containerPort: 8080}
        livenessProbe:
          httpGet: {path: /index.html, port: http}
          periodSeconds: 60
        volumeMounts:
        - {name: site, mountPath: /www, subPath: www, readOnly: true}
      volumes:
      - name: site
        hostPath: {path: $host, type: Directory}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: once
spec:
  template:
    spec:
      containers:
      - name: task
        image: $IMAGE
        command: [sh, -c, "echo job-ran"]
EOF
    run_berth kube play "$f"
    run_berth pod ps --format '{{.Name}}'
    assert_output_contains "once-pod"
    assert_output_contains "web-pod"
    assert_line_count 2
    run_berth inspect --format '{{.Config.Healthcheck.Test}}' web-pod-httpd
    assert_output_contains "wget -q -O /dev/null 'http://localhost:8080/index.html'"
    run_berth exec web-pod-httpd sh -c 'for i in $(seq 1 50); do wget -q -O - http://localhost:8080/index.html 2>/dev/null && exit 0; sleep 0.1; done; exit 1'
    assert_output_equals "from-subpath"
    run_berth healthcheck run web-pod-httpd
    run_berth inspect --format '{{.State.Health.Status}}' web-pod-httpd
    assert_output_equals "healthy"
    # The Job's container ran to its end and was not restarted.
    run_berth wait once-pod-task
    assert_output_equals "0"
    run_berth logs once-pod-task
    assert_output_equals "job-ran"
    run_berth inspect --format '{{.HostConfig.RestartPolicy.Name}}' once-pod-task
    assert_output_equals "no"
    # A probe whose page is missing fails the healthcheck.
    rm "$host/www/index.html"
    run_berth --exit 1 healthcheck run web-pod-httpd
    run_berth kube down "$f"
    run_berth pod ps -q
    assert_output_equals ""
}

@test "kube play builds a missing image from the directory named after it; --build rebuilds, --build=false never builds" {
    local dir=$BERTH_TEST_ROOT/kb
    mkdir -p "$dir/kbuildimg"
    printf 'FROM %s\nRUN echo built-1 > /built\n' "$IMAGE" >"$dir/kbuildimg/Containerfile"
    cat >"$dir/pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: kbuild
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: kbuildimg
    command: [cat, /built]
EOF
    run_berth kube play "$dir/pod.yaml"
    assert_output_contains "FROM $IMAGE"
    run_berth wait kbuild-c
    run_berth logs kbuild-c
    assert_output_equals "built-1"
    # The image is here now: no build without --build.
    printf 'FROM %s\nRUN echo built-2 > /built\n' "$IMAGE" >"$dir/kbuildimg/Containerfile"
    run_berth kube play --replace "$dir/pod.yaml"
    assert_output_not_contains "FROM $IMAGE"
    run_berth wait kbuild-c
    run_berth logs kbuild-c
    assert_output_equals "built-1"
    run_berth kube play --replace --build "$dir/pod.yaml"
    run_berth wait kbuild-c
    run_berth logs kbuild-c
    assert_output_equals "built-2"
    run_berth kube down "$dir/pod.yaml"
    run_berth rmi kbuildimg
    # --build=false: the image is pulled instead, and there is none to pull.
    run_berth --exit 125 kube play --build=false "$dir/pod.yaml"
    run_berth --exit 1 image exists kbuildimg
    # A broken Containerfile stops the play, naming the directory.
    printf 'FROM %s\nRUN exit 7\n' "$IMAGE" >"$dir/kbuildimg/Containerfile"
    run_berth --exit 125 kube play "$dir/pod.yaml"
    assert_output_contains "$dir/kbuildimg"
    run_berth pod ps -q
    assert_output_equals ""
}

@test "kube play --authfile pulls a missing image from a registry that needs credentials" {
    local auth=$BERTH_TEST_ROOT/kube-auth.json f=$BERTH_TEST_ROOT/auth.yaml
    run_berth login --authfile "$auth" --username "$REGISTRY_USER" --password-stdin "$REGISTRY_TLS" <<<"$REGISTRY_PASS"
    cat >"$f" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: authpod
spec:
  containers:
  - name: c
    image: $REGISTRY_TLS/busybox:latest
    command: [true]
EOF
    printf '{"auths": {}}\n' >"$BERTH_TEST_ROOT/no-credentials.json"
    run_berth --exit 125 kube play --start=false --authfile "$BERTH_TEST_ROOT/no-credentials.json" "$f"
    assert_output_contains "authentication required"
    # (berth removes the pod again; Podman 4.3.1 leaves it: --replace below copes with both.)
    run_berth kube play -q --start=false --replace --authfile "$auth" "$f"
    assert_output_matches '^Container:$'
    run_berth image exists "$REGISTRY_TLS/busybox:latest"
    run_berth kube down "$f"
}

@test "kube play --annotation: on every container, over the file's; io.containers.autoupdate[/CONTAINER] becomes the auto-update label" {
    local f=$BERTH_TEST_ROOT/autoupdate.yaml
    cat >"$f" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: aupod
  annotations:
    io.containers.autoupdate/b: local
    team: red
spec:
  containers:
  - name: a
    image: $IMAGE
    command: ["sleep", "1000"]
  - name: b
    image: $IMAGE
    command: ["sleep", "1000"]
EOF
    run_berth kube play --start=false --annotation io.containers.autoupdate=registry --annotation team=blue "$f"
    local format='{{index .Config.Labels "io.containers.autoupdate"}} {{index .Config.Annotations "team"}}'
    run_berth container inspect --format "$format" aupod-a
    assert_output_equals "registry blue"
    run_berth container inspect --format "$format" aupod-b
    assert_output_equals "local blue"
    run_berth kube down "$f"
    # Without --annotation: only the file's own, for b.
    run_berth kube play --start=false "$f"
    run_berth container inspect --format "$format" aupod-a
    assert_output_equals " red"
    run_berth container inspect --format "$format" aupod-b
    assert_output_equals "local red"
}

@test "kube play --service-container: a container that runs as long as the pods; they stop with their last container; kube down removes it" {
    local f=$BERTH_TEST_ROOT/withservice.yaml
    cat >"$f" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: withservice
spec:
  restartPolicy: Never
  containers:
  - name: c
    image: $IMAGE
    command: ["sh", "-c", "while [ ! -e /tmp/done ]; do sleep 0.1; done"]
EOF
    run_berth kube play --service-container=true "$f"
    run_berth ps -a --format '{{.Names}} {{.Status}}' --filter name=-service
    assert_output_matches '^[0-9a-f]{12}-service Up '
    local service=${output%% *}
    run_berth pod inspect --format '{{.ExitPolicy}} {{.State}}' withservice
    assert_output_equals "stop Running"
    run_berth exec withservice-c touch /tmp/done
    wait_pod_state withservice Exited
    wait_state "$service" exited
    run_berth kube down "$f"
    run_berth --exit 1 container exists "$service"
    run_berth ps -a -q
    assert_output_equals ""
}

# bats test_tags=berth-only
# berth-only: Podman 4.3.1 panics (index out of range) on an annotation without
# "=", and creates a service container that never runs with --start=false.
@test "kube play errors: --annotation without =, --service-container with --start=false; nothing is created" {
    local f=$BERTH_TEST_ROOT/noeq.yaml
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: noeq\nspec:\n  containers:\n  - {name: c, image: %s}\n' "$IMAGE" >"$f"
    run_berth --exit 125 kube play --annotation lonely "$f"
    assert_output_contains "--annotation lonely: use KEY=VALUE"
    run_berth --exit 1 pod exists noeq
    run_berth --exit 125 kube play --service-container --start=false "$f"
    assert_output_contains "--service-container runs as long as the pods do: leave out --start=false"
    run_berth --exit 1 pod exists noeq
    run_berth ps -a -q
    assert_output_equals ""
}

@test "kube play errors: bad YAML (its line), a missing file; nothing is left" {
    local f=$BERTH_TEST_ROOT/bad.yaml
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  bad: [\n' >"$f"
    run_berth --exit 125 kube play "$f"
    assert_output_contains "line"
    run_berth --exit 125 kube play "$BERTH_TEST_ROOT/nosuchfile.yaml"
    run_berth pod ps -q
    assert_output_equals ""
}

# bats test_tags=berth-only
@test "kube play errors name the file, the object and the key" {
    # berth-only: Podman 4.3.1 skips unknown kinds, and its messages name neither object nor key.
    local f=$BERTH_TEST_ROOT/bad.yaml
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\n  bad: [\n' >"$f"
    run_berth --exit 125 kube play "$f"
    assert_output_matches "^Error: $f: line 6, column 1: "
    printf 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ing\n' >"$f"
    run_berth --exit 125 kube play "$f"
    assert_output_equals "Error: $f: Ingress ing: kind: \"Ingress\" is not supported: use Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim or Service"
    printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: noimg\nspec:\n  containers:\n  - name: c\n' >"$f"
    run_berth --exit 125 kube play "$f"
    assert_output_equals "Error: $f: Pod noimg: spec.containers[0].image: missing (required)"
    # An image that exists nowhere: the pod and the volume made before it are removed again.
    cat >"$f" <<EOF
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: leftover
---
apiVersion: v1
kind: Pod
metadata:
  name: ghost
spec:
  containers:
  - name: ok
    image: $IMAGE
    command: [sleep, "100"]
  - name: c
    image: $REGISTRY_OPEN/no-such-image:latest
    volumeMounts: [{name: v, mountPath: /v}]
  volumes:
  - name: v
    persistentVolumeClaim: {claimName: leftover}
EOF
    run_berth --exit 125 kube play "$f"
    assert_output_contains "$f: pod ghost: container ghost-c: "
    assert_output_contains "no-such-image"
    run_berth pod ps -q
    assert_output_equals ""
    run_berth ps -a -q
    assert_output_equals ""
    run_berth volume ls -q
    assert_output_equals ""
}
