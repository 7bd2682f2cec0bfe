// `berth unshare`: check, join the namespace, set the environment, execv.
//
// The command is looked up the way execvp does (runtime::find_executable, the
// same search `berth run` uses inside a container, with this process's PATH)
// so that "not found" (127) and "cannot be run" (126) are told apart before
// the exec, and the errno of a failing execv is mapped the same way. There is
// no fork: after a successful execv berth no longer exists.
#include "engine/system/unshare.h"

#include "rootless/userns.h"
#include "runtime/init.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

extern char** environ;

namespace berth::engine {

namespace {

std::vector<std::string> current_environment()
{
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        env.emplace_back(*e);
    return env;
}

Error exec_failure(std::string const& path, int code)
{
    std::string what = "unshare: executable file \"" + path + "\"";
    if (code == ENOENT || code == ENOTDIR)
        return Error { code, what + " not found: " + std::strerror(code), ErrorKind::NotFound };
    if (code == EACCES || code == EPERM || code == ENOEXEC || code == EISDIR || code == ETXTBSY)
        return Error { code, what + " cannot be run: " + std::strerror(code), ErrorKind::CannotInvoke };
    return Error::from_errno("unshare: exec " + path, code);
}

} // namespace

std::vector<std::pair<std::string, std::string>> unshare_environment(rootless::Paths const& paths)
{
    return {
        { "CONTAINERS_GRAPHROOT", paths.data_dir },
        { "CONTAINERS_RUNROOT", paths.run_dir },
        { "BERTH_ROOT", paths.data_dir },
        { "BERTH_RUNROOT", paths.run_dir },
    };
}

std::vector<std::string> unshare_command(std::vector<std::string> const& command, std::string const& shell)
{
    if (!command.empty())
        return command;
    return { shell.empty() ? std::string("/bin/sh") : shell };
}

bool outside_unshare(GlobalOptions const& global)
{
    auto paths = resolve_paths(global);
    return paths && paths->rootless && !std::getenv(rootless::userns_env_var);
}

Error unshare_exec(GlobalOptions const& global, UnshareOptions const& options)
{
    auto paths = resolve_paths(global);
    if (!paths)
        return std::move(paths).error().with_context("unshare");
    if (!paths->rootless)
        return Error::msg("please use unshare with rootless");
    if (options.rootless_netns)
        return Error { ENOTSUP, "unshare --rootless-netns: not supported: berth has no rootless network "
                                "namespace (each container has its own); run without --rootless-netns" };
    if (auto entered = rootless::enter(*paths); !entered)
        return std::move(entered).error().with_context("unshare");
    for (auto const& [name, value] : unshare_environment(*paths))
        ::setenv(name.c_str(), value.c_str(), 1);

    char const* shell = std::getenv("SHELL");
    std::vector<std::string> argv = unshare_command(options.command, shell ? shell : "");
    auto path = runtime::find_executable(argv.front(), current_environment());
    if (!path)
        return std::move(path).error().with_context("unshare");
    std::vector<char*> cargv;
    for (auto& a : argv)
        cargv.push_back(a.data());
    cargv.push_back(nullptr);
    ::execv(path->c_str(), cargv.data());
    return exec_failure(*path, errno);
}

} // namespace berth::engine
