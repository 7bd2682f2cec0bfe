// Container tests: start() on a minimal rootfs made of the static busybox
// (/bin/busybox from busybox-static) and its applet links, in a fresh TempDir
// per test. They need root (clone with namespaces, mount); as another user they
// are skipped with a message. The container itself is the forked child: start()
// changes nothing in the test process (no setns, no unshare, no mount), and
// every container runs in its own mount namespace that dies with it, so nothing
// leaks between tests. The test reaps each container with waitpid.
#include <doctest/doctest.h>

#include "base/fs.h"
#include "base/temp_dir.h"
#include "runtime/container.h"
#include "runtime/spec.h"

#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <pty.h>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace berth;
using namespace berth::runtime;

namespace {

constexpr char const* applets[] = { "sh", "echo", "id", "hostname", "cat", "ls", "true", "grep", "wc", "tty", "stat", "test", "mount", "readlink" };

bool can_run_containers()
{
    if (::geteuid() != 0) {
        MESSAGE("skipped: container tests need root (clone with namespaces, mount)");
        return false;
    }
    if (!fs::exists("/bin/busybox")) {
        MESSAGE("skipped: /bin/busybox is missing (install busybox-static)");
        return false;
    }
    return true;
}

/// A rootfs with /bin/busybox and applet links, mode 0755 so any uid can use it.
TempDir make_rootfs()
{
    TempDir dir = TempDir::create("/tmp", "berth-rootfs-").release_value();
    std::string r = dir.path();
    ::chmod(r.c_str(), 0755);
    for (char const* d : { "/bin", "/proc", "/sys", "/dev", "/tmp", "/etc", "/mnt" })
        REQUIRE(fs::mkdir_p(r + d).has_value());
    auto busybox = fs::read_file("/bin/busybox");
    REQUIRE(busybox.has_value());
    REQUIRE(fs::write_file_atomic(r + "/bin/busybox", busybox.value(), 0755).has_value());
    for (char const* applet : applets)
        REQUIRE(::symlink("busybox", (r + "/bin/" + applet).c_str()) == 0);
    return dir;
}

Spec make_spec(std::string const& rootfs, std::vector<std::string> args)
{
    Spec spec = default_spec();
    spec.root.path = rootfs;
    spec.process.args = std::move(args);
    return spec;
}

struct Outcome {
    Result<pid_t> started = Error::msg("not started");
    int status = -1;     ///< exit status, or 128+signal
    std::string output;  ///< stdout and stderr together
};

/// Starts the container with stdout/stderr on one pipe, reads it to EOF and reaps the process.
Outcome run(Spec const& spec, std::vector<int> preserve = {}, StartOptions const& options = {})
{
    Outcome outcome;
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    Stdio stdio { -1, fds[1], fds[1], -1, std::move(preserve) };
    outcome.started = start(spec, stdio, options);
    ::close(fds[1]);
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fds[0], buf, sizeof buf)) > 0)
        outcome.output.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    if (outcome.started) {
        int status = 0;
        REQUIRE(::waitpid(outcome.started.value(), &status, 0) == outcome.started.value());
        outcome.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    return outcome;
}

Result<std::string> read_link(std::string const& path)
{
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    if (n < 0)
        return Error::from_errno("readlink " + path);
    return std::string(buf, static_cast<size_t>(n));
}

std::string status_field(std::string const& status_text, std::string const& field)
{
    std::istringstream in(status_text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(field + ":", 0) == 0) {
            size_t v = line.find_first_not_of(" \t", field.size() + 1);
            return v == std::string::npos ? "" : line.substr(v);
        }
    }
    return "<missing>";
}

} // namespace

TEST_CASE("container: echo hi, exit status, and a rootfs that is not there")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    auto out = run(make_spec(rootfs.path(), { "echo", "hi" }));
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "hi\n");
    CHECK(out.status == 0);

    out = run(make_spec(rootfs.path(), { "sh", "-c", "exit 7" }));
    REQUIRE(out.started.has_value());
    CHECK(out.status == 7);

    out = run(make_spec(rootfs.path() + "/nope", { "true" }));
    REQUIRE_FALSE(out.started.has_value());
    CHECK(out.started.error().message.find("rootfs") != std::string::npos);
}

TEST_CASE("container: user, supplementary groups and hostname")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "id -u; id -G; hostname" });
    spec.process.user = User { 1000, 1000, std::nullopt, { 10, 20 } };
    spec.hostname = "berth-box";
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "1000\n1000 10 20\nberth-box\n");
    CHECK(out.status == 0);
}

