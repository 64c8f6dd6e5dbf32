// nofold::nn — MathMode: which activation accuracy tier a runtime model uses.
//
// exact: every activation at full float accuracy (tanh, sigmoid within a few ULP).
// fast:  nofold's fast tier for tanh-like activations (documented error bound, cheaper).
// nam:   NeuralAmpModelerCore's fast-tanh compatibility: WaveNet Tanh → Fasttanh; the LSTM's tanh
//        and sigmoid through Fasttanh (sigmoid(x) = 0.5·(fasttanh(x/2) + 1)); WaveNet Sigmoid stays
//        exact. Only for parity with Core's "fast" renders; never a silent default.
// Units: none. Latency: none. Allocates: never.
// Reference: ../shared/specs/model-formats.md §1.1 (Fasttanh).
#pragma once

namespace nofold::nn {

enum class MathMode { exact, fast, nam };

}  // namespace nofold::nn
