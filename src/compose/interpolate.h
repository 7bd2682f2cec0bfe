// Compose's variable interpolation: ${VAR}, $VAR, ${VAR:-default},
// ${VAR-default}, ${VAR:?error}, ${VAR?error}, ${VAR:+alt}, ${VAR+alt}, and
// $$ for a literal dollar, as the Compose specification defines them. Pure:
// the caller hands in the variables (.env under the process environment).
//
// The hard part is nesting: a default may itself hold ${OTHER}, so the text
// after ":-" is interpolated recursively up to its matching brace.
#pragma once

#include "base/error.h"

#include <map>
#include <string>

namespace berth::compose {

using Variables = std::map<std::string, std::string>;

/// `text` with every reference replaced. An unclosed "${", a bad name or a
/// ${VAR:?MESSAGE} whose VAR is unset (or empty) is an Error: "required
/// variable VAR is missing a value: MESSAGE" (the caller adds where).
Result<std::string> interpolate(std::string const& text, Variables const& vars);

/// Lines of a .env file: KEY=VALUE (values may be quoted, '#' starts a comment
/// outside quotes; "export " is allowed); a bad line is an Error naming its number.
Result<Variables> parse_dotenv(std::string const& text);

} // namespace berth::compose
