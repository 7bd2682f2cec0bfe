// kube play's plan from YAML: what each key becomes in the create options,
// and errors that name the file, the object and the key.
#include "kube/play.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::kube;

namespace {

PlayPlan plan_of(std::string const& text, std::vector<std::pair<std::string, std::string>> configmaps = {})
{
    PlayInput in { "k.yaml", text, std::move(configmaps), "", {} };
    auto plan = plan_play(in);
    REQUIRE_MESSAGE(plan.has_value(), (plan ? "" : plan.error().message));
    return *plan;
}

std::string error_of(std::string const& text)
{
    auto plan = plan_play(PlayInput { "k.yaml", text, {}, "", {} });
    REQUIRE_FALSE(plan.has_value());
    return plan.error().message;
}

char const* const web_pod = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  GREETING: hello
  index.html: from-configmap
binaryData:
  blob: AAEC
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
data:
  PASSWORD: czNjcjN0
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: www
spec:
  accessModes: [ReadWriteOnce]
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  restartPolicy: OnFailure
  terminationGracePeriodSeconds: 3
  volumes:
  - name: data
    persistentVolumeClaim:
      claimName: www
  - name: conf
    configMap:
      name: cfg
      items:
      - key: index.html
        path: sub/index.html
      - key: blob
        path: blob.bin
  - name: host
    hostPath:
      path: /srv/x
      type: DirectoryOrCreate
  - name: scratch
    emptyDir: {}
  - name: mem
    emptyDir:
      medium: Memory
  containers:
  - name: server
    image: busybox
    command: [httpd]
    args: ["-f", "-p", "80"]
    workingDir: /www
    env:
    - name: A
      value: "1"
    - name: G
      valueFrom:
        configMapKeyRef: {name: cfg, key: GREETING}
    - name: P
      valueFrom:
        secretKeyRef: {name: sec, key: PASSWORD}
    ports:
    - containerPort: 80
      hostPort: 8080
      hostIP: 127.0.0.1
    - containerPort: 53
      hostPort: 5353
      protocol: UDP
    - containerPort: 9000
    volumeMounts:
    - {name: data, mountPath: /www}
    - {name: conf, mountPath: /etc/conf, readOnly: true}
    - {name: host, mountPath: /host}
    - {name: scratch, mountPath: /scratch}
    - {name: mem, mountPath: /mem}
    securityContext:
      runAsUser: 1000
      capabilities:
        add: [NET_ADMIN]
    livenessProbe:
      exec:
        command: [cat, /www/index.html]
      periodSeconds: 5
      failureThreshold: 2
  - name: side
    image: busybox
    args: [sleep, "1000"]
    envFrom:
    - configMapRef: {name: cfg}
      prefix: CFG_
)";

} // namespace

TEST_CASE("a Pod with a ConfigMap, a Secret, a PVC, ports, volumes and a probe")
{
    auto plan = plan_of(web_pod);
    REQUIRE(plan.pods.size() == 1);
    auto const& pod = plan.pods[0];
    CHECK(pod.name == "web");
    CHECK(pod.hostname == "web");
    CHECK(pod.labels == std::vector<std::string> { "app=web" });
    CHECK(pod.publish == std::vector<std::string> { "127.0.0.1:8080:80/tcp", "5353:53/udp" });
    REQUIRE(pod.host_paths.size() == 1);
    CHECK(pod.host_paths[0].path == "/srv/x");
    CHECK(pod.host_paths[0].type == "DirectoryOrCreate");
    REQUIRE(plan.volumes.size() == 1);
    CHECK(plan.volumes[0] == PlayVolume { "www", {} });
    REQUIRE(pod.pod_volumes.size() == 2);
    CHECK(pod.pod_volumes[0] == PlayVolume { "web-conf", { { "sub/index.html", "from-configmap" }, { "blob.bin", std::string("\0\1\2", 3) } } });
    CHECK(pod.pod_volumes[1] == PlayVolume { "web-scratch", {} });
    REQUIRE(pod.containers.size() == 2);
    auto const& s = pod.containers[0];
    CHECK(s.name == "web-server");
    CHECK(s.image == "busybox");
    CHECK(s.entrypoint.value() == R"(["httpd"])");
    CHECK(s.command == std::vector<std::string> { "-f", "-p", "80" });
    CHECK(s.workdir == "/www");
    CHECK(s.env == std::vector<std::string> { "A=1", "G=hello", "P=s3cr3t" });
    CHECK(s.volumes == std::vector<std::string> { "www:/www", "web-conf:/etc/conf:ro", "/srv/x:/host", "web-scratch:/scratch" });
    CHECK(s.tmpfs == std::vector<std::string> { "/mem" });
    CHECK(s.user == "1000");
    CHECK(s.cap_add == std::vector<std::string> { "NET_ADMIN" });
    CHECK(s.healthcheck_cmd == R"(["CMD","cat","/www/index.html"])");
    CHECK(s.healthcheck_interval == "5s");
    CHECK(s.healthcheck_retries.value() == 2);
    CHECK(s.restart == "on-failure");
    CHECK(s.stop_timeout == 3);
    CHECK(s.pull == "missing");
    auto const& side = pod.containers[1];
    CHECK_FALSE(side.entrypoint.has_value());
    CHECK(side.command == std::vector<std::string> { "sleep", "1000" });
    CHECK(side.env == std::vector<std::string> { "CFG_GREETING=hello", "CFG_index.html=from-configmap" });
}

