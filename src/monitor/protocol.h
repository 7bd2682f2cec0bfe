// The monitor's protocol with berth, in one place (as conmon keeps its parent
// pipe in parent_pipe_fd.c). Three channels:
//
// 0. berth-launch's command line (launch_main.cpp): the fds of the launch
//    config (monitor.h MonitorConfig as JSON), of the sync pipe, of the
//    status pipe and of the container lock, and berth's --log-level.
// 1. The sync pipe, written once by berth-launch after it started the
//    container, before it execs berth-monitor:
//      "pid 1234\n"                          the container runs (host pid)
//      "error KIND ERRNO message\n"          it could not be started
//    KIND is engine (exit 125), cannotinvoke (126) or notfound (127). EOF
//    without a line is an engine error.
// 2. berth-monitor's command line (MonitorArgs): the fds it inherited and
//    paths, "--key=value" words, then "--" and the exit command, which it runs
//    (and waits for) when nobody is attached at the container's exit.
//    The status fd is the read end of a pipe whose write end the attached CLI
//    holds: its hang-up means "no longer attached".
//    With --healthcheck-interval=MS a second "--" follows the exit command,
//    then the healthcheck command (`berth ... healthcheck run ID`), which the
//    monitor starts every MS milliseconds while the container runs, one at a time.
//    With --healthcheck-startup-interval=MS2 as well (a startup healthcheck),
//    it ticks every MS2 until a check it started exits with
//    health_startup_passed_code (`healthcheck run --from-monitor`: the
//    startup check passed), then every MS (MS 0: no more ticks). An exit
//    status costs the monitor no system call, so no page of libc.
// 3. Files in the container's run directory (run_dir/containers/ID):
//      exit    "CODE SECONDS NANOSECONDS\n", written atomically (rename) when
//              the container exits; CODE is 128+N for a signal
//      attach  a SOCK_SEQPACKET socket: the monitor sends packets
//              [stream byte 1|2][data]; clients send [kind byte][data] with the
//              kinds below. The monitor closes it when the container is gone.
//      monitor "MONITOR_PID MONITOR_START CONTAINER_PID STARTED\n", written
//              atomically by berth-launch once the container runs, before
//              the sync line: if the CLI that started it is killed before it
//              records the start, a later berth adopts the container from it
//              (MONITOR_START in clock ticks as /proc/PID/stat field 22,
//              STARTED in unix seconds). Removed when the exit is recorded.
//      monitor.pid  the monitor's pid alone, written by berth at every start
//              (systemd's PIDFile= of `generate systemd` units, conmon.pid in Podman)
//      network.pid, network.log, slirp4netns.sock, net-ns, user-ns
//              the network helper's (pasta, slirp4netns): network/teardown.h
//
// The paths of the store and of the run directory around these files are
// store/layout.h's.
//
// This header is used by berth and by the small static berth-monitor, so
// everything here is plain C++ without exceptions or libraries.
#pragma once

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <sys/types.h>
#include <sys/wait.h>

namespace berth::monitor {

inline constexpr char const* exit_file_name = "exit";
inline constexpr char const* exit_temp_file_name = "exit.tmp"; ///< renamed to exit_file_name
inline constexpr char const* attach_socket_name = "attach";
inline constexpr char const* launch_file_name = "monitor";
inline constexpr char const* monitor_pid_file_name = "monitor.pid";
inline constexpr char const* monitor_executable = "berth-monitor";
inline constexpr char const* launch_executable = "berth-launch";
/// Blocked from berth-launch's start on, so that none is lost before
/// berth-monitor's signalfd exists (pending ones survive the execve).
inline constexpr int monitor_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGCHLD, SIGWINCH };
/// Exit status of `healthcheck run --from-monitor` when the startup check passed just now.
inline constexpr int health_startup_passed_code = 3;

/// Attach-socket stream bytes (monitor to client).
inline constexpr char stream_stdout = 1;
inline constexpr char stream_stderr = 2;
/// Attach-socket packet kinds (client to monitor).
inline constexpr char attach_stdin = 0;       ///< data for the container's stdin
inline constexpr char attach_resize = 1;      ///< "ROWS COLS" in decimal
inline constexpr char attach_close_stdin = 2; ///< end of input
inline constexpr size_t attach_packet_max = 8192;

