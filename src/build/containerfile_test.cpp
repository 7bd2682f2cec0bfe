// The shape of a Containerfile: directives, comments, continuations,
// heredocs, stages and the errors about them. Instruction details are in
// instructions_test.cpp.
#include "build/containerfile.h"
#include "build/syntax.h"

#include "base/fs.h"
#include "base/temp_dir.h"

#include <doctest/doctest.h>

using namespace berth::build;

namespace {

Containerfile parse_ok(std::string_view text)
{
    auto out = parse_containerfile(text);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    return std::move(out).value();
}

std::string parse_error(std::string_view text, std::string_view file = "Containerfile")
{
    auto out = parse_containerfile(text, file);
    REQUIRE_MESSAGE(!out.has_value(), "parsed although an error was expected");
    return out.error().message;
}

Instruction const& only(Containerfile const& file)
{
    REQUIRE(file.stages.size() == 1);
    REQUIRE(file.stages[0].instructions.size() == 1);
    return file.stages[0].instructions[0];
}

} // namespace

TEST_CASE("stages, their FROM and their instructions with line numbers")
{
    auto file = parse_ok("FROM alpine AS build\n"
                         "RUN make\n"
                         "\n"
                         "# the final image\n"
                         "FROM scratch\n"
                         "COPY --from=build /out /\n"
                         "CMD [\"/app\"]\n");
    REQUIRE(file.stages.size() == 2);
    CHECK(file.stages[0].line == 1);
    CHECK(file.stages[0].from == From { "alpine", "", "build" });
    REQUIRE(file.stages[0].instructions.size() == 1);
    CHECK(file.stages[0].instructions[0].line == 2);
    CHECK(file.stages[0].instructions[0].keyword == "RUN");
    CHECK(file.stages[1].line == 5);
    CHECK(file.stages[1].from.image == "scratch");
    REQUIRE(file.stages[1].instructions.size() == 2);
    CHECK(file.stages[1].instructions[0].line == 6);
    CHECK(file.stages[1].instructions[1].line == 7);
    CHECK(file.stage("build") == &file.stages[0]);
    CHECK(file.stage("BUILD") == &file.stages[0]);
    CHECK(file.stage("1") == &file.stages[1]);
    CHECK(file.stage("2") == nullptr);
    CHECK(file.stage("other") == nullptr);
    CHECK(file.file == "Containerfile");
}

TEST_CASE("keywords are case-insensitive")
{
    auto file = parse_ok("from alpine as Base\nrUn echo hi\nCopy a b\n");
    CHECK(file.stages[0].from.name == "base");
    CHECK(file.stages[0].instructions[0].keyword == "RUN");
    CHECK(file.stages[0].instructions[1].keyword == "COPY");
}

TEST_CASE("global ARGs come before the first FROM")
{
    auto file = parse_ok("# comment\nARG VERSION=3.19\nARG FLAVOR\nFROM alpine:${VERSION}\nARG VERSION\n");
    REQUIRE(file.global_args.size() == 2);
    CHECK(file.global_args[0].line == 2);
    CHECK(file.global_args[0].as<Arg>()->args[0] == ArgDeclaration { "VERSION", "3.19" });
    CHECK(file.global_args[1].as<Arg>()->args[0] == ArgDeclaration { "FLAVOR", std::nullopt });
    CHECK(file.stages[0].from.image == "alpine:${VERSION}");
    CHECK(only(file).as<Arg>()->args[0].name == "VERSION");
}

TEST_CASE("instructions before FROM other than ARG are errors on their line")
{
    CHECK(parse_error("RUN true\nFROM alpine\n") ==
        "Containerfile:1: no FROM instruction before RUN: start with FROM image (only ARG may come before it)");
    CHECK(parse_error("\n\nARG X\n# note\nENV A=b\nFROM alpine\n").starts_with("Containerfile:5: no FROM instruction before ENV"));
}

TEST_CASE("a file without FROM is an error")
{
    CHECK(parse_error("") == "Containerfile:1: no FROM instruction: a Containerfile needs at least FROM image");
    CHECK(parse_error("# only a comment\n\n").starts_with("Containerfile:1: no FROM instruction"));
    CHECK(parse_error("ARG A\nARG B\n").starts_with("Containerfile:2: no FROM instruction"));
}

