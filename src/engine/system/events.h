// Events: an append-only file of what happened to containers and images
// (run_dir/events/events.log, one JSON line per event, Podman's field names),
// written by every command that changes something and read by `berth events`.
//
// The hard part is concurrency without a daemon: many berth processes append
// at once, so each event is one write(2) of one line on an O_APPEND
// descriptor (well under PIPE_BUF), which the kernel never interleaves, and a
// reader skips a torn or unparsable line instead of failing.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "container/container_store.h"
#include "rootless/paths.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace berth::engine {

struct Event {
    std::string type;      ///< "container", "image", "volume"
    std::string status;    ///< "create", "start", "stop", "died", "remove", "pull", "tag" ...
    std::string id;
    std::string name;
    std::string image;
    int64_t time_ns = 0;   ///< nanoseconds since the epoch
    std::map<std::string, std::string> attributes;

    /// One line of the events file (Podman's JSON: ID, Image, Name, Status, Time, Type, Attributes, timeNano).
    Json to_json() const;
    static Result<Event> from_json(Json const& j);
};

/// run_dir/events/events.log.
std::string events_file(rootless::Paths const& paths);
/// Appends an event (time set to now when 0). Best effort: a failure is logged, never returned,
/// because no command should fail after its work is done just because its event was not written.
void record_event(rootless::Paths const& paths, Event event);
/// A container event with the record's id, name, image and labels as attributes.
void record_container_event(rootless::Paths const& paths, std::string const& status, container::ContainerRecord const& rec,
    std::map<std::string, std::string> extra = {});
/// An image event ("pull", "tag", "untag", "remove" ...).
void record_image_event(rootless::Paths const& paths, std::string const& status, std::string const& id, std::string const& name);

/// Reads events from `offset` (bytes) on; `offset` is moved past the last complete line read.
Result<std::vector<Event>> read_events(rootless::Paths const& paths, uint64_t& offset);

/// Nanoseconds since the epoch now.
int64_t now_ns();

} // namespace berth::engine