/// berth-monitor's arguments. Strings point into argv; fds are -1 when absent.
struct MonitorArgs {
    char const* id = "";
    char const* dir = "";              ///< run_dir/containers/ID: exit file, attach socket
    char const* log_driver = "k8s-file"; ///< k8s-file | json-file | none
    char const* log_path = "";
    long long log_max_size = 0;        ///< bytes; 0: no rotation (one rotated file, LOG.1)
    int container_pid = -1;
    int stdout_fd = -1;                ///< read ends of the container's stdout/stderr pipes
    int stderr_fd = -1;
    int stdin_fd = -1;                 ///< write end of the container's stdin pipe (attach clients)
    int pty_fd = -1;                   ///< pty master (the container has a terminal)
    int status_fd = -1;                ///< read end; hang-up: the CLI is no longer attached
    bool relay_out = false;            ///< copy output to our own fds 1 and 2 (attached CLI)
    bool relay_in = false;             ///< copy our fd 0 to the container (attached CLI with -i -t)
    char** exit_command = nullptr;     ///< argv after "--", null-terminated
    long long healthcheck_interval_ms = 0; ///< > 0: run healthcheck_command this often
    char** healthcheck_command = nullptr;  ///< argv after the second "--", null-terminated
    long long healthcheck_startup_interval_ms = 0; ///< > 0: tick this often until the startup check passed
    long long timeout_s = 0;           ///< > 0: SIGKILL the container after this many seconds (--timeout)
    bool quiet_stdout = false;         ///< with relay_out: the container's stdout is logged, not copied (-a stderr)
    bool quiet_stderr = false;         ///< with relay_out: the same for stderr (-a stdout)
};

/// The exit code recorded for a container killed by --timeout: conmon's (-1, seen as 255).
inline constexpr int timeout_exit_code = 255;

/// Parses berth-monitor's argv; false on an unknown word.
inline bool parse_args(int argc, char** argv, MonitorArgs& a)
{
    for (int i = 1; i < argc; ++i) {
        char const* w = argv[i];
        if (std::strcmp(w, "--") == 0) {
            a.exit_command = argv + i + 1;
            for (int j = i + 1; j < argc; ++j)
                if (std::strcmp(argv[j], "--") == 0) {
                    argv[j] = nullptr;  // ends the exit command
                    a.healthcheck_command = argv + j + 1;
                    break;
                }
            return true;
        }
        char const* eq = std::strchr(w, '=');
        if (!eq) {
            if (std::strcmp(w, "--relay-out") == 0)
                a.relay_out = true;
            else if (std::strcmp(w, "--relay-in") == 0)
                a.relay_in = true;
            else if (std::strcmp(w, "--quiet-stdout") == 0)
                a.quiet_stdout = true;
            else if (std::strcmp(w, "--quiet-stderr") == 0)
                a.quiet_stderr = true;
            else
                return false;
            continue;
        }
        size_t n = static_cast<size_t>(eq - w);
        char const* v = eq + 1;
        auto is = [&](char const* key) { return std::strlen(key) == n && std::strncmp(w, key, n) == 0; };
        if (is("--id"))
            a.id = v;
        else if (is("--dir"))
            a.dir = v;
        else if (is("--log-driver"))
            a.log_driver = v;
        else if (is("--log-path"))
            a.log_path = v;
        else if (is("--log-max-size"))
            a.log_max_size = std::atoll(v);
        else if (is("--pid"))
            a.container_pid = std::atoi(v);
        else if (is("--stdout"))
            a.stdout_fd = std::atoi(v);
        else if (is("--stderr"))
            a.stderr_fd = std::atoi(v);
        else if (is("--stdin"))
            a.stdin_fd = std::atoi(v);
        else if (is("--pty"))
            a.pty_fd = std::atoi(v);
        else if (is("--status"))
            a.status_fd = std::atoi(v);
        else if (is("--healthcheck-interval"))
            a.healthcheck_interval_ms = std::atoll(v);
        else if (is("--healthcheck-startup-interval"))
            a.healthcheck_startup_interval_ms = std::atoll(v);
        else if (is("--timeout"))
            a.timeout_s = std::atoll(v);
        else
            return false;
    }
    return true;
}

/// An attach_resize packet's text ("ROWS COLS", NUL-terminated): the window size, 0 where
/// a number is missing (the monitor then leaves the terminal alone).
struct WindowSize {
    unsigned short rows = 0;
    unsigned short cols = 0;
};
inline WindowSize parse_resize(char const* text)
{
    WindowSize ws;
    ws.rows = static_cast<unsigned short>(std::atoi(text));
    char const* sp = std::strchr(text, ' ');
    ws.cols = static_cast<unsigned short>(sp ? std::atoi(sp + 1) : 0);
    return ws;
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
