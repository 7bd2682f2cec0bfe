// Parsing of WWW-Authenticate challenges (RFC 7235) as registries send them:
// `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"`
// or `Basic realm="Registry"`. The hard part is that one header may carry
// several challenges separated by commas, and quoted values may themselves
// contain commas ("repository:a:pull,push") and backslash escapes.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::registry {

struct AuthChallenge {
    std::string scheme;                         ///< lowercased: "bearer", "basic"
    std::map<std::string, std::string> params;  ///< keys lowercased, values unquoted

    /// The value of `key` (lowercase), or "" if absent.
    std::string param(std::string const& key) const;
};

/// Parses one WWW-Authenticate header value into its challenges, in order.
/// Malformed trailing text is ignored; an empty vector means nothing usable.
std::vector<AuthChallenge> parse_www_authenticate(std::string_view header);

/// Picks the challenge berth can answer: Bearer first, then Basic; nullptr if none.
AuthChallenge const* preferred_challenge(std::vector<AuthChallenge> const& challenges);

} // namespace berth::registry
