// The template executor: walks the tree with a dot value and a variable stack,
// as Go's text/template/exec.go does.
//
// The hard part is missing fields. Go tells a struct (whose missing field is an
// error) from a map (whose missing key prints "<no value>"), but JSON has only
// objects. Podman's data are structs whose exported fields start with an upper-case
// letter, and map keys (labels, annotations) usually do not, so a missing field
// is an error when its name starts with an upper-case letter or when it is looked
// up on the root value itself; otherwise it is "no value", like a missing map key.
#include "format/eval.h"
#include "format/functions.h"
#include "format/value.h"

#include <algorithm>
#include <cctype>

namespace berth::format::detail {

namespace {

/// Range iterations one execution may run. Ranging over an integer counts up
/// to it (Go 1.22), so `{{range .Size}}{{range .}}{{end}}{{end}}` on a 5 GB
/// image would otherwise loop ~10^19 times, and each iteration may print:
/// 10^5 iterations of {{json .}} took 0.1 s optimized and up to 10 s under
/// the sanitizers on a loaded machine (a fuzzer timeout). One execution
/// renders one row or one object; no real --format comes near 10^4.
constexpr std::size_t max_range_iterations = 10000;

class Evaluator {
public:
    Evaluator(Json const& root, std::string& out, FieldNames const* field_names)
        : m_root(root), m_out(out), m_field_names(field_names)
    {
        m_vars.emplace_back("$", root);
    }

    ErrorOr run(std::vector<Node> const& nodes)
    {
        TRY(walk_list(nodes, &m_root));
        return {};
    }

private:
    enum class Flow { Next, Break, Continue };

    Result<Flow> check_size() const
    {
        if (m_out.size() > max_output_bytes)
            return Error::msg("output longer than " + std::to_string(max_output_bytes >> 20) + " MiB: print less");
        return Flow::Next;
    }

    Result<Flow> walk_list(std::vector<Node> const& nodes, Json const* dot)
    {
        for (auto const& n : nodes) {
            Flow f = TRY(walk(n, dot));
            if (f != Flow::Next)
                return f;
        }
        return Flow::Next;
    }

    Result<Flow> walk(Node const& n, Json const* dot)
    {
        switch (n.kind) {
        case Node::Kind::Text: m_out += n.text; return check_size();
        case Node::Kind::Action: {
            Json v = TRY(eval_pipeline(n.pipe, dot, true));
            if (n.pipe.decls.empty())
                m_out += to_text(v);
            return check_size();
        }
        case Node::Kind::If:
        case Node::Kind::With: return walk_if_with(n, dot);
        case Node::Kind::Range: return walk_range(n, dot);
        case Node::Kind::Break: return Flow::Break;
        case Node::Kind::Continue: return Flow::Continue;
        }
        return Flow::Next;
    }

    Result<Flow> walk_if_with(Node const& n, Json const* dot)
    {
        std::size_t mark = m_vars.size();
        Json v = TRY(eval_pipeline(n.pipe, dot, true));
        Result<Flow> flow = truth(v) ? walk_list(n.body, n.kind == Node::Kind::With ? &v : dot) : walk_list(n.else_body, dot);
        m_vars.resize(mark);
        return flow;
    }

    Result<Flow> walk_range(Node const& n, Json const* dot)
    {
        std::size_t mark = m_vars.size();
        Json v = TRY(eval_pipeline(n.pipe, dot, false));
        auto one = [&](Json const& key, Json const& elem) -> Result<Flow> {
            if (++m_iterations > max_range_iterations)
                return Error::msg("range ran more than " + std::to_string(max_range_iterations)
                    + " times: range over a smaller value");
            if (n.pipe.decls.size() == 1)
                bind(n.pipe.decls[0], elem, n.pipe.assign);
            if (n.pipe.decls.size() == 2) {
                bind(n.pipe.decls[0], key, n.pipe.assign);
                bind(n.pipe.decls[1], elem, n.pipe.assign);
            }
            Result<Flow> f = walk_list(n.body, &elem);
            m_vars.resize(mark);
            return f;
        };
        std::size_t count = 0;
        if (v.is_array()) {
            for (std::size_t i = 0; i < v.size(); ++i, ++count)
                if (TRY(one(Json(i), v[i])) == Flow::Break)
                    break;
        } else if (v.is_object()) {
            for (auto const& [key, elem] : v.items())
                if (++count, TRY(one(Json(key), elem)) == Flow::Break)
                    break;
        } else if (auto limit = as_integer(v); limit && v.is_number()) {
            for (std::int64_t i = 0; i < *limit; ++i, ++count)
                if (TRY(one(Json(i), Json(i))) == Flow::Break)
                    break;
        } else if (!v.is_null()) {
            return Error::msg("range can't iterate over " + print_value(v));
        }
        Result<Flow> flow = Flow::Next;
        if (count == 0)
            flow = walk_list(n.else_body, dot);
        m_vars.resize(mark);
        if (!flow.has_value())
            return flow;
        return Flow::Next;
    }

    void bind(std::string const& name, Json const& value, bool assign)
    {
        if (assign) {
            for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it) {
                if (it->first == name) {
                    it->second = value;
                    return;
                }
            }
        }
        m_vars.emplace_back(name, value);
    }

    Result<Json const*> lookup(std::string const& name) const
    {
        for (auto it = m_vars.rbegin(); it != m_vars.rend(); ++it)
            if (it->first == name)
                return &it->second;
        return Error::msg("undefined variable: " + name);
    }

