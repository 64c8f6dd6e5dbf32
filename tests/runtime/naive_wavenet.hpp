// Test support: a deliberately naive double-precision WaveNet written straight from
// docs/model-formats.md §2. Whole signals are kept in memory ([channel][time], zero
// before time 0); every conv is a loop over the formula y[t] = b + Σ_k W_k · x[t − (K−1−k)·d] with
// grouped weights indexed as stored ([out][in/groups][k]); nothing is shared with the library except
// the plain config structs.
#pragma once

#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <nofold/nn/model_config.hpp>

namespace naive {

using Signal = std::vector<std::vector<double>>;  // [channel][time]

inline double act(const nofold::nn::ActivationSpec& s, double x, int row, bool nam_fast) {
    const std::string& n = s.name;
    const auto& p = s.params;
    if (n == "Tanh" || n == "Fasttanh") {
        if (n == "Fasttanh" || nam_fast) {
            const double a = std::fabs(x), x2 = x * x;
            return x * (2.45550750702956 + 2.45550750702956 * a + (0.893229853513558 + 0.821226666969744 * a) * x2) /
                   (2.44506634652299 + (2.44506634652299 + x2) * std::fabs(x + 0.814642734961073 * x * a));
        }
        return std::tanh(x);
    }
    if (n == "Hardtanh") return x < -1 ? -1 : (x > 1 ? 1 : x);
    if (n == "ReLU") return x > 0 ? x : 0;
    if (n == "LeakyReLU") return x > 0 ? x : (p.empty() ? 0.01 : p[0]) * x;
    if (n == "PReLU") {
        const double s0 = p.empty() ? 0.01 : (p.size() == 1 ? p[0] : p[static_cast<std::size_t>(row)]);
        return x > 0 ? x : s0 * x;
    }
    if (n == "Sigmoid" || n.empty()) return 1.0 / (1.0 + std::exp(-x));
    if (n == "SiLU") return x / (1.0 + std::exp(-x));
    if (n == "Hardswish") return x * std::min(6.0, std::max(0.0, x + 3)) / 6.0;
    if (n == "Softsign") return x / (1 + std::fabs(x));
    if (n == "LeakyHardtanh" || n == "LeakyHardTanh") {
        const double lo = p.size() > 0 ? p[0] : -1, hi = p.size() > 1 ? p[1] : 1;
        const double sl = p.size() > 2 ? p[2] : 0.01, sh = p.size() > 3 ? p[3] : 0.01;
        return x < lo ? lo + sl * (x - lo) : (x > hi ? hi + sh * (x - hi) : x);
    }
    throw std::runtime_error("naive: unknown activation " + n);
}

struct Reader {
    const std::vector<float>& w;
    std::size_t i = 0;
    double next() { return static_cast<double>(w.at(i++)); }
};

// Reads a conv [out][in/groups][k] (+ bias) and applies it to x (in channels, first `in_used` used;
// output rows beyond `out_used` are computed but may be ignored by the caller).
inline Signal conv(Reader& r, const Signal& x, int in, int out, int k, int d, int groups, bool bias, int in_used = -1) {
    const std::size_t T = x.empty() ? 0 : x[0].size();
    if (in_used < 0) in_used = in;
    const int in_g = in / groups, out_g = out / groups;
    std::vector<double> W(static_cast<std::size_t>(out * in_g * k));
    for (double& v : W) v = r.next();
    std::vector<double> b(static_cast<std::size_t>(out), 0.0);
    if (bias)
        for (double& v : b) v = r.next();
    Signal y(static_cast<std::size_t>(out), std::vector<double>(T, 0.0));
    for (int o = 0; o < out; ++o)
        for (std::size_t t = 0; t < T; ++t) {
            double acc = b[static_cast<std::size_t>(o)];
            for (int j = 0; j < in_g; ++j) {
                const int c = (o / out_g) * in_g + j;
                if (c >= in_used) continue;
                for (int q = 0; q < k; ++q) {
                    const long src = static_cast<long>(t) - static_cast<long>((k - 1 - q) * d);
                    if (src < 0) continue;
                    acc += W[static_cast<std::size_t>((o * in_g + j) * k + q)] * x[static_cast<std::size_t>(c)][static_cast<std::size_t>(src)];
                }
            }
            y[static_cast<std::size_t>(o)][t] = acc;
        }
    return y;
}

struct Options {
    int rate = 1;            // dilations × rate
    bool nam_fast = false;   // Tanh → Fasttanh
    bool core_film_quirk = true;
    double slim = -1;        // slimmable size; < 0 = full width
};

Signal wavenet(const nofold::nn::WaveNetConfig& cfg, const std::vector<float>& weights, const Signal& input,
               const Options& opt);

inline Signal film(Reader& r, const Signal& cond, int cond_size, const nofold::nn::FilmConfig& f, int dim, Signal x) {
    const int rows = (f.shift ? 2 : 1) * dim;
    Signal ss = conv(r, cond, cond_size, rows, 1, 1, f.groups, true);
    for (int c = 0; c < dim; ++c)
        for (std::size_t t = 0; t < x[0].size(); ++t) {
            double v = x[static_cast<std::size_t>(c)][t] * ss[static_cast<std::size_t>(c)][t];
            if (f.shift) v += ss[static_cast<std::size_t>(dim + c)][t];
            x[static_cast<std::size_t>(c)][t] = v;
        }
    return x;
}

inline Signal wavenet(const nofold::nn::WaveNetConfig& cfg, const std::vector<float>& weights, const Signal& input,
                      const Options& opt) {
    using nofold::nn::FilmSlot;
    using nofold::nn::GatingMode;
    const std::size_t T = input[0].size();
    Signal cond = input;
    if (cfg.condition_dsp) {
        const auto& nested = std::get<nofold::nn::WaveNetConfig>(cfg.condition_dsp->config);
        cond = wavenet(nested, cfg.condition_dsp->weights, input, opt);
    }
    Reader r{weights};
    Signal layer_in = input;
    Signal head_prev;
    for (const auto& a : cfg.layers) {
        int C = a.channels;
        if (!a.allowed_channels.empty() && opt.slim >= 0) {
            const int n = static_cast<int>(a.allowed_channels.size());
            C = a.allowed_channels[static_cast<std::size_t>(std::min(static_cast<int>(std::floor(opt.slim * n)), n - 1))];
        }
        const bool slim = C != a.channels;
        const int B = a.bottleneck_size();
        Signal x = conv(r, layer_in, a.input_size, a.channels, 1, 1, 1, false, static_cast<int>(layer_in.size()));
        Signal skip = head_prev.empty() ? Signal(static_cast<std::size_t>(a.skip_size()), std::vector<double>(T, 0.0)) : head_prev;
        auto zero_rows_from = [](Signal& s, int from) {
            for (std::size_t c = static_cast<std::size_t>(from); c < s.size(); ++c) std::fill(s[c].begin(), s[c].end(), 0.0);
        };
        if (slim) zero_rows_from(x, C);
        for (int l = 0; l < a.layer_count(); ++l) {
            const int G = a.gate_factor(l);
            const auto& F = a.films;
            auto fa = [&](FilmSlot s) -> const nofold::nn::FilmConfig& { return F[static_cast<std::size_t>(s)]; };
            const int K = a.kernel_size(l), d = a.dilation(l) * opt.rate;
            // weight order: conv, mixin, layer1x1, head1x1, FiLMs — but FiLMs are applied in the middle,
            // so read the layer's weights into sub-readers by position first.
            const std::size_t start = r.i;
            Reader rc{weights, start};
            // skip over conv/mixin/1x1s to find the FiLM weights' start
            std::size_t film_start = start + static_cast<std::size_t>(G * B * (a.channels / a.groups_input) * K + G * B) +
                                     static_cast<std::size_t>(G * B * (a.condition_size / a.groups_input_mixin));
            if (a.layer1x1.active) film_start += static_cast<std::size_t>(a.channels * (B / a.layer1x1.groups) + a.channels);
            if (a.head1x1.active)
                film_start += static_cast<std::size_t>(a.head1x1.out_channels * (B / a.head1x1.groups) + a.head1x1.out_channels);
            std::size_t film_pos[8];
            std::size_t p = film_start;
            for (int s = 0; s < 8; ++s) {
                film_pos[s] = p;
                const auto& f = F[static_cast<std::size_t>(s)];
                if (f.active) {
                    const int rows = (f.shift ? 2 : 1) * nofold::nn::film_dim(a, l, static_cast<FilmSlot>(s));
                    p += static_cast<std::size_t>(rows * (a.condition_size / f.groups) + rows);
                }
            }
            auto apply_film = [&](FilmSlot s, const Signal& v, int dim) {
                Reader rf{weights, film_pos[static_cast<int>(s)]};
                return film(rf, cond, a.condition_size, fa(s), dim, v);
            };
            Signal xin = fa(FilmSlot::conv_pre).active ? apply_film(FilmSlot::conv_pre, x, a.channels) : x;
            Signal z = conv(rc, xin, a.channels, G * B, K, d, a.groups_input, true, C);
            if (fa(FilmSlot::conv_post).active) z = apply_film(FilmSlot::conv_post, z, G * B);
            Signal cu = fa(FilmSlot::input_mixin_pre).active ? apply_film(FilmSlot::input_mixin_pre, cond, a.condition_size) : cond;
            Signal m = conv(rc, cu, a.condition_size, G * B, 1, 1, a.groups_input_mixin, false);
            if (fa(FilmSlot::input_mixin_post).active) m = apply_film(FilmSlot::input_mixin_post, m, G * B);
            for (int c = 0; c < G * B; ++c)
                for (std::size_t t = 0; t < T; ++t) z[static_cast<std::size_t>(c)][t] += m[static_cast<std::size_t>(c)][t];
            if (fa(FilmSlot::activation_pre).active) z = apply_film(FilmSlot::activation_pre, z, G * B);
            Signal out(static_cast<std::size_t>(B), std::vector<double>(T, 0.0));
            const auto prim = a.activation(l), sec = a.secondary_activation(l);
            for (int c = 0; c < B; ++c)
                for (std::size_t t = 0; t < T; ++t) {
                    const double top = z[static_cast<std::size_t>(c)][t];
                    const GatingMode g = a.gating(l);
                    if (g == GatingMode::none) {
                        out[static_cast<std::size_t>(c)][t] = act(prim, top, c, opt.nam_fast);
                    } else {
                        const double bot = act(sec, z[static_cast<std::size_t>(B + c)][t], c, false);
                        const double pr = act(prim, top, c, opt.nam_fast);
                        out[static_cast<std::size_t>(c)][t] = g == GatingMode::gated ? pr * bot : bot * pr + (1 - bot) * top;
                    }
                }
            if (slim) zero_rows_from(out, C);
            if (fa(FilmSlot::activation_post).active) out = apply_film(FilmSlot::activation_post, out, B);
            Signal res = out;
            if (a.layer1x1.active) {
                // input: all B rows of the activation output (slimmed arrays, where B = channels: the
                // first C). Reading only the first C rows was this model's bug when B > C (wavenet_a2_max).
                res = conv(rc, out, B, a.channels, 1, 1, a.layer1x1.groups, true, slim ? C : B);
                const bool apply = fa(FilmSlot::layer1x1_post).active &&
                                   (!opt.core_film_quirk || a.gating(l) == GatingMode::blended);
                if (apply) res = apply_film(FilmSlot::layer1x1_post, res, a.channels);
            }
            Signal sk = out;
            if (a.head1x1.active) {
                sk = conv(rc, out, B, a.head1x1.out_channels, 1, 1, a.head1x1.groups, true);
                if (fa(FilmSlot::head1x1_post).active) sk = apply_film(FilmSlot::head1x1_post, sk, a.head1x1.out_channels);
            }
            for (std::size_t c = 0; c < skip.size(); ++c)
                for (std::size_t t = 0; t < T; ++t) skip[c][t] += sk[c][t];
            for (int c = 0; c < a.channels; ++c)
                for (std::size_t t = 0; t < T; ++t) x[static_cast<std::size_t>(c)][t] += res[static_cast<std::size_t>(c)][t];
            if (slim) zero_rows_from(x, C);
            r.i = p;
        }
        head_prev = conv(r, skip, a.skip_size(), a.head.out_channels, a.head.kernel_size, a.head.dilation * opt.rate, 1,
                         a.head.bias, slim ? C : a.skip_size());
        layer_in = x;
        layer_in.resize(static_cast<std::size_t>(a.channels));
    }
    // post-stack head weights come before head_scale
    Signal h = head_prev;
    Signal outs = h;
    const double scale = static_cast<double>(weights.back());
    for (auto& row : outs)
        for (double& v : row) v *= scale;
    if (cfg.head.active) {
        int in = static_cast<int>(outs.size());
        for (int j = 0; j < cfg.head.num_layers; ++j) {
            for (auto& row : outs)
                for (std::size_t t = 0; t < T; ++t) row[t] = act(cfg.head.activation, row[t], 0, opt.nam_fast);
            const int out = j + 1 == cfg.head.num_layers ? cfg.head.out_channels : cfg.head.channels;
            outs = conv(r, outs, in, out, 1, 1, 1, true);
            in = out;
        }
    }
    if (r.i + 1 != weights.size()) throw std::runtime_error("naive: weight count mismatch");
    return outs;
}

}  // namespace naive
