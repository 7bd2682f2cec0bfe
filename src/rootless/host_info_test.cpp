#include <doctest/doctest.h>

#include "base/command.h"
#include "base/fs.h"
#include "base/temp_dir.h"
#include "rootless/host_info.h"

#include <csignal>
#include <unistd.h>

using namespace berth;
using namespace berth::rootless;

TEST_CASE("first_line and version_line")
{
    CHECK(first_line("\n  \n  runc version 1.1.5  \ncommit: x\n") == "runc version 1.1.5");
    CHECK(first_line("") == "");
    CHECK(version_line("fuse-overlayfs", "fusermount3 version: 3.14.0\nfuse-overlayfs: version 1.10\n", "")
        == "fuse-overlayfs: version 1.10");
    CHECK(version_line("pasta", "", "pasta unknown version\nCopyright\n") == "pasta unknown version");
    CHECK(version_line("tool", "v9.9\n", "") == "v9.9");
    CHECK(version_line("tool", "", "warning\n") == "warning");
}

TEST_CASE("go_arch")
{
    CHECK(go_arch("x86_64") == "amd64");
    CHECK(go_arch("aarch64") == "arm64");
    CHECK(go_arch("armv7l") == "arm");
    CHECK(go_arch("mips") == "mips");
}

TEST_CASE("cgroup_version tells v1, hybrid and v2 apart")
{
    std::string real = cgroup_version();
    CHECK((real == "v1" || real == "v2" || real == "hybrid"));
    CHECK(cgroup_version("/nonexistent") == "v1");
    if (fs::is_dir("/dev/shm")) {
        // /dev/shm is a tmpfs on Linux: a tmpfs with unified/ is the hybrid layout.
        auto dir = TempDir::create("/dev/shm", "berth-cg-");
        if (dir) {
            CHECK(cgroup_version(dir->path()) == "v1");
            REQUIRE(fs::mkdir_p(fs::join(dir->path(), "unified"), 0755));
            CHECK(cgroup_version(dir->path()) == "hybrid");
        }
    }
    if (fs::exists("/sys/fs/cgroup/unified/cgroup.controllers"))
        CHECK(cgroup_version("/sys/fs/cgroup/unified") == "v2");
}

TEST_CASE("host_info")
{
    Paths paths; // root
    paths.rootless = ::geteuid() != 0;
    paths.uid = ::geteuid();
    paths.gid = ::getegid();
    Json info = host_info(paths);
    CHECK(info["rootless"] == paths.rootless);
    CHECK(info["os"] == "linux");
    CHECK(!info["kernel"].get<std::string>().empty());
    CHECK(!info["hostname"].get<std::string>().empty());
    REQUIRE(info["uidmap"].is_array());
    REQUIRE_FALSE(info["uidmap"].empty());
    CHECK(info["uidmap"][0].contains("container_id"));
    CHECK(info["uidmap"][0].contains("host_id"));
    CHECK(info["uidmap"][0].contains("size"));
    CHECK(info["gidmap"].is_array());
    CHECK(info["cgroupVersion"] == (cgroup_version() == "v2" ? "v2" : "v1"));
    CHECK(info["cpus"].get<int>() >= 1);
    CHECK(info["memTotal"].get<int64_t>() > 0);
    CHECK(info["idMappings"]["uidmap"].empty() == !paths.rootless);
    REQUIRE(info["helpers"].is_object());
    if (auto sh = find_program("runc")) {
        CHECK(info["helpers"]["runc"]["path"] == *sh);
        CHECK(info["helpers"]["runc"]["version"].get<std::string>().rfind("runc", 0) == 0);
    } else {
        CHECK_FALSE(info["helpers"].contains("runc"));
    }
    if (auto p = find_program("newuidmap"))
        CHECK(info["helpers"]["newuidmap"] == *p);
}

TEST_CASE("uptime_text prints as Podman does")
{
    CHECK(uptime_text(13757.42) == "3h 49m 17.00s (Approximately 0.12 days)");
    CHECK(uptime_text(59.9) == "0h 0m 59.00s");
    CHECK(uptime_text(90061) == "25h 1m 1.00s (Approximately 1.04 days)");
}

TEST_CASE("cpu_utilization and memory_info read /proc")
{
    Json cpu = cpu_utilization("cpu  6958 100 1682 1360 5 0 3 0 0 0\ncpu0 1 2 3 4\n");
    CHECK(cpu["userPercent"] == 69.58);
    CHECK(cpu["systemPercent"] == 16.82);
    CHECK(cpu["idlePercent"] == 13.6);
    Json mem = memory_info("MemTotal:       24683784 kB\nMemFree:        12948356 kB\nMemAvailable:   1 kB\nSwapTotal:             0 kB\nSwapFree: 0 kB\n");
    CHECK(mem["memTotal"] == 24683784LL * 1024);
    CHECK(mem["memFree"] == 12948356LL * 1024);
    CHECK(mem["swapTotal"] == 0);
}

TEST_CASE("owning_packages says Unknown for what no package owns")
{
    auto packages = owning_packages({ "/nonexistent/berth-test-program" });
    CHECK(packages["/nonexistent/berth-test-program"] == "Unknown");
    if (fs::exists("/usr/bin/dpkg") && fs::exists("/usr/bin/dpkg-query"))
        CHECK(owning_packages({ "/usr/bin/dpkg" })["/usr/bin/dpkg"].rfind("dpkg_", 0) == 0);
}
