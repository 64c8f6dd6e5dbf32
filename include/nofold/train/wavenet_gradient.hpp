// nofold::train — WaveNetGradient<T>: a NAM WaveNet over one training frame, forward and reverse mode,
// with its parameters in the .nam file's own weight order (so a trained vector writes back as it is).
//
//     forward(params, x, n, y)      y = the model's output for x[0 … n) from a zero (reset) state,
//                                   keeping what the backward pass needs
//     backward(params, dy, grad)    grad += dL/dparams for that frame, given dL/dy
//     set_first_output(f)           outputs before f are not needed (a training frame's warm-up)
//
// With set_first_output(f), each layer runs only over the frames that some output from f on depends
// on: layer l from f minus the reach of everything after it (its skip path to the head, and the layers
// after it). The gradient is that of the loss over y[f …) exactly, and the warm-up's outputs, which no
// loss reads, cost nothing beyond the frames the kept ones depend on.
//
// Covers every feature of a layer array: rechannel; dilated convolution and input mixin (grouped or
// not); gating none, gated (act(top)·sec(bottom), math::gate) and blended (g·act(top) + (1 − g)·top,
// g = sec(bottom), math::blend) with per-layer primary and secondary activations (any with an entry in
// math/derivative.hpp, per-channel PReLU slopes included); bottleneck ≠ channels; layer 1×1 on or off
// (grouped); head 1×1 (grouped); the eight FiLM slots (layer1x1_post where the engine applies it, see
// nn::Layer1x1PostFilm); the skip sum; head rechannel with kernel, dilation and bias; chained arrays
// (x through the next rechannel, the head output as the next array's first skip); head_scale; the
// post-stack head; and condition_dsp — a nested WaveNet whose output channels are the condition. Its
// weights travel with it (they are not in the parameter vector), so it is run with them as constants:
// the gradient is that of the outer model's weights. Slimmable arrays and in_channels ≠ 1 are refused by
// create() with "not trainable yet: <key>", never given a wrong gradient.
//
// The forward pass is the inference engine's formula (runtime::WaveNet, rate factor 1) written in T for
// reverse mode; tests hold it to the engine's output and the gradient to central finite differences in
// double. The output y is the first output channel (what runtime::WaveNet::process writes).
// Template parameter: T (float or double). Units: samples. Allocates: create; forward when n grows.
// Reference: docs/model-formats.md §2 (WaveNet and its weight order), docs/training.md §3.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "../math/activation.hpp"
#include "../math/derivative.hpp"
#include "../math/gating.hpp"
#include "../nn/detail/spec_activation.hpp"
#include "../nn/model_config.hpp"
#include "../nn/options.hpp"
#include "../nn/wavenet_config.hpp"
#include "detail/conv.hpp"

namespace nofold::train {

template <class T>
class WaveNetGradient {
public:
    /// The trainable model for `config`, or null with `error` naming the first key it cannot train.
    /// `post_film` says where a layer1x1_post FiLM applies (as nn::Options::layer1x1_post_film).
    static std::unique_ptr<WaveNetGradient> create(const nn::WaveNetConfig& config, std::string& error,
                                                   nn::Layer1x1PostFilm post_film = nn::Layer1x1PostFilm::core) {
        return build(config, error, post_film, true);
    }

    /// Parameters (= .nam weights, head_scale last; a condition_dsp's weights are not among them).
    std::size_t parameter_count() const noexcept { return count_; }
    /// Samples before t = 0 that reach y[0]: receptive field − 1 (condition_dsp's included).
    int history() const noexcept { return history_; }

