// `nofold make-di OUT.wav [--rate HZ] [--seconds S]`: writes a DI-like guitar phrase to test amps with,
// made here by Karplus–Strong plucked strings (a noise burst in a delay line with a damped averaging
// loop filter), deterministic (its own integer random generator), 32-bit float mono.
#include <cmath>
#include <cstdint>

#include "command.hpp"
#include <nofold/analysis/guitar_phrase.hpp>
#include "wav.hpp"

namespace nofold::cli {
namespace {

struct MakeDiOptions {
    std::string output;
    double rate_hz = 48000.0;
    double seconds = 6.0;
};

std::function<void()> add_make_di(CLI::App& app) {
    auto o = std::make_shared<MakeDiOptions>();
    app.add_option("output", o->output, "WAV file to write (32-bit float, mono)")->required();
    app.add_option("--rate", o->rate_hz, "sample rate in Hz")->check(CLI::Range(8000.0, 384000.0));
    app.add_option("--seconds", o->seconds, "length in seconds")->check(CLI::Range(0.5, 600.0));
    return [o] {
        Audio audio;
        audio.sample_rate_hz = static_cast<int>(o->rate_hz);
        audio.format = SampleFormat::float32;
        audio.channels.assign(1, analysis::guitar_phrase(o->rate_hz, o->seconds));
        write_wav(o->output, audio);
    };
}


}  // namespace

Command make_di_command() { return {"make-di", "write a DI-like plucked-guitar phrase (Karplus-Strong) to test with", add_make_di}; }

}  // namespace nofold::cli