TEST_CASE("container: capabilities, seccomp and no_new_privs in /proc/self/status")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "cat", "/proc/self/status" });
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(status_field(out.output, "NoNewPrivs") == "0");
    CHECK(status_field(out.output, "Seccomp") == "2");
    // Podman's 11: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP.
    CHECK(status_field(out.output, "CapEff") == "00000000800405fb");
    CHECK(status_field(out.output, "CapBnd") == "00000000800405fb");
    CHECK(status_field(out.output, "CapInh") == "0000000000000000");

    spec.process.no_new_privileges = true;
    out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(status_field(out.output, "NoNewPrivs") == "1");
    CHECK(status_field(out.output, "Seccomp") == "2");

    // A profile compiled beforehand (the engine's cache) is used as given.
    auto compiled = seccomp_from_spec(spec.linux_config.seccomp);
    REQUIRE(compiled.has_value());
    spec.linux_config.seccomp = nullptr;
    out = run(spec);
    REQUIRE(out.started.has_value());
    CHECK(status_field(out.output, "Seccomp") == "0");
    out = run(spec, {}, StartOptions { &compiled.value(), "" });
    REQUIRE(out.started.has_value());
    CHECK(status_field(out.output, "Seccomp") == "2");

    // Or compiled through the cache directory.
    TempDir cache = TempDir::create("/tmp", "berth-seccomp-cache-").release_value();
    spec = make_spec(rootfs.path(), { "cat", "/proc/self/status" });
    for (int i = 0; i < 2; ++i) {
        out = run(spec, {}, StartOptions { nullptr, cache.path() });
        REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
        CHECK(status_field(out.output, "Seccomp") == "2");
    }
    CHECK_FALSE(fs::list_dir(cache.path()).value().empty());
}

TEST_CASE("container: masked and read-only paths")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    // Not every kernel has every path (this CI VM lacks /proc/kcore and
    // /proc/sysrq-trigger): each existing masked file must read empty.
    auto out = run(make_spec(rootfs.path(), { "sh", "-c",
        "for f in /proc/kcore /proc/keys /proc/timer_list /proc/interrupts; do test -e $f && echo $f $(wc -c < $f); done;"
        "echo dirs $(ls -A /proc/acpi | wc -l) $(ls -A /sys/firmware | wc -l);"
        "test -e /proc/sysrq-trigger && { echo h > /proc/sysrq-trigger && echo WROTE sysrq; };"
        "echo 1 > /proc/sys/kernel/ns_last_pid && echo WROTE sys; true" }));
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    INFO("output: " << out.output);
    if (fs::exists("/proc/keys"))
        CHECK(out.output.find("/proc/keys 0\n") != std::string::npos);
    if (fs::exists("/proc/interrupts"))
        CHECK(out.output.find("/proc/interrupts 0\n") != std::string::npos);
    if (fs::exists("/proc/kcore"))
        CHECK(out.output.find("/proc/kcore 0\n") != std::string::npos);
    CHECK(out.output.find("dirs 0 0\n") != std::string::npos);
    CHECK(out.output.find("Read-only file system") != std::string::npos);
    CHECK(out.output.find("WROTE") == std::string::npos);
}

TEST_CASE("container: workdir and executable errors carry Podman's kinds")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "true" });
    spec.process.cwd = "/does/not/exist";
    auto out = run(spec);
    REQUIRE_FALSE(out.started.has_value());
    CHECK(out.started.error().code == ENOENT);
    CHECK(out.started.error().kind == ErrorKind::Engine);
    CHECK(out.started.error().message == "workdir \"/does/not/exist\" does not exist in the container: No such file or directory");

    out = run(make_spec(rootfs.path(), { "foo" }));
    REQUIRE_FALSE(out.started.has_value());
    CHECK(out.started.error().kind == ErrorKind::NotFound);
    CHECK(out.started.error().message == "executable file \"foo\" not found in $PATH: No such file or directory");

    REQUIRE(fs::write_file_atomic(rootfs.path() + "/bin/script", "#!/bin/sh\necho no\n", 0644).has_value());
    out = run(make_spec(rootfs.path(), { "/bin/script" }));
    REQUIRE_FALSE(out.started.has_value());
    CHECK(out.started.error().kind == ErrorKind::CannotInvoke);
    CHECK(out.started.error().code == EACCES);

    out = run(make_spec(rootfs.path(), { "/bin/missing" }));
    REQUIRE_FALSE(out.started.has_value());
    CHECK(out.started.error().kind == ErrorKind::NotFound);
}

