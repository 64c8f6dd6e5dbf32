// nofold::nn::detail — Storage<N>: N floats inside the object (N known at compile time) or on the
// heap (N == dynamic, sized once by resize()): the arena of the static models, where FixedStorage and
// HeapStorage differ (like Eigen's DenseStorage). runtime::WaveNet keeps per-layer vectors instead; both
// run the same layer code (wavenet_layer.hpp) and the same chunk loop (chunk_loop.hpp). Units: floats. Latency: none.
// Allocates: resize() of the dynamic form only. RT-safe: data(), fill().
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>

#include "../../config.hpp"
#include "../extent.hpp"
#include "aligned_buffer.hpp"

namespace nofold::nn::detail {

template <int N>
struct Storage {
    alignas(alignment) std::array<float, static_cast<std::size_t>(N > 0 ? N : 1)> values{};
    void resize(std::size_t n) noexcept {
        NOFOLD_ASSERT(n <= values.size());
        (void)n;
    }
    float* data() noexcept { return values.data(); }
    const float* data() const noexcept { return values.data(); }
    void fill(float v) noexcept { values.fill(v); }
    static constexpr std::size_t heap_bytes() noexcept { return 0; }
};

template <>
struct Storage<dynamic> {
    AlignedBuffer values;
    void resize(std::size_t n) { values.resize(n); }
    float* data() noexcept { return values.data(); }
    const float* data() const noexcept { return values.data(); }
    void fill(float v) noexcept { values.fill(v); }
    std::size_t heap_bytes() const noexcept { return values.bytes(); }
};

/// a·b·…, or dynamic if any factor is dynamic.
constexpr int product(int a, int b) noexcept { return a == dynamic || b == dynamic ? dynamic : a * b; }
constexpr int sum(int a, int b) noexcept { return a == dynamic || b == dynamic ? dynamic : a + b; }
/// n rounded up to a multiple of m (dynamic stays dynamic).
constexpr int round_up(int n, int m) noexcept { return n == dynamic ? dynamic : (n + m - 1) / m * m; }

}  // namespace nofold::nn::detail
