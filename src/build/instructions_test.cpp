// Every instruction in each of its forms, its errors (with their line), and
// what expand() substitutes.
#include "build/containerfile.h"
#include "build/instructions.h"

#include <doctest/doctest.h>

using namespace berth::build;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

namespace {

/// Parses "FROM base" plus `line` and returns the one instruction.
Instruction one(std::string_view line)
{
    auto file = parse_containerfile("FROM base\n" + std::string(line) + "\n");
    REQUIRE_MESSAGE(file.has_value(), file.error().message);
    REQUIRE(file->stages.at(0).instructions.size() == 1);
    return file->stages[0].instructions[0];
}

template<typename T>
T body(std::string_view line)
{
    auto instruction = one(line);
    REQUIRE_MESSAGE(instruction.as<T>() != nullptr, "wrong instruction type for ", std::string(line));
    return *instruction.as<T>();
}

/// The error for `line` as the second line of a Containerfile.
std::string error(std::string_view line)
{
    auto file = parse_containerfile("FROM base\n" + std::string(line) + "\n");
    REQUIRE_MESSAGE(!file.has_value(), "parsed although an error was expected: ", std::string(line));
    return file.error().message;
}

Instruction expanded(std::string_view line, Environment const& env)
{
    auto file = parse_containerfile("FROM base\n" + std::string(line) + "\n");
    REQUIRE_MESSAGE(file.has_value(), file.error().message);
    auto out = expand(*file, file->stages[0].instructions.at(0), env);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    return std::move(out).value();
}

Environment const env { { "DIR", "/opt/app" }, { "USER_NAME", "app" }, { "PORTS", "80 443/tcp" }, { "V", "1.2" },
    { "SPACED", "a b" } };

} // namespace

TEST_CASE("FROM: image, --platform, AS name")
{
    auto file = parse_containerfile("FROM --platform=$BUILDPLATFORM golang:1.22 AS Builder\nFROM scratch\n");
    REQUIRE(file.has_value());
    CHECK(file->stages[0].from == From { "golang:1.22", "$BUILDPLATFORM", "builder" });
    CHECK(file->stages[1].from == From { "scratch", "", "" });
}

TEST_CASE("FROM errors")
{
    auto check = [](std::string_view text, std::string_view message) {
        auto file = parse_containerfile(text);
        REQUIRE(!file.has_value());
        CHECK(file.error().message == message);
    };
    check("FROM\n", "Containerfile:1: FROM needs an image and optionally a stage name: FROM image [AS name]");
    check("FROM a b\n", "Containerfile:1: FROM needs an image and optionally a stage name: FROM image [AS name]");
    check("FROM a AS\n", "Containerfile:1: FROM needs an image and optionally a stage name: FROM image [AS name]");
    check("FROM a IS b\n", "Containerfile:1: FROM needs an image and optionally a stage name: FROM image [AS name]");
    check("FROM a AS 1st\n", "Containerfile:1: FROM: invalid stage name \"1st\": start with a letter, then use letters, digits, '-', '_' or '.'");
    check("FROM a AS b/c\n", "Containerfile:1: FROM: invalid stage name \"b/c\": start with a letter, then use letters, digits, '-', '_' or '.'");
    check("FROM --plat=x a\n", "Containerfile:1: FROM: unknown flag --plat (FROM takes --platform)");
    check("FROM --platform a\n", "Containerfile:1: FROM: --platform needs a value: --platform=...");
    check("FROM --platform=a --platform=b c\n", "Containerfile:1: FROM: --platform is given twice: keep one");
}

TEST_CASE("RUN: shell form keeps the text, exec form decodes JSON")
{
    auto shell = body<Run>("RUN echo \"hello  world\" && ls -l $HOME");
    CHECK(shell.command.form == Command::Form::Shell);
    CHECK(shell.command.shell == "echo \"hello  world\" && ls -l $HOME");
    CHECK(shell.command.argv({ "/bin/sh", "-c" }) == Strings { "/bin/sh", "-c", "echo \"hello  world\" && ls -l $HOME" });

    auto exec = body<Run>("RUN [\"/bin/echo\", \"a \\\"b\\\"\", \"$HOME\"]");
    CHECK(exec.command.form == Command::Form::Exec);
    CHECK(exec.command.exec == Strings { "/bin/echo", "a \"b\"", "$HOME" });
    CHECK(exec.command.argv({ "/bin/sh", "-c" }) == exec.command.exec);
}

