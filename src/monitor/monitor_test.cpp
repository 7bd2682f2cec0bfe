// The monitor's parent protocol: encode/decode round trips and exit statuses.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "monitor/protocol.h"

#include <csignal>
#include <doctest/doctest.h>

using namespace berth;
using namespace berth::monitor;

TEST_CASE("protocol: a pid line")
{
    auto line = encode_pid(4242);
    CHECK(line.back() == '\n');
    auto reply = decode(line).release_value();
    CHECK(reply.pid == 4242);
    CHECK_FALSE(reply.error.has_value());
}

TEST_CASE("protocol: an error line keeps message, kind and errno")
{
    Error e = Error::from_errno("exec nosuch", ENOENT).with_kind(ErrorKind::NotFound);
    auto reply = decode(encode_error(e)).release_value();
    REQUIRE(reply.error.has_value());
    CHECK(reply.error->message == e.message);
    CHECK(reply.error->kind == ErrorKind::NotFound);
    CHECK(reply.error->code == ENOENT);
    CHECK(decode(encode_error(Error::msg("x").with_kind(ErrorKind::CannotInvoke)))->error->kind == ErrorKind::CannotInvoke);
}

TEST_CASE("protocol: garbage is an error")
{
    CHECK_FALSE(decode("not json").has_value());
    CHECK_FALSE(decode("{\"other\": 1}").has_value());
}

TEST_CASE("exit status: code or 128+signal")
{
    CHECK(exit_status_code(3 << 8) == 3);
    CHECK(exit_status_code(SIGKILL) == 128 + SIGKILL);
}
