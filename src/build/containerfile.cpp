// From logical lines to stages, and instructions expanded for a step. The
// lexer (syntax.cpp) and the per-instruction parsers (instructions.cpp) do
// the reading; this file checks the file's shape (only ARG before the first
// FROM, unique stage names) and knows which instructions Docker substitutes.
#include "build/containerfile.h"
#include "build/instructions.h"
#include "build/syntax.h"

#include "base/fs.h"

#include <cctype>
#include <charconv>
#include <fmt/format.h>
#include <unordered_map>

namespace berth::build {

std::vector<std::string> Command::argv(std::vector<std::string> const& shell_prefix) const
{
    if (form == Form::Exec)
        return exec;
    auto out = shell_prefix;
    out.push_back(shell);
    return out;
}

bool Onbuild::operator==(Onbuild const& other) const
{
    return trigger == other.trigger && instruction == other.instruction;
}

Stage const* Containerfile::stage(std::string_view name) const
{
    std::string lowered;
    for (char c : name)
        lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto const& s : stages)
        if (!s.from.name.empty() && s.from.name == lowered)
            return &s;
    size_t index = 0;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
    if (!name.empty() && ec == std::errc() && end == name.data() + name.size() && index < stages.size())
        return &stages[index];
    return nullptr;
}

namespace {

/// Adds one instruction: a FROM opens a stage, anything else joins the last
/// one. `names` holds the stage names so far and their lines.
ErrorOr add_instruction(Containerfile& out, Instruction instruction, std::unordered_map<std::string, int>& names)
{
    if (auto const* from = instruction.as<From>()) {
        if (!from->name.empty()) {
            auto [it, added] = names.emplace(from->name, instruction.line);
            if (!added)
                return syntax::located(out.file, instruction.line,
                    fmt::format("FROM: stage name \"{}\" is already used on line {}: pick another", from->name, it->second));
        }
        out.stages.push_back({ instruction.line, *from, {} });
        return {};
    }
    if (!out.stages.empty()) {
        out.stages.back().instructions.push_back(std::move(instruction));
        return {};
    }
    if (instruction.as<Arg>()) {
        out.global_args.push_back(std::move(instruction));
        return {};
    }
    return syntax::located(out.file, instruction.line,
        fmt::format("no FROM instruction before {}: start with FROM image (only ARG may come before it)", instruction.keyword));
}

} // namespace

Result<Containerfile> parse_containerfile(std::string_view text, std::string_view file)
{
    auto lexed = TRY(syntax::lex(text, file));
    Containerfile out;
    out.file = std::string(file);
    out.escape = lexed.escape;
    out.syntax = std::move(lexed.syntax);
    std::unordered_map<std::string, int> names;
    for (auto const& line : lexed.lines)
        TRY(add_instruction(out, TRY(parse_logical_line(line, out.escape, file)), names));
    if (out.stages.empty()) {
        int line = lexed.lines.empty() ? 1 : lexed.lines.back().line;
        return syntax::located(file, line, "no FROM instruction: a Containerfile needs at least FROM image");
    }
    return out;
}

Result<Containerfile> read_containerfile(std::string const& path)
{
    auto text = TRY(fs::read_file(path));
    return parse_containerfile(text, path);
}

Result<Instruction> parse_instruction(std::string_view text, char escape, std::string_view file, int line)
{
    return parse_logical_line({ line, std::string(text), {} }, escape, file);
}

namespace {

/// Substitutes within one instruction's body; errors without a location.
class Expander {
public:
    Expander(Environment const& env, char escape) : m_env(env), m_escape(escape) {}

    ErrorOr word(std::string& text) const
    {
        text = TRY(expand_word(text, m_env, m_escape));
        return {};
    }
    ErrorOr words(std::vector<std::string>& list) const
    {
        for (auto& text : list)
            TRY(word(text));
        return {};
    }
    ErrorOr pairs(std::vector<KeyValue>& list) const
    {
        for (auto& pair : list) {
            TRY(word(pair.key));
            TRY(word(pair.value));
        }
        return {};
    }
    ErrorOr copy_args(CopyArgs& args) const
    {
        TRY(words(args.sources));
        TRY(word(args.destination));
        TRY(word(args.chown));
        TRY(word(args.chmod));
        TRY(words(args.excludes));
        for (auto& heredoc : args.heredocs)
            if (heredoc.expand)
                heredoc.content = TRY(expand_heredoc(heredoc.content, m_env, m_escape));
        return {};
    }
    /// RUN --mount values substitute, so the mounts are parsed again from the flags.
    ErrorOr mounts(Run& run, std::vector<Flag> const& flags) const
    {
        run.mounts.clear();
        for (auto const& flag : flags)
            if (flag.name == "mount")
                run.mounts.push_back(TRY(Mount::parse(TRY(expand_word(flag.value.value_or(""), m_env, m_escape)))));
        return {};
    }

    ErrorOr body(Instruction& instruction) const
    {
        auto& b = instruction.body;
        if (auto* from = std::get_if<From>(&b)) {
            TRY(word(from->image));
            return word(from->platform);
        }
        if (auto* env = std::get_if<Env>(&b))
            return pairs(env->variables);
        if (auto* label = std::get_if<Label>(&b))
            return pairs(label->labels);
        if (auto* copy = std::get_if<Copy>(&b)) {
            TRY(word(copy->from));
            return copy_args(*copy);
        }
        if (auto* add = std::get_if<Add>(&b)) {
            TRY(word(add->checksum));
            return copy_args(*add);
        }
        if (auto* expose = std::get_if<Expose>(&b))
            return expose_ports(*expose);
        if (auto* volume = std::get_if<Volume>(&b))
            return words(volume->paths);
        if (auto* user = std::get_if<User>(&b))
            return word(user->user);
        if (auto* workdir = std::get_if<Workdir>(&b))
            return word(workdir->path);
        if (auto* signal = std::get_if<Stopsignal>(&b))
            return word(signal->signal);
        if (auto* arg = std::get_if<Arg>(&b)) {
            for (auto& declaration : arg->args)
                if (declaration.default_value)
                    TRY(word(*declaration.default_value));
            return {};
        }
        if (auto* run = std::get_if<Run>(&b))
            return mounts(*run, instruction.flags);
        // CMD, ENTRYPOINT, HEALTHCHECK, SHELL, MAINTAINER, ONBUILD: as written.
        return {};
    }

private:
    /// EXPOSE: one written word may become several ports ("$PORTS").
    ErrorOr expose_ports(Expose& expose) const
    {
        std::vector<std::string> ports;
        for (auto const& text : expose.ports)
            for (auto& port : TRY(expand_words(text, m_env, m_escape)))
                ports.push_back(std::move(port));
        expose.ports = std::move(ports);
        return {};
    }

    Environment const& m_env;
    char m_escape;
};

} // namespace

Result<Instruction> expand(Containerfile const& containerfile, Instruction const& instruction, Environment const& env)
{
    Instruction out = instruction;
    auto result = Expander(env, containerfile.escape).body(out);
    if (!result)
        return syntax::located(containerfile.file, instruction.line, fmt::format("{}: {}", instruction.keyword, result.error().message));
    return out;
}

Result<From> expand_from(Containerfile const& containerfile, Stage const& stage, Environment const& env)
{
    auto out = TRY(expand(containerfile, { stage.line, "FROM", "", {}, stage.from }, env));
    return *out.as<From>();
}

} // namespace berth::build
