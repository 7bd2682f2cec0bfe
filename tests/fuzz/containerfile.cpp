// Fuzz target: Containerfiles (build/containerfile.h), as `berth build` reads
// them from a context it does not control. A parsed file's instructions must
// have lines inside the file, in order, and each must parse again from its
// keyword and text to the same instruction (heredoc bodies aside, which live
// on the following lines). Every instruction is also expanded, and the raw
// input goes through the substitution functions on its own.
#include "build/containerfile.h"
#include "build/substitution.h"
#include "fuzz.h"

#include <algorithm>

using namespace berth::build;

namespace {

void check_instruction(Containerfile const& file, Instruction const& instruction, int& last_line, int lines,
    Environment const& env)
{
    FUZZ_CHECK(instruction.line >= last_line && instruction.line <= lines);
    last_line = instruction.line;
    FUZZ_CHECK(!instruction.keyword.empty());
    auto again = parse_instruction(instruction.keyword + " " + instruction.text, file.escape, file.file, instruction.line);
    FUZZ_CHECK(again.has_value());
    auto without_heredocs = [](Instruction i) {
        if (auto* run = std::get_if<Run>(&i.body))
            run->heredocs.clear();
        if (auto* copy = std::get_if<Copy>(&i.body))
            copy->heredocs.clear();
        if (auto* add = std::get_if<Add>(&i.body))
            add->heredocs.clear();
        return i;
    };
    FUZZ_CHECK(*again == without_heredocs(instruction));
    (void)expand(file, instruction, env);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(uint8_t const* data, size_t size)
{
    auto text = berth::fuzz::as_text(data, size);
    Environment const env { { "A", "a b" }, { "EMPTY", "" }, { "DIR", "/d" } };
    (void)expand_word(text, env);
    (void)expand_words(text, env, '`');
    auto file = parse_containerfile(text);
    if (!file)
        return 0;
    int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
    int last_line = 1;
    for (auto const& arg : file->global_args)
        check_instruction(*file, arg, last_line, lines, env);
    FUZZ_CHECK(!file->stages.empty());
    for (auto const& stage : file->stages) {
        FUZZ_CHECK(stage.line >= last_line);
        last_line = stage.line;
        if (!stage.from.name.empty())
            FUZZ_CHECK(file->stage(stage.from.name) == &stage);
        (void)expand_from(*file, stage, env);
        for (auto const& instruction : stage.instructions)
            check_instruction(*file, instruction, last_line, lines, env);
    }
    return 0;
}