    Result<Json> eval_pipeline(Pipeline const& p, Json const* dot, bool bind_decls)
    {
        Json value;
        bool have = false;
        for (auto const& cmd : p.cmds) {
            value = TRY(eval_command(cmd, dot, have ? &value : nullptr));
            have = true;
        }
        if (bind_decls)
            for (auto const& name : p.decls)
                bind(name, value, p.assign);
        return value;
    }

    Result<Json> eval_command(Command const& cmd, Json const* dot, Json const* final)
    {
        Operand const& first = cmd.args.front();
        if (first.kind == Operand::Kind::Function)
            return call(first.name, cmd.args, dot, final);
        // The parser allows a non-function only alone and in the first stage.
        return eval_operand(first, dot);
    }

    Result<Json> call(std::string const& name, std::vector<Operand> const& args, Json const* dot, Json const* final)
    {
        Builtin const* b = find_builtin(name);
        auto argc = static_cast<int>(args.size() - 1 + (final ? 1 : 0));
        if (argc < b->min_args || (b->max_args >= 0 && argc > b->max_args)) {
            std::string want = b->max_args < 0 ? "at least " + std::to_string(b->min_args)
                : b->min_args == b->max_args ? std::to_string(b->min_args)
                : std::to_string(b->min_args) + " to " + std::to_string(b->max_args);
            return Error::msg("wrong number of args for " + name + ": want " + want + " got " + std::to_string(argc));
        }
        if (!b->fn)
            return call_and_or(name == "or", args, dot, final);
        Args values;
        for (std::size_t i = 1; i < args.size(); ++i)
            values.push_back(TRY(eval_arg(args[i], dot)));
        if (final)
            values.push_back(*final);
        auto r = b->fn(values);
        if (!r.has_value())
            return Error::msg("error calling " + name + ": " + r.error().message);
        return r;
    }

    // and/or evaluate lazily: the first falsy (and) or truthy (or) argument, else the last.
    Result<Json> call_and_or(bool is_or, std::vector<Operand> const& args, Json const* dot, Json const* final)
    {
        Json v;
        for (std::size_t i = 1; i < args.size(); ++i) {
            v = TRY(eval_arg(args[i], dot));
            if (truth(v) == is_or)
                return v;
        }
        if (final)
            v = *final;
        return v;
    }

    Result<Json> eval_arg(Operand const& op, Json const* dot)
    {
        if (op.kind == Operand::Kind::Function)
            return call(op.name, { op }, dot, nullptr);
        return eval_operand(op, dot);
    }

    Result<Json> eval_operand(Operand const& op, Json const* dot)
    {
        switch (op.kind) {
        case Operand::Kind::Dot: return *dot;
        case Operand::Kind::Field: return eval_chain(*dot, op.fields, dot == &m_root);
        case Operand::Kind::Variable: {
            Json const* v = TRY(lookup(op.name));
            return eval_chain(*v, op.fields, op.name == "$");
        }
        case Operand::Kind::Literal: return op.literal;
        case Operand::Kind::Nil: return Json();
        case Operand::Kind::Function: return call(op.name, { op }, dot, nullptr);
        case Operand::Kind::Pipe: {
            Json v = TRY(eval_pipeline(*op.pipe, dot, false));
            return eval_chain(v, op.fields, false);
        }
        }
        return Json();
    }

    Result<Json> eval_chain(Json const& base, std::vector<std::string> const& fields, bool on_root) const
    {
        Json const* cur = &base;
        for (std::size_t i = 0; i < fields.size(); ++i) {
            std::string const& f = fields[i];
            if (cur->is_null())
                return Json();
            if (!cur->is_object())
                return Error::msg("can't evaluate field " + f + " in type " + type_name(*cur));
            auto it = cur->find(f);
            if (it == cur->end() && std::isupper(static_cast<unsigned char>(f[0]))) {
                // Go field names map to lower-camel JSON keys (Store.GraphRoot -> store.graphRoot),
                // so documents printed with their JSON tags still answer Go-style templates.
                std::string json_key = f;
                json_key[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(json_key[0])));
                it = cur->find(json_key);
                if (it == cur->end() && f.size() > 1
                    && std::all_of(f.begin(), f.end(), [](unsigned char c) { return std::isupper(c); })) {
                    // An initialism's JSON tag is capitalized: Go's .ID is "Id" (image and container inspect).
                    std::string capitalized = f.substr(0, 1);
                    for (std::size_t k = 1; k < f.size(); ++k)
                        capitalized += static_cast<char>(std::tolower(static_cast<unsigned char>(f[k])));
                    it = cur->find(capitalized);
                }
                if (it == cur->end() && m_field_names) {
                    if (auto alias = m_field_names->find(f); alias != m_field_names->end())
                        it = cur->find(alias->second);
                }
            }
            if (it == cur->end()) {
                if ((i == 0 && on_root) || std::isupper(static_cast<unsigned char>(f[0])))
                    return Error::msg("can't evaluate field " + f + " in type object");
                return Json();
            }
            cur = &*it;
        }
        return *cur;
    }

    Json const& m_root;
    std::string& m_out;
    FieldNames const* m_field_names = nullptr;  ///< Go field name -> JSON key, where lower-camel does not tell
    std::vector<std::pair<std::string, Json>> m_vars;
    std::size_t m_iterations = 0;   ///< range iterations so far (max_range_iterations)
};

} // namespace

ErrorOr execute(std::vector<Node> const& nodes, Json const& data, std::string& out, FieldNames const* field_names)
{
    return Evaluator(data, out, field_names).run(nodes);
}

} // namespace berth::format::detail
