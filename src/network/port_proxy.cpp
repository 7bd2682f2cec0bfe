// start_port_proxy(): see port_proxy.h. One process: a poll loop over the
// listeners that accepts, then a forked child per connection that connects
// and relays both ways until either side closes. Forking per connection
// keeps the relay a plain blocking loop; published ports of a development
// container see few connections at a time.
#include "network/port_proxy.h"

#include "base/fs.h"
#include "network/teardown.h"

#include <algorithm>
#include <arpa/inet.h>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace berth::network {

namespace {

/// Copies what arrives on one side to the other until both are done.
[[noreturn]] void relay(int client, sockaddr_in const& target)
{
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (server < 0 || ::connect(server, reinterpret_cast<sockaddr const*>(&target), sizeof target) != 0)
        ::_exit(1);
    struct pollfd fds[2] = { { client, POLLIN, 0 }, { server, POLLIN, 0 } };
    int const peer[2] = { server, client };
    bool open[2] = { true, true };
    char buf[65536];
    while (open[0] || open[1]) {
        fds[0].events = open[0] ? POLLIN : 0;
        fds[1].events = open[1] ? POLLIN : 0;
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (!open[i] || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                open[i] = false;
                ::shutdown(peer[i], SHUT_WR);
                continue;
            }
            for (ssize_t done = 0; done < n;) {
                ssize_t w = ::write(peer[i], buf + done, static_cast<size_t>(n - done));
                if (w <= 0)
                    ::_exit(0);
                done += w;
            }
        }
    }
    ::_exit(0);
}

struct Listener {
    int fd = -1;
    sockaddr_in target {};
};

[[noreturn]] void serve(std::vector<Listener> const& listeners)
{
    ::signal(SIGCHLD, SIG_IGN);  // the relays reap themselves
    std::vector<pollfd> fds;
    for (auto const& l : listeners)
        fds.push_back({ l.fd, POLLIN, 0 });
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            ::_exit(1);
        }
        for (size_t i = 0; i < fds.size(); ++i) {
            if (!(fds[i].revents & POLLIN))
                continue;
            int client = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            pid_t child = ::fork();
            if (child == 0) {
                for (auto const& l : listeners)
                    ::close(l.fd);
                relay(client, listeners[i].target);
            }
            ::close(client);
        }
    }
}

/// A listening socket on the host for one mapping.
Result<int> listen_on(PortMapping const& m)
{
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_port = htons(m.host_port);
    std::string ip = m.host_ip.empty() ? "0.0.0.0" : m.host_ip;
    if (::inet_pton(AF_INET, ip.c_str(), &address.sin_addr) != 1)
        return Error { EINVAL, "publish " + ip + ":" + std::to_string(m.host_port) + ": only IPv4 host addresses are supported here" };
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Error::from_errno("socket");
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 128) != 0) {
        int e = errno;
        ::close(fd);
        return Error::from_errno("cannot listen on the TCP port " + ip + ":" + std::to_string(m.host_port), e);
    }
    return fd;
}

} // namespace

ErrorOr start_port_proxy(std::vector<PortMapping> const& ports, std::string const& container_ip, std::string const& netns,
    std::string const& run_dir)
{
    std::vector<Listener> listeners;
    auto close_all = [&] {
        for (auto const& l : listeners)
            ::close(l.fd);
    };
    bool hold_only = netns.empty();
    for (auto const& m : ports) {
        if (m.protocol != "tcp" && hold_only)
            continue;  // netavark's rules forward UDP; only TCP ports are held
        if (m.protocol != "tcp") {
            close_all();
            return Error { ENOTSUP, "publish " + std::to_string(m.host_port) + "/" + m.protocol
                    + ": UDP ports of a rootless container on a user-defined network are not supported yet" };
        }
        auto fd = listen_on(m);
        if (!fd) {
            close_all();
            return std::move(fd).error();
        }
        Listener l;
        l.fd = *fd;
        l.target.sin_family = AF_INET;
        l.target.sin_port = htons(m.container_port);
        ::inet_pton(AF_INET, container_ip.c_str(), &l.target.sin_addr);
        listeners.push_back(l);
    }
    int ns = hold_only ? ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC) : ::open(netns.c_str(), O_RDONLY | O_CLOEXEC);
    if (ns < 0) {
        close_all();
        return Error::from_errno("open " + netns);
    }
    pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child < 0) {
        close_all();
        ::close(ns);
        return Error::from_errno("fork the port proxy");
    }
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent || ::setns(ns, CLONE_NEWNET) != 0)
            ::_exit(1);
        ::close(ns);
        // Nothing of berth-launch's but the listeners: its lock and the
        // container's stdio pipes among them would be held for good.
        std::vector<int> keep;
        for (auto const& l : listeners)
            keep.push_back(l.fd);
        std::sort(keep.begin(), keep.end());
        unsigned next = 3;
        for (int fd : keep) {
            if (static_cast<unsigned>(fd) > next)
                ::close_range(next, static_cast<unsigned>(fd) - 1, 0);
            next = static_cast<unsigned>(fd) + 1;
        }
        ::close_range(next, ~0U, 0);
        int null_fd = ::open("/dev/null", O_RDWR);
        if (null_fd >= 0) {
            ::dup2(null_fd, 0);
            ::dup2(null_fd, 1);
            ::dup2(null_fd, 2);
            if (null_fd > 2)
                ::close(null_fd);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (hold_only)
            for (;;)
                ::pause();
        serve(listeners);
    }
    close_all();
    ::close(ns);
    return fs::write_file_replace(fs::join(run_dir, helper_pid_file_name), std::to_string(child));
}

} // namespace berth::network