TEST_CASE("container: a mount destination that is a symlink out of the rootfs lands inside it")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    TempDir host_dir = TempDir::create("/tmp", "berth-hostdir-").release_value();
    TempDir source = TempDir::create("/tmp", "berth-source-").release_value();
    REQUIRE(fs::write_file_atomic(host_dir.path() + "/host-marker", "host").has_value());
    REQUIRE(fs::write_file_atomic(source.path() + "/inside-marker", "inside").has_value());
    TempDir other_host_dir = TempDir::create("/tmp", "berth-hostdir-").release_value();
    std::string host_missing = other_host_dir.path() + "/created-by-container";
    REQUIRE(::symlink(host_dir.path().c_str(), (rootfs.path() + "/mnt/escape").c_str()) == 0);
    REQUIRE(::symlink(host_missing.c_str(), (rootfs.path() + "/mnt/dangling").c_str()) == 0);

    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "cat /mnt/escape/inside-marker; ls /mnt/escape; ls -d /mnt/dangling/" });
    spec.mounts.push_back({ "/mnt/escape", "bind", source.path(), { "rbind", "ro" } });
    spec.mounts.push_back({ "/mnt/dangling", "tmpfs", "tmpfs", {} });
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "insideinside-marker\n/mnt/dangling/\n");
    CHECK(out.status == 0);
    // The host was neither mounted over nor written: its directory holds only its own marker.
    CHECK(fs::list_dir(host_dir.path()).value() == std::vector<std::string> { "host-marker" });
    CHECK_FALSE(fs::exists(host_missing));
    CHECK(fs::list_dir(other_host_dir.path()).value().empty());
    // The targets were made inside the rootfs instead.
    CHECK(fs::is_dir(rootfs.path() + host_dir.path()));
    CHECK(fs::is_dir(rootfs.path() + host_missing));
}

TEST_CASE("container: only 0, 1, 2 and the preserved fds reach the process")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    // A stray inheritable fd in the caller must not leak in; a preserved one must.
    int null_fd = ::open("/dev/null", O_RDONLY);
    REQUIRE(null_fd >= 0);
    int stray = 50, kept = 40;
    REQUIRE(::dup2(null_fd, stray) == stray);
    REQUIRE(::dup2(null_fd, kept) == kept);
    ::close(null_fd);
    // ls itself holds one more fd, the directory it reads, opened as the
    // lowest free number: 3. `ls -l` would show it pointing at /proc/<pid>/fd.
    auto out = run(make_spec(rootfs.path(), { "ls", "/proc/self/fd" }), { kept });
    ::close(stray);
    ::close(kept);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "0\n1\n2\n3\n40\n");
}

TEST_CASE("container: /dev holds the standard devices and links")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    auto out = run(make_spec(rootfs.path(), { "sh", "-c",
        "for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done;"
        "readlink /dev/fd; readlink /dev/stdin; readlink /dev/ptmx; echo x > /dev/null && head=$(stat -c %t,%T /dev/zero) && echo $head" }));
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "/proc/self/fd\n/proc/self/fd/0\npts/ptmx\n1,5\n");
}

TEST_CASE("container: a new user namespace with id mappings (the rootless code paths, as root)")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "id -u; cat /proc/self/uid_map; test -c /dev/null && echo dev-ok; wc -c < /proc/timer_list" });
    spec.linux_config.namespaces.push_back({ NamespaceType::User, "" });
    spec.linux_config.uid_mappings = { { 0, 200000, 65536 } };
    spec.linux_config.gid_mappings = { { 0, 200000, 65536 } };
    // The rootfs belongs to host root, which is unmapped: let the mapped root in.
    REQUIRE(::chown(rootfs.path().c_str(), 200000, 200000) == 0);
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    std::istringstream lines(out.output);
    std::string uid, map, dev, masked;
    std::getline(lines, uid);
    std::getline(lines, map);
    std::getline(lines, dev);
    std::getline(lines, masked);
    CHECK(uid == "0");
    std::istringstream fields(map);
    unsigned a = 1, b = 0, c = 0;
    fields >> a >> b >> c;
    CHECK(a == 0);
    CHECK(b == 200000);
    CHECK(c == 65536);
    CHECK(dev == "dev-ok");
    CHECK(masked == "0");
}

