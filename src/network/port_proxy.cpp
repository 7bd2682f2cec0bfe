// start_port_proxy(): see port_proxy.h. One process: a poll loop over the
// listeners that accepts, then a forked child per connection that connects
// and relays both ways until either side closes. Forking per connection
// keeps the relay a plain blocking loop; published ports of a development
// container see few connections at a time. UDP is relayed in the loop
// itself: a datagram from a client goes out on that client's flow (a
// socket connected to the container's port, udp_flows.h), and what the
// container sends back on it goes to the client from the published port.
#include "network/port_proxy.h"

#include "base/fs.h"
#include "network/teardown.h"
#include "network/udp_flows.h"

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

/// Moves what `from` has to `to` through `pipe` (splice: no copy through
/// user space), or through `buf` where splice cannot be used. Returns the
/// bytes moved (1 when nothing was there after all), 0 at the end of `from`,
/// -1 on an error.
ssize_t move_bytes(int from, int to, int const pipe[2], char* buf, size_t buf_size)
{
    if (pipe[0] >= 0) {
        ssize_t n = ::splice(from, nullptr, pipe[1], nullptr, 1 << 20, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n < 0 && errno == EAGAIN)
            return 1;  // nothing after all (a spurious wakeup): not the end
        if (n < 0 && errno != EINVAL)
            return -1;
        if (n >= 0) {
            for (ssize_t left = n; left > 0;) {
                ssize_t w = ::splice(pipe[0], nullptr, to, nullptr, static_cast<size_t>(left), SPLICE_F_MOVE);
                if (w <= 0)
                    return -1;
                left -= w;
            }
            return n;
        }
    }
    ssize_t n = ::read(from, buf, buf_size);
    if (n <= 0)
        return n;
    for (ssize_t done = 0; done < n;) {
        ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
        if (w <= 0)
            return -1;
        done += w;
    }
    return n;
}

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
    // One pipe per direction for splice; without them (no fds left) plain copies.
    int pipes[2][2] = { { -1, -1 }, { -1, -1 } };
    for (auto& p : pipes)
        if (::pipe2(p, O_CLOEXEC) == 0)
            ::fcntl(p[1], F_SETPIPE_SZ, 1 << 20);  // fewer, larger moves; the default size if refused
    static char buf[65536];
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
            ssize_t n = move_bytes(fds[i].fd, peer[i], pipes[i], buf, sizeof buf);
            if (n < 0)
                ::_exit(0);
            if (n == 0) {
                open[i] = false;
                ::shutdown(peer[i], SHUT_WR);
            }
        }
    }
    ::_exit(0);
}

struct Listener {
    int fd = -1;
    bool udp = false;
    sockaddr_in target {};
};

// As Docker's userland proxy and rootlessport: a UDP flow idle for 90 s is
// closed; at most 1024 at once (udp_flows.h).
constexpr auto udp_idle = std::chrono::seconds(90);
constexpr size_t udp_max_flows = 1024;

/// A datagram from a client on a published UDP port: sent on to the
/// container through the client's flow, made on its first datagram.
void forward_datagram(std::vector<Listener> const& listeners, size_t index, UdpFlows& flows)
{
    static char buf[65536];
    sockaddr_in client {};
    socklen_t length = sizeof client;
    ssize_t n = ::recvfrom(listeners[index].fd, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&client), &length);
    if (n < 0 || client.sin_family != AF_INET)
        return;
    auto now = UdpFlows::Clock::now();
    auto key = client_key(client.sin_addr.s_addr, ntohs(client.sin_port));
    auto* flow = flows.find(index, key, now);
    if (!flow) {
        // Made after the proxy joined the namespace: it reaches the container.
        int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            return;
        auto const& target = listeners[index].target;
        if (::connect(fd, reinterpret_cast<sockaddr const*>(&target), sizeof target) != 0) {
            ::close(fd);
            return;
        }
        if (int evicted = flows.add(index, key, fd, now); evicted >= 0)
            ::close(evicted);
        flow = flows.find(index, key, now);
    }
    (void)::send(flow->fd, buf, static_cast<size_t>(n), MSG_DONTWAIT);
}

