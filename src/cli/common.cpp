#include "cli/common.h"

#include "format/template.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

namespace berth::cli {

void print_error(std::string const& message)
{
    std::string line = "Error: " + message + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
}

int report(Error const& error)
{
    print_error(error.message);
    return exit_status(error.kind);
}

void discard_stdout()
{
    std::fflush(stdout);
    int null = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0) {
        ::dup2(null, STDOUT_FILENO);
        ::close(null);
    }
}

CLI::App& command_group(CLI::App& parent, std::string const& name, std::string const& description)
{
    for (auto* sub : parent.get_subcommands({}))
        if (sub->get_name() == name)
            return *sub;
    auto* group = parent.add_subcommand(name, description);
    group->require_subcommand(1);
    return *group;
}

CLI::App& container_group(CLI::App& parent)
{
    return command_group(parent, "container", "Manage containers");
}

int print_formatted(std::string const& text, std::vector<Json> const& rows, std::map<std::string, std::string> const& headers,
    berth::format::Heading heading)
{
    auto tmpl = format::Template::parse(text);
    if (!tmpl)
        return report(tmpl.error());
    auto out = tmpl->is_table() ? tmpl->render_table(rows, headers, heading) : tmpl->render_lines(rows);
    if (!out)
        return report(out.error());
    std::fwrite(out->data(), 1, out->size(), stdout);
    return 0;
}

int report_removal(Error const& error)
{
    int code = report(error);
    return error.code == ENOENT ? 1 : error.code == EBUSY ? 2 : code;
}

std::map<std::string, std::string> key_values(std::vector<std::string> const& items)
{
    std::map<std::string, std::string> out;
    for (auto const& item : items) {
        auto eq = item.find('=');
        out[item.substr(0, eq)] = eq == std::string::npos ? "" : item.substr(eq + 1);
    }
    return out;
}

namespace {

template<typename J>
void print_json_document(J const& value)
{
    std::string s = value.dump(4, ' ', false, J::error_handler_t::replace) + "\n";
    std::fwrite(s.data(), 1, s.size(), stdout);
}

} // namespace

void print_json(Json const& value)
{
    print_json_document(value);
}

void print_json(OrderedJson const& value)
{
    print_json_document(value);
}

void print_table(std::vector<std::vector<std::string>> const& rows)
{
    std::string s = format::tabwrite(rows);
    std::fwrite(s.data(), 1, s.size(), stdout);
}

namespace {

/// Decimal units with `digits` significant digits (%g trims trailing zeros) and `separator` before the unit.
std::string scaled_size(int64_t bytes, int digits, char const* separator)
{
    static char const* const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1000.0 && u < 5) {
        v /= 1000.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*g%s%s", digits, v, separator, units[u]);
    return buf;
}

} // namespace

// Three significant digits, trailing zeros trimmed: 4.86 MB, 12.3 kB, 100 B.
std::string human_size(int64_t bytes) { return scaled_size(bytes, 3, " "); }

std::string human_size_compact(int64_t bytes) { return scaled_size(bytes, 4, ""); }

std::string human_ago(int64_t when)
{
    if (when <= 0)
        return "unknown";
    int64_t d = static_cast<int64_t>(std::time(nullptr)) - when;
    if (d < 1)
        return "Less than a second ago";
    auto plural = [](int64_t n, char const* unit) { return std::to_string(n) + " " + unit + (n == 1 ? "" : "s") + " ago"; };
    if (d < 60)
        return plural(d, "second");
    if (d < 120)
        return "About a minute ago";
    if (d < 3600)
        return plural(d / 60, "minute");
    if (d < 7200)
        return "About an hour ago";
    if (d < 3600 * 48)
        return plural(d / 3600, "hour");
    if (d < 86400 * 7 * 2)
        return plural(d / 86400, "day");
    if (d < 86400 * 30 * 2)
        return plural(d / (86400 * 7), "week");
    if (d < 86400 * 365 * 2)
        return plural(d / (86400 * 30), "month");
    return plural(d / (86400 * 365), "year");
}

std::string go_time(int64_t when)
{
    char buf[64];
    time_t t = static_cast<time_t>(when);
    struct tm tm {};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
    return buf;
}

std::string read_stdin()
{
    return std::string(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
}

ErrorOr read_cidfiles(std::vector<std::string> const& files, std::vector<std::string>& ids, bool skip_missing)
{
    for (auto const& f : files) {
        std::ifstream in(f);
        std::string id;
        if (in >> id)
            ids.push_back(id);
        else if (!skip_missing)
            return Error { ENOENT, "reading CIDFile " + f + ": no such file or directory" };
    }
    return {};
}

bool is_tty(int fd) { return ::isatty(fd) == 1; }

Result<bool> confirm(std::string const& warning)
{
    std::fputs(warning.c_str(), stdout);
    std::fputs("Are you sure you want to continue? [y/N] ", stdout);
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer) && answer.empty())
        return Error::msg("no answer to the question on stdin: use -f/--force to go on without asking");
    return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

} // namespace berth::cli
