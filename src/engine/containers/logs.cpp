// Reading container logs back: log_settings() (the flags), parsing both
// formats, the filters, and following. See logs.h.
#include "engine/containers/logs.h"

#include "base/fs.h"
#include "base/json.h"
#include "base/process_stat.h"
#include "base/timestamp.h"
#include "container/options.h"
#include "engine/containers/containers.h"
#include "monitor/monitor.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <memory>
#include <sys/stat.h>
#include <thread>

namespace berth::engine {

Result<LogSettings> log_settings(container::CreateOptions const& options, std::string const& bundle_dir)
{
    LogSettings s;
    if (!options.log_driver.empty())
        s.driver = options.log_driver;
    if (s.driver == "journald" || s.driver == "passthrough")
        return Error { ENOTSUP, "log driver " + s.driver + ": not supported by berth yet: use k8s-file, json-file or none" };
    if (s.driver != "k8s-file" && s.driver != "json-file" && s.driver != "none")
        return Error { EINVAL, "invalid log driver \"" + s.driver + "\": use k8s-file, json-file or none" };
    s.path = fs::join(bundle_dir, "ctr.log");
    for (auto const& opt : options.log_opts) {
        auto eq = opt.find('=');
        std::string key = opt.substr(0, eq), value = eq == std::string::npos ? "" : opt.substr(eq + 1);
        if (key == "path" && !value.empty() && value[0] == '/') {
            s.path = value;
        } else if (key == "max-size") {
            char* end = nullptr;
            double n = std::strtod(value.c_str(), &end);
            std::string unit = end ? end : "";
            for (auto& c : unit)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (!unit.empty() && unit.back() == 'b')
                unit.pop_back();
            double mult = unit.empty() ? 1 : unit == "k" ? 1e3 : unit == "m" ? 1e6 : unit == "g" ? 1e9 : -1;
            if (value.empty() || end == value.c_str() || mult < 0 || n < 0)
                return Error { EINVAL, "invalid --log-opt max-size=\"" + value + "\": use a size like 10k, 5m or 1g" };
            s.max_size = static_cast<int64_t>(n * mult);
        } else if (key == "tag" || key == "max-file") {
            // Accepted like Podman; berth keeps one rotated file.
        } else {
            return Error { EINVAL, "invalid --log-opt \"" + opt + "\": use max-size=SIZE or path=/ABSOLUTE/FILE" };
        }
    }
    return s;
}

namespace {

/// "2024-01-02T03:04:05.123456789+02:00" -> ns; 0 when unparseable.
int64_t rfc3339_ns(std::string const& text)
{
    int64_t sec = timestamp::parse_rfc3339(text);
    if (sec == 0)
        return 0;
    int64_t frac = 0;
    auto dot = text.find('.');
    if (dot != std::string::npos && dot > 10) {
        int digits = 0;
        for (size_t i = dot + 1; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 9; ++i, ++digits)
            frac = frac * 10 + (text[i] - '0');
        for (; digits < 9; ++digits)
            frac *= 10;
    }
    // Years before 1678 or after 2262 do not fit in int64 nanoseconds: unparseable, not UB.
    int64_t ns = 0;
    if (__builtin_mul_overflow(sec, int64_t { 1000000000 }, &ns) || __builtin_add_overflow(ns, frac, &ns))
        return 0;
    return ns;
}

} // namespace

Result<int64_t> parse_log_time(std::string const& text, int64_t now)
{
    auto bad = Error { EINVAL, "invalid time \"" + text + "\": use RFC 3339 (2006-01-02T15:04:05Z), unix seconds or a duration (10m)" };
    if (text.empty())
        return bad;
    if (text.find('-') != std::string::npos && text.size() >= 10) {
        std::string t = text;
        if (t.size() == 10)
            t += "T00:00:00Z";
        else if (t.find('Z') == std::string::npos && t.find('+') == std::string::npos && t.rfind('-') < 10)
            t += "Z";
        int64_t ns = rfc3339_ns(t);
        if (ns == 0)
            return bad;
        return ns;
    }
    // Nanoseconds as a double to int64_t: out of range (or NaN) is an error, not undefined behaviour.
    auto to_ns = [&](double ns) -> Result<int64_t> {
        if (!(ns > -9.2e18 && ns < 9.2e18))
            return bad;
        return static_cast<int64_t>(ns);
    };
    char* end = nullptr;
    double number = std::strtod(text.c_str(), &end);
    if (end && *end == 0)
        return to_ns(number * 1e9);
    // A Go duration: sequences of NUMBER UNIT.
    double total = 0;
    char const* p = text.c_str();
    while (*p) {
        double n = std::strtod(p, &end);
        if (end == p)
            return bad;
        p = end;
        std::string unit;
        while (*p && !std::isdigit(static_cast<unsigned char>(*p)) && *p != '.')
            unit += *p++;
        double mult = unit == "h" ? 3600e9 : unit == "m" ? 60e9 : unit == "s" ? 1e9 : unit == "ms" ? 1e6 : unit == "us" ? 1e3 : unit == "ns" ? 1 : -1;
        if (mult < 0)
            return bad;
        total += n * mult;
    }
    int64_t ago = TRY(to_ns(total));
    int64_t since = 0;
    if (__builtin_sub_overflow(now, ago, &since))
        return bad;
    return since;
}

std::optional<LogLine> parse_log_line(std::string const& line, bool is_json, bool& partial)
{
    LogLine l;
    if (is_json) {
        auto j = json::parse(line, "log line");
        if (!j || !j->is_object())
            return std::nullopt;
        l.text = j->value("log", "");
        l.stream = j->value("stream", "stdout");
        l.time = j->value("time", "");
        partial = l.text.empty() || l.text.back() != '\n';
        if (!partial)
            l.text.pop_back();
    } else {
        auto a = line.find(' ');
        auto b = a == std::string::npos ? a : line.find(' ', a + 1);
        if (b == std::string::npos || b + 2 > line.size())
            return std::nullopt;
        l.time = line.substr(0, a);
        l.stream = line.substr(a + 1, b - a - 1);
        partial = line[b + 1] == 'P';
        l.text = b + 3 <= line.size() ? line.substr(b + 3) : "";
    }
    l.time_ns = rfc3339_ns(l.time);
    return l;
}

namespace {

/// Reads one log, turning records into lines; keeps partial text between calls.
class LogReader {
public:
    LogReader(bool json, LogsOptions const& o, std::function<void(LogLine const&)> emit) : m_json(json), m_options(o), m_emit(std::move(emit)) {}