TEST_CASE("a Deployment makes one pod per replica, NAME-pod-N; --configmap, --network and --publish")
{
    char const* text = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: dep}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: dep}}
    spec:
      containers:
      - name: ctr
        image: busybox
        env:
        - name: X
          valueFrom: {configMapKeyRef: {name: outside, key: k}}
)";
    PlayInput in { "d.yaml", text, { { "cm.yaml", "kind: ConfigMap\nmetadata: {name: outside}\ndata: {k: v}\n" } }, "none", { "9090:90" } };
    auto plan = plan_play(in);
    REQUIRE_MESSAGE(plan.has_value(), (plan ? "" : plan.error().message));
    REQUIRE(plan->pods.size() == 2);
    CHECK(plan->pods[0].name == "dep-pod-0");
    CHECK(plan->pods[1].name == "dep-pod-1");
    CHECK(plan->pods[1].containers[0].name == "dep-pod-1-ctr");
    CHECK(plan->pods[0].containers[0].env == std::vector<std::string> { "X=v" });
    CHECK(plan->pods[0].network == "none");
    CHECK(plan->pods[0].publish == std::vector<std::string> { "9090:90" });
    CHECK(plan->pods[0].containers[0].restart == "always");
    CHECK(pod_names(PlayInput { "d.yaml", text, {}, "", {} }).value() == std::vector<std::string> { "dep-pod-0", "dep-pod-1" });
}

TEST_CASE("a DaemonSet and a Job are one pod each, NAME-pod; a Job's pod does not restart")
{
    auto plan = plan_of("kind: DaemonSet\nmetadata: {name: ds}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n"
                        "    spec:\n      containers: [{name: c, image: b}]\n---\n"
                        "kind: Job\nmetadata: {name: job}\nspec:\n  completions: 3\n  template:\n    spec:\n      containers: [{name: c, image: b}]\n---\n"
                        "kind: Job\nmetadata: {name: retry}\nspec:\n  template:\n    spec:\n      restartPolicy: OnFailure\n"
                        "      containers: [{name: c, image: b}]\n");
    REQUIRE(plan.pods.size() == 3);
    CHECK(plan.pods[0].name == "ds-pod");
    CHECK(plan.pods[0].labels == std::vector<std::string> { "a=b" });
    CHECK(plan.pods[0].containers[0].restart == "always");
    CHECK(plan.pods[1].name == "job-pod");
    CHECK(plan.pods[1].containers[0].name == "job-pod-c");
    CHECK(plan.pods[1].containers[0].restart == "no");
    CHECK(plan.pods[2].containers[0].restart == "on-failure");
    CHECK(error_of("kind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Always\n      containers: [{name: c, image: b}]\n")
        == "k.yaml: Job j: spec.template.spec.restartPolicy: \"Always\" is not allowed in a Job: use Never or OnFailure");
    CHECK(error_of("kind: DaemonSet\nmetadata: {name: d}\nspec: {}\n") == "k.yaml: DaemonSet d: spec.template: missing (required)");
}

