// Unit tests for the Go-template engine: expected output is what Go's
// text/template (with Podman's functions and format conventions) prints.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "format/template.h"

using namespace berth;
using namespace berth::format;

namespace {

Json image()
{
    return Json::parse(R"({
        "ID": "8e1f3c2a9b7d",
        "Repository": "docker.io/library/alpine",
        "Tag": "latest",
        "Size": 7800000,
        "Ratio": 1.5,
        "Dangling": false,
        "Names": ["web", "db"],
        "Labels": {"maintainer": "me", "version": "1.0"},
        "Config": {"Image": "alpine", "Env": ["A=1", "B=2"], "Nested": {"Deep": "yes"}},
        "Empty": [],
        "Nothing": null,
        "Mounts": [{"Source": "/a", "Destination": "/b"}, {"Source": "/c", "Destination": "/d"}]
    })");
}

std::string render(std::string_view text, Json const& data = image())
{
    auto t = Template::parse(text);
    if (!t.has_value())
        FAIL("parse failed: " << t.error().message);
    auto r = t->render(data);
    if (!r.has_value())
        FAIL("render failed: " << r.error().message);
    return r.value();
}

// The error of parsing or rendering; fails the test if both succeed.
std::string error_of(std::string_view text, Json const& data = image())
{
    auto t = Template::parse(text);
    if (!t.has_value())
        return t.error().message;
    auto r = t->render(data);
    if (r.has_value())
        FAIL("expected an error, got: " << r.value());
    return r.error().message;
}

} // namespace

TEST_CASE("fields")
{
    CHECK(render("{{.ID}}") == "8e1f3c2a9b7d");
    CHECK(render("id={{.ID}} tag={{ .Tag }}") == "id=8e1f3c2a9b7d tag=latest");
    CHECK(render("{{.Size}}") == "7800000");
    CHECK(render("{{.Ratio}}") == "1.5");
    CHECK(render("{{.Dangling}}") == "false");
    CHECK(render("{{.Config.Image}}") == "alpine");
    CHECK(render("{{.Config.Nested.Deep}}") == "yes");
    CHECK(render("{{.}}", Json("plain")) == "plain");
    CHECK(render("{{.Names}}") == "[web db]");
    CHECK(render("{{.Labels}}") == "map[maintainer:me version:1.0]");
    CHECK(render("{{.Mounts}}") == "[map[Destination:/b Source:/a] map[Destination:/d Source:/c]]");
    CHECK(render("{{.Empty}}") == "[]");
    CHECK(render("{{.Nothing}}") == "<no value>");
    CHECK(render("{{.Labels.maintainer}}") == "me");
    CHECK(render("{{$.ID}}") == "8e1f3c2a9b7d");
    CHECK(render("no actions at all") == "no actions at all");
    CHECK(render("") == "");
}

TEST_CASE("missing fields are errors, not empty output")
{
    CHECK(error_of("{{.Foo}}") == "template: can't evaluate field Foo in type object");
    CHECK(error_of("{{.id}}") == "template: can't evaluate field id in type object");
    CHECK(error_of("{{.Config.Missing}}") == "template: can't evaluate field Missing in type object");
    CHECK(error_of("{{.ID.Foo}}") == "template: can't evaluate field Foo in type string");
    CHECK(error_of("{{.Names.Foo}}") == "template: can't evaluate field Foo in type array");
    CHECK(error_of("{{$.Nope}}") == "template: can't evaluate field Nope in type object");
    // Map keys (lower-case, below the root) behave like Go maps: no value.
    CHECK(render("{{.Labels.nope}}") == "<no value>");
    CHECK(render("{{.Nothing.Anything}}") == "<no value>");
}

TEST_CASE("numbers print like Go")
{
    CHECK(render("{{.}}", Json(3.0)) == "3");
    CHECK(render("{{.}}", Json(-42)) == "-42");
    CHECK(render("{{.}}", Json(1e6)) == "1000000");
    CHECK(render("{{.}}", Json(0.25)) == "0.25");
    CHECK(render("{{.}}", Json(1234567.5)) == "1.2345675e+06");
    CHECK(render("{{.}}", Json(0.00001)) == "1e-05");
    CHECK(render("{{.}}", Json(18446744073709551615ull)) == "18446744073709551615");
    CHECK(render("{{1.5}} {{0x1F}} {{-7}} {{'a'}} {{1e3}} {{1_000}}") == "1.5 31 -7 97 1000 1000");
    CHECK(render("{{true}} {{false}}") == "true false");
}

