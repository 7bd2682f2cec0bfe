// Unit tests of the run/create flag grammars that are pure text: --env-merge,
// --label-file, --entrypoint's JSON form, --passwd-entry templates and the
// namespace flags (--ipc, --uts, --cgroupns), --secret; and the environment layers they
// feed (--unsetenv, --unsetenv-all, containers.conf's env).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "container/options.h"
#include "container/spec_builder.h"

#include <algorithm>
#include <doctest/doctest.h>

using namespace berth;
using namespace berth::container;

TEST_CASE("--env-merge expands ${VAR} and $VAR from the environment so far")
{
    std::vector<std::string> env { "PATH=/bin", "HELLO=world", "EMPTY=" };
    CHECK(expand_env_merge("PATH=${PATH}:/opt/bin", env).value() == "PATH=/bin:/opt/bin");
    CHECK(expand_env_merge("GREETING=$HELLO-some", env).value() == "GREETING=world-some");
    CHECK(expand_env_merge("X=${MISSING}end", env).value() == "X=end");
    CHECK(expand_env_merge("X=a$", env).value() == "X=a$");
    CHECK(expand_env_merge("X=$1", env).value() == "X=");  // as the shell: an unset variable
    CHECK(expand_env_merge("NAME", env).value() == "NAME");
    // The last definition of a name counts.
    CHECK(expand_env_merge("Y=${HELLO}", { "HELLO=a", "HELLO=b" }).value() == "Y=b");
    // Podman: "Missing ':' in substitution"; berth names the missing brace.
    auto unclosed = expand_env_merge("X=${HELLO", env);
    REQUIRE_FALSE(unclosed.has_value());
    CHECK(unclosed.error().message.find("--env-merge X=${HELLO") != std::string::npos);
}

TEST_CASE("--label-file: KEY=VALUE lines, KEY alone is an empty value, comments and blanks skipped")
{
    auto labels = parse_label_file("# a comment\n\na=1\r\n  b=two words\nflag\nc=x=y\n");
    CHECK(labels == std::vector<std::string> { "a=1", "b=two words", "flag=", "c=x=y" });
    CHECK(parse_label_file("").empty());
}

TEST_CASE("--entrypoint: a JSON array of strings is the argv, anything else one word")
{
    CHECK(entrypoint_words(R"(["echo","a b"])") == std::vector<std::string> { "echo", "a b" });
    CHECK(entrypoint_words("/bin/sh") == std::vector<std::string> { "/bin/sh" });
    CHECK(entrypoint_words("").empty());
    CHECK(entrypoint_words("[not json") == std::vector<std::string> { "[not json" });
    CHECK(entrypoint_words("[1,2]") == std::vector<std::string> { "[1,2]" });
    CHECK(entrypoint_words("[]").empty());

    image::ImageConfig img;
    img.entrypoint = { "/init" };
    img.cmd = { "serve" };
    CreateOptions o;
    o.entrypoint = R"(["sh","-c"])";
    o.command = { "echo hi" };
    CHECK(resolve_args(img, o) == std::vector<std::string> { "sh", "-c", "echo hi" });
}

TEST_CASE("--passwd-entry replaces Podman's variables")
{
    PasswdFields f { "12345", "12345", "0", "container user", "/" };
    CHECK(expand_passwd_entry("$USERNAME:x:$UID:$GID:$NAME:$HOME:/bin/false", f) == "12345:x:12345:0:container user:/:/bin/false");
    CHECK(expand_passwd_entry("plain", f) == "plain");
    CHECK(expand_passwd_entry("$UID$UID", f) == "1234512345");
}

TEST_CASE("namespace flags: private, host, ns:PATH, container:NAME")
{
    using Kind = NamespaceMode::Kind;
    CHECK(parse_namespace_mode("", "--uts").value().kind == Kind::Private);
    CHECK(parse_namespace_mode("private", "--cgroupns").value().kind == Kind::Private);
    CHECK(parse_namespace_mode("shareable", "--ipc").value().kind == Kind::Private);
    CHECK(parse_namespace_mode("none", "--ipc").value().kind == Kind::Private);
    CHECK_FALSE(parse_namespace_mode("none", "--uts").has_value());
    CHECK(parse_namespace_mode("host", "--ipc").value().kind == Kind::Host);
    auto path = parse_namespace_mode("ns:/proc/1/ns/uts", "--uts").value();
    CHECK(path.kind == Kind::Path);
    CHECK(path.value == "/proc/1/ns/uts");
    auto other = parse_namespace_mode("container:web", "--ipc").value();
    CHECK(other.kind == Kind::Container);
    CHECK(other.value == "web");
    CHECK(parse_namespace_mode("container:web", "--pid").value().kind == Kind::Container);
    CHECK(parse_namespace_mode("ns:relative", "--ipc").value().value == "relative");  // the engine's check refuses it
    auto empty = parse_namespace_mode("container:", "--ipc");
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().message == "invalid config provided: namespace mode container requires a value");
    auto bad = parse_namespace_mode("bogus", "--cgroupns");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message == "unrecognized namespace mode bogus passed");
}