TEST_CASE("RUN: text that only looks like JSON is shell form")
{
    CHECK(body<Run>("RUN [ -f /x ] && echo yes").command.shell == "[ -f /x ] && echo yes");
    CHECK(body<Run>("RUN [\"a\", 'b']").command.form == Command::Form::Shell);
    CHECK(body<Run>("RUN [\"a\"").command.form == Command::Form::Shell);
}

TEST_CASE("RUN: a JSON array of non-strings is an error")
{
    CHECK(error("RUN [\"a\", 1]") == "Containerfile:2: RUN: the JSON array must hold strings only: RUN [\"executable\", \"arg\"]");
}

TEST_CASE("RUN: --mount of every type")
{
    auto run = body<Run>("RUN --mount=type=cache,target=/root/.cache,id=pip,sharing=locked,mode=0755,uid=1000,gid=1000 "
                         "--mount=type=bind,source=go.sum,target=/src/go.sum,from=deps "
                         "--mount=type=tmpfs,target=/tmp,size=64m "
                         "--mount=type=secret,id=npmrc,required "
                         "--mount=type=secret,id=token,env=TOKEN "
                         "--mount=type=ssh "
                         "--mount=target=/ctx "
                         "--network=none --security=insecure pip install .");
    REQUIRE(run.mounts.size() == 7);
    auto const& cache = run.mounts[0];
    CHECK(cache.type == MountType::Cache);
    CHECK(cache.target == "/root/.cache");
    CHECK(cache.id == "pip");
    CHECK(cache.sharing == CacheSharing::Locked);
    CHECK(cache.mode == 0755u);
    CHECK(cache.uid == 1000u);
    CHECK(cache.gid == 1000u);
    CHECK_FALSE(cache.read_only);
    auto const& bind = run.mounts[1];
    CHECK(bind.type == MountType::Bind);
    CHECK(bind.source == "go.sum");
    CHECK(bind.from == "deps");
    CHECK(bind.read_only);
    CHECK(run.mounts[2].type == MountType::Tmpfs);
    CHECK(run.mounts[2].size == 64u << 20);
    CHECK(run.mounts[3].type == MountType::Secret);
    CHECK(run.mounts[3].target == "/run/secrets/npmrc");
    CHECK(run.mounts[3].required);
    CHECK(run.mounts[4].env == "TOKEN");
    CHECK(run.mounts[4].target.empty());
    CHECK(run.mounts[5].type == MountType::Ssh);
    CHECK(run.mounts[5].id == "default");
    CHECK(run.mounts[6].type == MountType::Bind);
    CHECK(run.mounts[6].target == "/ctx");
    CHECK(run.network == "none");
    CHECK(run.security == "insecure");
    CHECK(run.command.shell == "pip install .");
}

TEST_CASE("Mount::parse details")
{
    auto parse = [](std::string_view spec) {
        auto out = Mount::parse(spec);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        return *out;
    };
    CHECK(parse("target=/a,type=cache").type == MountType::Cache);   // type may come last
    CHECK(parse("type=bind,target=/a,rw").read_only == false);
    CHECK(parse("type=bind,target=/a,readwrite=true").read_only == false);
    CHECK(parse("type=cache,target=/a,ro").read_only == true);
    CHECK(parse("type=cache,target=/a,readonly=false").read_only == false);
    CHECK(parse("type=bind,dst=/a,src=b").source == "b");
    CHECK(parse("type=bind,destination=/a").target == "/a");
    CHECK(parse("type=secret,target=/etc/key").id == "key");
    CHECK(parse("type=bind,target=\"/a,b\"").target == "/a,b");
    CHECK(parse("TYPE=tmpfs,target=/t,size=1G").size == 1ull << 30);
    CHECK(parse("type=tmpfs,target=/t,size=100").size == 100u);
    CHECK(parse("type=tmpfs,target=/t,size=2kb").size == 2048u);
    CHECK(parse("type=cache,target=/a,sharing=private").sharing == CacheSharing::Private);
    CHECK(parse("type=bind,,target=/a, ").target == "/a");   // empty options are skipped
}

