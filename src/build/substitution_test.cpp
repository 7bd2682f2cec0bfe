#include "build/substitution.h"

#include <doctest/doctest.h>

using namespace berth::build;

namespace {

Environment const env {
    { "NAME", "world" },
    { "EMPTY", "" },
    { "SPACED", "a b  c" },
    { "PATH_VAR", "/usr/local/bin/app.tar.gz" },
    { "FALLBACK", "fb" },
};

std::string word(std::string_view text, char escape = '\\')
{
    auto out = expand_word(text, env, escape);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    return *out;
}

std::string error_of(std::string_view text)
{
    auto out = expand_word(text, env);
    REQUIRE(!out.has_value());
    return out.error().message;
}

std::vector<std::string> words(std::string_view text)
{
    auto out = expand_words(text, env);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    return *out;
}

} // namespace

TEST_CASE("plain and braced variables")
{
    CHECK(word("$NAME") == "world");
    CHECK(word("${NAME}") == "world");
    CHECK(word("hello-$NAME!") == "hello-world!");
    CHECK(word("${NAME}s") == "worlds");
    CHECK(word("$NAMEs") == "");          // the name runs on: $NAMEs is unset
    CHECK(word("$UNSET") == "");
    CHECK(word("a${UNSET}b") == "ab");
    CHECK(word("$NAME$NAME") == "worldworld");
}

TEST_CASE("a lone or trailing dollar stays")
{
    CHECK(word("$") == "$");
    CHECK(word("cost: 5$") == "cost: 5$");
    CHECK(word("$/x") == "$/x");
    CHECK(word("a $ b") == "a $ b");
}

TEST_CASE("positional and special parameters are never set")
{
    CHECK(word("$1x") == "x");
    CHECK(word("$12") == "");
    CHECK(word("${1}") == "");
    CHECK(word("a$@b") == "ab");
}

TEST_CASE("default and alternative values")
{
    CHECK(word("${UNSET:-def}") == "def");
    CHECK(word("${EMPTY:-def}") == "def");
    CHECK(word("${NAME:-def}") == "world");
    CHECK(word("${UNSET-def}") == "def");
    CHECK(word("${EMPTY-def}") == "");     // set but empty: no default without ':'
    CHECK(word("${NAME:+alt}") == "alt");
    CHECK(word("${EMPTY:+alt}") == "");
    CHECK(word("${EMPTY+alt}") == "alt");  // set, even empty
    CHECK(word("${UNSET+alt}") == "");
    CHECK(word("${UNSET:-}") == "");
}

TEST_CASE("modifier words are themselves substituted and may nest")
{
    CHECK(word("${UNSET:-$FALLBACK}") == "fb");
    CHECK(word("${UNSET:-${ALSO_UNSET:-deep}}") == "deep");
    CHECK(word("${UNSET:-a b}") == "a b");
    CHECK(word("${NAME:+<$NAME>}") == "<world>");
    CHECK(word("${UNSET:-'}'}") == "}");
}

TEST_CASE("required variables")
{
    CHECK(word("${NAME:?must be set}") == "world");
    CHECK(error_of("${UNSET:?must be set}") == "UNSET: must be set");
    CHECK(error_of("${EMPTY:?}") == "EMPTY: is not allowed to be empty");
    CHECK(error_of("${UNSET?}") == "UNSET: is not allowed to be unset");
    CHECK(word("${EMPTY?}") == "");
}

TEST_CASE("prefix and suffix removal")
{
    CHECK(word("${PATH_VAR#*/}") == "usr/local/bin/app.tar.gz");
    CHECK(word("${PATH_VAR##*/}") == "app.tar.gz");
    CHECK(word("${PATH_VAR%.*}") == "/usr/local/bin/app.tar");
    CHECK(word("${PATH_VAR%%.*}") == "/usr/local/bin/app");
    CHECK(word("${PATH_VAR#nomatch}") == "/usr/local/bin/app.tar.gz");
    CHECK(word("${NAME#w?r}") == "ld");
    CHECK(word("${NAME%[a-z]}") == "worl");
    CHECK(word("${UNSET#x}") == "");
}

TEST_CASE("bad substitutions are errors that name the word")
{
    CHECK(error_of("${NAME") == "missing '}' in \"${NAME\"");
    CHECK(error_of("${NAME:-x") == "missing '}' in \"${NAME:-x\"");
    CHECK(error_of("${}") == "bad substitution in \"${}\"");
    CHECK(word("${-}") == "");   // $- is a special parameter, never set
    CHECK(error_of("${NAME:=x}") == "unsupported modifier (:=) in \"${NAME:=x}\"");
    CHECK(error_of("${NAME/a/b}") == "unsupported modifier (/) in \"${NAME/a/b}\"");
    CHECK(error_of("${NAME:") == "bad substitution in \"${NAME:\"");
    CHECK(error_of("${NAME!}").find("unsupported modifier (!)") == 0);
    CHECK(error_of("${NAME:#x}") == "unsupported modifier (:#) in \"${NAME:#x}\"");
}

