// berth's entry point: the command table, global flags, and the mapping from
// a parse failure to Podman's exit code 125. Each command lives in src/cli/
// and is listed once here, in the order `berth --help` shows them.
#include "base/log.h"
#include "berth_config.h"
#include "cli/commands.h"
#include "cli/compose/compose.h"
#include "cli/common.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>

using namespace berth;

namespace {

struct CommandEntry {
    /// The top-level words (names and aliases) it adds, space-separated; empty
    /// for a command that needs the whole tree (completion walks it).
    std::string_view names;
    cli::Setup setup;
};

// The one list of top-level commands. A word missing here only costs speed:
// a command line whose command is not found here sets up every entry.
constexpr CommandEntry commands[] = {
    { "image", cli::setup_image_group },
    { "images", cli::setup_images },
    { "build", cli::setup_build },
    { "buildx", cli::setup_buildx },
    { "pull", cli::setup_pull },
    { "push", cli::setup_push },
    { "inspect", cli::setup_inspect },
    { "tag", cli::setup_tag },
    { "untag", cli::setup_untag },
    { "rmi", cli::setup_rmi },
    { "history", cli::setup_history },
    { "save", cli::setup_save },
    { "load", cli::setup_load },
    { "import", cli::setup_import },
    { "login", cli::setup_login },
    { "logout", cli::setup_logout },
    { "search", cli::setup_search },
    { "info", cli::setup_info },
    { "version", cli::setup_version },
    { "system", cli::setup_system_group },
    { "", cli::setup_completion },
    { "run", cli::setup_run },
    { "create", cli::setup_create },
    { "start", cli::setup_start },
    { "init", cli::setup_init },
    { "rm", cli::setup_rm },
    { "secret", cli::setup_secret_group },
    { "volume", cli::setup_volume_group },
    { "ps", cli::setup_ps },
    { "stop", cli::setup_stop },
    { "restart", cli::setup_restart },
    { "kill", cli::setup_kill },
    { "pause", cli::setup_pause },
    { "unpause", cli::setup_unpause },
    { "wait", cli::setup_wait },
    { "rename", cli::setup_rename },
    { "top", cli::setup_top },
    { "port", cli::setup_port },
    { "stats", cli::setup_stats },
    { "events", cli::setup_events },
    { "container", cli::setup_container_group },
    { "exec", cli::setup_exec },
    { "cp", cli::setup_cp },
    { "export", cli::setup_export },
    { "diff", cli::setup_diff },
    { "commit", cli::setup_commit },
    { "mount unmount umount", cli::setup_mount },
    { "logs", cli::setup_logs },
    { "attach", cli::setup_attach },
    { "healthcheck", cli::setup_healthcheck },
    { "auto-update", cli::setup_auto_update },
    { "unshare", cli::setup_unshare },
    { "pod", cli::setup_pod_group },
    { "manifest", cli::setup_manifest_group },
    { "kube", cli::setup_kube_group },
    { "compose", cli::setup_compose },
    { "generate", cli::setup_generate_group },
    { "play", cli::setup_play_group },
    { "generate", cli::setup_generate },
    { "quadlet", cli::setup_quadlet },
    { "network", cli::setup_network_group },
    // Last: adds `cleanup` to a `container` group another entry may have created.
    { "container", cli::setup_container_cleanup },
};

/// Global flags that ask for a remote Podman service, which berth does not have.
struct RemoteFlags {
    bool remote = false;
    std::string url, connection, identity, ssh;
    bool given() const { return remote || !url.empty() || !connection.empty() || !identity.empty() || !ssh.empty(); }
};

/// --noout and --syslog: what they do happens in main.
struct OutputFlags {
    bool noout = false;
    bool syslog = false;
};

void add_global_options(CLI::App& app, cli::Globals& globals, RemoteFlags& remote, OutputFlags& output)
{
    auto& g = globals.engine;
    app.add_option("--root", g.root, "Path to the storage root directory")->envname("BERTH_ROOT");
    app.add_option("--runroot", g.runroot, "Path to the runtime state directory")->envname("BERTH_RUNROOT");
    app.add_option("--storage-driver", g.storage_driver, "Storage driver: overlay, fuse-overlayfs, vfs");
    app.add_option("--storage-opt", g.storage_opts, "Storage driver option (overlay.mount_program=PATH)")->allow_extra_args(false);
    app.add_option("--log-level", globals.log_level,
        "Log messages at and above this level: trace, debug, info, warn, warning, error, fatal, panic");
    app.add_option("--runtime", g.runtime, "Run containers with this OCI runtime (name or path) instead of berth's own");
    app.add_option("--runtime-flag", g.runtime_flags, "A global flag for that OCI runtime (without its leading dashes)")
        ->allow_extra_args(false);
    app.add_option("--events-backend", g.events_backend, "Where events go: file, journald, none");
    app.add_option("--cgroup-manager", g.cgroup_manager, "Cgroup manager: cgroupfs, systemd");
    app.add_option("--volumepath", g.volume_path, "Directory of named volumes");
    app.add_option("--tmpdir", g.tmp_dir, "Directory of berth's state that is not the store's (the events log)");
    app.add_option("--network-cmd-path", g.network_cmd_path, "The pasta binary for --network pasta");
    app.add_flag("--noout", output.noout, "Print nothing on standard output");
    app.add_flag("--syslog", output.syslog, "Send log messages to syslog as well as to standard error");
    app.add_flag("-r,--remote", remote.remote, "Not supported: berth has no service to connect to");
    app.add_option("--url", remote.url, "Not supported: berth has no service to connect to");
    app.add_option("-c,--connection", remote.connection, "Not supported: berth has no service to connect to");
    app.add_option("--identity", remote.identity, "Not supported: berth has no service to connect to");
    app.add_option("--ssh", remote.ssh, "Not supported: berth has no service to connect to");
    app.set_version_flag("-v,--version", "berth version " BERTH_VERSION, "Print the version and exit");
}

/// The command word of the command line (the first word that is neither a
/// global option nor its value), or "" when there is none.
std::string_view command_word(CLI::App const& app, int argc, char** argv)
{
    auto takes_value = [&](std::string_view arg) {
        if (arg.find('=') != std::string_view::npos)
            return false;
        for (auto const* opt : app.get_options())
            if (opt->get_expected_min() > 0 && opt->check_name(std::string(arg)))
                return true;
        return false;
    };
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--")
            return {};
        if (arg.size() > 1 && arg[0] == '-') {
            i += takes_value(arg);
            continue;
        }
        return arg;
    }
    return {};
}