TEST_CASE("errors use the file name given")
{
    CHECK(parse_error("FROM a\nRUNN x\n", "ctx/Dockerfile.dev") == "ctx/Dockerfile.dev:2: unknown instruction \"RUNN\" (did you mean RUN?)");
}

TEST_CASE("stage names must be unique")
{
    CHECK(parse_error("FROM a AS x\nFROM b AS X\n") == "Containerfile:2: FROM: stage name \"x\" is already used on line 1: pick another");
}

TEST_CASE("line continuations join lines and keep the first line number")
{
    auto file = parse_ok("FROM alpine\nRUN apk add \\\n    curl \\\n    git\nUSER app\n");
    auto const& run = file.stages[0].instructions[0];
    CHECK(run.line == 2);
    CHECK(run.as<Run>()->command.shell == "apk add     curl     git");
    CHECK(file.stages[0].instructions[1].line == 5);
}

TEST_CASE("blanks after the escape character still continue the line")
{
    auto file = parse_ok("FROM alpine\nRUN a \\  \t\nb\n");
    CHECK(only(file).as<Run>()->command.shell == "a b");
}

TEST_CASE("comment and empty lines inside a continuation are dropped")
{
    auto file = parse_ok("FROM alpine\n"
                         "RUN one \\\n"
                         "# a comment in the middle\n"
                         "\n"
                         "    two \\\n"
                         "  # indented comment\n"
                         "    three\n"
                         "CMD x\n");
    CHECK(file.stages[0].instructions[0].as<Run>()->command.shell == "one     two     three");
    CHECK(file.stages[0].instructions[1].line == 8);
}

TEST_CASE("a continuation at the end of the file ends the instruction")
{
    auto file = parse_ok("FROM alpine\nRUN a \\");
    CHECK(only(file).as<Run>()->command.shell == "a");
}

TEST_CASE("a '#' that does not start a line is an argument")
{
    auto file = parse_ok("FROM alpine\nRUN echo hi # not a comment\n  # but this is\n");
    CHECK(only(file).as<Run>()->command.shell == "echo hi # not a comment");
}

TEST_CASE("CRLF line ends and a byte order mark are accepted")
{
    auto file = parse_ok("\xEF\xBB\xBF" "FROM alpine\r\nRUN a \\\r\n  b\r\n");
    CHECK(file.stages[0].from.image == "alpine");
    CHECK(only(file).as<Run>()->command.shell == "a   b");
}

TEST_CASE("leading whitespace before an instruction is ignored")
{
    auto file = parse_ok("   FROM alpine\n\t RUN x\n");
    CHECK(only(file).line == 2);
}

TEST_CASE("the escape directive changes the continuation character")
{
    auto file = parse_ok("# escape=`\n\nFROM mcr.microsoft.com/windows\nCOPY testfile.txt c:\\ `\n    d:\\\nRUN dir c:\\\n");
    CHECK(file.escape == '`');
    auto const& instructions = file.stages[0].instructions;
    REQUIRE(instructions.size() == 2);
    auto const* copy = instructions[0].as<Copy>();
    CHECK(copy->sources == std::vector<std::string> { "testfile.txt", "c:\\" });
    CHECK(copy->destination == "d:\\");
    CHECK(instructions[1].as<Run>()->command.shell == "dir c:\\");
}

TEST_CASE("without the directive a trailing backslash continues")
{
    // Docker's own example: COPY testfile.txt c:\\ then RUN dir c:\ is one instruction.
    auto file = parse_ok("FROM windows\nCOPY testfile.txt c:\\\\\nRUN dir c:\\\n");
    REQUIRE(file.stages[0].instructions.size() == 1);
    CHECK(file.stages[0].instructions[0].text == "testfile.txt c:\\RUN dir c:");
    CHECK(file.stages[0].instructions[0].as<Copy>()->destination == "c:");
}

