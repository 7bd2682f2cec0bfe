// Quadlet's search paths, drop-ins and the generator's output (sources.h).
#include "quadlet/sources.h"

#include "quadlet/resource_units.h"

#include "base/fs.h"
#include "base/sys.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <unistd.h>

namespace berth::quadlet {

namespace {

std::string env_or(char const* name, std::string fallback)
{
    char const* v = std::getenv(name);
    return v && *v ? std::string(v) : std::move(fallback);
}

/// The regular files of `dir` whose names end in `suffix`, sorted; none if it does not exist.
std::vector<std::string> files_ending(std::string const& dir, std::string_view suffix)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (auto const& e : std::filesystem::directory_iterator(dir, ec)) {
        std::string name = e.path().filename().string();
        if (name.size() > suffix.size() && name.ends_with(suffix) && e.is_regular_file(ec))
            out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

std::vector<std::string> search_dirs(bool user)
{
    std::vector<std::string> dirs;
    if (char const* list = std::getenv("QUADLET_UNIT_DIRS"); list && *list) {
        std::string_view rest = list;
        while (!rest.empty()) {
            auto colon = rest.find(':');
            if (colon != 0)
                dirs.emplace_back(rest.substr(0, colon));
            rest = colon == std::string_view::npos ? std::string_view {} : rest.substr(colon + 1);
        }
        return dirs;
    }
    if (!user)
        return { "/run/containers/systemd", "/etc/containers/systemd", "/usr/share/containers/systemd" };
    if (char const* rt = std::getenv("XDG_RUNTIME_DIR"); rt && *rt)
        dirs.push_back(std::string(rt) + "/containers/systemd");
    dirs.push_back(env_or("XDG_CONFIG_HOME", sys::home_dir() + "/.config") + "/containers/systemd");
    dirs.push_back("/etc/containers/systemd/users/" + std::to_string(::getuid()));
    dirs.push_back("/etc/containers/systemd/users");
    return dirs;
}

std::vector<Source> find_sources(std::vector<std::string> const& dirs)
{
    std::vector<Source> out;
    for (auto const& dir : dirs)
        for (auto const* suffix : source_kinds)
            for (auto const& name : files_ending(dir, suffix))
                if (std::none_of(out.begin(), out.end(), [&](Source const& s) { return s.name == name; }))
                    out.push_back(Source { name, fs::join(dir, name) });
    std::sort(out.begin(), out.end(), [](Source const& a, Source const& b) { return a.name < b.name; });
    return out;
}

std::vector<std::string> drop_in_paths(Source const& source, std::vector<std::string> const& dirs)
{
    std::map<std::string, std::string> drop_ins;  // name → path, the first directory's
    for (auto const& dir : dirs) {
        std::string d = fs::join(dir, source.name + ".d");
        for (auto const& name : files_ending(d, ".conf"))
            drop_ins.emplace(name, fs::join(d, name));
    }
    std::vector<std::string> out;
    for (auto const& [name, path] : drop_ins)
        out.push_back(path);
    return out;
}

Result<UnitFile> load_source(Source const& source, std::vector<std::string> const& dirs)
{
    auto text = TRY_CTX(fs::read_file(source.path), "reading " + source.path);
    auto file = TRY(UnitFile::parse(source.path, text));
    for (auto const& path : drop_in_paths(source, dirs)) {
        auto drop_text = TRY_CTX(fs::read_file(path), "reading " + path);
        file.merge(TRY(UnitFile::parse(path, drop_text)));
    }
    return file;
}

std::string service_name(std::string const& source_name)
{
    auto dot = source_name.rfind('.');
    // As Podman's: data.volume makes data-volume.service, web.container web.service.
    std::string kind = source_name.substr(dot + 1);
    return source_name.substr(0, dot) + (kind == "container" ? "" : "-" + kind) + ".service";
}

std::string service_name(std::string const& source_name, UnitFile const& file)
{
    if (source_name.ends_with(".pod"))
        if (auto name = file.last("Pod", "ServiceName"); name && !name->empty())
            return name->ends_with(".service") ? *name : *name + ".service";
    return service_name(source_name);
}

std::string GeneratorEnvironment::service_of(std::string const& source_name) const
{
    auto it = service_names.find(source_name);
    return it == service_names.end() ? service_name(source_name) : it->second;
}

Result<std::string> service_text(Source const& source, UnitFile const& file, GeneratorEnvironment const& env)
{
    auto const& name = source.name;
    if (name.ends_with(".volume"))
        return volume_service(file, name, env);
    if (name.ends_with(".network"))
        return network_service(file, name, env);
    if (name.ends_with(".pod"))
        return pod_service(file, name, env);
    if (name.ends_with(".kube"))
        return kube_service(file, env);
    if (name.ends_with(".image"))
        return image_service(file, env);
    if (name.ends_with(".build"))
        return build_service(file, env);
    return container_service(file, env);
}

GeneratorEnvironment generator_environment(std::string executable, std::vector<Source> const& sources, std::vector<std::string> const& dirs)
{
    GeneratorEnvironment env { std::move(executable), {}, {}, {} };
    for (auto const& s : sources) {
        auto file = load_source(s, dirs);
        if (!file)
            continue;
        if (auto name = resource_name(*file, s.name); !name.empty())
            env.resource_names.emplace(s.name, name);
        if (auto service = service_name(s.name, *file); service != service_name(s.name))
            env.service_names.emplace(s.name, service);
        if (auto pod = file->last("Container", "Pod"); s.name.ends_with(".container") && pod && !pod->empty())
            env.pod_containers[*pod].push_back(service_name(s.name));
    }
    return env;
}

ErrorOr write_service(std::string const& dir, std::string const& service, std::string const& text, UnitFile const& source)
{
    TRY(fs::write_file_replace(fs::join(dir, service), text));
    for (auto const& [key, suffix] : { std::pair { "WantedBy", ".wants" }, std::pair { "RequiredBy", ".requires" } }) {
        for (auto const& value : source.values("Install", key)) {
            for (auto const& unit : TRY(split_words(value))) {
                std::string link_dir = fs::join(dir, unit + suffix);
                TRY(fs::mkdir_p(link_dir));
                std::string link = fs::join(link_dir, service);
                ::unlink(link.c_str());
                if (::symlink(("../" + service).c_str(), link.c_str()) != 0)
                    return Error::from_errno("symlink " + link);
            }
        }
    }
    return {};
}

} // namespace berth::quadlet
