// Unit tests of the compose front-end: interpolation, .env, loading and
// merging files, profiles, dependency order and the container spec.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "compose/convert.h"
#include "compose/interpolate.h"
#include "compose/project.h"

#include <doctest/doctest.h>

#include <algorithm>

using namespace berth;
using namespace berth::compose;

namespace {

LoadInput input(std::string const& text, Variables vars = {})
{
    LoadInput in;
    in.files = { { "/p/My_App/compose.yaml", text } };
    in.working_dir = "/p/My_App";
    in.variables = std::move(vars);
    return in;
}

bool has(std::vector<std::string> const& v, std::string const& item)
{
    return std::find(v.begin(), v.end(), item) != v.end();
}

} // namespace

TEST_CASE("interpolation")
{
    Variables vars { { "A", "1" }, { "EMPTY", "" } };
    CHECK(interpolate("x${A}y$A", vars).value() == "x1y1");
    CHECK(interpolate("${B:-def}", vars).value() == "def");
    CHECK(interpolate("${EMPTY:-def}", vars).value() == "def");
    CHECK(interpolate("${EMPTY-def}", vars).value() == "");
    CHECK(interpolate("${B-def}", vars).value() == "def");
    CHECK(interpolate("${B:-${A}x}", vars).value() == "1x");
    CHECK(interpolate("${A:+alt}", vars).value() == "alt");
    CHECK(interpolate("$$A costs $$5", vars).value() == "$A costs $5");
    CHECK(interpolate("${A:?must}", vars).value() == "1");
    auto missing = interpolate("${B:?give B}", vars);
    REQUIRE(!missing);
    CHECK(missing.error().message == "required variable B is missing a value: give B");
    CHECK(!interpolate("${EMPTY:?x}", vars));
    CHECK(interpolate("${EMPTY?x}", vars).value() == "");
    CHECK(!interpolate("${A", vars));
    CHECK(!interpolate("${1x}", vars));
}

TEST_CASE(".env files")
{
    auto vars = parse_dotenv("# comment\nA=1\nexport B = two \nC=\"q # x\\n\"\nD='lit $X'\nE=v # note\nF\n").value();
    CHECK(vars["A"] == "1");
    CHECK(vars["B"] == "two");
    CHECK(vars["C"] == "q # x\n");
    CHECK(vars["D"] == "lit $X");
    CHECK(vars["E"] == "v");
    CHECK(vars.count("F"));
    auto bad = parse_dotenv("A=1\n=2\n");
    REQUIRE(!bad);
    CHECK(bad.error().message.find("line 2") != std::string::npos);
}

TEST_CASE("project name")
{
    CHECK(normalize_project_name("My_App.v2") == "my_appv2");
    CHECK(normalize_project_name("-_x") == "x");
    auto p = load_project(input("services:\n  web:\n    image: busybox\n")).value();
    CHECK(p.name == "my_app");
    auto named = load_project(input("name: shop\nservices:\n  web:\n    image: busybox\n")).value();
    CHECK(named.name == "shop");
    auto env = load_project(input("name: shop\nservices:\n  web:\n    image: busybox\n", { { "COMPOSE_PROJECT_NAME", "envname" } })).value();
    CHECK(env.name == "envname");
    auto in = input("name: shop\nservices:\n  web:\n    image: busybox\n");
    in.project_name = "flag";
    CHECK(load_project(in).value().name == "flag");
    in.project_name = "Bad Name";
    CHECK(!load_project(in));
}