/// A datagram from the container on flow `fd`: sent to the flow's client
/// from the published port's socket, so that it comes from that port.
void return_datagram(std::vector<Listener> const& listeners, int fd, UdpFlows& flows)
{
    static char buf[65536];
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0)
        return;  // nothing yet, or the container's port refused (ICMP)
    auto* flow = flows.by_fd(fd, UdpFlows::Clock::now());
    if (!flow)
        return;
    sockaddr_in client {};
    client.sin_family = AF_INET;
    client.sin_addr.s_addr = static_cast<uint32_t>(flow->client >> 16);
    client.sin_port = htons(static_cast<uint16_t>(flow->client & 0xffff));
    (void)::sendto(listeners[flow->listener].fd, buf, static_cast<size_t>(n), MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&client), sizeof client);
}

/// A TCP client: a forked child relays its connection.
void accept_connection(std::vector<Listener> const& listeners, size_t index, UdpFlows const& flows)
{
    int client = ::accept4(listeners[index].fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0)
        return;
    pid_t child = ::fork();
    if (child == 0) {
        for (auto const& l : listeners)
            ::close(l.fd);
        for (auto const& f : flows.flows())
            ::close(f.fd);
        relay(client, listeners[index].target);
    }
    ::close(client);
}

[[noreturn]] void serve(std::vector<Listener> const& listeners)
{
    ::signal(SIGCHLD, SIG_IGN);  // the relays reap themselves
    UdpFlows flows(udp_idle, udp_max_flows);
    std::vector<pollfd> fds;
    for (;;) {
        // The listeners, then the UDP flows' sockets.
        fds.clear();
        for (auto const& l : listeners)
            fds.push_back({ l.fd, POLLIN, 0 });
        for (auto const& f : flows.flows())
            fds.push_back({ f.fd, POLLIN, 0 });
        if (::poll(fds.data(), fds.size(), flows.next_timeout_ms(UdpFlows::Clock::now())) < 0) {
            if (errno == EINTR)
                continue;
            ::_exit(1);
        }
        for (int fd : flows.expire(UdpFlows::Clock::now()))
            ::close(fd);
        for (size_t i = 0; i < fds.size(); ++i) {
            if (!(fds[i].revents & (POLLIN | POLLERR)))
                continue;
            if (i >= listeners.size())
                return_datagram(listeners, fds[i].fd, flows);
            else if (listeners[i].udp)
                forward_datagram(listeners, i, flows);
            else
                accept_connection(listeners, i, flows);
        }
    }
}

/// A listening socket on the host for one mapping.
Result<int> listen_on(PortMapping const& m)
{
    std::string ip = m.host_ip.empty() ? "0.0.0.0" : m.host_ip;
    in_addr address {};
    if (::inet_pton(AF_INET, ip.c_str(), &address) != 1)
        return Error { EINVAL, "publish " + ip + ":" + std::to_string(m.host_port) + ": only IPv4 host addresses are supported here" };
    auto fd = bind_host_port(m, m.host_port);
    if (!fd)
        return Error::from_errno(std::string("cannot listen on the ") + (m.protocol == "udp" ? "UDP" : "TCP") + " port " + ip + ":"
                + std::to_string(m.host_port), fd.error().code);
    return fd->release();
}

} // namespace

ErrorOr start_port_proxy(std::vector<PortMapping> const& ports, std::string const& container_ip, std::string const& netns,
    std::string const& run_dir)
{
    TRY(fs::write_file_replace(fs::join(run_dir, helper_ports_file_name), ""));  // awaited before the exit file (teardown.h)
    pid_t child = TRY(spawn_port_proxy(ports, container_ip, netns));
    return fs::write_file_replace(fs::join(run_dir, helper_pid_file_name), std::to_string(child));
}

Result<pid_t> spawn_port_proxy(std::vector<PortMapping> const& ports, std::string const& container_ip, std::string const& netns)
{
    std::vector<Listener> listeners;
    auto close_all = [&] {
        for (auto const& l : listeners)
            ::close(l.fd);
    };
    bool hold_only = netns.empty();
    for (auto const& m : ports) {
        auto fd = listen_on(m);
        if (!fd) {
            close_all();
            return std::move(fd).error();
        }
        Listener l;
        l.fd = *fd;
        l.udp = m.protocol == "udp";
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
    return child;
}

} // namespace berth::network
