// nofold::nn::wavenet — the preset registry: the WaveNet shapes nofold compiles as static instantiations
// (A1 standard, lite, feather, nano; A2 with 3 or 8 channels) and the LSTM sizes it instantiates. This
// list is the only place they are written: the static engine (wavenet_static.hpp) runs them, the
// loader's dispatch (wavenet_presets.hpp, io/presets.hpp), `nofold info`'s reasons and `nofold codegen`
// are derived from it.
//
// A shape is a struct with `key` (registry name), `type_name` (the alias in nofold::nn::wavenet and
// nofold::nn::wavenet::fixed), `array_count`, `arrays`, `default_head_scale`, `name()` and optionally
// `chunk_frames`. Shapes cover the preset subset of the .nam WaveNet (docs/model-formats.md): layer arrays
// with rechannel, dilated conv + input mixin (the condition is the input), ungated Tanh or LeakyReLU,
// layer1x1 on, no bottleneck/head1x1/FiLM/groups, head rechannel with kernel, dilation and bias.
// Units: none. Allocates: never.
#pragma once

namespace nofold::nn::wavenet {

/// Activation of a static layer array (Tanh in the model's tier, math::tier_in_model).
enum class ArrayActivation { tanh, leaky_relu };

/// One layer array of a static shape. `kernels` and `dilations` point at `layers` entries each.
struct ArrayShape {
    int input_size;
    int channels;
    int head_size;
    int head_kernel;
    int head_dilation;
    bool head_bias;
    int layers;
    const int* kernels;
    const int* dilations;
    ArrayActivation activation;
    float activation_param;  ///< LeakyReLU negative slope
};

namespace detail {
inline constexpr int k3[] = {3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3};
inline constexpr int a1_d10[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
inline constexpr int a1_d7[] = {1, 2, 4, 8, 16, 32, 64};
inline constexpr int a1_d13[] = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
inline constexpr int a2_k[] = {6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 15, 15, 6, 6, 6, 6, 6, 6, 6};
inline constexpr int a2_d[] = {1, 3, 7, 17, 41, 101, 239, 1, 3, 7, 17, 41, 101, 239, 1, 13, 1, 3, 7, 17, 41, 101, 239};
constexpr ArrayShape a1_array(int input, int channels, int head, bool head_bias, int layers, const int* dilations) noexcept {
    return ArrayShape{input, channels, head, 1, 1, head_bias, layers, k3, dilations, ArrayActivation::tanh, 0.0f};
}
/// The A1 shapes below standard: C1 then C2 channels, 7 layers (dilations 1…64) then 13 (128…512, 1…512).
template <int C1, int C2>
struct A1SmallShape {
    static constexpr int array_count = 2;
    static constexpr ArrayShape arrays[2] = {a1_array(1, C1, C2, false, 7, a1_d7), a1_array(C1, C2, 1, true, 13, a1_d13)};
    static constexpr float default_head_scale = 0.02f;
};
}  // namespace detail

/// A1 "standard": 16 and 8 channels, dilations 1…512 twice. 32-frame chunks: with 64 its scratch would
/// take it past the 256 KiB per-instance target (weights and delay lines alone are 245.7 KiB).
struct StandardShape {
    static constexpr int array_count = 2;
    static constexpr int chunk_frames = 32;
    static constexpr ArrayShape arrays[2] = {detail::a1_array(1, 16, 8, false, 10, detail::a1_d10),
                                             detail::a1_array(16, 8, 1, true, 10, detail::a1_d10)};
    static constexpr float default_head_scale = 0.02f;
    static constexpr const char* key = "standard";
    static constexpr const char* type_name = "Standard";
    static const char* name() noexcept { return "static WaveNet preset 'standard'"; }
};
/// A1 "lite": 12 and 6 channels, 7 + 13 layers.
struct LiteShape : detail::A1SmallShape<12, 6> {
    static constexpr const char* key = "lite";
    static constexpr const char* type_name = "Lite";
    static const char* name() noexcept { return "static WaveNet preset 'lite'"; }
};
/// A1 "feather": 8 and 4 channels, 7 + 13 layers.
struct FeatherShape : detail::A1SmallShape<8, 4> {
    static constexpr const char* key = "feather";
    static constexpr const char* type_name = "Feather";
    static const char* name() noexcept { return "static WaveNet preset 'feather'"; }
};
/// A1 "nano": 4 and 2 channels, 7 + 13 layers.
struct NanoShape : detail::A1SmallShape<4, 2> {
    static constexpr const char* key = "nano";
    static constexpr const char* type_name = "Nano";
    static const char* name() noexcept { return "static WaveNet preset 'nano'"; }
};
/// A2: one array of 23 layers (kernels 6 and 15), LeakyReLU(0.01), head kernel 16 with bias.
template <int Channels>
struct A2Shape {
    static_assert(Channels == 3 || Channels == 8, "nofold: the A2 preset exists with 3 or 8 channels");
    static constexpr int array_count = 1;
    static constexpr ArrayShape arrays[1] = {ArrayShape{1, Channels, 1, 16, 1, true, 23, detail::a2_k, detail::a2_d,
                                                        ArrayActivation::leaky_relu, 0.01f}};
    static constexpr float default_head_scale = 0.01f;
    static constexpr const char* key = Channels == 3 ? "a2_3" : "a2_8";
    static constexpr const char* type_name = Channels == 3 ? "A2<3>" : "A2<8>";
    static const char* name() noexcept {
        return Channels == 3 ? "static WaveNet preset 'A2-3'" : "static WaveNet preset 'A2-8'";
    }
};

/// A compile-time list of shapes.
template <class... Shapes>
struct ShapeList {};

/// Every static WaveNet preset, in the order the loader tries them.
using PresetShapes = ShapeList<StandardShape, LiteShape, FeatherShape, NanoShape, A2Shape<3>, A2Shape<8>>;

/// Calls f(Shape*) (a null pointer of each shape type) for every shape of the list.
template <class... Shapes, class F>
constexpr void for_each_shape(ShapeList<Shapes...>, F&& f) {
    (f(static_cast<Shapes*>(nullptr)), ...);
}

}  // namespace nofold::nn::wavenet

namespace nofold::nn {

/// An LSTM size with a static instantiation (one input).
struct LstmPresetSize {
    int hidden;
    int layers;
};

/// Every static LSTM preset: 1 × 8/12/16/20/24/32/40 and 2 × 8/12/16 (one input).
inline constexpr LstmPresetSize lstm_preset_sizes[] = {{8, 1},  {12, 1}, {16, 1}, {20, 1}, {24, 1},
                                                        {32, 1}, {40, 1}, {8, 2},  {12, 2}, {16, 2}};

}  // namespace nofold::nn
