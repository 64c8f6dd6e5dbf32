// Claims about include/nofold/processor.hpp: gain staging follows the metadata formulas, the DC
// blocker removes DC, models swap without allocation on the audio thread and without a step larger
// than the crossfade allows, and bad blocks (0 samples, huge, NaN) are handled; an impulse response
// after the model equals dsp::Convolver on the model output, and swapping or removing it behaves like
// a model swap.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <memory>
#include <thread>
#include <vector>

#include <random>

#include <nofold/nn/recurrent_model.hpp>
#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/processor.hpp>

#include "support/alloc_counter.hpp"
#include "support/signals.hpp"
#include "support/simple_model.hpp"

namespace {

// A memoryless model y = k·x (+ c), enough to see gains and crossfades exactly.
class AffineModel final : public nofold::test::SimpleModel {
public:
    AffineModel(float k, float c) : k_(k), c_(c) {}
    void process(const float* in, float* out, int n) noexcept override {
        for (int i = 0; i < n; ++i) out[i] = k_ * (std::isfinite(in[i]) ? in[i] : 0.0f) + c_;
    }
    void reset() noexcept override { ++resets; }
    void prewarm() noexcept override { ++prewarms; }
    int resets = 0;
    int prewarms = 0;

private:
    float k_, c_;
};

nofold::ProcessorSettings plain_settings() {
    nofold::ProcessorSettings s;
    s.dc_block = nofold::DcBlock::off;
    s.crossfade_ms = 10.0;  // 480 samples at 48 kHz
    return s;
}

std::unique_ptr<nofold::Model> affine(float k, float c = 0.0f) { return std::make_unique<AffineModel>(k, c); }

}  // namespace

TEST_CASE("gain staging: calibration levels and loudness follow the dB formulas") {
    nofold::ProcessorSettings s;
    s.host_input_level_dbu = 12.0;
    s.host_output_level_dbu = 18.0;
    s.loudness = nofold::Loudness::normalize;
    s.target_loudness_db = -18.0;
    s.input_trim_db = 1.0;
    s.output_trim_db = -2.0;
    nofold::ModelInfo info;
    info.input_level_dbu = 10.0;
    info.output_level_dbu = 14.0;
    info.loudness_db = -12.5;
    const auto g = nofold::Processor::gains_for(s, info);
    CHECK(g.input_db == doctest::Approx(1.0 + (12.0 - 10.0)));
    CHECK(g.output_db == doctest::Approx(-2.0 + (14.0 - 18.0) + (-18.0 + 12.5)));
    const auto none = nofold::Processor::gains_for(s, nofold::ModelInfo{});
    CHECK(none.input_db == doctest::Approx(1.0));
    CHECK(none.output_db == doctest::Approx(-2.0));
}

TEST_CASE("the applied gains reach the audio exactly") {
    auto s = plain_settings();
    s.input_trim_db = 6.0;
    s.output_trim_db = -20.0;
    nofold::Processor p(s);
    auto m = affine(1.0f);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    std::vector<float> in(2000, 0.25f), out(2000);
    p.process(in.data(), out.data(), 2000);
    const double expected = 0.25 * std::pow(10.0, 6.0 / 20) * std::pow(10.0, -20.0 / 20);
    CHECK(out.back() == doctest::Approx(expected).epsilon(1e-6));
}

TEST_CASE("no model yet: silence; the first model starts at full level") {
    nofold::Processor p(plain_settings());
    std::vector<float> in(1000, 1.0f), out(1000, 123.0f);
    p.process(in.data(), out.data(), 1000);
    for (float v : out) CHECK(v == 0.0f);
    auto m = affine(1.0f);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    CHECK(m == nullptr);  // ownership taken
    p.process(in.data(), out.data(), 1000);
    CHECK(p.crossfade_samples() == 480);
    CHECK_FALSE(p.crossfading());
    for (float v : out) CHECK(v == 1.0f);
}

