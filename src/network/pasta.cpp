// start_pasta(): see pasta.h. pasta runs with --foreground so that it stays
// this process's child (no detached pid namespace, a pid that can be killed)
// and writes its pid file only once it is ready: polling for that file, or for
// pasta's exit, is the readiness check.
#include "network/pasta.h"

#include "base/fs.h"
#include "network/helper_process.h"
#include "network/teardown.h"

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

std::vector<std::string> pasta_args(std::vector<std::string> const& user_options, std::vector<PortMapping> const& ports)
{
    // --no-map-gw: pasta's default maps the gateway address to the host's
    // loopback, which opens every service the host binds to 127.0.0.1 to
    // every container. Podman rules that a user must opt in to that (a
    // --map-gw among the user's options does).
    std::vector<std::string> args { "--config-net", "--quiet" };
    bool map_gw = false;
    for (auto const& o : user_options)
        map_gw = map_gw || o == "--map-gw";
    if (!map_gw)
        args.push_back("--no-map-gw");
    args.insert(args.end(), user_options.begin(), user_options.end());
    for (auto& a : pasta_port_args(ports))
        args.push_back(std::move(a));
    // Nothing forwarded from the container side to the host's own ports.
    args.insert(args.end(), { "-T", "none", "-U", "none" });
    return args;
}

ErrorOr start_pasta(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    BoundNamespaces ns;
    TRY(bind_namespaces(ns, run_dir, init_pid, own_userns));
    std::string pid_file = fs::join(run_dir, helper_pid_file_name);
    std::string log_path = fs::join(run_dir, helper_log_file_name);
    ::unlink(pid_file.c_str());
    std::vector<std::string> argv { plan.executable, "--foreground", "--runas", "0", "--no-netns-quit", "--pid", pid_file };
    argv.insert(argv.end(), plan.args.begin(), plan.args.end());
    argv.insert(argv.end(), { "--netns", ns.net });
    if (own_userns)
        argv.insert(argv.end(), { "--userns", ns.user });
    pid_t child = TRY(spawn_helper(argv, log_path));
    for (int i = 0;; ++i) {
        int st = 0;
        if (::waitpid(child, &st, WNOHANG) == child)
            return Error { EIO, "start pasta for the container's network: " + last_log_line(log_path) };
        if (auto text = fs::read_file(pid_file); text && !text->empty() && text->back() == '\n')
            return {};
        if (i == 1000) {  // 10 s
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
            return Error { ETIMEDOUT, "start pasta for the container's network: not ready after 10 s" };
        }
        ::usleep(10000);
    }
}

} // namespace berth::network
