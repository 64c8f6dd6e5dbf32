// libFuzzer harness: read → build (io::build) → prewarm → process a short noise burst.
//
// Contract under test: any input is either refused with io::LoadError or gives a model that runs
// without crashing, hanging or tripping a sanitizer (its output may be anything: random weights can
// legitimately blow up). Inputs whose delay lines would exceed a few MB are skipped so one run stays
// fast. Build and run with tests/fuzz/run.sh build [SECONDS].
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nofold/io/load.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    nofold::io::ModelFile file;
    try {
        file = nofold::io::read_model_text("fuzz-input", text);
    } catch (const nofold::io::LoadError&) {
        return 0;
    }
    try {
        nofold::io::LoadOptions options;
        options.prewarm = nofold::io::PrewarmPolicy::nam_core;
        nofold::io::LoadedModel m = nofold::io::build(file, options, "fuzz-input");
        if (m.model->memory_bytes() > (32u << 20) || m.model->receptive_field() > 100000) return 0;
        m.model->set_slimmable_size(0.3);
        m.model->prewarm();
        std::vector<float> x(200), y(200);
        std::uint32_t s = 12345;
        for (float& v : x) {
            s = s * 1664525u + 1013904223u;
            v = static_cast<float>(static_cast<int>(s >> 9) - (1 << 22)) * (0.5f / (1 << 22));
        }
        m.model->process(x.data(), y.data(), 37);
        m.model->process(x.data() + 37, y.data() + 37, 163);
    } catch (const nofold::io::LoadError&) {
    }
    return 0;
}