TEST_CASE("model swap: no allocation on the audio thread, no step beyond the crossfade slope") {
    nofold::Processor p(plain_settings());
    auto first = affine(0.5f);
    REQUIRE(p.submit(first, {}) == nofold::SubmitStatus::accepted);
    const int fade = p.crossfade_samples();
    std::vector<float> in(4096, 1.0f), out(4096);
    p.process(in.data(), out.data(), 4096);  // first model fully in: output 0.5

    std::atomic<bool> submitted{false};
    std::thread loader([&] {
        auto second = affine(-0.5f);  // allocates on the loader thread, as a real load would
        while (p.submit(second, {}) != nofold::SubmitStatus::accepted) std::this_thread::yield();
        submitted = true;
    });
    // Audio thread: process small odd-sized blocks until the swap has happened and finished. The
    // loader may be slow to get scheduled, so the loop waits for it (bounded by a sample budget).
    float block_out[37];
    float block_in[37];
    std::fill(block_in, block_in + 37, 1.0f);
    std::size_t audio_allocations = 0;
    int blocks_after_done = 0;
    double worst_step = 0.0;
    float previous = 0.5f;
    long processed = 0;
    while (blocks_after_done < 30 && processed < 200L * 48000) {
        nofold::test::AllocationScope scope;
        p.process(block_in, block_out, 37);
        audio_allocations += scope.allocations() + scope.deallocations();
        for (float v : block_out) {
            worst_step = std::max(worst_step, std::fabs(static_cast<double>(v) - previous));
            previous = v;
        }
        processed += 37;
        if (submitted && !p.crossfading() && block_out[36] < 0.0f) ++blocks_after_done;
        if (!submitted) std::this_thread::yield();
    }
    loader.join();
    CHECK(audio_allocations == 0);
    CHECK(previous == doctest::Approx(-0.5f));
    // A linear crossfade from 0.5 to −0.5 moves 1/fade per sample: the largest step allowed.
    CHECK(worst_step <= 1.0 / fade + 1e-6);
    CHECK(worst_step > 0.5 / fade);  // the swap did happen, gradually
    CHECK(p.collect_retired() == 1);  // the old model is freed here, off the audio thread
    CHECK(p.collect_retired() == 0);
}

TEST_CASE("a second submit while one is pending is refused, not lost") {
    nofold::Processor p(plain_settings());
    auto a = affine(1.0f);
    auto b = affine(2.0f);
    CHECK(p.submit(a, {}) == nofold::SubmitStatus::accepted);
    CHECK(p.submit(b, {}) == nofold::SubmitStatus::busy);
    CHECK(b != nullptr);
}

TEST_CASE("a model at another sample rate is refused") {
    auto s = plain_settings();
    s.sample_rate_hz = 44100.0;
    nofold::Processor p(s);
    auto m = affine(1.0f);
    nofold::ModelInfo info;
    info.sample_rate_hz = 48000.0;
    CHECK(p.submit(m, info) == nofold::SubmitStatus::sample_rate_mismatch);
    CHECK(m != nullptr);
}

TEST_CASE("submit prewarms the model on the loader thread") {
    nofold::Processor p(plain_settings());
    auto owned = std::make_unique<AffineModel>(1.0f, 0.0f);
    AffineModel* raw = owned.get();
    std::unique_ptr<nofold::Model> m = std::move(owned);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    CHECK(raw->prewarms == 1);
}

TEST_CASE("DC blocker: removes a model's DC offset, passes 1 kHz within 0.01 dB") {
    nofold::ProcessorSettings s;
    s.crossfade_ms = 1.0;
    nofold::Processor p(s);
    auto m = affine(1.0f, 0.3f);  // adds DC
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    const int n = 48000 * 3;
    std::vector<float> in(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) in[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(2 * M_PI * 1000.0 * i / 48000.0));
    p.process(in.data(), out.data(), n);
    // Over the last second: mean (DC) near zero; sine amplitude by projection onto sin and cos.
    double mean = 0, sin_part = 0, cos_part = 0;
    for (int i = n - 48000; i < n; ++i) {
        const double y = out[static_cast<std::size_t>(i)];
        mean += y;
        sin_part += y * std::sin(2 * M_PI * 1000.0 * i / 48000.0);
        cos_part += y * std::cos(2 * M_PI * 1000.0 * i / 48000.0);
    }
    mean /= 48000;
    const double amplitude = 2.0 * std::hypot(sin_part, cos_part) / 48000;
    CHECK(std::fabs(mean) < 1e-4);
    CHECK(std::fabs(20 * std::log10(amplitude / 0.5)) < 0.01);
}

