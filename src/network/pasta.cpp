// start_pasta(): see pasta.h. pasta runs with --foreground so that it stays
// this process's child (no detached pid namespace, a pid that can be killed)
// and writes its pid file only once it is ready: that file's close (inotify)
// or pasta's exit (a pidfd) is the readiness check, without polling.
#include "network/pasta.h"

#include "base/fs.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "network/helper_process.h"
#include "network/teardown.h"

#include <chrono>
#include <csignal>
#include <algorithm>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

std::vector<std::string> pasta_args(std::vector<std::string> const& user_options, std::vector<PortMapping> const& ports)
{
    // --no-map-gw: pasta's default maps the gateway address to the host's
    // loopback, which opens every service the host binds to 127.0.0.1 to
    // every container. Podman rules that a user must opt in to that with
    // --map-gw, which is Podman's word, not pasta's (pasta has no such
    // option): it only leaves --no-map-gw out.
    std::vector<std::string> args { "--config-net", "--quiet" };
    bool map_gw = std::find(user_options.begin(), user_options.end(), "--map-gw") != user_options.end();
    if (!map_gw)
        args.push_back("--no-map-gw");
    for (auto const& o : user_options)
        if (o != "--map-gw")
            args.push_back(o);
    // pasta forwards every port the container binds unless told otherwise;
    // "-t none" is that telling, unless the user's own -t (pasta:-t,8080)
    // says what to forward, which pasta refuses to combine with "none".
    bool own_tcp = pasta_forwards_own_ports(user_options, "tcp"), own_udp = pasta_forwards_own_ports(user_options, "udp");
    auto port_args = pasta_port_args(ports);
    for (size_t i = 0; i + 1 < port_args.size(); i += 2) {
        if (port_args[i + 1] == "none" && ((port_args[i] == "-t" && own_tcp) || (port_args[i] == "-u" && own_udp)))
            continue;
        args.push_back(port_args[i]);
        args.push_back(port_args[i + 1]);
    }
    // Nothing forwarded from the container side to the host's own ports.
    args.insert(args.end(), { "-T", "none", "-U", "none" });
    return args;
}

bool pasta_forwards_own_ports(std::vector<std::string> const& user_options, std::string_view protocol)
{
    char const* short_opt = protocol == "udp" ? "-u" : "-t";
    char const* long_opt = protocol == "udp" ? "--udp-ports" : "--tcp-ports";
    return std::any_of(user_options.begin(), user_options.end(), [&](std::string const& o) {
        return o.starts_with(short_opt) || o.starts_with(long_opt);
    });
}

ErrorOr start_pasta(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    // pasta gives up on a port only when every address of it is taken:
    // with 127.0.0.1:8080 taken, -p 8080:80 would be published on "::" alone.
    TRY(check_host_ports_free(plan.forwards));
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
    // Watch for the pid file before pasta can write it.
    UniqueFd watch { ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK) };
    if (!watch || ::inotify_add_watch(watch.get(), run_dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO) < 0)
        return Error::from_errno("watch " + run_dir + " for pasta's pid file");
    pid_t child = TRY(spawn_helper(argv, log_path));
    UniqueFd exited = sys::pidfd_open(child);
    auto ready = [&] {
        auto text = fs::read_file(pid_file);
        return text && !text->empty() && text->back() == '\n';
    };
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!ready()) {
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
        if (left <= 0) {
            ::kill(child, SIGKILL);
            ::waitpid(child, nullptr, 0);
            return Error { ETIMEDOUT, "start pasta for the container's network: not ready after 10 s" };
        }
        // Without a pidfd (an old kernel) the exit is noticed every 10 ms.
        struct pollfd fds[2] = { { watch.get(), POLLIN, 0 }, { exited.get(), POLLIN, 0 } };
        int n = ::poll(fds, exited ? 2 : 1, exited ? left : std::min(left, 10));
        if (n < 0 && errno != EINTR)
            return Error::from_errno("wait for pasta");
        char events[4096];
        while (::read(watch.get(), events, sizeof events) > 0) { }
        if (::waitpid(child, nullptr, WNOHANG) == child)
            return Error { EIO, "start pasta for the container's network: " + last_log_line(log_path) };
    }
    return {};
}

} // namespace berth::network
