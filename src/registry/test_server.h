// Test helpers for registry_test only: a tiny single-threaded HTTP/1.1 server
// on 127.0.0.1 whose answers come from a callback (to script auth, redirects
// and errors), and a guard that runs the real `docker-registry` binary.
// The fake server closes a connection that starts with a TLS handshake, so
// the client's HTTPS-then-HTTP fallback for insecure registries works on it.
#pragma once

#include "base/error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace berth::registry::test {

/// The error message of a Result, or "" (safe for doctest's lazily evaluated *_MESSAGE).
template<typename R>
std::string error_text(R const& r)
{
    return r.has_value() ? std::string() : r.error().message;
}

struct SeenRequest {
    std::string method;
    std::string target;                         ///< path and query
    std::map<std::string, std::string> headers; ///< lowercased names
    std::string body;
    std::string header(std::string const& name) const
    {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

struct Reply {
    int status = 200;
    std::vector<std::string> headers;           ///< "Name: value"
    std::string body;
};

inline int listen_on_loopback(int& port)
{
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr {};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || ::listen(fd, 16) < 0) {
        ::close(fd);
        return -1;
    }
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    port = ntohs(addr.sin_port);
    return fd;
}

/// A free TCP port on 127.0.0.1 (bound and released; racy but fine for tests).
inline int free_port()
{
    int port = 0;
    int fd = listen_on_loopback(port);
    ::close(fd);
    return port;
}

class FakeServer {
public:
    using Handler = std::function<Reply(SeenRequest const&)>;

    explicit FakeServer(Handler handler) : m_handler(std::move(handler))
    {
        m_fd = listen_on_loopback(m_port);
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeServer()
    {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    int port() const { return m_port; }
    std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
    std::vector<SeenRequest> requests()
    {
        std::lock_guard lock(m_mutex);
        return m_requests;
    }

private:
    void serve()
    {
        while (!m_stop) {
            pollfd p { m_fd, POLLIN, 0 };
            if (::poll(&p, 1, 50) <= 0)
                continue;
            int conn = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (conn < 0)
                continue;
            handle(conn);
            ::close(conn);
        }
    }

    static bool read_more(int fd, std::string& buf)
    {
        pollfd p { fd, POLLIN, 0 };
        if (::poll(&p, 1, 2000) <= 0)
            return false;
        char chunk[65536];
        ssize_t n = ::read(fd, chunk, sizeof chunk);
        if (n <= 0)
            return false;
        buf.append(chunk, static_cast<size_t>(n));
        return true;
    }

    void handle(int fd)
    {
        std::string buf;
        size_t end;
        while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
            if (!read_more(fd, buf) || (!buf.empty() && buf[0] == 0x16))
                return; // EOF, timeout, or a TLS ClientHello: drop the connection
        }
        SeenRequest req;
        std::string head = buf.substr(0, end);
        size_t line_end = head.find("\r\n");
        std::string first = head.substr(0, line_end);
        req.method = first.substr(0, first.find(' '));
        req.target = first.substr(req.method.size() + 1, first.rfind(' ') - req.method.size() - 1);
        size_t pos = line_end;
        while (pos != std::string::npos && pos < head.size()) {
            size_t next = head.find("\r\n", pos + 2);
            std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
            auto colon = line.find(':');
            if (colon != std::string::npos) {
                std::string name = line.substr(0, colon);
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                std::string value = line.substr(colon + 1);
                value.erase(0, value.find_first_not_of(' '));
                req.headers[name] = value;
            }
            pos = next;
        }
        size_t length = req.headers.count("content-length") ? std::stoul(req.headers["content-length"]) : 0;
        req.body = buf.substr(end + 4);
        while (req.body.size() < length && read_more(fd, req.body)) { }
        Reply reply = m_handler(req);
        {
            std::lock_guard lock(m_mutex);
            m_requests.push_back(req);
        }
        std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
        for (auto const& h : reply.headers)
            out += h + "\r\n";
        out += "Content-Length: " + std::to_string(req.method == "HEAD" ? 0 : reply.body.size()) + "\r\nConnection: close\r\n\r\n";
        if (req.method != "HEAD")
            out += reply.body;
        (void)!::write(fd, out.data(), out.size());
    }

    Handler m_handler;
    int m_fd = -1;
    int m_port = 0;
    std::atomic<bool> m_stop { false };
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<SeenRequest> m_requests;
};

/// Kills (SIGTERM, then SIGKILL) and reaps a child unless it already exited.
class ChildGuard {
public:
    explicit ChildGuard(pid_t pid) : m_pid(pid) {}
    ChildGuard(ChildGuard const&) = delete;
    ChildGuard& operator=(ChildGuard const&) = delete;
    ~ChildGuard()
    {
        if (m_pid <= 0)
            return;
        ::kill(m_pid, SIGTERM);
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(m_pid, nullptr, WNOHANG) == m_pid)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, nullptr, 0);
    }
    pid_t pid() const { return m_pid; }

private:
    pid_t m_pid;
};

/// True once something accepts TCP connections on 127.0.0.1:port (polls up to `ms`).
inline bool wait_for_port(int port, int ms)
{
    for (int waited = 0; waited < ms; waited += 50) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr {};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = htons(static_cast<uint16_t>(port));
        bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
        ::close(fd);
        if (ok)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace berth::registry::test
