// `nofold make-demo-model OUT.nam`: writes nofold's own demo amp, a WaveNet in genuine `.nam` format
// (the "feather" preset shape) whose weights are constructed by hand, not trained or random.
//
// Signal path, in the terms of the .nam WaveNet (see the README's "Demo amp" section):
//   array 1 (8 channels, dilations 1…64): the rechannel puts the input on residual channel 0.
//     layer d=1: pre-emphasis 1 − 0.5·z⁻¹ (conv taps), gain 3, tanh          → residual channel 1
//     layer d=2: gain 4 with a 0.4 bias (asymmetric, even harmonics), tanh,
//                the bias's DC removed by the 1×1's bias                        → residual channel 2
//     layer d=4: gain 3, tanh                                                   → residual channel 3, skip row 2
//     other layers: all-zero weights, so tanh(0) = 0 and the residual passes unchanged.
//     head (8 → 4): skip row 2 (the third stage) → head channel 0.
//   array 2 (4 channels): rechannel takes residual channel 3 of array 1 (the driven signal).
//     layers d=1, 2, 4 are the cabinet: binomial low-pass taps (1, 2, 1)/4 at each dilation, run through
//     tanh at a tiny scale (ε = 0.02, where tanh is linear to −60 dB) and scaled back by the 1×1; their
//     product has nulls at fs/2, fs/4 and fs/8 (a −3 dB corner near 2.4 kHz at 48 kHz).
//     head (4 → 1, bias): the cabinet output row, scaled so the output peaks near −6 dBFS.
// Deterministic: same bytes on every run and machine (weights are decimal literals of the formulas).
#include <cmath>
#include <fstream>

#include <nofold/io/atomic_file.hpp>

#include "command.hpp"

namespace nofold::cli {
namespace {

constexpr int kernel = 3;
constexpr double cabinet_scale = 0.02;  // ε: tanh(εx)/ε = x(1 − ε²x²/3 …), linear to about −60 dB
constexpr double head_scale = 0.02;     // the preset's value; the head weights compensate for it
constexpr double output_gain = 0.5;     // third stage saturates near ±1; output peaks near −6 dBFS

// One layer array's weights in file order, built from named pieces.
class ArrayWeights {
public:
    ArrayWeights(int input_size, int channels, int head_size, bool head_bias, int layers)
        : in_(input_size), c_(channels), head_bias_(head_bias),
          rechannel_(static_cast<std::size_t>(channels * input_size), 0.0),
          layers_(static_cast<std::size_t>(layers)),
          head_weights_(static_cast<std::size_t>(head_size * channels), 0.0),
          head_biases_(static_cast<std::size_t>(head_size), 0.0) {
        for (auto& l : layers_) {
            l.conv.assign(static_cast<std::size_t>(c_ * c_ * kernel), 0.0);
            l.conv_bias.assign(static_cast<std::size_t>(c_), 0.0);
            l.mixin.assign(static_cast<std::size_t>(c_), 0.0);
            l.mix.assign(static_cast<std::size_t>(c_ * c_), 0.0);
            l.mix_bias.assign(static_cast<std::size_t>(c_), 0.0);
        }
    }
    /// residual[out] = Σ w·input[in]
    void rechannel(int out, int in, double w) { rechannel_[static_cast<std::size_t>(out * in_ + in)] = w; }
    /// conv row `out` reads residual channel `in`; tap 0 is the oldest sample, tap 2 the newest.
    void conv(int layer, int out, int in, int tap, double w) {
        layers_[static_cast<std::size_t>(layer)].conv[static_cast<std::size_t>((out * c_ + in) * kernel + tap)] = w;
    }
    void conv_bias(int layer, int out, double b) { layers_[static_cast<std::size_t>(layer)].conv_bias[static_cast<std::size_t>(out)] = b; }
    /// residual[out] += w·activation[in] (the layer's 1×1)
    void mix(int layer, int out, int in, double w) {
        layers_[static_cast<std::size_t>(layer)].mix[static_cast<std::size_t>(out * c_ + in)] = w;
    }
    void mix_bias(int layer, int out, double b) { layers_[static_cast<std::size_t>(layer)].mix_bias[static_cast<std::size_t>(out)] = b; }
    void head(int out, int in, double w) { head_weights_[static_cast<std::size_t>(out * c_ + in)] = w; }

