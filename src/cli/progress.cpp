// progress.h: the lines Podman prints while copying images, and the bars.
#include "cli/progress.h"

#include "cli/common.h"

#include <algorithm>
#include <cstdio>
#include <memory>

namespace berth::cli {

std::string short_digest(std::string const& digest)
{
    auto colon = digest.find(':');
    return colon == std::string::npos ? digest : digest.substr(colon + 1, 12);
}

ProgressBar::ProgressBar() : m_tty(is_tty(2)) {}

void ProgressBar::draw(std::string const& digest, int64_t done, int64_t total)
{
    if (!m_tty)
        return;
    auto now = std::chrono::steady_clock::now();
    if (now - m_last_draw < std::chrono::milliseconds(100))
        return;
    m_last_draw = now;
    double secs = std::chrono::duration<double>(now - m_begin).count();
    std::string speed = secs > 0 ? human_size(static_cast<int64_t>(static_cast<double>(done) / secs)) + "/s" : "";
    int const width = 30;
    int filled = total > 0 ? static_cast<int>(width * done / total) : 0;
    std::string bar(static_cast<size_t>(std::clamp(filled, 0, width)), '=');
    bar.resize(static_cast<size_t>(width), ' ');
    std::fprintf(stderr, "\r\033[KCopying blob %s [%s] %s / %s %s", short_digest(digest).c_str(), bar.c_str(),
        human_size(done).c_str(), human_size(total).c_str(), speed.c_str());
}

void ProgressBar::clear()
{
    if (m_tty && m_last_draw != std::chrono::steady_clock::time_point {})
        std::fprintf(stderr, "\r\033[K");
}

engine::CopyObserver copy_progress(bool quiet)
{
    if (quiet)
        return {};
    struct State {
        bool started = false;
        ProgressBar bar;
    };
    auto state = std::make_shared<State>();
    return [state](engine::CopyEvent const& e) {
        using K = engine::CopyEvent::Kind;
        if (!state->started) {
            state->started = true;
            std::fprintf(stderr, "Getting image source signatures\n");
        }
        std::string digest = short_digest(e.digest);
        if (e.kind != K::BlobProgress)
            state->bar.clear();
        switch (e.kind) {
        case K::BlobProgress:
            state->bar.draw(e.digest, e.done, e.total);
            break;
        case K::BlobDone:
            std::fprintf(stderr, "Copying blob %s done\n", digest.c_str());
            break;
        case K::BlobSkipped:
            std::fprintf(stderr, "Copying blob %s skipped: already exists\n", digest.c_str());
            break;
        case K::ConfigDone:
            std::fprintf(stderr, "Copying config %s done\n", digest.c_str());
            break;
        case K::ManifestWritten:
            std::fprintf(stderr, "Writing manifest to image destination\n");
            break;
        }
    };
}

} // namespace berth::cli
