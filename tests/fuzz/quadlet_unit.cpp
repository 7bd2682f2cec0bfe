// Fuzz target: the Quadlet unit file parser (quadlet::UnitFile::parse) and
// systemd's word splitting of its values. Every section is found again by
// its name; words without control characters survive quote_word and
// split_words.
#include "fuzz.h"
#include "quadlet/sources.h"
#include "quadlet/unit_file.h"

#include <algorithm>

using namespace berth::quadlet;

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto unit = UnitFile::parse("fuzz.container", berth::fuzz::as_text(data, size));
    if (!unit)
        return 0;
    for (auto const& section : unit->sections()) {
        FUZZ_CHECK(unit->section(section.name) != nullptr);
        for (auto const& entry : section.entries) {
            (void)unit->last(section.name, entry.key);
            (void)unit->values(section.name, entry.key);
            auto words = split_words(entry.value);
            if (!words)
                continue;
            std::string line;
            bool plain = true;
            for (auto const& word : *words) {
                plain = plain && std::none_of(word.begin(), word.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
                if (!line.empty())
                    line += ' ';
                line += quote_word(word);
            }
            if (plain) {
                auto again = split_words(line);
                FUZZ_CHECK(again.has_value());
                FUZZ_CHECK(*again == *words);
            }
        }
    }
    // The same file as each kind of Quadlet file: a service text or an error, never a crash.
    GeneratorEnvironment env { "/usr/bin/berth", {}, {}, {} };
    for (char const* name : { "f.container", "f.volume", "f.network", "f.pod", "f.kube", "f.image", "f.build" })
        (void)service_text(Source { name, std::string("/etc/containers/systemd/") + name }, *unit, env);
    return 0;
}
