// Claims about include/nofold/dsp/dc_blocker.hpp, against the analytic response of
// H(z) = (1 − z⁻¹)/(1 − r z⁻¹): the pole is exp(−2π f_c/f_s), DC is removed, the magnitude at f
// matches |H(e^{jω})| evaluated in double, and block splits do not change the output.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <vector>

#include <nofold/dsp/dc_blocker.hpp>

TEST_CASE("DcBlocker: pole, DC removal and magnitude response") {
    const double fs = 48000.0;
    nofold::dsp::DcBlocker dc(10.0, fs);
    CHECK(dc.pole() == doctest::Approx(std::exp(-2 * M_PI * 10.0 / fs)).epsilon(1e-15));
    std::vector<float> x(96000, 1.0f), y(96000);
    dc.process(x.data(), y.data(), 96000);
    CHECK(std::fabs(y.back()) < 1e-4);

    for (double f : {20.0, 100.0, 1000.0}) {
        dc.reset();
        const int n = 96000;
        std::vector<float> s(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) s[static_cast<std::size_t>(i)] = static_cast<float>(std::sin(2 * M_PI * f * i / fs));
        dc.process(s.data(), out.data(), n);
        double a = 0, b = 0;
        for (int i = n / 2; i < n; ++i) {
            a += out[static_cast<std::size_t>(i)] * std::sin(2 * M_PI * f * i / fs);
            b += out[static_cast<std::size_t>(i)] * std::cos(2 * M_PI * f * i / fs);
        }
        const double measured = 2 * std::hypot(a, b) / (n / 2);
        const std::complex<double> z = std::polar(1.0, -2 * M_PI * f / fs);
        const double analytic = std::abs((1.0 - z) / (1.0 - dc.pole() * z));
        CHECK(measured == doctest::Approx(analytic).epsilon(2e-3));
    }
}

TEST_CASE("DcBlocker: random block splits give the same output as one call") {
    std::vector<float> x(5000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(std::sin(0.01 * static_cast<double>(i)) + 0.2);
    nofold::dsp::DcBlocker a(10.0, 48000.0), b(10.0, 48000.0);
    std::vector<float> one(x.size()), split(x.size());
    a.process(x.data(), one.data(), static_cast<int>(x.size()));
    std::size_t pos = 0;
    unsigned seed = 7;
    while (pos < x.size()) {
        seed = seed * 1103515245u + 12345u;
        const std::size_t len = std::min<std::size_t>((seed >> 16) % 300, x.size() - pos);  // includes 0
        b.process(x.data() + pos, split.data() + pos, static_cast<int>(len));
        pos += len;
    }
    for (std::size_t i = 0; i < x.size(); ++i) REQUIRE(one[i] == split[i]);
}
