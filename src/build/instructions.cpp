// One logical line into one typed instruction: the keyword chooses a parser,
// which reads the flags it allows and its arguments in the form Docker gives
// that instruction (a JSON array or shell text, words, key=value pairs, the
// rest of the line as one string). Every error names the file, the line and
// the instruction, and says how to write it instead.
#include "build/instructions.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace berth::build {

namespace {

/// What every instruction parser is given.
struct Context {
    std::string_view file;
    int line;
    std::string const& keyword;
    std::vector<Flag> const& flags;
    std::string_view args;   ///< after the flags, trimmed
    char escape;
    std::vector<Heredoc> const& heredocs;

    Error fail(std::string_view message) const { return syntax::located(file, line, message); }
};

constexpr std::array keywords { "FROM", "RUN", "CMD", "ENTRYPOINT", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD",
    "COPY", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL" };

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

size_t edit_distance(std::string_view a, std::string_view b)
{
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({ row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1) });
            diagonal = above;
        }
    }
    return row[b.size()];
}

Error unknown_instruction(Context const& ctx)
{
    if (ctx.keyword.size() < 64) {
        for (auto const* known : keywords)
            if (edit_distance(ctx.keyword, known) <= 2)
                return ctx.fail(fmt::format("unknown instruction \"{}\" (did you mean {}?)", ctx.keyword, known));
    }
    return ctx.fail(fmt::format("unknown instruction \"{}\": instructions are FROM, RUN, COPY, ... (see the Dockerfile reference)",
        ctx.keyword.substr(0, 64)));
}

/// Checks the flags against those the instruction takes (`repeatable` may repeat).
ErrorOr check_flags(Context const& ctx, std::initializer_list<std::string_view> allowed,
    std::initializer_list<std::string_view> repeatable = {})
{
    for (size_t i = 0; i < ctx.flags.size(); ++i) {
        auto const& name = ctx.flags[i].name;
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
            std::string list;
            for (auto a : allowed)
                list += (list.empty() ? "--" : ", --") + std::string(a);
            return ctx.fail(fmt::format("{}: unknown flag --{} ({})", ctx.keyword, name,
                list.empty() ? ctx.keyword + " takes no flags" : ctx.keyword + " takes " + list));
        }
        if (std::find(repeatable.begin(), repeatable.end(), name) != repeatable.end())
            continue;
        for (size_t j = 0; j < i; ++j)
            if (ctx.flags[j].name == name)
                return ctx.fail(fmt::format("{}: --{} is given twice: keep one", ctx.keyword, name));
    }
    return {};
}

/// The value of a string flag, "" when absent.
Result<std::string> string_flag(Context const& ctx, std::string_view name)
{
    for (auto const& flag : ctx.flags)
        if (flag.name == name) {
            if (!flag.value)
                return ctx.fail(fmt::format("{}: --{} needs a value: --{}=...", ctx.keyword, name, name));
            return *flag.value;
        }
    return std::string();
}

Result<bool> bool_flag(Context const& ctx, std::string_view name)
{
    for (auto const& flag : ctx.flags)
        if (flag.name == name) {
            if (!flag.value || *flag.value == "true")
                return true;
            if (*flag.value == "false")
                return false;
            return ctx.fail(fmt::format("{}: --{}={}: use --{} or --{}=false", ctx.keyword, name, *flag.value, name, name));
        }
    return false;
}

std::vector<std::string> repeated_flag(Context const& ctx, std::string_view name)
{
    std::vector<std::string> out;
    for (auto const& flag : ctx.flags)
        if (flag.name == name)
            out.push_back(flag.value.value_or(""));
    return out;
}

/// A JSON array of strings; nullopt when `text` is not JSON at all (then it
/// is shell form or words); an error for JSON that is not an array of strings.
Result<std::optional<std::vector<std::string>>> json_strings(Context const& ctx, std::string_view text)
{
    if (!text.starts_with('['))
        return std::optional<std::vector<std::string>>();
    auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_array())
        return std::optional<std::vector<std::string>>();
    std::vector<std::string> out;
    for (auto const& item : json) {
        if (!item.is_string())
            return ctx.fail(fmt::format("{}: the JSON array must hold strings only: {}", ctx.keyword, ctx.keyword == "SHELL" ?
                "SHELL [\"/bin/sh\", \"-c\"]" : ctx.keyword + " [\"executable\", \"arg\"]"));
        out.push_back(item.get<std::string>());
    }
    return std::optional(std::move(out));
}