TEST_CASE("Mount::str is canonical and parses back to the same mount")
{
    for (std::string_view spec : { "type=cache,target=/root/.cache,sharing=locked,id=pip,mode=700,uid=1,gid=2",
                                   "target=/src,type=bind,from=builder,source=/out,rw",
                                   "type=secret,id=token,required,env=TOKEN",
                                   "type=tmpfs,target=/t,size=64m",
                                   "type=bind,target=\"/a,b\"" }) {
        auto mount = Mount::parse(spec);
        REQUIRE_MESSAGE(mount.has_value(), mount.error().message);
        auto again = Mount::parse(mount->str());
        REQUIRE_MESSAGE(again.has_value(), mount->str());
        CHECK_MESSAGE(*again == *mount, mount->str());
    }
    CHECK(Mount::parse("target=/x,type=cache").value().str() == "type=cache,target=/x");
    CHECK(Mount::parse("type=bind,target=/x,source=.").value().str() == "type=bind,target=/x,source=.");
    CHECK(Mount::parse("type=cache,target=/x,ro").value().str() == "type=cache,target=/x,ro");
}

TEST_CASE("Mount::parse errors")
{
    auto error_of = [](std::string_view spec) {
        auto out = Mount::parse(spec);
        REQUIRE(!out.has_value());
        return out.error().message;
    };
    CHECK(error_of("type=volume,target=/a") == "--mount type=volume: use bind, cache, tmpfs, secret or ssh");
    CHECK(error_of("type=cache") == "--mount needs a target: target=/path/in/container");
    CHECK(error_of("type=secret") == "--mount type=secret needs an id or a target: id=NAME");
    CHECK(error_of("type=cache,target=/a,sharing=all") == "--mount sharing=all: use shared, private or locked");
    CHECK(error_of("type=cache,target=/a,mode=9") == "--mount mode=9: not an octal number");
    CHECK(error_of("type=cache,target=/a,uid=-1") == "--mount uid=-1: not a number");
    CHECK(error_of("type=bind,target=/a,ro=maybe") == "--mount ro=maybe: use true or false");
    CHECK(error_of("type=bind,target=/a,size=1m") == "--mount: unknown option \"size\" for a bind mount");
    CHECK(error_of("type=bind,target=/a,bogus") == "--mount: unknown option \"bogus\" for a bind mount");
    CHECK(error_of("type=tmpfs,target=/a,size=lots") == "--mount size=lots: use bytes or a size like 64m");
    CHECK(error_of("type=bind,target") == "--mount target needs a value: target=...");
    CHECK(error_of("type") == "--mount type needs a value: type=bind|cache|tmpfs|secret|ssh");
}

TEST_CASE("RUN errors name the line and the fix")
{
    CHECK(error("RUN") == "Containerfile:2: RUN needs a command: RUN command, or RUN [\"executable\", \"arg\"]");
    CHECK(error("RUN --network=bridge true") == "Containerfile:2: RUN: --network=bridge: use default, none or host");
    CHECK(error("RUN --security=x true") == "Containerfile:2: RUN: --security=x: use sandbox or insecure");
    CHECK(error("RUN --mount=type=cache true") == "Containerfile:2: RUN: --mount needs a target: target=/path/in/container");
    CHECK(error("RUN --privileged true") == "Containerfile:2: RUN: unknown flag --privileged (RUN takes --mount, --network, --security)");
    CHECK(error("RUN --network=host --network=none true") == "Containerfile:2: RUN: --network is given twice: keep one");
}

TEST_CASE("CMD and ENTRYPOINT: both forms")
{
    CHECK(body<Cmd>("CMD [\"nginx\", \"-g\", \"daemon off;\"]").command.exec == Strings { "nginx", "-g", "daemon off;" });
    CHECK(body<Cmd>("CMD echo $HOME").command.shell == "echo $HOME");
    CHECK(body<Cmd>("CMD []").command == Command { Command::Form::Exec, "", {} });
    CHECK(body<Entrypoint>("ENTRYPOINT [\"/init\"]").command.exec == Strings { "/init" });
    CHECK(body<Entrypoint>("ENTRYPOINT exec top -b").command.shell == "exec top -b");
    CHECK(error("CMD") == "Containerfile:2: CMD needs a command: CMD [\"executable\", \"arg\"], or CMD command");
    CHECK(error("ENTRYPOINT [1]") == "Containerfile:2: ENTRYPOINT: the JSON array must hold strings only: ENTRYPOINT [\"executable\", \"arg\"]");
    // Docker reads leading --words as flags on every instruction.
    CHECK(error("CMD --help") == "Containerfile:2: CMD: unknown flag --help (CMD takes no flags)");
}