    /// y[t], t < n, for input x from a zero state; stores what backward() needs. y[t] = 0 for t below
    /// the first output (set_first_output).
    void forward(const T* params, const T* x, int n, T* y);
    /// grad[i] += dL/dparams[i] for the last forward(), given dy[t] = dL/dy[t] (read from the first
    /// output on: the loss must not depend on the outputs before it).
    void backward(const T* params, const T* dy, T* grad);
    /// Outputs before `first` are not needed by the loss: forward() skips the work only they need.
    void set_first_output(int first) noexcept { first_ = std::max(first, 0); }

private:
    struct Film {
        bool active = false, shift = false;
        int dim = 0, groups = 1;
        std::size_t w = 0, b = 0;  // offsets into the parameters
        std::vector<T> before, ss;  // the data before modulation (dim × n); scale then shift rows
    };
    struct Layer {
        int kernel = 1, dilation = 1;
        std::size_t from = 0;  // the first frame of this forward() whose outputs are computed
        nn::GatingMode gating = nn::GatingMode::none;
        std::vector<math::Activation> prim, sec;  // one per bottleneck row (per-channel PReLU slopes resolved)
        std::size_t conv = 0, bias = 0, mix = 0, l1 = 0, l1_bias = 0, h1 = 0, h1_bias = 0;
        bool l1_post = false;  // the layer1x1_post FiLM applies in this layer
        bool any_film = false;  // some FiLM slot is active: the layer runs every frame (plan_frames)
        Film films[nn::film_slot_count];
        std::vector<T> cin;  // conv input after the conv_pre FiLM (channels × n), when active
        std::vector<T> cu;   // condition after the input_mixin_pre FiLM (cond × n), when active
        std::vector<T> z;    // activation input (gate · bottleneck × n), when backward needs it (keep_z)
        bool keep_z = true;  // false: ungated, and every row's derivative comes from fz alone
        std::vector<T> fz;   // its activated values: primary (top rows), secondary (bottom rows)
        std::vector<T> o;    // layer output after activation_post (bottleneck × n), unless it is fz (output())
        Film& film(nn::FilmSlot s) noexcept { return films[static_cast<int>(s)]; }
        // ungated with no activation_post FiLM: the output is the activation's values themselves
        bool output_is_fz() const noexcept {
            return gating == nn::GatingMode::none && !films[static_cast<int>(nn::FilmSlot::activation_post)].active;
        }
        const T* output() const noexcept { return output_is_fz() ? fz.data() : o.data(); }
    };
    struct Array {
        int in = 1, channels = 1, bottleneck = 1, skip = 1, head_out = 1, head_kernel = 1, head_dilation = 1;
        int g_in = 1, g_mix = 1, g_l1 = 1, g_h1 = 1;
        bool head_bias = false, layer1x1 = true, head1x1 = false;
        std::size_t rechannel = 0, head = 0, head_b = 0;
        std::vector<Layer> layers;
        std::vector<T> xs;     // (layers + 1) × channels × n: x before each layer, then after the last
        std::vector<T> skips;  // skip × n: the summed skip at the head
        std::vector<T> out;    // head_out × n
        std::size_t in_from = 0, out_from = 0;  // the first frames of x0 and of out that are computed
    };
    struct Post {
        int in = 1, out = 1;
        std::size_t w = 0, b = 0;
        std::vector<T> x, a;  // input before and after the activation (in × n)
    };

    // `trainable` false: forward only (a condition_dsp), so activations need no derivative
    static std::unique_ptr<WaveNetGradient> build(const nn::WaveNetConfig& config, std::string& error,
                                                  nn::Layer1x1PostFilm post_film, bool trainable);
    void film_forward(Film& f, T* data, const T* p);
    void film_backward(Film& f, T* d, const T* p, T* g);
    void layer_forward(const Array& a, Layer& ly, const T* xl, T* xn, T* skip, const T* p);
    void layer_backward(const Array& a, Layer& ly, const T* xl, const T* p, T* g);
    void plan_frames(std::size_t first);