/// Exec form (a JSON array) or shell form (the text as written).
Result<Command> command(Context const& ctx, std::string_view text)
{
    Command out;
    if (auto exec = TRY(json_strings(ctx, text))) {
        out.form = Command::Form::Exec;
        out.exec = std::move(*exec);
    } else {
        out.shell = std::string(text);
    }
    return out;
}

/// A JSON array or whitespace-separated words (COPY, ADD, VOLUME).
Result<std::vector<std::string>> json_or_words(Context const& ctx)
{
    if (auto list = TRY(json_strings(ctx, ctx.args)))
        return std::move(*list);
    return syntax::split_words(ctx.args, ctx.escape);
}

/// ENV and LABEL: `key=value ...`, or the older `key value with spaces`.
Result<std::vector<KeyValue>> key_values(Context const& ctx)
{
    auto words = syntax::split_words(ctx.args, ctx.escape);
    auto usage = fmt::format("{} key=value ...", ctx.keyword);
    if (words.empty())
        return ctx.fail(fmt::format("{} needs at least one key=value: {}", ctx.keyword, usage));
    std::vector<KeyValue> out;
    if (syntax::unquoted_equals(words[0], ctx.escape) == std::string_view::npos) {
        auto value = syntax::trim(ctx.args.substr(words[0].size()));
        if (value.empty())
            return ctx.fail(fmt::format("{} {} needs a value: {}", ctx.keyword, words[0], usage));
        out.push_back({ words[0], std::string(value) });
        return out;
    }
    for (auto const& word : words) {
        size_t eq = syntax::unquoted_equals(word, ctx.escape);
        if (eq == std::string_view::npos)
            return ctx.fail(fmt::format("{}: \"{}\" is not key=value: write {}=\"...\"", ctx.keyword, word, word));
        if (eq == 0)
            return ctx.fail(fmt::format("{}: \"{}\" has an empty key: {}", ctx.keyword, word, usage));
        out.push_back({ word.substr(0, eq), word.substr(eq + 1) });
    }
    return out;
}

/// USER, WORKDIR, STOPSIGNAL, MAINTAINER: the rest of the line is the one value.
template<typename T>
Result<InstructionBody> parse_whole_line(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    if (ctx.args.empty()) {
        std::string_view usage = std::is_same_v<T, User> ? "USER name[:group] or USER uid[:gid]"
            : std::is_same_v<T, Workdir>                 ? "WORKDIR /path"
            : std::is_same_v<T, Stopsignal>              ? "STOPSIGNAL SIGTERM"
                                                         : "MAINTAINER name (better: LABEL org.opencontainers.image.authors=name)";
        return ctx.fail(fmt::format("{} needs an argument: {}", ctx.keyword, usage));
    }
    return T { std::string(ctx.args) };
}

Result<InstructionBody> parse_from(Context const& ctx)
{
    TRY(check_flags(ctx, { "platform" }));
    auto words = syntax::split_words(ctx.args, ctx.escape);
    if (!(words.size() == 1 || (words.size() == 3 && iequals(words[1], "AS"))))
        return ctx.fail("FROM needs an image and optionally a stage name: FROM image [AS name]");
    // Not inside the braces: TRY returning mid-initialisation would leak words[0]'s copy.
    auto platform = TRY(string_flag(ctx, "platform"));
    From from { words[0], std::move(platform), "" };
    if (words.size() == 3) {
        for (auto c : words[2])
            from.name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        bool valid = from.name[0] >= 'a' && from.name[0] <= 'z';
        for (char c : from.name)
            valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
        if (!valid)
            return ctx.fail(fmt::format("FROM: invalid stage name \"{}\": start with a letter, then use letters, digits, '-', '_' or '.'", words[2]));
    }
    return from;
}

