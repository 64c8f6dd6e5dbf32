// expect: arrays\[i-1\].head_size must equal arrays\[i\].channels
// A user-defined static WaveNet shape whose first array's head (4) does not feed the second array (6 channels).
#include <nofold/nn/wavenet_static.hpp>

namespace {
constexpr int kernels[] = {3, 3};
constexpr int dilations[] = {1, 2};
struct BrokenShape {
    static constexpr int array_count = 2;
    static constexpr nofold::nn::wavenet::ArrayShape arrays[2] = {
        {1, 8, 4, 1, 1, false, 2, kernels, dilations, nofold::nn::wavenet::ArrayActivation::tanh, 0.0f},
        {8, 6, 1, 1, 1, true, 2, kernels, dilations, nofold::nn::wavenet::ArrayActivation::tanh, 0.0f}};
    static constexpr float default_head_scale = 1.0f;
    static const char* name() noexcept { return "broken"; }
};
}  // namespace

int main() {
    nofold::nn::wavenet::Engine<BrokenShape> model;
    return model.latency();
}
