// The template parser: tokens to the tree of ast.h, as Go's text/template/parse
// does it, with Go's parse-time checks (unknown functions, undeclared variables,
// {{break}} outside {{range}}, arguments given to non-functions).
//
// The hard part is {{else if}}: like Go, it is parsed as an {{else}} whose body
// is a nested {{if}} that consumes the single {{end}} closing both.
#include "format/ast.h"
#include "format/functions.h"
#include "format/value.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <optional>

namespace berth::format::detail {

namespace {

bool is_keyword(std::string_view s)
{
    for (std::string_view k : { "if", "else", "end", "range", "with", "break", "continue", "define", "template", "block" })
        if (s == k)
            return true;
    return false;
}

std::string describe(Token const& t)
{
    if (t.type == Tok::Eof)
        return "EOF";
    return go_quote(t.raw);
}

std::string describe(Operand const& op)
{
    std::string s;
    switch (op.kind) {
    case Operand::Kind::Dot: s = "."; break;
    case Operand::Kind::Variable: s = op.name; break;
    case Operand::Kind::Literal: s = op.literal.is_string() ? "\"" + op.literal.get<std::string>() + "\"" : op.literal.dump(); break;
    case Operand::Kind::Nil: s = "nil"; break;
    case Operand::Kind::Function: s = op.name; break;
    case Operand::Kind::Pipe: s = "(...)"; break;
    case Operand::Kind::Field: break;
    }
    for (auto const& f : op.fields)
        s += "." + f;
    return s;
}

class Parser {
public:
    Parser(std::string_view src, std::vector<Token> tokens) : m_src(src), m_toks(std::move(tokens)) {}

    Result<std::vector<Node>> run()
    {
        std::vector<Node> nodes;
        Stop stop = TRY(parse_list(nodes));
        if (stop == Stop::End)
            return error_at(m_keyword_pos, "unexpected {{end}}");
        if (stop == Stop::Else)
            return error_at(m_keyword_pos, "unexpected {{else}}");
        return nodes;
    }

private:
    enum class Stop { Eof, End, Else };

    Error error_at(std::size_t pos, std::string const& what) const { return syntax_error(m_src, pos, what); }
    Error unexpected(Token const& t, std::string_view context) const
    {
        return error_at(t.pos, "unexpected " + describe(t) + " in " + std::string(context));
    }

    Token const& peek() const { return m_toks[m_i]; }
    Token const& next()
    {
        Token const& t = m_toks[m_i];
        if (m_i + 1 < m_toks.size())
            ++m_i;
        return t;
    }
    Token const& peek_non_space()
    {
        while (m_toks[m_i].type == Tok::Space)
            ++m_i;
        return m_toks[m_i];
    }
    Token const& next_non_space()
    {
        peek_non_space();
        return next();
    }

    ErrorOr expect_close(std::string_view context)
    {
        Token const& t = next_non_space();
        if (t.type != Tok::Close)
            return unexpected(t, context);
        return {};
    }

    bool declared(std::string const& name) const
    {
        for (auto const& v : m_vars)
            if (v == name)
                return true;
        return false;
    }

    // Text and actions up to {{end}}, {{else}} or the end of input.
    Result<Stop> parse_list(std::vector<Node>& out)
    {
        for (;;) {
            Token const& t = next();
            if (t.type == Tok::Eof)
                return Stop::Eof;
            if (t.type == Tok::Text) {
                Node n;
                n.pos = t.pos;
                n.text = t.value;
                out.push_back(std::move(n));
                continue;
            }
            Token const& k = peek_non_space();
            if (k.type == Tok::Ident && is_keyword(k.value)) {
                std::optional<Stop> stop = TRY(parse_keyword(out));
                if (stop)
                    return *stop;
                continue;
            }
            Node n;
            n.kind = Node::Kind::Action;
            n.pos = t.pos;
            n.pipe = TRY(parse_pipeline("command", Tok::Close, 1));
            out.push_back(std::move(n));
        }
    }

    // An action starting with a keyword; returns a Stop for {{end}} and {{else}}.
    Result<std::optional<Stop>> parse_keyword(std::vector<Node>& out)
    {
        Token const& k = next();
        if (k.value == "end" || k.value == "else") {
            m_keyword_pos = k.pos;
            if (k.value == "else")
                return std::optional<Stop>(Stop::Else);
            TRY(expect_close("end"));
            return std::optional<Stop>(Stop::End);
        }
        if (k.value == "if" || k.value == "range" || k.value == "with") {
            auto kind = k.value == "if" ? Node::Kind::If : k.value == "range" ? Node::Kind::Range : Node::Kind::With;
            out.push_back(TRY(parse_control(kind, k.value, k.pos)));
            return std::optional<Stop>();
        }
        if (k.value == "break" || k.value == "continue") {
            if (m_range_depth == 0)
                return error_at(k.pos, "{{" + k.value + "}} outside {{range}}");
            Node n;
            n.kind = k.value == "break" ? Node::Kind::Break : Node::Kind::Continue;
            n.pos = k.pos;
            TRY(expect_close(k.value));
            out.push_back(std::move(n));
            return std::optional<Stop>();
        }
        return error_at(k.pos, "{{" + k.value + "}} is not supported");
    }