    std::vector<Array> arrays_;
    std::vector<Post> post_;
    math::Activation post_act_;
    std::unique_ptr<WaveNetGradient> nested_;  // condition_dsp
    std::vector<T> nested_params_, nested_y_;
    int cond_rows_ = 1, out_rows_ = 1;
    std::size_t count_ = 0;
    int history_ = 0;
    int n_ = 0;
    int first_ = 0;
    std::size_t from_ = 0;     // the first output of the last forward(): min(first_, n)
    const T* cond_ = nullptr;  // the condition of the last forward(): the input or nested_'s output
    std::vector<T> input_, final_;
    std::vector<T> m_, r_, h_, wcat_, z_;  // forward scratch
    std::vector<T> d_final_, d_post_, d_head_, d_skip_, d_x_, d_prev_x_, doa_, dz_, dm_, dr_, dh_, dcu_, dcin_, dss_;
};

// =================================================================================================
// Implementation
// =================================================================================================

template <class T>
std::unique_ptr<WaveNetGradient<T>> WaveNetGradient<T>::build(const nn::WaveNetConfig& config, std::string& error,
                                                              nn::Layer1x1PostFilm post_film, bool trainable) {
    using detail::sz;
    error = nn::validate(config);
    if (!error.empty()) return nullptr;
    const std::string tag = "not trainable yet: ";
    const auto refuse = [&](const std::string& key) {
        error = tag + key;
        return nullptr;
    };
    // an activation with a derivative for every row, else the refusal's key
    const auto resolve = [&](const nn::ActivationSpec& spec, int rows, std::vector<math::Activation>& out) -> std::string {
        math::Activation act;
        const std::string e = nn::detail::to_math_activation(spec, math::Accuracy::exact, act);
        if (!e.empty()) return "(" + e + ")";
        if (trainable && !math::has_derivative(act.kind)) return spec.name;
        out.clear();
        for (int r = 0; r < rows; ++r) out.push_back(detail::activation_for_row(act, r));
        return {};
    };
    if (config.in_channels != 1) return refuse("in_channels");
    std::unique_ptr<WaveNetGradient> m(new WaveNetGradient());
    if (config.condition_dsp) {
        const auto* nested = std::get_if<nn::WaveNetConfig>(&config.condition_dsp->config);
        if (!nested) return refuse("condition_dsp (not a WaveNet)");
        std::string e;
        m->nested_ = build(*nested, e, post_film, false);
        if (!m->nested_) {
            error = e.compare(0, tag.size(), tag) == 0 ? tag + "condition_dsp." + e.substr(tag.size()) : "condition_dsp: " + e;
            return nullptr;
        }
        const std::vector<float>& w = config.condition_dsp->weights;
        if (w.size() != m->nested_->count_) {
            error = "condition_dsp: expected " + std::to_string(m->nested_->count_) + " weights, got " + std::to_string(w.size());
            return nullptr;
        }
        m->nested_params_.assign(w.begin(), w.end());
        m->cond_rows_ = m->nested_->out_rows_;
        m->history_ = m->nested_->history_;
    }
    std::size_t at = 0;
    for (std::size_t i = 0; i < config.layers.size(); ++i) {
        const nn::LayerArrayConfig& c = config.layers[i];
        const std::string where = "layers[" + std::to_string(i) + "].";
        if (c.condition_size != m->cond_rows_) {
            error = "layers[" + std::to_string(i) + "]: condition_size must equal the condition's channels (" +
                    std::to_string(m->cond_rows_) + ")";
            return nullptr;
        }
        if (!c.allowed_channels.empty()) return refuse(where + "slimmable");
        Array a;
        a.in = c.input_size;
        a.channels = c.channels;
        a.bottleneck = c.bottleneck_size();
        a.skip = c.skip_size();
        a.head_out = c.head.out_channels;
        a.head_kernel = c.head.kernel_size;
        a.head_dilation = c.head.dilation;
        a.head_bias = c.head.bias;
        a.layer1x1 = c.layer1x1.active;
        a.head1x1 = c.head1x1.active;
        a.g_in = c.groups_input;
        a.g_mix = c.groups_input_mixin;
        a.g_l1 = c.layer1x1.groups;
        a.g_h1 = c.head1x1.groups;
        const int C = a.channels, B = a.bottleneck, D = m->cond_rows_;
        a.rechannel = at;
        at += sz(C) * sz(a.in);
        for (int l = 0; l < c.layer_count(); ++l) {
            Layer y;
            y.kernel = c.kernel_size(l);
            y.dilation = c.dilation(l);
            y.gating = c.gating(l);
            std::string e = resolve(c.activation(l), B, y.prim);
            if (!e.empty()) return refuse(where + "activation " + e);
            if (y.gating != nn::GatingMode::none) {
                e = resolve(c.secondary_activation(l), B, y.sec);
                if (!e.empty()) return refuse(where + "secondary_activation " + e);
            }
            const int gb = c.gate_factor(l) * B;
            y.conv = at;
            at += sz(gb) * sz(C / a.g_in) * sz(y.kernel);
            y.bias = at;
            at += sz(gb);
            y.mix = at;
            at += sz(gb) * sz(D / a.g_mix);
            if (a.layer1x1) {
                y.l1 = at;
                at += sz(C) * sz(B / a.g_l1);
                y.l1_bias = at;
                at += sz(C);
            }
            if (a.head1x1) {
                y.h1 = at;
                at += sz(a.skip) * sz(B / a.g_h1);
                y.h1_bias = at;
                at += sz(a.skip);
            }
            for (int s = 0; s < nn::film_slot_count; ++s) {
                const nn::FilmConfig& fc = c.films[sz(s)];
                Film& f = y.films[s];
                if (!fc.active) continue;
                f.active = true;
                f.shift = fc.shift;
                f.groups = fc.groups;
                f.dim = nn::film_dim(c, l, static_cast<nn::FilmSlot>(s));
                const int rows = (f.shift ? 2 : 1) * f.dim;
                f.w = at;
                at += sz(rows) * sz(D / f.groups);
                f.b = at;
                at += sz(rows);
            }
            y.keep_z = y.gating != nn::GatingMode::none ||
                       std::any_of(y.prim.begin(), y.prim.end(), [](const math::Activation& f) { return math::derivative_reads_x(f.kind); });
            y.any_film = std::any_of(std::begin(y.films), std::end(y.films), [](const Film& f) { return f.active; });
            y.l1_post = y.film(nn::FilmSlot::layer1x1_post).active &&
                        (post_film == nn::Layer1x1PostFilm::trainer || y.gating == nn::GatingMode::blended);
            m->history_ += (y.kernel - 1) * y.dilation;
            a.layers.push_back(std::move(y));
        }
        a.head = at;
        at += sz(a.head_out) * sz(a.skip) * sz(a.head_kernel);
        a.head_b = at;
        if (a.head_bias) at += sz(a.head_out);
        m->history_ += (a.head_kernel - 1) * a.head_dilation;
        m->arrays_.push_back(std::move(a));
    }
    m->out_rows_ = m->arrays_.back().head_out;
    if (config.head.active) {
        std::vector<math::Activation> act;
        const std::string e = resolve(config.head.activation, 1, act);
        if (!e.empty()) return refuse("head.activation " + e);
        math::Activation raw;
        nn::detail::to_math_activation(config.head.activation, math::Accuracy::exact, raw);
        if (!raw.channel_slopes.empty()) return refuse("head.activation (per-channel PReLU)");
        m->post_act_ = act.front();
        int in = m->out_rows_;
        for (int j = 0; j < config.head.num_layers; ++j) {
            Post h;
            h.in = in;
            h.out = j + 1 == config.head.num_layers ? config.head.out_channels : config.head.channels;
            h.w = at;
            at += sz(h.out) * sz(h.in);
            h.b = at;
            at += sz(h.out);
            in = h.out;
            m->post_.push_back(std::move(h));
        }
        m->out_rows_ = in;
    }
    m->count_ = at + 1;  // head_scale
    if (m->count_ != nn::weight_count(config)) {  // the offsets above must walk the file's order exactly
        error = "internal: weight count mismatch";
        return nullptr;
    }
    return m;
}

// From the last array back: each layer's first computed frame is the earliest any later consumer reads
// (the head through the skip sum, the next layer, the next array's rechannel and skip sum).
template <class T>
void WaveNetGradient<T>::plan_frames(std::size_t first) {
    const auto before = [](std::size_t t, int reach) { return t > detail::sz(reach) ? t - detail::sz(reach) : 0; };
    std::size_t out_from = first;  // the array's head output, from
    std::size_t x_from = detail::sz(n_);  // the array's last x, from (nothing reads the last array's)
    for (std::size_t ai = arrays_.size(); ai-- > 0;) {
        Array& a = arrays_[ai];
        a.out_from = out_from;
        const std::size_t skip_from = before(out_from, (a.head_kernel - 1) * a.head_dilation);
        for (std::size_t l = a.layers.size(); l-- > 0;) {
            Layer& ly = a.layers[l];
            ly.from = ly.any_film ? 0 : std::min(skip_from, x_from);  // (FiLM layers run whole)
            x_from = before(ly.from, (ly.kernel - 1) * ly.dilation);
        }
        a.in_from = x_from;     // the previous array's last x feeds this rechannel
        out_from = skip_from;   // and its head output starts this skip sum
    }
}

// data[r][t] = scale[r][t]·data[r][t] (+ shift[r][t]), [scale; shift] = W·cond + b.
template <class T>
void WaveNetGradient<T>::film_forward(Film& f, T* data, const T* p) {
    const std::size_t N = detail::sz(n_);
    const int rows = (f.shift ? 2 : 1) * f.dim;
    detail::fill_bias(f.ss, p + f.b, rows, N);
    detail::conv_add(p + f.w, rows, cond_rows_, 1, 1, f.groups, cond_, f.ss.data(), N);
    const std::size_t plane = detail::sz(f.dim) * N;
    f.before.assign(data, data + plane);
    for (std::size_t i = 0; i < plane; ++i) data[i] = f.ss[i] * data[i] + (f.shift ? f.ss[plane + i] : T(0));
}

// d: dL/d(modulated data) in, dL/d(data before) out; the FiLM's weights get their gradient (the
// condition is a constant: the input, or the frozen condition_dsp's output).
template <class T>
void WaveNetGradient<T>::film_backward(Film& f, T* d, const T* p, T* g) {
    const std::size_t N = detail::sz(n_);
    const int rows = (f.shift ? 2 : 1) * f.dim;
    const std::size_t plane = detail::sz(f.dim) * N;
    dss_.resize(detail::sz(rows) * N);
    for (std::size_t i = 0; i < plane; ++i) {
        dss_[i] = d[i] * f.before[i];
        if (f.shift) dss_[plane + i] = d[i];
        d[i] *= f.ss[i];
    }
    detail::bias_back(g + f.b, rows, dss_.data(), N);
    detail::conv_back(p + f.w, g + f.w, rows, cond_rows_, 1, 1, f.groups, cond_, dss_.data(), static_cast<T*>(nullptr), N);
}

template <class T>
void WaveNetGradient<T>::layer_forward(const Array& a, Layer& ly, const T* xl, T* xn, T* skip, const T* p) {
    using nn::FilmSlot;
    const std::size_t N = detail::sz(n_);
    const int C = a.channels, B = a.bottleneck, gb = (ly.gating == nn::GatingMode::none ? 1 : 2) * B;
    const std::size_t cplane = detail::sz(C) * N, bplane = detail::sz(B) * N, t0 = ly.from;
    const T* cin = xl;
    if (ly.film(FilmSlot::conv_pre).active) {
        ly.cin.assign(xl, xl + cplane);
        film_forward(ly.film(FilmSlot::conv_pre), ly.cin.data(), p);
        cin = ly.cin.data();
    }
    std::vector<T>& z = ly.keep_z ? ly.z : z_;  // (z_: one plane every such layer reuses)
    z.resize(detail::sz(gb) * N);
    const bool joined = a.g_in == 1 && a.g_mix == 1 && !ly.film(FilmSlot::conv_post).active &&
                        !ly.film(FilmSlot::input_mixin_pre).active && !ly.film(FilmSlot::input_mixin_post).active;
    if (joined) {  // conv and input mixin in one product (z written once)
        detail::conv_mix_set(p + ly.conv, p + ly.mix, p + ly.bias, gb, C, ly.kernel, ly.dilation, cin, cond_, cond_rows_,
                             z.data(), N, wcat_, t0);
    } else {
        detail::conv_set(p + ly.conv, p + ly.bias, gb, C, ly.kernel, ly.dilation, a.g_in, cin, z.data(), N, t0);
    }
    if (ly.film(FilmSlot::conv_post).active) film_forward(ly.film(FilmSlot::conv_post), z.data(), p);
    const T* cu = cond_;
    if (ly.film(FilmSlot::input_mixin_pre).active) {
        ly.cu.assign(cond_, cond_ + detail::sz(cond_rows_) * N);
        film_forward(ly.film(FilmSlot::input_mixin_pre), ly.cu.data(), p);
        cu = ly.cu.data();
    }
    if (ly.film(FilmSlot::input_mixin_post).active) {
        detail::fill_bias(m_, static_cast<const T*>(nullptr), gb, N);
        detail::conv_add(p + ly.mix, gb, cond_rows_, 1, 1, a.g_mix, cu, m_.data(), N);
        film_forward(ly.film(FilmSlot::input_mixin_post), m_.data(), p);
        for (std::size_t i = 0; i < z.size(); ++i) z[i] += m_[i];
    } else if (!joined) {
        detail::conv_add(p + ly.mix, gb, cond_rows_, 1, 1, a.g_mix, cu, z.data(), N, static_cast<const T*>(nullptr), t0);
    }
    if (ly.film(FilmSlot::activation_pre).active) film_forward(ly.film(FilmSlot::activation_pre), z.data(), p);
    // fz = the activations' values (primary on the top rows, secondary on the bottom ones), kept for backward
    ly.fz.resize(z.size());
    for (int r = 0; r < B; ++r) {
        const std::size_t top = detail::sz(r) * N + t0, bottom = detail::sz(B + r) * N + t0;
        detail::activate(ly.prim[detail::sz(r)], z.data() + top, ly.fz.data() + top, N - t0);
        if (ly.gating != nn::GatingMode::none) detail::activate(ly.sec[detail::sz(r)], z.data() + bottom, ly.fz.data() + bottom, N - t0);
    }
    if (!ly.output_is_fz()) {
        ly.o.resize(bplane);
        const T* v = ly.fz.data();
        const T* g = v + bplane;  // the gate rows (gated, blended)
        const T* zt = z.data();
        T* out = ly.o.data();
        switch (ly.gating) {
            case nn::GatingMode::none: std::copy(v, v + bplane, out); break;  // (activation_post FiLM'd below: t0 = 0)
            case nn::GatingMode::gated: detail::each_frame(B, N, t0, [&](std::size_t i) { out[i] = math::gate(v[i], g[i]); }); break;
            default:
                detail::each_frame(B, N, t0, [&](std::size_t i) { out[i] = g[i] * v[i] + (T(1) - g[i]) * zt[i]; });
                break;
        }
    }
    if (ly.film(FilmSlot::activation_post).active) film_forward(ly.film(FilmSlot::activation_post), ly.o.data(), p);
    const T* o = ly.output();
    if (a.head1x1 && !ly.film(FilmSlot::head1x1_post).active) {
        detail::add_bias(skip, skip, p + ly.h1_bias, a.skip, N, t0);
        detail::conv_add(p + ly.h1, a.skip, B, 1, 1, a.g_h1, o, skip, N, static_cast<const T*>(nullptr), t0);
    } else if (a.head1x1) {
        detail::fill_bias(h_, p + ly.h1_bias, a.skip, N);
        detail::conv_add(p + ly.h1, a.skip, B, 1, 1, a.g_h1, o, h_.data(), N);
        film_forward(ly.film(FilmSlot::head1x1_post), h_.data(), p);
        for (std::size_t i = 0; i < h_.size(); ++i) skip[i] += h_[i];
    } else {
        detail::each_frame(B, N, t0, [&](std::size_t i) { skip[i] += o[i]; });
    }
    if (a.layer1x1 && !ly.l1_post) {
        detail::residual_1x1(p + ly.l1, p + ly.l1_bias, C, B, a.g_l1, o, xl, xn, N, t0);
    } else if (a.layer1x1) {
        detail::fill_bias(r_, p + ly.l1_bias, C, N);
        detail::conv_add(p + ly.l1, C, B, 1, 1, a.g_l1, o, r_.data(), N);
        film_forward(ly.film(FilmSlot::layer1x1_post), r_.data(), p);
        for (std::size_t i = 0; i < cplane; ++i) xn[i] = xl[i] + r_[i];
    } else {
        detail::each_frame(C, N, t0, [&](std::size_t i) { xn[i] = xl[i] + o[i]; });  // bottleneck == channels
    }
}

// On entry d_x_ = dL/d(x after the layer) and d_skip_ = dL/d(skip sum); on exit d_x_ = dL/d(x before it).
template <class T>
void WaveNetGradient<T>::layer_backward(const Array& a, Layer& ly, const T* xl, const T* p, T* g) {
    using nn::FilmSlot;
    const std::size_t N = detail::sz(n_);
    const int C = a.channels, B = a.bottleneck, gb = (ly.gating == nn::GatingMode::none ? 1 : 2) * B;
    const std::size_t cplane = detail::sz(C) * N, bplane = detail::sz(B) * N, t0 = ly.from;
    const T* o = ly.output();
    // doa = dL/do: the skip's share first (a copy, when the skip sum takes o itself), then the 1×1s'
    if (a.head1x1)
        doa_.assign(bplane, T(0));
    else
        doa_.assign(d_skip_.begin(), d_skip_.begin() + static_cast<std::ptrdiff_t>(bplane));
    // x' = x + r, r = b1 + L1·o (or x' = x + o): dx passes on unchanged, do gets L1ᵀ dr
    if (a.layer1x1) {
        const T* dr = d_x_.data();
        if (ly.l1_post) {
            dr_.assign(d_x_.begin(), d_x_.end());
            film_backward(ly.film(FilmSlot::layer1x1_post), dr_.data(), p, g);
            dr = dr_.data();
        }
        detail::bias_back(g + ly.l1_bias, C, dr, N, t0);
        detail::conv_back(p + ly.l1, g + ly.l1, C, B, 1, 1, a.g_l1, o, dr, doa_.data(), N, t0);
    } else {
        for (std::size_t i = 0; i < cplane; ++i) doa_[i] += d_x_[i];
    }
    // skip += h, h = bh + H1·o (or skip += o)
    if (a.head1x1) {
        const T* dh = d_skip_.data();
        if (ly.film(FilmSlot::head1x1_post).active) {
            dh_.assign(d_skip_.begin(), d_skip_.end());
            film_backward(ly.film(FilmSlot::head1x1_post), dh_.data(), p, g);
            dh = dh_.data();
        }
        detail::bias_back(g + ly.h1_bias, a.skip, dh, N, t0);
        detail::conv_back(p + ly.h1, g + ly.h1, a.skip, B, 1, 1, a.g_h1, o, dh, doa_.data(), N, t0);
    }
    if (ly.film(FilmSlot::activation_post).active) film_backward(ly.film(FilmSlot::activation_post), doa_.data(), p, g);
    // the activation: none o = f(a); gated o = f(a)·s(b); blended o = s(b)·f(a) + (1 − s(b))·a
    // dz first holds f'(a) (top rows) and s'(b) (bottom rows), then the chain rule in place
    dz_.resize(detail::sz(gb) * N);
    for (int r = 0; r < B; ++r) {
        const std::size_t top = detail::sz(r) * N + t0, bottom = detail::sz(B + r) * N + t0;
        const bool plain = ly.gating == nn::GatingMode::none;  // then dz = dL/do · f'(a) in one pass
        const T* zr = ly.keep_z ? ly.z.data() + top : ly.fz.data() + top;  // (not read when !keep_z)
        math::derivative<T>(ly.prim[detail::sz(r)], zr, ly.fz.data() + top, dz_.data() + top, N - t0,
                            plain ? doa_.data() + top : nullptr);
        if (ly.gating != nn::GatingMode::none)
            math::derivative<T>(ly.sec[detail::sz(r)], ly.z.data() + bottom, ly.fz.data() + bottom, dz_.data() + bottom, N - t0);
    }
    {
        const T* d = doa_.data();
        const T* zt = ly.z.data();
        const T* v = ly.fz.data();
        const T* gv = v + bplane;
        T* dt = dz_.data();
        T* db = dt + bplane;
        switch (ly.gating) {
            case nn::GatingMode::none: break;  // (done above)
            case nn::GatingMode::gated:
                detail::each_frame(B, N, t0, [&](std::size_t i) {
                    dt[i] = d[i] * gv[i] * dt[i];
                    db[i] = d[i] * v[i] * db[i];
                });
                break;
            default:
                detail::each_frame(B, N, t0, [&](std::size_t i) {
                    dt[i] = d[i] * (gv[i] * dt[i] + T(1) - gv[i]);
                    db[i] = d[i] * (v[i] - zt[i]) * db[i];
                });
                break;
        }
    }
    if (ly.film(FilmSlot::activation_pre).active) film_backward(ly.film(FilmSlot::activation_pre), dz_.data(), p, g);
    // z = conv + m: the mixin m = M·cu (FiLM'd after when input_mixin_post), cu = cond (FiLM'd when input_mixin_pre)
    const bool mix_pre = ly.film(FilmSlot::input_mixin_pre).active;
    const T* cu = mix_pre ? ly.cu.data() : cond_;
    if (mix_pre) dcu_.assign(detail::sz(cond_rows_) * N, T(0));
    T* dcu = mix_pre ? dcu_.data() : nullptr;
    if (ly.film(FilmSlot::input_mixin_post).active) {
        dm_.assign(dz_.begin(), dz_.end());
        film_backward(ly.film(FilmSlot::input_mixin_post), dm_.data(), p, g);
        detail::conv_back(p + ly.mix, g + ly.mix, gb, cond_rows_, 1, 1, a.g_mix, cu, dm_.data(), dcu, N);
    } else {
        detail::conv_back(p + ly.mix, g + ly.mix, gb, cond_rows_, 1, 1, a.g_mix, cu, dz_.data(), dcu, N, t0);
    }
    if (mix_pre) film_backward(ly.film(FilmSlot::input_mixin_pre), dcu_.data(), p, g);  // its weights' share only
    // conv = b + Σ_k W_k cin[t − off_k] (FiLM'd after when conv_post), cin = x (FiLM'd when conv_pre)
    if (ly.film(FilmSlot::conv_post).active) film_backward(ly.film(FilmSlot::conv_post), dz_.data(), p, g);
    detail::bias_back(g + ly.bias, gb, dz_.data(), N, t0);
    if (ly.film(FilmSlot::conv_pre).active) {
        dcin_.assign(cplane, T(0));
        detail::conv_back(p + ly.conv, g + ly.conv, gb, C, ly.kernel, ly.dilation, a.g_in, ly.cin.data(), dz_.data(), dcin_.data(), N);
        film_backward(ly.film(FilmSlot::conv_pre), dcin_.data(), p, g);
        for (std::size_t i = 0; i < cplane; ++i) d_x_[i] += dcin_[i];
    } else {
        detail::conv_back(p + ly.conv, g + ly.conv, gb, C, ly.kernel, ly.dilation, a.g_in, xl, dz_.data(), d_x_.data(), N, t0);
    }
}

template <class T>
void WaveNetGradient<T>::forward(const T* p, const T* x, int n, T* y) {
    using detail::sz;
    n_ = n;
    const std::size_t N = sz(n);
    from_ = std::min(sz(first_), N);
    plan_frames(from_);
    input_.assign(x, x + n);
    cond_ = input_.data();
    if (nested_) {
        nested_y_.resize(N);
        nested_->forward(nested_params_.data(), x, n, nested_y_.data());
        cond_ = nested_->final_.data();
    }
    const T* in = input_.data();
    const std::vector<T>* prev_out = nullptr;
    for (Array& a : arrays_) {
        const std::size_t plane = sz(a.channels) * N;
        a.xs.resize((a.layers.size() + 1) * plane);  // each layer writes the next plane whole
        std::fill(a.xs.begin(), a.xs.begin() + static_cast<std::ptrdiff_t>(plane), T(0));
        a.skips.assign(sz(a.skip) * N, T(0));
        detail::conv_add(p + a.rechannel, a.channels, a.in, 1, 1, 1, in, a.xs.data(), N, static_cast<const T*>(nullptr),
                         a.in_from);  // no bias
        if (prev_out) std::copy(prev_out->begin(), prev_out->end(), a.skips.begin());
        for (std::size_t l = 0; l < a.layers.size(); ++l)
            layer_forward(a, a.layers[l], a.xs.data() + l * plane, a.xs.data() + (l + 1) * plane, a.skips.data(), p);
        // head rechannel over the skip sum
        detail::fill_bias(a.out, a.head_bias ? p + a.head_b : nullptr, a.head_out, N);
        detail::conv_add(p + a.head, a.head_out, a.skip, a.head_kernel, a.head_dilation, 1, a.skips.data(), a.out.data(), N,
                         static_cast<const T*>(nullptr), a.out_from);
        in = a.xs.data() + a.layers.size() * plane;
        prev_out = &a.out;
    }
    // head_scale, then the post-stack head: x_j → act → W_j·act(x_j) + b_j
    const T scale = p[count_ - 1];
    std::vector<T>& head = post_.empty() ? final_ : post_.front().x;
    head.assign(prev_out->size(), T(0));
    detail::each_frame(arrays_.back().head_out, N, from_, [&](std::size_t i) { head[i] = scale * (*prev_out)[i]; });
    for (std::size_t j = 0; j < post_.size(); ++j) {
        Post& h = post_[j];
        h.a.assign(h.x.size(), T(0));
        post_act_.visit([&](const auto& f) { detail::each_frame(h.in, N, from_, [&](std::size_t i) { h.a[i] = static_cast<T>(f(h.x[i])); }); });
        std::vector<T>& next = j + 1 == post_.size() ? final_ : post_[j + 1].x;
        detail::fill_bias(next, p + h.b, h.out, N);
        detail::conv_add(p + h.w, h.out, h.in, 1, 1, 1, h.a.data(), next.data(), N, static_cast<const T*>(nullptr), from_);
    }
    std::fill(y, y + from_, T(0));
    std::copy(final_.begin() + static_cast<std::ptrdiff_t>(from_), final_.begin() + n, y + from_);
}

template <class T>
void WaveNetGradient<T>::backward(const T* p, const T* dy, T* g) {
    using detail::sz;
    const std::size_t N = sz(n_);
    d_final_.assign(sz(out_rows_) * N, T(0));
    std::copy(dy + from_, dy + n_, d_final_.begin() + static_cast<std::ptrdiff_t>(from_));
    for (std::size_t j = post_.size(); j-- > 0;) {
        Post& h = post_[j];
        detail::bias_back(g + h.b, h.out, d_final_.data(), N, from_);
        d_post_.assign(h.a.size(), T(0));
        detail::conv_back(p + h.w, g + h.w, h.out, h.in, 1, 1, 1, h.a.data(), d_final_.data(), d_post_.data(), N, from_);
        detail::each_frame(h.in, N, from_, [&](std::size_t i) { d_post_[i] *= math::derivative<T>(post_act_, h.x[i], h.a[i]); });
        d_final_.swap(d_post_);
    }
    // d_final_ = dL/d(head_scale · last head output)
    const T scale = p[count_ - 1];
    const std::vector<T>& last = arrays_.back().out;
    d_head_.assign(last.size(), T(0));
    T gs = 0;
    detail::each_frame(arrays_.back().head_out, N, from_, [&](std::size_t i) {
        gs += last[i] * d_final_[i];
        d_head_[i] = scale * d_final_[i];
    });
    g[count_ - 1] += gs;
    d_prev_x_.clear();  // dL/d(x after the last layer) of the array being processed (empty: zero)
    for (std::size_t ai = arrays_.size(); ai-- > 0;) {
        Array& a = arrays_[ai];
        const std::size_t plane = sz(a.channels) * N;
        const std::size_t L = a.layers.size();
        d_skip_.assign(sz(a.skip) * N, T(0));
        if (a.head_bias) detail::bias_back(g + a.head_b, a.head_out, d_head_.data(), N, a.out_from);
        detail::conv_back(p + a.head, g + a.head, a.head_out, a.skip, a.head_kernel, a.head_dilation, 1, a.skips.data(),
                          d_head_.data(), d_skip_.data(), N, a.out_from);
        d_x_.assign(plane, T(0));
        if (!d_prev_x_.empty()) std::copy(d_prev_x_.begin(), d_prev_x_.end(), d_x_.begin());
        for (std::size_t l = L; l-- > 0;) layer_backward(a, a.layers[l], a.xs.data() + l * plane, p, g);
        // rechannel: x0 = R · in, in = the input (array 0) or the previous array's last x
        if (ai > 0) {
            const Array& prev = arrays_[ai - 1];
            const std::size_t prev_plane = sz(prev.channels) * N;
            d_prev_x_.assign(prev_plane, T(0));
            detail::conv_back(p + a.rechannel, g + a.rechannel, a.channels, a.in, 1, 1, 1,
                              prev.xs.data() + prev.layers.size() * prev_plane, d_x_.data(), d_prev_x_.data(), N, a.in_from);
            // the skip sum started from the previous array's head output: its gradient is dL/dskip
            d_head_.assign(d_skip_.begin(), d_skip_.end());
        } else {
            detail::conv_back(p + a.rechannel, g + a.rechannel, a.channels, a.in, 1, 1, 1, input_.data(), d_x_.data(),
                              static_cast<T*>(nullptr), N, a.in_from);
        }
    }
}

}  // namespace nofold::train
