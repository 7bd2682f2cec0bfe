#include "engine/context.h"

#include "engine/interchange.h"

#include "rootless/userns.h"

namespace berth::engine {

Result<rootless::Paths> resolve_paths(GlobalOptions const& options)
{
    return rootless::default_paths(options.root, options.runroot);
}

Result<Context> open_context(GlobalOptions const& options)
{
    Context ctx;
    ctx.paths = TRY(resolve_paths(options));
    // Join (or create) the user namespace first: it must happen while the
    // process is single-threaded, and the store's files belong to it.
    TRY(rootless::enter(ctx.paths));
    store::StoreOptions so;
    so.data_dir = ctx.paths.data_dir;
    so.run_dir = ctx.paths.run_dir;
    so.rootless = ctx.paths.rootless;
    ctx.store = TRY(store::Store::open(so)); // its errors name the store already
    remove_stale_scratch(ctx.paths.data_dir);
    ctx.registries = TRY(image::RegistriesConf::load(ctx.paths.rootless));
    return ctx;
}

} // namespace berth::engine