    Result<Node> parse_control(Node::Kind kind, std::string const& keyword, std::size_t pos)
    {
        std::size_t mark = m_vars.size();
        Node n;
        n.kind = kind;
        n.pos = pos;
        n.pipe = TRY(parse_pipeline(keyword, Tok::Close, kind == Node::Kind::Range ? 2 : 1));
        m_range_depth += kind == Node::Kind::Range;
        Stop stop = TRY(parse_list(n.body));
        m_range_depth -= kind == Node::Kind::Range;
        if (stop == Stop::Else)
            stop = TRY(parse_else(n, keyword));
        if (stop == Stop::Eof)
            return error_at(pos, "missing {{end}} for {{" + keyword + "}}");
        if (stop == Stop::Else)
            return error_at(m_keyword_pos, "expected {{end}}, found {{else}}");
        m_vars.resize(mark);
        return n;
    }

    // After {{else}}: either {{else if ...}} / {{else with ...}} or a plain else branch.
    Result<Stop> parse_else(Node& n, std::string const& keyword)
    {
        Token const& k = peek_non_space();
        if (n.kind != Node::Kind::Range && k.type == Tok::Ident && k.value == keyword) {
            next();
            n.else_body.push_back(TRY(parse_control(n.kind, keyword, k.pos)));
            return Stop::End;
        }
        TRY(expect_close("else"));
        return parse_list(n.else_body);
    }

    // `$x :=`, `$x =` or (range) `$i, $e :=` at the start of a pipeline.
    ErrorOr parse_decls(Pipeline& p, int max_vars)
    {
        std::size_t save = m_i;
        Token const& v = peek_non_space();
        if (v.type != Tok::Variable)
            return {};
        next();
        Token const& op = peek_non_space();
        if (op.type == Tok::Comma && max_vars > 1) {
            next();
            Token const& v2 = next_non_space();
            if (v2.type != Tok::Variable)
                return error_at(v2.pos, "range can only initialize variables");
            p.decls = { v.value, v2.value };
        } else if (op.type == Tok::Declare || op.type == Tok::Assign) {
            p.decls = { v.value };
        } else {
            m_i = save;
            return {};
        }
        Token const& how = next_non_space();
        if (how.type != Tok::Declare && how.type != Tok::Assign)
            return unexpected(how, "declaration");
        p.assign = how.type == Tok::Assign;
        for (auto const& name : p.decls) {
            if (p.assign && !declared(name))
                return error_at(v.pos, "undefined variable \"" + name + "\"");
            if (!p.assign)
                m_vars.push_back(name);
        }
        return {};
    }

    Result<Pipeline> parse_pipeline(std::string const& context, Tok end, int max_vars)
    {
        Pipeline p;
        p.pos = peek_non_space().pos;
        m_after_pipe = false;
        if (max_vars > 0)
            TRY(parse_decls(p, max_vars));
        for (;;) {
            Token const& t = peek_non_space();
            if (t.type == end) {
                if (m_after_pipe)
                    return error_at(t.pos, "missing command after \"|\"");
                if (p.cmds.empty())
                    return error_at(t.pos, "missing value for " + context);
                next();
                break;
            }
            if (t.type == Tok::Close || t.type == Tok::RParen || t.type == Tok::Eof)
                return unexpected(t, context);
            p.cmds.push_back(TRY(parse_command(end, p.cmds.size() + 1)));
        }
        return p;
    }

    // Operands up to "|" (consumed) or the end token (left for the caller).
    Result<Command> parse_command(Tok end, std::size_t stage)
    {
        Command c;
        c.pos = peek_non_space().pos;
        m_after_pipe = false;
        for (;;) {
            Token const& t = peek_non_space();
            if (t.type == end)
                break;
            if (t.type == Tok::Pipe) {
                if (c.args.empty())
                    return error_at(t.pos, "missing command before \"|\"");
                next();
                m_after_pipe = true;
                break;
            }
            c.args.push_back(TRY(parse_operand()));
            Token const& n = peek();
            if (n.type != Tok::Space && n.type != end && n.type != Tok::Pipe)
                return unexpected(n, "operand");
        }
        TRY(check_command(c, stage));
        return c;
    }

