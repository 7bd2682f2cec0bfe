// systemd units as text (see systemd.h): the unit skeleton, the Exec lines
// of both kinds of unit, and the rewrite of a create command into the `run`
// of a --new unit.
#include "generate/systemd.h"

#include "quadlet/unit_file.h"

#include <algorithm>
#include <array>

namespace berth::generate {

namespace {

using Words = std::vector<std::string>;

/// An Exec line's value, as Podman lays it out: a line break before every flag.
std::string format_command(Words const& words)
{
    std::string out;
    for (size_t i = 0; i < words.size(); ++i) {
        if (i == 0)
            out += words[i];
        else if (words[i].size() > 1 && words[i][0] == '-')
            out += " \\\n\t" + words[i];
        else
            out += " " + words[i];
    }
    return out;
}

std::string join(Words const& words, char const* separator = " ")
{
    std::string out;
    for (auto const& w : words)
        out += (out.empty() ? "" : separator) + w;
    return out;
}

/// The command line of `berth [GLOBALS] [container|pod] create|run ARGS...`, split.
struct CreateCommand {
    Words globals;  ///< as typed, escaped
    Words args;     ///< after the create/run word, unescaped
};

/// A flag word's name: "--name" of "--name=x", the word itself otherwise.
std::string flag_name(std::string const& word)
{
    auto eq = word.find('=');
    return eq == std::string::npos ? word : word.substr(0, eq);
}

bool is_flag(std::string const& word) { return word.size() > 1 && word[0] == '-'; }

/// Whether `word` is a bundle of one-letter boolean flags ("-dit").
bool is_short_bundle(std::string const& word, std::set<std::string> const& booleans)
{
    if (word.size() < 3 || word[0] != '-' || word[1] == '-' || word.find('=') != std::string::npos)
        return false;
    return std::all_of(word.begin() + 1, word.end(), [&](char c) { return booleans.count(std::string("-") + c) > 0; });
}

/// Whether a flag word takes the next word as its value.
bool takes_next(std::string const& word, std::set<std::string> const& booleans)
{
    if (word.find('=') != std::string::npos || is_short_bundle(word, booleans))
        return false;
    if (word.size() > 2 && word[0] == '-' && word[1] != '-')
        return false;  // "-p8080:80": the value is attached
    return booleans.count(word) == 0;
}

Result<CreateCommand> split_create_command(Words const& argv, std::set<std::string> const& global_booleans,
    std::array<std::string_view, 2> verbs, std::string_view group)
{
    CreateCommand out;
    size_t i = 1;
    for (; i < argv.size() && is_flag(argv[i]); ++i) {
        out.globals.push_back(escape_exec_word(argv[i]));
        if (takes_next(argv[i], global_booleans) && i + 1 < argv.size())
            out.globals.push_back(escape_exec_word(argv[++i]));
    }
    if (i < argv.size() && argv[i] == group)
        ++i;
    if (i >= argv.size() || std::find(verbs.begin(), verbs.end(), argv[i]) == verbs.end())
        return Error::msg("cannot read the create command \"" + join(argv) + "\"");
    out.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, argv.end());
    return out;
}

/// The create command's arguments without the flags named in `drop`, and
/// which of the flags in `watch` it sets (by name, value or "" for booleans).
struct FilteredArgs {
    Words words;                             ///< escaped, ready for the Exec line
    std::vector<std::pair<std::string, std::string>> seen;  ///< (flag, value) of the watched flags
    bool has(std::string const& flag) const
    {
        return std::any_of(seen.begin(), seen.end(), [&](auto const& s) { return s.first == flag; });
    }
};

FilteredArgs filter_args(Words const& args, std::set<std::string> const& booleans, std::set<std::string> const& drop,
    std::set<std::string> const& watch, std::string const& name_suffix)
{
    FilteredArgs out;
    size_t i = 0;
    for (; i < args.size() && is_flag(args[i]); ++i) {
        std::string const& word = args[i];
        if (word == "--") {
            out.words.push_back(word);
            ++i;
            break;
        }
        if (is_short_bundle(word, booleans)) {
            for (char c : word.substr(1))
                if (watch.count(std::string("-") + c))
                    out.seen.emplace_back(std::string("-") + c, "");
            out.words.push_back(escape_exec_word(word));
            continue;
        }
        std::string name = flag_name(word);
        bool next = takes_next(word, booleans) && i + 1 < args.size();
        std::string value = next ? args[i + 1] : (word.find('=') != std::string::npos ? word.substr(name.size() + 1) : "");
        if (watch.count(name))
            out.seen.emplace_back(name, value);
        if (drop.count(name)) {
            i += next;
            continue;
        }
        if (name == "--name" && !name_suffix.empty()) {
            if (next)
                out.words.insert(out.words.end(), { word, escape_exec_word(args[++i]) + name_suffix });
            else
                out.words.push_back(escape_exec_word(word) + name_suffix);
            continue;
        }
        out.words.push_back(escape_exec_word(word));
        if (next)
            out.words.push_back(escape_exec_word(args[++i]));
    }
    for (; i < args.size(); ++i)
        out.words.push_back(escape_exec_word(args[i]));
    return out;
}

std::string stop_timeout_of(ContainerInput const& c, SystemdOptions const& o)
{
    return std::to_string(o.stop_timeout.value_or(c.stop_timeout));
}

/// Everything of a unit but its Exec lines and type.
struct UnitParts {
    std::string name;            ///< without ".service"
    std::string description;     ///< "container-web.service"
    bool template_unit = false;
    std::string requires_mounts_for;
    Words unit_lines;            ///< BindsTo=, Wants= ... of pods and members
    unsigned stop_timeout = 10;
    Words exec_start_pre;        ///< one formatted command each
    std::string exec_start, exec_stop, exec_stop_post;
    std::string pid_file;
    bool notify = false;
};

std::string render(UnitParts const& u, SystemdOptions const& o, UnitEnvironment const& env)
{
    std::string t;
    auto line = [&](std::string const& s) { t += s + "\n"; };
    line("# " + u.name + ".service");  // kept by --no-header, as Podman keeps it
    if (!o.no_header) {
        line("# autogenerated by berth " + env.version);
        if (!env.timestamp.empty())
            line("# " + env.timestamp);
    }
    line("");
    line("[Unit]");
    line("Description=berth " + u.description + (u.template_unit ? " for %I" : ""));
    line("Documentation=man:berth-generate-systemd(1)");
    line("Wants=network-online.target");
    line("After=network-online.target");
    line("RequiresMountsFor=" + u.requires_mounts_for);
    for (auto const& l : u.unit_lines)
        line(l);
    if (!o.wants.empty() || !o.after.empty() || !o.requires_units.empty()) {
        line("");
        line("# User-defined dependencies");
        if (!o.wants.empty())
            line("Wants=" + join(o.wants));
        if (!o.after.empty())
            line("After=" + join(o.after));
        if (!o.requires_units.empty())
            line("Requires=" + join(o.requires_units));
    }
    line("");
    line("[Service]");
    line(std::string("Environment=PODMAN_SYSTEMD_UNIT=%n") + (u.template_unit ? "-%i" : ""));
    for (auto const& e : o.env)
        line("Environment=" + quadlet::quote_word(e));
    line("Restart=" + o.restart_policy);
    if (o.restart_sec)
        line("RestartSec=" + std::to_string(*o.restart_sec));
    if (o.start_timeout)
        line("TimeoutStartSec=" + std::to_string(*o.start_timeout));
    line("TimeoutStopSec=" + std::to_string(u.stop_timeout + 60));
    for (auto const& pre : u.exec_start_pre)
        line("ExecStartPre=" + pre);
    line("ExecStart=" + u.exec_start);
    line("ExecStop=" + u.exec_stop);
    line("ExecStopPost=" + u.exec_stop_post);
    if (!u.pid_file.empty())
        line("PIDFile=" + u.pid_file);
    if (u.notify) {
        line("Type=notify");
        line("NotifyAccess=all");
    } else {
        line("Type=forking");
    }
    line("");
    line("[Install]");
    line("WantedBy=default.target");
    return t;
}

std::string container_unit_name(ContainerInput const& c, SystemdOptions const& o)
{
    return o.container_prefix + o.separator + (o.use_names ? c.name : c.id);
}

std::string pod_unit_name(PodInput const& p, SystemdOptions const& o)
{
    return o.pod_prefix + o.separator + (o.use_names ? p.name : p.id);
}

ErrorOr check_options(SystemdOptions const& o)
{
    if (!valid_restart_policy(o.restart_policy))
        return Error { EINVAL, o.restart_policy + " is not a valid restart policy: use no, on-success, on-failure, on-abnormal, "
                                                  "on-watchdog, on-abort or always" };
    return {};
}

Error no_create_command(std::string const& what, std::string const& name)
{
    return Error { EINVAL, what + " " + name + " has no create command (it was not made by a berth command line): "
                                               "generate its unit without --new" };
}

/// The parts of a container's unit; `pod_unit` is the unit of its pod when
/// the pod's units are generated together ("" otherwise).
Result<UnitParts> container_parts(ContainerInput const& c, SystemdOptions const& o, UnitEnvironment const& env,
    FlagArity const& arity, std::string const& pod_unit, bool new_pod)
{
    UnitParts u;
    bool fresh = o.new_unit || o.template_unit;
    u.template_unit = o.template_unit;
    u.name = container_unit_name(c, o) + (o.template_unit ? "@" : "");
    u.description = container_unit_name(c, o) + ".service";
    u.stop_timeout = o.stop_timeout.value_or(c.stop_timeout);
    if (!pod_unit.empty())
        u.unit_lines = { "BindsTo=" + pod_unit + ".service", "After=" + pod_unit + ".service" };
    std::string timeout = stop_timeout_of(c, o);
    if (!fresh) {
        Words base { env.executable };
        base.insert(base.end(), env.global_args.begin(), env.global_args.end());
        std::string target = o.use_names ? c.name : c.id;
        auto with = [&](Words more) {
            Words w = base;
            w.insert(w.end(), more.begin(), more.end());
            return format_command(w);
        };
        u.requires_mounts_for = env.run_dir;
        u.exec_start = with({ "start", target });
        u.exec_stop = with({ "stop", "-t", timeout, target });
        u.exec_stop_post = with({ "stop", "-t", timeout, target });
        u.pid_file = c.monitor_pidfile;
        return u;
    }
    if (c.create_command.empty())
        return no_create_command("container", c.name);
    auto command = TRY(split_create_command(c.create_command, arity.global_booleans, { "create", "run" }, "container"));
    std::set<std::string> drop { "--cidfile", "--cgroups", "--conmon-pidfile", "--rm", "--replace" };
    if (new_pod)
        drop.insert({ "--pod", "--pod-id-file" });
    auto args = filter_args(command.args, arity.run_booleans, drop, { "--name", "--sdnotify", "-d", "--detach" },
        o.template_unit ? "-%i" : "");
    Words base { env.executable };
    base.insert(base.end(), command.globals.begin(), command.globals.end());
    Words start = base;
    start.insert(start.end(), { "run", "--cidfile=%t/%n.ctr-id", "--cgroups=no-conmon", "--rm" });
    if (new_pod)
        start.insert(start.end(), { "--pod-id-file", "%t/" + pod_unit + ".pod-id" });
    if (!args.has("--sdnotify"))
        start.push_back("--sdnotify=conmon");
    if (!args.has("-d") && !args.has("--detach"))
        start.push_back("-d");
    if (args.has("--name"))
        start.push_back("--replace");
    start.insert(start.end(), args.words.begin(), args.words.end());
    auto with = [&](Words more) {
        Words w = base;
        w.insert(w.end(), more.begin(), more.end());
        return format_command(w);
    };
    u.requires_mounts_for = env.run_dir;
    u.exec_start_pre = { format_command({ "/bin/rm", "-f", "%t/%n.ctr-id" }) };
    u.exec_start = format_command(start);
    u.exec_stop = with({ "stop", "--ignore", "-t", timeout, "--cidfile=%t/%n.ctr-id" });
    u.exec_stop_post = with({ "rm", "-f", "--ignore", "-t", timeout, "--cidfile=%t/%n.ctr-id" });
    u.notify = true;
    return u;
}

} // namespace

