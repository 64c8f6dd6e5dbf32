// A consumer of an installed nofold: includes the umbrella header, runs a SIMD shim, prints the version.
#include <cstdio>
#include <nofold/nofold.hpp>

int main() {
    namespace simd = nofold::simd;
    const float x[64] = {1.0f, -2.0f, 3.0f};
    const float sum = simd::reduce_add(simd::abs(simd::load<simd::float_batch>(x)));
    std::printf("nofold %s via %s: %g\n", nofold::version_string, simd::arch_name, static_cast<double>(sum));
    return sum == 6.0f ? 0 : 1;
}