TEST_CASE("escapes in literal text and string literals")
{
    CHECK(render("{{.ID}}\\t{{.Tag}}") == "8e1f3c2a9b7d\tlatest");
    CHECK(render("{{.Tag}}\\n") == "latest\n");
    CHECK(render("a\tb") == "a\tb");
    CHECK(render(R"({{"a\tb\x41\u00e9"}})") == "a\tbA\xc3\xa9");
    CHECK(render("{{`raw\\t`}}") == "raw\\t");
    CHECK(render("{{\"}}\"}}") == "}}");
}

TEST_CASE("trim markers and comments")
{
    CHECK(render("a  {{- .Tag -}}  b") == "alatestb");
    CHECK(render("a \n {{- .Tag}} \n b") == "alatest \n b");
    CHECK(render("a {{.Tag -}} \n\t b") == "a latestb");
    CHECK(render("x\\n{{- .Tag}}") == "xlatest");
    CHECK(render("{{-3}}") == "-3");
    CHECK(render("a{{/* a comment */}}b") == "ab");
    CHECK(render("a {{- /* c */ -}} b") == "ab");
    CHECK(render("{{range .Names -}}\n  {{.}}\n{{- end}}") == "webdb");
}

TEST_CASE("if, else if, else")
{
    CHECK(render("{{if .Dangling}}yes{{else}}no{{end}}") == "no");
    CHECK(render("{{if .Names}}has{{end}}") == "has");
    CHECK(render("{{if .Empty}}has{{else}}empty{{end}}") == "empty");
    CHECK(render("{{if .Nothing}}x{{else}}null{{end}}") == "null");
    CHECK(render("{{if eq .Tag \"x\"}}x{{else if eq .Tag \"latest\"}}L{{else}}other{{end}}") == "L");
    CHECK(render("{{if eq .Tag \"x\"}}x{{else if eq .Tag \"y\"}}y{{else}}other{{end}}") == "other");
    CHECK(render("{{if 0}}a{{else if \"\"}}b{{else if 1}}c{{end}}") == "c");
    CHECK(render("{{if and .Names (not .Dangling)}}ok{{end}}") == "ok");
}

TEST_CASE("with")
{
    CHECK(render("{{with .Config}}{{.Image}}{{end}}") == "alpine");
    CHECK(render("{{with .Empty}}x{{else}}none{{end}}") == "none");
    CHECK(render("{{with $c := .Config.Nested}}{{$c.Deep}}/{{.Deep}}{{end}}") == "yes/yes");
    CHECK(render("{{with .Nothing}}x{{else with .Tag}}{{.}}{{end}}") == "latest");
}

TEST_CASE("range")
{
    CHECK(render("{{range .Names}}[{{.}}]{{end}}") == "[web][db]");
    CHECK(render("{{range $i, $e := .Names}}{{$i}}={{$e}} {{end}}") == "0=web 1=db ");
    CHECK(render("{{range $e := .Names}}{{$e}};{{end}}") == "web;db;");
    CHECK(render("{{range .Empty}}x{{else}}empty{{end}}") == "empty");
    CHECK(render("{{range .Nothing}}x{{else}}null{{end}}") == "null");
    CHECK(render("{{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}}") == "maintainer=me,version=1.0,");
    CHECK(render("{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}") == "/a:/b /c:/d ");
    CHECK(render("{{range .Names}}{{$.Tag}}-{{.}} {{end}}") == "latest-web latest-db ");
    CHECK(render("{{range .Names}}{{if eq . \"db\"}}{{break}}{{end}}{{.}}{{end}}") == "web");
    CHECK(render("{{range .Names}}{{if eq . \"web\"}}{{continue}}{{end}}{{.}}{{end}}") == "db");
    CHECK(render("{{range 3}}{{.}}{{end}}") == "012");
    CHECK(render("{{range .Config.Env}}{{.}}\\n{{end}}") == "A=1\nB=2\n");
    CHECK(error_of("{{range .Tag}}{{end}}") == "template: range can't iterate over latest");
    // Printing is bounded too: Go's limit on "*" widths, and 16 MiB in all.
    CHECK(render("{{printf \"%*d|\" 2000000 7}}") == "%!(BADWIDTH)7|");
    CHECK(render("{{printf \"%.*d|\" \"x\" 7}}") == "%!(BADPREC)7|");
    CHECK(render("{{printf \"%*d\" -3 7}}") == "7  ");
    CHECK(error_of("{{range 100}}{{printf \"%999999d\" 1}}{{end}}") == "template: output longer than 16 MiB: print less");
    CHECK(error_of("{{pad \"x\" 99999999999 0}}").find("padding longer") != std::string::npos);
    // Ranging over integers nests into ~10^10 iterations here: stopped at 10000, all loops together.
    CHECK(render("{{range 10000}}{{end}}") == "");
    CHECK(error_of("{{range 100000}}{{range .}}{{end}}{{end}}")
        == "template: range ran more than 10000 times: range over a smaller value");
}

