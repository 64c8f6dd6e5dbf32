// Run-time ISA dispatch probe (tests/isa/dispatch.sh runs it natively and under qemu-x86_64 -cpu ...).
// Built with the program's baseline flags plus the sse41, avx2 and avx512 backends (nofold_add_isa_dispatch).
// For every model file given: loads it on every path this CPU can run (static preset and runtime engine),
// processes a fixed signal, and prints one line per path with an FNV-1a hash of the output bytes and the
// largest difference from the baseline path. Exit 1 when a path differs from the baseline by more than
// the bound below, 2 on bad use.
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nofold/isa/active.hpp>
#include <nofold/io/load.hpp>

namespace {

// Baseline x86-64 is SSE2 without fused multiply-add; avx2/avx512 fuse, and the lane count changes the
// order of some sums. What that does to a model's output (measured on these models: docs/isa-dispatch.md)
// stays far below this bound, relative to the output's peak.
constexpr double bound = 1e-5;

std::uint64_t fnv1a(const std::vector<float>& x) {
    std::uint64_t h = 1469598103934665603ull;
    for (float v : x) {
        unsigned char b[sizeof v];
        std::memcpy(b, &v, sizeof v);
        for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
    }
    return h;
}

std::vector<float> run(const std::string& path, nofold::io::Dispatch dispatch) {
    std::vector<float> in(6000);
    std::uint32_t seed = 12345;
    for (std::size_t i = 0; i < in.size(); ++i) {
        seed = seed * 1664525u + 1013904223u;
        const double noise = (static_cast<double>(seed >> 8) / 16777216.0 - 0.5) * 0.4;
        in[i] = static_cast<float>(0.6 * std::sin(0.0571 * static_cast<double>(i)) + noise);
    }
    nofold::io::LoadOptions options;
    options.dispatch = dispatch;
    auto loaded = nofold::io::load(path, options);
    std::vector<float> out(in.size());
    for (std::size_t i = 0; i < in.size(); i += 100)  // host blocks of 100
        loaded.model->process(in.data() + i, out.data() + i, 100);
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace nofold;
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s MODEL.nam...\n", argv[0]);
        return 2;
    }
    const isa::Path active = isa::active_path();
    std::printf("selected %s %s %d\n", isa::level_name(active.level), active.simd_arch, active.float_lanes);
    int status = 0;
    for (int a = 1; a < argc; ++a) {
        for (const io::Dispatch d : {io::Dispatch::automatic, io::Dispatch::runtime_only}) {
            std::vector<float> reference;
            double peak = 0.0;
            for (int i = 0; i < isa::level_count; ++i) {
                const auto level = static_cast<isa::Level>(i);
                if (!isa::force(level)) continue;
                const std::vector<float> out = run(argv[a], d);
                if (reference.empty()) {
                    reference = out;
                    for (float v : out) peak = std::max(peak, std::fabs(static_cast<double>(v)));
                }
                double worst = 0.0;
                for (std::size_t k = 0; k < out.size(); ++k)
                    worst = std::max(worst, std::fabs(static_cast<double>(out[k]) - reference[k]));
                const double relative = peak > 0.0 ? worst / peak : worst;
                std::printf("%s %s %s %s hash %016" PRIx64 " max_difference %.3g relative %.3g\n", argv[a],
                            d == io::Dispatch::automatic ? "automatic" : "runtime", isa::level_name(level),
                            isa::active_path().simd_arch, fnv1a(out), worst, relative);
                if (!(relative <= bound)) status = 1;
            }
            isa::clear_force();
        }
    }
    return status;
}