TEST_CASE("block contract: n = 0 does nothing, huge blocks and NaN input are handled") {
    nofold::Processor p(plain_settings());
    auto m = affine(1.0f);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    float dummy = 7.0f;
    p.process(&dummy, &dummy, 0);
    CHECK(dummy == 7.0f);
    std::vector<float> big(1 << 20, 0.125f);
    big[12345] = std::nanf("");
    big[54321] = INFINITY;
    nofold::test::AllocationScope scope;
    p.process(big.data(), big.data(), static_cast<int>(big.size()));  // in place
    CHECK(scope.allocations() == 0);
    std::size_t non_finite = 0;
    for (float v : big) non_finite += std::isfinite(v) ? 0 : 1;
    CHECK(non_finite == 0);
    CHECK(big[12345] == 0.0f);
    CHECK(big.back() == 0.125f);
}

namespace {
/// y = x delayed by nothing, but reporting a latency, so the polled value says which model is active.
class LatencyModel final : public nofold::test::SimpleModel {
public:
    explicit LatencyModel(int latency) : SimpleModel(latency) {}
    void process(const float* in, float* out, int n) noexcept override { std::copy(in, in + n, out); }
};
}  // namespace

// Issue 17: latency() read from a UI thread dereferenced the active model while the audio thread
// retired it and the loader freed it (a crash at -O2, a data race under ThreadSanitizer). Three
// threads run the documented protocol here while a fourth polls every query; CI runs this file's
// binary under TSan too (scripts/test.sh, clang-scalar-sanitize stage), where any race fails it.
TEST_CASE("queries from a UI thread during repeated swaps: defined values, no race") {
    auto s = plain_settings();
    s.crossfade_ms = 0.5;  // 24 samples: many swaps complete within the run
    nofold::Processor p(s);
    std::atomic<bool> stop{false};
    std::atomic<int> swaps{0};
    std::atomic<long> polls{0};
    std::atomic<int> bad_latency{0};
    std::thread loader([&] {
        for (int i = 0; !stop.load(); ++i) {
            std::unique_ptr<nofold::Model> m = std::make_unique<LatencyModel>(10 + i % 5);
            while (!stop.load() && p.submit(m, {}) != nofold::SubmitStatus::accepted) {
                p.collect_retired();
                std::this_thread::yield();
            }
            if (m == nullptr) ++swaps;
        }
        while (p.collect_retired() != 0) {
        }
    });
    std::thread ui([&] {
        while (!stop.load()) {
            // has_model first: once true, the latency read after it is a model's; while false, the
            // first model may be taken over between the two reads, so 0 or a model's latency
            const bool had_model = p.has_model();
            const int latency = p.latency();
            const bool model_latency = latency >= 10 && latency <= 14;
            if (had_model ? !model_latency : latency != 0 && !model_latency) ++bad_latency;
            (void)p.crossfading();
            (void)p.crossfade_samples();
            (void)nofold::Processor::gains_for(s, {});
            ++polls;
        }
    });
    float block[37] = {};
    // Until enough swaps and polls have overlapped (bounded by 10 s of wall time on a loaded machine).
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (long blocks = 0; (swaps.load() < 200 || polls.load() < 10000) && std::chrono::steady_clock::now() < give_up; ++blocks) {
        p.process(block, block, 37);
        if (blocks % 64 == 63) p.reset();
        std::this_thread::yield();
    }
    stop = true;
    loader.join();
    ui.join();
    CHECK(swaps.load() >= 20);
    CHECK(polls.load() >= 1000);
    CHECK(bad_latency.load() == 0);
    MESSAGE(swaps.load(), " swaps, ", polls.load(), " polls");
}

