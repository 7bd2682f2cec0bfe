// Fuzz target: the monitor's protocol (monitor/protocol.h): the sync-pipe
// line, the exit and launch files, an attach resize packet and
// berth-monitor's command line (input split at NUL into argv). An error line
// berth encodes must decode to the same error.
#include "fuzz.h"
#include "monitor/monitor.h"
#include "monitor/protocol.h"

using namespace berth;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    std::string text(fuzz::as_text(data, size));
    (void)monitor::decode(text);
    (void)monitor::parse_exit_text(text);
    (void)monitor::parse_launch_text(text);
    (void)monitor::parse_resize(text.c_str());

    Error error = Error::msg(text);
    error.code = static_cast<int>(size);
    auto reply = monitor::decode(monitor::encode_error(error));
    FUZZ_CHECK(reply && reply->error);
    std::string flat = text;
    for (auto& c : flat)
        if (c == '\n')
            c = ' ';
    FUZZ_CHECK(reply->error->message == flat && reply->error->code == error.code);

    auto words = fuzz::fields(data, size, 1);
    std::vector<char*> argv { const_cast<char*>("berth-monitor") };
    for (auto& w : words)
        argv.push_back(w.data());
    argv.push_back(nullptr);
    monitor::MonitorArgs args;
    (void)monitor::parse_args(static_cast<int>(argv.size() - 1), argv.data(), args);
    return 0;
}