TEST_CASE("variables")
{
    CHECK(render("{{$x := .Tag}}{{$x}}") == "latest");
    CHECK(render("{{$x := 1}}{{$x = 2}}{{$x}}") == "2");
    CHECK(render("{{$n := 0}}{{range .Names}}{{$n = len .}}{{end}}{{$n}}") == "2");
    CHECK(render("{{$x := \"outer\"}}{{with .Config}}{{$x := \"inner\"}}{{$x}}{{end}} {{$x}}") == "inner outer");
    CHECK(error_of("{{$y}}") == "template: undefined variable \"$y\" at column 3");
    CHECK(error_of("{{with .Tag}}{{$z := 1}}{{end}}{{$z}}").find("undefined variable \"$z\"") != std::string::npos);
}

TEST_CASE("pipelines and parentheses")
{
    CHECK(render("{{.Tag | upper}}") == "LATEST");
    CHECK(render("{{.Tag | printf \"%s-x\"}}") == "latest-x");
    CHECK(render("{{.Names | len | printf \"%d names\"}}") == "2 names");
    CHECK(render("{{(index .Mounts 1).Source}}") == "/c");
    CHECK(render("{{printf \"%s:%s\" .Repository (.Tag | upper)}}") == "docker.io/library/alpine:LATEST");
}

TEST_CASE("json")
{
    CHECK(render("{{json .Names}}") == R"(["web","db"])");
    CHECK(render("{{json .Labels}}") == R"({"maintainer":"me","version":"1.0"})");
    CHECK(render("{{json .Size}} {{json .Ratio}} {{json .Nothing}} {{json .Dangling}}") == "7800000 1.5 null false");
    CHECK(render("{{json .}}", Json("a<b>&\"c\"\n")) == R"("a<b>&\"c\"\n")");
    CHECK(render("{{json .}}", Json(1e21)) == "1e+21");
    CHECK(render("{{json .}}", Json(1e-7)) == "1e-7");
    CHECK(render("{{json .}}", Json(3.0)) == "3");
    CHECK(render("{{json .Config}}") == R"({"Env":["A=1","B=2"],"Image":"alpine","Nested":{"Deep":"yes"}})");
    CHECK(render("{{.Names | json}}") == R"(["web","db"])");
}

TEST_CASE("string functions")
{
    CHECK(render("{{lower \"AbC\"}} {{upper .Tag}} {{title \"hello wide-world\"}}") == "abc LATEST Hello Wide-World");
    CHECK(render("{{join .Names \", \"}}") == "web, db");
    CHECK(render("{{join .Empty \",\"}}") == "");
    CHECK(render("{{truncate .ID 4}} {{truncate .ID 40}}") == "8e1f 8e1f3c2a9b7d");
    CHECK(render("{{split \"a:b:c\" \":\"}}") == "[a b c]");
    CHECK(render("{{index (split .Repository \"/\") 2}}") == "alpine");
    CHECK(render("[{{pad .Tag 2 1}}]") == "[  latest ]");
    CHECK(render("{{contains .Repository \"alpine\"}} {{contains .Tag \"x\"}}") == "true false");
    CHECK(render("{{contains .Names \"db\"}} {{contains .Labels \"version\"}}") == "true true");
    CHECK(render("{{slice .ID 0 4}} {{slice .Names 1}}") == "8e1f [db]");
    CHECK(render("{{upper .Size}}") == "7800000");
    CHECK(error_of("{{join .Tag \",\"}}") == "template: error calling join: wrong type for value; expected list; got string");
    CHECK(error_of("{{truncate .ID \"x\"}}") == "template: error calling truncate: wrong type for value; expected int; got string");
}

TEST_CASE("index and len")
{
    CHECK(render("{{index .Names 1}}") == "db");
    CHECK(render("{{index .Labels \"version\"}}") == "1.0");
    CHECK(render("[{{index .Labels \"missing\"}}]") == "[]");
    CHECK(render("{{index .Mounts 0 \"Source\"}}") == "/a");
    CHECK(render("{{len .Names}} {{len .Tag}} {{len .Labels}}") == "2 6 2");
    CHECK(error_of("{{index .Names 5}}") == "template: error calling index: index out of range: 5");
    CHECK(error_of("{{len .Size}}") == "template: error calling len: len of type number");
}

