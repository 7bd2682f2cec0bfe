// Tests for capabilities, seccomp and rlimits. Everything that changes process
// state (capsets, setresuid, seccomp filters, rlimits) runs in a forked child
// that reports a failure description over a pipe, as youki's
// test_in_child_process does; the parent asserts on that text.
#include "runtime/capabilities.h"
#include "runtime/kernel.h"
#include "runtime/rlimits.h"
#include "runtime/seccomp.h"

#include "base/fs.h"
#include "base/temp_dir.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <cstring>
#include <functional>
#include <linux/sched.h>
#include <sched.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <grp.h>
#include <unistd.h>

using namespace berth;
using namespace berth::runtime;

namespace {

// Runs `body` in a forked child; returns "" when it returned "", else its failure text.
std::string in_child(std::function<std::string()> const& body)
{
    int fds[2];
    REQUIRE(pipe2(fds, O_CLOEXEC) == 0);
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        std::string result = body();
        if (!result.empty() && write(fds[1], result.data(), result.size()) < 0)
            _exit(3);
        _exit(0);
    }
    close(fds[1]);
    std::string out;
    char buffer[512];
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
        out.append(buffer, n);
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        out += " (child status " + std::to_string(status) + ")";
    return out;
}

// The hex value of a "Cap*:" or other line in /proc/self/status.
uint64_t status_hex(std::string const& key)
{
    auto text = fs::read_file("/proc/self/status");
    if (!text)
        return ~uint64_t(0);
    std::istringstream lines(text.value());
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(key + ":", 0) == 0)
            return std::stoull(line.substr(key.size() + 1), nullptr, 16);
    }
    return ~uint64_t(0);
}

std::string status_line(std::string const& key)
{
    auto text = fs::read_file("/proc/self/status");
    std::istringstream lines(text.value_or(""));
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind(key + ":", 0) == 0)
            return line;
    }
    return "";
}

std::string expect_hex(std::string const& key, uint64_t want)
{
    uint64_t got = status_hex(key);
    if (got == want)
        return "";
    std::ostringstream out;
    out << key << " is " << std::hex << got << ", expected " << want << "; ";
    return out.str();
}

std::string expect_errno(char const* what, long rc, int want)
{
    if (rc == -1 && errno == want)
        return "";
    return std::string(what) + " returned " + std::to_string(rc) + " errno " + std::to_string(errno) + ", expected errno " + std::to_string(want) + "; ";
}

constexpr uint64_t k_podman_default_mask = 0x800405fb; // what `podman run` shows as CapEff

CapabilitySets podman_sets()
{
    auto caps = default_capabilities();
    return CapabilitySets { caps, caps, caps, {}, {} };
}

bool is_root() { return geteuid() == 0; }