TEST_CASE("httpGet and tcpSocket probes become shell healthchecks; a named port is looked up")
{
    auto plan = plan_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                        "  - name: web\n    image: b\n    ports: [{name: http, containerPort: 8080}]\n"
                        "    livenessProbe:\n      httpGet: {path: /healthz, port: http}\n      periodSeconds: 5\n"
                        "  - name: db\n    image: b\n    livenessProbe:\n      tcpSocket: {port: 5432, host: 127.0.0.1}\n");
    CHECK(plan.pods[0].containers[0].healthcheck_cmd
        == R"(["CMD-SHELL","curl -f -s -o /dev/null 'http://localhost:8080/healthz' || wget -q -O /dev/null 'http://localhost:8080/healthz' || exit 1"])");
    CHECK(plan.pods[0].containers[0].healthcheck_interval == "5s");
    CHECK(plan.pods[0].containers[1].healthcheck_cmd == R"(["CMD-SHELL","nc -z -v '127.0.0.1' 5432 || exit 1"])");
    auto probe = [](std::string const& action) {
        return error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: b\n    livenessProbe:\n      " + action + "\n");
    };
    CHECK(probe("httpGet: {port: web}") == "k.yaml: Pod p: spec.containers[0].livenessProbe.httpGet.port: no port named \"web\" in the container's ports");
    CHECK(probe("httpGet: {port: 70000}") == "k.yaml: Pod p: spec.containers[0].livenessProbe.httpGet.port: must be between 1 and 65535, not 70000");
    CHECK(probe("httpGet: {port: 80, path: \"/a'b\"}")
        == "k.yaml: Pod p: spec.containers[0].livenessProbe.httpGet.path: \"/a'b\" is not valid here: no quotes, blanks or control characters");
    CHECK(probe("tcpSocket: {}") == "k.yaml: Pod p: spec.containers[0].livenessProbe.tcpSocket.port: missing (required)");
    CHECK(probe("grpc: {port: 1}") == "k.yaml: Pod p: spec.containers[0].livenessProbe: no action: give exec, httpGet or tcpSocket");
}

TEST_CASE("subPath: a part of a hostPath volume; refused on other volumes")
{
    char const* pod = "kind: Pod\nmetadata: {name: p}\nspec:\n  volumes:\n  - {name: h, hostPath: {path: /srv/data}}\n  - {name: v, persistentVolumeClaim: {claimName: c}}\n"
                      "  containers:\n  - name: c\n    image: b\n    volumeMounts:\n";
    auto plan = plan_of(std::string(pod) + "    - {name: h, mountPath: /d, subPath: site/www, readOnly: true}\n");
    CHECK(plan.pods[0].containers[0].volumes == std::vector<std::string> { "/srv/data/site/www:/d:ro" });
    CHECK(error_of(std::string(pod) + "    - {name: v, mountPath: /d, subPath: x}\n")
        == "k.yaml: Pod p: spec.containers[0].volumeMounts[0].subPath: is only supported on hostPath volumes");
    CHECK(error_of(std::string(pod) + "    - {name: h, mountPath: /d, subPath: a/../../etc}\n")
        == "k.yaml: Pod p: spec.containers[0].volumeMounts[0].subPath: must be a relative path without \"..\"");
}

TEST_CASE("the annotations kube generate writes bring --init and -t back")
{
    auto plan = plan_of("kind: Pod\nmetadata:\n  name: a\n  annotations:\n    io.podman.annotations.init/c: \"TRUE\"\n"
                        "    io.kubernetes.cri-o.TTY/c: \"true\"\n    io.podman.annotations.init/d: \"FALSE\"\n"
                        "spec:\n  containers:\n  - {name: c, image: b}\n  - {name: d, image: b}\n");
    CHECK(plan.pods[0].containers[0].init);
    CHECK(plan.pods[0].containers[0].tty);
    CHECK_FALSE(plan.pods[0].containers[1].init);
    CHECK_FALSE(plan.pods[0].containers[1].tty);
}