TEST_CASE("services in their long and short syntax")
{
    auto p = load_project(input(R"(
services:
  web:
    image: busybox:${TAG:-latest}
    command: httpd -f -p "8080"
    entrypoint: ["/bin/sh", "-c"]
    environment:
      A: 1
      B:
    env_file: [.env, {path: opt.env, required: false}]
    ports:
      - "8080:80"
      - target: 81
        published: 9090
        host_ip: 127.0.0.1
        protocol: udp
    volumes:
      - data:/data:ro
      - ./site:/site
      - /anon
      - type: tmpfs
        target: /run
        tmpfs: {size: 1m}
    networks:
      front:
        aliases: [www]
    labels: [x=y]
    extra_hosts: ["h1:10.0.0.1", "h2=10.0.0.2"]
    healthcheck:
      test: wget -q -O- localhost
      interval: 1s
      retries: 3
    restart: on-failure:3
    stop_grace_period: 1m30s
    deploy: {replicas: 2}
volumes:
  data:
networks:
  front:
)")).value();
    auto const& s = p.services.at(0);
    CHECK(s.image == "busybox:latest");
    CHECK(*s.command == std::vector<std::string> { "httpd", "-f", "-p", "8080" });
    CHECK(*s.entrypoint == std::vector<std::string> { "/bin/sh", "-c" });
    CHECK(s.environment == std::vector<std::string> { "A=1", "B" });
    CHECK(s.env_files == std::vector<std::string> { "/p/My_App/.env", "?/p/My_App/opt.env" });
    CHECK(s.ports == std::vector<std::string> { "8080:80", "127.0.0.1:9090:81/udp" });
    REQUIRE(s.volumes.size() == 4);
    CHECK(s.volumes[0].type == Mount::Type::Volume);
    CHECK(s.volumes[0].read_only);
    CHECK(s.volumes[1].type == Mount::Type::Bind);
    CHECK(s.volumes[1].source == "/p/My_App/site");
    CHECK(s.volumes[2].source.empty());
    CHECK(s.volumes[3].type == Mount::Type::Tmpfs);
    CHECK(s.healthcheck->test == std::vector<std::string> { "CMD-SHELL", "wget -q -O- localhost" });
    CHECK(*s.stop_grace_period == 90);
    CHECK(s.replicas == 2);
    CHECK(s.extra_hosts == std::vector<std::string> { "h1:10.0.0.1", "h2:10.0.0.2" });

    auto o = create_options(p, s, 2);
    CHECK(o.name == "my_app-web-2");
    CHECK(o.entrypoint == std::string(R"(["/bin/sh","-c"])"));
    CHECK(o.volumes == std::vector<std::string> { "my_app_data:/data:ro", "/p/My_App/site:/site", "/anon" });
    CHECK(o.tmpfs == std::vector<std::string> { "/run:size=1m" });
    CHECK(o.network == "my_app_front:alias=web,alias=www");
    CHECK(o.env_files == std::vector<std::string> { "/p/My_App/.env" });
    CHECK(o.healthcheck_cmd == R"(["CMD-SHELL","wget -q -O- localhost"])");
    CHECK(o.restart == "on-failure:3");
    CHECK(o.stop_timeout == 90);
    CHECK(has(o.labels, "com.docker.compose.project=my_app"));
    CHECK(has(o.labels, "com.docker.compose.service=web"));
    CHECK(has(o.labels, "com.docker.compose.container-number=2"));
    CHECK(has(o.labels, "com.docker.compose.project.config_files=/p/My_App/compose.yaml"));
    CHECK(has(o.labels, "x=y"));
}

TEST_CASE("the default network and network_mode")
{
    auto p = load_project(input("services:\n  a:\n    image: x\n  b:\n    image: x\n    network_mode: host\n  c:\n    image: x\n    network_mode: service:a\n")).value();
    REQUIRE(p.networks.size() == 1);
    CHECK(p.networks[0].name == "my_app_default");
    CHECK(network_option(p, *p.service("a")) == "my_app_default:alias=a");
    CHECK(network_option(p, *p.service("b")) == "host");
    CHECK(network_option(p, *p.service("c")) == "container:my_app-a-1");
    auto ext = load_project(input("services:\n  a:\n    image: x\n    network_mode: none\nvolumes:\n  v:\n    external: true\n  w:\n    name: fixed\n")).value();
    CHECK(ext.networks.empty());
    CHECK(ext.volumes[0].name == "v");
    CHECK(ext.volumes[1].name == "fixed");
}

TEST_CASE("files merge with override semantics")
{
    LoadInput in = input(R"(
services:
  web:
    image: busybox
    command: [a, b]
    environment: [A=1, B=2]
    ports: ["80:80"]
    volumes: ["/x:/data"]
    labels: {l: 1}
)");
    in.files.push_back({ "/p/My_App/override.yaml", R"(
services:
  web:
    image: alpine
    command: c
    environment: {B: 3, C: 4}
    ports: ["81:81"]
    volumes: ["/y:/data"]
  db:
    image: db
)" });
    auto p = load_project(in).value();
    auto const& web = *p.service("web");
    CHECK(web.image == "alpine");
    CHECK(*web.command == std::vector<std::string> { "c" });
    CHECK(web.environment == std::vector<std::string> { "A=1", "B=3", "C=4" });
    CHECK(web.ports == std::vector<std::string> { "80:80", "81:81" });
    REQUIRE(web.volumes.size() == 1);
    CHECK(web.volumes[0].source == "/y");
    CHECK(web.labels.at("l") == "1");
    CHECK(p.service("db"));
}

TEST_CASE("profiles")
{
    auto text = "services:\n  a:\n    image: x\n  dbg:\n    image: x\n    profiles: [debug]\n";
    auto p = load_project(input(text)).value();
    CHECK(p.services.size() == 1);
    CHECK(p.disabled == std::vector<std::string> { "dbg" });
    auto in = input(text);
    in.profiles = { "debug" };
    CHECK(load_project(in).value().services.size() == 2);
}

TEST_CASE("dependency order and cycles")
{
    auto p = load_project(input(R"(
services:
  web:
    image: x
    depends_on:
      db: {condition: service_healthy}
      cache:
        condition: service_started
  db:
    image: x
  cache:
    image: x
    depends_on: [db]
)")).value();
    std::vector<std::string> order;
    for (auto const& s : p.services)
        order.push_back(s.name);
    CHECK(order == std::vector<std::string> { "db", "cache", "web" });
    CHECK(p.service("web")->depends_on.at(0).condition == "service_healthy");
    auto cycle = load_project(input("services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"));
    REQUIRE(!cycle);
    CHECK(cycle.error().message == "dependency cycle between services: a -> b -> a");
}

TEST_CASE("errors name the file, the service and the key")
{
    auto message = [](std::string const& text, Variables vars = {}) { return load_project(input(text, std::move(vars))).error().message; };
    CHECK(message("services:\n  web:\n    image: x\n    colour: red\n") == "/p/My_App/compose.yaml: service web: colour: unknown key (is it spelled right?)");
    CHECK(message("services:\n  web:\n    image: ${IMG:?set IMG}\n") == "/p/My_App/compose.yaml: service web: image: required variable IMG is missing a value: set IMG");
    CHECK(message("services:\n  web:\n    image: x\n    ports: 80\n") == "/p/My_App/compose.yaml: service web: ports: must be a list, not a scalar");
    CHECK(message("services:\n  web:\n    command: x\n") == "compose.yaml: service web: has neither image nor build: give it an image");
    CHECK(message("services:\n  web:\n    image: x\n    depends_on: [db]\n") == "compose.yaml: service web: depends_on: service \"db\" is not defined");
    CHECK(message("services:\n  web:\n    image: x\n    volumes: [data:/d]\n") == "compose.yaml: service web: volumes: volume \"data\" is not declared in the top-level volumes");
    CHECK(message("services:\n  web:\n    image: x\n    depends_on:\n      db: {condition: healthy}\n  db:\n    image: x\n")
        == "/p/My_App/compose.yaml: service web: depends_on.db.condition: must be service_started, service_healthy or service_completed_successfully, not \"healthy\"");
    CHECK(message("services: [\n").find("/p/My_App/compose.yaml: line ") == 0);
    CHECK(message("servics:\n  web:\n    image: x\n") == "/p/My_App/compose.yaml: servics: unknown key (is it spelled right?)");
}

TEST_CASE("command splitting")
{
    CHECK(split_command(R"(sh -c 'echo "a b"' x\ y "q\"z")").value() == std::vector<std::string> { "sh", "-c", "echo \"a b\"", "x y", "q\"z" });
    CHECK(!split_command("echo 'open"));
}

TEST_CASE("config prints the resolved project")
{
    auto p = load_project(input("services:\n  web:\n    image: busybox:${T:-1}\n    network_mode: none\n")).value();
    CHECK(p.yaml.find("name: my_app") != std::string::npos);
    CHECK(p.yaml.find("image: \"busybox:1\"") != std::string::npos);
}

TEST_CASE("a service on several networks is an alias on each")
{
    auto p = load_project(input("services:\n  a:\n    image: x\n    networks:\n      front:\n        ipv4_address: 10.1.0.5\n      back:\n        aliases: [db]\nnetworks:\n  front:\n  back:\n    name: shared\n")).value();
    CHECK(network_option(p, *p.service("a")) == "my_app_front:alias=a,ip=10.1.0.5,shared:alias=a,alias=db");
}

TEST_CASE("YAML anchors and merge keys share settings between services, as Compose files use them")
{
    auto p = load_project(input("x-common: &common\n  image: busybox\n  network_mode: none\n  environment: {A: '1'}\n"
                                "services:\n  a:\n    <<: *common\n  b:\n    <<: *common\n    environment: {A: '2'}\n"))
                 .value();
    REQUIRE(p.service("a"));
    REQUIRE(p.service("b"));
    CHECK(p.service("a")->image == "busybox");
    CHECK(p.service("b")->image == "busybox");
    CHECK(p.service("b")->network_mode == "none");
    CHECK(has(p.service("a")->environment, "A=1"));
    CHECK(has(p.service("b")->environment, "A=2"));
}

TEST_CASE("run's flags as service keys: privileged, tty, stdin_open, group_add, devices")
{
    auto p = load_project(input("services:\n  web:\n    image: x\n    privileged: true\n    tty: true\n    stdin_open: yes\n"
                                "    group_add: [wheel, 100]\n"
                                "    devices: [/dev/fuse, '/dev/null:/dev/n:r', {source: /dev/zero, target: /dev/z, permissions: rw}]\n"))
                 .value();
    auto o = create_options(p, p.services[0], 1);
    CHECK(o.privileged);
    CHECK(o.tty);
    CHECK(o.interactive);
    CHECK(o.group_add == std::vector<std::string> { "wheel", "100" });
    CHECK(o.devices == std::vector<std::string> { "/dev/fuse", "/dev/null:/dev/n:r", "/dev/zero:/dev/z:rw" });
    auto plain = load_project(input("services:\n  web:\n    image: x\n")).value();
    auto po = create_options(plain, plain.services[0], 1);
    CHECK(!po.privileged);
    CHECK(!po.tty);
    CHECK(po.devices.empty());
    auto message = [](std::string const& text) { return load_project(input(text)).error().message; };
    CHECK(message("services:\n  web:\n    image: x\n    tty: sometimes\n") == "/p/My_App/compose.yaml: service web: tty: must be true or false, not \"sometimes\"");
    CHECK(message("services:\n  web:\n    image: x\n    devices: ['a:b:c:d']\n") == "/p/My_App/compose.yaml: service web: devices[0]: \"a:b:c:d\" is not HOST[:CONTAINER[:PERMISSIONS]]");
    CHECK(message("services:\n  web:\n    image: x\n    devices: [{target: /dev/z}]\n") == "/p/My_App/compose.yaml: service web: devices[0].source: is required");
}

TEST_CASE("resources: mem_limit, memswap_limit, cpus, cpu_shares, pids_limit, shm_size, ulimits, oom_score_adj")
{
    auto p = load_project(input("services:\n  web:\n    image: x\n    mem_limit: 512m\n    memswap_limit: 1g\n    cpus: 0.5\n"
                                "    cpu_shares: 512\n    pids_limit: 100\n    shm_size: 128m\n    oom_score_adj: -10\n"
                                "    ulimits:\n      nproc: 512\n      nofile: {soft: 1024, hard: 2048}\n"))
                 .value();
    auto o = create_options(p, p.services[0], 1);
    CHECK(o.memory == "512m");
    CHECK(o.memory_swap == "1g");
    CHECK(o.cpus == "0.5");
    CHECK(o.cpu_shares == 512);
    CHECK(o.pids_limit == 100);
    CHECK(o.shm_size == "128m");
    CHECK(o.oom_score_adj == -10);
    CHECK(o.ulimits == std::vector<std::string> { "nofile=1024:2048", "nproc=512:512" });
    CHECK(p.yaml.find("ulimits:\n      nofile:\n        soft: 1024\n        hard: 2048\n") != std::string::npos);
    CHECK(p.yaml.find("mem_limit: \"512m\"") != std::string::npos);
    auto message = [](std::string const& text) { return load_project(input("services:\n  web:\n    image: x\n" + text)).error().message; };
    std::string at = "/p/My_App/compose.yaml: service web: ", read_at = "compose.yaml: service web: ";
    CHECK(message("    mem_limit: lots\n").rfind(read_at + "mem_limit: ", 0) == 0);
    CHECK(message("    cpus: many\n").rfind(read_at + "cpus: ", 0) == 0);
    CHECK(message("    shm_size: big\n").rfind(read_at + "shm_size: ", 0) == 0);
    CHECK(message("    mem_limit: 1g\n    memswap_limit: 512m\n") == read_at + "memswap_limit: must be at least mem_limit (it is memory plus swap), and needs mem_limit");
    CHECK(message("    pids_limit: x\n") == at + "pids_limit: must be an integer, not \"x\"");
    CHECK(message("    cpu_shares: -2\n") == read_at + "cpu_shares: must not be negative");
    CHECK(message("    ulimits:\n      nofile: {soft: 1}\n") == at + "ulimits.nofile: needs both soft and hard");
    CHECK(message("    ulimits:\n      bogus: 1\n").rfind(read_at + "ulimits.bogus: ", 0) == 0);
    CHECK(message("    mem_reservation: 1g\n") == at + "mem_reservation: is not supported by berth: berth sets no soft memory limit: remove it, or use mem_limit");
    CHECK(message("    cpuset: 0-1\n") == at + "cpuset: is not supported by berth: berth cannot pin CPUs: remove it");
    // Ignored as `run` ignores --oom-kill-disable and --memory-swappiness on cgroup v2.
    CHECK(load_project(input("services:\n  web:\n    image: x\n    oom_kill_disable: true\n    mem_swappiness: 0\n")));
}

TEST_CASE("sysctls, security_opt, dns, namespaces, platform, pull_policy, logging, volumes_from, annotations")
{
    auto p = load_project(input("services:\n  web:\n    image: x\n    sysctls: [net.core.somaxconn=1024]\n"
                                "    security_opt: [no-new-privileges]\n    dns_search: example.com\n    dns_opt: [ndots:2]\n"
                                "    mac_address: 02:42:ac:11:00:02\n    ipc: service:db\n    pid: host\n    uts: host\n    cgroup: private\n"
                                "    userns_mode: keep-id\n    cgroup_parent: mine\n    platform: linux/arm64\n    pull_policy: never\n"
                                "    logging:\n      driver: json-file\n      options: {max-size: 1m}\n"
                                "    volumes_from: [db:ro, 'container:other']\n    annotations: {a: b}\n    links: [db]\n"
                                "  db:\n    image: x\n    sysctls: {kernel.msgmax: 65536}\n"))
                 .value();
    auto const& web = *p.service("web");
    auto o = create_options(p, web, 1);
    CHECK(o.sysctls == std::vector<std::string> { "net.core.somaxconn=1024" });
    CHECK(o.security_opt == std::vector<std::string> { "no-new-privileges" });
    CHECK(o.dns_search == std::vector<std::string> { "example.com" });
    CHECK(o.dns_options == std::vector<std::string> { "ndots:2" });
    CHECK(o.mac_address == "02:42:ac:11:00:02");
    CHECK(o.ipc == "container:my_app-db-1");
    CHECK(o.pid == "host");
    CHECK(o.uts == "host");
    CHECK(o.cgroupns == "private");
    CHECK(o.userns == "keep-id");
    CHECK(o.cgroup_parent == "mine");
    CHECK(o.platform == "linux/arm64");
    CHECK(o.pull == "never");
    CHECK(o.log_driver == "json-file");
    CHECK(o.log_opts == std::vector<std::string> { "max-size=1m" });
    CHECK(o.volumes_from == std::vector<std::string> { "my_app-db-1:ro", "other" });
    CHECK(o.annotations == std::vector<std::string> { "a=b" });
    // ipc and volumes_from name db: it starts first.
    CHECK(p.services[0].name == "db");
    CHECK(create_options(p, *p.service("db"), 1).sysctls == std::vector<std::string> { "kernel.msgmax=65536" });
    auto message = [](std::string const& text) { return load_project(input("services:\n  web:\n    image: x\n" + text)).error().message; };
    std::string at = "/p/My_App/compose.yaml: service web: ", read_at = "compose.yaml: service web: ";
    CHECK(message("    ipc: sideways\n") == read_at + "ipc: unrecognized namespace mode sideways passed");
    CHECK(message("    pid: service:nope\n") == "compose.yaml: service web: pid: service \"nope\" is not defined");
    CHECK(message("    volumes_from: [nope]\n") == "compose.yaml: service web: volumes_from: service \"nope\" is not defined");
    CHECK(message("    volumes_from: ['container:c:rx']\n") == read_at + "volumes_from: \"container:c:rx\" is not [service:]NAME[:ro|rw] or container:NAME[:ro|rw]");
    CHECK(message("    cgroup: shared\n") == read_at + "cgroup: must be host or private, not \"shared\"");
    CHECK(message("    userns_mode: sideways\n").rfind(read_at + "userns_mode: ", 0) == 0);
    CHECK(message("    pull_policy: sometimes\n") == read_at + "pull_policy: must be always, never, missing or build, not \"sometimes\"");
    CHECK(message("    pull_policy: build\n") == read_at + "pull_policy: build needs a build: section");
    CHECK(message("    sysctls: [net.core.somaxconn]\n") == read_at + "sysctls.net.core.somaxconn: has no value: give KEY=VALUE");
    CHECK(message("    logging: {driver: x, format: y}\n") == at + "logging.format: unknown key (is it spelled right?)");
    CHECK(message("    links: ['db:database']\n  db:\n    image: x\n")
        == read_at + "links: \"db:database\": berth does not make link aliases: give service db networks.NAME.aliases: [database] instead");
    CHECK(message("    domainname: example.com\n") == at + "domainname: is not supported by berth: berth does not set the container's domain name: remove it");
}

TEST_CASE("secrets: top-level file, environment and external; a service's short and long syntax")
{
    auto p = load_project(input("services:\n  web:\n    image: x\n    secrets:\n      - pw\n"
                                "      - {source: tok, target: /etc/tok, uid: '1', gid: '2', mode: 0400}\n      - {source: ext, mode: 288}\n"
                                "secrets:\n  pw: {file: ./pw.txt}\n  tok: {environment: TOKEN}\n  ext: {external: true}\n",
                              { { "TOKEN", "abc" } }))
                 .value();
    REQUIRE(p.secrets.size() == 3);
    auto const* pw = p.secret("pw");
    REQUIRE(pw);
    CHECK(pw->name == "my_app_pw");
    CHECK(pw->file == "/p/My_App/pw.txt");
    CHECK(p.secret("tok")->value == "abc");
    CHECK(p.secret("ext")->name == "ext");
    CHECK(p.secret("ext")->external);
    auto o = create_options(p, p.services[0], 1);
    CHECK(o.secrets == std::vector<std::string> { "my_app_pw,type=mount,target=pw", "my_app_tok,type=mount,target=/etc/tok,uid=1,gid=2,mode=0400",
                           "ext,type=mount,target=ext,mode=0440" });
    CHECK(p.yaml.find("\n  ext:\n    name: ext\n    external: true\n") != std::string::npos);
    CHECK(p.yaml.find("abc") == std::string::npos);  // a variable's value is not printed
    auto message = [](std::string const& text) { return load_project(input("services:\n  web:\n    image: x\n" + text)).error().message; };
    std::string at = "/p/My_App/compose.yaml: service web: ", read_at = "compose.yaml: service web: ";
    CHECK(message("    secrets: [nope]\n") == "compose.yaml: service web: secrets: secret \"nope\" is not declared in the top-level secrets");
    CHECK(message("    secrets: [{source: s, mode: '0999'}]\nsecrets:\n  s: {file: f}\n") == read_at + "secrets[0]: --secret s,type=mount,target=s,mode=0999: mode 0999 invalid: use an octal mode such as 0400");
    CHECK(message("    secrets: [{target: t}]\n") == at + "secrets[0].source: is required");
    CHECK(message("secrets:\n  s: {file: f, environment: E}\n") == "/p/My_App/compose.yaml: secrets.s: give exactly one of file, environment or external: true");
    CHECK(message("secrets:\n  s: {file: f, driver: vault}\n") == "/p/My_App/compose.yaml: secrets.s.driver: berth's secrets have the file driver only: remove it");
}