bool rule_has(Json const& spec, std::string const& name, std::string const& action)
{
    for (auto const& rule : spec["syscalls"]) {
        if (rule["action"] != action)
            continue;
        for (auto const& n : rule["names"]) {
            if (n == name)
                return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("capability names and numbers")
{
    CHECK(capability_from_name("CAP_CHOWN").value() == 0);
    CHECK(capability_from_name("chown").value() == 0);
    CHECK(capability_from_name("cap_sys_admin").value() == 21);
    CHECK(capability_from_name("Net_Raw").value() == 13);
    CHECK(capability_from_name("CAP_CHECKPOINT_RESTORE").value() == 40);
    auto unknown = capability_from_name("CAP_FLY");
    REQUIRE(!unknown);
    CHECK(unknown.error().message.find("CAP_FLY") != std::string::npos);
    CHECK(!capability_from_name("CAP_"));
    CHECK(!capability_from_name(""));
    CHECK(capability_name(0) == "CAP_CHOWN");
    CHECK(capability_name(21) == "CAP_SYS_ADMIN");
    CHECK(capability_name(40) == "CAP_CHECKPOINT_RESTORE");
    CHECK(normalize_capability("all").value() == "ALL");
    CHECK(normalize_capability("setfcap").value() == "CAP_SETFCAP");
}

TEST_CASE("default and all capabilities")
{
    auto defaults = default_capabilities();
    CHECK(defaults.size() == 11);
    CHECK(capability_mask(defaults).value() == k_podman_default_mask);
    auto all = all_capabilities();
    CHECK(all.size() == static_cast<size_t>(std::min(last_capability(), 40) + 1));
    CHECK(all.front() == "CAP_CHOWN");
}

TEST_CASE("adjust_capabilities follows podman's --cap-add/--cap-drop")
{
    auto base = default_capabilities();
    auto caps = adjust_capabilities(base, { "net_raw" }, { "CAP_CHOWN" });
    REQUIRE(caps);
    CHECK(caps->size() == 11);
    CHECK(std::find(caps->begin(), caps->end(), "CAP_NET_RAW") != caps->end());
    CHECK(std::find(caps->begin(), caps->end(), "CAP_CHOWN") == caps->end());
    CHECK(std::is_sorted(caps->begin(), caps->end()));

    auto only = adjust_capabilities(base, { "chown", "CAP_CHOWN" }, { "ALL" });
    REQUIRE(only);
    CHECK(*only == std::vector<std::string> { "CAP_CHOWN" });

    auto none = adjust_capabilities(base, {}, { "all" });
    REQUIRE(none);
    CHECK(none->empty());

    auto everything = adjust_capabilities(base, { "ALL" }, { "sys_admin" });
    REQUIRE(everything);
    CHECK(everything->size() == all_capabilities().size() - 1);
    CHECK(std::find(everything->begin(), everything->end(), "CAP_SYS_ADMIN") == everything->end());

    CHECK(adjust_capabilities(base, {}, {}).value().size() == 11);
    CHECK(!adjust_capabilities(base, { "ALL" }, { "ALL" }));
    auto both = adjust_capabilities(base, { "NET_RAW" }, { "net_raw" });
    REQUIRE(!both);
    CHECK(both.error().message.find("CAP_NET_RAW") != std::string::npos);
    auto bad = adjust_capabilities(base, { "CAP_WARP_DRIVE" }, {});
    REQUIRE(!bad);
    CHECK(bad.error().message.find("CAP_WARP_DRIVE") != std::string::npos);
}

TEST_CASE("close_fds_except closes every fd from 3 up but those it keeps")
{
    CHECK(in_child([] {
        int null_fd = open("/dev/null", O_RDONLY);
        for (int fd : { 3, 4, 5, 9, 10, 11, 200, 1000 })
            dup2(null_fd, fd);
        // The caller's fds, in any order, with duplicates, negatives and 0..2.
        if (auto r = kernel::close_fds_except({ 11, -1, 4, 2, 11, 1000 }); !r)
            return r.error().message;
        std::string open_fds;
        for (int fd = 0; fd < 1100; ++fd) {
            if (fcntl(fd, F_GETFD) >= 0)
                open_fds += std::to_string(fd) + " ";
        }
        return open_fds == "0 1 2 4 11 1000 " ? std::string() : "open after close_fds_except: " + open_fds;
    }) == "");
    CHECK(in_child([] {
        dup2(1, 7);
        if (auto r = kernel::close_fds_except({}); !r)
            return r.error().message;
        return fcntl(7, F_GETFD) < 0 && fcntl(2, F_GETFD) >= 0 ? std::string() : std::string("fd 7 still open or fd 2 closed");
    }) == "");
}

TEST_CASE("apply_capabilities sets podman's defaults with empty inheritable and ambient")
{
    if (!is_root()) {
        MESSAGE("skipped: needs root");
        return;
    }
    CHECK(in_child([] {
        if (auto r = apply_capabilities(podman_sets()); !r)
            return r.error().message;
        return expect_hex("CapEff", k_podman_default_mask) + expect_hex("CapPrm", k_podman_default_mask)
            + expect_hex("CapBnd", k_podman_default_mask) + expect_hex("CapInh", 0) + expect_hex("CapAmb", 0);
    }) == "");
}

TEST_CASE("apply_capabilities after setresuid to a non-root user")
{
    if (!is_root()) {
        MESSAGE("skipped: needs root");
        return;
    }
    CHECK(in_child([] {
        if (auto r = prepare_capabilities_for_setuid(); !r)
            return r.error().message;
        if (setgroups(0, nullptr) < 0 || setresgid(1000, 1000, 1000) < 0 || setresuid(1000, 1000, 1000) < 0)
            return std::string("setresuid: ") + strerror(errno);
        // The kernel clears effective on the uid change; keepcaps kept permitted.
        std::string result = expect_hex("CapEff", 0);
        if (status_hex("CapPrm") == 0)
            result += "permitted set lost across setresuid; ";
        if (auto r = apply_capabilities(podman_sets()); !r)
            return result + r.error().message;
        if (getuid() != 1000 || geteuid() != 1000)
            result += "uid changed; ";
        return result + expect_hex("CapEff", k_podman_default_mask) + expect_hex("CapPrm", k_podman_default_mask)
            + expect_hex("CapBnd", k_podman_default_mask) + expect_hex("CapInh", 0) + expect_hex("CapAmb", 0);
    }) == "");
}

TEST_CASE("apply_capabilities raises ambient capabilities and reports impossible sets")
{
    if (!is_root()) {
        MESSAGE("skipped: needs root");
        return;
    }
    CHECK(in_child([] {
        auto sets = podman_sets();
        sets.inheritable = { "CAP_NET_BIND_SERVICE" };
        sets.ambient = { "CAP_NET_BIND_SERVICE" };
        if (auto r = apply_capabilities(sets); !r)
            return r.error().message;
        return expect_hex("CapAmb", uint64_t(1) << 10) + expect_hex("CapInh", uint64_t(1) << 10);
    }) == "");
    CHECK(in_child([] {
        if (auto r = apply_capabilities(podman_sets()); !r)
            return r.error().message;
        // CAP_SYS_ADMIN is gone from permitted: asking for it again must fail cleanly.
        auto sets = podman_sets();
        sets.effective.push_back("CAP_SYS_ADMIN");
        sets.permitted.push_back("CAP_SYS_ADMIN");
        auto r = apply_capabilities(sets);
        if (r)
            return std::string("regaining CAP_SYS_ADMIN succeeded");
        return r.error().message.find("capset") != std::string::npos ? std::string() : r.error().message;
    }) == "");
    auto bad = apply_capabilities(CapabilitySets { { "CAP_NOPE" }, {}, {}, {}, {} });
    REQUIRE(!bad);
    CHECK(bad.error().message.find("bounding capabilities: unknown capability \"CAP_NOPE\"") == 0);
}

TEST_CASE("the default seccomp spec depends on the capabilities")
{
    auto spec = default_seccomp_spec(default_capabilities());
    CHECK(spec["defaultAction"] == "SCMP_ACT_ERRNO");
    CHECK(spec["defaultErrnoRet"] == 38);
#if defined(__x86_64__)
    CHECK(spec["architectures"] == Json { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" });
#endif
    CHECK(rule_has(spec, "getpid", "SCMP_ACT_ALLOW"));
    CHECK(rule_has(spec, "chroot", "SCMP_ACT_ALLOW")); // CAP_SYS_CHROOT is a default
    CHECK(rule_has(spec, "keyctl", "SCMP_ACT_ERRNO"));
    CHECK(rule_has(spec, "mount", "SCMP_ACT_ERRNO"));
    CHECK(rule_has(spec, "clone3", "SCMP_ACT_ERRNO"));
    CHECK(!rule_has(spec, "mount", "SCMP_ACT_ALLOW"));
    CHECK(!rule_has(spec, "ptrace", "SCMP_ACT_ALLOW"));

    auto admin = default_seccomp_spec({ "CAP_SYS_ADMIN", "CAP_SYS_PTRACE" });
    CHECK(rule_has(admin, "mount", "SCMP_ACT_ALLOW"));
    CHECK(rule_has(admin, "unshare", "SCMP_ACT_ALLOW"));
    CHECK(rule_has(admin, "clone3", "SCMP_ACT_ALLOW"));
    CHECK(rule_has(admin, "ptrace", "SCMP_ACT_ALLOW"));
    CHECK(!rule_has(admin, "mount", "SCMP_ACT_ERRNO"));
    CHECK(!rule_has(admin, "clone3", "SCMP_ACT_ERRNO"));
    CHECK(rule_has(admin, "keyctl", "SCMP_ACT_ERRNO"));
    CHECK(!rule_has(admin, "chroot", "SCMP_ACT_ALLOW"));

    // No syscall gets two unconditional rules with different actions, whatever the caps.
    for (auto const& caps : { default_capabilities(), all_capabilities(), std::vector<std::string> {} }) {
        std::map<std::string, Json> seen;
        // (a named spec: a range-for over default_seccomp_spec(caps)["syscalls"] walks a destroyed temporary)
        Json spec = default_seccomp_spec(caps);
        for (auto const& rule : spec["syscalls"]) {
            if (rule.contains("args"))
                continue;
            Json action = { rule["action"], rule.value("errnoRet", 0) };
            for (auto const& name : rule["names"]) {
                auto [it, inserted] = seen.emplace(name.get<std::string>(), action);
                CHECK_MESSAGE((inserted || it->second == action), name.get<std::string>());
            }
        }
    }
}

TEST_CASE("the default seccomp profile denies with EPERM and ENOSYS")
{
    auto profile = seccomp_from_spec(default_seccomp_spec(default_capabilities()));
    REQUIRE_MESSAGE(profile, (profile ? "" : profile.error().message));
    CHECK(!profile->empty());
    CHECK(in_child([&] {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            return std::string("no_new_privs failed");
        if (auto r = install_seccomp(profile.value()); !r)
            return r.error().message;
        std::string result;
        if (syscall(SYS_getpid) != getpid())
            result += "getpid failed; ";
        result += expect_errno("keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
        result += expect_errno("add_key", syscall(SYS_add_key, "user", "x", "y", 1, 0), EPERM);
        result += expect_errno("syscall 999", syscall(999, 0, 0, 0), ENOSYS);
        result += expect_errno("io_uring_setup", syscall(SYS_io_uring_setup, 1, nullptr), ENOSYS);
        result += expect_errno("unshare(CLONE_NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
        result += expect_errno("setns", setns(0, 0), EPERM);
        result += expect_errno("mount", mount("none", "/mnt", "tmpfs", 0, nullptr), EPERM);
        result += expect_errno("ptrace", syscall(SYS_ptrace, 0, 0, 0, 0), EPERM);
        result += expect_errno("bpf", syscall(SYS_bpf, 0, nullptr, 0), EPERM);
        long rc = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
        if (rc == 0)
            _exit(0); // the filter let a namespaced clone through: the child leaves quietly
        result += expect_errno("clone(CLONE_NEWUSER)", rc, EPERM);
        struct clone_args args {};
        args.exit_signal = SIGCHLD;
        rc = syscall(SYS_clone3, &args, sizeof args);
        if (rc == 0)
            _exit(0);
        result += expect_errno("clone3", rc, ENOSYS);
        // A plain fork (clone without namespace flags) still works.
        pid_t pid = fork();
        if (pid == 0)
            _exit(7);
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 7)
            result += "fork failed; ";
        if (status_line("Seccomp") != "Seccomp:\t2")
            result += "status shows '" + status_line("Seccomp") + "'; ";
        return result;
    }) == "");
}

TEST_CASE("install_seccomp without no_new_privs or CAP_SYS_ADMIN says what to do")
{
    if (!is_root()) {
        MESSAGE("skipped: needs root");
        return;
    }
    auto profile = seccomp_from_spec(default_seccomp_spec(default_capabilities()));
    REQUIRE(profile);
    CHECK(in_child([&] {
        if (setresuid(1000, 1000, 1000) < 0)
            return std::string("setresuid failed");
        auto r = install_seccomp(profile.value());
        if (r)
            return std::string("installed without no_new_privs");
        return r.error().message.find("no_new_privs") != std::string::npos ? std::string() : r.error().message;
    }) == "");
}

TEST_CASE("compiled seccomp programs are cached by their exact spec")
{
    auto dir = TempDir::create("/tmp", "berth-seccomp-test-");
    REQUIRE(dir);
    std::string cache = dir->path() + "/cache";
    auto spec = default_seccomp_spec(default_capabilities());
    auto fresh = seccomp_from_spec(spec);
    REQUIRE(fresh);
    auto first = seccomp_from_spec_cached(spec, cache);
    REQUIRE(first);
    auto files = fs::list_dir(cache);
    REQUIRE(files);
    REQUIRE(files->size() == 1);
    auto second = seccomp_from_spec_cached(spec, cache);
    REQUIRE(second);
    auto same = [](SeccompProfile const& a, SeccompProfile const& b) {
        return a.flags == b.flags && a.program.size() == b.program.size()
            && std::memcmp(a.program.data(), b.program.data(), a.program.size() * sizeof(sock_filter)) == 0;
    };
    CHECK(same(*first, *fresh));
    CHECK(same(*second, *fresh));

    // A torn cache file is recompiled and rewritten, never loaded.
    std::string path = cache + "/" + files->front();
    auto text = fs::read_file(path);
    REQUIRE(text);
    REQUIRE(fs::write_file_atomic(path, text->substr(0, text->size() - 5)));
    auto third = seccomp_from_spec_cached(spec, cache);
    REQUIRE(third);
    CHECK(same(*third, *fresh));
    CHECK(fs::read_file(path).value() == *text);

    // Another spec gets its own entry.
    auto admin = seccomp_from_spec_cached(default_seccomp_spec({ "CAP_SYS_ADMIN" }), cache);
    REQUIRE(admin);
    CHECK(!same(*admin, *fresh));
    CHECK(fs::list_dir(cache)->size() == 2);
}

namespace {

constexpr char const* k_small_profile = R"({
  "defaultAction": "SCMP_ACT_ERRNO",
  "defaultErrnoRet": 38,
  "archMap": [
    {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
    {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}
  ],
  "syscalls": [
    {"names": ["read", "write", "exit", "exit_group", "getpid"], "action": "SCMP_ACT_ALLOW"},
    {"name": "gettid", "action": "SCMP_ACT_ALLOW", "comment": "single name, the old spelling"},
    {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "excludes": {"caps": ["CAP_SYS_ADMIN"]}},
    {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32", "x86"]}},
    {"names": ["uname"], "action": "SCMP_ACT_ALLOW", "excludes": {"arches": ["amd64", "arm64"]}},
    {"names": ["future_syscall"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "99.0"}},
    {"names": ["no_such_syscall_anywhere"], "action": "SCMP_ACT_ALLOW"},
    {"names": ["getppid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
    {"names": ["kill"], "action": "SCMP_ACT_ALLOW",
     "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}
  ]
})";

} // namespace

TEST_CASE("seccomp_from_docker_profile evaluates archMap, includes and excludes")
{
    auto spec = seccomp_from_docker_profile(k_small_profile, default_capabilities());
    REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().message));
    CHECK(spec->at("defaultErrnoRet") == 38);
    CHECK(rule_has(*spec, "gettid", "SCMP_ACT_ALLOW"));
    CHECK(rule_has(*spec, "mount", "SCMP_ACT_ERRNO"));
    CHECK(!rule_has(*spec, "mount", "SCMP_ACT_ALLOW"));
    CHECK(!rule_has(*spec, "future_syscall", "SCMP_ACT_ALLOW"));
    for (auto const& rule : spec->at("syscalls"))
        CHECK(!rule.contains("includes"));
#if defined(__x86_64__)
    CHECK(spec->at("architectures") == Json { "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32" });
    CHECK(rule_has(*spec, "arch_prctl", "SCMP_ACT_ALLOW"));
    CHECK(!rule_has(*spec, "uname", "SCMP_ACT_ALLOW"));
#endif
    auto admin = seccomp_from_docker_profile(k_small_profile, { "sys_admin" });
    REQUIRE(admin);
    CHECK(rule_has(*admin, "mount", "SCMP_ACT_ALLOW"));
    CHECK(!rule_has(*admin, "mount", "SCMP_ACT_ERRNO"));

    auto profile = seccomp_from_spec(*spec);
    REQUIRE(profile);
    CHECK(in_child([&] {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            return std::string("no_new_privs failed");
        if (auto r = install_seccomp(profile.value()); !r)
            return r.error().message;
        std::string result;
        if (syscall(SYS_getpid) <= 0)
            result += "getpid failed; ";
        result += expect_errno("mount", mount("none", "/mnt", "tmpfs", 0, nullptr), EPERM);
        result += expect_errno("getppid", syscall(SYS_getppid), EACCES);
        result += expect_errno("getuid", syscall(SYS_getuid), ENOSYS);
        result += expect_errno("kill(pid, 9)", syscall(SYS_kill, 999999, 9), ENOSYS);
        // kill with signal 0 is allowed: it reaches the kernel, which answers ESRCH.
        result += expect_errno("kill(pid, 0)", syscall(SYS_kill, 999999, 0), ESRCH);
        return result;
    }) == "");
}

TEST_CASE("malformed seccomp profiles give clear errors")
{
    auto error_of = [](std::string_view text) {
        auto r = seccomp_from_docker_profile(text);
        return r ? std::string("accepted") : r.error().message;
    };
    CHECK(error_of("{").find("parse seccomp profile") != std::string::npos);
    CHECK(error_of("[]").find("must be a JSON object") != std::string::npos);
    CHECK(error_of(R"({"syscalls": []})").find("defaultAction") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_BOGUS"})").find("unknown action \"SCMP_ACT_BOGUS\"") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": {}})").find("must be an array") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"name": "read", "names": ["write"], "action": "SCMP_ACT_ALLOW"}]})")
              .find("syscalls[0]: use either \"name\" or \"names\"") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"]}]})").find("missing \"action\"") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]})").find("args[0]: \"index\" must be an integer from 0 to 5") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW",
        "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_SOMETIMES"}]}]})").find("unknown operator \"SCMP_CMP_SOMETIMES\"") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_Z80"]})").find("unknown architecture") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "archMap": [{"architecture": "SCMP_ARCH_X86_64"}]})")
              .find("not both") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_ERRNO", "flags": ["SECCOMP_FILTER_FLAG_NEW_LISTENER"]})").find("unsupported flag") != std::string::npos);
    CHECK(error_of(R"({"defaultAction": "SCMP_ACT_NOTIFY"})").find("not supported") != std::string::npos);
    CHECK(!seccomp_from_spec(Json::array()));
}

