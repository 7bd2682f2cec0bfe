// berth info, version, and the `system` group (info, reset).
#include "cli/commands.h"
#include "engine/system/system.h"
#include "format/template.h"
#include "format/yaml.h"

#include <cctype>
#include <iostream>
#include <memory>

namespace berth::cli {

namespace {

/// Prints `text` to stdout.
void print_text(std::string const& text) { std::fwrite(text.data(), 1, text.size(), stdout); }

/// Prints a document as JSON the way `podman info --format json` does: two-space indentation.
void print_json_indented(Json const& doc)
{
    print_text(doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

int run_info(std::string const& format, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto info = engine::system_info(*ctx, { .storage_driver = ctx->settings.options.storage_driver, .runtime = ctx->settings.options.runtime });
    if (!info)
        return report(info.error());
    if (format.empty()) {
        // Podman prints the YAML and then one more line break.
        print_text(format::to_yaml(*info) + "\n");
        return 0;
    }
    auto tmpl = format::Template::parse(format);
    if (!tmpl)
        return report(tmpl.error());
    if (tmpl->is_json()) {
        print_json_indented(*info);
        return 0;
    }
    // Go field names: .Host.OCIRuntime.Name, .Host.CgroupsVersion, .Store.GraphRoot.
    tmpl->set_field_names(engine::info_field_names());
    auto out = tmpl->render_lines({ *info });
    if (!out)
        return report(out.error());
    print_text(*out);
    return 0;
}

/// `version --format TEMPLATE`, as Podman: against {"Client": ..., "Server": null}, and
/// when that fails (as `{{.Server.Version}}` does, there being no server) again against
/// the Client section with ".Server." removed, so `{{.Server.Version}}` and `{{.Version}}`
/// work. Unlike Podman, the failed attempt prints nothing.
int print_version_formatted(std::string const& format, Json doc)
{
    auto tmpl = format::Template::parse(format);
    if (!tmpl)
        return report(tmpl.error());
    doc["Server"] = nullptr;
    // A nil Server fails in Go wherever a field of it is read; null here would print <no value>.
    Result<std::string> out = format.find(".Server.") == std::string::npos ? tmpl->render_lines({ doc })
                                                                           : Error::msg("no server");
    if (!out) {
        std::string client_format = format;
        for (size_t at; (at = client_format.find(".Server.")) != std::string::npos;)
            client_format.replace(at, 8, ".");
        auto client_tmpl = format::Template::parse(client_format);
        if (!client_tmpl)
            return report(client_tmpl.error());
        out = client_tmpl->render_lines({ doc["Client"] });
        if (!out)
            return report(out.error());
    }
    print_text(*out);
    return 0;
}

void add_info(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto format = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("info", "Display information about the host, the store and berth");
    cmd->add_option("-f,--format", *format, "Go template, or 'json'");
    cmd->callback([format, &globals, &exit_code] { exit_code = run_info(*format, globals); });
}

} // namespace

void setup_info(CLI::App& parent, Globals& globals, int& exit_code) { add_info(parent, globals, exit_code); }

void setup_version(CLI::App& parent, Globals&, int& exit_code)
{
    auto format = std::make_shared<std::string>();
    auto* cmd = parent.add_subcommand("version", "Display the berth version");
    cmd->add_option("-f,--format", *format, "Go template, or 'json'");
    cmd->callback([format, &exit_code] {
        Json doc = engine::system_version();
        if (format->empty()) {
            auto const& c = doc["Client"];
            std::vector<std::vector<std::string>> rows = { { "Client:", "berth" }, { "Version:", c["Version"] },
                { "API Version:", c["APIVersion"] }, { "Go Version:", c["GoVersion"] } };
            if (!c["GitCommit"].get<std::string>().empty())
                rows.push_back({ "Git Commit:", c["GitCommit"] });
            rows.push_back({ "Built:", c["BuiltTime"] });
            rows.push_back({ "OS/Arch:", c["OsArch"] });
            print_table(rows);
            return;
        }
        auto tmpl = format::Template::parse(*format);
        if (tmpl && tmpl->is_json()) {
            print_text(doc.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");  // one line, as Podman
            return;
        }
        exit_code = print_version_formatted(*format, doc);
    });
}

void setup_system_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("system", "Manage berth itself");
    group->require_subcommand(1);
    add_info(*group, globals, exit_code);
    add_system_check(*group, globals, exit_code);
    add_system_df(*group, globals, exit_code);
    add_system_prune(*group, globals, exit_code);
    auto force = std::make_shared<bool>(false);
    auto* reset = group->add_subcommand("reset", "Remove all images, layers and state of this user's store");
    reset->add_flag("-f,--force", *force, "Do not ask for confirmation");
    reset->callback([force, &globals, &exit_code] {
        if (!*force) {
            auto yes = confirm("WARNING! This removes all containers, images, volumes and state of "
                + (globals.engine.root.empty() ? std::string("this user's store") : globals.engine.root) + ".\n");
            if (!yes)
                exit_code = report(yes.error());
            if (!yes || !*yes)
                return;
        }
        if (auto r = engine::system_reset(globals.engine); !r)
            exit_code = report(r.error());
    });
}

} // namespace berth::cli
