// Fuzz target: containers.conf and storage.conf (config/engine_config.h), TOML
// that the user, the distribution or Podman's packages write; the same text is
// read as both, merged over what an earlier file set, as load_* merge them.
#include "config/engine_config.h"
#include "fuzz.h"

using namespace berth::config;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto text = berth::fuzz::as_text(data, size);
    ContainersConf containers;
    containers.runtime = "earlier";
    if (parse_containers_conf(text, "containers.conf", containers)) {
        FUZZ_CHECK(containers.files.size() == 1);
        for (auto const& [name, paths] : containers.runtimes)
            (void)resolve_runtime(containers, name);
    }
    StorageConf storage;
    if (parse_storage_conf(text, "storage.conf", storage))
        FUZZ_CHECK(storage.file == "storage.conf");
    return 0;
}
