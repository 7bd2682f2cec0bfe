// Per-registry TLS material, found the way Podman finds it: the first existing
// of --cert-dir, $XDG_CONFIG_HOME/containers/certs.d/<host> (rootless only),
// /etc/containers/certs.d/<host> and /etc/docker/certs.d/<host>. In it, *.crt
// are extra CAs (added to the system bundle, not replacing it) and each
// <name>.cert with its <name>.key is a client certificate.
#pragma once

#include "base/error.h"
#include "registry/http.h"

#include <string>
#include <vector>

namespace berth::registry {

/// The directories searched for `host`, in order (existing or not).
std::vector<std::string> cert_dir_candidates(std::string const& host, std::string const& cert_dir_flag);
/// Loads CAs and the client certificate for `host` from the first existing
/// candidate directory; verification stays on (the caller decides that).
Result<http::TlsSettings> load_tls_settings(std::string const& host, std::string const& cert_dir_flag);

} // namespace berth::registry
