// nofold::runtime — ConvNet: NAM's "ConvNet" model. Blocks of a kernel-2 dilated causal conv
// (in → channels), optional batchnorm folded into scale/offset at load time, activation; then a
// 1 × channels head with bias. Shares the conv kernels of nn/ (history gather + dense product).
// Units: samples at the running rate (dilations × integer rate factor). Latency: 0.
// Allocates: create() only. RT-safe: process, reset, prewarm, set_rate_factor.
// Reference: docs/model-formats.md §5.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../model.hpp"
#include "../nn/convnet_config.hpp"
#include "../nn/dense.hpp"
#include "../nn/detail/spec_activation.hpp"
#include "../nn/history.hpp"
#include "../nn/options.hpp"

namespace nofold::runtime {

class ConvNet final : public Model {
public:
    static std::unique_ptr<ConvNet> create(const nn::ConvNetConfig& config, const nn::Options& options, std::string& error) {
        error = nn::validate(config);
        if (!error.empty()) return nullptr;
        std::unique_ptr<ConvNet> m(new ConvNet());
        error = nn::detail::to_math_activation(config.activation, options.math, m->act_);
        if (!error.empty()) return nullptr;
        m->c_ = config.channels;
        m->batchnorm_ = config.batchnorm;
        m->max_rate_ = std::max(1.0, std::floor(options.max_rate_factor));
        for (std::size_t i = 0; i < config.dilations.size(); ++i) {
            Block b;
            b.in = i == 0 ? 1 : m->c_;
            b.d = config.dilations[i];
            b.w.assign(static_cast<std::size_t>(m->c_ * 2 * b.in), 0.0f);
            b.scale.assign(static_cast<std::size_t>(m->c_), 1.0f);
            b.offset.assign(static_cast<std::size_t>(m->c_), 0.0f);
            b.history = nn::History(b.in, b.d * static_cast<int>(m->max_rate_));
            m->blocks_.push_back(std::move(b));
        }
        m->head_w_.assign(static_cast<std::size_t>(m->c_), 0.0f);
        m->weights_ = nn::weight_count(config);
        const std::size_t rows = static_cast<std::size_t>(std::max(2 * m->c_, 1)) * chunk_frames;
        for (auto* b : {&m->a_, &m->b_, &m->cols_}) b->resize(rows);
        m->out_.resize(chunk_frames);
        return m;
    }
    std::string set_weights(const float* w, std::size_t count) {
        if (count != weights_) return "expected " + std::to_string(weights_) + " weights, got " + std::to_string(count);
        for (Block& b : blocks_) {
            for (int o = 0; o < c_; ++o)
                for (int i = 0; i < b.in; ++i)
                    for (int k = 0; k < 2; ++k) b.w[static_cast<std::size_t>(o * 2 * b.in + k * b.in + i)] = *w++;
            if (!batchnorm_) {
                for (int o = 0; o < c_; ++o) b.offset[static_cast<std::size_t>(o)] = *w++;
            } else {
                std::vector<double> mean(static_cast<std::size_t>(c_)), var(mean), g(mean), beta(mean);
                for (double& v : mean) v = *w++;
                for (double& v : var) v = *w++;
                for (double& v : g) v = *w++;
                for (double& v : beta) v = *w++;
                const double eps = *w++;
                for (std::size_t o = 0; o < mean.size(); ++o) {
                    const double s = g[o] / std::sqrt(var[o] + eps);
                    b.scale[o] = static_cast<float>(s);
                    b.offset[o] = static_cast<float>(beta[o] - mean[o] * s);
                }
            }
        }
        for (float& v : head_w_) v = *w++;
        head_b_ = *w++;
        reset();
        return {};
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override {
        using V = simd::float_batch;
        constexpr int lanes = simd::lanes<V>;
        const std::size_t L = chunk_frames;
        for (int done = 0; done < n;) {
            const int m = std::min(chunk_frames, n - done);
            const int nb = nn::batches_for<V>(m);
            const int padded = nb * lanes;
            float* x = a_.data();
            float* y = b_.data();
            for (int t = 0; t < m; ++t) x[t] = simd::sanitize(in[done + t]);
            std::fill(x + m, x + L, 0.0f);
            for (Block& b : blocks_) {
                for (int k = 0; k < 2; ++k)
                    for (int c = 0; c < b.in; ++c)
                        b.history.gather(c, x + static_cast<std::size_t>(c) * L, m, (1 - k) * b.d * rate_,
                                         cols_.data() + static_cast<std::size_t>(k * b.in + c) * L, padded);
                b.history.append(x, chunk_frames, m);
                nn::fill_rows<V>(nullptr, c_, y, chunk_frames, nb);
                nn::dense_accumulate<V>(b.w.data(), 2 * b.in, c_, 2 * b.in, cols_.data(), chunk_frames, y, chunk_frames, nb);
                for (int o = 0; o < c_; ++o) {
                    float* row = y + static_cast<std::size_t>(o) * L;
                    const V s(b.scale[static_cast<std::size_t>(o)]), off(b.offset[static_cast<std::size_t>(o)]);
                    for (int q = 0; q < nb; ++q) simd::store_aligned(row + q * lanes, simd::fma(simd::load_aligned<V>(row + q * lanes), s, off));
                    nn::detail::apply_row(act_, row, padded, o);
                }
                std::swap(x, y);
            }
            nn::fill_rows<V>(&head_b_, 1, out_.data(), chunk_frames, nb);
            nn::dense_accumulate<V>(head_w_.data(), c_, 1, c_, x, chunk_frames, out_.data(), chunk_frames, nb);
            std::copy(out_.data(), out_.data() + m, out + done);
            done += m;
        }
    }
    NOFOLD_REALTIME void reset() noexcept override {
        for (Block& b : blocks_) b.history.clear();
    }
    NOFOLD_REALTIME void prewarm() noexcept override {
        reset();
        float zeros[chunk_frames] = {};
        float sink[chunk_frames];
        for (int left = receptive_field(); left > 0; left -= chunk_frames) process(zeros, sink, std::min(left, chunk_frames));
    }
    int latency() const noexcept override { return 0; }
    int receptive_field() const noexcept override {
        int s = 1;
        for (const Block& b : blocks_) s += b.d * rate_;
        return s;
    }
    double flops_per_sample() const noexcept override {
        double f = 2.0 * c_;
        for (const Block& b : blocks_) f += 2.0 * c_ * 2 * b.in + 2.0 * c_;
        return f;
    }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double r) noexcept override {
        if (const RateFactorStatus s = check_integer_rate_factor(r, max_rate_); s != RateFactorStatus::ok) return s;
        rate_ = static_cast<int>(r);
        reset();
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept override { return rate_; }
    double max_rate_factor() const noexcept override { return max_rate_; }
    std::size_t memory_bytes() const noexcept override {
        std::size_t t = sizeof(*this) + a_.bytes() + b_.bytes() + cols_.bytes() + out_.bytes() + head_w_.capacity() * sizeof(float);
        for (const Block& b : blocks_) t += sizeof(Block) + (b.w.capacity() + 2 * b.scale.capacity()) * sizeof(float) + b.history.bytes();
        return t;
    }
    const char* implementation_name() const noexcept override { return "runtime ConvNet"; }

private:
    ConvNet() = default;
    struct Block {
        int in = 1, d = 1;
        std::vector<float> w, scale, offset;  // w: [out][k·in + i]
        nn::History history;
    };
    std::vector<Block> blocks_;
    math::Activation act_;
    int c_ = 1, rate_ = 1;
    bool batchnorm_ = false;
    double max_rate_ = 1;
    std::size_t weights_ = 0;
    std::vector<float> head_w_;
    float head_b_ = 0;
    nn::detail::AlignedBuffer a_, b_, cols_, out_;
};

}  // namespace nofold::runtime
