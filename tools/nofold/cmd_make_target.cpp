// `nofold make-target --circuit diode_clipper IN.wav OUT.wav [--drive DB] [--internal-rate 16|32]
//  [--latency compensate|keep] [--json]`: runs a white-box reference device over a WAV file, giving a
// training target (or an ESR-R / NMR-R reference) where no recording exists.
//
// The diode clipper (dsp::DiodeClipper) runs at 16× (or 32×) the file's rate between linear-phase
// FIR half-band cascades: alias-free to the figures in the README. Input sample 1.0 = 1 V at
// --drive 0; the output is the clipper's node voltage in volts (about ±0.8 V at most), written as
// 32-bit float. By default the device's whole-sample latency is removed (the output lines up with
// the input to within the fractional part, reported); `--latency keep` leaves it in. Each channel
// gets its own device. Non-finite input samples count as 0 V and are counted. The output is written
// to a temporary file beside OUT and renamed over it when complete; OUT must not be IN.
#include <chrono>
#include <cmath>
#include <memory>

#include <nofold/dsp/diode_clipper.hpp>
#include <nofold/io/atomic_file.hpp>

#include "command.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

struct MakeTargetOptions {
    std::string circuit, input, output;
    double drive_db = 0.0;
    int internal_rate = 16;
    std::string latency = "compensate";
    bool json = false;
};

std::function<void()> add_make_target(CLI::App& app) {
    auto o = std::make_shared<MakeTargetOptions>();
    app.add_option("--circuit", o->circuit, "reference device: diode_clipper")->required();
    app.add_option("input", o->input, "input WAV (the DI)")->required();
    app.add_option("output", o->output, "output WAV (32-bit float)")->required();
    app.add_option("--drive", o->drive_db, "input gain in dB (0: sample 1.0 = 1 V)");
    app.add_option("--internal-rate", o->internal_rate, "simulation rate as a multiple of the file's: 16 or 32");
    app.add_option("--latency", o->latency, "compensate (drop the whole-sample latency) | keep");
    app.add_flag("--json", o->json, "print a summary as JSON");
    return [o] {
        if (o->circuit != "diode_clipper") throw UsageError("--circuit must be diode_clipper (got '" + o->circuit + "')");
        if (!std::isfinite(o->drive_db) || std::abs(o->drive_db) > 60.0) throw UsageError("--drive must lie in [-60, 60] dB");
        if (o->internal_rate != 16 && o->internal_rate != 32) throw UsageError("--internal-rate must be 16 or 32");
        if (o->latency != "compensate" && o->latency != "keep") throw UsageError("--latency must be compensate or keep");
        if (o->input == o->output || io::same_file(o->input, o->output))
            throw UsageError("the output file must not be the input file");
        Audio audio = read_wav(o->input);
        if (audio.sample_rate_hz < 8000 || audio.sample_rate_hz > 384000)
            throw FileError(o->input + ": sample rate " + std::to_string(audio.sample_rate_hz) + " Hz is outside 8000 ... 384000");

        const auto start = std::chrono::steady_clock::now();
        const auto rate = o->internal_rate == 32 ? dsp::InternalRate::x32 : dsp::InternalRate::x16;
        double latency = 0.0;
        long dropped = 0, nonfinite = 0;
        int iterations = 0;
        float peak = 0.0f;
        for (std::vector<float>& channel : audio.channels) {
            auto device = std::make_unique<dsp::DiodeClipper>(static_cast<double>(audio.sample_rate_hz), dsp::DiodeClipperParams{}, rate);
            device->set_drive_db(o->drive_db);
            latency = device->latency();
            dropped = o->latency == "compensate" ? std::lround(std::floor(latency + 0.5)) : 0;
            for (float x : channel) nonfinite += std::isfinite(x) ? 0 : 1;
            // Run the input followed by `dropped` zeros, then keep the last channel.size() samples.
            std::vector<float> in(channel.size() + static_cast<std::size_t>(dropped), 0.0f), out(in.size());
            std::copy(channel.begin(), channel.end(), in.begin());
            device->process(in.data(), out.data(), static_cast<int>(in.size()));
            std::copy(out.begin() + dropped, out.end(), channel.begin());
            iterations = std::max(iterations, device->max_newton_iterations());
            for (float y : channel) peak = std::max(peak, std::abs(y));
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        audio.format = SampleFormat::float32;
        write_wav(o->output, audio);  // atomic: a failed or killed run never leaves a half-written OUT
        if (o->json) {
            Json j;
            j["circuit"] = o->circuit;
            j["drive_db"] = o->drive_db;
            j["internal_rate"] = o->internal_rate;
            j["sample_rate_hz"] = audio.sample_rate_hz;
            j["channels"] = audio.channels.size();
            j["frames"] = audio.frames();
            j["latency_samples"] = latency;
            j["compensated_samples"] = dropped;
            j["peak_output"] = peak;
            j["max_newton_iterations"] = iterations;
            j["nonfinite_input_samples"] = nonfinite;
            j["seconds"] = seconds;
            print_json(j);
        }
    };
}

}  // namespace

Command make_target_command() {
    return {"make-target", "run a white-box reference device (diode clipper, alias-free) over a WAV file", add_make_target};
}

}  // namespace nofold::cli
