#include <doctest/doctest.h>

#include "registry/test_server.h"

#include "base/fs.h"
#include "base/temp_dir.h"
#include "registry/auth.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <sys/stat.h>
#include <vector>

using namespace berth;
using namespace berth::registry;
using berth::registry::test::error_text;

namespace {

/// Points every auth-related environment variable into a temp dir, restoring on exit.
class AuthEnv {
public:
    AuthEnv() : m_dir(TempDir::create("/tmp", "berth-auth-test-").release_value())
    {
        set("HOME", fs::join(m_dir.path(), "home"));
        set("XDG_RUNTIME_DIR", fs::join(m_dir.path(), "run"));
        set("XDG_CONFIG_HOME", fs::join(m_dir.path(), "config"));
        set("DOCKER_CONFIG", fs::join(m_dir.path(), "docker"));
        unset("REGISTRY_AUTH_FILE");
    }
    ~AuthEnv()
    {
        for (auto const& [name, value] : m_saved) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }
    std::string path(std::string const& rel) const { return fs::join(m_dir.path(), rel); }
    void set(std::string const& name, std::string const& value)
    {
        save(name);
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    void unset(std::string const& name)
    {
        save(name);
        ::unsetenv(name.c_str());
    }
    void write(std::string const& rel, std::string const& text) const
    {
        std::string p = path(rel);
        REQUIRE(fs::mkdir_p(p.substr(0, p.rfind('/'))).has_value());
        REQUIRE(fs::write_file_atomic(p, text).has_value());
    }

private:
    void save(std::string const& name)
    {
        if (m_saved.count(name))
            return;
        char const* v = std::getenv(name.c_str());
        m_saved[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    TempDir m_dir;
    std::map<std::string, std::optional<std::string>> m_saved;
};

std::optional<Credentials> lookup(std::string const& key, std::string const& flag = {})
{
    auto r = lookup_credentials(key, flag);
    REQUIRE_MESSAGE(r.has_value(), error_text(r));
    return r.value();
}

} // namespace

TEST_CASE("auth.json round trip through --authfile")
{
    AuthEnv env;
    std::string file = env.path("sub/dir/auth.json");
    REQUIRE(store_credentials("quay.io", { "alice", "s3cr:et" }, file).has_value());

    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(env.path("sub/dir").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    // Podman's format: base64("user:pass") under auths.<key>.auth.
    CHECK(fs::read_file(file).value().find("\"auth\": \"YWxpY2U6czNjcjpldA==\"") != std::string::npos);

    auto creds = lookup("quay.io/org/app", file);
    REQUIRE(creds.has_value());
    CHECK(creds->username == "alice");
    CHECK(creds->password == "s3cr:et");
    CHECK(!lookup("docker.io", file).has_value());

    CHECK(remove_credentials("quay.io", file, false).value() == true);
    CHECK(!lookup("quay.io", file).has_value());
    CHECK(remove_credentials("quay.io", file, false).value() == false);
}

TEST_CASE("auth.json via REGISTRY_AUTH_FILE, remove --all keeps other fields")
{
    AuthEnv env;
    std::string file = env.path("env-auth.json");
    env.set("REGISTRY_AUTH_FILE", file);
    CHECK(default_auth_file() == file);
    env.write("env-auth.json", R"({"auths": {}, "credHelpers": {"gcr.io": "gcloud"}})");
    REQUIRE(store_credentials("localhost:5000", { "bob", "pw" }, "").has_value());
    REQUIRE(store_credentials("example.com/team", { "carol", "pw2" }, "").has_value());
    CHECK(lookup("localhost:5000/x")->username == "bob");
    CHECK(lookup("example.com/team/app")->username == "carol");
    CHECK(!lookup("example.com/other").has_value());

    CHECK(remove_credentials("", "", true).value() == true);
    CHECK(!lookup("localhost:5000").has_value());
    CHECK(fs::read_file(file).value().find("gcloud") != std::string::npos);
    CHECK(remove_credentials("", "", true).value() == false);
}

TEST_CASE("default auth file is in the runtime dir")
{
    AuthEnv env;
    // $XDG_RUNTIME_DIR wins for root and users alike, as in containers/image.
    CHECK(default_auth_file() == env.path("run/containers/auth.json"));
    env.unset("XDG_RUNTIME_DIR");
    if (::geteuid() == 0)
        CHECK(default_auth_file() == "/run/containers/0/auth.json");
    else
        CHECK(default_auth_file() == env.path("config/containers/auth.json"));
}

TEST_CASE("auth file chain order")
{
    AuthEnv env;
    auto chain = auth_file_chain("");
    REQUIRE(chain.size() == 4);
    CHECK(chain[0] == env.path("run/containers/auth.json"));
    CHECK(chain[1] == env.path("config/containers/auth.json"));
    CHECK(chain[2] == env.path("docker/config.json"));
    CHECK(chain[3] == env.path("home/.dockercfg"));
}

TEST_CASE("--authfile, else REGISTRY_AUTH_FILE, is the only file read")
{
    AuthEnv env;
    // "dTpw" = base64("u:p"), "aDpx" = base64("h:q")
    env.write("run/containers/auth.json", R"({"auths": {"quay.io": {"auth": "dTpw"}}})");
    env.write("config/containers/auth.json", R"({"auths": {"ghcr.io": {"auth": "dTpw"}}})");
    env.write("docker/config.json", R"({"auths": {"docker.io": {"auth": "dTpw"}}})");
    env.write("home/.dockercfg", R"({"old.example": {"auth": "dTpw"}})");
    env.write("flag.json", R"({"auths": {"reg.example": {"auth": "aDpx"}}})");
    env.write("env.json", R"({"auths": {"env.example": {"auth": "aDpx"}}})");
    CHECK(lookup("quay.io")->username == "u"); // default chain sees everything

    std::string flag = env.path("flag.json");
    CHECK(auth_file_chain(flag) == std::vector<std::string> { flag });
    CHECK(lookup("reg.example", flag)->username == "h");
    for (char const* key : { "quay.io", "ghcr.io", "docker.io", "old.example", "env.example" })
        CHECK_MESSAGE(!lookup(key, flag).has_value(), key);
    // A named file that does not exist means no credentials, not the defaults.
    CHECK(!lookup("quay.io", env.path("missing.json")).has_value());

    env.set("REGISTRY_AUTH_FILE", env.path("env.json"));
    CHECK(auth_file_chain("") == std::vector<std::string> { env.path("env.json") });
    CHECK(lookup("env.example")->username == "h");
    CHECK(!lookup("quay.io").has_value());
    // --authfile beats REGISTRY_AUTH_FILE.
    CHECK(auth_file_chain(flag) == std::vector<std::string> { flag });
    CHECK(!lookup("env.example", flag).has_value());
}

TEST_CASE("docker config.json: legacy keys, identity tokens, credsStore ignored")
{
    AuthEnv env;
    // "dTpw" = base64("u:p"), "aDpx" = base64("h:q")
    env.write("docker/config.json", R"({
        "auths": {
            "https://index.docker.io/v1/": {"auth": "dTpw"},
            "https://ghcr.io": {"auth": "aDpx"},
            "tok.example": {"auth": "PHRva2VuPjo=", "identitytoken": "refresh-me"}
        },
        "credsStore": "desktop"
    })");
    auto hub = lookup("docker.io/library/alpine");
    REQUIRE(hub.has_value());
    CHECK(hub->username == "u");
    CHECK(hub->password == "p");
    CHECK(lookup("index.docker.io")->username == "u");
    CHECK(lookup("ghcr.io/owner/repo")->password == "q");
    auto tok = lookup("tok.example");
    REQUIRE(tok.has_value());
    CHECK(tok->username == "<token>");
    CHECK(tok->password == "refresh-me");
}

TEST_CASE("podman auth.json wins over docker config; legacy ~/.dockercfg is read")
{
    AuthEnv env;
    env.write("docker/config.json", R"({"auths": {"quay.io": {"auth": "dTpw"}}})");
    env.write("config/containers/auth.json", R"({"auths": {"quay.io": {"auth": "aDpx"}}})");
    CHECK(lookup("quay.io")->username == "h");
    env.write("home/.dockercfg", R"({"old.example": {"auth": "dTpw"}})");
    CHECK(lookup("old.example")->username == "u");
}

TEST_CASE("key fallback: host/a/b, then host/a, then host")
{
    AuthEnv env;
    std::string file = env.path("auth.json");
    REQUIRE(store_credentials("reg.example", { "root", "1" }, file).has_value());
    REQUIRE(store_credentials("reg.example/a", { "team", "2" }, file).has_value());
    REQUIRE(store_credentials("reg.example/a/b", { "app", "3" }, file).has_value());
    CHECK(lookup("reg.example/a/b", file)->username == "app");
    CHECK(lookup("reg.example/a/b/c", file)->username == "app");
    CHECK(lookup("reg.example/a/x", file)->username == "team");
    CHECK(lookup("reg.example/z", file)->username == "root");
    CHECK(lookup("reg.example", file)->username == "root");
    CHECK(!lookup("other.example/a/b", file).has_value());
    // Removing the most specific key falls back to the next one.
    CHECK(remove_credentials("reg.example/a/b", file, false).value());
    CHECK(lookup("reg.example/a/b", file)->username == "team");
}

TEST_CASE("malformed auth files are errors naming the file")
{
    AuthEnv env;
    env.write("bad.json", "{not json");
    auto r = lookup_credentials("quay.io", env.path("bad.json"));
    REQUIRE(!r.has_value());
    CHECK(r.error().message.find("bad.json") != std::string::npos);
    env.write("bad2.json", R"({"auths": {"quay.io": {"auth": "bm9jb2xvbg=="}}})"); // "nocolon"
    auto r2 = lookup_credentials("quay.io", env.path("bad2.json"));
    REQUIRE(!r2.has_value());
    CHECK(r2.error().message.find("USERNAME:PASSWORD") != std::string::npos);
}

TEST_CASE("parse_creds_flag")
{
    auto c = parse_creds_flag("user:pa:ss");
    REQUIRE(c.has_value());
    CHECK(c->username == "user");
    CHECK(c->password == "pa:ss");
    CHECK(parse_creds_flag("user:").value().password.empty());
    auto missing = parse_creds_flag("user");
    REQUIRE(!missing.has_value());
    CHECK(missing.error().message.find("USERNAME:PASSWORD") != std::string::npos);
    CHECK(!parse_creds_flag(":pw").has_value());
    CHECK(encode_auth({ "alice", "s3cr:et" }) == "YWxpY2U6czNjcjpldA==");
}

TEST_CASE("credentials files parse from text: keys normalised, legacy files are the map itself")
{
    auto entries = parse_auth_entries(R"({"auths":{"https://index.docker.io/v1/":{"auth":"dTpw"},"quay.io/a/":{}}})",
        "auth.json", false);
    REQUIRE(entries.has_value());
    CHECK(entries->size() == 2);
    REQUIRE(entries->count("docker.io") == 1);
    CHECK(entries->count("quay.io/a") == 1);
    auto creds = decode_auth_entry(entries->at("docker.io"));
    REQUIRE(creds.has_value());
    REQUIRE(creds->has_value());
    CHECK((*creds)->username == "u");
    CHECK((*creds)->password == "p");
    CHECK_FALSE(decode_auth_entry(entries->at("quay.io/a"))->has_value());
    CHECK(parse_auth_entries(R"({"docker.io":{"auth":"dTpw"}})", "x", false)->empty());
    CHECK(parse_auth_entries(R"({"docker.io":{"auth":"dTpw"}})", "x", true)->size() == 1);
    auto bad = parse_auth_entries("[1]", "/home/u/auth.json", false);
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("/home/u/auth.json") != std::string::npos);
    CHECK_FALSE(decode_auth_entry(Json { { "auth", "bm9jb2xvbg==" } }).has_value());   // "nocolon"
}
