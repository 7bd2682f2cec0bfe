#include "cli/commands.h"

namespace berth::cli {

std::optional<engine::Context> open_or_report(Globals const& globals, int& exit_code)
{
    auto ctx = engine::open_context(globals.engine);
    if (!ctx) {
        exit_code = report(ctx.error());
        return std::nullopt;
    }
    return std::move(ctx).value();
}

} // namespace berth::cli