TEST_CASE("comparisons and logic")
{
    CHECK(render("{{eq .Tag \"latest\"}} {{ne .Tag \"latest\"}}") == "true false");
    CHECK(render("{{eq .Tag \"a\" \"b\" \"latest\"}}") == "true");
    CHECK(render("{{eq .Size 7800000}} {{eq .Ratio 1.5}} {{eq 2 2.0}}") == "true true true");
    CHECK(render("{{lt 1 2}} {{le 2 2}} {{gt 1 2}} {{ge \"b\" \"a\"}}") == "true true false true");
    CHECK(render("{{and 1 0 2}} {{and 1 2}} {{or 0 \"\" \"x\"}} {{or 0 \"\"}} {{not 0}}") == "0 2 x  true");
    // and/or stop at the first decisive argument: the failing index is never evaluated.
    CHECK(render("{{and false (index .Names 9)}} {{or true (index .Names 9)}}") == "false true");
    CHECK(render("{{eq .Nothing nil}}") == "true");
    CHECK(error_of("{{eq .Tag 1}}") == "template: error calling eq: incompatible types for comparison");
    CHECK(error_of("{{lt .Names 1}}") == "template: error calling lt: incompatible types for comparison");
    CHECK(error_of("{{lt true false}}") == "template: error calling lt: invalid type for comparison");
}

TEST_CASE("printf, print, println")
{
    CHECK(render("{{printf \"%s|%d|%v\" .Tag .Size .Names}}") == "latest|7800000|[web db]");
    CHECK(render("{{printf \"%-10s|%10s|\" .Tag .Tag}}") == "latest    |    latest|");
    CHECK(render("{{printf \"%5d|%-5d|%05d|%+d\" 42 42 42 42}}") == "   42|42   |00042|+42");
    CHECK(render("{{printf \"%q %q\" .Tag 'x'}}") == "\"latest\" 'x'");
    CHECK(render("{{printf \"%x %X %o %b\" 255 255 8 5}}") == "ff FF 10 101");
    CHECK(render("{{printf \"%x\" \"hi\"}}") == "6869");
    CHECK(render("{{printf \"%.2f %f %e %g\" .Ratio 2.5 1234.5 0.5}}") == "1.50 2.500000 1.234500e+03 0.5");
    CHECK(render("{{printf \"%.3s|%t|%T|%T\" .Tag true .Tag .Names}}") == "lat|true|string|[]interface {}");
    CHECK(render("{{printf \"100%%\"}}") == "100%");
    CHECK(render("{{printf \"%5s|\" \"\xc3\xa9\"}}") == "    \xc3\xa9|");
    CHECK(render("{{printf \"%d\" .Tag}}") == "%!d(string=latest)");
    CHECK(render("{{printf \"%s\" 5}}") == "%!s(int=5)");
    CHECK(render("{{printf \"%s %s\" .Tag}}") == "latest %!s(MISSING)");
    CHECK(render("{{printf \"%s\" .Tag 1}}") == "latest%!(EXTRA int=1)");
    CHECK(render("{{printf \"%v\" .Nothing}}") == "<nil>");
    CHECK(render("{{printf \"%d\" .Names}}") == "[%!d(string=web) %!d(string=db)]");
    CHECK(render("{{print \"a\" 1 2 \"b\"}}") == "a1 2b");
    CHECK(render("{{println .Tag 1}}") == "latest 1\n");
}

TEST_CASE("wrong use of functions is an error")
{
    CHECK(error_of("{{upper}}") == "template: wrong number of args for upper: want 1 got 0");
    CHECK(error_of("{{join .Names}}") == "template: wrong number of args for join: want 2 got 1");
    CHECK(error_of("{{eq 1}}") == "template: wrong number of args for eq: want at least 2 got 1");
    CHECK(error_of("{{nosuch .ID}}") == "template: function \"nosuch\" not defined at column 3");
    CHECK(error_of("{{.ID 1}}") == "template: can't give argument to non-function .ID at column 7");
    CHECK(error_of("{{.ID | .Tag}}") == "template: non executable command in pipeline stage 2 at column 9");
}