TEST_CASE("directives: syntax, case, spacing, and only at the top")
{
    auto file = parse_ok("# syntax=docker/dockerfile:1\n#  ESCAPE = ` \nFROM a\n");
    CHECK(file.syntax == "docker/dockerfile:1");
    CHECK(file.escape == '`');

    // After a comment, a blank line or an instruction, a directive is a comment.
    CHECK(parse_ok("# comment\n# escape=`\nFROM a\n").escape == '\\');
    CHECK(parse_ok("\n# escape=`\nFROM a\n").escape == '\\');
    CHECK(parse_ok("FROM a\n# escape=`\n").escape == '\\');
    // An unknown directive ends the directives too.
    CHECK(parse_ok("# unknowndirective=value\n# escape=`\nFROM a\n").escape == '\\');
    // The check directive is known (and ignored).
    CHECK(parse_ok("# check=skip=all\n# escape=`\nFROM a\n").escape == '`');
    // Lines that only look like directives end them as well.
    CHECK(parse_ok("# escape\n# escape=`\nFROM a\n").escape == '\\');
    CHECK(parse_ok("#=x\n# escape=`\nFROM a\n").escape == '\\');
    CHECK(parse_ok("# 1a=x\n# escape=`\nFROM a\n").escape == '\\');
    CHECK(parse_ok("# escape=\n# syntax=x\nFROM a\n").syntax.empty());
}

TEST_CASE("directive errors")
{
    CHECK(parse_error("# escape=\\\n# escape=`\nFROM a\n") ==
        "Containerfile:2: only one \"escape\" parser directive can be used: remove this one");
    CHECK(parse_error("# escape=x\nFROM a\n") == "Containerfile:1: invalid escape character \"x\": use \\ or `");
    CHECK(parse_error("# syntax=a\n# SYNTAX=b\nFROM a\n").starts_with("Containerfile:2: only one \"syntax\""));
}

TEST_CASE("heredoc: RUN <<EOF keeps the body verbatim, comments included")
{
    auto file = parse_ok("FROM alpine\n"
                         "RUN <<EOF\n"
                         "#!/bin/sh\n"
                         "set -e\n"
                         "\n"
                         "echo $HOME \\\n"
                         "EOF\n"
                         "USER app\n");
    auto const& instructions = file.stages[0].instructions;
    REQUIRE(instructions.size() == 2);
    auto const* run = instructions[0].as<Run>();
    CHECK(run->command.shell == "<<EOF");
    REQUIRE(run->heredocs.size() == 1);
    CHECK(run->heredocs[0] == Heredoc { "EOF", "#!/bin/sh\nset -e\n\necho $HOME \\\n", true, false });
    CHECK(instructions[1].line == 8);
    CHECK(instructions[1].keyword == "USER");
}

TEST_CASE("heredoc: <<- strips leading tabs, also from the delimiter")
{
    auto file = parse_ok("FROM alpine\nRUN <<-EOT\n\t\techo a\n\t  b\n\tEOT\n");
    auto const& heredoc = only(file).as<Run>()->heredocs.at(0);
    CHECK(heredoc.strip_tabs);
    CHECK(heredoc.content == "echo a\n  b\n");
}

TEST_CASE("heredoc: without '-' an indented delimiter is content")
{
    auto file = parse_ok("FROM alpine\nRUN <<EOT\n\tEOT\nEOT\n");
    CHECK(only(file).as<Run>()->heredocs.at(0).content == "\tEOT\n");
}

TEST_CASE("heredoc: a quoted delimiter means no expansion")
{
    auto file = parse_ok("FROM alpine\nRUN <<\"EOF\" <<'END' <<X\na\nEOF\nb\nEND\nc\nX\n");
    auto const& heredocs = only(file).as<Run>()->heredocs;
    REQUIRE(heredocs.size() == 3);
    CHECK(heredocs[0] == Heredoc { "EOF", "a\n", false, false });
    CHECK(heredocs[1] == Heredoc { "END", "b\n", false, false });
    CHECK(heredocs[2] == Heredoc { "X", "c\n", true, false });
}

