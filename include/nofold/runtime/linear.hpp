// nofold::runtime — Linear: NAM's "Linear" model, an FIR filter `y[t] = b + Σ_j w[j]·x[t − j·L]`
// (w[0] multiplies the current sample; L = rate factor, integer).
// Units: samples at the running rate. Latency: 0. Allocates: create() only.
// RT-safe: process, reset, prewarm, set_rate_factor. Reference: docs/model-formats.md §4.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "../model.hpp"
#include "../nn/dense.hpp"
#include "../nn/history.hpp"
#include "../nn/linear_config.hpp"
#include "../nn/options.hpp"

namespace nofold::runtime {

class Linear final : public Model {
public:
    static std::unique_ptr<Linear> create(const nn::LinearConfig& config, const nn::Options& options, std::string& error) {
        error = nn::validate(config);
        if (!error.empty()) return nullptr;
        std::unique_ptr<Linear> m(new Linear());
        m->taps_ = config.receptive_field;
        m->bias_ = config.bias;
        m->max_rate_ = std::max(1.0, std::floor(options.max_rate_factor));
        m->w_.assign(static_cast<std::size_t>(m->taps_), 0.0f);
        m->history_ = nn::History(1, (m->taps_ - 1) * static_cast<int>(m->max_rate_));
        m->cols_.resize(static_cast<std::size_t>(m->taps_ * chunk_frames));
        m->in_.resize(chunk_frames);
        m->out_.resize(chunk_frames);
        return m;
    }
    /// Taps then bias (if any). Empty string on success.
    std::string set_weights(const float* w, std::size_t count) {
        const std::size_t want = static_cast<std::size_t>(taps_) + (bias_ ? 1u : 0u);
        if (count != want) return "expected " + std::to_string(want) + " weights, got " + std::to_string(count);
        // stored oldest tap first (column k multiplies x[t − (taps−1−k)·L]), as the conv kernels expect
        for (int j = 0; j < taps_; ++j) w_[static_cast<std::size_t>(taps_ - 1 - j)] = w[j];
        b_ = bias_ ? w[taps_] : 0.0f;
        reset();
        return {};
    }

    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override {
        using V = simd::float_batch;
        for (int done = 0; done < n;) {
            const int m = std::min(chunk_frames, n - done);
            const int nb = nn::batches_for<V>(m);
            const int padded = nb * simd::lanes<V>;
            float* x = in_.data();
            for (int t = 0; t < m; ++t) x[t] = simd::sanitize(in[done + t]);
            for (int k = 0; k < taps_; ++k)
                history_.gather(0, x, m, (taps_ - 1 - k) * rate_, cols_.data() + k * chunk_frames, padded);
            history_.append(x, chunk_frames, m);
            nn::fill_rows<V>(&b_, 1, out_.data(), chunk_frames, nb);
            nn::dense_accumulate<V>(w_.data(), taps_, 1, taps_, cols_.data(), chunk_frames, out_.data(), chunk_frames, nb);
            std::copy(out_.data(), out_.data() + m, out + done);
            done += m;
        }
    }
    NOFOLD_REALTIME void reset() noexcept override { history_.clear(); }
    NOFOLD_REALTIME void prewarm() noexcept override { reset(); }
    int latency() const noexcept override { return 0; }
    int receptive_field() const noexcept override { return (taps_ - 1) * rate_ + 1; }
    double flops_per_sample() const noexcept override { return 2.0 * taps_; }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double r) noexcept override {
        if (const RateFactorStatus s = check_integer_rate_factor(r, max_rate_); s != RateFactorStatus::ok) return s;
        rate_ = static_cast<int>(r);
        reset();
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept override { return rate_; }
    double max_rate_factor() const noexcept override { return max_rate_; }
    std::size_t memory_bytes() const noexcept override {
        return sizeof(*this) + w_.capacity() * sizeof(float) + history_.bytes() + cols_.bytes() + in_.bytes() + out_.bytes();
    }
    const char* implementation_name() const noexcept override { return "runtime Linear"; }

private:
    Linear() = default;
    int taps_ = 1, rate_ = 1;
    bool bias_ = false;
    double max_rate_ = 1;
    float b_ = 0;
    std::vector<float> w_;
    nn::History history_;
    nn::detail::AlignedBuffer cols_, in_, out_;
};

}  // namespace nofold::runtime