    /// Feeds raw bytes; complete lines are parsed.
    void feed(std::string_view data)
    {
        m_raw += data;
        size_t start = 0, nl;
        while ((nl = m_raw.find('\n', start)) != std::string::npos) {
            record(m_raw.substr(start, nl - start));
            start = nl + 1;
        }
        m_raw.erase(0, start);
    }
    /// Without follow, the tail is known only at the end.
    void finish()
    {
        for (auto& [stream, pending] : m_pending)
            if (!pending.text.empty()) {
                pending.newline = false;
                deliver(pending);
            }
        m_pending.clear();
        for (auto const& l : m_tail)
            m_emit(l);
        m_tail.clear();
    }
    bool buffering() const { return m_options.tail >= 0 && !m_live; }
    void go_live()
    {
        finish();
        m_live = true;
    }

private:
    void record(std::string const& line)
    {
        bool partial = false;
        auto l = parse_log_line(line, m_json, partial);
        if (!l)
            return;
        // Partial records join with the next record of the same stream.
        auto& pending = m_pending[l->stream];
        if (pending.time.empty())
            pending = *l;
        else
            pending.text += l->text;
        if (partial)
            return;
        LogLine done = std::move(pending);
        m_pending.erase(l->stream);
        deliver(done);
    }
    void deliver(LogLine const& l)
    {
        if (m_options.since_ns && l.time_ns < *m_options.since_ns)
            return;
        if (m_options.until_ns && l.time_ns > *m_options.until_ns)
            return;
        if (buffering()) {
            if (m_options.tail == 0)
                return;
            m_tail.push_back(l);
            if (static_cast<int64_t>(m_tail.size()) > m_options.tail)
                m_tail.pop_front();
            return;
        }
        m_emit(l);
    }

