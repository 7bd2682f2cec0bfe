// berth-init: the PID 1 that `run --init` puts in front of the container's
// command (Podman uses catatonit, Docker tini). It starts the command as its
// only child, forwards every catchable signal to it, reaps every process that
// is reparented to it, and exits with the child's status (128+N when the child
// was killed by signal N).
//
// The hard parts are about being PID 1 of a pid namespace. The kernel drops a
// signal sent to such a process when its handler is SIG_DFL, unless the signal
// is blocked: so every signal is blocked and collected with sigwaitinfo rather
// than handled. The child must not inherit that mask (execve keeps it), and it
// gets its own process group, made the terminal's foreground group when stdin
// is a tty, so Ctrl-C on a `-it` container reaches it once, from the kernel,
// and not a second time through us.
//
// With -P (--pause) it runs no command: it is a pod's infra process, which
// only holds the pod's namespaces. It blocks every signal, reaps whatever is
// reparented to it, and exits 0 on SIGTERM or SIGINT (catatonit -P does the
// same for Podman's pods).
//
// The binary is linked statically (the image may have no libc) and uses only
// libc: no iostreams, no exceptions, no allocation.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr char const* program = "berth-init";

/// Exit status when the command cannot be started, as Podman: 127 not found, 126 not executable.
int exec_failure_status(int error)
{
    return error == ENOENT || error == ENOTDIR ? 127 : 126;
}

/// 128+N for a signal, the exit code otherwise.
int status_to_exit_code(int status)
{
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/// Signals that are not forwarded: SIGCHLD is ours; the rest are about the
/// terminal or cannot be caught anyway.
bool forwarded(int sig)
{
    return sig != SIGCHLD && sig != SIGKILL && sig != SIGSTOP;
}

/// The child: its own process group (the foreground one on a tty), the
/// default signal dispositions and mask, then the command.
[[noreturn]] void exec_child(char** argv, sigset_t const& original_mask)
{
    ::setpgid(0, 0);
    if (::isatty(STDIN_FILENO)) {
        // tcsetpgrp from a background group raises SIGTTOU: ignore it for the call.
        ::signal(SIGTTOU, SIG_IGN);
        ::tcsetpgrp(STDIN_FILENO, ::getpgrp());
        ::signal(SIGTTOU, SIG_DFL);
    }
    ::sigprocmask(SIG_SETMASK, &original_mask, nullptr);
    ::execvp(argv[0], argv);
    int error = errno;
    std::fprintf(stderr, "%s: exec %s: %s\n", program, argv[0], std::strerror(error));
    ::_exit(exec_failure_status(error));
}

/// Reaps every exited process; returns true once `child` is among them.
bool reap_all(pid_t child, int& child_status)
{
    bool child_done = false;
    for (;;) {
        int status = 0;
        pid_t pid = ::waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return child_done;  // 0: others still run; -1 ECHILD: nobody left
        if (pid == child) {
            child_status = status;
            child_done = true;
        }
    }
}

int usage()
{
    std::fprintf(stderr, "usage: %s [--] COMMAND [ARG...]\n"
                         "       %s -P|--pause\n"
                         "Runs COMMAND as the child of a minimal PID 1 that forwards signals and reaps zombies;\n"
                         "with -P, runs nothing and waits for SIGTERM or SIGINT (a pod's infra process).\n",
        program, program);
    return 125;
}

/// -P: hold the namespaces until asked to stop; reap what is reparented to us.
int pause_forever()
{
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    for (;;) {
        siginfo_t info;
        int sig = ::sigwaitinfo(&all, &info);
        if (sig == SIGTERM || sig == SIGINT)
            return 0;
        if (sig == SIGCHLD) {
            int ignored = 0;
            reap_all(-1, ignored);
        }
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc == 2 && (std::strcmp(argv[1], "-P") == 0 || std::strcmp(argv[1], "--pause") == 0))
        return pause_forever();
    int first = 1;
    if (first < argc && std::strcmp(argv[first], "--") == 0)
        ++first;
    if (first >= argc || std::strcmp(argv[1], "-h") == 0 || std::strcmp(argv[1], "--help") == 0)
        return usage();

    // Block everything before fork, so no signal is lost between fork and the wait loop.
    sigset_t all, original;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, &original);

    pid_t child = ::fork();
    if (child < 0) {
        std::fprintf(stderr, "%s: fork: %s\n", program, std::strerror(errno));
        return 125;
    }
    if (child == 0)
        exec_child(argv + first, original);

    int child_status = 0;
    for (;;) {
        siginfo_t info;
        int sig = ::sigwaitinfo(&all, &info);
        if (sig < 0)
            continue;  // EINTR
        if (sig == SIGCHLD) {
            if (reap_all(child, child_status))
                break;
        } else if (forwarded(sig)) {
            ::kill(child, sig);
        }
    }
    // The command is gone: pick up whatever else exited meanwhile, then leave
    // (the kernel kills what is left of the pid namespace with us).
    int ignored = 0;
    reap_all(-1, ignored);
    return status_to_exit_code(child_status);
}