// The chain model → impulse response, against the convolver alone on the model's output (the
// processor feeds it chunks of ≤ 64; the convolver's output does not depend on the split).
TEST_CASE("impulse response after the model: equals the convolver alone, latency adds up") {
    nofold::Processor p(plain_settings());
    auto m = affine(0.5f);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    std::vector<float> h(300);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>(std::exp(-0.01 * i) * std::cos(0.3 * i));
    auto conv = std::make_unique<nofold::dsp::Convolver>(h.data(), 300, nofold::dsp::ConvolverSettings{32, nofold::dsp::ConvolverLatency::one_block});
    REQUIRE(p.submit_impulse_response(conv) == nofold::SubmitStatus::accepted);
    CHECK(conv == nullptr);
    std::vector<float> in(3000), out(3000), ref(3000);
    for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(std::sin(0.01 * i * i));
    p.process(in.data(), out.data(), 1000);
    p.process(in.data() + 1000, out.data() + 1000, 2000);
    CHECK(p.has_impulse_response());
    CHECK(p.latency() == 32);
    nofold::dsp::Convolver alone(h.data(), 300, {32, nofold::dsp::ConvolverLatency::one_block});
    std::vector<float> amp(3000);
    for (std::size_t i = 0; i < in.size(); ++i) amp[i] = 0.5f * in[i];
    alone.process(amp.data(), ref.data(), 3000);
    CHECK(out == ref);
}

TEST_CASE("impulse response swap and removal: no allocation on the audio thread, no step beyond the slope") {
    nofold::Processor p(plain_settings());
    auto m = affine(1.0f);
    REQUIRE(p.submit(m, {}) == nofold::SubmitStatus::accepted);
    const float one = 1.0f, quarter = 0.25f;
    auto first = std::make_unique<nofold::dsp::Convolver>(&one, 1);
    REQUIRE(p.submit_impulse_response(first) == nofold::SubmitStatus::accepted);
    const int fade = p.crossfade_samples();
    std::vector<float> in(2048, 1.0f), out(2048);
    p.process(in.data(), out.data(), 2048);
    CHECK(out.back() == 1.0f);
    // Loader thread: a gain of 0.25, then no response at all (back to 1); the audio thread runs
    // odd-sized blocks in between and never allocates.
    auto second = std::make_unique<nofold::dsp::Convolver>(&quarter, 1);
    std::unique_ptr<nofold::dsp::Convolver> none;
    float block_in[29], block_out[29];
    std::fill(block_in, block_in + 29, 1.0f);
    double worst_step = 0.0;
    float previous = 1.0f, lowest = 1.0f;
    std::size_t audio_allocations = 0;
    for (int stage = 0; stage < 2; ++stage) {
        REQUIRE(p.submit_impulse_response(stage == 0 ? second : none) == nofold::SubmitStatus::accepted);
        for (int b = 0; b < 3 * fade / 29; ++b) {
            nofold::test::AllocationScope scope;
            p.process(block_in, block_out, 29);
            audio_allocations += scope.allocations() + scope.deallocations();
            for (float v : block_out) {
                worst_step = std::max(worst_step, std::fabs(static_cast<double>(v) - previous));
                previous = v;
                lowest = std::min(lowest, v);
            }
        }
        CHECK(p.collect_retired() == 1);
    }
    CHECK(audio_allocations == 0);
    CHECK(lowest == doctest::Approx(0.25f));
    CHECK(previous == 1.0f);
    CHECK_FALSE(p.has_impulse_response());
    CHECK(worst_step <= 0.75 / fade + 1e-6);  // linear fade between 1 and 0.25
    CHECK(worst_step > 0.5 / fade);
}

