// The monitor's protocol with the berth process that forked it, in one place
// (as conmon keeps its parent pipe in parent_pipe_fd.c and conmon-rs its
// schema in one capnp file). One JSON line on a sync pipe, written once:
//
//   {"pid": 1234}                                 the container runs (host pid)
//   {"error": "exec foo: ...", "kind": "notfound"} it could not be started
//
// kind is "engine" (exit 125), "cannotinvoke" (126) or "notfound" (127). The
// parent treats EOF without a line as an engine error. After the line, an
// attached parent waits for the monitor, whose exit status is the container's
// (128+N for a signal), or 125 if the monitor itself failed.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <optional>
#include <string>
#include <sys/types.h>
#include <sys/wait.h>

namespace berth::monitor {

struct StartReply {
    pid_t pid = 0;                ///< > 0 when the container started
    std::optional<Error> error;   ///< set when it did not
};

inline std::string kind_name(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::CannotInvoke:
        return "cannotinvoke";
    case ErrorKind::NotFound:
        return "notfound";
    case ErrorKind::Engine:
        break;
    }
    return "engine";
}

inline ErrorKind kind_from_name(std::string const& name)
{
    if (name == "cannotinvoke")
        return ErrorKind::CannotInvoke;
    if (name == "notfound")
        return ErrorKind::NotFound;
    return ErrorKind::Engine;
}

/// The line for a started container.
inline std::string encode_pid(pid_t pid)
{
    return json::dump(Json { { "pid", pid } }) + "\n";
}

/// The line for a failure.
inline std::string encode_error(Error const& error)
{
    return json::dump(Json { { "error", error.message }, { "kind", kind_name(error.kind) }, { "errno", error.code } }) + "\n";
}

/// Parses one line; a malformed line is an Error.
inline Result<StartReply> decode(std::string const& line)
{
    auto j = TRY(json::parse(line, "monitor reply"));
    StartReply reply;
    if (j.contains("pid") && j["pid"].is_number_integer()) {
        reply.pid = j["pid"].get<pid_t>();
        return reply;
    }
    if (j.contains("error") && j["error"].is_string()) {
        Error e = Error::msg(j["error"].get<std::string>());
        if (j.contains("kind") && j["kind"].is_string())
            e.kind = kind_from_name(j["kind"].get<std::string>());
        if (j.contains("errno") && j["errno"].is_number_integer())
            e.code = j["errno"].get<int>();
        reply.error = std::move(e);
        return reply;
    }
    return Error::msg("monitor reply: neither pid nor error in " + line);
}

/// Exit status of a waited process as a shell reports it: the code, or 128+signal.
inline int exit_status_code(int wait_status)
{
    if (WIFEXITED(wait_status))
        return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status))
        return 128 + WTERMSIG(wait_status);
    return 125;
}

} // namespace berth::monitor
