// Unit tests for to_yaml: expected output is what `podman info` (go-yaml v2
// through sigs.k8s.io/yaml) prints for the same JSON.
#include <doctest/doctest.h>

#include "format/yaml.h"

using namespace berth;
using namespace berth::format;

TEST_CASE("to_yaml nests mappings by two and keeps sequences at their key")
{
    Json doc = Json::parse(R"({
        "host": {"arch": "amd64", "cpus": 2, "idMappings": {"uidmap": [{"container_id": 0, "host_id": 1001, "size": 1}]},
                 "cgroupControllers": [], "conmon": null, "rootless": true},
        "plugins": {"log": ["k8s-file", "none"], "authorization": null},
        "registries": {}
    })");
    CHECK(to_yaml(doc) == "host:\n"
                          "  arch: amd64\n"
                          "  cgroupControllers: []\n"
                          "  conmon: null\n"
                          "  cpus: 2\n"
                          "  idMappings:\n"
                          "    uidmap:\n"
                          "    - container_id: 0\n"
                          "      host_id: 1001\n"
                          "      size: 1\n"
                          "  rootless: true\n"
                          "plugins:\n"
                          "  authorization: null\n"
                          "  log:\n"
                          "  - k8s-file\n"
                          "  - none\n"
                          "registries: {}\n");
}

TEST_CASE("to_yaml quotes strings as go-yaml does")
{
    auto one = [](Json v) { return to_yaml(Json { { "k", v } }); };
    CHECK(one("12") == "k: \"12\"\n");
    CHECK(one("") == "k: \"\"\n");
    CHECK(one("true") == "k: \"true\"\n");
    CHECK(one("no") == "k: \"no\"\n");
    CHECK(one("1.5") == "k: \"1.5\"\n");
    CHECK(one("0.1.0") == "k: 0.1.0\n");
    CHECK(one("conmon version 2.1.6, commit: unknown") == "k: 'conmon version 2.1.6, commit: unknown'\n");
    CHECK(one("it's: here") == "k: 'it''s: here'\n");
    CHECK(one("Thu Jan  1 00:00:00 1970") == "k: Thu Jan  1 00:00:00 1970\n");
    CHECK(one("CAP_CHOWN,CAP_KILL") == "k: CAP_CHOWN,CAP_KILL\n");
    CHECK(one("*.example.com") == "k: '*.example.com'\n");
    CHECK(one("tab\there") == "k: \"tab\\there\"\n");
    CHECK(one(13.6) == "k: 13.6\n");
    CHECK(one(25276194816) == "k: 25276194816\n");
}

TEST_CASE("to_yaml writes text with line breaks as a literal block")
{
    Json doc = { { "ociRuntime", { { "version", "runc version 1.1.5\ncommit: x\n\nspec: 1.0.2" } } } };
    CHECK(to_yaml(doc) == "ociRuntime:\n"
                          "  version: |-\n"
                          "    runc version 1.1.5\n"
                          "    commit: x\n"
                          "\n"
                          "    spec: 1.0.2\n");
    CHECK(to_yaml(Json { { "k", "a\n" } }) == "k: |\n  a\n");
}
