// A disk cache of compiled seccomp programs, keyed by the spec text.
//
// Compiling Podman's default profile for x86_64, x86 and x32 costs libseccomp
// tens of milliseconds, more than the rest of a container start. The compiled
// cBPF depends only on the spec, the libseccomp version and the kernel API
// level libseccomp detected, so all three form the key text. A file is named by
// a 64-bit FNV-1a hash of that text but stores the text itself, and is used only
// when it matches byte for byte: a collision or a torn file means a recompile,
// never a wrong filter.
#include "runtime/seccomp.h"

#include "base/fs.h"
#include "base/log.h"
#include <seccomp.h>

#include <cstring>
#include <fmt/core.h>

namespace berth::runtime {

namespace {

constexpr std::string_view k_magic = "berth-seccomp-bpf 1\n";

std::string cache_key(Json const& spec)
{
    auto const* version = seccomp_version();
    return fmt::format("libseccomp {}.{}.{} api {} arch {:x}\n{}", version->major, version->minor, version->micro,
        seccomp_api_get(), seccomp_arch_native(), json::dump(spec));
}

uint64_t fnv1a(std::string_view text)
{
    uint64_t hash = 0xcbf29ce484222325;
    for (unsigned char c : text) {
        hash ^= c;
        hash *= 0x100000001b3;
    }
    return hash;
}

void append_u32(std::string& out, uint32_t value) { out.append(reinterpret_cast<char const*>(&value), sizeof value); }

bool take_u32(std::string_view& in, uint32_t& value)
{
    if (in.size() < sizeof value)
        return false;
    std::memcpy(&value, in.data(), sizeof value);
    in.remove_prefix(sizeof value);
    return true;
}

// Layout: magic, u32 flags, u32 key length, key, u32 instruction count, instructions.
std::string serialize(std::string const& key, SeccompProfile const& profile)
{
    std::string out(k_magic);
    append_u32(out, profile.flags);
    append_u32(out, key.size());
    out += key;
    append_u32(out, profile.program.size());
    out.append(reinterpret_cast<char const*>(profile.program.data()), profile.program.size() * sizeof(sock_filter));
    return out;
}

bool deserialize(std::string_view in, std::string const& key, SeccompProfile& profile)
{
    uint32_t key_size = 0, count = 0;
    if (in.substr(0, k_magic.size()) != k_magic)
        return false;
    in.remove_prefix(k_magic.size());
    if (!take_u32(in, profile.flags) || !take_u32(in, key_size) || in.substr(0, key_size) != key)
        return false;
    in.remove_prefix(key_size);
    if (!take_u32(in, count) || count == 0 || in.size() != count * sizeof(sock_filter))
        return false;
    profile.program.resize(count);
    std::memcpy(profile.program.data(), in.data(), in.size());
    return true;
}

} // namespace

Result<SeccompProfile> seccomp_from_spec_cached(Json const& spec, std::string const& cache_dir)
{
    std::string key = cache_key(spec);
    std::string path = fs::join(cache_dir, fmt::format("{:016x}.bpf", fnv1a(key)));
    if (auto cached = fs::read_file(path); cached.has_value()) {
        SeccompProfile profile;
        if (deserialize(cached.value(), key, profile))
            return profile;
        log::debug("seccomp cache {} does not match the spec: recompiling", path);
    }
    SeccompProfile profile = TRY(seccomp_from_spec(spec));
    auto stored = fs::mkdir_p(cache_dir, 0700);
    if (stored)
        stored = fs::write_file_atomic(path, serialize(key, profile), 0600);
    if (!stored)
        log::debug("seccomp cache: {}", stored.error().message);
    return profile;
}

} // namespace berth::runtime
