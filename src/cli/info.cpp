// berth info, version, and the `system` group (info, reset).
#include "cli/commands.h"
#include "berth_config.h"
#include "engine/system.h"

#include <cctype>
#include <iostream>
#include <memory>

namespace berth::cli {

namespace {

/// Prints a JSON document as YAML, the default output of `podman info`.
void print_yaml(Json const& j, int indent, std::string& out)
{
    std::string pad(static_cast<size_t>(indent), ' ');
    auto scalar = [](Json const& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            auto const& v = it.value();
            if ((v.is_object() || v.is_array()) && !v.empty()) {
                out += pad + it.key() + ":\n";
                print_yaml(v, indent + 2, out);
            } else {
                out += pad + it.key() + ": " + (v.is_array() ? "[]" : v.is_object() ? "{}" : scalar(v)) + "\n";
            }
        }
    } else if (j.is_array()) {
        for (auto const& v : j) {
            if (v.is_object()) {
                std::string inner;
                print_yaml(v, indent + 2, inner);
                inner.replace(static_cast<size_t>(indent), 2, "- ");
                out += inner;
            } else {
                out += pad + "- " + scalar(v) + "\n";
            }
        }
    }
}

int run_info(std::string const& format, Globals const& globals)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    auto info = engine::system_info(*ctx, globals.engine.storage_driver);
    if (!info)
        return report(info.error());
    if (format == "json") {
        print_json(*info);
        return 0;
    }
    if (!format.empty())
        return print_formatted(format, { *info });
    std::string out;
    print_yaml(*info, 0, out);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

Json version_doc()
{
    Json client = {
        { "APIVersion", BERTH_VERSION },
        { "Version", BERTH_VERSION },
        { "GoVersion", "n/a (C++20)" },
        { "GitCommit", "" },
        { "BuiltTime", __DATE__ " " __TIME__ },
        { "Built", 0 },
        { "OsArch", "linux/amd64" },
        { "Os", "linux" },
    };
    return Json { { "Client", client } };
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
        Json doc = version_doc();
        if (*format == "json") {
            print_json(doc);
            return;
        }
        if (!format->empty()) {
            exit_code = print_formatted(*format, { doc });
            return;
        }
        auto const& c = doc["Client"];
        print_table({ { "Version:", c["Version"] }, { "API Version:", c["APIVersion"] }, { "Built:", c["BuiltTime"] },
            { "OS/Arch:", c["OsArch"] } });
    });
}

void setup_system_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("system", "Manage berth itself");
    group->require_subcommand(1);
    add_info(*group, globals, exit_code);
    add_system_check(*group, globals, exit_code);
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
