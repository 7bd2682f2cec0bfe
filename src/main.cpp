// berth's entry point: the command table, global flags, and the mapping from
// a parse failure to Podman's exit code 125. Each command lives in src/cli/
// and is listed once here, in the order `berth --help` shows them.
#include "base/log.h"
#include "berth_config.h"
#include "cli/commands.h"
#include "cli/common.h"

#include <CLI/CLI.hpp>
#include <cstdio>

using namespace berth;

namespace {

struct CommandEntry {
    cli::Setup setup;
};

// The one list of top-level commands.
constexpr CommandEntry commands[] = {
    { cli::setup_image_group },
    { cli::setup_images },
    { cli::setup_pull },
    { cli::setup_push },
    { cli::setup_inspect },
    { cli::setup_tag },
    { cli::setup_untag },
    { cli::setup_rmi },
    { cli::setup_history },
    { cli::setup_save },
    { cli::setup_load },
    { cli::setup_import },
    { cli::setup_login },
    { cli::setup_logout },
    { cli::setup_info },
    { cli::setup_version },
    { cli::setup_system_group },
    { cli::setup_completion },
    { cli::setup_run },
    { cli::setup_create },
    { cli::setup_start },
    { cli::setup_rm },
    { cli::setup_volume_group },
    { cli::setup_ps },
    { cli::setup_stop },
    { cli::setup_restart },
    { cli::setup_kill },
    { cli::setup_pause },
    { cli::setup_unpause },
    { cli::setup_wait },
    { cli::setup_rename },
    { cli::setup_top },
    { cli::setup_port },
    { cli::setup_stats },
    { cli::setup_events },
    { cli::setup_container_group },
    { cli::setup_exec },
    { cli::setup_cp },
    { cli::setup_export },
    { cli::setup_diff },
    { cli::setup_mount },
    { cli::setup_logs },
    { cli::setup_attach },
    { cli::setup_healthcheck },
    { cli::setup_unshare },
    // Last: adds `cleanup` to a `container` group another entry may have created.
    { cli::setup_container_cleanup },
};

void add_global_options(CLI::App& app, cli::Globals& globals)
{
    app.add_option("--root", globals.engine.root, "Path to the storage root directory")->envname("BERTH_ROOT");
    app.add_option("--runroot", globals.engine.runroot, "Path to the runtime state directory")->envname("BERTH_RUNROOT");
    app.add_option("--storage-driver", globals.engine.storage_driver, "Storage driver: overlay, vfs");
    app.add_option("--log-level", globals.log_level,
        "Log messages at and above this level: trace, debug, info, warn, warning, error, fatal, panic");
    app.set_version_flag("-v,--version", "berth version " BERTH_VERSION, "Print the version and exit");
}

/// " volume" for `berth volume`: the words of the deepest command parsed.
std::string command_path(CLI::App const& app)
{
    std::string path;
    for (CLI::App const* cur = &app; !cur->get_subcommands().empty();) {
        cur = cur->get_subcommands().front();
        path += " " + cur->get_name();
    }
    return path;
}

/// The deepest command parsed, for its usage.
CLI::App const* deepest_command(CLI::App const& app)
{
    CLI::App const* cur = &app;
    while (!cur->get_subcommands().empty())
        cur = cur->get_subcommands().front();
    return cur;
}

/// Podman's wording for command-line mistakes, which scripts grep for.
std::string parse_error_message(CLI::App const& app, CLI::ParseError const& e)
{
    std::string what = e.what();
    std::string name = e.get_name();
    auto listed = [&] {
        auto colon = what.find(": ");
        return colon == std::string::npos ? what : what.substr(colon + 2);
    };
    if (dynamic_cast<CLI::ExtrasError const*>(&e)) {
        std::string extra = listed();
        extra = extra.substr(0, extra.find(' '));
        if (!extra.empty() && extra[0] == '-')
            return "unknown flag: " + extra + "\nSee 'berth --help'";
        // Below a command, an extra word is one argument too many, not a command.
        std::string path = command_path(app);
        if (!path.empty())
            return "too many arguments: \"" + extra + "\" was not expected\nSee 'berth" + path + " --help'";
        return "unrecognized command 'berth " + extra + "'\nTry 'berth --help' for more information";
    }
    if (name == "RequiredError" && what.find("subcommand") != std::string::npos) {
        auto remaining = app.remaining();
        if (!remaining.empty())
            return "unrecognized command 'berth " + remaining.front() + "'\nTry 'berth --help' for more information";
        return "missing command 'berth" + command_path(app) + " COMMAND'";
    }
    if (name == "RequiredError")
        return "missing required argument: " + what;
    return what;
}

} // namespace

int main(int argc, char** argv)
{
    CLI::App app { "berth: manage containers and images, daemonless and rootless", "berth" };
    app.require_subcommand(1);
    app.fallthrough();
    app.footer("Run 'berth COMMAND --help' for more information on a command.");
    app.get_formatter()->label("Subcommands", "Available Commands");
    app.get_formatter()->label("SUBCOMMAND", "COMMAND");
    cli::Globals globals;
    globals.command_line.assign(argv, argv + argc);
    int exit_code = 0;
    add_global_options(app, globals);
    for (auto const& entry : commands)
        entry.setup(app, globals, exit_code);
    // Podman's heading for the command list, at every level.
    auto group_all = [](auto& self, CLI::App* parent) -> void {
        for (auto* sub : parent->get_subcommands({})) {
            sub->group("Available Commands");
            self(self, sub);
        }
    };
    group_all(group_all, &app);
    struct BadLogLevel { };
    app.parse_complete_callback([&] {
        log::Level level;
        if (log::parse_level(globals.log_level, level))
            log::set_level(level);
        else if (!globals.log_level.empty())
            throw BadLogLevel {};
    });
    try {
        app.parse(argc, argv);
    } catch (CLI::CallForHelp const& e) {
        return app.exit(e);
    } catch (CLI::CallForAllHelp const& e) {
        return app.exit(e);
    } catch (CLI::CallForVersion const& e) {
        return app.exit(e);
    } catch (BadLogLevel const&) {
        // Podman's words and status (1, not 125) for this one.
        std::fprintf(stderr, "Log Level \"%s\" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic\n",
            globals.log_level.c_str());
        return 1;
    } catch (CLI::ParseError const& e) {
        auto message = parse_error_message(app, e);
        if (message.rfind("missing command '", 0) == 0) {
            // As Podman: the command's usage on stdout, then the error.
            std::fputs(deepest_command(app)->help().c_str(), stdout);
            std::fflush(stdout);
        }
        cli::print_error(message);
        return cli::exit_engine_error;
    }
    return exit_code;
}
