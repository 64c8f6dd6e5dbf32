// nofold::nn::detail — the plain WaveNet layer, written once for both WaveNet engines (the static
// nn::wavenet::Engine and runtime::WaveNet's arrays of plain layers):
//
//     z = act(b + Σ_k W_k · x[t − (K−1−k)·d] + W_mix · cond),  skip += z,  x = x + (b₁ + W₁ · z)
//
// layer_conv is the first part as one register-tiled pass (tap_conv.hpp) over the residual rows x,
// whose rows are preceded by `Prefix` floats: the layer copies the newest samples of its delay line
// there, so taps up to Prefix back read x in place; older taps read the delay line. It then pushes the
// chunk into the delay line. layer_residual is the second part, the product rounded on its own before
// the add (the order every WaveNet path of nofold uses, so all give bit-identical results).
//
// Memory contract: rows of x are LD floats apart with Prefix writable floats before each row; the
// condition row follows x's C rows at the same ld (so [x; cond] is one matrix); the delay line is C rings
// of `span` floats with at least one SIMD batch of readable floats before rings[0] (a short ring in order
// is copied in whole batches); z and skip rows are F floats apart and aligned.
// Template parameters: V (simd::float_batch), C (channels), K (kernel size), F (chunk frames), Prefix
// (floats before each x row; ≥ F), LD (row stride of x; a constant, so the tiles' addresses fold). Units: frames; dilation in samples at the running rate.
// Allocates: never. RT-safe: everything.
#pragma once

#include <algorithm>
#include <type_traits>

#include "../../config.hpp"
#include "../../simd/simd.hpp"
#include "../history.hpp"
#include "tap_conv.hpp"

