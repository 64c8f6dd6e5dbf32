// nofold::nn — MathMode: which activation accuracy tier a runtime model uses.
//
// exact: every activation in the catalogue's math::Exact tier (tanh, sigmoid within 4 ULP); the LSTM/GRU
//        gates compute σ(x) = ½ + ½·tanh(x/2) from rows stored halved (abs error ≤ 1.5e-7).
// fast:  the math::Fast tier (tanh, sigmoid, SiLU: max abs error ≤ 2e-6, cheaper); others exact.
// nam:   NeuralAmpModelerCore's fast-tanh compatibility: WaveNet Tanh → math::Fasttanh; the LSTM/GRU
//        gates in math::NamCompat (Fasttanh, sigmoid(x) = ½·(fasttanh(x/2) + 1)); WaveNet Sigmoid
//        and everything else exact. Only for parity with Core's "fast" renders; never a silent default.
// Units: none. Latency: none. Allocates: never.
// Reference: docs/model-formats.md §2.8 (Fasttanh).
#pragma once

namespace nofold::nn {

enum class MathMode { exact, fast, nam };

}  // namespace nofold::nn
