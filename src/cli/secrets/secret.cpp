// berth secret create|ls|inspect|rm|exists, with Podman's output: create
// prints the id, ls a table (or --format), inspect a JSON array, rm the ids
// removed; exists says it by its exit status alone.
#include "cli/commands.h"
#include "engine/secrets/secrets.h"

#include <cstdio>

namespace berth::cli {

namespace {

void add_secret_create(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string name, source, driver = "file";
        std::vector<std::string> labels, driver_options;
        bool env = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("create", "Create a new secret");
    cmd->add_option("name", a->name, "Secret name")->required();
    cmd->add_option("source", a->source, "File with the data, - for standard input, or with --env a variable's name")->required();
    cmd->add_option("-d,--driver", a->driver, "Secret driver (only file)");
    cmd->add_option("--driver-opts", a->driver_options, "Driver options (KEY=VALUE)")->delimiter(',')->allow_extra_args(false);
    cmd->add_flag("--env", a->env, "Read the data from the environment variable named by SOURCE");
    cmd->add_option("-l,--label", a->labels, "Set a label (KEY=VALUE)")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto data = engine::read_secret_source(a->source, a->env);
        if (!data) {
            exit_code = report(data.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto s = engine::create_secret(*ctx, a->name, *data, { a->driver, key_values(a->driver_options), key_values(a->labels) });
        if (!s) {
            exit_code = report(s.error());
            return;
        }
        std::printf("%s\n", s->id.c_str());
    });
}

void add_secret_ls(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string format;
        bool quiet = false;
        bool noheading = false;
        std::vector<std::string> filters;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("ls", "List secrets");
    cmd->alias("list");
    cmd->add_option("--format", a->format, "Go template for each secret");
    cmd->add_flag("-q,--quiet", a->quiet, "Print only the IDs");
    cmd->add_flag("--noheading", a->noheading, "Do not print headers");
    cmd->add_option("-f,--filter", a->filters, "Filter secrets: name=, id=")->allow_extra_args(false);
    cmd->callback([a, &globals, &exit_code] {
        auto filters = engine::parse_secret_filters(a->filters);
        if (!filters) {
            exit_code = report(filters.error());
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto secrets = engine::list_secrets(*ctx, *filters);
        if (!secrets) {
            exit_code = report(secrets.error());
            return;
        }
        if (a->quiet) {
            for (auto const& s : *secrets)
                std::printf("%s\n", s.id.c_str());
            return;
        }
        std::vector<Json> rows;
        for (auto const& s : *secrets)
            rows.push_back(engine::secret_row(s, human_ago));
        std::string format = a->format.empty() ? "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}" : a->format;
        exit_code = print_formatted(format, rows,
            { { "ID", "ID" }, { "Name", "NAME" }, { "Driver", "DRIVER" }, { "CreatedAt", "CREATED" }, { "UpdatedAt", "UPDATED" } },
            a->noheading ? berth::format::Heading::Omit : berth::format::Heading::Show);
    });
}

void add_secret_inspect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        std::string format;
        bool pretty = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("inspect", "Show secrets in detail");
    cmd->add_option("secret", a->names, "Secret names or IDs")->required();
    cmd->add_option("-f,--format", a->format, "Go template for each secret");
    cmd->add_flag("--pretty", a->pretty, "Print in a human-readable form");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        std::vector<Json> docs;
        for (auto const& name : a->names) {
            auto s = engine::get_secret(*ctx, name);
            if (!s) {
                exit_code = report(s.error());
                continue;
            }
            docs.push_back(engine::inspect_secret(*ctx, *s));
        }
        int code = 0;
        if (a->pretty && a->format.empty()) {
            for (auto const& d : docs)
                code = print_formatted("ID:\t{{.ID}}\nName:\t{{.Spec.Name}}\nDriver:\t{{.Spec.Driver.Name}}\nCreated at:\t{{.CreatedAt}}\nUpdated at:\t{{.UpdatedAt}}", { d });
        } else {
            code = a->format.empty() ? (print_json(Json(docs)), 0) : print_formatted(a->format, docs);
        }
        if (exit_code == 0)
            exit_code = code;
    });
}

void add_secret_rm(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::vector<std::string> names;
        bool all = false;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("rm", "Remove secrets");
    cmd->alias("remove");
    cmd->add_option("secret", a->names, "Secret names or IDs");
    cmd->add_flag("-a,--all", a->all, "Remove all secrets");
    cmd->callback([a, &globals, &exit_code] {
        if (a->names.empty() == !a->all) {
            exit_code = report(Error { EINVAL, a->all ? "--all and secret names cannot be used together: give one or the other"
                                                      : "choose a secret to remove or use --all" });
            return;
        }
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto names = a->names;
        if (a->all) {
            auto all = engine::list_secrets(*ctx);
            if (!all) {
                exit_code = report(all.error());
                return;
            }
            for (auto const& s : *all)
                names.push_back(s.id);
        }
        for (auto const& name : names) {
            auto id = engine::remove_secret(*ctx, name);
            if (!id) {
                exit_code = report(id.error());
                continue;
            }
            std::printf("%s\n", id->c_str());
        }
    });
}


} // namespace

void setup_secret_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("secret", "Manage secrets");
    group->require_subcommand(1);
    add_secret_create(*group, globals, exit_code);
    add_secret_ls(*group, globals, exit_code);
    add_secret_inspect(*group, globals, exit_code);
    add_secret_rm(*group, globals, exit_code);
    add_exists_command(*group, globals, exit_code, "secret", "Check whether a secret exists (exit 0) or not (exit 1)",
        [](engine::Context& ctx, std::string const& name) { return engine::get_secret(ctx, name); });
}

} // namespace berth::cli
