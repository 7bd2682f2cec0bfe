// `ps --sort`. See ps_sort.h.
#include "engine/containers/ps_sort.h"

#include <algorithm>
#include <utility>

namespace berth::engine {

namespace {

constexpr std::pair<char const*, PsSort> sort_keys[] = { { "command", PsSort::Command }, { "created", PsSort::Created },
    { "id", PsSort::Id }, { "image", PsSort::Image }, { "names", PsSort::Names }, { "runningfor", PsSort::RunningFor },
    { "size", PsSort::Size }, { "status", PsSort::Status } };

std::string joined_command(PsEntry const& e)
{
    std::string out;
    for (auto const& word : e.command)
        out += (out.empty() ? "" : " ") + word;
    return out;
}

/// Podman's order of states (libpod's ContainerStatus values): created, running, paused, exited.
int state_rank(container::State state)
{
    switch (state) {
    case container::State::Created:
        return 0;
    case container::State::Initialized:
        return 1;
    case container::State::Running:
        return 2;
    case container::State::Paused:
        return 3;
    case container::State::Exited:
        return 4;
    }
    return 5;
}

} // namespace

Result<PsSort> parse_ps_sort(std::string const& key)
{
    for (auto const& [name, value] : sort_keys)
        if (key == name)
            return value;
    return Error { EINVAL, "invalid argument \"" + key + "\" for \"--sort\" flag: \"" + key
            + "\" is not a valid value.  Choose from: \"command, created, id, image, names, runningfor, size, status\"" };
}

void sort_ps_entries(std::vector<PsEntry>& entries, PsSort by)
{
    auto less = [by](PsEntry const& a, PsEntry const& b) {
        auto const &ra = a.record, &rb = b.record;
        switch (by) {
        case PsSort::Command:
            return joined_command(a) < joined_command(b);
        case PsSort::Created:
        case PsSort::RunningFor:  // running for as long as it exists: RunningFor counts from creation
            return ra.created < rb.created;
        case PsSort::Id:
            return ra.id < rb.id;
        case PsSort::Image:
            return ra.image_name < rb.image_name;
        case PsSort::Names:
            return ra.name < rb.name;
        case PsSort::Size:
            return a.rw_size + a.image_size < b.rw_size + b.image_size;
        case PsSort::Status:
            return state_rank(ra.state) < state_rank(rb.state);
        }
        return false;
    };
    std::stable_sort(entries.begin(), entries.end(), less);
}

} // namespace berth::engine
