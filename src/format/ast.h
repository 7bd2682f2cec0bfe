// The parsed form of a template: tokens from the lexer and the tree the parser
// builds, mirroring Go's text/template/parse (text, actions, if/range/with,
// pipelines of commands whose arguments are operands with field chains).
// Internal to src/format.
#pragma once

#include "base/error.h"
#include "base/json.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace berth::format::detail {

enum class Tok {
    Text,       ///< literal text, already unescaped (\t, \n) and trimmed
    Open,       ///< {{ or {{-
    Close,      ///< }} or -}}
    Space,      ///< a run of blanks inside an action
    Ident,      ///< function name or keyword
    Field,      ///< .Name (value: Name)
    Dot,        ///< .
    Variable,   ///< $ or $name (value includes the $)
    String,     ///< quoted or raw string (value: unquoted)
    Number,     ///< number or character constant (value: source text)
    LParen,
    RParen,
    Pipe,
    Declare,    ///< :=
    Assign,     ///< =
    Comma,
    Char,       ///< any other printable character (always a syntax error)
    Eof,
};

struct Token {
    Tok type = Tok::Eof;
    std::string value;
    std::size_t pos = 0;  ///< byte offset in the template source
    std::string raw;      ///< the source text, for error messages
};

struct Pipeline;

/// One argument of a command: a term followed by an optional chain of fields.
struct Operand {
    enum class Kind { Dot, Field, Variable, Literal, Nil, Function, Pipe };
    Kind kind = Kind::Dot;
    std::string name;                       ///< Variable: "$x"; Function: its name
    Json literal;                           ///< Literal: string, number or bool
    std::shared_ptr<Pipeline const> pipe;   ///< Pipe: a parenthesised pipeline
    std::vector<std::string> fields;        ///< .A.B applied to the term (Field: to dot)
    std::size_t pos = 0;
};

/// A function call, or a single operand.
struct Command {
    std::vector<Operand> args;
    std::size_t pos = 0;
};

/// `$x := cmd | cmd | ...`
struct Pipeline {
    std::vector<std::string> decls;  ///< variables declared (or assigned, with =)
    bool assign = false;
    std::vector<Command> cmds;
    std::size_t pos = 0;
};

struct Node {
    enum class Kind { Text, Action, If, Range, With, Break, Continue };
    Kind kind = Kind::Text;
    std::size_t pos = 0;
    std::string text;             ///< Text
    Pipeline pipe;                ///< Action, If, Range, With
    std::vector<Node> body;       ///< If, Range, With
    std::vector<Node> else_body;  ///< If, Range, With ({{else if}} nests an If here)
};

/// A syntax error: "template: <what> at column C" (or "at line L, column C").
Error syntax_error(std::string_view source, std::size_t pos, std::string const& what);

/// Splits source[start..] into tokens; literal text has \t and \n escapes
/// converted and trim markers applied.
Result<std::vector<Token>> lex(std::string_view source, std::size_t start);

/// Parses source[start..] into the tree.
Result<std::vector<Node>> parse(std::string_view source, std::size_t start);

} // namespace berth::format::detail
