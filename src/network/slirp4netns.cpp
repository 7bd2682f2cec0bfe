// start_slirp4netns(): see slirp4netns.h. Readiness is slirp4netns's
// --ready-fd (it writes "1" once the tap device is up and configured); each
// published port is one add_hostfwd request on the API socket, whose reply
// says whether the host port could be bound. slirp4netns is this process's
// child with PR_SET_PDEATHSIG (helper_process.cpp), so it ends with
// berth-monitor however that ends; berth-monitor stops it at the container's
// exit (teardown.h).
#include "network/slirp4netns.h"

#include "base/fs.h"
#include "base/json.h"
#include "base/unique_fd.h"
#include "network/helper_process.h"
#include "network/port_proxy.h"
#include "network/teardown.h"

#include <arpa/inet.h>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

Result<std::vector<std::string>> slirp4netns_args(std::vector<std::string> const& options)
{
    auto o = TRY(parse_slirp4netns_options(options));
    std::vector<std::string> args { "--configure", "--mtu=" + std::to_string(o.mtu) };
    if (!o.allow_host_loopback)
        args.push_back("--disable-host-loopback");
    if (o.enable_ipv6)
        args.push_back("--enable-ipv6");
    if (!o.cidr.empty())
        args.push_back("--cidr=" + o.cidr);
    if (!o.outbound_addr.empty())
        args.push_back("--outbound-addr=" + o.outbound_addr);
    if (!o.outbound_addr6.empty())
        args.push_back("--outbound-addr6=" + o.outbound_addr6);
    return args;
}

Result<std::string> slirp4netns_guest_address(std::vector<std::string> const& options)
{
    auto o = TRY(parse_slirp4netns_options(options));
    if (o.cidr.empty())
        return std::string("10.0.2.100");
    in_addr addr {};
    ::inet_pton(AF_INET, o.cidr.substr(0, o.cidr.find('/')).c_str(), &addr);
    addr.s_addr = htonl(ntohl(addr.s_addr) + 100);
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr, text, sizeof text);
    return std::string(text);
}

namespace {

/// One request on the API socket (in dir_fd); the reply's "error" becomes an Error.
ErrorOr api_request(int dir_fd, Json const& request)
{
    // A socket's path is at most 107 bytes, which a run directory may
    // exceed: the socket is reached through the directory's fd.
    std::string socket_path = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + api_socket_name;
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::from_errno("slirp4netns API socket");
    UniqueFd closer { fd };
    sockaddr_un sa {};
    sa.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof sa.sun_path)
        return Error { ENAMETOOLONG, "slirp4netns API socket " + socket_path + ": path too long" };
    std::copy(socket_path.begin(), socket_path.end(), sa.sun_path);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
        return Error::from_errno("connect to slirp4netns API socket " + socket_path);
    std::string text = json::dump(request, -1);
    if (::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
        return Error::from_errno("write to slirp4netns API socket");
    ::shutdown(fd, SHUT_WR);
    std::string reply;
    char buf[1024];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        reply.append(buf, static_cast<size_t>(n));
    auto parsed = json::parse(reply, "slirp4netns API reply");
    if (!parsed)
        return Error { EIO, "slirp4netns API: unreadable reply \"" + reply + "\"" };
    if (parsed->contains("error")) {
        auto const& e = (*parsed)["error"];
        return Error { EADDRINUSE, e.is_object() ? e.value("desc", reply) : reply };
    }
    return {};
}

/// Waits for the ready fd's "1" (or slirp4netns's exit); 10 s at most.
ErrorOr wait_ready(int ready_fd, pid_t child, std::string const& log_path)
{
    for (int i = 0; i < 1000; ++i) {
        pollfd p { ready_fd, POLLIN, 0 };
        if (::poll(&p, 1, 10) > 0) {
            char c = 0;
            if (::read(ready_fd, &c, 1) == 1 && c == '1')
                return {};
            break;  // EOF: it exited without being ready
        }
        if (::waitpid(child, nullptr, WNOHANG) == child)
            return Error { EIO, "start slirp4netns for the container's network: " + last_log_line(log_path) };
    }
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    return Error { ETIMEDOUT, "start slirp4netns for the container's network: " + last_log_line(log_path) };
}

} // namespace

ErrorOr start_slirp4netns(HelperPlan const& plan, std::string const& run_dir, pid_t init_pid, bool own_userns)
{
    BoundNamespaces ns;
    TRY(bind_namespaces(ns, run_dir, init_pid, own_userns));
    std::string log_path = fs::join(run_dir, helper_log_file_name);
    std::string socket_path = fs::join(run_dir, api_socket_name);
    ::unlink(socket_path.c_str());
    int ready[2];
    if (::pipe2(ready, O_CLOEXEC) != 0)
        return Error::from_errno("pipe");
    UniqueFd ready_r { ready[0] }, ready_w { ready[1] };
    std::vector<std::string> argv { plan.executable };
    argv.insert(argv.end(), plan.args.begin(), plan.args.end());
    // The socket by a relative name, in the run directory as slirp4netns's
    // working directory: a full path may exceed a socket path's 107 bytes.
    argv.insert(argv.end(), { "--ready-fd=3", "--api-socket", api_socket_name, "--netns-type=path" });
    if (own_userns)
        argv.push_back("--userns-path=" + ns.user);
    argv.insert(argv.end(), { ns.net, "tap0" });
    UniqueFd dir { ::open(run_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC) };
    if (!dir)
        return Error::from_errno("open " + run_dir);
    pid_t child = TRY(spawn_helper(argv, log_path, { ready[1] }, run_dir));
    ready_w.reset();
    pid_t proxy_pid = 0;
    auto stop = [&] {
        for (pid_t pid : { child, proxy_pid }) {
            if (pid > 0) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, nullptr, 0);
            }
        }
        ::unlink(socket_path.c_str());
    };
    if (auto ok = wait_ready(ready[0], child, log_path); !ok)
        return ok;
    std::string pids = std::to_string(child) + "\n";
    if (!plan.proxy_target.empty()) {
        // port_handler=rootlesskit: berth's proxy listens here and connects
        // from inside the namespace, where the kernel, not slirp's TCP stack,
        // carries the data.
        auto proxy = spawn_port_proxy(plan.forwards, plan.proxy_target, ns.net);
        if (!proxy) {
            stop();
            return std::move(proxy).error();
        }
        proxy_pid = *proxy;
        pids += std::to_string(proxy_pid) + "\n";
    } else {
        for (auto const& m : plan.forwards) {
            Json request { { "execute", "add_hostfwd" },
                { "arguments", { { "proto", m.protocol }, { "host_addr", m.host_ip.empty() ? "0.0.0.0" : m.host_ip },
                                   { "host_port", m.host_port }, { "guest_port", m.container_port } } } };
            if (auto added = api_request(dir.get(), request); !added) {
                stop();
                return Error { added.error().code, "publish " + format_port(m) + " with slirp4netns: " + added.error().message
                        + " (is host port " + std::to_string(m.host_port) + " in use?)" };
            }
        }
    }
    auto written = fs::write_file_replace(fs::join(run_dir, helper_pid_file_name), pids);
    if (!written) {
        stop();
        return std::move(written).error();
    }
    return {};
}

} // namespace berth::network
