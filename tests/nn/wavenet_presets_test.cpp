// Tests for include/nofold/nn/wavenet_presets.hpp and include/nofold/nn/wavenet_static.hpp.
// References: the naive double WaveNet of tests/runtime/naive_wavenet.hpp (docs/model-formats.md §2 loops) for the
// preset outputs (max abs error ≤ 1e-5 × RMS); the runtime WaveNet for static == runtime (bitwise, heap
// and fixed storage, rate factors 1 and 2, both prewarm modes); weight counts of the NAM example files
// from ../shared/reference/README.md.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>
#include <random>
#include <type_traits>
#include <utility>

#include <nofold/nn/wavenet_presets.hpp>
#include <nofold/runtime/wavenet.hpp>

#include "runtime/naive_wavenet.hpp"
#include "support/alloc_counter.hpp"
#include "support/blocks.hpp"
#include "support/channels.hpp"
#include "support/compare.hpp"
#include "support/signals.hpp"

using namespace nofold;

namespace {

double rel_error_vs_naive(const nn::WaveNetConfig& cfg, const std::vector<float>& w, const std::vector<float>& x,
                          const std::vector<float>& y) {
    naive::Signal in(1, std::vector<double>(x.begin(), x.end()));
    const naive::Signal nref = naive::wavenet(cfg, w, in, {});
    return test::max_error_over_rms(y, nref[0]);
}

template <class Shape, class Storage = nn::HeapStorage>
void check_preset(unsigned seed, bool against_naive) {
    using P = nn::wavenet::Engine<Shape, Storage>;
    const nn::WaveNetConfig cfg = nn::wavenet::config_of<Shape>();
    REQUIRE(P::weight_count() == nn::weight_count(cfg));
    std::vector<float> w = test::uniform_noise(P::weight_count(), seed, 0.25f);
    w.back() = 0.5f;
    auto st = std::make_unique<ModelFor<P>>();
    REQUIRE(st->get().set_weights(w.data(), w.size()).ok());
    std::string err;
    auto dy = runtime::WaveNet::create(cfg, {}, err);
    REQUIRE(dy);
    REQUIRE(dy->set_weights(w.data(), w.size()).empty());
    CHECK(st->receptive_field() == dy->receptive_field());
    CHECK(st->flops_per_sample() == dy->flops_per_sample());
    const std::vector<float> x = test::uniform_noise(2000, seed + 1, 0.8f);
    const std::vector<float> ref = test::run_blocks(*dy, x, 64);
    for (int block : {1, 7, 64, 1000}) {
        st->reset();
        const std::vector<float> y = test::run_blocks(*st, x, block);
        for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == ref[i]);
    }
    // steady-state prewarm, then the same input: identical to the runtime model
    st->prewarm();
    dy->prewarm();
    {
        const std::vector<float> y = test::run_blocks(*st, x, 64), r = test::run_blocks(*dy, x, 64);
        for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == r[i]);
    }
    if (against_naive) {
        const double e = rel_error_vs_naive(cfg, w, x, ref);
        MESSAGE(std::string(P::name()) << ": rel error vs naive " << e);
        CHECK(e <= 1e-5);
    }
    // zero allocation on every RT path, set_weights included
    std::vector<float> y(x.size());
    nofold::test::AllocationScope scope;
    CHECK(st->get().set_weights(w.data(), w.size()).ok());
    st->process(x.data(), y.data(), static_cast<int>(x.size()));
    st->reset();
    st->prewarm();
    st->process(x.data(), y.data(), 0);
    CHECK(st->set_rate_factor(1) == RateFactorStatus::ok);
    CHECK(scope.allocations() == 0);
}

