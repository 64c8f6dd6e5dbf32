// `nofold convert IN.wav OUT.wav [--format F] [--gain DB]`: rewrites a WAV in another sample format,
// optionally with a gain, channel by channel. Useful on its own and the simplest end-to-end use of
// the program's audio I/O.
#include <cmath>

#include "command.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

struct ConvertOptions {
    std::string input;
    std::string output;
    std::string format;
    double gain_db = 0.0;
};

std::function<void()> add_convert(CLI::App& app) {
    auto options = std::make_shared<ConvertOptions>();
    app.add_option("input", options->input, "input WAV")->required();
    app.add_option("output", options->output, "output WAV")->required();
    app.add_option("--format", options->format, "pcm16 | pcm24 | pcm32 | float (default: as the input)");
    app.add_option("--gain", options->gain_db, "gain in dB applied to every channel");
    return [options] {
        Audio audio = read_wav(options->input);
        if (!options->format.empty()) audio.format = parse_sample_format(options->format);
        if (!(std::fabs(options->gain_db) <= 100.0)) throw UsageError("--gain must lie in [-100, 100] dB");
        const auto gain = static_cast<float>(std::pow(10.0, options->gain_db / 20.0));
        for (auto& channel : audio.channels)
            for (float& x : channel) x *= gain;
        warn_non_finite(options->output, write_wav(options->output, audio));
    };
}


}  // namespace

Command convert_command() { return {"convert", "rewrite a WAV file in another sample format", add_convert}; }

}  // namespace nofold::cli
