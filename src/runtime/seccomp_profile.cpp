// Podman's default seccomp profile as data, built into Docker's seccomp.json
// format so it goes through the same includes/excludes evaluation as a user's
// --security-opt seccomp=FILE.
//
// The shape follows containers/common: a large allow list; syscalls that a
// capability makes safe, allowed only with that capability and otherwise
// answered EPERM ("known but denied"); a few always denied with EPERM; and the
// default action ENOSYS for everything unlisted, so that libc falls back from
// syscalls the profile does not know. Without CAP_SYS_ADMIN, clone is allowed
// only without CLONE_NEW* flags (EPERM with them) and clone3, whose flags sit
// in memory that seccomp cannot read, answers ENOSYS so libc uses clone.
#include "runtime/seccomp.h"

#include <map>
#include <set>
#include <span>

namespace berth::runtime {

namespace {

using Names = std::span<char const* const>;

// Allowed for every container.
constexpr char const* k_allowed[] = {
    "_llseek", "_newselect", "accept", "accept4", "access", "adjtimex", "alarm", "arch_prctl",
    "bind", "brk", "cachestat", "capget", "capset", "chdir", "chmod", "chown", "chown32",
    "clock_adjtime", "clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
    "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
    "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
    "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
    "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
    "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
    "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
    "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "get_mempolicy",
    "get_robust_list", "get_thread_area", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
    "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32",
    "getitimer", "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority",
    "getrandom", "getresgid", "getresgid32", "getresuid", "getresuid32", "getrlimit", "getrusage",
    "getsid", "getsockname", "getsockopt", "gettid", "gettimeofday", "getuid", "getuid32",
    "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
    "io_cancel", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    "io_setup", "io_submit", "ioctl", "ioprio_get", "ioprio_set", "ipc", "kill",
    "landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
    "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
    "mbind", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
    "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "modify_ldt", "mprotect",
    "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64",
    "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget",
    "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at",
    "nanosleep", "newfstatat", "open", "openat", "openat2", "pause", "pidfd_open",
    "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
    "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
    "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
    "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
    "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat",
    "renameat2", "restart_syscall", "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask",
    "rt_sigqueueinfo", "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
    "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getaffinity", "sched_getattr", "sched_getparam",
    "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64",
    "sched_setaffinity", "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield",
    "seccomp", "select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
    "sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "set_mempolicy",
    "set_mempolicy_home_node", "set_robust_list", "set_thread_area", "set_tid_address",
    "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups",
    "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
    "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "setsid",
    "setsockopt", "setuid", "setuid32", "setxattr", "shmat", "shmctl", "shmdt", "shmget",
    "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask", "sigreturn", "socket",
    "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
    "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill",
    "time", "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime",
    "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create", "timerfd_gettime",
    "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate",
    "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
    "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid", "write",
    "writev",
    // Architecture-specific; names a libseccomp architecture lacks are skipped.
    "arm_fadvise64_64", "arm_sync_file_range", "breakpoint", "cacheflush", "set_tls",
    "sync_file_range2", "riscv_flush_icache", "s390_pci_mmio_read", "s390_pci_mmio_write",
    "s390_runtime_instr",
};

// Known and always denied with EPERM.
constexpr char const* k_denied[] = {
    "add_key", "afs_syscall", "bdflush", "create_module", "get_kernel_syms", "kexec_file_load",
    "kexec_load", "keyctl", "nfsservctl", "query_module", "request_key", "swapoff", "swapon",
    "_sysctl", "sysfs", "uselib", "userfaultfd", "ustat", "vm86", "vm86old",
};

constexpr char const* k_sys_admin[] = {
    "bpf", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie", "mount",
    "mount_setattr", "move_mount", "open_tree", "perf_event_open", "pivot_root", "quotactl",
    "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
};
constexpr char const* k_sys_boot[] = { "reboot" };
constexpr char const* k_sys_chroot[] = { "chroot" };
constexpr char const* k_sys_module[] = { "delete_module", "finit_module", "init_module" };
constexpr char const* k_sys_pacct[] = { "acct" };
constexpr char const* k_sys_ptrace[] = {
    "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace",
};
constexpr char const* k_sys_rawio[] = { "ioperm", "iopl" };
constexpr char const* k_sys_time[] = { "clock_settime", "clock_settime64", "settimeofday", "stime" };
constexpr char const* k_sys_tty_config[] = { "vhangup" };
constexpr char const* k_syslog[] = { "syslog" };
constexpr char const* k_bpf[] = { "bpf" };
constexpr char const* k_perfmon[] = { "perf_event_open" };
constexpr char const* k_dac_read_search[] = { "open_by_handle_at" };

// Syscalls a capability makes safe: allowed with it, EPERM without.
struct CapabilityGroup {
    char const* capability;
    Names syscalls;
};

constexpr CapabilityGroup k_capability_groups[] = {
    { "CAP_SYS_ADMIN", k_sys_admin }, { "CAP_SYS_BOOT", k_sys_boot },
    { "CAP_SYS_CHROOT", k_sys_chroot }, { "CAP_SYS_MODULE", k_sys_module },
    { "CAP_SYS_PACCT", k_sys_pacct }, { "CAP_SYS_PTRACE", k_sys_ptrace },
    { "CAP_SYS_RAWIO", k_sys_rawio }, { "CAP_SYS_TIME", k_sys_time },
    { "CAP_SYS_TTY_CONFIG", k_sys_tty_config }, { "CAP_SYSLOG", k_syslog }, { "CAP_BPF", k_bpf },
    { "CAP_PERFMON", k_perfmon }, { "CAP_DAC_READ_SEARCH", k_dac_read_search },
};

// The namespace flags clone may not carry without CAP_SYS_ADMIN.
constexpr uint64_t k_clone_namespace_flags[] = {
    0x00020000, // CLONE_NEWNS
    0x02000000, // CLONE_NEWCGROUP
    0x04000000, // CLONE_NEWUTS
    0x08000000, // CLONE_NEWIPC
    0x10000000, // CLONE_NEWUSER
    0x20000000, // CLONE_NEWPID
    0x40000000, // CLONE_NEWNET
};

// personality(2) values glibc and friends use; anything else is refused.
constexpr uint64_t k_personalities[] = { 0x0, 0x8, 0x20000, 0x20008, 0xffffffff };

constexpr int k_eperm = 1;
constexpr int k_enosys = 38;

Json names_json(Names names)
{
    Json out = Json::array();
    for (char const* name : names)
        out.push_back(name);
    return out;
}

Json rule(Json names, char const* action)
{
    return Json { { "names", std::move(names) }, { "action", action } };
}

Json deny(Json names, int errno_value)
{
    Json out = rule(std::move(names), "SCMP_ACT_ERRNO");
    out["errnoRet"] = errno_value;
    return out;
}

Json arg(unsigned index, uint64_t value, uint64_t value_two, char const* op)
{
    return Json { { "index", index }, { "value", value }, { "valueTwo", value_two }, { "op", op } };
}

Json caps_condition(std::set<std::string> const& caps)
{
    return Json { { "caps", Json(caps) } };
}

// EPERM for every capability-gated syscall, unless one of the caps allowing it is present.
void add_capability_denials(Json& syscalls)
{
    std::map<std::string, std::set<std::string>> allowing;
    for (auto const& group : k_capability_groups) {
        for (char const* name : group.syscalls)
            allowing[name].insert(group.capability);
    }
    std::map<std::set<std::string>, Json> by_caps;
    for (auto const& [name, caps] : allowing)
        by_caps[caps].push_back(name);
    for (auto& [caps, names] : by_caps) {
        Json entry = deny(std::move(names), k_eperm);
        entry["excludes"] = caps_condition(caps);
        syscalls.push_back(std::move(entry));
    }
}

void add_clone_rules(Json& syscalls)
{
    Json no_admin = caps_condition({ "CAP_SYS_ADMIN" });
    uint64_t mask = 0;
    for (uint64_t flag : k_clone_namespace_flags)
        mask |= flag;
    // s390 passes the flags in the second argument.
    Json const s390 = Json::array({ "s390", "s390x" });
    for (unsigned index : { 0u, 1u }) {
        Json allow = rule({ "clone" }, "SCMP_ACT_ALLOW");
        allow["args"] = Json::array({ arg(index, mask, 0, "SCMP_CMP_MASKED_EQ") });
        Json refuse = deny({ "clone" }, k_eperm);
        refuse["args"] = Json::array();
        for (uint64_t flag : k_clone_namespace_flags)
            refuse["args"].push_back(arg(index, flag, flag, "SCMP_CMP_MASKED_EQ"));
        for (Json* entry : { &allow, &refuse }) {
            (*entry)["excludes"] = no_admin;
            if (index == 0)
                (*entry)["excludes"]["arches"] = s390;
            else
                (*entry)["includes"] = Json { { "arches", s390 } };
            syscalls.push_back(std::move(*entry));
        }
    }
    Json admin = rule({ "clone", "clone3" }, "SCMP_ACT_ALLOW");
    admin["includes"] = no_admin;
    syscalls.push_back(std::move(admin));
    Json clone3 = deny({ "clone3" }, k_enosys);
    clone3["excludes"] = no_admin;
    syscalls.push_back(std::move(clone3));
}

} // namespace

Json default_seccomp_profile()
{
    Json syscalls = Json::array();
    syscalls.push_back(rule(names_json(k_allowed), "SCMP_ACT_ALLOW"));
    Json personality = rule({ "personality" }, "SCMP_ACT_ALLOW");
    personality["args"] = Json::array();
    for (uint64_t value : k_personalities)
        personality["args"].push_back(arg(0, value, 0, "SCMP_CMP_EQ"));
    syscalls.push_back(std::move(personality));
    add_clone_rules(syscalls);
    for (auto const& group : k_capability_groups) {
        Json entry = rule(names_json(group.syscalls), "SCMP_ACT_ALLOW");
        entry["includes"] = caps_condition({ group.capability });
        syscalls.push_back(std::move(entry));
    }
    syscalls.push_back(deny(names_json(k_denied), k_eperm));
    add_capability_denials(syscalls);

    Json arch_map = Json::array({
        { { "architecture", "SCMP_ARCH_X86_64" }, { "subArchitectures", { "SCMP_ARCH_X86", "SCMP_ARCH_X32" } } },
        { { "architecture", "SCMP_ARCH_AARCH64" }, { "subArchitectures", { "SCMP_ARCH_ARM" } } },
        { { "architecture", "SCMP_ARCH_MIPS64" }, { "subArchitectures", { "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32" } } },
        { { "architecture", "SCMP_ARCH_MIPSEL64" }, { "subArchitectures", { "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32" } } },
        { { "architecture", "SCMP_ARCH_PPC64LE" }, { "subArchitectures", Json::array() } },
        { { "architecture", "SCMP_ARCH_S390X" }, { "subArchitectures", { "SCMP_ARCH_S390" } } },
        { { "architecture", "SCMP_ARCH_RISCV64" }, { "subArchitectures", Json::array() } },
    });
    return Json {
        { "defaultAction", "SCMP_ACT_ERRNO" },
        { "defaultErrnoRet", k_enosys },
        { "archMap", std::move(arch_map) },
        { "syscalls", std::move(syscalls) },
    };
}

} // namespace berth::runtime