// Rate factor 2 against the runtime model at rate factor 2 (dilations × 2), bitwise.
template <class Shape, class Storage>
void check_rate_two(unsigned seed) {
    using P = nn::wavenet::Engine<Shape, Storage>;
    nn::Options opt;
    opt.max_rate_factor = 2.0;
    std::vector<float> w = test::uniform_noise(P::weight_count(), seed, 0.25f);
    auto st = std::make_unique<ModelFor<P>>(opt);
    REQUIRE(st->get().set_weights(w.data(), w.size()).ok());
    std::string err;
    auto dy = runtime::WaveNet::create(nn::wavenet::config_of<Shape>(), opt, err);
    REQUIRE(dy);
    REQUIRE(dy->set_weights(w.data(), w.size()).empty());
    CHECK(st->max_rate_factor() == 2.0);
    CHECK(st->set_rate_factor(3) == RateFactorStatus::out_of_range);
    CHECK(st->set_rate_factor(1.5) == RateFactorStatus::not_integer);
    REQUIRE(st->set_rate_factor(2) == RateFactorStatus::ok);
    REQUIRE(dy->set_rate_factor(2) == RateFactorStatus::ok);
    CHECK(st->receptive_field() == dy->receptive_field());
    const std::vector<float> x = test::uniform_noise(3000, seed + 1, 0.8f);
    const std::vector<float> ref = test::run_blocks(*dy, x, 64), y = test::run_blocks(*st, x, 37);
    for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == ref[i]);
}

}  // namespace

TEST_CASE("WaveNet presets: weight counts match the NAM example files") {
    CHECK(nn::wavenet::Standard::weight_count() == 13802u);
    CHECK(nn::wavenet::A2<3>::weight_count() == 1871u);
    CHECK(nn::wavenet::A2<8>::weight_count() == 12146u);
}

TEST_CASE("WaveNet presets: naive reference, static == runtime bitwise, block sizes, zero allocation") {
    check_preset<nn::wavenet::StandardShape>(1, true);
    check_preset<nn::wavenet::LiteShape>(2, false);
    check_preset<nn::wavenet::FeatherShape>(3, false);
    check_preset<nn::wavenet::NanoShape>(4, true);
    check_preset<nn::wavenet::A2Shape<3>>(5, true);
    check_preset<nn::wavenet::A2Shape<8>>(6, false);
}

TEST_CASE("WaveNet presets with FixedStorage: same results as the runtime model, no heap") {
    check_preset<nn::wavenet::FeatherShape, nn::FixedStorage>(11, true);
    check_preset<nn::wavenet::NanoShape, nn::FixedStorage>(12, false);
    check_preset<nn::wavenet::StandardShape, nn::FixedStorage>(13, false);
    check_preset<nn::wavenet::A2Shape<3>, nn::FixedStorage>(14, false);
    static_assert(std::is_same_v<nn::wavenet::fixed::Feather, nn::wavenet::Engine<nn::wavenet::FeatherShape, nn::FixedStorage>>);
}

TEST_CASE("WaveNet presets: rate factor 2 equals the runtime model at rate 2 (heap and fixed storage)") {
    check_rate_two<nn::wavenet::FeatherShape, nn::HeapStorage>(21);
    check_rate_two<nn::wavenet::A2Shape<3>, nn::FixedStorageUpTo<2>>(22);
}

TEST_CASE("fixed-storage Feather: construct, set_weights, prewarm and process allocate nothing") {
    // weights as firmware has them: a constant array (here filled once, outside the counted scope)
    static std::vector<float> weights = test::uniform_noise(nn::wavenet::fixed::Feather::weight_count(), 31, 0.25f);
    const std::vector<float> x = test::uniform_noise(500, 32, 0.8f);
    std::vector<float> y(x.size());
    std::size_t heap = 1;
    {
        nofold::test::AllocationScope scope;
        nn::wavenet::fixed::Feather model;  // ~80 KB on the stack: everything is inside the object
        CHECK(model.set_weights(weights.data(), weights.size()).ok());
        CHECK(!model.set_weights(weights.data(), weights.size() - 1).ok());
        model.prewarm();
        model.process(x.data(), y.data(), static_cast<int>(x.size()));
        heap = model.memory_bytes() - sizeof(model);
        CHECK(scope.allocations() == 0);
    }
    CHECK(heap == 0);
    CHECK(nn::WeightStatus(5, 4).message() == "expected 5 weights, got 4");
}

