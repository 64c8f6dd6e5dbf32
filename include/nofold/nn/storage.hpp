// nofold::nn — storage policies of the static models: where a model's weights, state and scratch live.
//
//   HeapStorage              one aligned heap block, allocated by the constructor (sizes from the
//                            shape; the largest rate factor from Options). For plug-ins and
//                            loaders: a large model does not sit on the caller's stack.
//   FixedStorage             everything inside the object (std::array sized at compile time), no heap
//                            at all: firmware (-fno-exceptions, no malloc linked), static instances.
//   FixedStorageUpTo<R>      the same with room for rate factors up to R (delay lines R× longer).
//
// Both run the same kernels; only the arena differs, like Eigen's fixed and Dynamic sizes.
// Template parameters: R ≥ 1, the largest integer rate factor. Units: none. Latency: none.
// Allocates: HeapStorage in the model's constructor; FixedStorage never.
#pragma once

namespace nofold::nn {

/// Buffers on the heap, allocated once at construction.
struct HeapStorage {
    static constexpr bool fixed = false;
    static constexpr int max_rate = 0;  ///< 0: chosen at run time (Options::max_rate_factor)
};

/// Buffers inside the object; delay lines sized for rate factors up to MaxRate.
template <int MaxRate = 1>
struct FixedStorageUpTo {
    static_assert(MaxRate >= 1, "nofold::nn::FixedStorageUpTo<MaxRate>: MaxRate must be at least 1");
    static constexpr bool fixed = true;
    static constexpr int max_rate = MaxRate;
};

/// Buffers inside the object, rate factor 1 only (the usual firmware choice).
using FixedStorage = FixedStorageUpTo<1>;

}  // namespace nofold::nn
