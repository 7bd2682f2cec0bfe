// Ignore files: the pattern syntax, Docker's documented examples, and the
// walk over a real context directory.
#include "build/ignore.h"

#include "base/fs.h"
#include "base/temp_dir.h"

#include <cctype>
#include <doctest/doctest.h>
#include <random>
#include <regex>
#include <unistd.h>

using namespace berth::build;
using Strings = std::vector<std::string>;

namespace {

IgnoreMatcher matcher(std::string_view text)
{
    auto out = IgnoreMatcher::parse(text);
    REQUIRE_MESSAGE(out.has_value(), out.error().message);
    return std::move(out).value();
}

} // namespace

TEST_CASE("clean_path as Go's filepath.Clean")
{
    CHECK(clean_path("") == ".");
    CHECK(clean_path(".") == ".");
    CHECK(clean_path("./a") == "a");
    CHECK(clean_path("a//b/") == "a/b");
    CHECK(clean_path("a/./b/.") == "a/b");
    CHECK(clean_path("a/../b") == "b");
    CHECK(clean_path("a/..") == ".");
    CHECK(clean_path("../a") == "../a");
    CHECK(clean_path("../../a/..") == "../..");
    CHECK(clean_path("/../a") == "/a");
    CHECK(clean_path("/") == "/");
    CHECK(clean_path("//a") == "/a");
}

TEST_CASE("parsing: comments, blanks, cleaning, leading slash, exceptions")
{
    auto m = matcher("# comment\n"
                     "\n"
                     "   \n"
                     "  spaced.txt  \n"
                     "./dot/./path/\n"
                     "/rooted\n"
                     "!keep\n"
                     "! spaced-keep\n"
                     "!/rooted-keep\n"
                     "a/../b\n"
                     "  #not-a-comment\n"
                     "/\n");
    CHECK(m.rules() == std::vector<IgnoreRule> {
        { "spaced.txt", false },
        { "dot/path", false },
        { "rooted", false },
        { "keep", true },
        { "spaced-keep", true },
        { "rooted-keep", true },
        { "b", false },
        { "#not-a-comment", false },
        { "/", false },
    });
}

TEST_CASE("parsing: CRLF and a byte order mark")
{
    auto m = matcher("\xEF\xBB\xBF" "a\r\n!b\r\n");
    CHECK(m.rules() == std::vector<IgnoreRule> { { "a", false }, { "b", true } });
}

TEST_CASE("parsing: a bad class is an error with its line")
{
    auto out = IgnoreMatcher::parse("ok\n[abc\n");
    REQUIRE(!out.has_value());
    CHECK(out.error().message == "line 2: bad pattern \"[abc\": close every [ with ] and put something inside");
    CHECK_FALSE(IgnoreMatcher::parse("x[]").has_value());
    CHECK_FALSE(IgnoreMatcher::parse("[\\").has_value());
    CHECK_FALSE(IgnoreMatcher::parse("[a-\\").has_value());
    CHECK_FALSE(IgnoreMatcher::parse("[^").has_value());
    CHECK(IgnoreMatcher::parse("[a-]").has_value());
}

TEST_CASE("single patterns: * ? [class] and escapes stay within a segment")
{
    CHECK(ignore_pattern_match("*.md", "README.md"));
    CHECK_FALSE(ignore_pattern_match("*.md", "docs/README.md"));
    CHECK(ignore_pattern_match("*", "anything"));
    CHECK_FALSE(ignore_pattern_match("*", "a/b"));
    CHECK(ignore_pattern_match("temp?", "tempa"));
    CHECK_FALSE(ignore_pattern_match("temp?", "temp"));
    CHECK_FALSE(ignore_pattern_match("a?b", "a/b"));
    CHECK(ignore_pattern_match("[a-c]x", "bx"));
    CHECK_FALSE(ignore_pattern_match("[a-c]x", "dx"));
    CHECK(ignore_pattern_match("[^a-c]x", "dx"));
    CHECK_FALSE(ignore_pattern_match("[^a-c]x", "/x"));
    CHECK(ignore_pattern_match("[\\]]", "]"));
    CHECK(ignore_pattern_match("\\*", "*"));
    CHECK_FALSE(ignore_pattern_match("\\*", "a"));
    CHECK(ignore_pattern_match("a.b", "a.b"));
    CHECK_FALSE(ignore_pattern_match("a.b", "axb"));
    CHECK(ignore_pattern_match("*/temp*", "somedir/temporary.txt"));
    CHECK_FALSE(ignore_pattern_match("*/temp*", "a/b/temp"));
}

