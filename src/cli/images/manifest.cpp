// berth manifest create|add|annotate|remove|rm|inspect|exists|push: Podman's
// flags and output (the list ID after a change; "Untagged:"/"Deleted:" for
// rm; the index as Podman indents it for inspect; the digest with push's
// --digestfile).
#include "cli/commands.h"
#include "cli/progress.h"
#include "base/fs.h"
#include "engine/images/manifest_lists.h"

#include <cstdio>
#include <memory>

namespace berth::cli {

namespace {

/// The registry flags of add, create and inspect.
struct RegistryArgs {
    bool tls_verify = true;
    std::string creds, authfile, cert_dir;
    CLI::Option* tls_option = nullptr;

    void add(CLI::App* cmd, bool with_auth)
    {
        tls_option = cmd->add_flag("--tls-verify", tls_verify, "Require HTTPS and verify certificates when accessing the registry (--tls-verify=false to disable)");
        if (!with_auth)
            return;
        cmd->add_option("--creds", creds, "Credentials USERNAME[:PASSWORD] for the registry");
        cmd->add_option("--authfile", authfile, "Path of the authentication file")->envname("REGISTRY_AUTH_FILE");
        cmd->add_option("--cert-dir", cert_dir, "Directory with certificates (*.crt, *.cert, *.key) for the registry");
    }

    Result<engine::ManifestRegistryOptions> options() const
    {
        engine::ManifestRegistryOptions o;
        if (tls_option && tls_option->count())
            o.tls_verify = tls_verify;
        if (!creds.empty())
            o.credentials = TRY(engine::parse_creds_flag(creds));
        o.authfile = authfile;
        o.cert_dir = cert_dir;
        return o;
    }
};

/// The platform flags of add and annotate.
struct PlatformArgs {
    std::string os, arch, variant, os_version;
    std::vector<std::string> features, os_features, annotations;
    CLI::Option *os_opt = nullptr, *arch_opt = nullptr, *variant_opt = nullptr, *os_version_opt = nullptr;
    CLI::Option *features_opt = nullptr, *os_features_opt = nullptr;

    void add(CLI::App* cmd, bool with_os_features)
    {
        cmd->add_option("--annotation", annotations, "Set an annotation KEY=VALUE on the instance (repeatable)");
        arch_opt = cmd->add_option("--arch", arch, "Override the architecture of the instance");
        features_opt = cmd->add_option("--features", features, "Override the features of the instance (repeatable)");
        os_opt = cmd->add_option("--os", os, "Override the OS of the instance");
        if (with_os_features)
            os_features_opt = cmd->add_option("--os-features", os_features, "Override the OS features of the instance (repeatable)");
        os_version_opt = cmd->add_option("--os-version", os_version, "Override the OS version of the instance");
        variant_opt = cmd->add_option("--variant", variant, "Override the architecture variant of the instance");
    }

    Result<image::PlatformOverride> change() const
    {
        image::PlatformOverride c;
        auto given = [](CLI::Option const* o) { return o && o->count() > 0; };
        if (given(os_opt))
            c.os = os;
        if (given(arch_opt))
            c.architecture = arch;
        if (given(variant_opt))
            c.variant = variant;
        if (given(os_version_opt))
            c.os_version = os_version;
        if (given(features_opt))
            c.features = features;
        if (given(os_features_opt))
            c.os_features = os_features;
        for (auto const& text : annotations)
            c.annotations.insert(TRY(image::parse_annotation(text)));
        return c;
    }
};

/// The arguments of create and add.
struct AddArgs {
    std::string list;
    std::vector<std::string> images;
    bool all = false, amend = false;
    RegistryArgs registry;
    PlatformArgs platform;