TEST_CASE("container: a terminal becomes the controlling tty and /dev/console")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    int master = -1, slave = -1;
    REQUIRE(::openpty(&master, &slave, nullptr, nullptr, nullptr) == 0);
    ::fcntl(master, F_SETFD, FD_CLOEXEC);
    ::fcntl(slave, F_SETFD, FD_CLOEXEC);
    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "test -t 0 && test -t 1 && echo is-a-tty; test -c /dev/console && echo console" });
    spec.process.terminal = true;
    Stdio stdio { -1, -1, -1, slave, {} };
    auto started = start(spec, stdio);
    ::close(slave);
    REQUIRE_MESSAGE(started.has_value(), started.error().message);
    std::string output;
    char buf[256];
    ssize_t n;
    while ((n = ::read(master, buf, sizeof buf)) > 0)  // EIO once the last slave fd is closed
        output.append(buf, static_cast<size_t>(n));
    ::close(master);
    int status = 0;
    REQUIRE(::waitpid(started.value(), &status, 0) == started.value());
    CHECK(WIFEXITED(status));
    CHECK(output == "is-a-tty\r\nconsole\r\n");
}

TEST_CASE("container: without a pty_slave the init opens the terminal in the container's /dev/pts")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "tty; test -c /dev/console && echo console; stat -c %u /dev/pts/0" });
    spec.process.terminal = true;
    spec.process.user = User { 1000, 1000, std::nullopt, {} };
    CHECK_FALSE(start(spec, Stdio { -1, -1, -1, -1, {} }).has_value());  // start() cannot hand a master back
    auto started = start_process(spec, Stdio { -1, -1, -1, -1, {} });
    REQUIRE_MESSAGE(started.has_value(), started.error().message);
    REQUIRE(started->pty_master.valid());
    std::string output;
    char buf[256];
    ssize_t n;
    while ((n = ::read(started->pty_master.get(), buf, sizeof buf)) > 0)
        output.append(buf, static_cast<size_t>(n));
    int status = 0;
    REQUIRE(::waitpid(started->pid, &status, 0) == started->pid);
    CHECK(WIFEXITED(status));
    CHECK(output == "/dev/pts/0\r\nconsole\r\n1000\r\n");
}

TEST_CASE("container: in a user namespace without its own network namespace /sys is the host's, read-only")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c", "grep ' /sys ' /proc/self/mounts | grep -o ' ro,'; ls /sys/fs/cgroup | wc -l; grep -c ' /sys/fs/cgroup/.* rw,' /proc/self/mounts" });
    std::erase_if(spec.linux_config.namespaces, [](Namespace const& ns) { return ns.type == NamespaceType::Network; });
    spec.linux_config.namespaces.push_back({ NamespaceType::User, "" });
    spec.linux_config.uid_mappings = { { 0, 200000, 65536 } };
    spec.linux_config.gid_mappings = { { 0, 200000, 65536 } };
    REQUIRE(::chown(rootfs.path().c_str(), 200000, 200000) == 0);
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    INFO("output: " << out.output);
    std::istringstream lines(out.output);
    std::string ro, entries, rw_submounts;
    std::getline(lines, ro);
    std::getline(lines, entries);
    std::getline(lines, rw_submounts);
    CHECK(ro == " ro,");
    // The host's submounts came along with the rbind, all read-only too.
    if (!fs::list_dir("/sys/fs/cgroup").value_or(std::vector<std::string> {}).empty())
        CHECK(entries != "0");
    CHECK(rw_submounts == "0");
}

TEST_CASE("container: env, umask, rlimits, oom_score_adj, sysctl and a read-only root")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c",
        "echo $FOO; umask; ulimit -n; cat /proc/self/oom_score_adj; cat /proc/sys/kernel/domainname; touch /newfile || echo ro-root; touch /dev/shm/x && echo shm-rw" });
    spec.process.env.push_back("FOO=bar baz");
    spec.process.user.umask = 027;
    spec.process.rlimits = { { "RLIMIT_NOFILE", 1000, 900 } };
    spec.process.oom_score_adj = 100;
    spec.linux_config.sysctl = { { "kernel.domainname", "berth.test" } };
    spec.root.readonly = true;
    auto out = run(spec);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    CHECK(out.output == "bar baz\n0027\n900\n100\nberth.test\ntouch: /newfile: Read-only file system\nro-root\nshm-rw\n");
    CHECK_FALSE(fs::exists(rootfs.path() + "/newfile"));
}

