// `berth quadlet`: Quadlet files as berth-generator finds them (quadlet/sources.h).
#include "engine/system/quadlet.h"

#include "base/fs.h"
#include "quadlet/sources.h"

#include <algorithm>
#include <unistd.h>

namespace berth::engine {

namespace {

std::vector<std::string> dirs() { return quadlet::search_dirs(::geteuid() != 0); }

} // namespace

std::vector<QuadletEntry> list_quadlets()
{
    std::vector<QuadletEntry> out;
    auto search = dirs();
    for (auto const& s : quadlet::find_sources(search)) {
        // A .pod's ServiceName= names its unit; a file that does not load has the default name.
        auto file = quadlet::load_source(s, search);
        out.push_back(QuadletEntry { s.name, file ? quadlet::service_name(s.name, *file) : quadlet::service_name(s.name), s.path });
    }
    return out;
}

Result<std::string> quadlet_text(std::string const& name)
{
    auto search = dirs();
    bool has_kind = std::any_of(std::begin(quadlet::source_kinds), std::end(quadlet::source_kinds), [&](char const* k) { return name.ends_with(k); });
    std::string wanted = has_kind ? name : name + ".container";
    for (auto const& s : quadlet::find_sources(search)) {
        if (s.name != wanted)
            continue;
        std::string text = TRY_CTX(fs::read_file(s.path), "reading " + s.path);
        for (auto const& path : quadlet::drop_in_paths(s, search))
            text += "\n# " + path + "\n" + TRY_CTX(fs::read_file(path), "reading " + path);
        return text;
    }
    std::string where;
    for (auto const& d : search)
        where += (where.empty() ? "" : ", ") + d;
    return Error { ENOENT, "no quadlet " + wanted + " found (searched " + where + ")" };
}

} // namespace berth::engine