TEST_CASE("parse errors name the position and problem")
{
    CHECK(error_of("{{.ID}") == "template: bad character \"}\" at column 6");
    CHECK(error_of("{{ } }}") == "template: unexpected \"}\" in operand at column 4");
    CHECK(error_of("ab {{.ID") == "template: unclosed action at column 4");
    CHECK(error_of("{{if .ID}}x") == "template: missing {{end}} for {{if}} at column 3");
    CHECK(error_of("x{{end}}") == "template: unexpected {{end}} at column 4");
    CHECK(error_of("{{else}}") == "template: unexpected {{else}} at column 3");
    CHECK(error_of("{{range .Names}}{{else}}{{else}}{{end}}") == "template: expected {{end}}, found {{else}} at column 27");
    CHECK(error_of("{{break}}") == "template: {{break}} outside {{range}} at column 3");
    CHECK(error_of("{{}}") == "template: missing value for command at column 3");
    CHECK(error_of("{{.ID | }}") == "template: missing command after \"|\" at column 9");
    CHECK(error_of("{{\"abc}}") == "template: unterminated quoted string at column 3");
    CHECK(error_of("{{12ab}}") == "template: bad number syntax: \"12ab\" at column 3");
    CHECK(error_of("{{(.ID}}") == "template: unclosed left paren at column 7");
    CHECK(error_of("{{.ID)}}") == "template: unexpected right paren at column 6");
    CHECK(error_of("{{if}}{{end}}") == "template: missing value for if at column 5");
    CHECK(error_of("{{/* x }}") == "template: unclosed comment at column 1");
    CHECK(error_of("{{template \"x\"}}") == "template: {{template}} is not supported at column 3");
    CHECK(error_of("line one\n{{.ID }x}}") == "template: unexpected \"}\" in operand at line 2, column 7");
    CHECK(error_of("{{\"a\".Foo}}") == "template: unexpected . after term \"\\\"a\\\"\" at column 6");
}

TEST_CASE("json shortcut and table prefix")
{
    auto j = Template::parse("json");
    REQUIRE(j.has_value());
    CHECK(j->is_json());
    CHECK(!j->is_table());
    CHECK(j->render(Json { { "A", 1 } }).value() == R"({"A":1})");
    CHECK(Template::parse("{{ json . }}")->is_json());
    CHECK(!Template::parse("{{json .Names}}")->is_json());

    CHECK(Template::parse("table {{.ID}}")->is_table());
    CHECK(Template::parse("table")->is_table());
    CHECK(Template::parse("table{{.ID}}")->is_table());
    CHECK(!Template::parse("tablet {{.ID}}")->is_table());
    CHECK(!Template::parse("{{.ID}}")->is_table());
    CHECK(Template::parse("table {{.ID}}")->render(image()).value() == "8e1f3c2a9b7d");
    // Errors in table mode point into the original text.
    CHECK(error_of("table {{.ID}") == "template: bad character \"}\" at column 12");
}

TEST_CASE("render_lines")
{
    std::vector<Json> rows { Json { { "ID", "a" } }, Json { { "ID", "b" } } };
    CHECK(Template::parse("{{.ID}}")->render_lines(rows).value() == "a\nb\n");
    CHECK(Template::parse("{{.ID}}\\n")->render_lines(rows).value() == "a\nb\n");
    CHECK(Template::parse("{{.ID}}")->render_lines({}).value() == "");
    auto bad = Template::parse("{{.Nope}}")->render_lines(rows);
    REQUIRE(!bad.has_value());
    CHECK(bad.error().message == "template: can't evaluate field Nope in type object");
}

TEST_CASE("table headers and alignment")
{
    std::vector<Json> rows {
        Json { { "ID", "8e1f3c2a9b7d" }, { "Repository", "alpine" }, { "CreatedAt", "2 days ago" } },
        Json { { "ID", "12" }, { "Repository", "docker.io/library/nginx" }, { "CreatedAt", "now" } },
    };
    auto t = Template::parse("table {{.ID}}\\t{{.Repository}}\\t{{.CreatedAt}}");
    REQUIRE(t.has_value());
    CHECK(t->header() == "ID\tREPOSITORY\tCREATED AT");
    CHECK(t->render_table(rows, { { "ID", "IMAGE ID" } }).value()
        == "IMAGE ID      REPOSITORY               CREATED AT\n"
           "8e1f3c2a9b7d  alpine                   2 days ago\n"
           "12            docker.io/library/nginx  now\n");
    CHECK(t->render_table(rows, {}, Heading::Omit).value()
        == "8e1f3c2a9b7d  alpine                   2 days ago\n"
           "12            docker.io/library/nginx  now\n");
    CHECK(t->render_table({}).value() == "ID  REPOSITORY  CREATED AT\n");
    // A literal tab separates columns too; headers come from fields inside functions and blocks.
    auto u = Template::parse("table {{.Repository | upper}}\t{{if .ID}}{{.ID}}{{end}}\t{{range .Names}}{{.}}{{end}}\t{{json .Labels}}");
    REQUIRE(u.has_value());
    CHECK(u->header() == "REPOSITORY\tID\tNAMES\tLABELS");
    CHECK(Template::parse("table {{.Config.Image}} {{\"x\"}}")->header() == "IMAGE ");
    CHECK(Template::parse("table {{if .Dangling}}yes{{end}}\\t{{.ID}}")->header() == "DANGLING\tID");
    CHECK(Template::parse("table {{.State.Status}}")->header({ { "State.Status", "STATUS" } }) == "STATUS");
}

