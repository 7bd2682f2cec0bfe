// Image references, parsed by hand along Docker's distribution/reference grammar.
//
//   reference := name [":" tag] ["@" digest]
//   name      := [domain "/"] path
//   domain    := host [":" port]      host: DNS labels joined by '.', or "[ipv6]"
//   path      := component ("/" component)*
//   component := [a-z0-9]+ (("." | "_" | "__" | "-"+) [a-z0-9]+)*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// The hard part is the ambiguity of ':' — it separates a tag from the name and
// a port from the host — and of the first path component, which is a registry
// host only when it looks like one ('.' or ':' in it, or "localhost"). A ':'
// is a tag separator only when it comes after the last '/'. Errors are kept in
// Docker's words (tests and users grep for "repository name must be lowercase")
// but always name the input.
#include "image/reference.h"

#include <algorithm>

namespace berth::image {

namespace {

constexpr size_t max_name_length = 255;
constexpr size_t max_tag_length = 128;
constexpr std::string_view docker_domain = "docker.io";
constexpr std::string_view legacy_docker_domain = "index.docker.io";

Error invalid(std::string_view input, std::string_view why)
{
    return Error::msg("invalid reference \"" + std::string(input) + "\": " + std::string(why));
}

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// One path component: alphanumeric runs joined by '.', '_', '__' or '-'+.
bool valid_path_component(std::string_view c)
{
    size_t i = 0;
    auto run = [&] {
        size_t start = i;
        while (i < c.size() && is_lower_alnum(c[i]))
            ++i;
        return i > start;
    };
    if (!run())
        return false;
    while (i < c.size()) {
        if (c[i] == '.') {
            ++i;
        } else if (c[i] == '_') {
            ++i;
            if (i < c.size() && c[i] == '_')
                ++i;
        } else if (c[i] == '-') {
            while (i < c.size() && c[i] == '-')
                ++i;
        } else {
            return false;
        }
        if (!run())
            return false;
    }
    return true;
}

bool valid_path(std::string_view path)
{
    if (path.empty())
        return false;
    size_t start = 0;
    while (true) {
        size_t slash = path.find('/', start);
        std::string_view component = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!valid_path_component(component))
            return false;
        if (slash == std::string_view::npos)
            return true;
        start = slash + 1;
    }
}

/// A DNS label: alphanumeric, '-' allowed inside but not at either end.
bool valid_label(std::string_view label)
{
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back()))
        return false;
    return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; });
}

bool valid_hostname(std::string_view host)
{
    if (host.empty())
        return false;
    size_t start = 0;
    while (true) {
        size_t dot = host.find('.', start);
        if (!valid_label(host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start)))
            return false;
        if (dot == std::string_view::npos)
            return true;
        start = dot + 1;
    }
}

bool valid_port(std::string_view port)
{
    return !port.empty() && std::all_of(port.begin(), port.end(), is_digit);
}

/// host[:port] where host is a DNS name, an IPv4 address or a bracketed IPv6 address.
bool valid_domain(std::string_view domain)
{
    if (!domain.empty() && domain.front() == '[') {
        size_t close = domain.find(']');
        if (close == std::string_view::npos || close == 1)
            return false;
        std::string_view inside = domain.substr(1, close - 1);
        bool hex_colon = std::all_of(inside.begin(), inside.end(), [](char c) {
            return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':';
        });
        if (!hex_colon || inside.find(':') == std::string_view::npos)
            return false;
        std::string_view rest = domain.substr(close + 1);
        return rest.empty() || (rest.front() == ':' && valid_port(rest.substr(1)));
    }
    size_t colon = domain.find(':');
    if (colon == std::string_view::npos)
        return valid_hostname(domain);
    return valid_hostname(domain.substr(0, colon)) && valid_port(domain.substr(colon + 1));
}

bool valid_tag(std::string_view tag)
{
    if (tag.empty() || tag.size() > max_tag_length || !is_word(tag.front()))
        return false;
    return std::all_of(tag.begin(), tag.end(), [](char c) { return is_word(c) || c == '.' || c == '-'; });
}

bool looks_like_domain(std::string_view component)
{
    return component.find_first_of(".:[") != std::string_view::npos || component == "localhost";
}

bool is_64_hex(std::string_view text)
{
    return text.size() == 64 && std::all_of(text.begin(), text.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f');
    });
}