TEST_CASE("heredoc: as stdin of a command, with continuation and fd prefix")
{
    auto file = parse_ok("FROM alpine\nRUN python3 <<EOF \\\n  && echo done\nprint(1)\nEOF\nRUN cat 3<<X\ny\nX\n");
    auto const& instructions = file.stages[0].instructions;
    CHECK(instructions[0].as<Run>()->command.shell == "python3 <<EOF   && echo done");
    CHECK(instructions[0].as<Run>()->heredocs.at(0).content == "print(1)\n");
    CHECK(instructions[1].line == 6);
    CHECK(instructions[1].as<Run>()->heredocs.at(0).content == "y\n");
}

TEST_CASE("heredoc: COPY <<EOF /path creates a file")
{
    auto file = parse_ok("FROM alpine\nCOPY <<EOF /etc/motd\nhello $USER\nEOF\nCOPY <<A <<B /dir/\n1\nA\n2\nB\n");
    auto const& instructions = file.stages[0].instructions;
    auto const* copy = instructions[0].as<Copy>();
    CHECK(copy->sources == std::vector<std::string> { "<<EOF" });
    CHECK(copy->destination == "/etc/motd");
    CHECK(copy->heredocs.at(0).content == "hello $USER\n");
    CHECK(instructions[1].as<Copy>()->heredocs.size() == 2);
    CHECK(instructions[1].as<Copy>()->sources.size() == 2);
}

TEST_CASE("heredoc: an empty body and ADD")
{
    auto file = parse_ok("FROM alpine\nADD <<EOF /empty\nEOF\n");
    CHECK(only(file).as<Add>()->heredocs.at(0).content.empty());
}

TEST_CASE("heredoc: markers inside quotes or in other instructions are text")
{
    auto file = parse_ok("FROM alpine\nRUN echo \"<<EOF\"\nLABEL a=<<EOF\nCMD cat <<EOF\n");
    auto const& instructions = file.stages[0].instructions;
    REQUIRE(instructions.size() == 3);
    CHECK(instructions[0].as<Run>()->heredocs.empty());
    CHECK(instructions[1].as<Label>()->labels.at(0).value == "<<EOF");
    CHECK(instructions[2].as<Cmd>()->command.shell == "cat <<EOF");
}

TEST_CASE("heredoc: an unterminated body is an error on the instruction's line")
{
    CHECK(parse_error("FROM alpine\n\nRUN <<EOF\necho\nEOFX\n") ==
        "Containerfile:3: RUN: heredoc <<EOF is not closed: end it with a line \"EOF\"");
}

TEST_CASE("heredoc: what is not a marker")
{
    using syntax::heredoc_marker;
    CHECK_FALSE(heredoc_marker("<<1EOF"));
    CHECK_FALSE(heredoc_marker("<<E-F"));
    CHECK_FALSE(heredoc_marker("<<"));
    CHECK_FALSE(heredoc_marker("<<-"));
    CHECK_FALSE(heredoc_marker("<<\"EOF"));
    CHECK_FALSE(heredoc_marker("x<<EOF"));
    CHECK(heredoc_marker("<<E_1")->name == "E_1");
    CHECK(heredoc_marker("12<<-'X'") == Heredoc { "X", "", false, true });
}

TEST_CASE("heredoc: the markers of a whole line, not only the first word")
{
    auto file = parse_ok("FROM alpine\nRUN cat >/a <<A && cat >/b <<-B\n1\nA\n\t2\n\tB\n");
    auto const& heredocs = only(file).as<Run>()->heredocs;
    REQUIRE(heredocs.size() == 2);
    CHECK(heredocs[1] == Heredoc { "B", "2\n", true, true });
}

TEST_CASE("the escape character of the lexer splits words but keeps them")
{
    using syntax::split_words;
    CHECK(split_words("a  'b c' \"d e\"\tf", '\\') == std::vector<std::string> { "a", "'b c'", "\"d e\"", "f" });
    CHECK(split_words("a\\ b c", '\\') == std::vector<std::string> { "a\\ b", "c" });
    CHECK(split_words("'a\\' b", '\\') == std::vector<std::string> { "'a\\'", "b" });
    CHECK(split_words("\"a\\\" b\" c", '\\') == std::vector<std::string> { "\"a\\\" b\"", "c" });
    CHECK(split_words("'open quote", '\\') == std::vector<std::string> { "'open quote" });
    CHECK(split_words("   ", '\\').empty());
}