TEST_CASE("single quotes are literal")
{
    CHECK(word("'$NAME'") == "$NAME");
    CHECK(word("'a \\$ b'") == "a \\$ b");
    CHECK(word("x'${NAME}'y") == "x${NAME}y");
    CHECK(error_of("'open") == "unterminated single quote in \"'open\"");
}

TEST_CASE("double quotes substitute and unquote")
{
    CHECK(word("\"$NAME\"") == "world");
    CHECK(word("\"hello $NAME\"") == "hello world");
    CHECK(word("\"it's\"") == "it's");
    CHECK(word("\"a\\\"b\"") == "a\"b");
    CHECK(word("\"a\\$NAME\"") == "a$NAME");
    CHECK(word("\"a\\\\b\"") == "a\\b");
    CHECK(word("\"a\\nb\"") == "a\\nb");      // other escapes stay inside double quotes
    CHECK(word("\"\"") == "");
    CHECK(error_of("\"open") == "unterminated double quote in \"\"open\"");
}

TEST_CASE("the escape character outside quotes")
{
    CHECK(word("\\$NAME") == "$NAME");
    CHECK(word("\\${NAME}") == "${NAME}");
    CHECK(word("a\\ b") == "a b");
    CHECK(word("\\\"x\\\"") == "\"x\"");
    CHECK(word("end\\") == "end");             // a trailing escape is dropped
    CHECK(word("\\n") == "n");
}

TEST_CASE("a backtick escape makes backslashes ordinary")
{
    CHECK(word("C:\\path\\$NAME", '`') == "C:\\path\\world");
    CHECK(word("`$NAME", '`') == "$NAME");
    CHECK(word("\"a`\"b\"", '`') == "a\"b");
}

TEST_CASE("a word keeps its whitespace, a word list splits")
{
    CHECK(word("  a  b ") == "  a  b ");
    CHECK(word("$SPACED") == "a b  c");
    CHECK(words("80 443/tcp") == std::vector<std::string> { "80", "443/tcp" });
    CHECK(words("  80\t443  ") == std::vector<std::string> { "80", "443" });
    CHECK(words("$SPACED") == std::vector<std::string> { "a", "b", "c" });
    CHECK(words("\"$SPACED\"") == std::vector<std::string> { "a b  c" });
    CHECK(words("x$SPACED") == std::vector<std::string> { "xa", "b", "c" });
    CHECK(words("'a b' c") == std::vector<std::string> { "a b", "c" });
    CHECK(words("\"\" x") == std::vector<std::string> { "", "x" });
    CHECK(words("$UNSET").empty());
    CHECK(words("a\\ b") == std::vector<std::string> { "a b" });
    CHECK(words("").empty());
}

TEST_CASE("shell patterns")
{
    CHECK(shell_pattern_match("*", ""));
    CHECK(shell_pattern_match("*", "abc/def"));
    CHECK(shell_pattern_match("a*c", "abbbc"));
    CHECK_FALSE(shell_pattern_match("a*c", "abbb"));
    CHECK(shell_pattern_match("?b", "ab"));
    CHECK_FALSE(shell_pattern_match("?b", "b"));
    CHECK(shell_pattern_match("[abc]x", "bx"));
    CHECK_FALSE(shell_pattern_match("[!abc]x", "bx"));
    CHECK(shell_pattern_match("[^abc]x", "dx"));
    CHECK(shell_pattern_match("[a-c]*", "cat"));
    CHECK(shell_pattern_match("\\*", "*"));
    CHECK_FALSE(shell_pattern_match("\\*", "x"));
    CHECK(shell_pattern_match("[", "["));
    CHECK(shell_pattern_match("[!]", "[!]"));     // no closing bracket after the negation: literal
    CHECK(shell_pattern_match("[]]", "]"));
    CHECK(shell_pattern_match("*a*b*c*", "xxaxxbxxcxx"));
    CHECK_FALSE(shell_pattern_match("*a*b*c*d", "xxaxxbxxcxx"));
}

TEST_CASE("heredoc text: variables substituted, quotes and other escapes kept, as a shell heredoc")
{
    Environment env { { "NAME", "world" }, { "EMPTY", "" } };
    auto heredoc = [&](std::string_view text) {
        auto out = expand_heredoc(text, env);
        REQUIRE_MESSAGE(out.has_value(), out.error().message);
        return *out;
    };
    CHECK(heredoc("hello $NAME\n") == "hello world\n");
    CHECK(heredoc("say \"${NAME}\" and 'it'\n") == "say \"world\" and 'it'\n");
    CHECK(heredoc("cost \\$5 and a\\tb and C:\\\\dir\n") == "cost $5 and a\\tb and C:\\dir\n");
    CHECK(heredoc("  indented\n\tand tabbed  \n") == "  indented\n\tand tabbed  \n");
    CHECK(heredoc("${EMPTY:-fallback} ${MISSING}|\n") == "fallback |\n");
    CHECK(heredoc("joined \\\nline\n") == "joined line\n");
    CHECK(heredoc("`backquote` ~tilde\n") == "`backquote` ~tilde\n");
    CHECK(!expand_heredoc("${NAME\n", env));
}