Result<InstructionBody> parse_run(Context const& ctx)
{
    TRY(check_flags(ctx, { "mount", "network", "security" }, { "mount" }));
    Run run;
    for (auto const& spec : repeated_flag(ctx, "mount")) {
        auto mount = Mount::parse(spec);
        // A spec with variables may only be valid once substituted: expand() parses it then.
        if (!mount && spec.find('$') != std::string::npos)
            continue;
        if (!mount)
            return ctx.fail(fmt::format("RUN: {}", mount.error().message));
        run.mounts.push_back(std::move(*mount));
    }
    run.network = TRY(string_flag(ctx, "network"));
    if (!run.network.empty() && run.network != "default" && run.network != "none" && run.network != "host")
        return ctx.fail(fmt::format("RUN: --network={}: use default, none or host", run.network));
    run.security = TRY(string_flag(ctx, "security"));
    if (!run.security.empty() && run.security != "sandbox" && run.security != "insecure")
        return ctx.fail(fmt::format("RUN: --security={}: use sandbox or insecure", run.security));
    if (ctx.args.empty())
        return ctx.fail("RUN needs a command: RUN command, or RUN [\"executable\", \"arg\"]");
    run.command = TRY(command(ctx, ctx.args));
    run.heredocs = ctx.heredocs;
    return run;
}

Result<Command> plain_command(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    if (ctx.args.empty())
        return ctx.fail(fmt::format("{} needs a command: {} [\"executable\", \"arg\"], or {} command", ctx.keyword, ctx.keyword, ctx.keyword));
    return command(ctx, ctx.args);
}

Result<InstructionBody> parse_cmd(Context const& ctx)
{
    return Cmd { TRY(plain_command(ctx)) };
}

Result<InstructionBody> parse_entrypoint(Context const& ctx)
{
    return Entrypoint { TRY(plain_command(ctx)) };
}

Result<InstructionBody> parse_label(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    return Label { TRY(key_values(ctx)) };
}

Result<InstructionBody> parse_env(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    return Env { TRY(key_values(ctx)) };
}

Result<InstructionBody> parse_expose(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    auto ports = syntax::split_words(ctx.args, ctx.escape);
    if (ports.empty())
        return ctx.fail("EXPOSE needs at least one port: EXPOSE 80/tcp 53/udp");
    return Expose { std::move(ports) };
}

/// COPY and ADD: sources and a destination, the flags they share.
ErrorOr copy_args(Context const& ctx, CopyArgs& out)
{
    auto words = TRY(json_or_words(ctx));
    if (words.size() < 2)
        return ctx.fail(fmt::format("{} needs at least a source and a destination: {} <src>... <dest>", ctx.keyword, ctx.keyword));
    out.destination = words.back();
    words.pop_back();
    out.sources = std::move(words);
    out.chown = TRY(string_flag(ctx, "chown"));
    out.chmod = TRY(string_flag(ctx, "chmod"));
    out.link = TRY(bool_flag(ctx, "link"));
    out.excludes = repeated_flag(ctx, "exclude");
    out.heredocs = ctx.heredocs;
    return {};
}

Result<InstructionBody> parse_copy(Context const& ctx)
{
    TRY(check_flags(ctx, { "from", "chown", "chmod", "link", "parents", "exclude" }, { "exclude" }));
    Copy copy;
    TRY(copy_args(ctx, copy));
    copy.from = TRY(string_flag(ctx, "from"));
    copy.parents = TRY(bool_flag(ctx, "parents"));
    return copy;
}

Result<InstructionBody> parse_add(Context const& ctx)
{
    TRY(check_flags(ctx, { "chown", "chmod", "link", "checksum", "keep-git-dir", "exclude" }, { "exclude" }));
    Add add;
    TRY(copy_args(ctx, add));
    add.checksum = TRY(string_flag(ctx, "checksum"));
    add.keep_git_dir = TRY(bool_flag(ctx, "keep-git-dir"));
    return add;
}

