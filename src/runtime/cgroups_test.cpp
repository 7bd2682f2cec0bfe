// cgroups: flag parsing, OCI resources, the v2 files, mountinfo parsing, and
// write_limits against a plain directory standing in for a cgroup.
#include "runtime/cgroups.h"

#include "base/fs.h"
#include "base/temp_dir.h"
#include "base/unique_fd.h"

#include <doctest/doctest.h>
#include <fcntl.h>

using namespace berth;
using namespace berth::runtime::cgroups;

TEST_CASE("cgroups: sizes")
{
    CHECK(parse_size("512m").value() == 512LL * 1024 * 1024);
    CHECK(parse_size("512M").value() == 512LL * 1024 * 1024);
    CHECK(parse_size("1g").value() == 1024LL * 1024 * 1024);
    CHECK(parse_size("1.5g").value() == 1536LL * 1024 * 1024);
    CHECK(parse_size("100kb").value() == 102400);
    CHECK(parse_size("4096").value() == 4096);
    CHECK(parse_size("10b").value() == 10);
    CHECK(parse_size("2t").value() == 2LL * 1024 * 1024 * 1024 * 1024);
    CHECK_FALSE(parse_size(""));
    CHECK_FALSE(parse_size("m"));
    CHECK_FALSE(parse_size("12x"));
    CHECK_FALSE(parse_size("-5m"));
    CHECK_FALSE(parse_size("1.2.3m"));
    CHECK(parse_swap("-1").value() == -1);
    CHECK(parse_swap("1g").value() == 1024LL * 1024 * 1024);
}

TEST_CASE("cgroups: cpus and cpu.max")
{
    CHECK(parse_cpus("1.5").value() == 150000);
    CHECK(parse_cpus("0.25").value() == 25000);
    CHECK(parse_cpus("2").value() == 200000);
    CHECK_FALSE(parse_cpus("abc"));
    CHECK_FALSE(parse_cpus("-1"));
    CHECK(cpu_max(150000, 100000) == "150000 100000");
    CHECK(cpu_max(std::nullopt, 100000) == "max 100000");
    CHECK(cpu_max(0, 100000) == "max 100000");
    CHECK(shares_to_weight(1024) == 39);
    CHECK(shares_to_weight(2) == 1);
    CHECK(shares_to_weight(262144) == 10000);
}

TEST_CASE("cgroups: OCI resources round trip and v2 files")
{
    Resources r;
    r.memory = 512LL * 1024 * 1024;
    r.memory_swap = 1024LL * 1024 * 1024;
    r.cpu_quota = 150000;
    r.cpu_shares = 1024;
    r.pids = 100;
    Json j = to_oci(r);
    CHECK(j["memory"]["limit"] == 536870912);
    CHECK(j["cpu"]["period"] == 100000);
    CHECK(from_oci(j).value() == r);
    auto files = v2_files(r);
    REQUIRE(files.size() == 5);
    CHECK(files[0] == std::pair<std::string, std::string> { "memory.max", "536870912" });
    CHECK(files[1] == std::pair<std::string, std::string> { "memory.swap.max", "536870912" });  // swap alone
    CHECK(files[2] == std::pair<std::string, std::string> { "cpu.max", "150000 100000" });
    CHECK(files[3] == std::pair<std::string, std::string> { "cpu.weight", "39" });
    CHECK(files[4] == std::pair<std::string, std::string> { "pids.max", "100" });
    CHECK(controllers_needed(r) == std::vector<std::string> { "memory", "cpu", "pids" });

    Resources unlimited;
    unlimited.memory_swap = -1;
    unlimited.pids = -1;
    CHECK(v2_files(unlimited) == std::vector<std::pair<std::string, std::string>> { { "memory.swap.max", "max" }, { "pids.max", "max" } });
    CHECK(from_oci(Json()).value().empty());
    CHECK_FALSE(from_oci(Json { { "memory", { { "limit", "big" } } } }));
}

TEST_CASE("cgroups: mountinfo and /proc/self/cgroup")
{
    std::string hybrid = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
                         "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
                         "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
    CHECK(find_cgroup2_mount(hybrid) == std::pair<std::string, bool> { "/sys/fs/cgroup/unified", true });
    std::string unified = "30 23 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
    CHECK(find_cgroup2_mount(unified) == std::pair<std::string, bool> { "/sys/fs/cgroup", false });
    CHECK(find_cgroup2_mount("").first.empty());
    CHECK(v2_path_from_proc("4:memory:/x\n0::/user.slice/user-1000.slice/session-1.scope\n") == "/user.slice/user-1000.slice/session-1.scope");
    CHECK(v2_path_from_proc("4:memory:/x\n").empty());

    Availability a;
    a.mount = "/sys/fs/cgroup";
    a.own = "/user.slice/user@1000.service/app.slice/term.scope";
    CHECK(parent_dir(a, "") == "/sys/fs/cgroup/user.slice/user@1000.service/app.slice");
    CHECK(cgroup_dir(a, "", "abc") == "/sys/fs/cgroup/user.slice/user@1000.service/app.slice/berth-abc");
    CHECK(cgroup_dir(a, "/machine", "abc") == "/sys/fs/cgroup/machine/berth-abc");
    CHECK(cgroup_dir(a, "machine/", "abc") == "/sys/fs/cgroup/machine/berth-abc");
    a.own = "/";
    CHECK(parent_dir(a, "") == "/sys/fs/cgroup");
    a.own = "/init.scope";
    CHECK(parent_dir(a, "") == "/sys/fs/cgroup");
}

TEST_CASE("cgroups: write_limits writes each file")
{
    auto dir = TempDir::create("/tmp", "berth-cgroup-test-").value();
    for (char const* f : { "memory.max", "cpu.max", "pids.max" })
        REQUIRE(fs::write_file_atomic(dir.path() + "/" + f, "max\n"));
    UniqueFd fd(::open(dir.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    Resources r;
    r.memory = 1024 * 1024;
    r.cpu_quota = 50000;
    r.pids = 7;
    REQUIRE(write_limits(fd.get(), r));
    CHECK(fs::read_file(dir.path() + "/memory.max").value() == "1048576");
    CHECK(fs::read_file(dir.path() + "/cpu.max").value() == "50000 100000");
    CHECK(fs::read_file(dir.path() + "/pids.max").value() == "7");
    Resources missing;
    missing.cpu_shares = 512;  // cpu.weight does not exist here
    CHECK_FALSE(write_limits(fd.get(), missing));
}

TEST_CASE("cgroups: place does nothing without resources or a path")
{
    runtime::Spec spec;
    CHECK(place(spec, 1));
}
