// libFuzzer harness for the real-time path: random audio with NaN/inf/huge bursts through loaded
// models (WaveNet static and runtime, LSTM, GRU, the GuitarML skip wrapper), alone, oversampled
// (2x IIR, 4x fast IIR, 2x FIR), resampled (44.1 kHz host) and inside a Processor, in random block
// sizes (0 included).
//
// Contract under test (README "sample rule"): no crash, sanitizer report or hang; a Processor's
// output is finite at every sample; any chain's output is finite again once a clean signal (a
// 0.5-amplitude sine) has run for longer than its memory after the fuzzed audio. The input bytes:
// [model, wrapper, block-size seed, then float samples]. Build and run with tests/fuzz/run.sh realtime.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/processor.hpp>

namespace {

const std::filesystem::path root = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
const char* const model_files[] = {"examples/models/nofold_demo_drive.nam", "tests/fuzz/corpus/nam_wavenet_tiny.json",
                                   "tests/fuzz/corpus/nam_lstm_tiny.json", "tests/fuzz/corpus/guitarml_lstm.json",
                                   "tests/fuzz/corpus/keras_gru.json"};
constexpr int model_count = sizeof(model_files) / sizeof(model_files[0]);

// Read once per process; each input builds fresh models from them.
const std::vector<nofold::io::ModelFile>& files() {
    static const std::vector<nofold::io::ModelFile> all = [] {
        std::vector<nofold::io::ModelFile> v;
        for (const char* f : model_files) v.push_back(nofold::io::read_model_file((root / f).string()));
        return v;
    }();
    return all;
}

std::unique_ptr<nofold::Model> load(int index, bool runtime) {
    nofold::io::LoadOptions options;
    options.max_rate_factor = 4.0;
    options.dispatch = runtime ? nofold::io::Dispatch::runtime_only : nofold::io::Dispatch::automatic;
    return nofold::io::build(files()[static_cast<std::size_t>(index)], options, model_files[index]).model;
}

std::unique_ptr<nofold::Model> wrap(std::unique_ptr<nofold::Model> m, int wrapper) {
    namespace dsp = nofold::dsp;
    switch (wrapper) {
        case 1: return std::make_unique<dsp::OversampledModel>(std::move(m), dsp::OversampleFactor::x2, dsp::FilterPreset::iir_quality);
        case 2: return std::make_unique<dsp::OversampledModel>(std::move(m), dsp::OversampleFactor::x4, dsp::FilterPreset::iir_fast);
        case 3: return std::make_unique<dsp::OversampledModel>(std::move(m), dsp::OversampleFactor::x2, dsp::FilterPreset::fir_linear_phase);
        case 4: return std::make_unique<dsp::ResampledModel>(std::move(m), 44100, 48000);
        default: return m;
    }
}

[[noreturn]] void bug(const char* what, int model, int wrapper) {
    std::fprintf(stderr, "realtime contract broken: %s (model %s, wrapper %d)\n", what, model_files[model], wrapper);
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    const int model_index = data[0] % model_count;
    const bool runtime = (data[0] / model_count) % 2 == 1;
    const int wrapper = data[1] % 6;  // 0 bare, 1-3 oversampled, 4 resampled, 5 Processor
    std::uint32_t seed = data[2] * 2654435761u + 1u;
    std::vector<float> audio((size - 3) / sizeof(float));
    if (!audio.empty()) std::memcpy(audio.data(), data + 3, audio.size() * sizeof(float));
    // Bursts chosen by the seed byte (about one sample in seven), so that even inputs whose bytes
    // decode to ordinary floats reach the non-finite cases often.
    for (std::size_t i = 0; i < audio.size(); ++i)
        if ((seed >> (i % 29)) % 7 == 0) audio[i] = (i % 3 == 0) ? NAN : (i % 3 == 1 ? INFINITY : -INFINITY);

    std::unique_ptr<nofold::Model> model = wrap(load(model_index, runtime), wrapper == 5 ? 0 : wrapper);
    std::unique_ptr<nofold::Processor> processor;
    if (wrapper == 5) {
        processor = std::make_unique<nofold::Processor>();
        if (processor->submit(model) != nofold::SubmitStatus::accepted) bug("submit refused", model_index, wrapper);
    } else {
        model->prewarm();
    }
    const auto run = [&](const float* in, float* out, int n) {
        if (processor) processor->process(in, out, n);
        else model->process(in, out, n);
    };
    std::vector<float> out(audio.size() + 1);
    for (std::size_t pos = 0; pos < audio.size();) {
        seed = seed * 1664525u + 1013904223u;
        const std::size_t n = std::min<std::size_t>(audio.size() - pos, (seed >> 16) % 300);  // 0 included
        run(audio.data() + pos, out.data() + pos, static_cast<int>(n));
        pos += n;
        if (n == 0 && (seed & 1)) ++pos;  // skip a sample now and then so zero-length blocks cannot loop
    }
    if (processor)
        for (std::size_t i = 0; i < audio.size(); ++i)
            if (!std::isfinite(out[i])) bug("non-finite Processor output", model_index, wrapper);
    // Recovery: 12 000 samples of a clean sine (longer than every chain's memory here) must end finite.
    std::vector<float> sine(12000), y(12000);
    for (std::size_t i = 0; i < sine.size(); ++i) sine[i] = static_cast<float>(0.5 * std::sin(0.05 * static_cast<double>(i)));
    run(sine.data(), y.data(), static_cast<int>(sine.size()));
    for (std::size_t i = 6000; i < y.size(); ++i)
        if (!std::isfinite(y[i])) bug("non-finite output after the burst", model_index, wrapper);
    return 0;
}
