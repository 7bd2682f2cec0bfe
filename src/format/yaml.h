// YAML output as Podman prints `podman info`: the JSON document turned into
// YAML by sigs.k8s.io/yaml (go-yaml v2), so keys come sorted, sequences sit
// at their key's indentation, and a string is quoted only where a plain
// scalar would read as something else.
//
// The hard part is choosing a string's style the way go-yaml does: "12" or
// "true" would read back as a number or a bool, so they get double quotes; a
// ": " or a leading indicator character makes a plain scalar invalid, so such
// strings get single quotes; text with line breaks becomes a literal block
// (`|-`). Anything with control characters falls back to double quotes.
#pragma once

#include "base/json.h"

#include <string>

namespace berth::format {

/// The document as go-yaml v2 writes it, every line ending in '\n'.
/// Objects print their keys in Json's (sorted) order; empty ones as {} and [].
std::string to_yaml(Json const& document);

} // namespace berth::format