// Stereo: an LSTM and a WaveNet hold a state per channel over shared weights; each output channel equals
// a mono processor running that channel alone (same model, same response), through model and IR swaps.
namespace {
// make(seed) → a model with weights from `seed`.
template <class Make>
void check_stereo_processor(Make&& make) {
    std::vector<float> h(200);
    for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<float>(std::exp(-0.02 * i) * std::sin(0.5 * i));
    const auto conv = [&] { return std::make_unique<nofold::dsp::Convolver>(h.data(), 200, nofold::dsp::ConvolverSettings{16, nofold::dsp::ConvolverLatency::zero}); };

    auto settings = plain_settings();
    settings.dc_block = nofold::DcBlock::on;
    settings.channels = 2;
    nofold::Processor stereo(settings);
    auto affine_model = affine(1.0f);
    CHECK(stereo.submit(affine_model, {}) == nofold::SubmitStatus::channels_unsupported);
    CHECK(affine_model != nullptr);
    auto first = make(1);
    REQUIRE(stereo.submit(first, {}) == nofold::SubmitStatus::accepted);
    std::unique_ptr<nofold::dsp::Convolver> one[1] = {conv()};
    CHECK(stereo.submit_impulse_responses(one, 1) == nofold::SubmitStatus::channels_unsupported);
    std::unique_ptr<nofold::dsp::Convolver> two[2] = {conv(), conv()};
    REQUIRE(stereo.submit_impulse_responses(two, 2) == nofold::SubmitStatus::accepted);

    settings.channels = 1;
    std::vector<std::unique_ptr<nofold::Processor>> mono;
    for (int c = 0; c < 2; ++c) {
        mono.push_back(std::make_unique<nofold::Processor>(settings));
        auto m = make(1);
        REQUIRE(mono.back()->submit(m, {}) == nofold::SubmitStatus::accepted);
        auto r = conv();
        REQUIRE(mono.back()->submit_impulse_response(r) == nofold::SubmitStatus::accepted);
    }
    const int n = 6000;
    std::vector<float> x0(n), x1(n), y0(n), y1(n), r0(n), r1(n);
    for (int i = 0; i < n; ++i) {
        x0[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(0.013 * i));
        x1[static_cast<std::size_t>(i)] = static_cast<float>(0.4 * std::sin(0.021 * i + 1.0));
    }
    std::size_t audio_allocations = 0;
    for (int done = 0; done < n;) {
        const int m = std::min(n - done, 53);
        if (done == 2014) {  // swap the model mid-stream in all three processors
            auto s2 = make(2);
            REQUIRE(stereo.submit(s2, {}) == nofold::SubmitStatus::accepted);
            for (auto& p : mono) {
                auto m2 = make(2);
                REQUIRE(p->submit(m2, {}) == nofold::SubmitStatus::accepted);
            }
        }
        const float* in[2] = {x0.data() + done, x1.data() + done};
        float* out[2] = {y0.data() + done, y1.data() + done};
        {
            nofold::test::AllocationScope scope;
            stereo.process_channels(in, out, m);
            audio_allocations += scope.allocations();
        }
        mono[0]->process(x0.data() + done, r0.data() + done, m);
        mono[1]->process(x1.data() + done, r1.data() + done, m);
        done += m;
    }
    CHECK(audio_allocations == 0);
    CHECK(y0 == r0);
    CHECK(y1 == r1);
    CHECK(stereo.collect_retired() == 1);
}
}  // namespace

TEST_CASE("stereo processor: each channel equals a mono processor; models without channel states are refused") {
    // construct() makes a ModelFor; its weights are uniform in ±scale from `seed`
    const auto maker = [](auto construct, float scale) {
        return [construct, scale](unsigned seed) {
            auto m = construct();
            const std::vector<float> w = nofold::test::uniform_noise(m->get().weight_count(), seed, scale);
            REQUIRE(m->get().set_weights(w.data(), w.size()).ok());
            return std::unique_ptr<nofold::Model>(std::move(m));
        };
    };
    using Lstm = nofold::ModelFor<nofold::nn::LstmModel<1, 8, 1>>;
    using Nano = nofold::ModelFor<nofold::nn::wavenet::Nano>;
    check_stereo_processor(maker([] { return std::make_unique<Lstm>(1, 8, 1); }, 0.4f));
    check_stereo_processor(maker([] { return std::make_unique<Nano>(); }, 0.3f));
}

