// Executes a parsed template against one JSON value. Internal to src/format.
#pragma once

#include "format/ast.h"
#include "format/template.h"

namespace berth::format::detail {

/// Walks the tree with `data` as dot and $, appending the output to `out`.
/// Errors are unprefixed ("can't evaluate field Foo in type object").
/// `field_names` (may be null) maps Go field names that do not follow the
/// lower-camel rule to their JSON keys (CgroupsVersion -> cgroupVersion).
ErrorOr execute(std::vector<Node> const& nodes, Json const& data, std::string& out, FieldNames const* field_names = nullptr);

} // namespace berth::format::detail
