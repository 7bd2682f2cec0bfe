#include "base/yaml_load.h"

#include <doctest/doctest.h>

#include <string>

using berth::load_yaml;
using berth::load_yaml_documents;

TEST_CASE("load_yaml: scalars, nulls and tags as yaml-cpp's own loader gives them")
{
    auto n = load_yaml("a: ~\nb: null\nc:\nd: 'null'\ne: \"\"\nf: !!str 12\ng: x y\nh: [1, {k: v}]\n");
    REQUIRE(n);
    CHECK(n->IsMap());
    CHECK((*n)["a"].IsNull());
    CHECK((*n)["b"].IsNull());
    CHECK((*n)["c"].IsNull());
    CHECK((*n)["d"].IsScalar());
    CHECK((*n)["d"].as<std::string>() == "null");
    CHECK((*n)["e"].IsScalar());
    CHECK((*n)["e"].as<std::string>().empty());
    CHECK((*n)["f"].Tag() == "tag:yaml.org,2002:str");
    CHECK((*n)["f"].as<int>() == 12);
    CHECK((*n)["g"].Tag() == "?");
    CHECK((*n)["d"].Tag() == "!");
    CHECK((*n)["h"].IsSequence());
    CHECK((*n)["h"][1]["k"].as<std::string>() == "v");
    YAML::Emitter out;
    out << (*n)["h"];
    CHECK(std::string(out.c_str()) == "[1, {k: v}]");
}

TEST_CASE("load_yaml_documents: each document, none for an empty stream")
{
    CHECK(load_yaml_documents("")->empty());
    CHECK(load_yaml_documents("# only a comment\n")->empty());
    auto docs = load_yaml_documents("---\n---\na: 1\n...\n--- x\n");
    REQUIRE(docs);
    REQUIRE(docs->size() == 3);
    CHECK((*docs)[0].IsNull());
    CHECK((*docs)[1]["a"].as<int>() == 1);
    CHECK((*docs)[2].as<std::string>() == "x");
    CHECK(load_yaml("")->IsNull());
}

TEST_CASE("load_yaml: an alias is its anchored node; one with no anchor before it is an error")
{
    auto n = load_yaml("a: &x {p: 1}\nb: *x\n");
    REQUIRE(n);
    CHECK((*n)["b"]["p"].as<int>() == 1);
    CHECK((*n)["a"].is((*n)["b"]));

    auto undefined = load_yaml("a: *nope\n");
    REQUIRE_FALSE(undefined);
    CHECK(undefined.error().message == "line 1, column 4: alias *nope names no anchor before it (an alias cannot refer to the node it is in)");
    CHECK_FALSE(load_yaml("a: &x [1, *x]\n"));
    // Anchors do not carry over into the next document.
    CHECK_FALSE(load_yaml_documents("a: &x 1\n---\nb: *x\n"));
}

TEST_CASE("load_yaml: merge keys, the map's own keys first, then earlier merged maps")
{
    auto n = load_yaml("base: &b {image: busybox, user: '1', env: {A: 1}}\n"
                       "other: &o {user: '2', init: true}\n"
                       "one:\n  <<: *b\n  image: alpine\n"
                       "two:\n  image: alpine\n  <<: [*o, *b]\n");
    REQUIRE(n);
    auto one = (*n)["one"];
    CHECK(one.size() == 3);
    CHECK(one["image"].as<std::string>() == "alpine");
    CHECK(one["user"].as<std::string>() == "1");
    CHECK(one["env"]["A"].as<int>() == 1);
    CHECK_FALSE(one["<<"]);
    auto two = (*n)["two"];
    CHECK(two.size() == 4);
    CHECK(two["image"].as<std::string>() == "alpine");
    CHECK(two["user"].as<std::string>() == "2");
    CHECK(two["init"].as<bool>());

    auto bad = load_yaml("a:\n  <<: 3\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "line 2, column 7: a merge key (<<) takes a map or a list of maps");
    CHECK_FALSE(load_yaml("a:\n  <<: [{x: 1}, 2]\n"));
    // A quoted "<<" is an ordinary key.
    CHECK((*load_yaml("a:\n  '<<': 3\n"))["a"]["<<"].as<int>() == 3);
}

TEST_CASE("load_yaml: malformed text is an error with its position, never a hang")
{
    // Each made yaml-cpp 0.7's own parser loop forever (tests/fuzz/regressions/kube_play).
    for (std::string text : { std::string(",b: 1\n"), std::string("a: {b\n,c: 1\n"), std::string("\0,\0", 3), std::string("!t,b\n"),
             std::string("&x ,b\n"), std::string("!\xc3\xa9\n?\n"), std::string("\"a\n,b\n") }) {
        CAPTURE(text);
        auto r = load_yaml_documents(text);
        CHECK_FALSE(r);
    }
    auto r = load_yaml("a: 1\n b: 2\n");
    REQUIRE_FALSE(r);
    CHECK(r.error().message.starts_with("line 2, column 3: mapping values are not allowed in this context"));
    auto unclosed = load_yaml("a: [1, 2\n");
    REQUIRE_FALSE(unclosed);
    CHECK(unclosed.error().message.find("that starts on line 1)") != std::string::npos);
}

TEST_CASE("load_yaml: nesting and alias expansion are bounded")
{
    std::string deep(berth::max_yaml_depth + 1, '[');
    auto r = load_yaml(deep);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find("nested deeper than 256 levels") != std::string::npos);
    CHECK(load_yaml(std::string(berth::max_yaml_depth, '[') + std::string(berth::max_yaml_depth, ']')));
    // Without aliases a document counts each node once, however deep it sits:
    // 6,000 scalars 200 levels down are 6,200 nodes, not 6,000 x 200.
    std::string deep_list(200, '[');
    for (int i = 0; i < 6000; ++i)
        deep_list += i ? ",x" : "x";
    deep_list += std::string(200, ']');
    CHECK(load_yaml(deep_list));

    // Ten levels of ten aliases each: 10^10 nodes once expanded.
    std::string laughs = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
    for (int i = 1; i < 10; ++i) {
        std::string n = std::to_string(i), prev = "*a";
        prev += std::to_string(i - 1);
        laughs.append("a").append(n).append(": &a").append(n).append(" [");
        for (int j = 0; j < 10; ++j)
            laughs += (j ? ", " : "") + prev;
        laughs += "]\n";
    }
    auto bomb = load_yaml(laughs);
    REQUIRE_FALSE(bomb);
    CHECK(bomb.error().message.find("aliases expand to more than 1000000 nodes") != std::string::npos);
}

TEST_CASE("load_yaml: duplicate keys are kept, as yaml-cpp's loader keeps them")
{
    auto n = load_yaml("a: 1\na: 2\n");
    REQUIRE(n);
    CHECK(n->size() == 2);
}
