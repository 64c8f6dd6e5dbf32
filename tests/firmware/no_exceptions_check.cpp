// Built with -fno-exceptions (NOFOLD_NO_EXCEPTIONS): the rate adapter compiles there (it used to
// `throw`), converts 44.1 -> 48 kHz, and reports bad rates by valid() == false with silence instead
// of an exception. Exit status 0 = every claim holds. Reference for the level: a sine's RMS, A/√2.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include <nofold/dsp/resampled_model.hpp>
#include <nofold/dsp/resampler.hpp>

#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#error "compile this check with -fno-exceptions"
#endif

namespace {
int failures = 0;
void expect(bool ok, const char* what) {
    if (!ok) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}
}  // namespace

int main() {
    nofold::dsp::Resampler good(44100, 48000);
    expect(good.valid(), "44.1 -> 48 kHz is valid");
    const int n = 44100;
    std::vector<float> in(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(good.max_output(n)));
    for (int i = 0; i < n; ++i) in[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * M_PI * 1000.0 * i / 44100.0));
    const int produced = good.process(in.data(), n, out.data());
    expect(produced >= 47999 && produced <= 48001, "one second in gives one second out");
    double sum = 0;
    for (int i = produced / 2; i < produced; ++i) sum += double(out[static_cast<std::size_t>(i)]) * out[static_cast<std::size_t>(i)];
    const double rms = std::sqrt(sum / (produced - produced / 2));
    expect(std::fabs(rms - 0.5 / std::sqrt(2.0)) < 1e-3, "a 1 kHz sine keeps its level");

    nofold::dsp::Resampler bad(0, 48000);
    expect(!bad.valid(), "a zero rate is refused");
    expect(bad.process(in.data(), 64, out.data()) == 0, "a refused resampler emits nothing");
    nofold::dsp::Resampler too_many_phases(44100, 48001);
    expect(!too_many_phases.valid(), "a ratio needing more than 4096 phases is refused");
    if (failures == 0) std::printf("no-exceptions resampler: all claims hold\n");
    return failures == 0 ? 0 : 1;
}