std::string escape_exec_word(std::string const& word)
{
    std::string escaped;
    for (char c : word) {
        if (c == '%' || c == '$')
            escaped += c;  // "%%" and "$$": a literal, not a specifier or a variable
        escaped += c;
    }
    return escaped == ";" ? "\";\"" : quadlet::quote_word(escaped);  // a lone ";" separates commands
}

bool valid_restart_policy(std::string const& policy)
{
    static constexpr std::string_view valid[] = { "no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always" };
    return std::find(std::begin(valid), std::end(valid), policy) != std::end(valid);
}

Result<Unit> container_unit(ContainerInput const& container, SystemdOptions const& options, UnitEnvironment const& env,
    FlagArity const& arity)
{
    TRY(check_options(options));
    auto parts = TRY(container_parts(container, options, env, arity, "", false));
    return Unit { parts.name, render(parts, options, env) };
}

Result<std::vector<Unit>> pod_units(PodInput const& pod, SystemdOptions const& options, UnitEnvironment const& env,
    FlagArity const& arity)
{
    TRY(check_options(options));
    if (options.template_unit)
        return Error { EINVAL, "--template is not supported for pods" };
    if (pod.infra.id.empty())
        return Error { EINVAL, "pod " + pod.name + " has no infra container: a unit needs one to start and stop the pod" };
    std::string name = pod_unit_name(pod, options);
    UnitParts u;
    u.name = name;
    u.description = name + ".service";
    u.stop_timeout = options.stop_timeout.value_or(pod.infra.stop_timeout);
    Words members;
    for (auto const& m : pod.members)
        members.push_back(container_unit_name(m, options) + ".service");
    if (!members.empty())
        u.unit_lines = { "Wants=" + join(members), "Before=" + join(members) };
    std::string timeout = std::to_string(u.stop_timeout);
    u.requires_mounts_for = env.run_dir;
    if (!options.new_unit) {
        Words base { env.executable };
        base.insert(base.end(), env.global_args.begin(), env.global_args.end());
        std::string infra = options.use_names ? pod.infra.name : pod.infra.id;
        auto with = [&](Words more) {
            Words w = base;
            w.insert(w.end(), more.begin(), more.end());
            return format_command(w);
        };
        u.exec_start = with({ "start", infra });
        u.exec_stop = with({ "stop", "-t", timeout, infra });
        u.exec_stop_post = with({ "stop", "-t", timeout, infra });
        u.pid_file = pod.infra.monitor_pidfile;
    } else {
        // The pod is created by ExecStartPre from its create command (with an
        // ID file the members join by, and the infra monitor's pid file for
        // PIDFile=). As Podman's, --exit-policy=stop unless the pod was
        // created with a policy: the pod (and its unit) stops when its last
        // member exits.
        if (pod.create_command.empty())
            return no_create_command("pod", pod.name);
        auto command = TRY(split_create_command(pod.create_command, arity.global_booleans, { "create", "create" }, "pod"));
        auto args = filter_args(command.args, arity.pod_create_booleans,
            { "--infra-conmon-pidfile", "--pod-id-file", "--replace" }, { "--name", "-n", "--exit-policy" }, "");
        // A name given as the argument instead of --name.
        bool named = args.has("--name") || args.has("-n")
            || std::any_of(args.words.begin(), args.words.end(), [](auto const& w) { return !is_flag(w); });
        Words base { env.executable };
        base.insert(base.end(), command.globals.begin(), command.globals.end());
        std::string pidfile = "%t/" + name + ".pid", idfile = "%t/" + name + ".pod-id";
        Words create = base;
        create.insert(create.end(), { "pod", "create", "--infra-conmon-pidfile", pidfile, "--pod-id-file", idfile });
        if (!args.has("--exit-policy"))
            create.push_back("--exit-policy=stop");
        if (!named)
            create.insert(create.end(), { "--name", escape_exec_word(pod.name) });
        create.insert(create.end(), args.words.begin(), args.words.end());
        create.push_back("--replace");
        auto with = [&](Words more) {
            Words w = base;
            w.insert(w.end(), more.begin(), more.end());
            return format_command(w);
        };
        u.exec_start_pre = { format_command({ "/bin/rm", "-f", pidfile, idfile }), format_command(create) };
        u.exec_start = with({ "pod", "start", "--pod-id-file", idfile });
        u.exec_stop = with({ "pod", "stop", "--ignore", "--pod-id-file", idfile, "-t", timeout });
        u.exec_stop_post = with({ "pod", "rm", "--ignore", "-f", "--pod-id-file", idfile });
        u.pid_file = pidfile;
    }
    std::vector<Unit> units { Unit { u.name, render(u, options, env) } };
    for (auto const& m : pod.members) {
        auto parts = TRY(container_parts(m, options, env, arity, name, options.new_unit));
        units.push_back(Unit { parts.name, render(parts, options, env) });
    }
    return units;
}

} // namespace berth::generate