TEST_CASE("flags: quotes removed, bare flags, -- ends them")
{
    using syntax::split_flags;
    auto split = split_flags("--from=build --chown=\"a b\":c --link src dst", '\\');
    REQUIRE(split.flags.size() == 3);
    CHECK(split.flags[0] == Flag { "from", "build" });
    CHECK(split.flags[1] == Flag { "chown", "a b:c" });
    CHECK(split.flags[2] == Flag { "link", std::nullopt });
    CHECK(split.rest == "src dst");
    auto ended = split_flags("--a=1 -- --not-a-flag x", '\\');
    CHECK(ended.flags.size() == 1);
    CHECK(ended.rest == "--not-a-flag x");
    CHECK(split_flags("-x y", '\\').flags.empty());
    CHECK(split_flags("--e=", '\\').flags.at(0) == Flag { "e", "" });
    CHECK(split_flags("--chown=a\\ b x", '\\').flags.at(0) == Flag { "chown", "a b" });
    CHECK(split_flags("--chown='a\\ b' x", '\\').flags.at(0) == Flag { "chown", "a\\ b" });
}

TEST_CASE("instruction text keeps flags and arguments as written")
{
    auto file = parse_ok("FROM a\nCOPY   --chown=1:1  a  b  \n");
    CHECK(only(file).text == "--chown=1:1  a  b");
}

TEST_CASE("read_containerfile reads a file and names it in errors")
{
    berth::TempDir dir = berth::TempDir::create("/tmp", "berth-build-test-").value();
    auto path = dir.path() + "/Containerfile";
    REQUIRE(berth::fs::write_file_atomic(path, "FROM alpine\nFROB x\n").has_value());
    auto out = read_containerfile(path);
    REQUIRE(!out.has_value());
    CHECK(out.error().message == path + ":2: unknown instruction \"FROB\" (did you mean FROM?)");
    REQUIRE(berth::fs::write_file_atomic(path, "FROM alpine\n").has_value());
    CHECK(read_containerfile(path).has_value());
    CHECK(!read_containerfile(dir.path() + "/missing").has_value());
}

TEST_CASE("error lines count continuations, comments and heredoc bodies")
{
    CHECK(parse_error("FROM a\nRUN <<EOF\nx\nEOF\nCOPY onlyone\n").starts_with("Containerfile:5: COPY needs at least"));
    CHECK(parse_error("FROM a\nRUN a \\\n b\n\n# c\nUSER\n").starts_with("Containerfile:6: USER needs an argument"));
    // An error in a continued instruction names its first line.
    CHECK(parse_error("FROM a\nCOPY \\\n# comment\n\n  onlyone\n").starts_with("Containerfile:2: COPY needs at least"));
    CHECK(parse_error("# escape=`\n\nFROM a\nRUN x `\n  y\nRUNN\n").starts_with("Containerfile:6: unknown instruction"));
    CHECK(parse_error("FROM a\nRUN <<A <<B\n1\nA\n2\nB\nEXPOSE\n").starts_with("Containerfile:7: EXPOSE needs"));
}

TEST_CASE("instructions after heredocs keep parsing normally")
{
    auto file = parse_ok("FROM a\nRUN <<EOF\nRUN inside\nEOF\n\nRUN after\n");
    auto const& instructions = file.stages[0].instructions;
    REQUIRE(instructions.size() == 2);
    CHECK(instructions[0].as<Run>()->heredocs.at(0).content == "RUN inside\n");
    CHECK(instructions[1].line == 6);
    CHECK(instructions[1].as<Run>()->command.shell == "after");
}

TEST_CASE("long words and many stages parse in linear time" * doctest::timeout(2.0))
{
    // Words once grew by copying at each character: a 1 MB label took minutes.
    std::string label = "FROM a\nLABEL big=" + std::string(1 << 20, 'x') + "\n";
    CHECK(parse_ok(label).stages[0].instructions[0].as<Label>()->labels[0].value.size() == 1u << 20);
    // Stage names were checked against every earlier stage.
    std::string stages;
    for (int i = 0; i < 20000; ++i)
        stages += "FROM a AS s" + std::to_string(i) + "\n";
    CHECK(parse_ok(stages).stages.size() == 20000);
}