TEST_CASE("single patterns: ** spans any number of segments")
{
    CHECK(ignore_pattern_match("**/*.go", "main.go"));
    CHECK(ignore_pattern_match("**/*.go", "a/b/c.go"));
    CHECK_FALSE(ignore_pattern_match("**/*.go", "a/b/c.gox"));
    CHECK(ignore_pattern_match("a/**/b", "a/b"));
    CHECK(ignore_pattern_match("a/**/b", "a/x/y/b"));
    CHECK_FALSE(ignore_pattern_match("a/**/b", "ab"));
    CHECK_FALSE(ignore_pattern_match("a/**/b", "a/xb"));
    CHECK(ignore_pattern_match("**/b", "b"));
    CHECK_FALSE(ignore_pattern_match("**/b", "ab"));
    CHECK_FALSE(ignore_pattern_match("**/b", "x/ab"));
    CHECK(ignore_pattern_match("a/**", "a/x/y"));
    CHECK_FALSE(ignore_pattern_match("a/**", "a"));
    CHECK(ignore_pattern_match("**", "x/y/z"));
    CHECK(ignore_pattern_match("**", ""));
    CHECK(ignore_pattern_match("**/", "x/"));
    CHECK(ignore_pattern_match("**/**/x", "a/b/x"));
    CHECK(ignore_pattern_match("a**b", "ab"));
    CHECK(ignore_pattern_match("a**b", "ax/b"));
}

TEST_CASE("pathological patterns stay fast")
{
    std::string pattern, path;
    for (int i = 0; i < 200; ++i)
        pattern += "*a**/";
    for (int i = 0; i < 400; ++i)
        path += "aaaa/";
    CHECK_FALSE(ignore_pattern_match(pattern + "b", path));
}

TEST_CASE("a matched directory excludes everything below it")
{
    auto m = matcher("node_modules\nbuild/\n");
    CHECK(m.excludes("node_modules"));
    CHECK(m.excludes("node_modules/a/b.js"));
    CHECK(m.excludes("build/out"));
    CHECK_FALSE(m.excludes("src/node_modules"));   // patterns are rooted at the context
    CHECK_FALSE(m.excludes("node_modules2"));
    CHECK(m.excludes("./node_modules/x"));
    CHECK(m.excludes("src/../node_modules"));
}