namespace nofold::nn::detail {

/// One plain layer's delay line: C rings of `span` floats, next write position `pos`.
struct LayerRing {
    float* rings;
    int span;
    int& pos;
};

/// z = act(b + Σ_k W_k · x[t − o_k] + W_mix · cond) and skip += z, for a chunk of n ≤ F frames
/// (nb batches); Act = void stores the pre-activation z and leaves skip alone. `w` holds Rows rows of
/// [W_0 … W_{K−1} | W_mix] (K·C + 1 floats), `b` the Rows biases; `d` is the dilation × rate factor;
/// `fill` fills the delay line with the chunk's first frame first (steady-state prewarm). Rows is C, or
/// 2·C for a gated or blended layer (primary rows, then gate rows; Act = void, the gate is applied after).
template <class V, int C, int K, int F, int Prefix, int LD, class Act, int Rows = C>
inline void layer_conv(const float* w, const float* b, LayerRing ring, float* x, float* z, float* skip, int d, int n,
                       bool fill, const Act* act) noexcept {
    static_assert(Prefix >= F, "nofold: the residual rows need a prefix of at least one chunk");
    static_assert(LD >= F + Prefix, "nofold: a residual row and its prefix must fit the row stride");
    constexpr int ld = LD;
    constexpr int lanes = simd::lanes<V>;
    const int nb = (n + lanes - 1) / lanes;
    const int span = ring.span;
    float* rings = ring.rings;
    int& pos = ring.pos;
    if (fill) ring_fill_constant(rings, C, span, x, ld);
    // the newest samples of the delay line go in front of x's rows: taps up to Prefix back read x in
    // place (before = the largest tap offset within the prefix; the other taps read the delay line)
    const int before = std::min(K - 1, Prefix / d) * d;
    if (before == Prefix && pos >= before) {  // the common case, without wrap: whole batches
        copy_rows<Prefix>(rings + pos - before, span, x - before, ld, C);
    } else if (pos == 0 && before > 0) {
        // a short delay line in order (see below): copy whole batches ending at its end; the extra floats
        // read lie before the ring (the contract above) and land in the unused part of the prefix
        const int whole = (before + lanes - 1) / lanes * lanes;
        for (int c = 0; c < C; ++c)
            for (int i = 0; i < whole; i += lanes)
                simd::store(x + c * ld - whole + i, simd::load<V>(rings + (c + 1) * span - whole + i));
    } else {
        ring_copy_last(rings, C, span, pos, before, x - before, ld);
    }
    PastTap past[K > 1 ? K - 1 : 1] = {};
    for (int k = 0; k + 1 < K; ++k) past[k] = past_tap(rings, span, pos, (K - 1 - k) * d);
    static_assert(Rows == C || std::is_void_v<Act>, "nofold: a gated layer's activation is applied after the conv");
    if constexpr (std::is_void_v<Act>) {
        (void)act;
        (void)skip;
        tap_conv<V, Rows, C, K, 1>(w, b, past, x, ld, before, nb, [z](int r, int t, V v) { simd::store_aligned(z + r * F + t, v); });
    } else {
        tap_conv<V, C, C, K, 1>(w, b, past, x, ld, before, nb, [z, skip, f = *act](int r, int t, V v) {
            const V y = f(v);
            simd::store_aligned(z + r * F + t, y);
            float* ps = skip + r * F + t;
            simd::store_aligned(ps, simd::load_aligned<V>(ps) + y);
        });
    }
    if (n == F && pos + F <= span) {  // the common case, without wrap: whole batches
        copy_rows<F>(x, ld, rings + pos, span, C);
        pos = pos + F == span ? 0 : pos + F;
    } else if (n >= span && span > 0) {  // a short delay line keeps the chunk's last span frames in order
        for (int c = 0; c < C; ++c) copy_floats(x + c * ld + n - span, span, rings + c * span);
        pos = 0;
    } else {
        pos = ring_append(rings, C, span, pos, x, ld, n);
    }
}

/// x = x + (b + W · z) over nb batches: the product rounded on its own before the add.
template <class V, int C, int F, int LD>
inline void layer_residual(const float* w, const float* b, const float* z, float* x, int nb) noexcept {
    tap_conv<V, C, C, 1, 0>(w, b, nullptr, z, F, 0, nb, [x](int r, int t, V v) {
        float* p = x + r * LD + t;
        simd::store_aligned(p, simd::load_aligned<V>(p) + v);
    });
}

/// Reads `out` × `in` × `k` .nam conv weights in `groups` groups ([out][in/groups][k]) into dense rows
/// dst[o·ld + t·in + c] (tap-major, zeros outside each group's block; ld ≥ k·in, the floats of a row past
/// k·in are left alone); returns the reader past them. Grouped convs run as dense block-diagonal ones.
inline const float* read_conv_rows(const float* src, float* dst, int ld, int out, int in, int k, int groups) noexcept {
    const int in_g = in / groups, out_g = out / groups;
    const auto at = [ld](int o, int col) { return static_cast<std::size_t>(o) * static_cast<std::size_t>(ld) + static_cast<std::size_t>(col); };
    for (int o = 0; o < out; ++o) std::fill(dst + at(o, 0), dst + at(o, k * in), 0.0f);
    for (int o = 0; o < out; ++o)
        for (int j = 0; j < in_g; ++j)
            for (int t = 0; t < k; ++t) dst[at(o, t * in + (o / out_g) * in_g + j)] = *src++;
    return src;
}

/// Packs one layer's .nam weights (conv [R][C/groups][K], conv bias [R], mixin [R][1], R = `out` rows: C,
/// or 2·C when gated) into the rows layer_conv reads ([W_0 … W_{K−1} | W_mix], then the bias); returns
/// the reader past them.
inline const float* pack_layer_conv(const float* src, int out, int c, int k, int groups, float* rows, float* bias) noexcept {
    const int ldw = k * c + 1;
    src = read_conv_rows(src, rows, ldw, out, c, k, groups);
    for (int o = 0; o < out; ++o) bias[o] = *src++;
    return read_conv_rows(src, rows + k * c, ldw, out, 1, 1, 1);
}

}  // namespace nofold::nn::detail