TEST_CASE("header names from CamelCase fields")
{
    CHECK(header_from_field("ID") == "ID");
    CHECK(header_from_field("CreatedAt") == "CREATED AT");
    CHECK(header_from_field("ImageID") == "IMAGE ID");
    CHECK(header_from_field("IPAddress") == "IP ADDRESS");
    CHECK(header_from_field("Repository") == "REPOSITORY");
    CHECK(header_from_field("runningFor") == "RUNNING FOR");
}

TEST_CASE("tabwrite aligns like Go's tabwriter")
{
    CHECK(tabwrite({ { "a", "b", "c" }, { "aaa", "bbbb", "c" } }) == "a    b     c\naaa  bbbb  c\n");
    CHECK(tabwrite({}) == "");
    CHECK(tabwrite({ { "only" } }) == "only\n");
    // The last cell of a line is not part of a column and is never padded.
    CHECK(tabwrite({ { "x", "long last cell" }, { "yy", "z" } }) == "x   long last cell\nyy  z\n");
    // A line with fewer cells ends the column block: widths restart after it.
    CHECK(tabwrite_text("a\tb\tc\nx\naaaa\tb\n") == "a  b  c\nx\naaaa  b\n");
    // Width counts characters, not bytes.
    CHECK(tabwrite({ { "\xc3\xa9", "x" }, { "ab", "y" } }) == "\xc3\xa9   x\nab  y\n");
    // Empty cells still take their column's width.
    CHECK(tabwrite({ { "", "b" }, { "aa", "c" } }) == "    b\naa  c\n");
    CHECK(tabwrite_text("no newline\tat end") == "no newline  at end");
}

TEST_CASE("field names map Go fields to JSON keys the lower-camel rule misses")
{
    Json info = Json::parse(R"({"host": {"ociRuntime": {"name": "berth"}, "cgroupVersion": "v1", "cpus": 2,
        "idMappings": {"uidmap": [{"container_id": 0, "host_id": 1000, "size": 1}]}}})");
    auto t = Template::parse("{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}} {{.Host.CPUs}} "
                             "{{range .Host.IDMappings.UIDMap}}{{.ContainerID}}:{{.HostID}}:{{.Size}}{{end}}");
    REQUIRE(t.has_value());
    CHECK_FALSE(t->render(info).has_value());
    t->set_field_names({ { "OCIRuntime", "ociRuntime" }, { "CgroupsVersion", "cgroupVersion" }, { "CPUs", "cpus" },
        { "IDMappings", "idMappings" }, { "UIDMap", "uidmap" }, { "ContainerID", "container_id" }, { "HostID", "host_id" } });
    auto out = t->render(info);
    REQUIRE(out.has_value());
    CHECK(*out == "berth v1 2 0:1000:1");
    // An unknown Go name is still an error.
    auto bad = Template::parse("{{.Host.NoSuch}}");
    bad->set_field_names({ { "OCIRuntime", "ociRuntime" } });
    CHECK_FALSE(bad->render(info).has_value());
}

TEST_CASE("an initialism's field answers to its capitalized JSON tag: .ID is \"Id\"")
{
    Json image = Json::parse(R"({"Id": "abc", "Digest": "sha256:1"})");
    auto t = Template::parse("{{.ID}} {{.Id}}");
    REQUIRE(t.has_value());
    auto out = t->render(image);
    REQUIRE(out.has_value());
    CHECK(*out == "abc abc");
    CHECK_FALSE(Template::parse("{{.DIGESTX}}")->render(image).has_value());
}