    ErrorOr check_command(Command const& c, std::size_t stage) const
    {
        Operand const& first = c.args.front();
        if (first.kind == Operand::Kind::Nil)
            return error_at(first.pos, "nil is not a command");
        if (first.kind != Operand::Kind::Function && c.args.size() > 1)
            return error_at(c.args[1].pos, "can't give argument to non-function " + describe(first));
        if (first.kind != Operand::Kind::Function && stage > 1)
            return error_at(first.pos, "non executable command in pipeline stage " + std::to_string(stage));
        return {};
    }

    Result<Operand> parse_operand()
    {
        Token const& t = next_non_space();
        Operand op;
        op.pos = t.pos;
        switch (t.type) {
        case Tok::Ident: TRY(parse_identifier(t, op)); break;
        case Tok::Dot: op.kind = Operand::Kind::Dot; break;
        case Tok::Field:
            op.kind = Operand::Kind::Field;
            op.fields.push_back(t.value);
            break;
        case Tok::Variable:
            if (!declared(t.value))
                return error_at(t.pos, "undefined variable \"" + t.value + "\"");
            op.kind = Operand::Kind::Variable;
            op.name = t.value;
            break;
        case Tok::String:
            op.kind = Operand::Kind::Literal;
            op.literal = t.value;
            break;
        case Tok::Number:
            op.kind = Operand::Kind::Literal;
            op.literal = TRY(parse_number(t));
            break;
        case Tok::LParen:
            op.kind = Operand::Kind::Pipe;
            op.pipe = std::make_shared<Pipeline const>(TRY(parse_pipeline("parenthesized pipeline", Tok::RParen, 0)));
            break;
        default: return unexpected(t, "operand");
        }
        while (peek().type == Tok::Field) {
            if (op.kind != Operand::Kind::Field && op.kind != Operand::Kind::Variable && op.kind != Operand::Kind::Pipe)
                return error_at(peek().pos, "unexpected . after term " + describe(t));
            op.fields.push_back(next().value);
        }
        return op;
    }

    ErrorOr parse_identifier(Token const& t, Operand& op) const
    {
        if (t.value == "true" || t.value == "false") {
            op.kind = Operand::Kind::Literal;
            op.literal = t.value == "true";
        } else if (t.value == "nil") {
            op.kind = Operand::Kind::Nil;
        } else if (is_keyword(t.value)) {
            return unexpected(t, "operand");
        } else if (!find_builtin(t.value)) {
            return error_at(t.pos, "function \"" + t.value + "\" not defined");
        } else {
            op.kind = Operand::Kind::Function;
            op.name = t.value;
        }
        return {};
    }

    Result<Json> parse_number(Token const& t) const
    {
        std::string s;
        for (char c : t.value)
            if (c != '_')
                s += c;
        bool negative = !s.empty() && s[0] == '-';
        std::string digits = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? s.substr(1) : s;
        int base = 10;
        if (digits.size() > 1 && digits[0] == '0') {
            char p = static_cast<char>(std::tolower(digits[1]));
            base = p == 'x' ? 16 : p == 'b' ? 2 : p == 'o' ? 8 : 0;
            if (base != 0)
                digits.erase(0, 2);
            else if (digits.find_first_of(".eE") == std::string::npos)
                base = 8, digits.erase(0, 1);
            else
                base = 10;
        }
        if (base == 10 && digits.find_first_of(".eE") != std::string::npos)
            return Json(std::strtod(s.c_str(), nullptr));
        std::uint64_t value = 0;
        auto r = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
        if (r.ec != std::errc() || r.ptr != digits.data() + digits.size())
            return error_at(t.pos, "bad number syntax: " + describe(t));
        if (negative) {
            if (value > static_cast<std::uint64_t>(INT64_MAX) + 1)
                return error_at(t.pos, "number out of range: " + describe(t));
            return Json(static_cast<std::int64_t>(0 - value));
        }
        if (value > static_cast<std::uint64_t>(INT64_MAX))
            return Json(value);
        return Json(static_cast<std::int64_t>(value));
    }

    std::string_view m_src;
    std::vector<Token> m_toks;
    std::size_t m_i = 0;
    std::vector<std::string> m_vars { "$" };
    int m_range_depth = 0;
    std::size_t m_keyword_pos = 0;
    bool m_after_pipe = false;  // the last command ended with "|"
};

} // namespace

Result<std::vector<Node>> parse(std::string_view source, std::size_t start)
{
    auto tokens = TRY(lex(source, start));
    return Parser(source, std::move(tokens)).run();
}

} // namespace berth::format::detail
