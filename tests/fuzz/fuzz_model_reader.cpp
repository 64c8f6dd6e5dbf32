// libFuzzer harness for nofold's model readers (io::read_model_text → .nam, GuitarML, Keras/AIDA-X).
//
// Contract under test: for any bytes, reading either returns a ModelFile whose leaf weight counts
// match their configs, or throws io::LoadError. Any other exception, crash, sanitizer report,
// timeout or out-of-memory is a bug. Build and run with tests/fuzz/run.sh (clang, -fsanitize=fuzzer,address).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include <nofold/io/read.hpp>

namespace {

void check(const nofold::io::ModelFile& f) {
    if (!f.is_container()) {
        if (nofold::nn::weight_count(f.model.config) != f.model.weights.size()) std::abort();
    }
    for (const auto& c : f.children) check(c);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        check(nofold::io::read_model_text("fuzz-input", text));
    } catch (const nofold::io::LoadError&) {
    }
    return 0;
}
