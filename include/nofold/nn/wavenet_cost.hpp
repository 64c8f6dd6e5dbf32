// nofold::nn::wavenet — the multiply-add count of a WaveNet, written once for both engines (the static
// Engine counts from its compile-time shape, runtime::WaveNet from the file's config; flops_per_sample()
// is twice the sum). Dense products only: grouped matrices count as the block-diagonal ones nofold
// stores, FiLM as the products they add. Units: multiply-adds per sample at rate factor 1.
// Reference: docs/model-formats.md §2 (the layer and its optional parts).
#pragma once

namespace nofold::nn::wavenet {

/// One layer: the dilated conv (conv_rows = gate factor × bottleneck, over kernel × channels taps), the
/// input mixin (conv_rows × condition), layer 1×1 (layer1x1_rows × bottleneck, 0 when off) and head 1×1
/// (head1x1_rows × bottleneck, 0 when off).
constexpr double layer_multiply_adds(int conv_rows, int kernel, int channels, int condition, int bottleneck, int layer1x1_rows,
                                     int head1x1_rows) noexcept {
    return static_cast<double>(conv_rows) * kernel * channels + static_cast<double>(conv_rows) * condition +
           static_cast<double>(layer1x1_rows) * bottleneck + static_cast<double>(head1x1_rows) * bottleneck;
}

/// One array's ends: the rechannel (channels × input) and the head rechannel (head_out × head_kernel × skip).
constexpr double array_multiply_adds(int channels, int input, int head_out, int head_kernel, int skip) noexcept {
    return static_cast<double>(channels) * input + static_cast<double>(head_out) * head_kernel * skip;
}

}  // namespace nofold::nn::wavenet
