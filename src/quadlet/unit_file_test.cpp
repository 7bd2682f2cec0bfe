// The unit-file parser: sections, repeated keys, continuations, comments,
// drop-ins, and errors that name the file and the line.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "quadlet/unit_file.h"

#include <doctest/doctest.h>

using namespace berth;
using namespace berth::quadlet;

TEST_CASE("unit file: sections, repeated keys in order, whitespace trimmed, comments skipped")
{
    auto f = UnitFile::parse("web.container", "# a comment\n"
                                              "[Unit]\n"
                                              "Description = the web server \n"
                                              "\n"
                                              "; another\n"
                                              "[Container]\n"
                                              "Image=busybox\n"
                                              "PublishPort=8080:80\n"
                                              "PublishPort=8443:443\n"
                                              "Environment=A=1 B=2\n");
    REQUIRE(f);
    REQUIRE(f->sections().size() == 2);
    CHECK(f->last("Unit", "Description") == "the web server");
    CHECK(f->last("Container", "Image") == "busybox");
    CHECK(f->values("Container", "PublishPort") == std::vector<std::string> { "8080:80", "8443:443" });
    CHECK(f->last("Container", "Environment") == "A=1 B=2");
    CHECK(!f->last("Container", "Exec"));
    auto const* c = f->section("Container");
    REQUIRE(c);
    CHECK(c->entries[0].line == 7);
    CHECK(c->entries[2].line == 9);
}

TEST_CASE("unit file: a trailing backslash continues the line; comment lines inside are skipped")
{
    auto f = UnitFile::parse("x.container", "[Container]\n"
                                            "Exec=sh -c \\\n"
                                            "# not part of it\n"
                                            "  'echo hi'\n"
                                            "Image=busybox\n");
    REQUIRE(f);
    CHECK(f->last("Container", "Exec") == "sh -c  'echo hi'");
    CHECK(f->section("Container")->entries[0].line == 2);
    CHECK(f->section("Container")->entries[1].line == 5);
}

TEST_CASE("unit file: an empty value resets a list key")
{
    auto f = UnitFile::parse("x.container", "[Container]\nVolume=/a:/a\nVolume=\nVolume=/b:/b\n");
    REQUIRE(f);
    CHECK(f->values("Container", "Volume") == std::vector<std::string> { "/b:/b" });
}

TEST_CASE("unit file: drop-ins add to their sections, after the file's own entries")
{
    auto f = UnitFile::parse("web.container", "[Container]\nImage=busybox\nPublishPort=1:1\n");
    auto d = UnitFile::parse("web.container.d/10-port.conf", "[Container]\nPublishPort=2:2\nImage=alpine\n[Service]\nRestart=always\n");
    REQUIRE(f);
    REQUIRE(d);
    f->merge(*d);
    CHECK(f->last("Container", "Image") == "alpine");
    CHECK(f->values("Container", "PublishPort") == std::vector<std::string> { "1:1", "2:2" });
    CHECK(f->last("Service", "Restart") == "always");
    CHECK(f->section("Container")->entries[2].file == "web.container.d/10-port.conf");
}

TEST_CASE("unit file: errors name the file and the line")
{
    auto outside = UnitFile::parse("a.container", "\nImage=busybox\n");
    REQUIRE(!outside);
    CHECK(outside.error().message == "a.container:2: key Image is outside of any section");
    auto no_equals = UnitFile::parse("b.container", "[Container]\nImage busybox\n");
    REQUIRE(!no_equals);
    CHECK(no_equals.error().message == "b.container:2: \"Image busybox\" is not KEY=VALUE");
    auto header = UnitFile::parse("c.container", "[Container\n");
    REQUIRE(!header);
    CHECK(header.error().message == "c.container:1: invalid section header \"[Container\"");
    auto no_key = UnitFile::parse("d.container", "[Container]\n=x\n");
    REQUIRE(!no_key);
    CHECK(no_key.error().message == "d.container:2: a line without a key: \"=x\"");
}

TEST_CASE("unit file: words split as systemd splits Exec= lines")
{
    CHECK(split_words("sh -c 'echo hi there'").value() == std::vector<std::string> { "sh", "-c", "echo hi there" });
    CHECK(split_words("a \"b \\\"c\\\"\" ''").value() == std::vector<std::string> { "a", "b \"c\"", "" });
    CHECK(split_words("  ").value().empty());
    CHECK(!split_words("'open"));
}
