// Variable substitution in Containerfile words, as Docker's builder does it
// for ADD, COPY, ENV, EXPOSE, FROM, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR
// (and ARG defaults, RUN --mount values): $VAR, ${VAR}, ${VAR:-word},
// ${VAR-word}, ${VAR:+word}, ${VAR+word}, ${VAR:?message}, ${VAR?message},
// ${VAR#pattern}, ${VAR##pattern}, ${VAR%pattern}, ${VAR%%pattern}.
//
// The same pass removes the word's quoting: single quotes keep their text
// literally (no substitution), double quotes keep whitespace together but
// substitute, and the escape character (\ or ` from `# escape=`) takes the
// next character literally; inside double quotes it escapes only ", $ and
// itself. The hard part is splitting: in a word list (EXPOSE) a value
// substituted outside quotes splits at its whitespace like the literal text
// does, while quoted text never splits.
#pragma once

#include "base/error.h"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::build {

/// The variables a step sees: the stage's build arguments and its ENV, ENV
/// winning. An unset variable substitutes as "".
using Environment = std::map<std::string, std::string, std::less<>>;

/// Substitutes variables in one word and removes its quoting; whitespace stays
/// inside the word ("WORKDIR /my dir"). An error names the problem:
/// an unterminated quote or ${, an unsupported modifier, or ${VAR:?message}.
Result<std::string> expand_word(std::string_view word, Environment const& env, char escape = '\\');

/// Substitutes and splits at unquoted whitespace, including whitespace that a
/// substituted value brings ("EXPOSE $PORTS" with PORTS="80 443" is two words).
Result<std::vector<std::string>> expand_words(std::string_view text, Environment const& env, char escape = '\\');

/// Substitutes variables in a heredoc's text as a shell does in an unquoted
/// heredoc (COPY <<EOF): quotes are kept as they are, and the escape
/// character escapes only $, itself and a newline; every other character,
/// whitespace and newlines included, is kept.
Result<std::string> expand_heredoc(std::string_view text, Environment const& env, char escape = '\\');

/// Shell pattern matching for ${VAR#pattern}: * any run, ? one character,
/// [...] a class (^ or ! negates), the escape character quotes the next one.
bool shell_pattern_match(std::string_view pattern, std::string_view text, char escape = '\\');

} // namespace berth::build
