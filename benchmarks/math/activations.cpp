// ns/element of every activation policy × tier, SIMD block path (math::apply) and scalar (one float per
// call, kept from vectorising by DoNotOptimize), over Gaussian inputs with σ = 2 (not zeros: several
// kernels have input-dependent cost). Gated forms take two such inputs. Case names: Subject/n4096/variant.
// Reference rows: glibc tanhf/expf-based sigmoid, scalar.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <nofold/math/math.hpp>

namespace math = nofold::math;

namespace {
constexpr int n = 4096;

const std::vector<float>& inputs(int which) {
    static const std::vector<float> data[2] = {[] {
                                                   std::vector<float> v(n);
                                                   std::mt19937 rng(1);
                                                   std::normal_distribution<float> d(0.0f, 2.0f);
                                                   for (auto& x : v) x = d(rng);
                                                   return v;
                                               }(),
                                               [] {
                                                   std::vector<float> v(n);
                                                   std::mt19937 rng(2);
                                                   std::normal_distribution<float> d(0.0f, 2.0f);
                                                   for (auto& x : v) x = d(rng);
                                                   return v;
                                               }()};
    return data[which];
}

void set_counter(benchmark::State& state) {
    state.counters["ns_per_element"] = benchmark::Counter(
        static_cast<double>(state.iterations()) * n * 1e-9, benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

template <class P>
void register_policy(const std::string& subject, const std::string& variant, const P& p) {
    benchmark::RegisterBenchmark((subject + "/n4096/" + variant + "_simd").c_str(), [p](benchmark::State& state) {
        const auto& in = inputs(0);
        std::vector<float> out(n);
        for (auto _ : state) {
            math::apply(p, in.data(), out.data(), n);
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
        set_counter(state);
    });
    benchmark::RegisterBenchmark((subject + "/n4096/" + variant + "_scalar").c_str(), [p](benchmark::State& state) {
        const auto& in = inputs(0);
        for (auto _ : state) {
            for (int i = 0; i < n; ++i) {
                float y = p(in[static_cast<std::size_t>(i)]);
                benchmark::DoNotOptimize(y);
            }
        }
        set_counter(state);
    });
}

template <class G>
void register_gated(const std::string& subject, const std::string& variant, const G& g) {
    benchmark::RegisterBenchmark((subject + "/n4096/" + variant + "_simd").c_str(), [g](benchmark::State& state) {
        const auto& a = inputs(0);
        const auto& b = inputs(1);
        std::vector<float> out(n);
        for (auto _ : state) {
            math::apply(g, a.data(), b.data(), out.data(), n);
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
        set_counter(state);
    });
}

template <template <class> class P>
void register_tiers(const std::string& subject) {
    register_policy(subject, "exact", P<math::Exact>{});
    register_policy(subject, "fast", P<math::Fast>{});
    register_policy(subject, "nam", P<math::NamCompat>{});
}
// Exact and Fast only: NamCompat is the Exact kernel for functions NAM does not approximate.
template <template <class> class P>
void register_exact_fast(const std::string& subject) {
    register_policy(subject, "exact", P<math::Exact>{});
    register_policy(subject, "fast", P<math::Fast>{});
}
}  // namespace

int main(int argc, char** argv) {
    register_tiers<math::Tanh>("Tanh");
    register_tiers<math::Sigmoid>("Sigmoid");
    register_tiers<math::SiLU>("SiLU");
    register_policy("CustomTanh", "a1.8_exact", math::CustomTanh<>{1.8f});
    register_policy("CustomTanh", "a1.8_fast", math::CustomTanh<math::Fast>{1.8f});
    register_policy("Fasttanh", "nam", math::Fasttanh{});
    register_exact_fast<math::GELU>("GELU");
    register_policy("GELUTanh", "exact", math::GELUTanh<>{});
    register_policy("GELUTanh", "fast", math::GELUTanh<math::Fast>{});
    register_policy("Tanhshrink", "exact", math::Tanhshrink<>{});
    register_exact_fast<math::ELU>("ELU");
    register_exact_fast<math::CELU>("CELU");
    register_exact_fast<math::SELU>("SELU");
    register_exact_fast<math::Mish>("Mish");
    register_exact_fast<math::Softplus>("Softplus");
    register_exact_fast<math::LogSigmoid>("LogSigmoid");
    register_exact_fast<math::Gaussian>("Gaussian");
    register_exact_fast<math::ReLUSquaredDip>("ReLUSquaredDip");
    register_policy("Snake", "a2.9", math::Snake{2.9f});
    register_policy("SnakeBeta", "a1_b2", math::SnakeBeta{1.0f, 2.0f});
    register_policy("SmoothHardtanh", "c1_w0.25", math::SmoothHardtanh<math::Smoothness::c1>{0.25f, 0.01f});
    register_policy("SmoothHardtanh", "c2_w0.25", math::SmoothHardtanh<math::Smoothness::c2>{0.25f, 0.01f});
    register_policy("ReLU", "exact", math::ReLU{});
    register_policy("ReLU6", "exact", math::ReLU6{});
    register_policy("LeakyReLU", "exact", math::LeakyReLU{});
    register_policy("Hardtanh", "exact", math::Hardtanh{});
    register_policy("LeakyHardtanh", "exact", math::LeakyHardtanh{});
    register_policy("Hardsigmoid", "exact", math::Hardsigmoid{});
    register_policy("Hardswish", "exact", math::Hardswish{});
    register_policy("Softsign", "exact", math::Softsign{});
    register_policy("Softshrink", "exact", math::Softshrink{});
    register_policy("Hardshrink", "exact", math::Hardshrink{});
    register_policy("ReLUSquared", "exact", math::ReLUSquared{});
    register_gated("GatedTanhSigmoid", "exact", math::Gated<math::Tanh<>, math::Sigmoid<>>{});
    register_gated("GatedTanhSigmoid", "fast", math::Gated<math::Tanh<math::Fast>, math::Sigmoid<math::Fast>>{});
    register_gated("GatedTanhSigmoid", "nam", math::Gated<math::Tanh<math::NamCompat>, math::Sigmoid<math::NamCompat>>{});
    register_gated("BlendedTanhSigmoid", "exact", math::Blended<math::Tanh<>, math::Sigmoid<>>{});
    register_gated("GatedSELUSigmoid", "exact", math::Gated<math::SELU<>, math::Sigmoid<>>{});
    // The run-time Activation (one dispatch per block) and glibc for reference.
    benchmark::RegisterBenchmark("ActivationRuntime/n4096/tanh_exact_simd", [](benchmark::State& state) {
        const math::Activation act(math::ActivationKind::tanh);
        const auto& in = inputs(0);
        std::vector<float> out(n);
        for (auto _ : state) {
            act.apply(in.data(), out.data(), n);
            benchmark::DoNotOptimize(out.data());
            benchmark::ClobberMemory();
        }
        set_counter(state);
    });
    benchmark::RegisterBenchmark("GlibcTanhf/n4096/reference_scalar", [](benchmark::State& state) {
        const auto& in = inputs(0);
        for (auto _ : state) {
            for (int i = 0; i < n; ++i) {
                float y = std::tanh(in[static_cast<std::size_t>(i)]);
                benchmark::DoNotOptimize(y);
            }
        }
        set_counter(state);
    });
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
