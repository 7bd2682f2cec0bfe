// berth login / logout, writing auth.json where Podman does.
#include "cli/commands.h"
#include "engine/images/images.h"

#include <iostream>
#include <memory>
#include <termios.h>
#include <unistd.h>

namespace berth::cli {

namespace {

struct LoginArgs {
    std::string registry;
    std::string username, password, authfile, cert_dir;
    bool password_stdin = false, tls_verify = true, get_login = false;
    CLI::Option* tls_option = nullptr;
};

std::string prompt(char const* what, bool echo)
{
    std::fprintf(stderr, "%s", what);
    struct termios old {};
    bool tty = ::isatty(0) && ::tcgetattr(0, &old) == 0;
    if (tty && !echo) {
        struct termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty && !echo) {
        ::tcsetattr(0, TCSAFLUSH, &old);
        std::fprintf(stderr, "\n");
    }
    return line;
}

/// "https://host/v2/" -> "host"
std::string registry_host(std::string s)
{
    for (auto const* scheme : { "https://", "http://" })
        if (s.rfind(scheme, 0) == 0)
            s = s.substr(std::strlen(scheme));
    while (!s.empty() && s.back() == '/')
        s.pop_back();
    return s;
}

int run_login(LoginArgs const& a, Globals const&)
{
    std::string host = registry_host(a.registry);
    if (host.empty())
        return report(Error::msg("no registry given: use 'berth login REGISTRY'"));
    if (a.get_login) {
        auto username = engine::login_username(host, a.authfile);
        if (!username)
            return report(username.error());
        if (!*username)
            return report(Error::msg("not logged into " + host));
        std::printf("%s\n", (*username)->c_str());
        return 0;
    }
    if (a.password_stdin && !a.password.empty())
        return report(Error::msg("--password and --password-stdin are mutually exclusive"));
    engine::Credentials creds { a.username, a.password };
    if (creds.username.empty())
        creds.username = prompt("Username: ", true);
    if (a.password_stdin) {
        creds.password = read_stdin();
        while (!creds.password.empty() && (creds.password.back() == '\n' || creds.password.back() == '\r'))
            creds.password.pop_back();
    } else if (creds.password.empty()) {
        creds.password = prompt("Password: ", false);
    }
    if (creds.username.empty() || creds.password.empty())
        return report(Error::msg("username and password are required: use --username and --password-stdin"));
    engine::LoginOptions options;
    if (a.tls_option && a.tls_option->count())
        options.tls_verify = a.tls_verify;
    options.cert_dir = a.cert_dir;
    options.authfile = a.authfile;
    if (auto r = engine::login(host, creds, options); !r)
        return report(r.error());
    std::printf("Login Succeeded!\n");
    return 0;
}

struct LogoutArgs {
    std::string registry, authfile;
    bool all = false;
};

int run_logout(LogoutArgs const& a, Globals const&)
{
    std::string host = registry_host(a.registry);
    if (host.empty() && !a.all)
        return report(Error::msg("no registry given: use 'berth logout REGISTRY' or --all"));
    if (auto r = engine::logout(host, a.authfile, a.all); !r)
        return report(r.error());
    if (a.all)
        std::printf("Removed login credentials for all registries\n");
    else
        std::printf("Removed login credentials for %s\n", host.c_str());
    return 0;
}

} // namespace

void setup_login(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<LoginArgs>();
    auto* cmd = parent.add_subcommand("login", "Log in to a container registry");
    cmd->add_option("registry", a->registry, "Registry host, e.g. quay.io")->required();
    cmd->add_option("-u,--username", a->username, "Username");
    cmd->add_option("-p,--password", a->password, "Password (prefer --password-stdin)");
    cmd->add_flag("--password-stdin", a->password_stdin, "Read the password from standard input");
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
    cmd->add_option("--cert-dir", a->cert_dir, "Directory with certificates for the registry");
    a->tls_option = cmd->add_flag("--tls-verify", a->tls_verify, "Require HTTPS and verify certificates");
    cmd->add_flag("--get-login", a->get_login, "Print the username stored for the registry");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_login(*a, globals); });
}

void setup_logout(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<LogoutArgs>();
    auto* cmd = parent.add_subcommand("logout", "Log out of a container registry");
    cmd->add_option("registry", a->registry, "Registry host");
    cmd->add_option("--authfile", a->authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
    cmd->add_flag("-a,--all", a->all, "Remove the credentials of every registry");
    cmd->callback([a, &globals, &exit_code] { exit_code = run_logout(*a, globals); });
}

} // namespace berth::cli
