#include "test_run.hpp"

#include <cstdint>
#include <cstring>

#include <nofold/dsp/oversampled.hpp>

#include "demo_drive.hpp"
#include "models/test_lstm_1x16.hpp"
#include "models/test_nano.hpp"

#ifndef FIRMWARE_MODELS
#define FIRMWARE_MODELS 15
#endif

namespace firmware_run {
namespace {

namespace wn = nofold::nn::wavenet;

// The math tier of every model's activations: exact by default; -DFIRMWARE_FAST_MATH picks the fast
// rational tanh (the budget table's experiment, see README "Firmware budget").
#ifdef FIRMWARE_FAST_MATH
[[maybe_unused]] constexpr nofold::math::Accuracy math = nofold::math::Accuracy::fast;
#else
[[maybe_unused]] constexpr nofold::math::Accuracy math = nofold::math::Accuracy::exact;
#endif
[[maybe_unused]] nofold::nn::Options options() noexcept {
    nofold::nn::Options o;
    o.math = math;
    return o;
}

// Static storage: weights' working copies, delay lines and scratch of every model live here.
#if FIRMWARE_MODELS & 1
TestNano::Fixed nano(options());
#endif
#if FIRMWARE_MODELS & 2
DemoDrive::Fixed feather(options());
#endif
#if FIRMWARE_MODELS & 4
TestLstm::Fixed lstm(1, 16, 1, math);
#endif
#if FIRMWARE_MODELS & 8
// nano at twice its rate (delay lines sized for it) between the 2x IIR up- and down-sampler
nofold::dsp::Oversampled<wn::Engine<wn::NanoShape, nofold::nn::FixedStorageUpTo<2>>, 2> nano_x2(
    nofold::dsp::LatencyMode::fractional, options());
#endif

float input[samples];
float output[samples];

void hex_word(std::uint32_t v, char* s) noexcept {
    for (int i = 7; i >= 0; --i, v >>= 4) s[i] = "0123456789abcdef"[v & 15u];
}

/// Prewarms the model (set up with `loaded` = its weights fitted), runs the test signal through it
/// between the hooks and prints its output.
template <class Model>
bool measure(const Hooks& hooks, const char* name, Model& model, bool loaded) noexcept {
    model.prewarm();
    hooks.begin();
    for (int i = 0; i < samples; i += block) model.process(input + i, output + i, block);
    hooks.end(name, sizeof model, model.flops_per_sample());
    char prefix[32] = "y ";
    std::strncat(prefix, name, sizeof prefix - 3);
    print_bits(hooks.print, prefix, output, samples);
    return loaded;
}

}  // namespace

void test_signal(float* x, int n) noexcept {
    // (c, s) = (cos, sin) of the phase, rotated by w each sample; the magnitude drifts by rounding only
    const float wc = 0.99989634f, ws = 0.01439847f;  // cos and sin of 2*pi*110/48000
    float c = 1.0f, s = 0.0f;
    std::uint32_t lcg = 48000u;
    for (int i = 0; i < n; ++i) {
        const float amplitude = 0.9f * static_cast<float>(i) / static_cast<float>(n);
        lcg = 1664525u * lcg + 1013904223u;
        const float noise = static_cast<float>(static_cast<std::int32_t>(lcg >> 8) - (1 << 23)) * (0.02f / 8388608.0f);
        x[i] = amplitude * s + noise;
        const float c2 = c * wc - s * ws;
        s = s * wc + c * ws;
        c = c2;
    }
}

void print_bits(void (*print)(const char*), const char* prefix, const float* x, int n) noexcept {
    char line[160];
    for (int i = 0; i < n; i += 8) {
        std::size_t at = std::strlen(prefix);
        std::memcpy(line, prefix, at);
        for (int k = i; k < i + 8 && k < n; ++k) {
            std::uint32_t bits;
            std::memcpy(&bits, x + k, sizeof bits);
            line[at++] = ' ';
            hex_word(bits, line + at);
            at += 8;
        }
        line[at] = '\0';
        print(line);
    }
}

bool run(const Hooks& hooks) noexcept {
    bool ok = true;
    test_signal(input, samples);
    print_bits(hooks.print, "x", input, samples);
#if FIRMWARE_MODELS & 1
    ok = measure(hooks, "nano", nano, TestNano::init(nano)) && ok;
#endif
#if FIRMWARE_MODELS & 2
    ok = measure(hooks, "feather", feather, DemoDrive::init(feather)) && ok;
#endif
#if FIRMWARE_MODELS & 4
    ok = measure(hooks, "lstm_1x16", lstm, TestLstm::init(lstm)) && ok;
#endif
#if FIRMWARE_MODELS & 8
    const bool x2_loaded = nano_x2.model().set_weights(TestNano::weights.data(), TestNano::weights.size()).ok() &&
                           nano_x2.rate_factor_status() == nofold::RateFactorStatus::ok;
    ok = measure(hooks, "nano_x2_iir", nano_x2, x2_loaded) && ok;
#endif
    return ok;
}

}  // namespace firmware_run
