// nofold::math — apply an activation policy to a block of floats (or doubles: the training code's
// double path): a SIMD body and a tail that runs the same batch kernel on a padded copy, so every
// element gets bit-identical results wherever it sits.
// Usage: `math::apply(math::Tanh<>{}, x, n);` or `math::apply(math::Gated<math::Tanh<>>{}, a, b, out, n);`
// Units: n in elements (any n ≥ 0). Allocates: never. RT-safe: all (NOFOLD_REALTIME).
#pragma once

#include <type_traits>

#include "../simd/simd.hpp"

namespace nofold::math {

/// The SIMD batch of T (float or double).
template <class T>
using batch_t = std::conditional_t<std::is_same_v<T, double>, simd::double_batch, simd::float_batch>;

/// In place: x[i] = act(x[i]) for i in [0, n).
template <class Act, class T>
NOFOLD_REALTIME void apply(const Act& act, T* x, int n) noexcept;

/// out[i] = act(in[i]); in and out may be the same pointer.
template <class Act, class T>
NOFOLD_REALTIME void apply(const Act& act, const T* in, T* out, int n) noexcept;

/// Two-input form for Gated/Blended: out[i] = act(a[i], b[i]); out may alias a or b.
template <class Act, class T>
NOFOLD_REALTIME void apply(const Act& act, const T* a, const T* b, T* out, int n) noexcept;

// ---------------------------------------------------------------------------------------------------
template <class Act, class T>
NOFOLD_REALTIME inline void apply(const Act& act, const T* in, T* out, int n) noexcept {
    using V = batch_t<T>;
    constexpr int w = simd::lanes<V>;
    const Act f = act;  // a local copy lets the compiler keep parameters in registers across stores
    int i = 0;
    for (; i + w <= n; i += w) simd::store(out + i, f(simd::load<V>(in + i)));
    if (i < n) {
        T tmp[w] = {};
        for (int j = 0; i + j < n; ++j) tmp[j] = in[i + j];
        simd::store(tmp, f(simd::load<V>(tmp)));
        for (int j = 0; i + j < n; ++j) out[i + j] = tmp[j];
    }
}

template <class Act, class T>
NOFOLD_REALTIME inline void apply(const Act& act, T* x, int n) noexcept {
    apply(act, static_cast<const T*>(x), x, n);
}

template <class Act, class T>
NOFOLD_REALTIME inline void apply(const Act& act, const T* a, const T* b, T* out, int n) noexcept {
    using V = batch_t<T>;
    constexpr int w = simd::lanes<V>;
    const Act f = act;
    int i = 0;
    for (; i + w <= n; i += w) simd::store(out + i, f(simd::load<V>(a + i), simd::load<V>(b + i)));
    if (i < n) {
        T ta[w] = {}, tb[w] = {};
        for (int j = 0; i + j < n; ++j) ta[j] = a[i + j], tb[j] = b[i + j];
        simd::store(ta, f(simd::load<V>(ta), simd::load<V>(tb)));
        for (int j = 0; i + j < n; ++j) out[i + j] = ta[j];
    }
}

}  // namespace nofold::math