TEST_CASE("the default profile round-trips through the docker format")
{
    auto text = default_seccomp_profile().dump();
    auto spec = seccomp_from_docker_profile(text, default_capabilities());
    REQUIRE_MESSAGE(spec, (spec ? "" : spec.error().message));
    CHECK(*spec == default_seccomp_spec(default_capabilities()));
}

TEST_CASE("parse_ulimit")
{
    auto nofile = parse_ulimit("nofile=1024:2048");
    REQUIRE(nofile);
    CHECK(*nofile == Json { { "type", "RLIMIT_NOFILE" }, { "soft", 1024 }, { "hard", 2048 } });
    auto nproc = parse_ulimit("nproc=512");
    REQUIRE(nproc);
    CHECK(*nproc == Json { { "type", "RLIMIT_NPROC" }, { "soft", 512 }, { "hard", 512 } });
    auto core = parse_ulimit("core=-1");
    REQUIRE(core);
    CHECK(core->at("soft").get<uint64_t>() == k_rlimit_infinity);
    CHECK(core->at("hard").get<uint64_t>() == k_rlimit_infinity);
    CHECK(parse_ulimit("NOFILE=0:-1").value()["hard"].get<uint64_t>() == k_rlimit_infinity);

    CHECK(parse_ulimit("nofile=2048:1024").error().message.find("soft limit must be less than or equal to hard limit") != std::string::npos);
    CHECK(parse_ulimit("bogus=1").error().message.find("\"bogus\"") != std::string::npos);
    CHECK(parse_ulimit("nofile").error().message.find("NAME=SOFT[:HARD]") != std::string::npos);
    CHECK(parse_ulimit("=5").error().message.find("NAME=SOFT[:HARD]") != std::string::npos);
    CHECK(parse_ulimit("nofile=abc").error().message.find("\"abc\" is not a number") != std::string::npos);
    CHECK(!parse_ulimit("nofile=-2"));
    CHECK(!parse_ulimit("nofile=1:"));
    CHECK(!parse_ulimit("nofile=12x"));
}

