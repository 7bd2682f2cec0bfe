// berth events: what happened to containers and images, from the append-only
// events file (engine/system/events.h). Podman's line format, --filter, --since,
// --until, --format (Go template or json) and --stream=false; streaming polls
// the file and ends on SIGINT/SIGTERM or once --until has passed.
#include "cli/commands.h"
#include "base/timestamp.h"
#include "engine/system/events.h"
#include "format/template.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <thread>

namespace berth::cli {

namespace {

struct EventsArgs {
    std::vector<std::string> filters;
    std::string since, until, format;
    bool stream = true;
    bool no_trunc = true;
};

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

/// Unix seconds (with fraction), RFC 3339, or a duration before now (10m, 1h30m, 45s): nanoseconds.
Result<int64_t> parse_when(std::string const& text)
{
    auto invalid = Error { EINVAL, "invalid time \"" + text + "\": use a timestamp (RFC 3339 or unix seconds) or a duration like 10m" };
    if (text.empty())
        return invalid;
    if (text.find_first_not_of("0123456789.") == std::string::npos)
        return static_cast<int64_t>(std::strtod(text.c_str(), nullptr) * 1e9);
    if (auto t = timestamp::parse_rfc3339(text); t > 0)
        return t * 1000000000;
    double total = 0;
    char const* p = text.c_str();
    while (*p) {
        char* end = nullptr;
        double n = std::strtod(p, &end);
        if (end == p)
            return invalid;
        std::string unit;
        while (*end && !std::isdigit(static_cast<unsigned char>(*end)) && *end != '.')
            unit += *end++;
        double mult = unit == "h" ? 3600 : unit == "m" ? 60 : unit == "s" ? 1 : unit == "ms" ? 0.001 : -1;
        if (mult < 0)
            return invalid;
        total += n * mult;
        p = end;
    }
    return engine::now_ns() - static_cast<int64_t>(total * 1e9);
}

/// "2026-11-28 14:44:50.78435755 +0000 UTC" (Go's time.Time String(), trailing zeros trimmed).
std::string go_time_ns(int64_t ns)
{
    time_t secs = static_cast<time_t>(ns / 1000000000);
    struct tm tm {};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    std::string out = buf;
    if (int64_t frac = ns % 1000000000) {
        char f[16];
        std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
        std::string fs = f;
        while (fs.back() == '0')
            fs.pop_back();
        out += fs;
    }
    return out + " +0000 UTC";
}

std::string human_line(engine::Event const& e)
{
    std::string line = go_time_ns(e.time_ns) + " " + e.type + " " + e.status + " " + e.id;
    if (e.type != "container")
        return line + (e.name.empty() ? "" : " " + e.name);
    line += " (image=" + e.image + ", name=" + e.name;
    for (auto const& [k, v] : e.attributes)
        if (k != "image" && k != "name")
            line += ", " + k + "=" + v;
    return line + ")";
}

struct Filters {
    std::map<std::string, std::vector<std::string>> by_key;
    bool matches(engine::Event const& e) const
    {
        for (auto const& [key, values] : by_key) {
            bool any = false;
            for (auto const& v : values) {
                if (key == "type")
                    any = any || e.type == v;
                else if (key == "event" || key == "status")
                    any = any || e.status == v;
                else if (key == "container")
                    any = any || (e.type == "container" && (e.name == v || (!v.empty() && e.id.rfind(v, 0) == 0)));
                else if (key == "image")
                    any = any || (e.type == "image" ? (e.name == v || (!v.empty() && e.id.rfind(v, 0) == 0)) : e.image == v || e.image.rfind(v + ":", 0) == 0);
                else if (key == "label") {
                    auto eq = v.find('=');
                    auto it = e.attributes.find(v.substr(0, eq));
                    any = any || (it != e.attributes.end() && (eq == std::string::npos || it->second == v.substr(eq + 1)));
                }
            }
            if (!any)
                return false;
        }
        return true;
    }
};

int run_events(EventsArgs const& a, Globals const& globals)
{
    Filters filters;
    for (auto const& f : a.filters) {
        auto eq = f.find('=');
        if (eq == std::string::npos)
            return report(Error { EINVAL, "invalid filter \"" + f + "\": use KEY=VALUE" });
        std::string key = f.substr(0, eq);
        if (key != "type" && key != "event" && key != "status" && key != "container" && key != "image" && key != "label")
            return report(Error { EINVAL, key + " is an invalid filter: valid filters are type, event, container, image, label" });
        filters.by_key[key].push_back(f.substr(eq + 1));
    }
    int64_t since = INT64_MIN, until = INT64_MAX;
    if (!a.since.empty()) {
        auto t = parse_when(a.since);
        if (!t)
            return report(t.error());
        since = *t;
    }
    if (!a.until.empty()) {
        auto t = parse_when(a.until);
        if (!t)
            return report(t.error());
        until = *t;
    }
    auto paths = engine::resolve_paths(globals.engine);
    if (!paths)
        return report(paths.error());
    std::optional<format::Template> tmpl;
    bool json = a.format == "json" || a.format == "{{json .}}";
    if (!a.format.empty() && !json) {
        auto parsed = format::Template::parse(a.format);
        if (!parsed)
            return report(parsed.error());
        tmpl.emplace(std::move(*parsed));
    }
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    uint64_t offset = 0;
    // Without --since, a stream starts at the end: only new events, like Podman.
    bool skip_old = a.stream && a.since.empty() && a.until.empty();
    for (bool first = true;; first = false) {
        auto events = engine::read_events(*paths, offset);
        if (!events)
            return report(events.error());
        for (auto e : *events) {
            if ((first && skip_old) || e.time_ns < since || e.time_ns > until || !filters.matches(e))
                continue;
            if (!a.no_trunc && e.id.size() > 12)  // --no-trunc=false: short IDs, as Podman
                e.id.resize(12);
            std::string line;
            if (json) {
                Json j = e.to_json();
                j.erase("timeNano");
                line = json::dump(j);
            } else if (tmpl) {
                Json j = e.to_json();
                j["Time"] = go_time_ns(e.time_ns);
                auto out = tmpl->render_lines({ j });
                if (!out)
                    return report(out.error());
                line = *out;
                if (!line.empty() && line.back() == '\n')
                    line.pop_back();
            } else {
                line = human_line(e);
            }
            std::printf("%s\n", line.c_str());
        }
        std::fflush(stdout);
        if (!a.stream || g_stop || engine::now_ns() > until)
            return 0;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        if (g_stop)
            return 0;
    }
}

} // namespace

void setup_events(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<EventsArgs>();
    auto* cmd = parent.add_subcommand("events", "Show berth events");
    cmd->add_option("-f,--filter", a->filters, "Filter output: type=, event=, container=, image=, label=");
    cmd->add_option("--since", a->since, "Show events created since this timestamp or duration (10m)");
    cmd->add_option("--until", a->until, "Show events created until this timestamp or duration");
    cmd->add_option("--format", a->format, "Format the output using a Go template, or 'json'");
    cmd->add_flag("--stream", a->stream, "Stream new events (default); --stream=false prints the past ones and exits");
    cmd->add_flag("--no-trunc", a->no_trunc, "Do not truncate the output (the default; --no-trunc=false prints 12-character IDs)");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_events(*a, globals); });
}

} // namespace berth::cli
