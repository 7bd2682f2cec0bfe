// The OCI/Docker image configuration JSON: what run needs from it and what
// inspect/history show. The raw JSON is kept so inspect can show every field.
#pragma once

#include "base/error.h"
#include "base/json.h"
#include "image/digest.h"

#include <map>
#include <string>
#include <vector>

namespace berth::image {

struct HistoryEntry {
    std::string created;       ///< RFC 3339
    std::string created_by;
    std::string author;
    std::string comment;
    bool empty_layer = false;
};

struct ImageConfig {
    std::string architecture;
    std::string os;
    std::string variant;
    std::string created;       ///< RFC 3339, may be empty
    std::string author;
    std::string comment;       ///< Docker's top-level "comment" (commit -m); OCI has none
    // "config" section
    std::string user;
    std::vector<std::string> env;
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::string working_dir;
    std::map<std::string, std::string> labels;
    std::vector<std::string> exposed_ports;  ///< "80/tcp"
    std::vector<std::string> volumes;
    std::string stop_signal;
    std::vector<std::string> on_build;       ///< Docker's OnBuild triggers
    // rootfs
    std::vector<Digest> diff_ids;
    std::vector<HistoryEntry> history;
    Json raw;                   ///< the whole document

    static Result<ImageConfig> parse(std::string_view body);
    /// Builds the JSON document from the fields; used by import/commit. Members of raw's
    /// "config" that no field models (Healthcheck, Shell, ArgsEscaped...) are kept, so a
    /// commit does not drop what the base image set.
    std::string serialize() const;
};

} // namespace berth::image
