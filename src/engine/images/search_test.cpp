// search: the term's registry, filters, limits and catalog matching, as Podman 4.3 has them.
#include <doctest/doctest.h>

#include "engine/images/search.h"

#include <string>
#include <vector>

using namespace berth;
using engine::SearchResult;

TEST_CASE("search term: a registry prefix only when the first component looks like a host")
{
    auto t = engine::split_search_term("localhost:5000/busy");
    CHECK(t.registry == "localhost:5000");
    CHECK(t.term == "busy");
    t = engine::split_search_term("quay.io/podman/hello");
    CHECK(t.registry == "quay.io");
    CHECK(t.term == "podman/hello");
    t = engine::split_search_term("localhost/app");
    CHECK(t.registry == "localhost");
    t = engine::split_search_term("127.0.0.1:5000/");
    CHECK(t.registry == "127.0.0.1:5000");
    CHECK(t.term.empty());
    t = engine::split_search_term("library/alpine");
    CHECK(t.registry.empty());
    CHECK(t.term == "library/alpine");
    t = engine::split_search_term("alpine");
    CHECK(t.registry.empty());
    CHECK(t.term == "alpine");
}

TEST_CASE("search filters parse as Podman's and match after the fact")
{
    auto f = engine::parse_search_filters({ "stars=3", "is-official", "is-automated=false" });
    REQUIRE(f.has_value());
    CHECK(f->stars == 3);
    CHECK(f->official == true);
    CHECK(f->automated == false);
    // Any value but "false" is true.
    CHECK(engine::parse_search_filters({ "is-official=yes" })->official == true);
    CHECK(engine::parse_search_filters({ "is-official=false" })->official == false);
    CHECK_FALSE(engine::parse_search_filters({}).value().official.has_value());

    auto bad = engine::parse_search_filters({ "stars" });
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().code == EINVAL);
    CHECK(bad.error().message.find("should be stars=<value>") != std::string::npos);
    bad = engine::parse_search_filters({ "stars=x" });
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("incorrect value type for stars filter") != std::string::npos);
    CHECK_FALSE(engine::parse_search_filters({ "stars=" }).has_value());
    CHECK_FALSE(engine::parse_search_filters({ "stars=1x" }).has_value());
    bad = engine::parse_search_filters({ "foo=1" });
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message.find("invalid filter type \"foo=1\"") != std::string::npos);

    SearchResult plain { .name = "r/plain" };
    SearchResult star { .name = "r/star", .stars = 10, .official = true };
    auto official = engine::parse_search_filters({ "is-official" }).value();
    CHECK_FALSE(engine::search_filter_matches(official, plain));
    CHECK(engine::search_filter_matches(official, star));
    auto unofficial = engine::parse_search_filters({ "is-official=false" }).value();
    CHECK(engine::search_filter_matches(unofficial, plain));
    CHECK_FALSE(engine::search_filter_matches(unofficial, star));
    auto stars = engine::parse_search_filters({ "stars=10" }).value();
    CHECK(engine::search_filter_matches(stars, star));
    CHECK_FALSE(engine::search_filter_matches(stars, plain));
    CHECK(engine::search_filter_matches(engine::parse_search_filters({ "stars=0" }).value(), plain));
    CHECK_FALSE(engine::search_filter_matches(engine::parse_search_filters({ "is-automated" }).value(), star));
}

TEST_CASE("search limits: 25 by default, --limit caps, a negative limit shows nothing")
{
    CHECK(engine::search_query_limit(0) == 25);
    CHECK(engine::search_query_limit(-1) == 25);
    CHECK(engine::search_query_limit(3) == 3);
    CHECK(engine::search_query_limit(100) == 100);
    CHECK(engine::search_output_count(0, 40) == 25);
    CHECK(engine::search_output_count(0, 7) == 7);
    CHECK(engine::search_output_count(3, 40) == 3);
    CHECK(engine::search_output_count(50, 40) == 40);
    CHECK(engine::search_output_count(-1, 40) == 0);
}

TEST_CASE("catalog matching: substring, exact match first, stops at the limit")
{
    std::vector<std::string> found;
    CHECK(engine::add_catalog_matches({ "a/busybox", "alpine", "busybox-x" }, "busybox", 10, found));
    CHECK(found == std::vector<std::string> { "a/busybox", "busybox-x" });
    CHECK(engine::add_catalog_matches({ "nginx", "busybox" }, "busybox", 10, found));
    CHECK(found == std::vector<std::string> { "busybox", "a/busybox", "busybox-x" });
    // The limit: no more is wanted once it is reached, and the rest of the page is left.
    CHECK_FALSE(engine::add_catalog_matches({ "busybox2", "busybox3" }, "busybox", 4, found));
    CHECK(found.size() == 4);
    CHECK(found.back() == "busybox2");
    // An empty term matches everything.
    std::vector<std::string> all;
    CHECK_FALSE(engine::add_catalog_matches({ "a", "b", "c" }, "", 2, all));
    CHECK(all == std::vector<std::string> { "a", "b" });
}