    bool m_json;
    LogsOptions m_options;
    std::function<void(LogLine const&)> m_emit;
    std::string m_raw;
    std::map<std::string, LogLine> m_pending;  ///< per stream
    std::deque<LogLine> m_tail;
    bool m_live = false;
};

/// Reads what `file` holds from `offset` on into the reader; returns the new offset.
int64_t pump(std::FILE* file, LogReader& reader)
{
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0)
        reader.feed(std::string_view(buf, n));
    std::clearerr(file);
    return std::ftell(file);
}

ino_t inode_of(std::string const& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool still_running(Context& ctx, container::ContainerRecord& rec)
{
    bool active = rec.state == container::State::Running || rec.state == container::State::Paused;
    if (active && rec.monitor_start > 0 && process_start_time(rec.monitor_pid) == rec.monitor_start)
        return true;
    // Gone: refreshed from the store (a restart policy may have started a new monitor).
    auto fresh = find_container(ctx, rec.id);
    if (!fresh)
        return false;
    rec = *fresh;
    return (rec.state == container::State::Running || rec.state == container::State::Paused) && rec.monitor_start > 0
        && process_start_time(rec.monitor_pid) == rec.monitor_start;
}

} // namespace

namespace {

/// One container's log being read: what is stored first, then (with follow)
/// what its monitor appends, across rotations and restarts.
class LogFollower {
public:
    static Result<std::unique_ptr<LogFollower>> open(Context& ctx, container::ContainerRecord const& rec,
        LogsOptions const& options, std::function<void(LogLine const&)> emit)
    {
        auto create = TRY(container::CreateOptions::from_json(rec.config));
        auto settings = TRY(log_settings(create, container_bundle_dir(ctx, rec.id)));
        if (settings.driver == "none")
            return Error { ENOTSUP, "container " + rec.name + " has no logs: it was created with --log-driver none" };
        return std::unique_ptr<LogFollower>(new LogFollower(rec, settings.path, settings.driver == "json-file", options, std::move(emit)));
    }
    ~LogFollower()
    {
        if (m_file)
            std::fclose(m_file);
    }
    LogFollower(LogFollower const&) = delete;
    LogFollower& operator=(LogFollower const&) = delete;

    /// What is stored now: the rotated file, then the current one.
    void read_stored()
    {
        if (auto old = std::fopen((m_path + ".1").c_str(), "r")) {
            pump(old, m_reader);
            std::fclose(old);
        }
        m_file = std::fopen(m_path.c_str(), "r");
        m_inode = inode_of(m_path);
        if (m_file)
            pump(m_file, m_reader);
    }
    void finish() { m_reader.finish(); }
    void go_live(Context& ctx)
    {
        m_reader.go_live();
        m_running = still_running(ctx, m_rec);
    }
    /// One poll: reads what was appended; false once the container has stopped
    /// and its last lines are read.
    bool poll(Context& ctx)
    {
        bool rotated = m_file && inode_of(m_path) != m_inode;
        if (m_file)
            pump(m_file, m_reader);
        if (rotated) {
            // The rest of the old file is read: continue with the new one.
            std::fclose(m_file);
            m_file = nullptr;
        }
        if (!m_file) {
            m_file = std::fopen(m_path.c_str(), "r");
            m_inode = inode_of(m_path);
            if (m_file)
                pump(m_file, m_reader);
        }
        if (!m_running)
            return false;
        m_running = still_running(ctx, m_rec);  // one more read after it stopped
        return true;
    }

private:
    LogFollower(container::ContainerRecord const& rec, std::string path, bool json, LogsOptions const& options,
        std::function<void(LogLine const&)> emit)
        : m_rec(rec), m_path(std::move(path)), m_reader(json, options, std::move(emit))
    {
    }

    container::ContainerRecord m_rec;
    std::string m_path;
    LogReader m_reader;
    std::FILE* m_file = nullptr;
    ino_t m_inode = 0;
    bool m_running = false;
};

} // namespace

ErrorOr read_logs(Context& ctx, container::ContainerRecord const& rec, LogsOptions const& options,
    std::function<void(LogLine const&)> const& emit)
{
    return read_logs(ctx, std::vector<container::ContainerRecord> { rec }, options,
        [&](size_t, LogLine const& line) { emit(line); });
}

ErrorOr read_logs(Context& ctx, std::vector<container::ContainerRecord> const& records, LogsOptions const& options,
    std::function<void(size_t, LogLine const&)> const& emit)
{
    std::vector<std::unique_ptr<LogFollower>> followers;
    for (size_t i = 0; i < records.size(); ++i)
        followers.push_back(TRY(LogFollower::open(ctx, records[i], options, [&emit, i](LogLine const& l) { emit(i, l); })));
    // What is stored is printed container by container, as Podman does.
    for (auto& f : followers) {
        f->read_stored();
        if (options.follow)
            f->go_live(ctx);
        else
            f->finish();
    }
    if (!options.follow)
        return {};
    // Then every container at once: lines as they arrive, until all have stopped.
    for (;;) {
        bool any = false;
        for (auto& f : followers)
            if (f && !f->poll(ctx)) {
                f->finish();
                f.reset();
            } else if (f) {
                any = true;
            }
        if (!any)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return {};
}

} // namespace berth::engine