    Result<engine::ManifestAddOptions> options() const
    {
        engine::ManifestAddOptions o;
        o.registry = TRY(registry.options());
        o.change = TRY(platform.change());
        o.all = all;
        return o;
    }
};

/// Runs `body` with an open context; prints its error. `body` returns the exit code.
template <typename Body>
int with_context(Globals const& globals, Body&& body)
{
    int exit_code = 0;
    auto ctx = open_or_report(globals, exit_code);
    if (!ctx)
        return exit_code;
    return body(*ctx);
}

/// Prints the line (a list's ID, inspect's JSON) or the error.
int print_line(Result<std::string> const& line)
{
    if (!line)
        return report(line.error());
    std::printf("%s\n", line->c_str());
    return 0;
}

void manifest_create(CLI::App& group, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<AddArgs>();
    auto* cmd = group.add_subcommand("create", "Create a manifest list (image index), optionally with images in it");
    cmd->add_option("list", a->list, "Name of the list (\"app\" is localhost/app:latest)")->required();
    cmd->add_option("images", a->images, "Images to add: local names, docker://REFERENCE, containers-storage:NAME");
    cmd->add_flag("--all", a->all, "Add every instance of an image that is itself a list, not only this platform's");
    cmd->add_flag("-a,--amend", a->amend, "Add to the list of that name if it exists instead of failing");
    a->registry.add(cmd, false);
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto options = a->options();
            if (!options)
                return report(options.error());
            return print_line(engine::create_manifest_list(ctx, a->list, a->images, *options, a->amend));
        });
    });
}

void manifest_add(CLI::App& group, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<AddArgs>();
    auto* cmd = group.add_subcommand("add", "Add images to a manifest list");
    cmd->add_option("list", a->list, "The manifest list")->required();
    cmd->add_option("images", a->images, "Images to add: local names, docker://REFERENCE, containers-storage:NAME")->required();
    cmd->add_flag("--all", a->all, "Add every instance of an image that is itself a list, not only this platform's");
    a->registry.add(cmd, true);
    a->platform.add(cmd, false);
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto options = a->options();
            if (!options)
                return report(options.error());
            return print_line(engine::add_to_manifest_list(ctx, a->list, a->images, *options));
        });
    });
}

void manifest_annotate(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string list, instance;
        PlatformArgs platform;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("annotate", "Set the platform or annotations of an instance in a manifest list");
    cmd->add_option("list", a->list, "The manifest list")->required();
    cmd->add_option("instance", a->instance, "The instance: its digest, or a local image in the list")->required();
    a->platform.add(cmd, true);
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto change = a->platform.change();
            if (!change)
                return report(change.error());
            return print_line(engine::annotate_manifest_list(ctx, a->list, a->instance, *change));
        });
    });
}

void manifest_remove(CLI::App& group, Globals& globals, int& exit_code)
{
    auto a = std::make_shared<std::pair<std::string, std::string>>();
    auto* cmd = group.add_subcommand("remove", "Remove an instance from a manifest list");
    cmd->add_option("list", a->first, "The manifest list")->required();
    cmd->add_option("digest", a->second, "The instance's digest (sha256:...)")->required();
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            return print_line(engine::remove_from_manifest_list(ctx, a->first, a->second));
        });
    });
}

void manifest_rm(CLI::App& group, Globals& globals, int& exit_code)
{
    auto lists = std::make_shared<std::vector<std::string>>();
    auto* cmd = group.add_subcommand("rm", "Remove manifest lists from local storage (not the images in them)");
    cmd->add_option("lists", *lists, "The manifest lists")->required();
    cmd->callback([lists, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            int rc = 0;
            for (auto const& r : engine::remove_manifest_lists(ctx, *lists)) {
                for (auto const& n : r.untagged)
                    std::printf("Untagged: %s\n", n.c_str());
                if (!r.deleted.empty())
                    std::printf("Deleted: %s\n", r.deleted.c_str());
                if (r.error) {
                    print_error(r.error->message);
                    int code = r.error->code == ENOENT ? 1 : 125;
                    rc = std::max(rc, code);
                }
            }
            return rc;
        });
    });
}

