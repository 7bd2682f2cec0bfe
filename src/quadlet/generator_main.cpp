// berth-generator: the systemd generator that turns Quadlet files
// (.container, .volume, .network, .pod, .kube, .image, .build) into
// services (systemd.generator(7)). systemd runs it at boot and at every
// daemon-reload as `berth-generator NORMAL_DIR EARLY_DIR LATE_DIR` (with
// -user, or as berth-user-generator, for the user manager, as Podman's quadlet);
// it writes NAME.service into NORMAL_DIR. A broken file is reported (systemd
// shows generator output in its log) and skipped: the others still get units.
//
//   berth-generator [-user] [-dryrun] NORMAL_DIR [EARLY_DIR LATE_DIR]
//   berth-generator [-user] -dryrun             (prints the units instead)
#include "base/sys.h"
#include "berth_config.h"
#include "quadlet/sources.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace berth;

namespace {

/// The berth binary the units run: $BERTH_BINARY, else `berth` beside this
/// program (the build tree), else the installed one.
std::string berth_binary()
{
    if (char const* b = std::getenv("BERTH_BINARY"); b && *b)
        return b;
    if (auto self = sys::readlink("/proc/self/exe")) {
        std::string beside = self->substr(0, self->rfind('/') + 1) + "berth";
        if (::access(beside.c_str(), X_OK) == 0)
            return beside;
    }
    std::string libexec = BERTH_LIBEXECDIR;  // PREFIX/libexec/berth → PREFIX/bin/berth
    auto cut = libexec.rfind("/libexec");
    return (cut == std::string::npos ? std::string("/usr/local") : libexec.substr(0, cut)) + "/bin/berth";
}

int usage()
{
    std::fputs("usage: berth-generator [-user] [-dryrun] NORMAL_DIR [EARLY_DIR LATE_DIR]\n", stderr);
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    // Installed as berth-user-generator for the user manager, as Podman's quadlet.
    std::string_view self = argv[0];
    bool user = self.substr(self.rfind('/') + 1).find("user") != std::string_view::npos, dry_run = false;
    std::vector<std::string> dirs;
    for (int i = 1; i < argc; ++i) {
        std::string_view a = argv[i];
        if (a == "-user" || a == "--user")
            user = true;
        else if (a == "-dryrun" || a == "--dryrun")
            dry_run = true;
        else if (!a.empty() && a[0] == '-')
            return usage();
        else
            dirs.emplace_back(a);
    }
    if ((dirs.empty() && !dry_run) || dirs.size() > 3)
        return usage();
    auto search = quadlet::search_dirs(user);
    auto sources = quadlet::find_sources(search);
    auto env = quadlet::generator_environment(berth_binary(), sources, search);
    int status = 0;
    for (auto const& source : sources) {
        auto fail = [&](Error const& e) {
            std::fprintf(stderr, "berth-generator: %s: %s\n", source.path.c_str(), e.message.c_str());
            status = 1;
        };
        auto file = quadlet::load_source(source, search);
        if (!file) {
            fail(file.error());
            continue;
        }
        auto text = quadlet::service_text(source, *file, env);
        if (!text) {
            fail(text.error());
            continue;
        }
        std::string service = env.service_of(source.name);
        if (dry_run) {
            std::printf("---%s---\n%s\n", service.c_str(), text->c_str());
            continue;
        }
        if (auto written = quadlet::write_service(dirs[0], service, *text, *file); !written)
            fail(written.error());
    }
    return status;
}
