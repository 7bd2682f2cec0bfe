// The image configuration document (OCI image-spec config.md, Docker's
// container.image.v1): read into ImageConfig for run/inspect/history, and
// written back for commit/import.
//
// Real-world configs are untidy: builders write null for empty lists and maps
// ("Labels": null, "Env": null), omit the "config" section entirely, and old
// Docker versions wrote Entrypoint/Cmd as a bare string. All of these are
// accepted. What is not accepted is a value of the wrong kind where the type
// matters (a number for Env) or a diff_id that is not a digest, because the
// store keys layers by diff_id.
#include "image/config.h"

#include <algorithm>

namespace berth::image {

namespace {

constexpr std::string_view what = "image config";

Error bad_field(std::string_view key, std::string_view expected)
{
    return Error::msg(std::string(what) + ": \"" + std::string(key) + "\" must be " + std::string(expected));
}

/// A string member; absent or null yields "".
Result<std::string> get_str(Json const& j, char const* key)
{
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return std::string();
    if (!it->is_string())
        return bad_field(key, "a string");
    return it->get<std::string>();
}

/// A list of strings; absent or null yields {}, a bare string yields {string}
/// (old Docker wrote "Cmd": "/bin/sh").
Result<std::vector<std::string>> get_list(Json const& j, char const* key)
{
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return out;
    if (it->is_string()) {
        out.push_back(it->get<std::string>());
        return out;
    }
    if (!it->is_array())
        return bad_field(key, "an array of strings");
    for (auto const& v : *it) {
        if (!v.is_string())
            return bad_field(key, "an array of strings");
        out.push_back(v.get<std::string>());
    }
    return out;
}

/// The keys of an object used as a set ({"80/tcp": {}}); absent or null yields {}.
Result<std::vector<std::string>> get_key_set(Json const& j, char const* key)
{
    std::vector<std::string> out;
    auto it = j.find(key);
    if (it == j.end() || it->is_null())
        return out;
    if (!it->is_object())
        return bad_field(key, "an object");
    for (auto const& item : it->items())
        out.push_back(item.key());
    return out;
}

Result<std::map<std::string, std::string>> get_labels(Json const& j)
{
    std::map<std::string, std::string> out;
    auto it = j.find("Labels");
    if (it == j.end() || it->is_null())
        return out;
    if (!it->is_object())
        return bad_field("Labels", "an object of strings");
    for (auto const& [k, v] : it->items()) {
        if (!v.is_string())
            return bad_field("Labels", "an object of strings");
        out[k] = v.get<std::string>();
    }
    return out;
}

ErrorOr parse_run_config(Json const& c, ImageConfig& out)
{
    if (!c.is_object())
        return bad_field("config", "an object");
    out.user = TRY(get_str(c, "User"));
    out.env = TRY(get_list(c, "Env"));
    out.entrypoint = TRY(get_list(c, "Entrypoint"));
    out.cmd = TRY(get_list(c, "Cmd"));
    out.working_dir = TRY(get_str(c, "WorkingDir"));
    out.labels = TRY(get_labels(c));
    out.exposed_ports = TRY(get_key_set(c, "ExposedPorts"));
    out.volumes = TRY(get_key_set(c, "Volumes"));
    out.stop_signal = TRY(get_str(c, "StopSignal"));
    out.on_build = TRY(get_list(c, "OnBuild"));
    return {};
}

ErrorOr parse_rootfs(Json const& r, ImageConfig& out)
{
    if (!r.is_object())
        return bad_field("rootfs", "an object");
    auto ids = r.find("diff_ids");
    if (ids == r.end() || ids->is_null())
        return {};
    if (!ids->is_array())
        return bad_field("rootfs.diff_ids", "an array of digests");
    for (auto const& id : *ids) {
        if (!id.is_string())
            return bad_field("rootfs.diff_ids", "an array of digests");
        out.diff_ids.push_back(TRY_CTX(Digest::parse(id.get<std::string>()), "image config: rootfs.diff_ids"));
    }
    return {};
}

Result<HistoryEntry> parse_history_entry(Json const& h)
{
    if (!h.is_object())
        return bad_field("history", "an array of objects");
    HistoryEntry e;
    e.created = TRY(get_str(h, "created"));
    e.created_by = TRY(get_str(h, "created_by"));
    e.author = TRY(get_str(h, "author"));
    e.comment = TRY(get_str(h, "comment"));
    if (auto it = h.find("empty_layer"); it != h.end() && !it->is_null()) {
        if (!it->is_boolean())
            return bad_field("history.empty_layer", "a boolean");
        e.empty_layer = it->get<bool>();
    }
    return e;
}

/// An object whose keys are the given strings and whose values are {}.
OrderedJson key_set(std::vector<std::string> const& keys)
{
    OrderedJson out = OrderedJson::object();
    for (auto const& k : keys)
        out[k] = OrderedJson::object();
    return out;
}

void set_if(OrderedJson& j, char const* key, std::string const& value)
{
    if (!value.empty())
        j[key] = value;
}

OrderedJson run_config_json(ImageConfig const& c)
{
    OrderedJson j = OrderedJson::object();
    set_if(j, "User", c.user);
    if (!c.exposed_ports.empty())
        j["ExposedPorts"] = key_set(c.exposed_ports);
    if (!c.env.empty())
        j["Env"] = c.env;
    if (!c.entrypoint.empty())
        j["Entrypoint"] = c.entrypoint;
    if (!c.cmd.empty())
        j["Cmd"] = c.cmd;
    if (!c.volumes.empty())
        j["Volumes"] = key_set(c.volumes);
    set_if(j, "WorkingDir", c.working_dir);
    if (!c.labels.empty())
        j["Labels"] = c.labels;
    set_if(j, "StopSignal", c.stop_signal);
    if (!c.on_build.empty())
        j["OnBuild"] = c.on_build;
    // What the fields do not model stays as the base image had it.
    static constexpr std::string_view modeled[] = { "User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes",
        "WorkingDir", "Labels", "StopSignal", "OnBuild" };
    if (auto it = c.raw.find("config"); it != c.raw.end() && it->is_object())
        for (auto const& [key, value] : it->items())
            if (std::find(std::begin(modeled), std::end(modeled), key) == std::end(modeled) && !value.is_null())
                j[key] = value;
    return j;
}

OrderedJson history_json(HistoryEntry const& h)
{
    OrderedJson j = OrderedJson::object();
    set_if(j, "created", h.created);
    set_if(j, "created_by", h.created_by);
    set_if(j, "author", h.author);
    set_if(j, "comment", h.comment);
    if (h.empty_layer)
        j["empty_layer"] = true;
    return j;
}

} // namespace

Result<ImageConfig> ImageConfig::parse(std::string_view body)
{
    Json j = TRY(json::parse(body, what));
    if (!j.is_object())
        return Error::msg(std::string(what) + ": not a JSON object");
    ImageConfig out;
    out.architecture = TRY(get_str(j, "architecture"));
    out.os = TRY(get_str(j, "os"));
    out.variant = TRY(get_str(j, "variant"));
    out.created = TRY(get_str(j, "created"));
    out.author = TRY(get_str(j, "author"));
    out.comment = TRY(get_str(j, "comment"));
    if (auto c = j.find("config"); c != j.end() && !c->is_null())
        TRY(parse_run_config(*c, out));
    if (auto r = j.find("rootfs"); r != j.end() && !r->is_null())
        TRY(parse_rootfs(*r, out));
    if (auto h = j.find("history"); h != j.end() && !h->is_null()) {
        if (!h->is_array())
            return bad_field("history", "an array of objects");
        for (auto const& entry : *h)
            out.history.push_back(TRY(parse_history_entry(entry)));
    }
    out.raw = std::move(j);
    return out;
}

std::string ImageConfig::serialize() const
{
    OrderedJson j = OrderedJson::object();
    set_if(j, "created", created);
    set_if(j, "author", author);
    set_if(j, "comment", comment);
    j["architecture"] = architecture;
    if (!variant.empty())
        j["variant"] = variant;
    j["os"] = os;
    // Members no field models, kept as the document has them (Windows images, --os-version, --os-feature).
    for (char const* member : { "os.version", "os.features" })
        if (raw.is_object() && raw.contains(member) && (raw[member].is_string() || raw[member].is_array()))
            j[member] = OrderedJson::parse(raw[member].dump());
    j["config"] = run_config_json(*this);
    OrderedJson ids = OrderedJson::array();
    for (auto const& d : diff_ids)
        ids.push_back(d.str());
    j["rootfs"] = OrderedJson { { "type", "layers" }, { "diff_ids", ids } };
    if (!history.empty()) {
        OrderedJson hist = OrderedJson::array();
        for (auto const& h : history)
            hist.push_back(history_json(h));
        j["history"] = hist;
    }
    return json::dump(j);
}

} // namespace berth::image