TEST_CASE("A1 standard fits in 256 KiB per instance") {
    ModelFor<nn::wavenet::Standard> heap;
    const auto fixed = std::make_unique<ModelFor<nn::wavenet::fixed::Standard>>();
    MESSAGE("A1 standard memory: heap storage " << heap.memory_bytes() << " B, fixed storage " << fixed->memory_bytes() << " B");
    CHECK(heap.memory_bytes() <= 256u * 1024u);
    CHECK(fixed->memory_bytes() <= 256u * 1024u);
    // the floor: weights + delay lines (docs/model-formats.md §2.9 shapes), so the scratch is what the test bounds
    const std::size_t floor = (13802u + 2u * 1023u * (16u + 8u)) * sizeof(float);
    CHECK(heap.memory_bytes() >= floor);
}

TEST_CASE("match_preset finds preset shapes and leaves others to the runtime model") {
    std::string err;
    const std::vector<float> w = test::uniform_noise(nn::wavenet::Nano::weight_count(), 7, 0.3f);
    auto m = nn::wavenet::match_preset(nn::wavenet::config_of<nn::wavenet::NanoShape>(), w.data(), w.size(), {}, err);
    REQUIRE(m);
    CHECK(std::string(m->implementation_name()) == "static WaveNet preset 'nano'");
    nn::WaveNetConfig relu = nn::wavenet::config_of<nn::wavenet::NanoShape>();
    relu.layers[0].activations = {nn::ActivationSpec{"ReLU", {}}};
    CHECK(!nn::wavenet::match_preset(relu, w.data(), w.size(), {}, err));
    CHECK(err.empty());
    CHECK(!nn::wavenet::match_preset(nn::wavenet::config_of<nn::wavenet::NanoShape>(), w.data(), w.size() - 1, {}, err));
    CHECK(err.find("expected") == 0);
}

TEST_CASE("WaveNet presets in the fast and NAM tiers against the naive reference") {
    // fast: math::Tanh<Fast> (abs error <= 1e-6) vs exact double tanh; nam: Fasttanh in both (the naive
    // reference evaluates NAM's formula in double), so only float rounding separates them
    const nn::WaveNetConfig cfg = nn::wavenet::config_of<nn::wavenet::StandardShape>();
    std::vector<float> w = test::uniform_noise(nn::wavenet::Standard::weight_count(), 41, 0.25f);
    w.back() = 0.5f;
    const std::vector<float> x = test::uniform_noise(2000, 42, 0.8f);
    for (const auto math : {math::Accuracy::fast, math::Accuracy::nam}) {
        nn::Options opt;
        opt.math = math;
        ModelFor<nn::wavenet::Standard> m(opt);
        REQUIRE(m.get().set_weights(w.data(), w.size()).ok());
        const std::vector<float> y = test::run_blocks(m, x, 64);
        naive::Options nopt;
        nopt.nam_fast = math == math::Accuracy::nam;
        naive::Signal in(1, std::vector<double>(x.begin(), x.end()));
        const naive::Signal ref = naive::wavenet(cfg, w, in, nopt);
        double rms = 0, e = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            rms += ref[0][i] * ref[0][i];
            e = std::max(e, std::fabs(ref[0][i] - static_cast<double>(y[i])));
        }
        e /= std::sqrt(rms / static_cast<double>(x.size()));
        MESSAGE(std::string(math == math::Accuracy::fast ? "fast" : "nam") << " tier: rel error vs naive " << e);
        CHECK(e <= 2e-5);
    }
}