TEST_CASE("parse_rlimits validates the OCI array")
{
    CHECK(parse_rlimits(Json()).value().empty());
    auto limits = parse_rlimits(Json::parse(R"([{"type": "RLIMIT_CORE", "hard": 10, "soft": 5}])"));
    REQUIRE(limits);
    REQUIRE(limits->size() == 1);
    CHECK(limits->at(0).resource == RLIMIT_CORE);
    CHECK(limits->at(0).soft == 5);
    CHECK(limits->at(0).hard == 10);
    auto unknown = apply_rlimits(Json::parse(R"([{"type": "RLIMIT_WIDGETS", "hard": 1, "soft": 1}])"));
    REQUIRE(!unknown);
    CHECK(unknown.error().message.find("RLIMIT_WIDGETS") != std::string::npos);
    CHECK(!parse_rlimits(Json::parse(R"([{"type": "RLIMIT_CORE", "hard": 1, "soft": 2}])")));
    CHECK(!parse_rlimits(Json::parse(R"([{"type": "RLIMIT_CORE", "soft": 2}])")));
    CHECK(!parse_rlimits(Json::parse(R"([{"type": "RLIMIT_CORE", "hard": "x", "soft": 2}])")));
    CHECK(!parse_rlimits(Json::parse(R"({"type": "RLIMIT_CORE"})")));
}

