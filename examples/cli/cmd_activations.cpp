// `nofold activations [--csv FILE] [--json] [--filter TEXT]`: the cost, accuracy and aliasing of every activation.
//
// One row per policy × tier (exact, fast, nam where the policy has that tier; the nam tier exists only for
// what NAM approximates: tanh, sigmoid and what is built on them), parameterised families once per stretch
// factor of Sato & Smith's study (0.1 0.2 0.5 1 2 4 8 16 32, plus CustomTanh 1.8 and Snake 2.9) and tier;
// SmoothHardtanh once per corner width 0.1 0.2 0.5 1, outer slope 0.01. --json prints the rows as a JSON
// array of objects with the CSV's keys (numbers; null where a figure is not finite). Columns:
//   max_abs_err, max_ulp  against a long-double formula written here from activations.md (not the library's
//                         kernels), on x = −16 … 16 step 1/256 (8193 points); max_ulp only where
//                         |reference| ≥ 1e-6 (near zero crossings only abs error means something; fast tiers
//                         guarantee abs error, so their ULP figure in tails is large by design). Edge cases
//                         (±inf, NaN, ±1e30, subnormals) are covered by tests/math. Gated rows evaluate
//                         f(x)·g(x) on the same grid for both inputs.
//   ns_scalar, ns_simd    median of 5 timings (≥ 4 ms of process CPU time each) of 4096 Gaussian (σ = 2)
//                         inputs: one float per call, and math::apply over the block (SIMD body + padded
//                         tail). This machine, this build's SIMD width.
//   asr_db                ASR of the bare function on x = 4·sin(2π·1249 n / 48017), n = 0 … 48016 (one
//                         second at fs = 48017 Hz, bin-exact, no window), Sato & Smith's definition: harmonic
//                         bins m·1249 below Nyquist against every other bin, DC excluded — computed with
//                         nofold::analysis::asr (Bluestein FFT of the prime length; E_A summed directly).
//                         Gated rows feed the same sine to both inputs.
#include <algorithm>
#include <cstring>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <memory>

#include <nofold/analysis/asr.hpp>
#include <nofold/math/math.hpp>

#include "atomic_file.hpp"
#include "command.hpp"

