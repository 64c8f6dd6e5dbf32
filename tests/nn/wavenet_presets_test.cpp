// Tests for include/nofold/nn/wavenet_presets.hpp.
// References: the naive double WaveNet of tests/runtime/naive_wavenet.hpp (spec §1.1 loops) for the
// preset outputs (max abs error ≤ 1e-5 × RMS); the runtime WaveNet for static == runtime (bitwise);
// weight counts of the NAM example files from ../shared/reference/README.md.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include <nofold/nn/wavenet_presets.hpp>

#include "runtime/naive_wavenet.hpp"
#include "support/alloc_counter.hpp"

using namespace nofold;

namespace {

std::vector<float> rnd(std::size_t n, unsigned seed, float scale) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> d(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = d(gen);
    return v;
}

std::vector<float> run(Model& m, const std::vector<float>& x, int block) {
    std::vector<float> y(x.size());
    for (std::size_t i = 0; i < x.size(); i += static_cast<std::size_t>(block))
        m.process(x.data() + i, y.data() + i, static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(block), x.size() - i)));
    return y;
}

template <class P>
void check_preset(unsigned seed, bool against_naive) {
    const nn::WaveNetConfig cfg = P::config();
    std::vector<float> w = rnd(P::weight_count(), seed, 0.25f);
    w.back() = 0.5f;
    ModelFor<P> st;
    REQUIRE(st.get().set_weights(w.data(), w.size()).empty());
    std::string err;
    auto dy = runtime::WaveNet::create(cfg, {}, err);
    REQUIRE(dy);
    REQUIRE(dy->set_weights(w.data(), w.size()).empty());
    const std::vector<float> x = rnd(2000, seed + 1, 0.8f);
    const std::vector<float> ref = run(*dy, x, 64);
    for (int block : {1, 7, 64, 1000}) {
        st.reset();
        const std::vector<float> y = run(st, x, block);
        for (std::size_t i = 0; i < y.size(); ++i) REQUIRE(y[i] == ref[i]);
    }
    if (against_naive) {
        naive::Signal in(1, std::vector<double>(x.begin(), x.end()));
        const naive::Signal nref = naive::wavenet(cfg, w, in, {});
        double rms = 0, e = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            rms += nref[0][i] * nref[0][i];
            e = std::max(e, std::fabs(nref[0][i] - static_cast<double>(ref[i])));
        }
        rms = std::sqrt(rms / static_cast<double>(x.size()));
        MESSAGE(std::string(P::name()) << ": rel error vs naive " << e / rms);
        CHECK(e / rms <= 1e-5);
    }
    // zero allocation on every RT path
    std::vector<float> y(x.size());
    nofold::test::AllocationScope scope;
    st.process(x.data(), y.data(), static_cast<int>(x.size()));
    st.reset();
    st.prewarm();
    st.process(x.data(), y.data(), 0);
    CHECK(st.set_rate_factor(1) == RateFactorStatus::ok);
    CHECK(scope.allocations() == 0);
}

}  // namespace

TEST_CASE("WaveNet presets: weight counts match the NAM example files") {
    CHECK(nn::wavenet::Standard::weight_count() == 13802u);
    CHECK(nn::wavenet::A2<3>::weight_count() == 1871u);
    CHECK(nn::wavenet::A2<8>::weight_count() == 12146u);
}

TEST_CASE("WaveNet presets: naive reference, static == runtime bitwise, block sizes, zero allocation") {
    check_preset<nn::wavenet::Standard>(1, true);
    check_preset<nn::wavenet::Lite>(2, false);
    check_preset<nn::wavenet::Feather>(3, false);
    check_preset<nn::wavenet::Nano>(4, true);
    check_preset<nn::wavenet::A2<3>>(5, true);
    check_preset<nn::wavenet::A2<8>>(6, false);
}

TEST_CASE("match_preset finds preset shapes and leaves others to the runtime model") {
    std::string err;
    const std::vector<float> w = rnd(nn::wavenet::Nano::weight_count(), 7, 0.3f);
    auto m = nn::wavenet::match_preset(nn::wavenet::NanoShape::config(), w.data(), w.size(), {}, err);
    REQUIRE(m);
    CHECK(std::string(m->implementation_name()) == "static WaveNet preset 'nano'");
    nn::WaveNetConfig relu = nn::wavenet::NanoShape::config();
    relu.layers[0].activations = {nn::ActivationSpec{"ReLU", {}}};
    CHECK(!nn::wavenet::match_preset(relu, w.data(), w.size(), {}, err));
    CHECK(err.empty());
    CHECK(!nn::wavenet::match_preset(nn::wavenet::NanoShape::config(), w.data(), w.size() - 1, {}, err));
    CHECK(err.find("expected") == 0);
}
