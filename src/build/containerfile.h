// The Containerfile (Dockerfile) as typed data: parser directives, global
// ARGs, then stages, each a FROM and its instructions with their line numbers.
//
// Parsing follows Docker's documented syntax: `# escape=` and `# syntax=`
// directives only at the very top, comments and blank lines skipped (also
// inside continued lines), the escape character at the end of a line
// continuing it, heredocs (<<EOF, <<-EOF, <<"EOF") for RUN, COPY and ADD,
// keywords in any case, exec (JSON) or shell form where Docker allows both.
//
// Parsing does not substitute variables: values that Docker substitutes at
// build time (FROM, ENV, LABEL, COPY, ...) are kept as the words were
// written, quotes included, and expand() gives the instruction as a step sees
// it once the stage's ARG and ENV values are known. Commands (RUN, CMD,
// ENTRYPOINT, HEALTHCHECK, SHELL) are never substituted: the shell does it.
#pragma once

#include "base/error.h"
#include "build/substitution.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::build {

/// A command of RUN, CMD, ENTRYPOINT or HEALTHCHECK CMD.
struct Command {
    enum class Form { Shell, Exec };
    Form form = Form::Shell;
    std::string shell;               ///< Shell form: the command line as written, continuations joined
    std::vector<std::string> exec;   ///< Exec form: the JSON array's strings

    /// The argv to run: `exec`, or `shell_prefix` (SHELL, default /bin/sh -c) plus `shell`.
    std::vector<std::string> argv(std::vector<std::string> const& shell_prefix) const;
    bool operator==(Command const&) const = default;
};

/// A here-document: the lines after the instruction up to the delimiter.
struct Heredoc {
    std::string name;          ///< the delimiter, "EOF"
    std::string content;       ///< the lines in between, each ending in '\n'
    bool expand = true;        ///< false when the delimiter was quoted (<<"EOF", <<'EOF'): no substitution
    bool strip_tabs = false;   ///< <<-EOF: leading tabs were removed from every line
    bool operator==(Heredoc const&) const = default;
};

/// `--name=value` or `--name` before an instruction's arguments, quotes removed.
struct Flag {
    std::string name;
    std::optional<std::string> value;
    bool operator==(Flag const&) const = default;
};

/// A `key=value` word of ENV or LABEL; both parts as written (quotes kept until expand()).
struct KeyValue {
    std::string key;
    std::string value;
    bool operator==(KeyValue const&) const = default;
};

enum class MountType { Bind, Cache, Tmpfs, Secret, Ssh };
enum class CacheSharing { Shared, Private, Locked };

/// One `RUN --mount=...`, with Docker's defaults filled in.
struct Mount {
    MountType type = MountType::Bind;
    std::string target;     ///< where in the container; a secret defaults to /run/secrets/<id>
    std::string source;     ///< bind/cache: path in `from` (or the context)
    std::string from;       ///< bind/cache: a stage or image name
    std::string id;         ///< cache, secret, ssh: the id (a secret's defaults to the target's name)
    bool read_only = false; ///< bind defaults to read-only, cache to read-write
    CacheSharing sharing = CacheSharing::Shared;
    std::optional<uint32_t> mode;
    std::optional<uint32_t> uid;
    std::optional<uint32_t> gid;
    bool required = false;  ///< secret, ssh: fail when missing
    std::string env;        ///< secret: expose as this environment variable
    std::optional<uint64_t> size; ///< tmpfs: bytes

    /// Parses the value of --mount ("type=cache,target=/root/.cache,sharing=locked").
    static Result<Mount> parse(std::string_view spec);
    /// The mount as one canonical spec (every key that differs from the
    /// type's default, in a fixed order): what a RUN step's cache key holds.
    std::string str() const;
    bool operator==(Mount const&) const = default;
};

struct From {
    std::string image;      ///< as written; substitutes with the global ARGs
    std::string platform;   ///< --platform, as written, or ""
    std::string name;       ///< AS name, lower-cased, or ""
    bool operator==(From const&) const = default;
};

struct Run {
    Command command;
    /// --mount, in order; a spec whose variables must be substituted before it
    /// parses (type=$T) is missing here until expand(), which parses them all.
    std::vector<Mount> mounts;
    std::string network;    ///< --network: "", "default", "none" or "host"
    std::string security;   ///< --security: "", "sandbox" or "insecure"
    std::vector<Heredoc> heredocs;
    bool operator==(Run const&) const = default;
};

struct Cmd {
    Command command;
    bool operator==(Cmd const&) const = default;
};

struct Entrypoint {
    Command command;
    bool operator==(Entrypoint const&) const = default;
};

struct Label {
    std::vector<KeyValue> labels;
    bool operator==(Label const&) const = default;
};

/// MAINTAINER (deprecated): Docker records it as the image config's author;
/// the label that replaces it is org.opencontainers.image.authors.
struct Maintainer {
    std::string name;
    bool operator==(Maintainer const&) const = default;
};

struct Expose {
    std::vector<std::string> ports;   ///< "80", "80/tcp", "8000-8010/udp"
    bool operator==(Expose const&) const = default;
};

