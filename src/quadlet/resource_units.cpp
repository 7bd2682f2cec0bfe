// .network, .image and .build → oneshot services (see resource_units.h), and
// the names of what each kind of file makes.
#include "quadlet/resource_units.h"

#include "quadlet/unit_common.h"

namespace berth::quadlet {

namespace {

/// A boolean key that adds `flag` when true.
ErrorOr flag_if(UnitFile const& file, std::string const& section, char const* key, char const* flag, Words& out)
{
    if (TRY(bool_value(file, section, key)))
        out.push_back(flag);
    return {};
}

/// TLSVerify=no as --tls-verify=false (yes is the default).
ErrorOr tls_verify(UnitFile const& file, std::string const& section, Words& out)
{
    if (last_entry(file, section, "TLSVerify") && !TRY(bool_value(file, section, "TLSVerify", true)))
        out.push_back("--tls-verify=false");
    return {};
}

/// Subnet=, Gateway= and IPRange=, paired by position as Podman's Quadlet pairs them.
ErrorOr subnets(UnitFile const& file, Words& out)
{
    auto subnet = file.values("Network", "Subnet"), gateway = file.values("Network", "Gateway"), range = file.values("Network", "IPRange");
    if (subnet.empty() && (!gateway.empty() || !range.empty()))
        return Error { EINVAL, file.path() + ": Gateway= and IPRange= need a Subnet=" };
    if (gateway.size() > subnet.size() || range.size() > subnet.size())
        return Error { EINVAL, file.path() + ": more Gateway= or IPRange= than Subnet= (each pairs with the Subnet= at its position)" };
    for (size_t i = 0; i < subnet.size(); ++i) {
        out.push_back("--subnet=" + subnet[i]);
        if (i < gateway.size())
            out.push_back("--gateway=" + gateway[i]);
        if (i < range.size())
            out.push_back("--ip-range=" + range[i]);
    }
    return {};
}

std::string named_or_default(UnitFile const& file, char const* section, char const* key, std::string const& source_name)
{
    if (auto name = file.last(section, key); name && !name->empty())
        return *name;
    return "systemd-" + source_stem(source_name);
}

} // namespace

std::string resource_name(UnitFile const& file, std::string const& source_name)
{
    if (source_name.ends_with(".volume"))
        return volume_name(file, source_name);
    if (source_name.ends_with(".network"))
        return named_or_default(file, "Network", "NetworkName", source_name);
    if (source_name.ends_with(".pod"))
        return named_or_default(file, "Pod", "PodName", source_name);
    if (source_name.ends_with(".image")) {
        auto tag = file.last("Image", "ImageTag");
        return tag && !tag->empty() ? *tag : file.last("Image", "Image").value_or("");
    }
    if (source_name.ends_with(".build")) {
        auto tags = file.values("Build", "ImageTag");
        return tags.empty() ? "" : tags.front();
    }
    return "";
}

Result<std::string> network_service(UnitFile const& file, std::string const& source_name, GeneratorEnvironment const& env)
{
    TRY(check_keys(file, "Network", { "NetworkName", "Driver", "Subnet", "Gateway", "IPRange", "IPv6", "Internal", "DisableDNS",
                                        "DNS", "IPAMDriver", "InterfaceName", "Options", "Label", "PodmanArgs", "NetworkDeleteOnStop" }));
    Words create { env.executable, "network", "create", "--ignore" };
    flag_last(file, "Network", "Driver", "--driver", create);
    if (auto const* ipam = last_entry(file, "Network", "IPAMDriver"); ipam && !ipam->value.empty()) {
        // berth's networks allocate their addresses themselves (host-local).
        if (ipam->value != "host-local")
            return entry_error(*ipam, "IPAMDriver=" + ipam->value + " is not supported by berth: remove it or use IPAMDriver=host-local");
        create.push_back("--ipam-driver=host-local");
    }
    TRY(subnets(file, create));
    TRY(flag_if(file, "Network", "IPv6", "--ipv6", create));
    TRY(flag_if(file, "Network", "Internal", "--internal", create));
    TRY(flag_if(file, "Network", "DisableDNS", "--disable-dns", create));
    if (auto const* dns = last_entry(file, "Network", "DNS"); dns && TRY(bool_value(file, "Network", "DisableDNS")))
        return entry_error(*dns, "DNS= needs the network's DNS server, which DisableDNS=yes turns off: remove one of them");
    flag_per_value(file, "Network", "DNS", "--dns", create);
    flag_last(file, "Network", "InterfaceName", "--interface-name", create);
    flag_per_value(file, "Network", "Options", "--opt", create);
    TRY(label_flags(file, "Network", create));
    TRY(podman_args(file, "Network", create));
    std::string name = resource_name(file, source_name);
    create.push_back(name);
    std::string stop;
    if (TRY(bool_value(file, "Network", "NetworkDeleteOnStop")))
        stop = "ExecStopPost=" + exec_line({ env.executable, "network", "rm", "--force", name }) + "\n";
    return oneshot_service(file, "Network", create, {}, stop);
}

Result<std::string> image_service(UnitFile const& file, GeneratorEnvironment const& env)
{
    TRY(check_keys(file, "Image", { "Image", "ImageTag", "AllTags", "Arch", "OS", "Variant", "TLSVerify", "AuthFile", "CertDir",
                                      "Creds", "PodmanArgs" }));
    auto image = file.last("Image", "Image");
    if (!image || image->empty())
        return Error { EINVAL, file.path() + ": [Image] has no Image=" };
    Words pull { env.executable, "image", "pull" };
    TRY(flag_if(file, "Image", "AllTags", "--all-tags", pull));
    flag_last(file, "Image", "Arch", "--arch", pull);
    flag_last(file, "Image", "OS", "--os", pull);
    flag_last(file, "Image", "Variant", "--variant", pull);
    TRY(tls_verify(file, "Image", pull));
    flag_last(file, "Image", "AuthFile", "--authfile", pull);
    flag_last(file, "Image", "CertDir", "--cert-dir", pull);
    flag_last(file, "Image", "Creds", "--creds", pull);
    TRY(podman_args(file, "Image", pull));
    pull.push_back(*image);
    return oneshot_service(file, "Image", pull, {});
}

Result<std::string> build_service(UnitFile const& file, GeneratorEnvironment const& env)
{
    TRY(check_keys(file, "Build", { "ImageTag", "File", "SetWorkingDirectory", "Label", "Pull", "Target", "Arch", "TLSVerify",
                                      "AuthFile", "PodmanArgs" }));
    auto tags = file.values("Build", "ImageTag");
    if (tags.empty())
        return Error { EINVAL, file.path() + ": [Build] has no ImageTag=" };
    // The context: SetWorkingDirectory= (unit, file, a path or URL), else File='s directory.
    std::string dockerfile = file.last("Build", "File").value_or("");
    std::string where = file.last("Build", "SetWorkingDirectory").value_or("");
    std::string context;
    if (where == "unit")
        context = parent_dir(file.path());
    else if (where == "file" || (where.empty() && dockerfile.starts_with("/")))
        context = dockerfile.empty() ? "" : parent_dir(beside_unit(file, dockerfile));
    else
        context = where.find("://") == std::string::npos ? beside_unit(file, where) : where;
    if (context.empty())
        return Error { EINVAL, file.path() + ": [Build] needs SetWorkingDirectory= (unit, file or a path) or an absolute File=" };
    bool local = context.find("://") == std::string::npos;
    // A relative File= is in the context directory (the service's working directory).
    if (!dockerfile.empty() && !dockerfile.starts_with("/") && local && context.starts_with("/"))
        dockerfile = context + "/" + dockerfile;
    Words build { env.executable, "build" };
    for (auto const& tag : tags)
        build.push_back("--tag=" + tag);
    if (!dockerfile.empty())
        build.push_back("--file=" + dockerfile);
    TRY(label_flags(file, "Build", build));
    flag_last(file, "Build", "Pull", "--pull", build);
    flag_last(file, "Build", "Target", "--target", build);
    flag_last(file, "Build", "Arch", "--arch", build);
    TRY(tls_verify(file, "Build", build));
    flag_last(file, "Build", "AuthFile", "--authfile", build);
    TRY(podman_args(file, "Build", build));
    build.push_back(context);
    return oneshot_service(file, "Build", build, {}, local ? "WorkingDirectory=" + context + "\n" : "");
}

} // namespace berth::quadlet
