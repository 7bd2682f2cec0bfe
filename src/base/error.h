// Error and Result<T>: failures as values.
//
// Every fallible function returns Result<T>. An Error carries the errno (or 0)
// and a message that grows a context chain, "outer: inner", as crun's
// crun_error_wrap does. TRY(expr) unwraps a Result or returns its Error from
// the enclosing function (GCC/Clang statement expression, as SerenityOS AK/Try.h).
// Result uses std::expected's member names so it can become an alias later.
#pragma once

#include <cassert>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace berth {

/// What the CLI should do with an error: Podman's exit codes 125/126/127.
enum class ErrorKind {
    Engine,        ///< berth's own failure: exit 125
    CannotInvoke,  ///< the container command exists but cannot be run: exit 126
    NotFound,      ///< the container command does not exist: exit 127
};

/// The exit status of a command that failed with an error of `kind`, as Podman's.
constexpr int exit_status(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::CannotInvoke:
        return 126;
    case ErrorKind::NotFound:
        return 127;
    case ErrorKind::Engine:
        break;
    }
    return 125;
}

struct Error {
    int code = 0;             ///< errno, or 0 for non-system errors
    std::string message;      ///< "pull docker.io/library/alpine: fetch manifest: HTTP 401"
    ErrorKind kind = ErrorKind::Engine;

    /// An error with a message and no errno.
    static Error msg(std::string message) { return Error { 0, std::move(message) }; }
    /// An error from errno (or an explicit code): "what: strerror(code)".
    static Error from_errno(std::string_view what, int code = errno)
    {
        return Error { code, std::string(what) + ": " + std::strerror(code) };
    }
    /// Prepends "what: " to the message.
    Error with_context(std::string_view what) &&
    {
        message = std::string(what) + ": " + message;
        return std::move(*this);
    }
    Error with_kind(ErrorKind k) &&
    {
        kind = k;
        return std::move(*this);
    }
};

template<typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {}
    template<typename U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, Error> && !std::is_same_v<std::decay_t<U>, Result>)
    Result(U&& value) : m_v(std::in_place_index<0>, T(std::forward<U>(value))) {}

    bool has_value() const { return m_v.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() & { assert(has_value()); return std::get<0>(m_v); }
    T const& value() const& { assert(has_value()); return std::get<0>(m_v); }
    T&& value() && { assert(has_value()); return std::get<0>(std::move(m_v)); }
    T release_value() { assert(has_value()); return std::get<0>(std::move(m_v)); }
    Error& error() & { assert(!has_value()); return std::get<1>(m_v); }
    Error const& error() const& { assert(!has_value()); return std::get<1>(m_v); }
    Error&& error() && { assert(!has_value()); return std::get<1>(std::move(m_v)); }
    T* operator->() { return &value(); }
    T const* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    T const& operator*() const& { return value(); }
    template<typename U> T value_or(U&& fallback) const& { return has_value() ? value() : T(std::forward<U>(fallback)); }

private:
    std::variant<T, Error> m_v;
};

template<>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)), m_ok(false) {}

    bool has_value() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    void value() const { assert(m_ok); }
    void release_value() const { assert(m_ok); }
    Error& error() & { assert(!m_ok); return m_error; }
    Error const& error() const& { assert(!m_ok); return m_error; }
    Error&& error() && { assert(!m_ok); return std::move(m_error); }

private:
    Error m_error;
    bool m_ok = true;
};

using ErrorOr = Result<void>;

} // namespace berth

/// Unwraps a Result, or returns its Error from the enclosing function.
#define TRY(expr)                                      \
    ({                                                 \
        auto _berth_try = (expr);                      \
        if (!_berth_try.has_value())                   \
            return std::move(_berth_try).error();      \
        _berth_try.release_value();                    \
    })

/// Like TRY, but prepends context ("what: ") to the error.
#define TRY_CTX(expr, what)                                          \
    ({                                                               \
        auto _berth_try = (expr);                                    \
        if (!_berth_try.has_value())                                 \
            return std::move(_berth_try).error().with_context(what); \
        _berth_try.release_value();                                  \
    })
