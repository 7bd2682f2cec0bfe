// Executes a parsed template against one JSON value. Internal to src/format.
#pragma once

#include "format/ast.h"

namespace berth::format::detail {

/// Walks the tree with `data` as dot and $, appending the output to `out`.
/// Errors are unprefixed ("can't evaluate field Foo in type object").
ErrorOr execute(std::vector<Node> const& nodes, Json const& data, std::string& out);

} // namespace berth::format::detail