TEST_CASE("LABEL: several pairs, quotes kept until expansion, the old form")
{
    auto label = body<Label>("LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 description=\"multi \\\n  line\"");
    REQUIRE(label.labels.size() == 3);
    CHECK(label.labels[0] == KeyValue { "\"com.example.vendor\"", "\"ACME Inc\"" });
    CHECK(label.labels[1] == KeyValue { "version", "1.0" });
    CHECK(label.labels[2] == KeyValue { "description", "\"multi   line\"" });
    CHECK(body<Label>("LABEL maintainer some one").labels == std::vector<KeyValue> { { "maintainer", "some one" } });
    CHECK(body<Label>("LABEL a=").labels == std::vector<KeyValue> { { "a", "" } });
    CHECK(body<Label>("LABEL \"a=b\"=c").labels == std::vector<KeyValue> { { "\"a=b\"", "c" } });

    auto expanded_label = expanded("LABEL \"com.example.vendor\"=\"ACME Inc\" dir=$DIR 'raw'='$DIR'", env);
    CHECK(expanded_label.as<Label>()->labels ==
        std::vector<KeyValue> { { "com.example.vendor", "ACME Inc" }, { "dir", "/opt/app" }, { "raw", "$DIR" } });
}

TEST_CASE("LABEL and ENV errors")
{
    CHECK(error("LABEL") == "Containerfile:2: LABEL needs at least one key=value: LABEL key=value ...");
    CHECK(error("LABEL a=b c") == "Containerfile:2: LABEL: \"c\" is not key=value: write c=\"...\"");
    CHECK(error("LABEL =b") == "Containerfile:2: LABEL: \"=b\" has an empty key: LABEL key=value ...");
    CHECK(error("ENV ONLYKEY") == "Containerfile:2: ENV ONLYKEY needs a value: ENV key=value ...");
    CHECK(error("ENV a=1 =2") == "Containerfile:2: ENV: \"=2\" has an empty key: ENV key=value ...");
}

TEST_CASE("ENV: both forms")
{
    CHECK(body<Env>("ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog MY_CAT=fluffy").variables ==
        std::vector<KeyValue> { { "MY_NAME", "\"John Doe\"" }, { "MY_DOG", "Rex\\ The\\ Dog" }, { "MY_CAT", "fluffy" } });
    CHECK(body<Env>("ENV MY_VAR my-value with  spaces").variables == std::vector<KeyValue> { { "MY_VAR", "my-value with  spaces" } });

    auto env_out = expanded("ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog HOME_DIR=$DIR/home", env);
    CHECK(env_out.as<Env>()->variables ==
        std::vector<KeyValue> { { "MY_NAME", "John Doe" }, { "MY_DOG", "Rex The Dog" }, { "HOME_DIR", "/opt/app/home" } });
    CHECK(expanded("ENV OLD \"quoted\" $V", env).as<Env>()->variables == std::vector<KeyValue> { { "OLD", "quoted 1.2" } });
}

TEST_CASE("MAINTAINER keeps the name")
{
    CHECK(body<Maintainer>("MAINTAINER Jane Doe <jane@example.com>").name == "Jane Doe <jane@example.com>");
    CHECK(error("MAINTAINER") ==
        "Containerfile:2: MAINTAINER needs an argument: MAINTAINER name (better: LABEL org.opencontainers.image.authors=name)");
}

TEST_CASE("EXPOSE: ports, and variables that hold several")
{
    CHECK(body<Expose>("EXPOSE 80 443/tcp 53/udp 8000-8010").ports == Strings { "80", "443/tcp", "53/udp", "8000-8010" });
    CHECK(expanded("EXPOSE $PORTS 9000", env).as<Expose>()->ports == Strings { "80", "443/tcp", "9000" });
    CHECK(expanded("EXPOSE \"$PORTS\"", env).as<Expose>()->ports == Strings { "80 443/tcp" });
    CHECK(error("EXPOSE") == "Containerfile:2: EXPOSE needs at least one port: EXPOSE 80/tcp 53/udp");
}