TEST_CASE("container: joining another container's pid and uts namespaces by path")
{
    if (!can_run_containers())
        return;
    TempDir rootfs = make_rootfs();
    Spec first = make_spec(rootfs.path(), { "sh", "-c", "read line" });  // waits on stdin until we close it
    first.hostname = "first";
    int hold[2];
    REQUIRE(::pipe2(hold, O_CLOEXEC) == 0);
    auto a = start(first, Stdio { hold[0], 1, 2, -1, {} });
    ::close(hold[0]);
    REQUIRE_MESSAGE(a.has_value(), a.error().message);
    std::string ns = "/proc/" + std::to_string(a.value()) + "/ns/";

    Spec second = make_spec(rootfs.path(), { "sh", "-c", "hostname; echo $$; readlink /proc/self/ns/pid" });
    for (auto& n : second.linux_config.namespaces) {
        if (n.type == NamespaceType::Pid)
            n.path = ns + "pid";
        if (n.type == NamespaceType::Uts)
            n.path = ns + "uts";
    }
    auto first_pid_ns = read_link(ns + "pid");
    auto out = run(second);
    auto own_pid_ns = read_link("/proc/self/ns/pid");
    ::close(hold[1]);
    int status = 0;
    ::waitpid(a.value(), &status, 0);
    REQUIRE_MESSAGE(out.started.has_value(), out.started.error().message);
    std::istringstream lines(out.output);
    std::string hostname, pid, pid_ns;
    std::getline(lines, hostname);
    std::getline(lines, pid);
    std::getline(lines, pid_ns);
    CHECK(hostname == "first");
    CHECK(pid != "1");  // the first container's process is pid 1 there
    CHECK(pid_ns == first_pid_ns.value_or("?"));
    // Our own pid namespace for children is back to where it was.
    CHECK(read_link("/proc/self/ns/pid_for_children").value_or("") == own_pid_ns.value_or("?"));
}

namespace {

/// In a forked child (the user namespace cannot be left again): unshares a
/// user and mount namespace with a single-id mapping, as berth does for a user
/// without subordinate ids, runs `spec` there and returns the container's
/// output, or "error: ..." for a failure.
std::string run_in_single_id_userns(Spec const& spec)
{
    int report[2];
    REQUIRE(::pipe2(report, O_CLOEXEC) == 0);
    uid_t uid = ::geteuid();
    gid_t gid = ::getegid();
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(report[0]);
        auto say = [&](std::string const& text) {
            (void)!::write(report[1], text.data(), text.size());
            ::_exit(0);
        };
        if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
            say("error: unshare: " + std::string(std::strerror(errno)));
        auto write_proc = [&](char const* file, std::string const& text) {
            int fd = ::open(file, O_WRONLY | O_CLOEXEC);
            if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()))
                say(std::string("error: write ") + file + ": " + std::strerror(errno));
            ::close(fd);
        };
        write_proc("/proc/self/setgroups", "deny");
        write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n");
        write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n");
        Outcome out = run(spec);
        if (!out.started)
            say("error: " + out.started.error().message);
        say(out.output + "status " + std::to_string(out.status) + "\n");
    }
    ::close(report[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(report[0], buf, sizeof buf)) > 0)
        text.append(buf, static_cast<size_t>(n));
    ::close(report[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    return text;
}

} // namespace

TEST_CASE("container: rootless in a single-id user namespace (any user)")
{
    if (!fs::exists("/bin/busybox")) {
        MESSAGE("skipped: /bin/busybox is missing (install busybox-static)");
        return;
    }
    TempDir rootfs = make_rootfs();
    Spec spec = make_spec(rootfs.path(), { "sh", "-c",
        "echo hi; id -u; hostname; test -c /dev/null && echo x > /dev/null && echo dev-ok; test -d /dev/pts && echo pts;"
        "grep -E '^(NoNewPrivs|Seccomp):' /proc/self/status; wc -c < /proc/timer_list; ls /proc/self/fd | wc -l" });
    spec.hostname = "rootless";
    spec.process.no_new_privileges = true;
    std::string out = run_in_single_id_userns(spec);
    if (out.starts_with("error: unshare")) {
        MESSAGE("skipped: unprivileged user namespaces are not available: " << out);
        return;
    }
    CHECK(out == "hi\n0\nrootless\ndev-ok\npts\nNoNewPrivs:\t1\nSeccomp:\t2\n0\n4\nstatus 0\n");
}
