// berth auto-update: updates the containers labelled
// io.containers.autoupdate=registry|local (engine/containers/auto_update.h)
// and prints Podman's table of them: UNIT, CONTAINER, IMAGE, POLICY, UPDATED.
// The containers that could not be checked or updated follow as errors, and
// make the command exit 125.
#include "cli/commands.h"
#include "engine/containers/auto_update.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

Json report_row(engine::AutoUpdateReport const& r)
{
    return Json {
        { "Unit", r.unit },
        { "Container", r.container_id.substr(0, 12) + " (" + r.container_name + ")" },
        { "ContainerID", r.container_id },
        { "ContainerName", r.container_name },
        { "Image", r.image },
        { "Policy", r.policy },
        { "Updated", r.updated },
    };
}

int print_reports(std::string const& format, std::vector<engine::AutoUpdateReport> const& reports)
{
    std::vector<Json> rows;
    for (auto const& r : reports)
        rows.push_back(report_row(r));
    if (format == "json") {
        print_json(Json(rows));
        return 0;
    }
    std::string f = format.empty() ? "table {{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}" : format;
    return print_formatted(f, rows, { { "Unit", "UNIT" }, { "Container", "CONTAINER" }, { "ContainerID", "CONTAINER ID" },
        { "ContainerName", "CONTAINER NAME" }, { "Image", "IMAGE" }, { "Policy", "POLICY" }, { "Updated", "UPDATED" } });
}

} // namespace

void setup_auto_update(CLI::App& parent, Globals& globals, int& exit_code)
{
    struct Args {
        engine::AutoUpdateOptions options;
        bool tls_verify = true;
        CLI::Option* tls_option = nullptr;
        std::string format;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = parent.add_subcommand("auto-update", "Update containers according to their auto-update policy");
    cmd->add_flag("--dry-run", a->options.dry_run, "Check for pending updates without updating anything");
    cmd->add_flag("--rollback", a->options.rollback,
        "Restore the previous container (or image) when an update fails (default true; --rollback=false to keep the failed one)");
    cmd->add_option("--authfile", a->options.authfile, "Path of the authentication file (a container's io.containers.autoupdate.authfile label wins)")->envname("REGISTRY_AUTH_FILE");
    a->tls_option = cmd->add_flag("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates when contacting registries (--tls-verify=false to disable)");
    cmd->add_option("--format", a->format, "Go template for each container ({{.Unit}}, {{.Container}}, {{.ContainerID}}, {{.ContainerName}}, {{.Image}}, {{.Policy}}, {{.Updated}}), or json");
    cmd->callback([a, &globals, &exit_code] {
        auto ctx = open_or_report(globals, exit_code);
        if (!ctx)
            return;
        auto options = a->options;
        if (a->tls_option->count() > 0)
            options.tls_verify = a->tls_verify;
        options.storage_driver = globals.engine.storage_driver;
        auto result = engine::auto_update(*ctx, options);
        if (!result) {
            exit_code = report(result.error());
            return;
        }
        exit_code = print_reports(a->format, result->reports);
        std::fflush(stdout);  // the table, then the errors about its rows
        for (auto const& error : result->errors)
            print_error(error.message);
        if (!result->errors.empty())
            exit_code = exit_engine_error;
    });
}

} // namespace berth::cli
