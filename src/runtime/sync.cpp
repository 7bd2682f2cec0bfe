// Wire format of one error message: int32 errno, int32 ErrorKind, then the
// text (at most max_message bytes, cut if longer). Sent with MSG_NOSIGNAL so a
// parent that died does not kill the init with SIGPIPE.
#include "runtime/sync.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <sys/socket.h>

namespace berth::runtime {

namespace {

constexpr size_t max_message = 8192;
constexpr char go_byte = 'G';
/// Header.kind of a message that carries an fd instead of an error.
constexpr int32_t fd_message = -1;

struct Header {
    int32_t code;
    int32_t kind;
};

} // namespace

Result<SyncPair> SyncPair::create()
{
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
        return Error::from_errno("socketpair");
    return SyncPair { UniqueFd(fds[0]), UniqueFd(fds[1]) };
}

ErrorOr send_go(int fd)
{
    if (::send(fd, &go_byte, 1, MSG_NOSIGNAL) != 1)
        return Error::from_errno("container init: send go-ahead");
    return {};
}

ErrorOr wait_for_go(int fd)
{
    char byte = 0;
    ssize_t n;
    do {
        n = ::recv(fd, &byte, 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return Error::from_errno("wait for the parent");
    if (n == 0 || byte != go_byte)
        return Error::msg("wait for the parent: the parent went away");
    return {};
}

void send_error(int fd, Error const& error) noexcept
{
    char buf[sizeof(Header) + max_message];
    Header header { error.code, static_cast<int32_t>(error.kind) };
    std::memcpy(buf, &header, sizeof header);
    size_t len = std::min(error.message.size(), max_message);
    std::memcpy(buf + sizeof header, error.message.data(), len);
    while (::send(fd, buf, sizeof header + len, MSG_NOSIGNAL) < 0 && errno == EINTR) { }
}

ErrorOr send_fd(int sync_fd, int fd)
{
    Header header { 0, fd_message };
    iovec iov { &header, sizeof header };
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] {};
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(cmsg), &fd, sizeof fd);
    ssize_t n;
    do {
        n = ::sendmsg(sync_fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return Error::from_errno("send the terminal to the parent");
    return {};
}

namespace {

/// One message; an fd that came with it goes to `received`.
ssize_t receive_message(int fd, char* buf, size_t size, UniqueFd& received)
{
    iovec iov { buf, size };
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] {};
    msghdr msg {};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); n >= 0 && c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
            int passed;
            std::memcpy(&passed, CMSG_DATA(c), sizeof passed);
            received.reset(passed);
        }
    }
    return n;
}

} // namespace

ErrorOr receive_result(int fd, UniqueFd* received)
{
    char buf[sizeof(Header) + max_message];
    Header header;
    ssize_t n;
    for (;;) {
        UniqueFd passed;
        n = receive_message(fd, buf, sizeof buf, passed);
        if (n < 0)
            return Error::from_errno("read from the container init");
        if (n == 0)
            return {};
        if (static_cast<size_t>(n) < sizeof(Header))
            return Error::msg("read from the container init: short message");
        std::memcpy(&header, buf, sizeof header);
        if (header.kind != fd_message)
            break;
        if (received)
            *received = std::move(passed);
    }
    Error error { header.code, std::string(buf + sizeof header, static_cast<size_t>(n) - sizeof header) };
    if (header.kind == static_cast<int32_t>(ErrorKind::CannotInvoke) || header.kind == static_cast<int32_t>(ErrorKind::NotFound))
        error.kind = static_cast<ErrorKind>(header.kind);
    return error;
}

} // namespace berth::runtime