struct Env {
    std::vector<KeyValue> variables;
    bool operator==(Env const&) const = default;
};

/// What COPY and ADD share.
struct CopyArgs {
    std::vector<std::string> sources;   ///< as written; "<<EOF" names a heredoc
    std::string destination;
    std::string chown;
    std::string chmod;
    bool link = false;
    std::vector<std::string> excludes;  ///< --exclude patterns
    std::vector<Heredoc> heredocs;
    bool operator==(CopyArgs const&) const = default;
};

struct Copy : CopyArgs {
    std::string from;       ///< --from: a stage name or index, or an image
    bool parents = false;
    bool operator==(Copy const&) const = default;
};

struct Add : CopyArgs {
    std::string checksum;   ///< --checksum=sha256:...
    bool keep_git_dir = false;
    bool operator==(Add const&) const = default;
};

struct Volume {
    std::vector<std::string> paths;
    bool operator==(Volume const&) const = default;
};

struct User {
    std::string user;       ///< "name", "uid", "name:group"
    bool operator==(User const&) const = default;
};

struct Workdir {
    std::string path;
    bool operator==(Workdir const&) const = default;
};

struct ArgDeclaration {
    std::string name;
    std::optional<std::string> default_value;   ///< as written
    bool operator==(ArgDeclaration const&) const = default;
};

struct Arg {
    std::vector<ArgDeclaration> args;
    bool operator==(Arg const&) const = default;
};

struct Instruction;

/// ONBUILD: a trigger for builds FROM this image, stored as text.
struct Onbuild {
    std::string trigger;                  ///< the instruction as written, "RUN make"
    std::vector<Instruction> instruction; ///< exactly one: the trigger parsed (checked now, run later)
    bool operator==(Onbuild const&) const;
};

struct Stopsignal {
    std::string signal;
    bool operator==(Stopsignal const&) const = default;
};

/// HEALTHCHECK NONE, or CMD with its options; zero means "not set" (inherit).
struct Healthcheck {
    bool none = false;
    Command command;
    std::chrono::nanoseconds interval { 0 };
    std::chrono::nanoseconds timeout { 0 };
    std::chrono::nanoseconds start_period { 0 };
    std::chrono::nanoseconds start_interval { 0 };
    int retries = 0;
    bool operator==(Healthcheck const&) const = default;
};

struct Shell {
    std::vector<std::string> shell;
    bool operator==(Shell const&) const = default;
};

using InstructionBody = std::variant<From, Run, Cmd, Entrypoint, Label, Maintainer, Expose, Env, Add, Copy,
    Volume, User, Workdir, Arg, Onbuild, Stopsignal, Healthcheck, Shell>;

struct Instruction {
    int line = 0;            ///< 1-based line of the keyword
    std::string keyword;     ///< upper-case: "RUN"
    std::string text;        ///< the arguments as written (flags included, continuations joined, heredoc bodies not)
    std::vector<Flag> flags;
    InstructionBody body;

    template<typename T> T const* as() const { return std::get_if<T>(&body); }
    bool operator==(Instruction const&) const = default;
};

struct Stage {
    int line = 0;            ///< the FROM's line
    From from;
    std::vector<Instruction> instructions;   ///< everything after FROM, in order
};

struct Containerfile {
    std::string file;        ///< the name errors use, "Containerfile"
    char escape = '\\';      ///< from `# escape=`
    std::string syntax;      ///< from `# syntax=`, or ""
    std::vector<Instruction> global_args;   ///< ARGs before the first FROM
    std::vector<Stage> stages;

    /// The stage named `name` (AS name, case-insensitive) or with that index; null if none.
    Stage const* stage(std::string_view name) const;
};

/// Parses a Containerfile. `file` names it in errors, which read
/// "Containerfile:7: unknown instruction "RUNN" (did you mean RUN?)":
/// file, line, the instruction, and what to fix.
Result<Containerfile> parse_containerfile(std::string_view text, std::string_view file = "Containerfile");

/// Reads and parses the file at `path` (errors name the path).
Result<Containerfile> read_containerfile(std::string const& path);

/// Parses one instruction line (an ONBUILD trigger read back from an image
/// config, say); `line` is used in errors only.
Result<Instruction> parse_instruction(std::string_view text, char escape = '\\', std::string_view file = "Containerfile", int line = 1);

/// The instruction as a step runs it: for the instructions Docker substitutes
/// (FROM, ENV, LABEL, COPY, ADD, EXPOSE, USER, WORKDIR, VOLUME, STOPSIGNAL,
/// ARG defaults, RUN --mount values, COPY/ADD flags), every word substituted
/// with `env` and unquoted; other instructions unchanged. `text` and `flags`
/// stay as written. Errors carry `file:line: KEYWORD:`.
Result<Instruction> expand(Containerfile const& containerfile, Instruction const& instruction, Environment const& env);

/// A stage's FROM with the global ARGs (`env`) substituted: image and --platform.
Result<From> expand_from(Containerfile const& containerfile, Stage const& stage, Environment const& env);

} // namespace berth::build
