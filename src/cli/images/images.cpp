// berth images / image ls: one row per name (an unnamed image is <none>),
// newest first, Podman's columns, --filter, --format. Manifest lists are
// rows too, as Podman lists them (engine::list_images).
#include "cli/commands.h"
#include "engine/images/images.h"

#include <algorithm>
#include <memory>
#include <set>

namespace berth::cli {

namespace {

struct ImagesArgs {
    std::string reference;   // optional positional, like `podman images busybox`
    bool all = false, quiet = false, no_trunc = false, digests = false, noheading = false;
    std::vector<std::string> filters;
    std::string format;
    std::string sort = "created";
};

Json row_json(store::ImageRecord const& r, std::string const& name, bool no_trunc)
{
    auto [repo, tag] = name.empty() ? std::pair<std::string, std::string> { "<none>", "<none>" } : engine::split_name(name);
    std::string digest = r.manifest_digest.str();
    return Json {
        { "ID", no_trunc ? "sha256:" + r.id : r.id.substr(0, 12) },
        { "Id", r.id },
        { "Repository", repo },
        { "Tag", tag },
        { "Digest", digest },
        { "Created", human_ago(r.created) },
        { "CreatedAt", go_time(r.created) },
        { "CreatedSince", human_ago(r.created) },
        { "CreatedTime", go_time(r.created) },
        { "Size", human_size(r.size) },
        { "VirtualSize", human_size(r.size) },
        { "SharedSize", 0 },
        { "Names", r.names },
        { "RepoTags", r.names },
        { "RepoDigests", r.digests },
        { "Dangling", r.names.empty() },
        { "Containers", 0 },
        { "ReadOnly", false },
        { "Labels", Json::object() },
        { "Arch", r.architecture },
        { "Os", r.os },
    };
}

/// The document `images --format json` prints for one image (Podman's field names).
Json json_entry(store::ImageRecord const& r)
{
    return Json {
        { "Id", r.id },
        { "ParentId", "" },
        { "RepoTags", r.names },
        { "RepoDigests", r.digests },
        { "Size", r.size },
        { "SharedSize", 0 },
        { "VirtualSize", r.size },
        { "Labels", nullptr },
        { "Containers", 0 },
        { "Names", r.names },
        { "Digest", r.manifest_digest.str() },
        { "Created", r.created },
        { "CreatedAt", go_time(r.created) },
        { "Dangling", r.names.empty() },
    };
}

int run_images(ImagesArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    bool json = a.format == "json" || a.format == "{{json .}}";
    auto images = engine::list_images(*ctx, engine::ImageListOptions { a.all, a.filters, a.reference, json });
    if (!images)
        return report(images.error());

    if (json) {
        Json arr = Json::array();
        for (auto const& e : *images) {
            Json entry = json_entry(e.record);
            if (!e.labels.empty())
                entry["Labels"] = e.labels;
            arr.push_back(std::move(entry));
        }
        print_json(arr);
        return 0;
    }
    std::vector<Json> rows;
    for (auto const& e : *images) {
        auto const& r = e.record;
        auto names = r.names;
        std::sort(names.begin(), names.end());
        if (names.empty())
            names.push_back("");
        for (auto const& n : names)
            rows.push_back(row_json(r, n, a.no_trunc));
    }
    if (a.quiet) {
        std::set<std::string> seen;
        for (auto const& row : rows)
            if (seen.insert(row["ID"].get<std::string>()).second)
                std::printf("%s\n", row["ID"].get<std::string>().c_str());
        return 0;
    }
    std::map<std::string, std::string> headers { { "ID", "IMAGE ID" }, { "CreatedSince", "CREATED" }, { "CreatedAt", "CREATED AT" } };
    if (!a.format.empty())
        return print_formatted(a.format, rows, headers);
    std::vector<std::vector<std::string>> table;
    if (!a.noheading) {
        if (a.digests)
            table.push_back({ "REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE" });
        else
            table.push_back({ "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE" });
    }
    for (auto const& row : rows) {
        std::vector<std::string> cells { row["Repository"], row["Tag"] };
        if (a.digests)
            cells.push_back(row["Digest"]);
        for (auto const* k : { "ID", "CreatedSince", "Size" })
            cells.push_back(row[k]);
        table.push_back(std::move(cells));
    }
    print_table(table);
    return 0;
}

} // namespace

CLI::App* add_images_command(CLI::App& parent, std::string const& name, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<ImagesArgs>();
    auto* cmd = parent.add_subcommand(name, "List images in local storage");
    cmd->add_option("reference", a->reference, "Show only images matching this reference");
    cmd->add_flag("-a,--all", a->all, "Show all images (intermediate ones too)");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the image IDs");
    cmd->add_flag("--no-trunc", a->no_trunc, "Do not truncate the image IDs");
    cmd->add_flag("--digests", a->digests, "Show digests");
    cmd->add_flag("-n,--noheading", a->noheading, "Do not print column headings");
    cmd->add_option("-f,--filter", a->filters, "Filter: reference=, dangling=, label=, before=, since=, id=");
    cmd->add_option("--format", a->format, "Go template, 'table ...' or 'json'");
    cmd->add_option("--sort", a->sort, "Sort by created, id, repository, size, tag");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_images(*a, globals); });
    return cmd;
}

void setup_images(CLI::App& parent, Globals& globals, int& exit_code) { add_images_command(parent, "images", globals, exit_code); }

} // namespace berth::cli