Result<InstructionBody> parse_volume(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    auto paths = TRY(json_or_words(ctx));
    if (paths.empty())
        return ctx.fail("VOLUME needs at least one path: VOLUME /data, or VOLUME [\"/data\"]");
    for (auto const& path : paths)
        if (path.empty())
            return ctx.fail("VOLUME: a path is empty: remove the \"\"");
    return Volume { std::move(paths) };
}

Result<InstructionBody> parse_arg(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    auto words = syntax::split_words(ctx.args, ctx.escape);
    if (words.empty())
        return ctx.fail("ARG needs a name: ARG name[=default]");
    Arg arg;
    for (auto const& word : words) {
        size_t eq = syntax::unquoted_equals(word, ctx.escape);
        ArgDeclaration declaration { word.substr(0, eq), std::nullopt };
        if (eq != std::string_view::npos)
            declaration.default_value = word.substr(eq + 1);
        if (declaration.name.empty())
            return ctx.fail(fmt::format("ARG: \"{}\" has no name: ARG name[=default]", word));
        arg.args.push_back(std::move(declaration));
    }
    return arg;
}

Result<InstructionBody> parse_onbuild(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    if (ctx.args.empty())
        return ctx.fail("ONBUILD needs an instruction: ONBUILD RUN make");
    auto inner = TRY(parse_logical_line({ ctx.line, std::string(ctx.args), {} }, ctx.escape, ctx.file));
    if (inner.keyword == "ONBUILD" || inner.keyword == "FROM" || inner.keyword == "MAINTAINER")
        return ctx.fail(fmt::format("ONBUILD {} is not allowed: a trigger cannot be ONBUILD, FROM or MAINTAINER", inner.keyword));
    return Onbuild { std::string(ctx.args), { std::move(inner) } };
}

Result<InstructionBody> parse_shell(Context const& ctx)
{
    TRY(check_flags(ctx, {}));
    auto shell = TRY(json_strings(ctx, ctx.args));
    if (!shell || shell->empty())
        return ctx.fail("SHELL needs a JSON array: SHELL [\"/bin/sh\", \"-c\"]");
    return Shell { std::move(*shell) };
}

/// A HEALTHCHECK duration flag, "not set" as zero; Docker's minimum is 1ms.
Result<std::chrono::nanoseconds> duration_flag(Context const& ctx, std::string_view name)
{
    auto text = TRY(string_flag(ctx, name));
    if (text.empty())
        return std::chrono::nanoseconds(0);
    auto duration = parse_go_duration(text);
    if (!duration)
        return ctx.fail(fmt::format("HEALTHCHECK: --{}={}: {}", name, text, duration.error().message));
    if (*duration != std::chrono::nanoseconds(0) && *duration < std::chrono::milliseconds(1))
        return ctx.fail(fmt::format("HEALTHCHECK: --{}={} is shorter than 1ms", name, text));
    return *duration;
}

Result<InstructionBody> parse_healthcheck(Context const& ctx)
{
    TRY(check_flags(ctx, { "interval", "timeout", "start-period", "start-interval", "retries" }));
    auto words = syntax::split_words(ctx.args, ctx.escape);
    Healthcheck check;
    if (!words.empty() && iequals(words[0], "NONE")) {
        if (words.size() > 1 || !ctx.flags.empty())
            return ctx.fail("HEALTHCHECK NONE takes no arguments or flags");
        check.none = true;
        return check;
    }
    if (words.empty() || !iequals(words[0], "CMD"))
        return ctx.fail("HEALTHCHECK needs CMD or NONE: HEALTHCHECK [--interval=30s ...] CMD command");
    auto rest = syntax::trim(ctx.args.substr(3));
    if (rest.empty())
        return ctx.fail("HEALTHCHECK CMD needs a command: HEALTHCHECK CMD curl -f http://localhost/");
    check.command = TRY(command(ctx, rest));
    check.interval = TRY(duration_flag(ctx, "interval"));
    check.timeout = TRY(duration_flag(ctx, "timeout"));
    check.start_period = TRY(duration_flag(ctx, "start-period"));
    check.start_interval = TRY(duration_flag(ctx, "start-interval"));
    auto retries = TRY(string_flag(ctx, "retries"));
    if (!retries.empty()) {
        auto [end, ec] = std::from_chars(retries.data(), retries.data() + retries.size(), check.retries);
        if (ec != std::errc() || end != retries.data() + retries.size() || check.retries < 0)
            return ctx.fail(fmt::format("HEALTHCHECK: --retries={}: use a number, 0 or more", retries));
    }
    return check;
}