TEST_CASE("Docker's documented examples")
{
    auto m = matcher("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
    CHECK(m.excludes("somedir/temporary.txt"));
    CHECK(m.excludes("somedir/temp"));
    CHECK(m.excludes("somedir/subdir/temporary.txt"));
    CHECK(m.excludes("tempa"));
    CHECK(m.excludes("tempb"));
    CHECK_FALSE(m.excludes("temporary.txt"));
    CHECK_FALSE(m.excludes("a/b/c/temp"));

    auto go = matcher("**/*.go");
    CHECK(go.excludes("main.go"));
    CHECK(go.excludes("cmd/tool/main.go"));
    CHECK_FALSE(go.excludes("main.c"));
}

TEST_CASE("exceptions: the last matching rule wins")
{
    auto readme = matcher("*.md\n!README.md\n");
    CHECK(readme.excludes("CHANGES.md"));
    CHECK_FALSE(readme.excludes("README.md"));

    // README-secret.md stays out: its rule comes after the exception.
    auto secret_last = matcher("*.md\n!README*.md\nREADME-secret.md\n");
    CHECK(secret_last.excludes("CHANGES.md"));
    CHECK_FALSE(secret_last.excludes("README.md"));
    CHECK(secret_last.excludes("README-secret.md"));

    // Here the exception comes last and lets every README in.
    auto exception_last = matcher("*.md\nREADME-secret.md\n!README*.md\n");
    CHECK_FALSE(exception_last.excludes("README-secret.md"));
    CHECK(exception_last.excludes("other.md"));
}

TEST_CASE("exceptions inside an excluded directory")
{
    auto m = matcher("docs\n!docs/keep\n");
    CHECK(m.excludes("docs"));
    CHECK(m.excludes("docs/drop.txt"));
    CHECK_FALSE(m.excludes("docs/keep"));
    CHECK_FALSE(m.excludes("docs/keep/deep/file"));
    CHECK(m.may_include_below("docs"));
    CHECK_FALSE(m.may_include_below("other"));
    CHECK_FALSE(matcher("docs\n").may_include_below("docs"));
    CHECK(matcher("docs\n!**/*.txt\n").may_include_below("docs"));
    CHECK(matcher("a\n!a/b/c\n").may_include_below("a/b"));
    CHECK_FALSE(matcher("a\n!a/b/c\n").may_include_below("a/x"));
}

TEST_CASE("everything, then exceptions")
{
    auto m = matcher("*\n!src\n!Containerfile\n");
    CHECK(m.excludes("README"));
    CHECK_FALSE(m.excludes("src"));
    CHECK_FALSE(m.excludes("src/main.c"));
    CHECK_FALSE(m.excludes("Containerfile"));
    CHECK(matcher("**\n").excludes("a/b"));
}

TEST_CASE("an empty matcher excludes nothing")
{
    IgnoreMatcher m;
    CHECK_FALSE(m.excludes("anything"));
    CHECK(matcher("# only comments\n\n").rules().empty());
}

TEST_CASE("the ignore file of a context: .containerignore first")
{
    auto dir = berth::TempDir::create("/tmp", "berth-ignore-test-").value();
    CHECK(find_ignore_file(dir.path()).empty());
    CHECK(read_ignore_file(dir.path()).value().rules().empty());
    REQUIRE(berth::fs::write_file_atomic(dir.path() + "/.dockerignore", "from-docker\n").has_value());
    CHECK(find_ignore_file(dir.path()) == dir.path() + "/.dockerignore");
    CHECK(read_ignore_file(dir.path()).value().rules().at(0).pattern == "from-docker");
    REQUIRE(berth::fs::write_file_atomic(dir.path() + "/.containerignore", "from-podman\n").has_value());
    CHECK(find_ignore_file(dir.path()) == dir.path() + "/.containerignore");
    CHECK(read_ignore_file(dir.path()).value().rules().at(0).pattern == "from-podman");
    REQUIRE(berth::fs::write_file_atomic(dir.path() + "/.containerignore", "[\n").has_value());
    auto bad = read_ignore_file(dir.path());
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message.starts_with(dir.path() + "/.containerignore: line 1: bad pattern"));
}

TEST_CASE("included_paths walks the context")
{
    auto dir = berth::TempDir::create("/tmp", "berth-context-test-").value();
    auto const& root = dir.path();
    for (auto const* sub : { "/src/lib", "/docs/keep", "/node_modules/pkg", "/empty" })
        REQUIRE(berth::fs::mkdir_p(root + sub).has_value());
    for (auto const* file : { "/Containerfile", "/README.md", "/src/main.c", "/src/lib/util.c", "/src/lib/util.o",
             "/docs/drop.md", "/docs/keep/keep.md", "/node_modules/pkg/index.js" })
        REQUIRE(berth::fs::write_file_atomic(root + file, "x").has_value());
    REQUIRE(symlink("/nonexistent", (root + "/src/link").c_str()) == 0);
    REQUIRE(symlink(root.c_str(), (root + "/loop").c_str()) == 0);

    auto m = matcher("node_modules\n**/*.o\n*.md\ndocs\n!docs/keep\n");
    auto paths = included_paths(root, m);
    REQUIRE_MESSAGE(paths.has_value(), paths.error().message);
    CHECK(*paths == Strings { "Containerfile", "docs/keep", "docs/keep/keep.md", "empty", "loop", "src", "src/lib",
        "src/lib/util.c", "src/link", "src/main.c" });

    auto all = included_paths(root, IgnoreMatcher());
    REQUIRE(all.has_value());
    CHECK(all->size() == 17);
    CHECK_FALSE(included_paths(root + "/missing", m).has_value());
}