namespace nofold::cli {
namespace {

using LD = long double;
namespace m = nofold::math;

struct Row {
    std::string name, param, tier;
    double max_abs_err = 0, max_ulp = 0, ns_scalar = 0, ns_simd = 0, asr_db = 0;
};

struct Context {
    std::vector<float> grid, bench_a, bench_b, sine;
    analysis::Fft plan{48017};
    std::string filter;
    std::vector<Row> rows;
};

inline void keep(float& v) { asm volatile("" : "+m"(v)); }

std::int64_t ordered(float f) {
    std::int32_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? -static_cast<std::int64_t>(i & 0x7fffffff) : static_cast<std::int64_t>(i);
}

template <class Fn>
double median_ns_per_element(Fn&& run_block, int n) {
    double times[5];
    for (double& t : times) {
        // Process CPU time (this program is single-threaded): preemption by other processes on a shared
        // machine does not count, as with Google Benchmark's default.
        int reps = 0;
        const std::clock_t start = std::clock();
        std::clock_t now = start;
        do {
            run_block();
            ++reps;
            now = std::clock();
        } while (now - start < CLOCKS_PER_SEC / 250);
        t = 1e9 * static_cast<double>(now - start) / CLOCKS_PER_SEC / (static_cast<double>(reps) * n);
    }
    std::sort(times, times + 5);
    return times[2];
}

void accuracy(Row& row, const std::vector<float>& xs, const std::vector<float>& y, const std::function<LD(LD)>& ref) {
    for (std::size_t i = 0; i < xs.size(); ++i) {
        const LD r = ref(xs[i]);
        if (std::isnan(static_cast<double>(r)) || std::isinf(static_cast<double>(r))) continue;
        const double ae = static_cast<double>(std::fabs(static_cast<LD>(y[i]) - r));
        row.max_abs_err = std::max(row.max_abs_err, std::isfinite(y[i]) ? ae : HUGE_VAL);
        if (std::fabs(r) >= 1e-6L && std::isfinite(y[i]))
            row.max_ulp = std::max(row.max_ulp, static_cast<double>(std::llabs(ordered(y[i]) - ordered(static_cast<float>(r)))));
    }
}

double asr_db(Context& c, const std::vector<float>& y) {
    std::vector<double> yd(y.begin(), y.end());
    return analysis::asr(c.plan, yd.data(), 1249).db;
}

bool wanted(const Context& c, const std::string& name) {
    return c.filter.empty() || name.find(c.filter) != std::string::npos;
}

template <class P>
void add(Context& c, const std::string& name, const std::string& param, const char* tier, const P& p,
         const std::function<LD(LD)>& ref) {
    if (!wanted(c, name)) return;
    Row row{name, param, tier};
    std::vector<float> y(c.grid.size());
    m::apply(p, c.grid.data(), y.data(), static_cast<int>(y.size()));
    accuracy(row, c.grid, y, ref);
    const int n = static_cast<int>(c.bench_a.size());
    std::vector<float> out(c.bench_a.size());
    row.ns_simd = median_ns_per_element([&] { m::apply(p, c.bench_a.data(), out.data(), n); keep(out[0]); }, n);
    row.ns_scalar = median_ns_per_element([&] {
        for (int i = 0; i < n; ++i) {
            float v = p(c.bench_a[static_cast<std::size_t>(i)]);
            keep(v);
        }
    }, n);
    std::vector<float> ys(c.sine.size());
    m::apply(p, c.sine.data(), ys.data(), static_cast<int>(ys.size()));
    row.asr_db = asr_db(c, ys);
    c.rows.push_back(row);
}

template <class G>
void add_gated(Context& c, const std::string& name, const char* tier, const G& g, const std::function<LD(LD)>& ref) {
    if (!wanted(c, name)) return;
    Row row{name, "", tier};
    std::vector<float> y(c.grid.size());
    m::apply(g, c.grid.data(), c.grid.data(), y.data(), static_cast<int>(y.size()));
    accuracy(row, c.grid, y, ref);
    const int n = static_cast<int>(c.bench_a.size());
    std::vector<float> out(c.bench_a.size());
    row.ns_simd = median_ns_per_element(
        [&] { m::apply(g, c.bench_a.data(), c.bench_b.data(), out.data(), n); keep(out[0]); }, n);
    row.ns_scalar = median_ns_per_element([&] {
        for (int i = 0; i < n; ++i) {
            float v = g(c.bench_a[static_cast<std::size_t>(i)], c.bench_b[static_cast<std::size_t>(i)]);
            keep(v);
        }
    }, n);
    std::vector<float> ys(c.sine.size());
    m::apply(g, c.sine.data(), c.sine.data(), ys.data(), static_cast<int>(ys.size()));
    row.asr_db = asr_db(c, ys);
    c.rows.push_back(row);
}

// ---- long-double references, from the formulas in activations.md --------------------------------
LD sig(LD x) { return 1.0L / (1.0L + std::exp(-x)); }
LD tanh_nam(LD x) {
    const LD a = std::fabs(x);
    return x * (2.45550750702956L + 2.45550750702956L * a + (0.893229853513558L + 0.821226666969744L * a) * x * x) /
           (2.44506634652299L + (2.44506634652299L + x * x) * std::fabs(x + 0.814642734961073L * x * a));
}
LD smooth_hardtanh_ref(LD x, LD w, LD s, bool c2) {  // Simpson integration of the slope (header's construction)
    const LD a = std::fabs(x);
    LD v = a;
    if (a > 1 - w) {
        const auto slope = [&](LD t) {
            if (t >= 1 + w) return s;
            const LD u = (t - (1 - w)) / (2 * w);
            return 1 + (s - 1) * (c2 ? u * u * (3 - 2 * u) : u);
        };
        const LD lo = 1 - w, e = std::min(a, 1 + w);
        LD sum = 0;
        for (int i = 0; i <= 64; ++i) sum += slope(lo + (e - lo) * i / 64) * (i == 0 || i == 64 ? 1 : (i % 2 ? 4 : 2));
        v = lo + sum * (e - lo) / (3 * 64) + (a > 1 + w ? s * (a - 1 - w) : 0);
    }
    return x < 0 ? -v : v;
}

std::string fmt(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%g", v);
    return b;
}

template <template <class> class P>
void add_tiers(Context& c, const std::string& name, const std::function<LD(LD)>& exact_ref) {
    add(c, name, "", "exact", P<m::Exact>{}, exact_ref);
    add(c, name, "", "fast", P<m::Fast>{}, exact_ref);
    add(c, name, "", "nam", P<m::NamCompat>{}, exact_ref);
}

/// Exact and fast rows of a tiered exp-based policy (its nam tier is the exact kernel), parameters in `make`.
template <class Make>
void add_exact_fast(Context& c, const std::string& name, const std::string& param, Make make,
                    const std::function<LD(LD)>& ref) {
    add(c, name, param, "exact", make(m::Exact{}), ref);
    add(c, name, param, "fast", make(m::Fast{}), ref);
}

void build_rows(Context& c) {
    const LD pi = 3.14159265358979323846264338327950288L;
    add_tiers<m::Tanh>(c, "tanh", [](LD x) { return std::tanh(x); });
    add_tiers<m::Sigmoid>(c, "sigmoid", sig);
    add_tiers<m::SiLU>(c, "silu", [](LD x) { return x * sig(x); });
    add(c, "fasttanh", "", "nam", m::Fasttanh{}, tanh_nam);
    add(c, "hardtanh", "", "exact", m::Hardtanh{}, [](LD x) { return std::clamp(x, -1.0L, 1.0L); });
    const LD s01 = static_cast<LD>(0.01f);
    add(c, "leaky_hardtanh", "", "exact", m::LeakyHardtanh{}, [=](LD x) { return x < -1 ? -1 + s01 * (x + 1) : x > 1 ? 1 + s01 * (x - 1) : x; });
    add(c, "relu", "", "exact", m::ReLU{}, [](LD x) { return std::max(x, 0.0L); });
    add(c, "relu6", "", "exact", m::ReLU6{}, [](LD x) { return std::clamp(x, 0.0L, 6.0L); });
    add(c, "leaky_relu", "0.01", "exact", m::LeakyReLU{}, [=](LD x) { return x > 0 ? x : s01 * x; });
    add(c, "prelu", "0.25", "exact", m::PReLU{}, [](LD x) { return x > 0 ? x : 0.25L * x; });
    add(c, "rrelu", "", "exact", m::RReLU{}, [](LD x) { return x > 0 ? x : static_cast<LD>(0.5f * (0.125f + 1.0f / 3.0f)) * x; });
    add_exact_fast(c, "elu", "1", [](auto t) { return m::ELU<decltype(t)>{}; }, [](LD x) { return x > 0 ? x : std::expm1(x); });
    add_exact_fast(c, "celu", "1", [](auto t) { return m::CELU<decltype(t)>{}; }, [](LD x) { return x > 0 ? x : std::expm1(x); });
    add_exact_fast(c, "selu", "", [](auto t) { return m::SELU<decltype(t)>{}; }, [](LD x) {
        return 1.0507009873554804934193349852946L * (x > 0 ? x : 1.6732632423543772848170429916717L * std::expm1(x));
    });
    add_exact_fast(c, "gelu", "", [](auto t) { return m::GELU<decltype(t)>{}; },
                   [](LD x) { return 0.5L * x * std::erfc(-x / std::sqrt(2.0L)); });
    const auto gelu_tanh = [pi](LD x) { return x * sig(2 * std::sqrt(2 / pi) * (x + 0.044715L * x * x * x)); };
    add_tiers<m::GELUTanh>(c, "gelu_tanh", gelu_tanh);
    add(c, "hardsigmoid", "", "exact", m::Hardsigmoid{}, [](LD x) { return std::clamp(x + 3, 0.0L, 6.0L) / 6; });
    add(c, "hardswish", "", "exact", m::Hardswish{}, [](LD x) { return x * std::clamp(x + 3, 0.0L, 6.0L) / 6; });
    add_exact_fast(c, "mish", "", [](auto t) { return m::Mish<decltype(t)>{}; },
                   [](LD x) { return x * std::tanh(std::log1p(std::exp(x))); });
    add_exact_fast(c, "softplus", "1", [](auto t) { return m::Softplus<decltype(t)>{}; },
                   [](LD x) { return x > 20 ? x : std::log1p(std::exp(x)); });
    add(c, "softsign", "", "exact", m::Softsign{}, [](LD x) { return x / (1 + std::fabs(x)); });
    add(c, "softshrink", "0.5", "exact", m::Softshrink{}, [](LD x) { return x > 0.5L ? x - 0.5L : x < -0.5L ? x + 0.5L : 0.0L; });
    add(c, "hardshrink", "0.5", "exact", m::Hardshrink{}, [](LD x) { return std::fabs(x) > 0.5L ? x : 0.0L; });
    add_tiers<m::Tanhshrink>(c, "tanhshrink", [](LD x) { return x - std::tanh(x); });
    add_exact_fast(c, "log_sigmoid", "", [](auto t) { return m::LogSigmoid<decltype(t)>{}; },
                   [](LD x) { return std::log(sig(x)); });
    add(c, "threshold", "0", "exact", m::Threshold{}, [](LD x) { return x > 0 ? x : 0.0L; });
    add_exact_fast(c, "gaussian", "", [](auto t) { return m::Gaussian<decltype(t)>{}; }, [](LD x) { return std::exp(-x * x); });
    add(c, "identity", "", "exact", m::Identity{}, [](LD x) { return x; });
    const float stretches[] = {0.1f, 0.2f, 0.5f, 1.0f, 2.0f, 4.0f, 8.0f, 16.0f, 32.0f};
    for (float s : {0.1f, 0.2f, 0.5f, 1.0f, 1.8f, 2.0f, 4.0f, 8.0f, 16.0f, 32.0f}) {
        const LD S = s;
        const auto ref = [S](LD x) { return std::tanh(x / S); };
        add(c, "customtanh", fmt(s), "exact", m::CustomTanh<>{s}, ref);
        add(c, "customtanh", fmt(s), "fast", m::CustomTanh<m::Fast>{s}, ref);
        add(c, "customtanh", fmt(s), "nam", m::CustomTanh<m::NamCompat>{s}, ref);
    }
    for (float s : stretches) {
        const LD S = s;
        add(c, "snake", fmt(s), "exact", m::Snake{s}, [S](LD x) { return x + std::pow(std::sin(S * x), 2) / S; });
    }
    add(c, "snake", "2.9", "exact", m::Snake{2.9f}, [](LD x) {
        const LD S = static_cast<LD>(2.9f);
        return x + std::pow(std::sin(S * x), 2) / S;
    });
    add(c, "snakebeta", "1/2", "exact", m::SnakeBeta{1.0f, 2.0f}, [](LD x) { return x + std::pow(std::sin(x), 2) / 2; });
    for (float s : stretches) {
        const LD S = s;
        add(c, "relusquared", fmt(s), "exact", m::ReLUSquared{s}, [S](LD x) { return x > 0 ? (x / S) * (x / S) : 0.0L; });
    }
    for (float s : stretches) {
        const LD S = s;
        add_exact_fast(c, "relusquareddip", fmt(s), [s](auto t) { return m::ReLUSquaredDip<decltype(t)>{s}; },
                       [S](LD x) { return x >= 0 ? x * x : x * sig(S * x); });
    }
    for (float w : {0.1f, 0.2f, 0.5f, 1.0f}) {
        const LD W = w;
        add(c, "smoothhardtanh", fmt(w), "exact", m::SmoothHardtanh<m::Smoothness::c2>{w, 0.01f},
            [=](LD x) { return smooth_hardtanh_ref(x, W, s01, true); });
        add(c, "smoothhardtanh_c1", fmt(w), "exact", m::SmoothHardtanh<m::Smoothness::c1>{w, 0.01f},
            [=](LD x) { return smooth_hardtanh_ref(x, W, s01, false); });
    }
    add_gated(c, "gated_tanh", "exact", m::Gated<m::Tanh<>, m::Sigmoid<>>{}, [](LD x) { return std::tanh(x) * sig(x); });
    add_gated(c, "gated_tanh", "fast", m::Gated<m::Tanh<m::Fast>, m::Sigmoid<m::Fast>>{}, [](LD x) { return std::tanh(x) * sig(x); });
    add_gated(c, "gated_tanh", "nam", m::Gated<m::Tanh<m::NamCompat>, m::Sigmoid<m::NamCompat>>{},
              [](LD x) { return std::tanh(x) * sig(x); });
    const auto gated_selu = [](LD x) {
        return 1.0507009873554804934193349852946L * (x > 0 ? x : 1.6732632423543772848170429916717L * std::expm1(x)) * sig(x);
    };
    add_gated(c, "gated_selu", "exact", m::Gated<m::SELU<>, m::Sigmoid<>>{}, gated_selu);
    add_gated(c, "gated_selu", "fast", m::Gated<m::SELU<m::Fast>, m::Sigmoid<m::Fast>>{}, gated_selu);
    add_gated(c, "gated_relu", "exact", m::Gated<m::ReLU, m::Sigmoid<>>{}, [](LD x) { return std::max(x, 0.0L) * sig(x); });
    const auto blended_tanh = [](LD x) { return sig(x) * std::tanh(x) + (1 - sig(x)) * x; };
    add_gated(c, "blended_tanh", "exact", m::Blended<m::Tanh<>, m::Sigmoid<>>{}, blended_tanh);
    add_gated(c, "blended_tanh", "fast", m::Blended<m::Tanh<m::Fast>, m::Sigmoid<m::Fast>>{}, blended_tanh);
    add_gated(c, "blended_tanh", "nam", m::Blended<m::Tanh<m::NamCompat>, m::Sigmoid<m::NamCompat>>{}, blended_tanh);
}

std::function<void()> add_activations(CLI::App& app) {
    struct Options {
        std::string csv, filter;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    app.add_option("--csv", o->csv, "also write the table as CSV to FILE");
    app.add_option("--filter", o->filter, "only rows whose name contains TEXT");
    app.add_flag("--json", o->json, "print the rows as a JSON array instead of the table");
    return [o] {
        Context c;
        c.filter = o->filter;
        for (int i = -16 * 256; i <= 16 * 256; ++i) c.grid.push_back(static_cast<float>(i) / 256.0f);
        // Warm up (clock frequency, caches, page faults) so the first rows are timed like the others.
        {
            std::vector<float> tmp(4096, 0.5f);
            median_ns_per_element([&] { m::apply(m::Tanh<>{}, tmp.data(), tmp.data(), 4096); keep(tmp[0]); }, 4096);
            median_ns_per_element([&] { m::apply(m::Tanh<>{}, tmp.data(), tmp.data(), 4096); keep(tmp[0]); }, 4096);
        }
        std::mt19937 rng(7);
        std::normal_distribution<float> d(0.0f, 2.0f);
        for (int i = 0; i < 4096; ++i) c.bench_a.push_back(d(rng)), c.bench_b.push_back(d(rng));
        const double two_pi = 6.283185307179586476925286766559;
        for (int i = 0; i < 48017; ++i)
            c.sine.push_back(static_cast<float>(4.0 * std::sin(two_pi * 1249.0 * i / 48017.0)));
        std::unique_ptr<AtomicFile> csv;  // opened first: an unwritable path fails before the long run
        if (!o->csv.empty()) csv = std::make_unique<AtomicFile>(o->csv);
        build_rows(c);
        if (c.rows.empty()) throw UsageError("--filter matches no activation");
        if (o->json) {
            const auto number = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
            Json out = Json::array();
            for (const auto& r : c.rows) {
                Json row;
                row["name"] = r.name;
                row["param"] = r.param;
                row["tier"] = r.tier;
                row["max_abs_err"] = number(r.max_abs_err);
                row["max_ulp"] = number(r.max_ulp);
                row["ns_scalar"] = number(r.ns_scalar);
                row["ns_simd"] = number(r.ns_simd);
                row["asr_db"] = number(r.asr_db);
                out.push_back(std::move(row));
            }
            print_json(out);
        } else {
            std::printf("nofold %s, SIMD %s (%d float lanes); accuracy vs long double on [-16, 16]; ASR of 4·sin at "
                        "1249 Hz, fs = N = 48017\n",
                        version_string, simd::arch_name, simd::lanes<simd::float_batch>);
            std::printf("%-18s %-6s %-5s %11s %9s %9s %9s %9s\n", "name", "param", "tier", "max_abs_err", "max_ulp",
                        "ns_scalar", "ns_simd", "asr_db");
            for (const auto& r : c.rows)
                std::printf("%-18s %-6s %-5s %11.3g %9.0f %9.3f %9.3f %9.2f\n", r.name.c_str(), r.param.c_str(),
                            r.tier.c_str(), r.max_abs_err, r.max_ulp, r.ns_scalar, r.ns_simd, r.asr_db);
        }
        if (csv) {
            std::string text = "name,param,tier,max_abs_err,max_ulp,ns_scalar,ns_simd,asr_db\n";
            char line[512];
            for (const auto& r : c.rows) {
                std::snprintf(line, sizeof line, "%s,%s,%s,%.6g,%.0f,%.4f,%.4f,%.3f\n", r.name.c_str(), r.param.c_str(),
                              r.tier.c_str(), r.max_abs_err, r.max_ulp, r.ns_scalar, r.ns_simd, r.asr_db);
                text += line;
            }
            csv->write(text);
            csv->commit();
        }
    };
}

const bool registered =
    add_command({"activations", "cost, accuracy and aliasing (ASR) of every activation", add_activations});

}  // namespace
}  // namespace nofold::cli
