// `generate systemd`: reads a container's or pod's records and hands them to
// the pure unit generator (generate/systemd.h).
#pragma once

#include "engine/context.h"
#include "generate/systemd.h"

#include <string>
#include <vector>

namespace berth::engine {

struct SystemdRequest {
    std::string name_or_id;             ///< a container, else a pod
    generate::SystemdOptions options;
    generate::FlagArity arity;          ///< the CLI's boolean flags, to walk create commands
    std::string executable;             ///< berth's absolute path
    std::vector<std::string> global_args;  ///< global flags of the generate command line, carried into non---new units
};

/// The units of the container (one) or the pod (the pod's, then its members').
/// A name that is neither: "X does not refer to a container or pod".
Result<std::vector<generate::Unit>> generate_systemd(Context& ctx, SystemdRequest const& request);

/// `--files`: writes each unit to DIR/NAME.service (replacing it); returns the paths.
Result<std::vector<std::string>> write_unit_files(std::vector<generate::Unit> const& units, std::string const& dir);

/// This berth's absolute path (/proc/self/exe), the binary the units run.
Result<std::string> berth_executable();

} // namespace berth::engine
