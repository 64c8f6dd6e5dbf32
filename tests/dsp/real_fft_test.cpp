// Claims about include/nofold/dsp/real_fft.hpp, against a long-double DFT evaluated term by term:
// - forward() gives X[k] = Σ x[n]·e^{−j2πkn/N} in the packed split layout (DC in re[0], Nyquist in
//   im[0]) with an error ≤ 1e-6 of the spectrum's RMS for every N from 4 to 4096;
// - inverse_unnormalized(forward(x)) = N·x to ≤ 1e-6 relative;
// - multiply_accumulate() equals the complex product bin by bin (bin 0 as two real products);
// - bad sizes are refused; the transforms do not allocate.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include <nofold/dsp/real_fft.hpp>

#include "support/alloc_counter.hpp"

namespace {
constexpr long double pi_l = 3.141592653589793238462643383279502884L;
}

TEST_CASE("RealFft: forward against a long-double DFT, round trip, no allocation") {
    std::mt19937 rng(7);
    std::normal_distribution<float> g(0.0f, 1.0f);
    for (int n = 4; n <= 4096; n *= 2) {
        nofold::dsp::RealFft fft(n);
        const int m = n / 2;
        std::vector<float> x(static_cast<std::size_t>(n)), re(static_cast<std::size_t>(m)), im(static_cast<std::size_t>(m)),
            back(static_cast<std::size_t>(n));
        for (float& v : x) v = g(rng);
        {
            nofold::test::AllocationScope scope;
            fft.forward(x.data(), re.data(), im.data());
            fft.inverse_unnormalized(re.data(), im.data(), back.data());
            CHECK(scope.allocations() == 0);
        }
        // e^{−j2πi/N} for each i < N, once: the DFT's terms index it by k·t mod N (an emulated long double's
        // cos and sin per term would dominate the aarch64 stage's run time)
        std::vector<long double> cos_l(static_cast<std::size_t>(n)), sin_l(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
            const long double a = -2 * pi_l * static_cast<long double>(i) / n;
            cos_l[static_cast<std::size_t>(i)] = std::cos(a);
            sin_l[static_cast<std::size_t>(i)] = std::sin(a);
        }
        long double err = 0, energy = 0;
        for (int k = 0; k <= m; ++k) {
            long double xr = 0, xi = 0;
            for (int t = 0; t < n; ++t) {
                const auto i = static_cast<std::size_t>((static_cast<long long>(k) * t) % n);
                xr += x[static_cast<std::size_t>(t)] * cos_l[i];
                xi += x[static_cast<std::size_t>(t)] * sin_l[i];
            }
            long double gr, gi;
            if (k == 0) {
                gr = re[0], gi = 0;
            } else if (k == m) {
                gr = im[0], gi = 0;
            } else {
                gr = re[static_cast<std::size_t>(k)], gi = im[static_cast<std::size_t>(k)];
            }
            err += (gr - xr) * (gr - xr) + (gi - xi) * (gi - xi);
            energy += xr * xr + xi * xi;
        }
        INFO("N = " << n);
        CHECK(std::sqrt(static_cast<double>(err / energy)) < 1e-6);
        double rt = 0, xe = 0;
        for (int t = 0; t < n; ++t) {
            const double d = back[static_cast<std::size_t>(t)] / static_cast<double>(n) - x[static_cast<std::size_t>(t)];
            rt += d * d;
            xe += static_cast<double>(x[static_cast<std::size_t>(t)]) * x[static_cast<std::size_t>(t)];
        }
        CHECK(std::sqrt(rt / xe) < 1e-6);
    }
}

TEST_CASE("RealFft: multiply_accumulate is the bin-wise complex product, bin 0 as two reals") {
    const int bins = 37;  // a SIMD body and a scalar remainder on every width
    std::vector<float> ar(bins), ai(bins), br(bins), bi(bins), cr(bins), ci(bins);
    for (int k = 0; k < bins; ++k) {
        ar[k] = 0.5f + 0.25f * k, ai[k] = 1.0f - 0.125f * k, br[k] = -0.75f + 0.5f * k, bi[k] = 0.25f * (k % 5);
        cr[k] = 1.0f, ci[k] = -1.0f;
    }
    nofold::dsp::RealFft::multiply_accumulate(ar.data(), ai.data(), br.data(), bi.data(), cr.data(), ci.data(), bins);
    CHECK(cr[0] == doctest::Approx(1.0 + 0.5 * -0.75));
    CHECK(ci[0] == doctest::Approx(-1.0 + 1.0 * 0.0));
    for (int k = 1; k < bins; ++k) {
        const double pr = double(ar[k]) * br[k] - double(ai[k]) * bi[k], pi = double(ar[k]) * bi[k] + double(ai[k]) * br[k];
        CHECK(cr[k] == doctest::Approx(1.0 + pr).epsilon(1e-6));
        CHECK(ci[k] == doctest::Approx(-1.0 + pi).epsilon(1e-6));
    }
}

TEST_CASE("RealFft: sizes that are not powers of two in [4, 2^24] are refused") {
    for (int n : {0, 1, 2, 3, 6, 100, 1 << 25}) CHECK_THROWS_AS(nofold::dsp::RealFft{n}, std::invalid_argument);
}