TEST_CASE("parameters through the processor: live on the active model, a submitted model prewarmed at them, no allocation") {
    using Lstm = nofold::ModelFor<nofold::nn::LstmModel<nofold::nn::dynamic, nofold::nn::dynamic, nofold::nn::dynamic>>;
    const auto make = [](unsigned seed) {
        auto m = std::make_unique<Lstm>(2, 6, 1);  // audio + one knob
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> u(-0.5f, 0.5f);
        std::vector<float> w(m->get().weight_count());
        for (float& v : w) v = u(rng);
        REQUIRE(m->get().set_weights(w.data(), w.size()).ok());
        m->set_parameter_smoothing(256);
        return m;
    };
    nofold::Processor p(plain_settings());
    CHECK(p.set_parameter(0, 0.7));  // before any model: kept for the first one
    CHECK_FALSE(p.set_parameter(-1, 0.1));
    CHECK_FALSE(p.set_parameter(nofold::nn::max_knobs, 0.1));
    CHECK_FALSE(p.set_parameter(0, std::nan("")));
    CHECK(p.parameter(0) == doctest::Approx(0.7));
    CHECK(std::isnan(p.parameter(1)));

    std::unique_ptr<nofold::Model> a = make(1);
    auto ref = make(1);  // what the processor's model must do: prewarmed and settled at 0.7
    ref->set_parameter(0, 0.7);
    ref->settle_parameters();
    ref->prewarm();
    REQUIRE(p.submit(a, {}) == nofold::SubmitStatus::accepted);
    auto ref_b = make(2);  // the next model: prewarmed and settled at the value of the day (0.2)
    ref_b->set_parameter(0, 0.2);
    ref_b->settle_parameters();
    ref_b->prewarm();

    const int n = 4000, block = 100;
    std::vector<float> x(n), y(n), r(n), rb(n);
    for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = static_cast<float>(0.5 * std::sin(0.01 * i));
    std::unique_ptr<nofold::Model> b = make(2);
    std::size_t allocations = 0;
    for (int done = 0; done < n; done += block) {
        if (done == 1000) {
            nofold::test::AllocationScope scope;
            CHECK(p.set_parameter(0, 0.2));  // a knob turned during play: ramps in the model
            allocations += scope.allocations();
            ref->set_parameter(0, 0.2);
        }
        if (done == 2000) REQUIRE(p.submit(b, {}) == nofold::SubmitStatus::accepted);
        {
            nofold::test::AllocationScope scope;
            p.process(x.data() + done, y.data() + done, block);
            allocations += scope.allocations();
        }
        ref->process(x.data() + done, r.data() + done, block);
        if (done >= 2000) ref_b->process(x.data() + done, rb.data() + done, block);
    }
    CHECK(allocations == 0);
    CHECK(p.parameter_count() == 1);
    // Before the swap the processor's output is the reference's, bit for bit (unity gains, no DC blocker),
    // including the ramp from 0.7 to 0.2; from the block after the crossfade (480 samples) it is the new model's.
    for (int i = 0; i < 2000; ++i) REQUIRE(y[static_cast<std::size_t>(i)] == r[static_cast<std::size_t>(i)]);
    const int settled = 2000 + (p.crossfade_samples() + block - 1) / block * block;
    for (int i = settled; i < n; ++i) REQUIRE(y[static_cast<std::size_t>(i)] == rb[static_cast<std::size_t>(i)]);
    while (p.collect_retired() == 0) p.process(x.data(), y.data(), 1);
}