    void append_to(std::vector<double>& weights) const {
        weights.insert(weights.end(), rechannel_.begin(), rechannel_.end());
        for (const auto& l : layers_) {
            for (const auto* part : {&l.conv, &l.conv_bias, &l.mixin, &l.mix, &l.mix_bias})
                weights.insert(weights.end(), part->begin(), part->end());
        }
        weights.insert(weights.end(), head_weights_.begin(), head_weights_.end());
        if (head_bias_) weights.insert(weights.end(), head_biases_.begin(), head_biases_.end());
    }

private:
    struct Layer {
        std::vector<double> conv, conv_bias, mixin, mix, mix_bias;
    };
    int in_, c_;
    bool head_bias_;
    std::vector<double> rechannel_;
    std::vector<Layer> layers_;
    std::vector<double> head_weights_, head_biases_;
};

Json array_config(int input_size, int channels, int head_size, bool head_bias, const std::vector<int>& dilations) {
    Json a;
    a["input_size"] = input_size;
    a["condition_size"] = 1;
    a["channels"] = channels;
    a["head_size"] = head_size;
    a["kernel_size"] = kernel;
    a["dilations"] = dilations;
    a["activation"] = "Tanh";
    a["gated"] = false;
    a["head_bias"] = head_bias;
    return a;
}

}  // namespace

/// The demo model as a .nam JSON document.
Json demo_model() {
    const std::vector<int> dilations1 = {1, 2, 4, 8, 16, 32, 64};
    const std::vector<int> dilations2 = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

    ArrayWeights drive(1, 8, 4, false, static_cast<int>(dilations1.size()));
    drive.rechannel(0, 0, 1.0);
    // Stage 1 (d = 1): 3·(x[t] − 0.5·x[t−1]) through tanh, into residual channel 1.
    drive.conv(0, 0, 0, 2, 3.0);
    drive.conv(0, 0, 0, 1, -1.5);
    drive.mix(0, 1, 0, 1.0);
    // Stage 2 (d = 2): tanh(4·s1 + 0.4) − tanh(0.4): asymmetric, DC-free at rest, into channel 2.
    drive.conv(1, 1, 1, 2, 4.0);
    drive.conv_bias(1, 1, 0.4);
    drive.mix(1, 2, 1, 1.0);
    drive.mix_bias(1, 2, -std::tanh(0.4));
    // Stage 3 (d = 4): tanh(3·s2) into channel 3; its skip row (2) feeds the head.
    drive.conv(2, 2, 2, 2, 3.0);
    drive.mix(2, 3, 2, 1.0);
    drive.head(0, 2, 1.0);

    ArrayWeights cabinet(8, 4, 1, true, static_cast<int>(dilations2.size()));
    cabinet.rechannel(0, 3, 1.0);
    // Layers 3, 4, 5 have dilations 1, 2, 4: binomial (1, 2, 1)/4 sections in cascade on channels 0→1→2→3.
    for (int section = 0; section < 3; ++section) {
        const int layer = 3 + section;
        const int from = section;
        const int row = section + 1;
        cabinet.conv(layer, row, from, 0, 0.25 * cabinet_scale);
        cabinet.conv(layer, row, from, 1, 0.50 * cabinet_scale);
        cabinet.conv(layer, row, from, 2, 0.25 * cabinet_scale);
        cabinet.mix(layer, row, row, 1.0 / cabinet_scale);
    }
    // Skip row 3 holds ε·(cabinet output); undo ε and head_scale, and set the level.
    cabinet.head(0, 3, output_gain / (cabinet_scale * head_scale));

    std::vector<double> weights;
    drive.append_to(weights);
    cabinet.append_to(weights);
    weights.push_back(head_scale);

    Json model;
    model["version"] = "0.5.4";
    model["metadata"] = {{"name", "nofold demo drive"},
                         {"modeled_by", "nofold make-demo-model (weights constructed analytically)"},
                         {"gear_type", "amp"},
                         {"tone_type", "overdrive"},
                         {"loudness", nullptr},
                         {"input_level_dbu", nullptr},
                         {"output_level_dbu", nullptr}};
    model["architecture"] = "WaveNet";
    model["config"] = {{"layers", {array_config(1, 8, 4, false, dilations1), array_config(8, 4, 1, true, dilations2)}},
                       {"head", nullptr},
                       {"head_scale", head_scale}};
    model["weights"] = weights;
    model["sample_rate"] = 48000;
    return model;
}

namespace {

std::function<void()> add_make_demo_model(CLI::App& app) {
    auto path = std::make_shared<std::string>();
    app.add_option("output", *path, "where to write the .nam file")->required();
    return [path] {
        nofold::io::write_file_atomically(*path, demo_model().dump() + "\n");
    };
}


}  // namespace

Command make_demo_model_command() { return {"make-demo-model", "write nofold's analytically constructed demo amp (.nam)", add_make_demo_model}; }

}  // namespace nofold::cli
