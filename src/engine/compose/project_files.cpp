// Finding and reading a project's files: -f, else compose.yaml and its
// override file in the current directory or the nearest parent that has one; the .env file (or --env-file)
// under the process environment; COMPOSE_FILE and COMPOSE_PROFILES.
#include "engine/compose/compose.h"

#include "base/fs.h"
#include "base/sys.h"

#include <cstdlib>
#include <unistd.h>

extern char** environ;

namespace berth::engine {

namespace {

std::string absolute_path(std::string const& path, std::string const& cwd)
{
    if (path.empty() || path[0] == '/')
        return path;
    std::string out = cwd;
    out += '/';
    out.append(path, path.rfind("./", 0) == 0 ? 2 : 0);
    return out;
}

bool exists(std::string const& path) { return ::access(path.c_str(), F_OK) == 0; }

compose::Variables process_environment()
{
    compose::Variables vars;
    for (char** e = environ; e && *e; ++e) {
        std::string entry = *e;
        auto eq = entry.find('=');
        if (eq != std::string::npos)
            vars[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
    return vars;
}

std::vector<std::string> split(std::string const& text, char sep)
{
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t at; (at = text.find(sep, start)) != std::string::npos; start = at + 1)
        if (at > start)
            out.push_back(text.substr(start, at - start));
    if (start < text.size())
        out.push_back(text.substr(start));
    return out;
}

/// -f, else COMPOSE_FILE, else the default names (with the override file beside the first found).
Result<std::vector<std::string>> file_names(ComposeFiles const& given, compose::Variables const& env, std::string const& cwd)
{
    std::vector<std::string> files;
    for (auto const& f : given.files)
        files.push_back(f == "-" ? f : absolute_path(f, cwd));
    if (files.empty())
        if (auto it = env.find("COMPOSE_FILE"); it != env.end() && !it->second.empty())
            for (auto const& f : split(it->second, ':'))
                files.push_back(absolute_path(f, cwd));
    if (!files.empty()) {
        for (auto const& f : files)
            if (f != "-" && !exists(f))
                return Error { ENOENT, "compose file " + f + " not found: give an existing file with -f" };
        return files;
    }
    // The current directory, then each parent up to /, as docker compose looks.
    for (std::string dir = cwd;;) {
        auto in_dir = [&](char const* name) { return (dir == "/" ? "" : dir) + "/" + name; };
        for (auto const& [base, override_name] : { std::pair { "compose.yaml", "compose.override.yaml" }, { "compose.yml", "compose.override.yml" },
                 { "docker-compose.yaml", "docker-compose.override.yaml" }, { "docker-compose.yml", "docker-compose.override.yml" } }) {
            if (!exists(in_dir(base)))
                continue;
            files.push_back(in_dir(base));
            if (exists(in_dir(override_name)))
                files.push_back(in_dir(override_name));
            return files;
        }
        if (dir == "/" || dir.empty())
            break;
        auto slash = dir.rfind('/');
        dir = slash == 0 || slash == std::string::npos ? "/" : dir.substr(0, slash);
    }
    return Error { ENOENT, "no compose file found in " + cwd + " or its parents (compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml): give one with -f" };
}

} // namespace

Result<compose::Project> load_compose_project(ComposeFiles const& given)
{
    auto cwd = sys::getcwd().value_or(".");
    auto env = process_environment();
    auto names = TRY(file_names(given, env, cwd));
    compose::LoadInput in;
    in.project_name = given.project_name;
    in.working_dir = given.project_directory.empty()
        ? (names.front() == "-" ? cwd : names.front().substr(0, names.front().rfind('/')))
        : absolute_path(given.project_directory, cwd);
    if (in.working_dir.empty())
        in.working_dir.push_back('/');  // the first file is in /
    for (auto const& name : names) {
        if (name == "-")
            in.files.emplace_back(cwd + "/-", TRY_CTX(fs::read_file("/dev/stdin"), "read standard input"));
        else
            in.files.emplace_back(name, TRY_CTX(fs::read_file(name), "read " + name));
    }
    // The .env file first, the process environment over it.
    auto env_files = given.env_files;
    if (env_files.empty() && exists(in.working_dir + "/.env"))
        env_files.push_back(in.working_dir + "/.env");
    for (auto const& file : env_files) {
        auto path = absolute_path(file, cwd);
        auto text = TRY_CTX(fs::read_file(path), "read env file " + path);
        auto vars = compose::parse_dotenv(text);
        if (!vars)
            return Error { EINVAL, path + ": " + vars.error().message };
        for (auto const& [k, v] : *vars)
            in.variables[k] = v;
    }
    for (auto const& [k, v] : env)
        in.variables[k] = v;
    in.profiles = given.profiles;
    if (auto it = in.variables.find("COMPOSE_PROFILES"); in.profiles.empty() && it != in.variables.end())
        in.profiles = split(it->second, ',');
    return compose::load_project(in);
}

Result<compose::Project> existing_compose_project(ComposeFiles const& given)
{
    auto project = load_compose_project(given);
    if (project || given.project_name.empty() || !given.files.empty() || project.error().code != ENOENT)
        return project;
    compose::Project only_name;
    only_name.name = given.project_name;
    return only_name;
}

} // namespace berth::engine
