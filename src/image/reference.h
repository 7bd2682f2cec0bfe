// Image references parsed as Docker does: "alpine" -> docker.io/library/alpine:latest,
// "quay.io/x/y@sha256:..." etc. Grammar: distribution/reference
// (domain[:port]/path[:tag][@digest]); the domain is the first component if it
// contains '.' or ':' or is "localhost"; repository path components are
// lowercase [a-z0-9]+ separated by '.', '_', '__' or '-'+; tags match
// [\w][\w.-]{0,127}.
#pragma once

#include "base/error.h"
#include "image/digest.h"

#include <optional>
#include <string>
#include <string_view>

namespace berth::image {

struct Reference {
    std::string domain;      ///< "docker.io", "localhost:5000", or "" for a short name not yet resolved
    std::string path;        ///< "library/alpine", "user/app"
    std::string tag;         ///< "latest" if neither tag nor digest was given (after normalize)
    std::optional<Digest> digest;

    /// Parses a reference. A short name ("alpine", "user/app") keeps domain "" so
    /// registries.conf can resolve it; errors name the input and what is wrong.
    static Result<Reference> parse(std::string_view text);
    /// Parses and fills in Docker's defaults: docker.io, library/, :latest.
    static Result<Reference> parse_normalized(std::string_view text);
    /// Parses a reference whose first component is always the registry host,
    /// even without '.', ':' or "localhost" ("myregistry/ns/app:1"); used for
    /// registries.conf locations. The text must contain a '/'.
    static Result<Reference> parse_qualified(std::string_view text);
    /// This short name placed on `domain` ("docker.io" adds library/ to a
    /// single-component path) with the :latest default when there is neither
    /// tag nor digest.
    Reference with_domain(std::string_view domain) const;
    /// Fills in :latest when there is neither a tag nor a digest.
    Reference with_default_tag() const;

    bool is_short_name() const { return domain.empty(); }
    /// "docker.io/library/alpine"
    std::string repository() const;
    /// "docker.io/library/alpine:latest" or "...@sha256:..." or "...:tag@sha256:..."
    std::string str() const;
    /// The tag or digest part used to fetch a manifest: digest if set, else tag.
    std::string manifest_ref() const;
    /// Domain used for the HTTP API: docker.io maps to registry-1.docker.io.
    std::string api_host() const;

    bool operator==(Reference const&) const = default;
};

} // namespace berth::image