std::string lowercase(std::string_view text)
{
    std::string out(text);
    for (char& c : out)
        c = (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
    return out;
}

enum class DomainRule { Heuristic, FirstComponent };

/// docker.io spellings and the implicit library/ namespace, as Docker normalises them.
void normalize_docker_hub(Reference& ref)
{
    if (ref.domain == legacy_docker_domain)
        ref.domain = docker_domain;
    if (ref.domain == docker_domain && ref.path.find('/') == std::string::npos)
        ref.path = "library/" + ref.path;
}

ErrorOr split_name(std::string_view input, std::string_view name, DomainRule rule, Reference& ref)
{
    size_t slash = name.find('/');
    bool has_domain = slash != std::string_view::npos
        && (rule == DomainRule::FirstComponent || looks_like_domain(name.substr(0, slash)));
    if (rule == DomainRule::FirstComponent && slash == std::string_view::npos)
        return invalid(input, "expected registry/repository");
    std::string_view path = has_domain ? name.substr(slash + 1) : name;
    if (has_domain) {
        std::string_view domain = name.substr(0, slash);
        if (!valid_domain(domain))
            return invalid(input, "invalid reference format: registry \"" + std::string(domain) + "\" is not a valid host[:port]");
        ref.domain = std::string(domain);
    }
    if (!valid_path(path)) {
        if (valid_path(lowercase(path)))
            return invalid(input, "invalid reference format: repository name must be lowercase");
        return invalid(input, "invalid reference format: repository path \"" + std::string(path)
                + "\" may contain only lowercase letters, digits and single separators (. _ __ -) between them");
    }
    if (!has_domain && is_64_hex(path))
        return invalid(input, "a 64-character hexadecimal string is an image ID, not a repository name");
    ref.path = std::string(path);
    return {};
}

Result<Reference> parse_with(std::string_view input, DomainRule rule)
{
    if (input.empty())
        return invalid(input, "repository name must have at least one component");
    Reference ref;
    std::string_view rest = input;
    // "@digest" ends the reference; neither name nor tag may contain '@'.
    if (size_t at = rest.find('@'); at != std::string_view::npos) {
        auto digest = Digest::parse(rest.substr(at + 1));
        if (!digest)
            return invalid(input, digest.error().message);
        ref.digest = digest.release_value();
        rest = rest.substr(0, at);
    }
    // A ':' after the last '/' starts the tag; before it, it is a port.
    size_t colon = rest.rfind(':');
    size_t last_slash = rest.rfind('/');
    if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
        std::string_view tag = rest.substr(colon + 1);
        if (tag.empty())
            return invalid(input, "invalid reference format: empty tag after ':'");
        if (tag.size() > max_tag_length)
            return invalid(input, "invalid reference format: tag must not be more than 128 characters");
        if (!valid_tag(tag))
            return invalid(input, "invalid reference format: tag \"" + std::string(tag)
                    + "\" must be letters, digits, '_', '.' or '-' and not start with '.' or '-'");
        ref.tag = std::string(tag);
        rest = rest.substr(0, colon);
    }
    if (rest.empty())
        return invalid(input, "invalid reference format: missing repository name");
    if (rest.size() > max_name_length)
        return invalid(input, "invalid reference format: repository name must not be more than 255 characters");
    TRY(split_name(input, rest, rule, ref));
    normalize_docker_hub(ref);
    return ref;
}

} // namespace

Result<Reference> Reference::parse(std::string_view text)
{
    return parse_with(text, DomainRule::Heuristic);
}

Result<Reference> Reference::parse_normalized(std::string_view text)
{
    Reference ref = TRY(parse(text));
    if (ref.is_short_name())
        return ref.with_domain(docker_domain);
    return ref.with_default_tag();
}

Result<Reference> Reference::parse_qualified(std::string_view text)
{
    return parse_with(text, DomainRule::FirstComponent);
}

Reference Reference::with_domain(std::string_view new_domain) const
{
    Reference ref = *this;
    ref.domain = std::string(new_domain);
    normalize_docker_hub(ref);
    return ref.with_default_tag();
}

Reference Reference::with_default_tag() const
{
    Reference ref = *this;
    if (ref.tag.empty() && !ref.digest)
        ref.tag = "latest";
    return ref;
}

std::string Reference::repository() const
{
    return domain.empty() ? path : domain + "/" + path;
}

std::string Reference::str() const
{
    std::string out = repository();
    if (!tag.empty())
        out += ":" + tag;
    if (digest)
        out += "@" + digest->str();
    return out;
}

std::string Reference::manifest_ref() const
{
    if (digest)
        return digest->str();
    return tag.empty() ? "latest" : tag;
}

std::string Reference::api_host() const
{
    if (domain == docker_domain)
        return "registry-1.docker.io";
    return domain;
}

} // namespace berth::image