TEST_CASE("COPY: sources, destination, every flag")
{
    auto copy = body<Copy>("COPY --from=build --chown=app:app --chmod=0644 --link --parents --exclude=*.md --exclude=tmp a b /dest/");
    CHECK(copy.sources == Strings { "a", "b" });
    CHECK(copy.destination == "/dest/");
    CHECK(copy.from == "build");
    CHECK(copy.chown == "app:app");
    CHECK(copy.chmod == "0644");
    CHECK(copy.link);
    CHECK(copy.parents);
    CHECK(copy.excludes == Strings { "*.md", "tmp" });
    CHECK_FALSE(body<Copy>("COPY --link=false a b").link);
    CHECK(body<Copy>("COPY [\"my file.txt\", \"other\", \"/dest dir/\"]").sources == Strings { "my file.txt", "other" });
    CHECK(body<Copy>("COPY [\"my file.txt\", \"/dest dir/\"]").destination == "/dest dir/");
}

TEST_CASE("COPY and ADD errors")
{
    CHECK(error("COPY onlyone") == "Containerfile:2: COPY needs at least a source and a destination: COPY <src>... <dest>");
    CHECK(error("COPY") == "Containerfile:2: COPY needs at least a source and a destination: COPY <src>... <dest>");
    CHECK(error("COPY [\"a\"]") == "Containerfile:2: COPY needs at least a source and a destination: COPY <src>... <dest>");
    CHECK(error("ADD x") == "Containerfile:2: ADD needs at least a source and a destination: ADD <src>... <dest>");
    CHECK(error("COPY --checksum=sha256:0 a b").starts_with("Containerfile:2: COPY: unknown flag --checksum (COPY takes --from, "));
    CHECK(error("ADD --from=x a b").starts_with("Containerfile:2: ADD: unknown flag --from"));
    CHECK(error("COPY --link=yes a b") == "Containerfile:2: COPY: --link=yes: use --link or --link=false");
    CHECK(error("COPY --from a b") == "Containerfile:2: COPY: --from needs a value: --from=...");
}

TEST_CASE("ADD: its own flags")
{
    auto add = body<Add>("ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d --keep-git-dir --chown=1 https://example.com/a.tar.gz /");
    CHECK(add.checksum.starts_with("sha256:2445"));
    CHECK(add.keep_git_dir);
    CHECK(add.chown == "1");
    CHECK(add.sources == Strings { "https://example.com/a.tar.gz" });
    CHECK(add.destination == "/");
}

TEST_CASE("COPY and ADD expansion covers paths and flags")
{
    Environment e = env;
    e["STAGE"] = "builder";
    auto copy = expanded("COPY --from=$STAGE --chown=${USER_NAME}:${USER_NAME} --exclude=$V $DIR/bin \"$SPACED\" ${DIR}/", e);
    auto const* c = copy.as<Copy>();
    CHECK(c->from == "builder");
    CHECK(c->chown == "app:app");
    CHECK(c->excludes == Strings { "1.2" });
    CHECK(c->sources == Strings { "/opt/app/bin", "a b" });
    CHECK(c->destination == "/opt/app/");
    CHECK(expanded("ADD --checksum=$V a b", e).as<Add>()->checksum == "1.2");
    CHECK(expanded("COPY [\"$DIR\", \"/x\"]", e).as<Copy>()->sources == Strings { "/opt/app" });
}

TEST_CASE("VOLUME: JSON or words")
{
    CHECK(body<Volume>("VOLUME /data /logs").paths == Strings { "/data", "/logs" });
    CHECK(body<Volume>("VOLUME [\"/data\", \"/my logs\"]").paths == Strings { "/data", "/my logs" });
    CHECK(expanded("VOLUME $DIR/data", env).as<Volume>()->paths == Strings { "/opt/app/data" });
    CHECK(error("VOLUME") == "Containerfile:2: VOLUME needs at least one path: VOLUME /data, or VOLUME [\"/data\"]");
    CHECK(error("VOLUME []") == "Containerfile:2: VOLUME needs at least one path: VOLUME /data, or VOLUME [\"/data\"]");
    CHECK(error("VOLUME [\"\"]") == "Containerfile:2: VOLUME: a path is empty: remove the \"\"");
}

