#include "base/yaml_load.h"

#include "base/scope_guard.h"

#include <map>
#include <optional>
#include <set>
#include <string>

#include <yaml.h>

namespace berth {

namespace {

std::string at(yaml_mark_t const& mark)
{
    return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

Error parser_error(yaml_parser_t const& p)
{
    std::string what = p.problem ? p.problem : "malformed YAML";
    if (p.context)
        what += std::string(" (") + p.context + " that starts on line " + std::to_string(p.context_mark.line + 1) + ")";
    if (p.error == YAML_MEMORY_ERROR)
        return Error { ENOMEM, "YAML: out of memory" };
    return Error { EINVAL, at(p.problem_mark) + ": " + what };
}

std::string as_string(yaml_char_t const* s)
{
    return s ? reinterpret_cast<char const*>(s) : "";
}

bool is_null_scalar(std::string_view v)
{
    return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

constexpr std::string_view merge_tag = "tag:yaml.org,2002:merge";

/// A sequence or map being built, with what its end needs.
struct Frame {
    YAML::Node node;
    bool is_map = false;
    std::string anchor;
    size_t nodes = 1;                  ///< this node's size with every alias expanded
    std::optional<YAML::Node> key;     ///< a map's key awaiting its value
    bool key_is_merge = false;
    std::vector<std::pair<YAML::Node, yaml_mark_t>> merges;
};

class Builder {
public:
    Result<std::vector<YAML::Node>> run(std::string_view text)
    {
        yaml_parser_t parser;
        if (!yaml_parser_initialize(&parser))
            return Error { ENOMEM, "YAML: out of memory" };
        ScopeGuard free_parser([&] { yaml_parser_delete(&parser); });
        yaml_parser_set_input_string(&parser, reinterpret_cast<unsigned char const*>(text.data()), text.size());
        for (;;) {
            yaml_event_t ev;
            if (!yaml_parser_parse(&parser, &ev))
                return parser_error(parser);
            ScopeGuard free_event([&] { yaml_event_delete(&ev); });
            if (ev.type == YAML_STREAM_END_EVENT)
                break;
            TRY(on_event(ev));
        }
        return std::move(m_documents);
    }

private:
    ErrorOr on_event(yaml_event_t const& ev)
    {
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            m_anchors.clear();
            m_root.reset();
            m_document_nodes = 0;
            return {};
        case YAML_DOCUMENT_END_EVENT:
            m_documents.push_back(m_root ? *m_root : YAML::Node(YAML::NodeType::Null));
            return {};
        case YAML_ALIAS_EVENT: {
            auto name = as_string(ev.data.alias.anchor);
            auto it = m_anchors.find(name);
            if (it == m_anchors.end())
                return Error { EINVAL, at(ev.start_mark) + ": alias *" + name + " names no anchor before it (an alias cannot refer to the node it is in)" };
            TRY(count(it->second.second, ev.start_mark));
            add(it->second.first, it->second.second, ev.start_mark, false);
            return {};
        }
        case YAML_SCALAR_EVENT: {
            auto const& s = ev.data.scalar;
            std::string value(reinterpret_cast<char const*>(s.value), s.length);
            std::string tag = as_string(s.tag);
            bool plain = s.style == YAML_PLAIN_SCALAR_STYLE;
            bool merge = (plain && tag.empty() && value == "<<") || tag == merge_tag;
            YAML::Node node = plain && tag.empty() && is_null_scalar(value) ? YAML::Node(YAML::NodeType::Null) : YAML::Node(value);
            node.SetTag(!tag.empty() ? tag : plain ? "?" : "!");
            remember(as_string(s.anchor), node, 1);
            TRY(count(1, ev.start_mark));
            add(node, 1, ev.start_mark, merge);
            return {};
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            if (m_stack.size() >= max_yaml_depth)
                return Error { EINVAL, at(ev.start_mark) + ": YAML nested deeper than " + std::to_string(max_yaml_depth) + " levels" };
            TRY(count(1, ev.start_mark));
            bool is_map = ev.type == YAML_MAPPING_START_EVENT;
            Frame f { YAML::Node(is_map ? YAML::NodeType::Map : YAML::NodeType::Sequence), is_map, {}, 1, {}, false, {} };
            auto tag = as_string(is_map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag);
            f.node.SetTag(tag.empty() ? "?" : tag);
            bool flow = is_map ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                               : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
            f.node.SetStyle(flow ? YAML::EmitterStyle::Flow : YAML::EmitterStyle::Block);
            f.anchor = as_string(is_map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor);
            m_stack.push_back(std::move(f));
            return {};
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            Frame f = std::move(m_stack.back());
            m_stack.pop_back();
            if (f.is_map)
                TRY(merge(f));
            remember(f.anchor, f.node, f.nodes);
            add(f.node, f.nodes, ev.start_mark, false);
            return {};
        }
        default:
            return {};
        }
    }

    void remember(std::string const& anchor, YAML::Node const& node, size_t nodes)
    {
        if (anchor.empty())
            return;
        // Never assign over a stored Node: yaml-cpp's operator= rebinds every
        // handle to it, the nodes already placed in the tree among them.
        m_anchors.erase(anchor);
        m_anchors.emplace(anchor, std::make_pair(node, nodes));
    }

    /// Counts `nodes` more in the document as if every alias were expanded:
    /// 1 for a scalar or a collection (at its start), the anchored node's
    /// size for an alias.
    ErrorOr count(size_t nodes, yaml_mark_t const& mark)
    {
        m_document_nodes += nodes;
        if (m_document_nodes > max_yaml_nodes)
            return Error { EINVAL, at(mark) + ": YAML aliases expand to more than " + std::to_string(max_yaml_nodes) + " nodes" };
        return {};
    }

    /// Places `node` (of `nodes` nodes expanded) in the collection being built, or as the root.
    void add(YAML::Node const& node, size_t nodes, yaml_mark_t const& mark, bool merge_key)
    {
        if (m_stack.empty()) {
            m_root.reset();
            m_root.emplace(node);
            return;
        }
        Frame& top = m_stack.back();
        top.nodes += nodes;
        if (!top.is_map) {
            top.node.push_back(node);
            return;
        }
        if (!top.key) {
            top.key.emplace(node);
            top.key_is_merge = merge_key;
            return;
        }
        if (top.key_is_merge) {
            top.merges.emplace_back(node, mark);
        } else {
            top.node.force_insert(*top.key, node);
        }
        top.key.reset();
    }

    /// Adds the merged maps' keys that `f`'s map lacks, earlier maps first.
    static ErrorOr merge(Frame& f)
    {
        if (f.merges.empty())
            return {};
        std::set<std::string> keys;  // the map's own, then each merged one's
        for (auto const& kv : f.node)
            if (kv.first.IsScalar())
                keys.insert(kv.first.Scalar());
        for (auto const& [value, mark] : f.merges) {
            std::vector<YAML::Node> sources;
            if (value.IsSequence())
                for (auto const& item : value)
                    sources.push_back(item);
            else
                sources.push_back(value);  // a map, or what the check below refuses
            for (auto const& source : sources) {
                if (!source.IsMap())
                    return Error { EINVAL, at(mark) + ": a merge key (<<) takes a map or a list of maps" };
                for (auto const& kv : source) {
                    if (kv.first.IsScalar() && !keys.insert(kv.first.Scalar()).second)
                        continue;
                    f.node.force_insert(kv.first, kv.second);
                }
            }
        }
        return {};
    }

    std::vector<Frame> m_stack;
    std::map<std::string, std::pair<YAML::Node, size_t>> m_anchors;
    std::optional<YAML::Node> m_root;
    std::vector<YAML::Node> m_documents;
    size_t m_document_nodes = 0;
};

} // namespace

Result<std::vector<YAML::Node>> load_yaml_documents(std::string_view text)
{
    try {
        return Builder().run(text);
    } catch (YAML::Exception const& e) {
        return Error { EINVAL, yaml_exception_message(e) };
    }
}

std::string yaml_exception_message(YAML::Exception const& e)
{
    if (e.mark.is_null())
        return e.msg;
    return "line " + std::to_string(e.mark.line + 1) + ", column " + std::to_string(e.mark.column + 1) + ": " + e.msg;
}

Result<YAML::Node> load_yaml(std::string_view text)
{
    auto docs = TRY(load_yaml_documents(text));
    if (docs.empty())
        return YAML::Node(YAML::NodeType::Null);
    return docs.front();
}

} // namespace berth
