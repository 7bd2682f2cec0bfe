// build_spec(): the JSON spec parsed into runtime::Spec, with the seccomp
// profile filled in. Kept apart from spec_builder.cpp so the pure builder and
// its tests do not pull the runtime's parser and seccomp tables in.
#include "base/fs.h"
#include "container/spec_builder.h"

namespace berth::container {

Result<runtime::Spec> build_spec(image::ImageConfig const& image, CreateOptions const& options, SpecContext const& ctx)
{
    auto json = TRY(build_spec_json(image, options, ctx));
    auto spec = TRY_CTX(runtime::Spec::parse(json), "container spec");
    std::string seccomp = spec.annotations["io.berth.seccomp"];
    if (seccomp == "default") {
        spec.linux_config.seccomp = runtime::default_spec().linux_config.seccomp;
    } else if (seccomp != "unconfined") {
        auto text = TRY_CTX(fs::read_file(seccomp), "seccomp profile " + seccomp);
        spec.linux_config.seccomp = TRY(json::parse(text, "seccomp profile " + seccomp));
    }
    return spec;
}

} // namespace berth::container
