// ScopeGuard runs a callback on scope exit; ArmedScopeGuard can be disarmed once
// the work it would roll back has been committed (SerenityOS AK/ScopeGuard.h).
#pragma once

#include <utility>

namespace berth {

template<typename F>
class ScopeGuard {
public:
    explicit ScopeGuard(F f) : m_f(std::move(f)) {}
    ~ScopeGuard() { m_f(); }
    ScopeGuard(ScopeGuard const&) = delete;
    ScopeGuard& operator=(ScopeGuard const&) = delete;

private:
    F m_f;
};

template<typename F>
class ArmedScopeGuard {
public:
    explicit ArmedScopeGuard(F f) : m_f(std::move(f)) {}
    ~ArmedScopeGuard()
    {
        if (m_armed)
            m_f();
    }
    void disarm() { m_armed = false; }
    ArmedScopeGuard(ArmedScopeGuard const&) = delete;
    ArmedScopeGuard& operator=(ArmedScopeGuard const&) = delete;

private:
    F m_f;
    bool m_armed = true;
};

} // namespace berth
