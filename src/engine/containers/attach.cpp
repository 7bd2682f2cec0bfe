// `berth attach`: connects to the monitor's attach socket (protocol.h) and
// relays: container output to our stdout/stderr, our stdin to the container
// (watching for the detach keys), window size with a terminal, and SIGINT/
// SIGTERM to the container with --sig-proxy. Returns the container's exit code
// when it exits, 0 when the user detaches.
//
// The hard part is the socket path: the container's run directory can be
// deeper than sun_path allows, so we connect through /proc/self/fd/DIRFD/.
#include "engine/containers/containers.h"

#include "base/fs.h"
#include "base/sys.h"
#include "base/unique_fd.h"
#include "monitor/monitor.h"
#include "monitor/protocol.h"

#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

namespace berth::engine {

Result<std::vector<unsigned char>> parse_detach_keys(std::string const& text)
{
    std::vector<unsigned char> keys;
    if (text.empty())
        return keys;
    size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        std::string key = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (key.size() == 1)
            keys.push_back(static_cast<unsigned char>(key[0]));
        else if (key.rfind("ctrl-", 0) == 0 && key.size() == 6 && key[5] >= 'a' && key[5] <= 'z')
            keys.push_back(static_cast<unsigned char>(key[5] - 'a' + 1));
        else if (key == "ctrl-@")
            keys.push_back(0);
        else if (key == "ctrl-[")
            keys.push_back(27);
        else
            return Error { EINVAL, "invalid detach keys \"" + text + "\": use a comma-separated list like ctrl-p,ctrl-q" };
        if (comma == std::string::npos)
            break;
        start = comma + 1;
    }
    return keys;
}

namespace {

Result<UniqueFd> connect_attach(std::string const& dir)
{
    auto dirfd = TRY(sys::open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
    UniqueFd sock(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    struct sockaddr_un addr {};
    addr.sun_family = AF_UNIX;
    std::string path = "/proc/self/fd/" + std::to_string(dirfd.get()) + "/" + monitor::attach_socket_name;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return Error::from_errno("connect to the container's attach socket " + fs::join(dir, monitor::attach_socket_name));
    return sock;
}

void send_packet(int sock, char kind, char const* data, size_t n)
{
    std::string p(1, kind);
    p.append(data, n);
    (void)::send(sock, p.data(), p.size(), MSG_NOSIGNAL);
}

void send_window(int sock)
{
    struct winsize ws {};
    if (::ioctl(0, TIOCGWINSZ, &ws) != 0)
        return;
    std::string text = std::to_string(ws.ws_row) + " " + std::to_string(ws.ws_col);
    send_packet(sock, monitor::attach_resize, text.data(), text.size());
}

} // namespace

Result<int> attach_container(Context& ctx, std::string const& name, AttachOptions const& o)
{
    auto rec = TRY(find_container(ctx, name));
    if (rec.state != container::State::Running)
        return Error { EINVAL, "you can only attach to running containers: container " + rec.name + " is " + std::string(container::state_name(rec.state)) };
    auto keys = TRY(parse_detach_keys(o.detach_keys));
    bool tty = rec.config.value("tty", false);
    std::string dir = ctx.paths.layout().container_run_dir(rec.id);
    auto sock = TRY(connect_attach(dir));
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGWINCH);
    if (o.sig_proxy && !tty) {
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
    }
    ::sigprocmask(SIG_BLOCK, &mask, nullptr);
    UniqueFd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC));
    std::optional<termios> saved;
    if (tty && !o.no_stdin && ::isatty(0)) {
        termios t {};
        if (::tcgetattr(0, &t) == 0) {
            saved = t;
            ::cfmakeraw(&t);
            ::tcsetattr(0, TCSADRAIN, &t);
        }
        send_window(sock.get());
    }
    bool stdin_open = !o.no_stdin;
    size_t matched = 0;
    bool detached = false;
    char buf[monitor::attach_packet_max + 1];
    for (;;) {
        struct pollfd fds[3] = { { sock.get(), POLLIN, 0 }, { stdin_open ? 0 : -1, POLLIN, 0 }, { sigfd.get(), POLLIN, 0 } };
        if (::poll(fds, 3, -1) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::recv(sock.get(), buf, sizeof buf, 0);
            if (n <= 0)
                break;  // the container is gone
            (void)sys::write_all(buf[0] == monitor::stream_stderr ? 2 : 1, buf + 1, static_cast<size_t>(n - 1));
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t n = ::read(0, buf, monitor::attach_packet_max);
            if (n <= 0) {
                stdin_open = false;
                send_packet(sock.get(), monitor::attach_close_stdin, "", 0);
            } else {
                std::string out;
                for (ssize_t i = 0; i < n && !detached; ++i) {
                    auto c = static_cast<unsigned char>(buf[i]);
                    if (!keys.empty() && c == keys[matched]) {
                        if (++matched == keys.size())
                            detached = true;
                        continue;
                    }
                    out.append(reinterpret_cast<char const*>(keys.data()), matched);
                    matched = 0;
                    out += static_cast<char>(c);
                }
                if (!out.empty())
                    send_packet(sock.get(), monitor::attach_stdin, out.data(), out.size());
                if (detached)
                    break;
            }
        }
        if (fds[2].revents & POLLIN) {
            struct signalfd_siginfo si {};
            if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                if (si.ssi_signo == SIGWINCH)
                    send_window(sock.get());
                else if (rec.pid > 0)
                    ::kill(static_cast<pid_t>(rec.pid), static_cast<int>(si.ssi_signo));
            }
        }
    }
    if (saved)
        ::tcsetattr(0, TCSADRAIN, &*saved);
    ::sigprocmask(SIG_UNBLOCK, &mask, nullptr);
    if (detached)
        return 0;
    // The monitor writes the exit file before it closes the socket.
    auto info = monitor::read_exit_file(dir);
    return info ? info->code : 0;
}

} // namespace berth::engine