TEST_CASE("USER, WORKDIR, STOPSIGNAL: the rest of the line")
{
    CHECK(body<User>("USER app:staff").user == "app:staff");
    CHECK(body<Workdir>("WORKDIR /my dir").path == "/my dir");
    CHECK(body<Stopsignal>("STOPSIGNAL SIGQUIT").signal == "SIGQUIT");
    CHECK(expanded("USER ${USER_NAME}:${GROUP:-users}", env).as<User>()->user == "app:users");
    CHECK(expanded("WORKDIR $DIR/src", env).as<Workdir>()->path == "/opt/app/src");
    CHECK(expanded("WORKDIR \"/a b\"", env).as<Workdir>()->path == "/a b");
    CHECK(expanded("STOPSIGNAL ${SIG:-SIGINT}", env).as<Stopsignal>()->signal == "SIGINT");
    CHECK(error("USER") == "Containerfile:2: USER needs an argument: USER name[:group] or USER uid[:gid]");
    CHECK(error("WORKDIR") == "Containerfile:2: WORKDIR needs an argument: WORKDIR /path");
    CHECK(error("STOPSIGNAL") == "Containerfile:2: STOPSIGNAL needs an argument: STOPSIGNAL SIGTERM");
    CHECK(error("USER --uid=1 x") == "Containerfile:2: USER: unknown flag --uid (USER takes no flags)");
}

TEST_CASE("ARG: several, with and without defaults, expanded defaults")
{
    CHECK(body<Arg>("ARG A B=2 C=\"x y\"").args ==
        std::vector<ArgDeclaration> { { "A", std::nullopt }, { "B", "2" }, { "C", "\"x y\"" } });
    CHECK(body<Arg>("ARG EMPTY=").args == std::vector<ArgDeclaration> { { "EMPTY", "" } });
    auto arg = expanded("ARG A B=$V C=\"${DIR}/x y\"", env);
    CHECK(arg.as<Arg>()->args == std::vector<ArgDeclaration> { { "A", std::nullopt }, { "B", "1.2" }, { "C", "/opt/app/x y" } });
    CHECK(error("ARG") == "Containerfile:2: ARG needs a name: ARG name[=default]");
    CHECK(error("ARG =x") == "Containerfile:2: ARG: \"=x\" has no name: ARG name[=default]");
}

TEST_CASE("ONBUILD wraps another instruction, not substituted now")
{
    auto onbuild = one("ONBUILD RUN --mount=type=cache,target=/c make $TARGET");
    auto const* trigger = onbuild.as<Onbuild>();
    REQUIRE(trigger);
    CHECK(trigger->trigger == "RUN --mount=type=cache,target=/c make $TARGET");
    REQUIRE(trigger->instruction.size() == 1);
    CHECK(trigger->instruction[0].keyword == "RUN");
    CHECK(trigger->instruction[0].line == 2);
    CHECK(trigger->instruction[0].as<Run>()->mounts.at(0).target == "/c");
    CHECK(body<Onbuild>("onbuild copy . /src").instruction.at(0).keyword == "COPY");
    CHECK(expanded("ONBUILD ADD $DIR /", env) == one("ONBUILD ADD $DIR /"));

    CHECK(error("ONBUILD") == "Containerfile:2: ONBUILD needs an instruction: ONBUILD RUN make");
    CHECK(error("ONBUILD ONBUILD RUN x") == "Containerfile:2: ONBUILD ONBUILD is not allowed: a trigger cannot be ONBUILD, FROM or MAINTAINER");
    CHECK(error("ONBUILD FROM x") == "Containerfile:2: ONBUILD FROM is not allowed: a trigger cannot be ONBUILD, FROM or MAINTAINER");
    CHECK(error("ONBUILD maintainer x") == "Containerfile:2: ONBUILD MAINTAINER is not allowed: a trigger cannot be ONBUILD, FROM or MAINTAINER");
    CHECK(error("ONBUILD RUNN x") == "Containerfile:2: unknown instruction \"RUNN\" (did you mean RUN?)");
    CHECK(error("ONBUILD COPY x") == "Containerfile:2: COPY needs at least a source and a destination: COPY <src>... <dest>");
}

TEST_CASE("HEALTHCHECK: NONE, CMD with every option")
{
    CHECK(body<Healthcheck>("HEALTHCHECK NONE").none);
    CHECK(body<Healthcheck>("healthcheck none").none);
    auto check = body<Healthcheck>("HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s --start-interval=500ms --retries=3 "
                                   "CMD curl -f http://localhost/ || exit 1");
    CHECK_FALSE(check.none);
    CHECK(check.interval == 5min);
    CHECK(check.timeout == 3s);
    CHECK(check.start_period == 90s);
    CHECK(check.start_interval == 500ms);
    CHECK(check.retries == 3);
    CHECK(check.command.shell == "curl -f http://localhost/ || exit 1");
    auto exec = body<Healthcheck>("HEALTHCHECK cmd [\"/bin/check\", \"-q\"]");
    CHECK(exec.command.exec == Strings { "/bin/check", "-q" });
    CHECK(exec.interval == 0s);
    CHECK(exec.retries == 0);
}

