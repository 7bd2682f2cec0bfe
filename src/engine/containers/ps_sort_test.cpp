// ps --sort: the keys Podman accepts and the order each gives.
#include <doctest/doctest.h>

#include "engine/containers/ps_sort.h"

#include <string>
#include <vector>

using namespace berth;

namespace {

engine::PsEntry entry(std::string id, std::string name, std::string image, std::vector<std::string> command, int64_t created,
    int64_t started, container::State state, int64_t size)
{
    engine::PsEntry e;
    e.record.id = std::move(id);
    e.record.name = std::move(name);
    e.record.image_name = std::move(image);
    e.record.created = created;
    e.record.started = started;
    e.record.state = state;
    e.command = std::move(command);
    e.rw_size = size;
    e.image_size = 100;
    return e;
}

std::string names(std::vector<engine::PsEntry> const& entries)
{
    std::string out;
    for (auto const& e : entries)
        out += (out.empty() ? "" : ",") + e.record.name;
    return out;
}

std::string sorted(std::string const& key)
{
    std::vector<engine::PsEntry> entries {
        entry("bbb", "charlie", "img/b", { "sleep", "9" }, 20, 25, container::State::Running, 5),
        entry("aaa", "alpha", "img/c", { "true" }, 10, 40, container::State::Exited, 1),
        entry("ccc", "bravo", "img/a", { "echo", "hi" }, 30, 0, container::State::Created, 9),
    };
    engine::sort_ps_entries(entries, engine::parse_ps_sort(key).value());
    return names(entries);
}

} // namespace

TEST_CASE("ps --sort orders as Podman's SortPsOutput")
{
    CHECK(sorted("command") == "bravo,charlie,alpha");
    CHECK(sorted("created") == "alpha,charlie,bravo");
    CHECK(sorted("id") == "alpha,charlie,bravo");
    CHECK(sorted("image") == "bravo,charlie,alpha");
    CHECK(sorted("names") == "alpha,bravo,charlie");
    CHECK(sorted("runningfor") == "alpha,charlie,bravo");  // by creation, as Podman's RunningFor
    CHECK(sorted("size") == "alpha,charlie,bravo");
    CHECK(sorted("status") == "bravo,charlie,alpha");
}

TEST_CASE("ps --sort rejects other keys, naming the valid ones")
{
    auto r = engine::parse_ps_sort("pid");
    REQUIRE(!r);
    CHECK(r.error().message.find("\"pid\" is not a valid value") != std::string::npos);
    CHECK(r.error().message.find("command, created, id, image, names, runningfor, size, status") != std::string::npos);
}
