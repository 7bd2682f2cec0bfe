// Seccomp compilation, Docker profile translation and installation.
//
// seccomp_from_spec() turns OCI linux.seccomp into libseccomp rules and exports
// the resulting cBPF into memory, so installation is one seccomp(2) call that
// neither allocates nor depends on libseccomp after clone. Two libseccomp
// quirks shape the loop: a rule whose action equals the default action is
// refused (EACCES), so it is skipped as runc does; and several comparisons on
// the same argument cannot share a rule, so like runc we then add one rule per
// comparison, which ORs them. seccomp_from_docker_profile() evaluates Docker's
// archMap and includes/excludes against this machine and the container's caps.
#include "runtime/seccomp.h"

#include "base/log.h"
#include "base/unique_fd.h"
#include "runtime/capabilities.h"

#include <algorithm>
#include <cstdio>
#include <linux/seccomp.h>
#include <map>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace berth::runtime {

namespace {

struct Architecture {
    char const* token;   // OCI/Docker spelling
    uint32_t arch;       // libseccomp SCMP_ARCH_*
    char const* names[2]; // uname/Go spellings used in Docker "arches"
};

constexpr Architecture k_architectures[] = {
    { "SCMP_ARCH_X86", SCMP_ARCH_X86, { "x86", "386" } },
    { "SCMP_ARCH_X86_64", SCMP_ARCH_X86_64, { "x86_64", "amd64" } },
    { "SCMP_ARCH_X32", SCMP_ARCH_X32, { "x32", nullptr } },
    { "SCMP_ARCH_ARM", SCMP_ARCH_ARM, { "arm", nullptr } },
    { "SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64, { "aarch64", "arm64" } },
    { "SCMP_ARCH_MIPS", SCMP_ARCH_MIPS, { "mips", nullptr } },
    { "SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64, { "mips64", nullptr } },
    { "SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32, { "mips64n32", nullptr } },
    { "SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL, { "mipsel", "mipsle" } },
    { "SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64, { "mipsel64", "mips64le" } },
    { "SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32, { "mipsel64n32", "mips64n32le" } },
    { "SCMP_ARCH_PPC", SCMP_ARCH_PPC, { "ppc", nullptr } },
    { "SCMP_ARCH_PPC64", SCMP_ARCH_PPC64, { "ppc64", nullptr } },
    { "SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE, { "ppc64le", nullptr } },
    { "SCMP_ARCH_S390", SCMP_ARCH_S390, { "s390", nullptr } },
    { "SCMP_ARCH_S390X", SCMP_ARCH_S390X, { "s390x", nullptr } },
    { "SCMP_ARCH_PARISC", SCMP_ARCH_PARISC, { "parisc", nullptr } },
    { "SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64, { "parisc64", nullptr } },
    { "SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64, { "riscv64", nullptr } },
};

struct Named {
    char const* name;
    uint32_t value;
};

constexpr Named k_operators[] = {
    { "SCMP_CMP_NE", SCMP_CMP_NE }, { "SCMP_CMP_LT", SCMP_CMP_LT }, { "SCMP_CMP_LE", SCMP_CMP_LE },
    { "SCMP_CMP_EQ", SCMP_CMP_EQ }, { "SCMP_CMP_GE", SCMP_CMP_GE }, { "SCMP_CMP_GT", SCMP_CMP_GT },
    { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ },
};

constexpr Named k_flags[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC },
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
    { "SECCOMP_FILTER_FLAG_TSYNC_ESRCH", SECCOMP_FILTER_FLAG_TSYNC_ESRCH },
    { "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV },
};

template<size_t N>
Named const* find_named(Named const (&table)[N], std::string_view name)
{
    for (auto const& entry : table) {
        if (name == entry.name)
            return &entry;
    }
    return nullptr;
}

Architecture const* find_architecture(std::string_view token)
{
    for (auto const& a : k_architectures) {
        if (token == a.token)
            return &a;
    }
    return nullptr;
}

Architecture const* native_architecture()
{
    uint32_t native = seccomp_arch_native();
    for (auto const& a : k_architectures) {
        if (a.arch == native)
            return &a;
    }
    return nullptr;
}

// Owns a libseccomp filter context.
struct FilterContext {
    scmp_filter_ctx ctx;
    explicit FilterContext(scmp_filter_ctx c) : ctx(c) {}
    FilterContext(FilterContext const&) = delete;
    FilterContext& operator=(FilterContext const&) = delete;
    ~FilterContext()
    {
        if (ctx)
            seccomp_release(ctx);
    }
};

Error libseccomp_error(std::string what, int rc)
{
    return Error::from_errno(std::move(what), -rc);
}

Result<uint32_t> unsigned_field(Json const& object, char const* key, uint32_t fallback, uint32_t max, std::string const& what)
{
    auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return fallback;
    // nlohmann stores literals written in C++ as signed: accept any non-negative integer.
    bool ok = it->is_number_integer() && (it->is_number_unsigned() || it->get<int64_t>() >= 0);
    if (!ok || it->get<uint64_t>() > max)
        return Error::msg(what + ": \"" + key + "\" must be an integer from 0 to " + std::to_string(max));
    return static_cast<uint32_t>(it->get<uint64_t>());
}

// An action name plus its errno/trace value ("errnoRet"/"defaultErrnoRet").
Result<uint32_t> parse_action(Json const& object, char const* action_key, char const* errno_key, std::string const& what)
{
    auto name = TRY(json::get_string(object, action_key, what));
    uint32_t ret = TRY(unsigned_field(object, errno_key, EPERM, 0xffff, what));
    if (name == "SCMP_ACT_ALLOW")
        return SCMP_ACT_ALLOW;
    if (name == "SCMP_ACT_ERRNO")
        return SCMP_ACT_ERRNO(ret);
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD")
        return SCMP_ACT_KILL_THREAD;
    if (name == "SCMP_ACT_KILL_PROCESS")
        return SCMP_ACT_KILL_PROCESS;
    if (name == "SCMP_ACT_TRAP")
        return SCMP_ACT_TRAP;
    if (name == "SCMP_ACT_TRACE")
        return SCMP_ACT_TRACE(ret);
    if (name == "SCMP_ACT_LOG")
        return SCMP_ACT_LOG;
    if (name == "SCMP_ACT_NOTIFY")
        return Error::msg(what + ": SCMP_ACT_NOTIFY is not supported by berth's runtime: use --runtime with an OCI runtime that has a seccomp listener");
    return Error::msg(what + ": unknown action \"" + name + "\"");
}

Result<scmp_arg_cmp> parse_argument(Json const& arg, std::string const& what)
{
    if (!arg.is_object())
        return Error::msg(what + ": must be an object");
    uint32_t index = TRY(unsigned_field(arg, "index", 0, 5, what));
    auto op_name = TRY(json::get_string(arg, "op", what));
    auto const* op = find_named(k_operators, op_name);
    if (!op)
        return Error::msg(what + ": unknown operator \"" + op_name + "\"");
    uint64_t values[2] = { 0, 0 };
    char const* keys[2] = { "value", "valueTwo" };
    for (int i = 0; i < 2; ++i) {
        auto it = arg.find(keys[i]);
        if (it == arg.end() || it->is_null())
            continue;
        if (!it->is_number_integer())
            return Error::msg(what + ": \"" + keys[i] + "\" must be an integer");
        values[i] = it->is_number_unsigned() ? it->get<uint64_t>() : static_cast<uint64_t>(it->get<int64_t>());
    }
    return scmp_arg_cmp { index, static_cast<scmp_compare>(op->value), values[0], values[1] };
}

ErrorOr add_architectures(scmp_filter_ctx ctx, Json const& spec)
{
    auto it = spec.find("architectures");
    if (it == spec.end() || it->is_null())
        return {};
    if (!it->is_array())
        return Error::msg("seccomp: \"architectures\" must be an array");
    for (auto const& token : *it) {
        auto const* arch = token.is_string() ? find_architecture(token.get_ref<std::string const&>()) : nullptr;
        if (!arch)
            return Error::msg("seccomp: unknown architecture " + json::dump(token));
        int rc = seccomp_arch_add(ctx, arch->arch);
        if (rc < 0 && rc != -EEXIST)
            return libseccomp_error(std::string("seccomp: add architecture ") + arch->token, rc);
    }
    return {};
}

Result<unsigned> parse_flags(Json const& spec)
{
    unsigned flags = 0;
    auto it = spec.find("flags");
    if (it == spec.end() || it->is_null())
        return flags;
    if (!it->is_array())
        return Error::msg("seccomp: \"flags\" must be an array");
    for (auto const& flag : *it) {
        auto const* named = flag.is_string() ? find_named(k_flags, flag.get_ref<std::string const&>()) : nullptr;
        if (!named)
            return Error::msg("seccomp: unsupported flag " + json::dump(flag));
        flags |= named->value;
    }
    return flags;
}

// Adds one syscall with its comparisons: one rule when the argument indexes are
// distinct (comparisons ANDed), else one rule per comparison (ORed), as runc does.
ErrorOr add_rule(scmp_filter_ctx ctx, uint32_t action, int nr, std::vector<scmp_arg_cmp> const& args, std::string const& name)
{
    bool distinct = true;
    for (size_t i = 0; i < args.size() && distinct; ++i) {
        for (size_t j = i + 1; j < args.size(); ++j)
            distinct = distinct && args[i].arg != args[j].arg;
    }
    if (distinct) {
        int rc = seccomp_rule_add_array(ctx, action, nr, args.size(), args.data());
        if (rc < 0)
            return libseccomp_error("seccomp: add rule for " + name, rc);
        return {};
    }
    for (auto const& arg : args) {
        int rc = seccomp_rule_add_array(ctx, action, nr, 1, &arg);
        if (rc < 0)
            return libseccomp_error("seccomp: add rule for " + name, rc);
    }
    return {};
}

ErrorOr add_syscall_entry(scmp_filter_ctx ctx, uint32_t default_action, Json const& entry, std::string const& what,
    std::map<std::string, uint32_t>& unconditional)
{
    if (!entry.is_object())
        return Error::msg(what + ": must be an object");
    uint32_t action = TRY(parse_action(entry, "action", "errnoRet", what));
    std::vector<scmp_arg_cmp> args;
    if (auto it = entry.find("args"); it != entry.end() && !it->is_null()) {
        if (!it->is_array())
            return Error::msg(what + ": \"args\" must be an array");
        for (size_t i = 0; i < it->size(); ++i)
            args.push_back(TRY(parse_argument((*it)[i], what + ".args[" + std::to_string(i) + "]")));
    }
    auto names = entry.find("names");
    if (names == entry.end() || !names->is_array())
        return Error::msg(what + ": \"names\" must be an array of syscall names");
    if (action == default_action)
        return {}; // libseccomp refuses these; they change nothing.
    for (auto const& name_json : *names) {
        if (!name_json.is_string())
            return Error::msg(what + ": syscall names must be strings");
        auto const& name = name_json.get_ref<std::string const&>();
        int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) {
            log::debug("seccomp: syscall {} is unknown to libseccomp: skipped", name);
            continue;
        }
        if (args.empty()) {
            // A second unconditional rule for a syscall would silently replace the first.
            auto [it, inserted] = unconditional.emplace(name, action);
            if (!inserted) {
                if (it->second != action)
                    log::debug("seccomp: {} already has an unconditional rule: the first one wins", name);
                continue;
            }
        }
        TRY(add_rule(ctx, action, nr, args, name));
    }
    return {};
}

Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx)
{
    UniqueFd fd(memfd_create("berth-seccomp", MFD_CLOEXEC));
    if (!fd)
        return Error::from_errno("seccomp: memfd_create");
    int rc = seccomp_export_bpf(ctx, fd.get());
    if (rc < 0)
        return libseccomp_error("seccomp: export the BPF program", rc);
    struct stat st {};
    if (fstat(fd.get(), &st) < 0)
        return Error::from_errno("seccomp: fstat the exported program");
    if (st.st_size % sizeof(sock_filter) != 0 || st.st_size == 0)
        return Error::msg("seccomp: libseccomp exported a truncated BPF program");
    std::vector<sock_filter> program(st.st_size / sizeof(sock_filter));
    if (pread(fd.get(), program.data(), st.st_size, 0) != st.st_size)
        return Error::from_errno("seccomp: read the exported program");
    return program;
}

// ---- Docker seccomp.json ----

int kernel_version()
{
    struct utsname u {};
    int major = 0, minor = 0;
    if (uname(&u) == 0)
        std::sscanf(u.release, "%d.%d", &major, &minor);
    return major * 1000 + minor;
}

bool architecture_matches(Json const& arches, Architecture const* native)
{
    for (auto const& a : arches) {
        if (!a.is_string() || !native)
            continue;
        auto const& s = a.get_ref<std::string const&>();
        if (s == native->token || (native->names[0] && s == native->names[0]) || (native->names[1] && s == native->names[1]))
            return true;
    }
    return false;
}

bool has_capability(std::vector<std::string> const& caps, Json const& cap)
{
    if (!cap.is_string())
        return false;
    auto name = normalize_capability(cap.get_ref<std::string const&>());
    return name.has_value() && std::find(caps.begin(), caps.end(), name.value()) != caps.end();
}

// Evaluates "includes"/"excludes": {caps, arches, minKernel}.
Result<bool> syscall_applies(Json const& entry, std::vector<std::string> const& caps, Architecture const* native, std::string const& what)
{
    for (char const* key : { "includes", "excludes" }) {
        auto it = entry.find(key);
        if (it == entry.end() || it->is_null())
            continue;
        if (!it->is_object())
            return Error::msg(what + ": \"" + key + "\" must be an object");
        bool include = key[0] == 'i';
        auto arches = it->find("arches");
        if (arches != it->end() && arches->is_array() && !arches->empty()
            && architecture_matches(*arches, native) != include)
            return false;
        auto cap_list = it->find("caps");
        if (cap_list != it->end() && cap_list->is_array()) {
            for (auto const& cap : *cap_list) {
                if (has_capability(caps, cap) != include)
                    return false; // includes: all needed; excludes: any present skips
            }
        }
        auto min_kernel = it->find("minKernel");
        if (include && min_kernel != it->end() && min_kernel->is_string()) {
            int major = 0, minor = 0;
            if (std::sscanf(min_kernel->get_ref<std::string const&>().c_str(), "%d.%d", &major, &minor) < 1)
                return Error::msg(what + ": invalid minKernel " + json::dump(*min_kernel));
            if (kernel_version() < major * 1000 + minor)
                return false;
        }
    }
    return true;
}

Result<Json> architectures_for(Json const& profile, Architecture const* native)
{
    auto archs = profile.find("architectures");
    auto arch_map = profile.find("archMap");
    bool has_archs = archs != profile.end() && archs->is_array() && !archs->empty();
    bool has_map = arch_map != profile.end() && arch_map->is_array() && !arch_map->empty();
    if (has_archs && has_map)
        return Error::msg("seccomp profile: use either \"architectures\" or \"archMap\", not both");
    if (has_archs)
        return *archs;
    Json out = Json::array();
    if (!has_map || !native)
        return out;
    for (auto const& entry : *arch_map) {
        if (!entry.is_object())
            return Error::msg("seccomp profile: archMap entries must be objects");
        auto arch = entry.find("architecture");
        if (arch == entry.end() || !arch->is_string() || *arch != native->token)
            continue;
        out.push_back(*arch);
        if (auto subs = entry.find("subArchitectures"); subs != entry.end() && subs->is_array()) {
            for (auto const& sub : *subs)
                out.push_back(sub);
        }
    }
    return out;
}

Result<Json> translate_syscall(Json const& call, std::string const& what)
{
    if (!call.is_object())
        return Error::msg(what + ": must be an object");
    Json names = Json::array();
    auto name = call.find("name");
    auto list = call.find("names");
    bool has_name = name != call.end() && name->is_string() && !name->get_ref<std::string const&>().empty();
    bool has_list = list != call.end() && list->is_array() && !list->empty();
    if (has_name && has_list)
        return Error::msg(what + ": use either \"name\" or \"names\", not both");
    if (!has_name && !has_list)
        return Error::msg(what + ": no syscall \"names\"");
    if (has_name)
        names.push_back(*name);
    else
        names = *list;
    Json out = { { "names", names } };
    for (char const* key : { "action", "errnoRet", "args" }) {
        if (auto it = call.find(key); it != call.end() && !it->is_null())
            out[key] = *it;
    }
    if (!out.contains("action"))
        return Error::msg(what + ": missing \"action\"");
    return out;
}

} // namespace

Result<SeccompProfile> seccomp_from_spec(Json const& spec)
{
    if (!spec.is_object())
        return Error::msg("seccomp: linux.seccomp must be an object");
    uint32_t default_action = TRY(parse_action(spec, "defaultAction", "defaultErrnoRet", "seccomp"));
    FilterContext filter(seccomp_init(default_action));
    if (!filter.ctx)
        return Error::msg("seccomp: seccomp_init failed for the default action");
    // We load the program ourselves; no_new_privs is the runtime's decision.
    seccomp_attr_set(filter.ctx, SCMP_FLTATR_CTL_NNP, 0);
    // A binary search over syscall numbers instead of a linear chain: faster for long allow lists.
    seccomp_attr_set(filter.ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    TRY(add_architectures(filter.ctx, spec));
    SeccompProfile profile;
    profile.flags = TRY(parse_flags(spec));
    if (auto it = spec.find("syscalls"); it != spec.end() && !it->is_null()) {
        if (!it->is_array())
            return Error::msg("seccomp: \"syscalls\" must be an array");
        std::map<std::string, uint32_t> unconditional;
        for (size_t i = 0; i < it->size(); ++i)
            TRY(add_syscall_entry(filter.ctx, default_action, (*it)[i], "seccomp: syscalls[" + std::to_string(i) + "]", unconditional));
    }
    profile.program = TRY(export_program(filter.ctx));
    return profile;
}

namespace {

// The translation without the compile check.
Result<Json> docker_profile_to_spec(Json const& profile, std::vector<std::string> const& effective_caps)
{
    if (!profile.is_object())
        return Error::msg("seccomp profile: must be a JSON object");
    std::vector<std::string> caps;
    for (auto const& cap : effective_caps) {
        if (auto name = normalize_capability(cap); name.has_value())
            caps.push_back(name.release_value());
    }
    auto const* native = native_architecture();
    Json out = Json::object();
    out["defaultAction"] = TRY(json::get_string(profile, "defaultAction", "seccomp profile"));
    for (char const* key : { "defaultErrnoRet", "flags", "listenerPath", "listenerMetadata" }) {
        if (auto it = profile.find(key); it != profile.end() && !it->is_null())
            out[key] = *it;
    }
    out["architectures"] = TRY(architectures_for(profile, native));
    Json syscalls = Json::array();
    if (auto it = profile.find("syscalls"); it != profile.end() && !it->is_null()) {
        if (!it->is_array())
            return Error::msg("seccomp profile: \"syscalls\" must be an array");
        for (size_t i = 0; i < it->size(); ++i) {
            std::string what = "seccomp profile: syscalls[" + std::to_string(i) + "]";
            Json call = TRY(translate_syscall((*it)[i], what));
            if (TRY(syscall_applies((*it)[i], caps, native, what)))
                syscalls.push_back(std::move(call));
        }
    }
    out["syscalls"] = std::move(syscalls);
    return out;
}

} // namespace

Result<Json> seccomp_from_docker_profile_json(Json const& profile, std::vector<std::string> const& effective_caps)
{
    Json out = TRY(docker_profile_to_spec(profile, effective_caps));
    // Validate now, so a bad file is reported when it is named, not at container start.
    TRY(seccomp_from_spec(out));
    return out;
}

Json default_seccomp_spec(std::vector<std::string> const& effective_caps)
{
    auto spec = docker_profile_to_spec(default_seccomp_profile(), effective_caps);
    assert(spec.has_value()); // the built-in profile is well-formed
    return spec.release_value();
}

Result<Json> seccomp_from_docker_profile(std::string_view json_text, std::vector<std::string> const& effective_caps)
{
    auto profile = TRY_CTX(json::parse(json_text, "seccomp profile"), "seccomp");
    return seccomp_from_docker_profile_json(profile, effective_caps);
}

Result<Json> seccomp_from_docker_profile(std::string_view json_text)
{
    return seccomp_from_docker_profile(json_text, default_capabilities());
}

ErrorOr install_seccomp(SeccompProfile const& profile)
{
    if (profile.empty())
        return {};
    if (profile.program.size() > 0xffff)
        return Error { E2BIG, "install seccomp filter: program too long" };
    sock_fprog prog { static_cast<unsigned short>(profile.program.size()), const_cast<sock_filter*>(profile.program.data()) };
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, profile.flags, &prog) == 0)
        return {};
    int err = errno;
    if (err == EACCES)
        return Error { err, "install seccomp filter: permission denied: set no_new_privs first or keep CAP_SYS_ADMIN" };
    if (err == EINVAL && profile.flags != 0)
        return Error { err, "install seccomp filter: the kernel rejects the filter or its flags" };
    return Error::from_errno("install seccomp filter", err);
}

} // namespace berth::runtime