TEST_CASE("HEALTHCHECK errors")
{
    CHECK(error("HEALTHCHECK") == "Containerfile:2: HEALTHCHECK needs CMD or NONE: HEALTHCHECK [--interval=30s ...] CMD command");
    CHECK(error("HEALTHCHECK RUN x") == "Containerfile:2: HEALTHCHECK needs CMD or NONE: HEALTHCHECK [--interval=30s ...] CMD command");
    CHECK(error("HEALTHCHECK CMD") == "Containerfile:2: HEALTHCHECK CMD needs a command: HEALTHCHECK CMD curl -f http://localhost/");
    CHECK(error("HEALTHCHECK NONE x") == "Containerfile:2: HEALTHCHECK NONE takes no arguments or flags");
    CHECK(error("HEALTHCHECK --retries=1 NONE") == "Containerfile:2: HEALTHCHECK NONE takes no arguments or flags");
    CHECK(error("HEALTHCHECK --interval=5 CMD x") ==
        "Containerfile:2: HEALTHCHECK: --interval=5: not a duration: use a number and a unit, like 30s, 1m30s or 500ms");
    CHECK(error("HEALTHCHECK --timeout=100us CMD x") == "Containerfile:2: HEALTHCHECK: --timeout=100us is shorter than 1ms");
    CHECK(error("HEALTHCHECK --retries=-1 CMD x") == "Containerfile:2: HEALTHCHECK: --retries=-1: use a number, 0 or more");
    CHECK(error("HEALTHCHECK --retries=many CMD x") == "Containerfile:2: HEALTHCHECK: --retries=many: use a number, 0 or more");
    CHECK(error("HEALTHCHECK --every=1s CMD x").starts_with("Containerfile:2: HEALTHCHECK: unknown flag --every (HEALTHCHECK takes --interval, "));
}

TEST_CASE("Go durations")
{
    CHECK(parse_go_duration("0").value() == 0s);
    CHECK(parse_go_duration("1h2m3s").value() == 3723s);
    CHECK(parse_go_duration("1.5s").value() == 1500ms);
    CHECK(parse_go_duration("+2ms").value() == 2ms);
    CHECK(parse_go_duration("10ns").value() == 10ns);
    CHECK(parse_go_duration("3us").value() == 3us);
    CHECK(parse_go_duration("3\xC2\xB5s").value() == 3us);
    CHECK(parse_go_duration(".5m").value() == 30s);
    CHECK_FALSE(parse_go_duration("").has_value());
    CHECK_FALSE(parse_go_duration("-1s").has_value());
    CHECK_FALSE(parse_go_duration("1").has_value());
    CHECK_FALSE(parse_go_duration("s").has_value());
    CHECK_FALSE(parse_go_duration("1d").has_value());
    CHECK_FALSE(parse_go_duration("1..2s").has_value());
    CHECK_FALSE(parse_go_duration("99999999999h").has_value());
}

TEST_CASE("SHELL needs a JSON array")
{
    CHECK(body<Shell>("SHELL [\"powershell\", \"-command\"]").shell == Strings { "powershell", "-command" });
    CHECK(error("SHELL /bin/bash -c") == "Containerfile:2: SHELL needs a JSON array: SHELL [\"/bin/sh\", \"-c\"]");
    CHECK(error("SHELL []") == "Containerfile:2: SHELL needs a JSON array: SHELL [\"/bin/sh\", \"-c\"]");
    CHECK(error("SHELL [true]") == "Containerfile:2: SHELL: the JSON array must hold strings only: SHELL [\"/bin/sh\", \"-c\"]");
}

TEST_CASE("unknown instructions suggest the nearest one")
{
    CHECK(error("RUNN make") == "Containerfile:2: unknown instruction \"RUNN\" (did you mean RUN?)");
    CHECK(error("cpoy a b") == "Containerfile:2: unknown instruction \"CPOY\" (did you mean COPY?)");
    CHECK(error("ENTRYPINT x") == "Containerfile:2: unknown instruction \"ENTRYPINT\" (did you mean ENTRYPOINT?)");
    CHECK(error("WORKDIRR /") == "Containerfile:2: unknown instruction \"WORKDIRR\" (did you mean WORKDIR?)");
    CHECK(error("FOOBARBAZ x") ==
        "Containerfile:2: unknown instruction \"FOOBARBAZ\": instructions are FROM, RUN, COPY, ... (see the Dockerfile reference)");
}