/// Whether `word` is one of the space-separated `names`.
bool names_contain(std::string_view names, std::string_view word)
{
    while (!names.empty()) {
        auto space = names.find(' ');
        if (names.substr(0, space) == word)
            return true;
        names = space == std::string_view::npos ? std::string_view {} : names.substr(space + 1);
    }
    return false;
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
    RemoteFlags remote;
    OutputFlags output;
    add_global_options(app, globals, remote, output);
    // Only the command asked for is set up: building every command's flags
    // costs more than the rest of a short command such as `version` does.
    auto word = command_word(app, argc, argv);
    bool known = !word.empty() && std::any_of(std::begin(commands), std::end(commands), [&](auto const& entry) {
        return names_contain(entry.names, word);
    });
    // `berth --version` (scripts run it to detect the engine) needs no command at all.
    bool version_only = word.empty() && std::any_of(argv + 1, argv + argc, [](char const* arg) {
        return std::string_view(arg) == "--version" || std::string_view(arg) == "-v";
    }) && std::none_of(argv + 1, argv + argc, [](char const* arg) {
        return std::string_view(arg) == "--help" || std::string_view(arg) == "-h";
    });
    for (auto const& entry : commands)
        if (!version_only && (!known || names_contain(entry.names, word)))
            entry.setup(app, globals, exit_code);
    // One walk of the tree: Podman's heading for the command list at every
    // level, and, as Podman (Go's pflag), a single-value flag given twice
    // takes the last value.
    auto finish = [](auto& self, CLI::App* parent) -> void {
        for (auto* opt : parent->get_options())
            if (opt->get_items_expected_max() == 1)
                opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
        for (auto* sub : parent->get_subcommands({})) {
            sub->group("Available Commands");
            self(self, sub);
        }
    };
    finish(finish, &app);
    struct BadLogLevel { };
    struct RemoteRequested { };
    app.parse_complete_callback([&] {
        log::Level level;
        if (log::parse_level(globals.log_level, level))
            log::set_level(level);
        else if (!globals.log_level.empty())
            throw BadLogLevel {};
        if (remote.given())
            throw RemoteRequested {};
        if (output.syslog)
            log::also_to_syslog();
        if (output.noout)
            cli::discard_stdout();
    });
    try {
        app.parse(argc, argv);
    } catch (CLI::CallForHelp const& e) {
        // `berth foo --help`, `berth volume foo --help`: a word that names no
        // command is an error, not the help of the group above it.
        auto* deepest = deepest_command(app);
        auto remaining = app.remaining(true);
        if (!deepest->get_subcommands({}).empty() && !remaining.empty() && remaining.front()[0] != '-') {
            cli::print_error("unrecognized command 'berth" + command_path(app) + " " + remaining.front()
                + "'\nTry 'berth" + command_path(app) + " --help' for more information");
            return cli::exit_engine_error;
        }
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
    } catch (RemoteRequested const&) {
        cli::print_error("remote connections are not supported: berth runs containers on this machine, without a "
                         "service; drop --remote, --url and --connection");
        return cli::exit_engine_error;
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