TEST_CASE("default_rlimits are podman's, clamped to the hard limits")
{
    auto limits = default_rlimits();
    REQUIRE(limits.size() == 2);
    CHECK(limits[0]["type"] == "RLIMIT_NOFILE");
    CHECK(limits[1]["type"] == "RLIMIT_NPROC");
    struct rlimit nofile {};
    getrlimit(RLIMIT_NOFILE, &nofile);
    CHECK(limits[0]["hard"].get<uint64_t>() == std::min<uint64_t>(1048576, nofile.rlim_max));
    CHECK(limits[0]["soft"] == limits[0]["hard"]);
    CHECK(parse_rlimits(limits));
}

TEST_CASE("apply_rlimits clamps a hard limit it may not raise")
{
    CHECK(in_child([] {
        // Far above fs.nr_open: refused even for root, so it is clamped.
        Json huge = Json::array({ { { "type", "RLIMIT_NOFILE" }, { "hard", uint64_t(1) << 40 }, { "soft", uint64_t(1) << 40 } } });
        if (auto r = apply_rlimits(huge); !r)
            return r.error().message;
        struct rlimit now {};
        getrlimit(RLIMIT_NOFILE, &now);
        if (now.rlim_max >= (uint64_t(1) << 40) || now.rlim_cur != now.rlim_max)
            return "NOFILE not clamped: " + std::to_string(now.rlim_cur) + "/" + std::to_string(now.rlim_max);
        return std::string();
    }) == "");
    if (!is_root())
        return;
    CHECK(in_child([] {
        // Without CAP_SYS_RESOURCE a raise above the current hard limit is clamped to it.
        struct rlimit low { 1024, 4096 };
        if (setrlimit(RLIMIT_NOFILE, &low) < 0 || setresuid(1000, 1000, 1000) < 0)
            return std::string("setup failed");
        Json raise = Json::array({ { { "type", "RLIMIT_NOFILE" }, { "hard", 65536 }, { "soft", 65536 } },
            { { "type", "RLIMIT_CORE" }, { "hard", 0 }, { "soft", 0 } } });
        if (auto r = apply_rlimits(raise); !r)
            return r.error().message;
        struct rlimit now {};
        getrlimit(RLIMIT_NOFILE, &now);
        if (now.rlim_cur != 4096 || now.rlim_max != 4096)
            return "NOFILE is " + std::to_string(now.rlim_cur) + "/" + std::to_string(now.rlim_max) + ", expected 4096/4096";
        getrlimit(RLIMIT_CORE, &now);
        if (now.rlim_max != 0)
            return std::string("RLIMIT_CORE not applied");
        return std::string();
    }) == "");
}
