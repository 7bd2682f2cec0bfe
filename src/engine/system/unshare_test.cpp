// Unit tests of `berth unshare`'s pure parts: the command it runs and the
// environment it sets; and, as real root, Podman's refusal (no namespace is
// entered and nothing is executed on that path).
#include <doctest/doctest.h>

#include "base/temp_dir.h"
#include "engine/system/unshare.h"
#include "rootless/userns.h"

#include <cstdlib>
#include <unistd.h>

using namespace berth;

TEST_CASE("unshare_command: the command, else $SHELL, else /bin/sh")
{
    using V = std::vector<std::string>;
    CHECK(engine::unshare_command(V { "ls", "-l" }, "/bin/bash") == V { "ls", "-l" });
    CHECK(engine::unshare_command(V {}, "/bin/bash") == V { "/bin/bash" });
    CHECK(engine::unshare_command(V {}, "") == V { "/bin/sh" });
}

TEST_CASE("unshare_environment names the store and the runtime directory, Podman's and berth's way")
{
    rootless::Paths paths;
    paths.data_dir = "/home/u/.local/share/berth";
    paths.run_dir = "/run/user/1000/berth";
    auto env = engine::unshare_environment(paths);
    auto value = [&](std::string const& name) {
        for (auto const& [k, v] : env)
            if (k == name)
                return v;
        return std::string("<unset>");
    };
    CHECK(value("CONTAINERS_GRAPHROOT") == paths.data_dir);
    CHECK(value("CONTAINERS_RUNROOT") == paths.run_dir);
    CHECK(value("BERTH_ROOT") == paths.data_dir);
    CHECK(value("BERTH_RUNROOT") == paths.run_dir);
}

TEST_CASE("unshare_exec refuses real root with Podman's message")
{
    if (::geteuid() != 0 || std::getenv(rootless::userns_env_var))
        return; // only real root on the host takes this path
    auto dir = TempDir::create("/tmp", "berth-unshare-test-").value();
    engine::GlobalOptions global;
    global.root = dir.path() + "/data";
    global.runroot = dir.path() + "/run";
    engine::UnshareOptions options;
    options.command = { "/bin/true" };
    Error e = engine::unshare_exec(global, options);
    CHECK(e.message == "please use unshare with rootless");
    CHECK(e.kind == ErrorKind::Engine);
}