namespace {

/// The reference: a pattern as a regular expression, the way Docker builds
/// one (** before '/' or elsewhere is "(.*/)?", a final ** is ".*"). It reads like
/// compile() in ignore.cpp on purpose: an independent oracle for the same rules.
std::regex reference_regex(std::string_view pattern)
{
    std::string re;
    for (size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '*' && i + 1 < pattern.size() && pattern[i + 1] == '*') {
            ++i;
            if (i + 1 < pattern.size() && pattern[i + 1] == '/')
                ++i;
            re += i + 1 == pattern.size() ? ".*" : "(.*/)?";
        } else if (c == '*') {
            re += "[^/]*";
        } else if (c == '?') {
            re += "[^/]";
        } else if (c == '[') {
            re += "[^/";   // only negated classes of plain letters are generated: "[^ab]"
            i += 1;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == ']') {
            re += c;
        } else {
            re += std::string("\\") + c;
        }
    }
    return std::regex(re);
}

bool reference_excludes(IgnoreMatcher const& m, std::string const& file)
{
    bool excluded = false;
    for (auto const& rule : m.rules()) {
        bool matched = ignore_pattern_match(rule.pattern, file);
        for (size_t slash = file.find('/'); !matched && slash != std::string::npos; slash = file.find('/', slash + 1))
            matched = ignore_pattern_match(rule.pattern, file.substr(0, slash));
        if (matched)
            excluded = !rule.exception;
    }
    return excluded;
}

} // namespace

TEST_CASE("random patterns agree with Docker's regular expressions")
{
    std::mt19937 random(14);
    auto pick = [&](std::initializer_list<char const*> choices) { return *(choices.begin() + random() % choices.size()); };
    int compared = 0;
    for (int round = 0; round < 3000; ++round) {
        std::string pattern, path;
        for (int i = 0, n = 1 + random() % 5; i < n; ++i)
            pattern += pick({ "a", "b", "/", "*", "**", "**/", "?", "[^a]", ".", "ab" });
        for (int i = 0, n = random() % 8; i < n; ++i)
            path += pick({ "a", "b", "/", ".", "ab" });
        INFO("pattern ", pattern, " path ", path);
        CHECK(ignore_pattern_match(pattern, path) == std::regex_match(path, reference_regex(pattern)));
        ++compared;
    }
    CHECK(compared == 3000);
}

TEST_CASE("random rule lists: excludes() equals matching the path and each parent")
{
    std::mt19937 random(15);
    auto pick = [&](std::initializer_list<char const*> choices) { return *(choices.begin() + random() % choices.size()); };
    for (int round = 0; round < 500; ++round) {
        std::string text;
        for (int r = 0, rules = 1 + random() % 4; r < rules; ++r) {
            text += pick({ "", "", "!" });
            for (int i = 0, n = 1 + random() % 4; i < n; ++i)
                text += pick({ "a", "b", "/", "*", "**", "?", "[ab]", "ab", "./" });
            text += "\n";
        }
        auto m = matcher(text);
        for (int p = 0; p < 10; ++p) {
            std::string path = pick({ "a", "b", "ab" });
            for (int i = 0, n = random() % 5; i < n; ++i)
                path += std::string("/") + pick({ "a", "b", "ab", "ba" });
            INFO("rules:\n", text, "path ", path);
            CHECK(m.excludes(path) == reference_excludes(m, path));
        }
    }
}
