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
    // rootfs
    std::vector<Digest> diff_ids;
    std::vector<HistoryEntry> history;
    Json raw;                   ///< the whole document

    static Result<ImageConfig> parse(std::string_view body);
    /// Builds the JSON document from the fields (raw is ignored); used by import/commit.
    std::string serialize() const;
};

} // namespace berth::image