using Parser = Result<InstructionBody> (*)(Context const&);

Parser parser_for(std::string_view keyword)
{
    static constexpr std::pair<std::string_view, Parser> table[] = {
        { "FROM", parse_from }, { "RUN", parse_run }, { "CMD", parse_cmd }, { "ENTRYPOINT", parse_entrypoint },
        { "LABEL", parse_label }, { "MAINTAINER", parse_whole_line<Maintainer> }, { "EXPOSE", parse_expose },
        { "ENV", parse_env }, { "ADD", parse_add }, { "COPY", parse_copy }, { "VOLUME", parse_volume },
        { "USER", parse_whole_line<User> }, { "WORKDIR", parse_whole_line<Workdir> }, { "ARG", parse_arg }, { "ONBUILD", parse_onbuild },
        { "STOPSIGNAL", parse_whole_line<Stopsignal> }, { "HEALTHCHECK", parse_healthcheck }, { "SHELL", parse_shell },
    };
    for (auto const& [name, parser] : table)
        if (name == keyword)
            return parser;
    return nullptr;
}

} // namespace

Result<std::chrono::nanoseconds> parse_go_duration(std::string_view text)
{
    static constexpr std::pair<std::string_view, double> units[] = {
        { "ns", 1 }, { "us", 1e3 }, { "\xC2\xB5s", 1e3 }, { "\xCE\xBCs", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
    };
    auto invalid = Error::msg("not a duration: use a number and a unit, like 30s, 1m30s or 500ms");
    if (text == "0")
        return std::chrono::nanoseconds(0);
    if (text.empty() || text[0] == '-')
        return invalid;
    if (text[0] == '+')
        text.remove_prefix(1);
    double total = 0;
    while (!text.empty()) {
        size_t digits = 0;
        while (digits < text.size() && ((text[digits] >= '0' && text[digits] <= '9') || text[digits] == '.'))
            ++digits;
        double number = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + digits, number);
        if (digits == 0 || ec != std::errc() || end != text.data() + digits)
            return invalid;
        text.remove_prefix(digits);
        size_t unit_size = 0;
        while (unit_size < text.size() && !(text[unit_size] >= '0' && text[unit_size] <= '9') && text[unit_size] != '.')
            ++unit_size;
        auto unit = text.substr(0, unit_size);
        auto it = std::find_if(std::begin(units), std::end(units), [&](auto const& u) { return u.first == unit; });
        if (it == std::end(units))
            return invalid;
        total += number * it->second;
        text.remove_prefix(unit_size);
    }
    if (!std::isfinite(total) || total >= 9.2e18)
        return Error::msg("duration too long");
    return std::chrono::nanoseconds(static_cast<int64_t>(total));
}

Result<Instruction> parse_logical_line(syntax::LogicalLine const& line, char escape, std::string_view file)
{
    std::string_view text = syntax::trim(line.text);
    size_t end = 0;
    while (end < text.size() && text[end] != ' ' && text[end] != '\t')
        ++end;
    Instruction out;
    out.line = line.line;
    for (char c : text.substr(0, end))
        out.keyword += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out.text = std::string(syntax::trim(text.substr(end)));
    auto split = syntax::split_flags(out.text, escape);
    out.flags = std::move(split.flags);
    Context ctx { file, line.line, out.keyword, out.flags, syntax::trim(split.rest), escape, line.heredocs };
    auto parser = parser_for(out.keyword);
    if (!parser)
        return unknown_instruction(ctx);
    out.body = TRY(parser(ctx));
    return out;
}

} // namespace berth::build
