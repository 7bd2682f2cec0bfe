// What `build` does to the image its last step made before naming it: the
// flags that shape the output rather than the steps (--format, --squash,
// --squash-all, --timestamp, --platform/--os/--arch/--variant). The pure
// parts are here (flag parsing, the config members only Docker's format
// has); finalize.cpp writes the image.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

enum class ImageFormat { Oci, Docker };

/// The image's shape, from build's flags.
struct OutputOptions {
    ImageFormat format = ImageFormat::Oci;      ///< --format (BUILDAH_FORMAT when not given)
    bool squash = false;                        ///< --squash: the build's new layers as one
    bool squash_all = false;                    ///< --squash-all: one layer in total
    std::optional<int64_t> timestamp;           ///< --timestamp: created times and the new layers' file mtimes
    std::string os, architecture, variant;      ///< --platform/--os/--arch/--variant; empty: as the steps made it
    std::map<std::string, std::string> annotations;  ///< --annotation: the OCI manifest's (a Docker manifest has none)
    std::optional<std::string> os_version;      ///< --os-version: the config's "os.version" instead of the base's
    std::vector<std::string> os_features;       ///< --os-feature: added to "os.features"; "NAME-" removes NAME
    bool omit_history = false;                  ///< --omit-history: no history entries in the config

    bool platform_given() const { return !os.empty() || !architecture.empty() || !variant.empty(); }
};

/// --format / BUILDAH_FORMAT: "oci" or "docker" ("" is oci).
Result<ImageFormat> parse_image_format(std::string_view text);

/// --platform "os/arch[/variant]" into `out`: both os and arch are needed, as Podman asks.
ErrorOr parse_build_platform(std::string_view text, OutputOptions& out);

/// --annotation KEY=VALUE, or KEY alone for an empty value (as Podman); the key may not be empty.
ErrorOr parse_build_annotation(std::string_view text, OutputOptions& out);

/// The config document's "os.features" after --os-feature's additions and
/// "NAME-" removals (Podman's rule), in order, each once; `base` is the
/// image's list (null when it has none).
Json os_features(Json const& base, std::vector<std::string> const& changes);

/// --timestamp: whole seconds since the epoch, not negative.
Result<int64_t> parse_build_timestamp(std::string_view text);

/// -o/--output: where the final image's root filesystem is exported after
/// the build (the image is still made and tagged, as Podman does).
struct BuildOutput {
    enum class Kind { None, Local, Tar } kind = Kind::None;
    std::string dest;  ///< a directory (Local), a file (Tar), or "-" for standard output (Tar)
};

/// An -o value: `type=local,dest=DIR`, `type=tar,dest=FILE` (`dest=-`:
/// standard output), `-` (a tar on standard output), or a bare DIR (local).
/// A value without a comma is a DIR, as Podman takes it, unless it starts
/// with `type=` or `dest=`, which is an incomplete option list (Podman would
/// make a directory of that name). Errors name -o and the accepted forms.
Result<BuildOutput> parse_build_output(std::string_view text);

/// The OCI format has no Healthcheck, Shell or OnBuild: they are removed from
/// the image config document's "config" object (`config` is the whole
/// document), and a warning for each (Podman's words) is returned.
std::vector<std::string> drop_docker_only(Json& config);

} // namespace berth::build