TEST_CASE("expand: FROM with the global ARGs, and what is left alone")
{
    auto file = parse_containerfile("ARG V=3\nFROM --platform=${PLATFORM:-linux/amd64} alpine:${V}\nRUN echo $V\nCMD echo $V\n"
                                    "HEALTHCHECK CMD echo $V\nSHELL [\"/bin/$V\"]\nMAINTAINER $V\n");
    REQUIRE(file.has_value());
    auto expanded_from = expand_from(*file, file->stages[0], { { "V", "3.19" } });
    REQUIRE(expanded_from.has_value());
    CHECK(*expanded_from == From { "alpine:3.19", "linux/amd64", "" });
    auto bad_from = expand_from(*file, file->stages[0], { { "PLATFORM", "${" } });
    CHECK(bad_from.has_value());   // a value is not substituted again
    auto unset = parse_containerfile("FROM ${IMAGE:?required}\n");
    REQUIRE(unset.has_value());
    CHECK(expand_from(*unset, unset->stages[0], {}).error().message == "Containerfile:1: FROM: IMAGE: required");
    for (auto const& instruction : file->stages[0].instructions) {
        auto out = expand(*file, instruction, { { "V", "x" } });
        REQUIRE(out.has_value());
        CHECK(*out == instruction);
    }
}

TEST_CASE("expand: RUN --mount values substitute")
{
    auto run = expanded("RUN --mount=type=cache,target=$DIR/cache,id=${V} make", env);
    REQUIRE(run.as<Run>()->mounts.size() == 1);
    CHECK(run.as<Run>()->mounts[0].target == "/opt/app/cache");
    CHECK(run.as<Run>()->mounts[0].id == "1.2");
    CHECK(run.as<Run>()->command.shell == "make");

    // A mount that only parses once substituted waits for expand().
    auto deferred = body<Run>("RUN --mount=type=$KIND,target=/a --mount=type=tmpfs,target=/t true");
    REQUIRE(deferred.mounts.size() == 1);
    CHECK(deferred.mounts[0].type == MountType::Tmpfs);
    auto both = expanded("RUN --mount=type=$KIND,target=/a --mount=type=tmpfs,target=/t true", { { "KIND", "cache" } });
    REQUIRE(both.as<Run>()->mounts.size() == 2);
    CHECK(both.as<Run>()->mounts[0].type == MountType::Cache);
}

TEST_CASE("expand: errors carry the file, line and instruction")
{
    auto file = parse_containerfile("FROM a\n\nWORKDIR ${DIR:?set DIR with --build-arg}\nRUN --mount=type=$T true\nENV A=\"open\n");
    REQUIRE(file.has_value());
    auto const& instructions = file->stages[0].instructions;
    auto workdir = expand(*file, instructions[0], {});
    REQUIRE(!workdir.has_value());
    CHECK(workdir.error().message == "Containerfile:3: WORKDIR: DIR: set DIR with --build-arg");
    auto run = expand(*file, instructions[1], { { "T", "nfs" } });
    REQUIRE(!run.has_value());
    CHECK(run.error().message == "Containerfile:4: RUN: --mount type=nfs: use bind, cache, tmpfs, secret or ssh");
    auto env_error = expand(*file, instructions[2], {});
    REQUIRE(!env_error.has_value());
    CHECK(env_error.error().message == "Containerfile:5: ENV: unterminated double quote in \"\"open\"");
}

TEST_CASE("expand honours the escape directive")
{
    auto file = parse_containerfile("# escape=`\nFROM a\nWORKDIR C:\\$DIR `$DIR\n");
    REQUIRE(file.has_value());
    auto out = expand(*file, file->stages[0].instructions.at(0), env);
    REQUIRE(out.has_value());
    CHECK(out->as<Workdir>()->path == "C:\\/opt/app $DIR");
}

TEST_CASE("parse_instruction reads one trigger line")
{
    auto trigger = parse_instruction("COPY --chown=1 . /app", '\\', "image", 1);
    REQUIRE(trigger.has_value());
    CHECK(trigger->as<Copy>()->chown == "1");
    auto bad = parse_instruction("FOO", '\\', "ONBUILD trigger", 1);
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message.starts_with("ONBUILD trigger:1: unknown instruction \"FOO\""));
}
