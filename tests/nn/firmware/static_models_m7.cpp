// Cortex-M7 compile check of the heap-free static models (tests/nn/firmware/check.sh builds it with
// arm-none-eabi-g++ -fno-exceptions -fno-rtti and fails if the object references malloc/free, operator
// new/delete or exception machinery). It is what a firmware author writes: the model types with
// FixedStorage (static sizes for LSTM/GRU), weights from a constant array in .nam order, no heap.
#include <nofold/nn/recurrent_model.hpp>
#include <nofold/nn/wavenet_static.hpp>

#include <type_traits>

static_assert(!nofold::simd::enabled, "Cortex-M has no SIMD unit xsimd supports: the scalar path must be chosen");

namespace {

namespace wn = nofold::nn::wavenet;
using Lstm = nofold::nn::LstmModel<1, 16, 1, 1>;
using Gru = nofold::nn::GruModel<1, 8, 1, 1>;
// A `static` object with a non-trivial destructor needs the C++ runtime's exit registration
// (__dso_handle), which a bare-metal image does not have.
static_assert(std::is_trivially_destructible_v<Lstm> && std::is_trivially_destructible_v<Gru>,
              "fixed-size recurrent models must be trivially destructible");

// Stand-ins for the arrays `nofold codegen` writes (constexpr float[] in the file's order).
template <std::size_t N>
struct Ramp {
    float values[N];
    constexpr Ramp() : values() {
        for (std::size_t i = 0; i < N; ++i) values[i] = 0.001f * static_cast<float>(i % 97) - 0.05f;
    }
};
constexpr Ramp<wn::fixed::Feather::weight_count()> feather_weights{};
constexpr Ramp<wn::fixed::Nano::weight_count()> nano_weights{};

wn::fixed::Feather feather;  // all weights, delay lines and scratch inside the object
wn::fixed::Nano nano;
Lstm lstm(1, 16, 1);
Gru gru(1, 8, 1);

}  // namespace

extern "C" int nofold_m7_setup() {
    const bool ok = feather.set_weights(feather_weights.values, wn::fixed::Feather::weight_count()).ok() &&
                    nano.set_weights(nano_weights.values, wn::fixed::Nano::weight_count()).ok();
    feather.prewarm();
    nano.prewarm();
    return ok ? 0 : 1;
}

extern "C" int nofold_m7_setup_recurrent(const float* lstm_weights, const float* gru_weights) {
    const bool ok = lstm.set_weights(lstm_weights, lstm.weight_count()).ok() && gru.set_weights(gru_weights, gru.weight_count()).ok();
    lstm.prewarm();
    gru.prewarm();
    return ok ? 0 : 1;
}

extern "C" void nofold_m7_process(const float* in, float* out, int n) {
    feather.process(in, out, n);
    nano.process(out, out, n);
    lstm.process(out, out, n);
    gru.process(out, out, n);
}