TEST_CASE("environment: containers.conf's env under the image's, --env-merge, --unsetenv, --unsetenv-all")
{
    image::ImageConfig img;
    img.env = { "PATH=/img/bin", "FROM_IMAGE=1" };
    CreateOptions o;
    o.default_env = { "FROM_CONF=1", "FROM_IMAGE=conf" };
    o.env = { "USER_SET=1" };
    o.env_merge = { "PATH=${PATH}:/extra", "NEW=${PATH}", "USER_SET=merged" };
    o.unsetenv = { "FROM_CONF" };
    auto env = resolve_env(img, o, {}, "host", "/root").value();
    CHECK(std::find(env.begin(), env.end(), "PATH=/img/bin:/extra") != env.end());
    CHECK(std::find(env.begin(), env.end(), "FROM_IMAGE=1") != env.end());
    CHECK(std::find(env.begin(), env.end(), "USER_SET=1") != env.end());  // -e wins over --env-merge
    CHECK(std::none_of(env.begin(), env.end(), [](auto const& e) { return e.rfind("NEW=", 0) == 0; }));  // only what is set
    CHECK(std::none_of(env.begin(), env.end(), [](auto const& e) { return e.rfind("FROM_CONF=", 0) == 0; }));

    o.unsetenv_all = true;
    env = resolve_env(img, o, {}, "host", "/root").value();
    CHECK(std::none_of(env.begin(), env.end(), [](auto const& e) { return e.rfind("FROM_IMAGE=", 0) == 0; }));
    CHECK(std::find(env.begin(), env.end(), "USER_SET=1") != env.end());
    CHECK(std::none_of(env.begin(), env.end(), [](auto const& e) { return e.rfind("PATH=", 0) == 0; }));
}

TEST_CASE("the new flags survive the container record")
{
    CreateOptions o;
    o.tz = "Asia/Tokyo";
    o.attach = { "stdout" };
    o.timeout = 7;
    o.http_proxy = false;
    o.ipc = "host";
    o.env_merge = { "A=${A}b" };
    o.remove_image = true;
    auto back = CreateOptions::from_json(o.to_json()).value();
    CHECK(back.tz == "Asia/Tokyo");
    CHECK(back.attach == std::vector<std::string> { "stdout" });
    CHECK(back.timeout == 7);
    CHECK(back.http_proxy == std::optional<bool>(false));
    CHECK(back.ipc == "host");
    CHECK(back.env_merge == o.env_merge);
    CHECK(back.remove_image);
    CHECK_FALSE(CreateOptions::from_json(CreateOptions {}.to_json()).value().http_proxy.has_value());
}

TEST_CASE("--secret: mount by default at /run/secrets/NAME, env, targets, ids and mode")
{
    auto plain = parse_secret("token").value();
    CHECK(plain == SecretRequest { SecretRequest::Type::Mount, "token", "/run/secrets/token", 0, 0, 0444 });
    auto full = parse_secret("token,type=mount,target=/etc/app/key,uid=12,gid=34,mode=0400").value();
    CHECK(full == SecretRequest { SecretRequest::Type::Mount, "token", "/etc/app/key", 12, 34, 0400 });
    CHECK(parse_secret("token,target=rel").value().target == "/run/secrets/rel");
    CHECK(parse_secret("token,target=sub/../x").value().target == "/run/secrets/x");
    CHECK(parse_secret("token,target=/run/secrets/../x").value().target == "/run/x");
    auto env = parse_secret("token,type=env").value();
    CHECK(env.type == SecretRequest::Type::Env);
    CHECK(env.target == "token");
    CHECK(parse_secret("token,type=env,target=API_KEY").value().target == "API_KEY");
}

TEST_CASE("--secret: errors name the option and the fix")
{
    auto message = [](std::string const& spec) { return parse_secret(spec).error().message; };
    CHECK(message("") .find("no secret name") != std::string::npos);
    CHECK(message("s,type=file").find("type file is invalid: use type=mount or type=env") != std::string::npos);
    CHECK(message("s,mode=abc").find("mode abc invalid") != std::string::npos);
    CHECK(message("s,mode=0999").find("mode 0999 invalid") != std::string::npos);
    CHECK(message("s,uid=-1").find("uid -1 invalid") != std::string::npos);
    CHECK(message("s,foo=bar").find("option foo=bar invalid") != std::string::npos);
    CHECK(message("s,target").find("option target invalid") != std::string::npos);
    CHECK(message("s,type=env,uid=3").find("UID, GID, Mode options cannot be set with secret type env") != std::string::npos);
    CHECK(message("s,target=/").find("is a directory") != std::string::npos);
}