void manifest_exists(CLI::App& group, Globals& globals, int& exit_code)
{
    auto list = std::make_shared<std::string>();
    auto* cmd = group.add_subcommand("exists", "Exit 0 if a manifest list exists in local storage, 1 if not");
    cmd->add_option("list", *list, "The manifest list")->required();
    cmd->callback([list, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto found = engine::manifest_list_exists(ctx, *list);
            return !found ? report(found.error()) : *found ? 0 : 1;
        });
    });
}

void manifest_inspect(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string name;
        RegistryArgs registry;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("inspect", "Show a manifest list: a local one, else the index or manifest a registry has");
    cmd->add_option("list", a->name, "A local manifest list, or a registry reference")->required();
    a->registry.add(cmd, true);
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto registry = a->registry.options();
            if (!registry)
                return report(registry.error());
            return print_line(engine::inspect_manifest_list(ctx, a->name, *registry));
        });
    });
}

void manifest_push(CLI::App& group, Globals& globals, int& exit_code)
{
    struct Args {
        std::string list, destination, format, digestfile, compression_format;
        bool all = true, quiet = false, remove = false, remove_signatures = false;
        int retry = 3;
        RegistryArgs registry;
    };
    auto a = std::make_shared<Args>();
    auto* cmd = group.add_subcommand("push", "Push a manifest list and the images in it to a registry");
    cmd->add_option("list", a->list, "The manifest list")->required();
    cmd->add_option("destination", a->destination, "Where to: [docker://]host/repo[:tag]")->required();
    cmd->add_flag("--all", a->all, "Push the images in the list too (--all=false: the registry must have them)")->capture_default_str();
    a->registry.add(cmd, true);
    cmd->add_option("--compression-format", a->compression_format, "Accepted for compatibility: layers are pushed as stored");
    cmd->add_option("--digestfile", a->digestfile, "Write the digest of the pushed list to this file");
    cmd->add_option("-f,--format", a->format, "Type of the pushed list: oci (image index) or v2s2 (Docker manifest list); default: oci when an instance needs it");
    cmd->add_flag("-q,--quiet", a->quiet, "Suppress the progress output");
    cmd->add_flag("--remove-signatures", a->remove_signatures, "Do not copy signatures (berth stores none)");
    cmd->add_option("--retry", a->retry, "Number of times to retry a failed upload")->capture_default_str();
    cmd->add_flag("--rm", a->remove, "Remove the local list after a push that succeeded");
    cmd->callback([a, &globals, &exit_code] {
        exit_code = with_context(globals, [&](engine::Context& ctx) {
            auto registry = a->registry.options();
            if (!registry)
                return report(registry.error());
            engine::ManifestPushOptions options;
            options.push.tls_verify = registry->tls_verify;
            options.push.credentials = registry->credentials;
            options.push.authfile = registry->authfile;
            options.push.cert_dir = registry->cert_dir;
            options.push.retries = a->retry;
            options.push.observer = copy_progress(a->quiet);
            options.format = a->format;
            options.all = a->all;
            options.remove = a->remove;
            auto result = engine::push_manifest_list(ctx, a->list, a->destination, options);
            if (!result)
                return report(result.error());
            if (!a->quiet)
                std::fprintf(stderr, "Writing manifest list to image destination\n");
            if (!a->digestfile.empty())
                if (auto r = fs::write_file_atomic(a->digestfile, result->manifest_digest.str()); !r)
                    return report(std::move(r).error().with_context("write --digestfile"));
            return 0;
        });
    });
}

} // namespace

void setup_manifest_group(CLI::App& parent, Globals& globals, int& exit_code)
{
    auto* group = parent.add_subcommand("manifest", "Manage manifest lists (image indexes)");
    group->require_subcommand(1);
    manifest_add(*group, globals, exit_code);
    manifest_annotate(*group, globals, exit_code);
    manifest_create(*group, globals, exit_code);
    manifest_exists(*group, globals, exit_code);
    manifest_inspect(*group, globals, exit_code);
    manifest_push(*group, globals, exit_code);
    manifest_remove(*group, globals, exit_code);
    manifest_rm(*group, globals, exit_code);
}

} // namespace berth::cli
