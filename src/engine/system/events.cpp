// The events file: append one line per event, read lines back. See events.h.
#include "engine/system/events.h"

#include "base/fs.h"
#include "base/log.h"
#include "base/unique_fd.h"

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace berth::engine {

namespace {

/// "2026-11-28T14:44:51.578518577Z"
std::string rfc3339_nano(int64_t ns)
{
    time_t secs = static_cast<time_t>(ns / 1000000000);
    struct tm tm {};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char frac[16];
    std::snprintf(frac, sizeof frac, ".%09lldZ", static_cast<long long>(ns % 1000000000));
    return std::string(buf) + frac;
}

} // namespace

int64_t now_ns()
{
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

Json Event::to_json() const
{
    Json attrs = Json::object();
    for (auto const& [k, v] : attributes)
        attrs[k] = v;
    return Json {
        { "ID", id },
        { "Image", image },
        { "Name", name },
        { "Status", status },
        { "Time", rfc3339_nano(time_ns) },
        { "Type", type },
        { "Attributes", attrs },
        { "timeNano", time_ns },
    };
}

Result<Event> Event::from_json(Json const& j)
{
    if (!j.is_object() || !j.contains("timeNano") || !j["timeNano"].is_number_integer())
        return Error::msg("event: not an event line");
    Event e;
    e.id = j.value("ID", "");
    e.image = j.value("Image", "");
    e.name = j.value("Name", "");
    e.status = j.value("Status", "");
    e.type = j.value("Type", "");
    e.time_ns = j["timeNano"].get<int64_t>();
    if (j.contains("Attributes") && j["Attributes"].is_object())
        for (auto const& [k, v] : j["Attributes"].items())
            if (v.is_string())
                e.attributes[k] = v.get<std::string>();
    return e;
}

std::string events_file(rootless::Paths const& paths)
{
    return paths.layout().events_file();
}

void record_event(rootless::Paths const& paths, Event event)
{
    if (!paths.record_events)
        return;
    if (event.time_ns == 0)
        event.time_ns = now_ns();
    std::string path = events_file(paths);
    std::string line = json::dump(event.to_json()) + "\n";
    if (auto made = fs::mkdir_p(paths.layout().events_dir(), 0700); !made) {
        log::debug("record event: {}", made.error().message);
        return;
    }
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
    if (!fd) {
        log::debug("record event: open {}: {}", path, std::strerror(errno));
        return;
    }
    // One write of one line: O_APPEND makes it atomic with respect to other appenders.
    ssize_t n;
    do
        n = ::write(fd.get(), line.data(), line.size());
    while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(line.size()))
        log::debug("record event: short write to {}", path);
}

void record_container_event(rootless::Paths const& paths, std::string const& status, container::ContainerRecord const& rec,
    std::map<std::string, std::string> extra)
{
    Event e;
    e.type = "container";
    e.status = status;
    e.id = rec.id;
    e.name = rec.name;
    e.image = rec.image_name;
    e.attributes = std::move(extra);
    e.attributes["name"] = rec.name;
    e.attributes["image"] = rec.image_name;
    if (rec.config.contains("labels") && rec.config["labels"].is_array())
        for (auto const& l : rec.config["labels"])
            if (l.is_string()) {
                auto s = l.get<std::string>();
                auto eq = s.find('=');
                e.attributes.emplace(s.substr(0, eq), eq == std::string::npos ? "" : s.substr(eq + 1));
            }
    record_event(paths, std::move(e));
}

void record_image_event(rootless::Paths const& paths, std::string const& status, std::string const& id, std::string const& name)
{
    Event e;
    e.type = "image";
    e.status = status;
    e.id = id;
    e.name = name;
    record_event(paths, std::move(e));
}

Result<std::vector<Event>> read_events(rootless::Paths const& paths, uint64_t& offset)
{
    std::vector<Event> out;
    std::string path = events_file(paths);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT)
            return out;
        return Error::from_errno("open " + path);
    }
    std::string data;
    char buf[65536];
    for (;;) {
        ssize_t n = ::pread(fd.get(), buf, sizeof buf, static_cast<off_t>(offset + data.size()));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Error::from_errno("read " + path);
        if (n == 0)
            break;
        data.append(buf, static_cast<size_t>(n));
    }
    size_t start = 0;
    for (size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
        auto parsed = json::parse(std::string_view(data).substr(start, nl - start), "event");
        if (!parsed)
            continue;
        if (auto e = Event::from_json(*parsed))
            out.push_back(std::move(*e));
    }
    offset += start;
    return out;
}

} // namespace berth::engine