TEST_CASE("static presets: NaN/inf input reads as 0, in-place processing, n = 0") {
    std::vector<float> w = test::uniform_noise(nn::wavenet::fixed::Nano::weight_count(), 51, 0.3f);
    const std::vector<float> x = test::uniform_noise(700, 52, 0.8f);
    std::vector<float> bad = x, clean = x;
    bad[3] = std::nanf("");
    bad[100] = INFINITY;
    bad[650] = -INFINITY;
    clean[3] = clean[100] = clean[650] = 0.0f;
    nn::wavenet::fixed::Nano m;
    REQUIRE(m.set_weights(w.data(), w.size()).ok());
    std::vector<float> yb(x.size()), yc(x.size());
    m.process(bad.data(), yb.data(), static_cast<int>(x.size()));
    m.reset();
    m.process(clean.data(), yc.data(), static_cast<int>(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(yb[i] == yc[i]);
    // in place, in uneven blocks with empty calls between them
    m.reset();
    std::vector<float> io = clean;
    for (std::size_t i = 0; i < io.size(); i += 45) {
        const int n = static_cast<int>(std::min<std::size_t>(45, io.size() - i));
        m.process(io.data() + i, io.data() + i, 0);
        m.process(io.data() + i, io.data() + i, n);
    }
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(io[i] == yc[i]);
}

// Multi-channel with shared weights (nn/wavenet_static.hpp set_channels / process_channels, through
// ModelFor): 2 and 3 channels of A1 standard (heap) and nano (fixed storage) equal as many mono
// instances bit for bit (tests/support/channels.hpp: independent objects as the reference), for blocks
// of 1, 37 and 64 (chunks of 32 cut mid-block), both prewarm modes, after prewarm and after reset, at
// rate factors 1 and 2; process_channels never allocates.
TEST_CASE("static WaveNet: C channels through shared weights equal C mono instances bit for bit") {
    const auto maker = [](auto tag, nn::Options opt) {
        using P = typename decltype(tag)::type;
        return [opt] {
            auto m = std::make_unique<ModelFor<P>>(opt);
            std::vector<float> w = test::uniform_noise(P::weight_count(), 21, 0.25f);
            w.back() = 0.5f;
            REQUIRE(m->get().set_weights(w.data(), w.size()).ok());
            return std::unique_ptr<Model>(std::move(m));
        };
    };
    nn::Options steady, zeros;
    steady.max_rate_factor = 2;
    zeros.prewarm = nn::PrewarmMode::zero_blocks;
    const auto standard = maker(std::common_type<nn::wavenet::Standard>{}, steady);
    const auto nano = maker(std::common_type<nn::wavenet::fixed::Nano>{}, zeros);
    for (int block : {1, 37, 64}) test::require_channels_equal_mono(standard, 2, 1.0, block, 700);
    test::require_channels_equal_mono(standard, 3, 2.0, 37, 700);
    for (int block : {1, 37, 64}) test::require_channels_equal_mono(nano, 2, 1.0, block);
    // a copy keeps its own channels' state (ModelFor moves it), set_channels(1) frees it
    ModelFor<nn::wavenet::Nano> a;
    std::vector<float> w = test::uniform_noise(a.get().weight_count(), 22, 0.25f);
    REQUIRE(a.get().set_weights(w.data(), w.size()).ok());
    const std::size_t mono_bytes = a.memory_bytes();
    REQUIRE(a.set_channels(2) == 2);
    const std::vector<float> x = test::uniform_noise(300, 23, 0.8f), x2 = test::uniform_noise(300, 24, 0.8f);
    std::vector<float> y0(300), y1(300), b0(150), b1(150);
    const float* in[2] = {x.data(), x2.data()};
    float* out[2] = {y0.data(), y1.data()};
    a.process_channels(in, out, 2, 150);
    ModelFor<nn::wavenet::Nano> b(std::as_const(a));
    const float* in2[2] = {x.data() + 150, x2.data() + 150};
    float* bout[2] = {b0.data(), b1.data()};
    b.process_channels(in2, bout, 2, 150);
    float* out2[2] = {y0.data() + 150, y1.data() + 150};
    a.process_channels(in2, out2, 2, 150);
    CHECK(b0 == std::vector<float>(y0.begin() + 150, y0.end()));
    CHECK(b1 == std::vector<float>(y1.begin() + 150, y1.end()));
    CHECK(a.set_channels(1) == 1);
    CHECK(a.memory_bytes() == mono_bytes);
}
