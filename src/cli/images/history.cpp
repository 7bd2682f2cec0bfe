// berth history: one row per history entry, newest first, as Podman shows.
#include "cli/commands.h"
#include "engine/images/images.h"

#include <memory>

namespace berth::cli {

namespace {

struct HistoryArgs {
    std::string image;
    bool human = true, no_trunc = false, quiet = false;
    std::string format;
};

int run_history(HistoryArgs const& a, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto record = engine::find_image(*ctx, a.image);
    if (!record)
        return report(record.error());
    auto rows = engine::image_history(*ctx, *record);
    if (!rows)
        return report(rows.error());
    std::vector<Json> docs;
    for (auto const& r : *rows) {
        std::string id = a.no_trunc || r.id == "<missing>" ? r.id : r.id.substr(0, 12);
        std::string by = r.created_by;
        if (!a.no_trunc && a.format != "json" && by.size() > 45)
            by = by.substr(0, 42) + "...";
        docs.push_back(Json {
            { "ID", id },
            { "Created", a.human ? human_ago(r.created) : go_time(r.created) },
            { "CreatedAt", go_time(r.created) },
            { "CreatedSince", human_ago(r.created) },
            { "CreatedBy", by },
            { "Size", a.human ? human_size(r.size) : std::to_string(r.size) },
            { "Comment", r.comment },
            { "Tags", record->names },
        });
    }
    if (a.quiet) {
        for (auto const& d : docs)
            std::printf("%s\n", d["ID"].get<std::string>().c_str());
        return 0;
    }
    if (a.format == "json") {
        // Podman's JSON: full IDs, Unix times and byte counts.
        Json arr = Json::array();
        for (size_t i = 0; i < rows->size(); ++i) {
            auto const& r = (*rows)[i];
            arr.push_back(Json { { "id", r.id }, { "created", r.created }, { "CreatedBy", r.created_by },
                { "size", r.size }, { "comment", r.comment }, { "tags", i == 0 ? Json(record->names) : Json(nullptr) } });
        }
        print_json(arr);
        return 0;
    }
    if (!a.format.empty())
        return print_formatted(a.format, docs, { { "CreatedBy", "CREATED BY" } });
    std::vector<std::vector<std::string>> table { { "ID", "CREATED", "CREATED BY", "SIZE", "COMMENT" } };
    for (auto const& d : docs)
        table.push_back({ d["ID"], d["Created"], d["CreatedBy"], d["Size"], d["Comment"] });
    print_table(table);
    return 0;
}

} // namespace

void setup_history(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<HistoryArgs>();
    auto* cmd = parent.add_subcommand("history", "Show the history of an image");
    cmd->add_option("image", a->image, "Image name or ID")->required();
    cmd->add_flag("-H,--human", a->human, "Human-readable sizes and dates (--human=false for raw values)");
    cmd->add_flag("--no-trunc", a->no_trunc, "Do not truncate the output");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the IDs");
    cmd->add_option("--format", a->format, "Go template, or 'json'");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_history(*a, globals); });
}

} // namespace berth::cli