TEST_CASE("--annotation and the file's annotations: on every container; the auto-update policy as its label")
{
    std::string text = "kind: Pod\nmetadata:\n  name: a\n  annotations:\n    io.containers.autoupdate: local\n    note: file\n"
                       "spec:\n  containers:\n  - {name: c, image: b}\n  - {name: d, image: b}\n";
    auto plan = plan_play(PlayInput { "k.yaml", text, {}, "", {},
        { { "io.containers.autoupdate/d", "registry" }, { "io.containers.autoupdate.authfile", "/a.json" }, { "note", "flag" } } });
    REQUIRE_MESSAGE(plan, (plan ? "" : plan.error().message));
    auto const& c = plan->pods[0].containers[0];
    auto const& d = plan->pods[0].containers[1];
    CHECK(c.labels == std::vector<std::string> { "io.containers.autoupdate=local", "io.containers.autoupdate.authfile=/a.json" });
    CHECK(d.labels == std::vector<std::string> { "io.containers.autoupdate=registry", "io.containers.autoupdate.authfile=/a.json" });
    // --annotation wins over the file's.
    CHECK(c.annotations == std::vector<std::string> { "io.containers.autoupdate=local", "io.containers.autoupdate.authfile=/a.json",
                               "io.containers.autoupdate/d=registry", "note=flag" });
    CHECK(plan_of("kind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - {name: c, image: b}\n").pods[0].containers[0].labels.empty());
}

TEST_CASE("hostNetwork: the pod on the host's network, its hostPorts not published")
{
    auto plan = plan_of("kind: Pod\nmetadata: {name: h}\nspec:\n  hostNetwork: true\n  containers:\n  - name: c\n    image: b\n    ports: [{containerPort: 80, hostPort: 80}]\n");
    CHECK(plan.pods[0].network == "host");
    CHECK(plan.pods[0].publish.empty());
}

TEST_CASE("errors name the file, the object and the key")
{
    CHECK(error_of("kind: Pod\nmetadata:\n  name: x\n  bad: [\n").rfind("k.yaml: line ", 0) == 0);
    CHECK(error_of("kind: Ingress\nmetadata: {name: i}\n") == "k.yaml: Ingress i: kind: \"Ingress\" is not supported: use Pod, Deployment, DaemonSet, Job, ConfigMap, Secret, PersistentVolumeClaim or Service");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n") == "k.yaml: Pod p: spec.containers[0].image: missing (required)");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: b\n    ports:\n    - containerPort: http\n")
        == "k.yaml: Pod p: spec.containers[0].ports[0].containerPort: must be an integer, not \"http\"");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers: {}\n") == "k.yaml: Pod p: spec.containers: must be a list, not a map");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: b\n    env:\n    - name: X\n      valueFrom: {configMapKeyRef: {name: nope, key: k}}\n")
        == "k.yaml: Pod p: spec.containers[0].env[0].valueFrom.configMapKeyRef: ConfigMap \"nope\" not found (give it in the file or with --configmap)");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: b\n    volumeMounts:\n    - {name: v, mountPath: /v}\n")
        == "k.yaml: Pod p: spec.containers[0].volumeMounts[0].name: no volume \"v\" in the pod's spec.volumes");
    CHECK(error_of("metadata: {name: p}\n") == "k.yaml: document 1: kind: missing (required)");
    // A key names a file in the ConfigMap's volume: none may reach out of it.
    CHECK(error_of("kind: ConfigMap\nmetadata: {name: c}\ndata:\n  ../../etc/passwd: x\n")
        == "k.yaml: ConfigMap c: data.../../etc/passwd: is not a valid key: use letters, digits, '-', '_' and '.'");
    CHECK(error_of("kind: Secret\nmetadata: {name: s}\nstringData:\n  a/b: x\n").find("stringData.a/b: is not a valid key") != std::string::npos);
    CHECK(error_of("kind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: b}]\n"
                   "  volumes:\n  - name: v\n    configMap:\n      name: c\n      items: [{key: k, path: ../../x}]\n")
        == "k.yaml: Pod p: spec.volumes[0].configMap.items[0].path: must be a relative path without \"..\"");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: c\n    image: b\n    comand: [x]\n")
        == "k.yaml: Pod p: spec.containers[0].comand: unknown field of a Container");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: b}]\n  initContainers: [{name: i, image: b}]\n")
        == "k.yaml: Pod p: spec.initContainers: init containers are not supported");
    // Fields of the API that berth has no use for pass.
    plan_of("kind: Pod\nmetadata: {name: p}\nspec:\n  tolerations: []\n  containers:\n  - name: c\n    image: b\n    resources: {limits: {cpu: 1}}\n");
    CHECK(error_of("kind: Service\nmetadata: {name: s}\n") == "k.yaml: no Pod, Deployment, DaemonSet, Job or PersistentVolumeClaim in the file");
    CHECK(error_of("kind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Sometimes\n  containers: [{name: c, image: b}]\n")
        == "k.yaml: Pod p: spec.restartPolicy: \"Sometimes\" is not a restart policy: use Always, OnFailure or Never");
}
