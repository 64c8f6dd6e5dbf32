// nofold::Processor — what a plugin embeds: a model with gain staging from its file's metadata, an
// optional DC blocker, and a real-time-safe model swap with a crossfade.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>

#include "config.hpp"
#include "dsp/dc_blocker.hpp"
#include "model.hpp"
#include "simd/ops.hpp"

namespace nofold {

/// What a model file says about itself that matters for playing it (NaN = the file does not say).
/// Units: sample rate in Hz, levels in dBu, loudness in dB (NAM's `metadata.loudness`).
struct ModelInfo {
    double sample_rate_hz = std::numeric_limits<double>::quiet_NaN();
    double input_level_dbu = std::numeric_limits<double>::quiet_NaN();
    double output_level_dbu = std::numeric_limits<double>::quiet_NaN();
    double loudness_db = std::numeric_limits<double>::quiet_NaN();
};

enum class DcBlock { off, on };
enum class Loudness { as_is, normalize };

/// Host-side settings. Units in the names; NaN calibration levels mean "not calibrated".
struct ProcessorSettings {
    double sample_rate_hz = 48000.0;
    /// dBu at the host's input that reads as 0 dBFS; with the model's input_level_dbu this sets the
    /// input gain so the model sees the level it was captured at.
    double host_input_level_dbu = std::numeric_limits<double>::quiet_NaN();
    /// dBu at the host's output for 0 dBFS; with the model's output_level_dbu it restores the captured level.
    double host_output_level_dbu = std::numeric_limits<double>::quiet_NaN();
    /// normalize: output gain = target_loudness_db − the model's loudness (when the file gives it).
    Loudness loudness = Loudness::as_is;
    double target_loudness_db = -18.0;
    double input_trim_db = 0.0;
    double output_trim_db = 0.0;
    DcBlock dc_block = DcBlock::on;
    double dc_cutoff_hz = 10.0;
    /// Length of the crossfade when a new model takes over.
    double crossfade_ms = 20.0;
};

/// Outcome of Processor::submit.
enum class SubmitStatus {
    accepted,             ///< the audio thread will take the model over at its next block
    busy,                 ///< a previous model is still being handed over or collected: try again later
    sample_rate_mismatch  ///< the model's rate differs from the host's: wrap it in a rate adapter first
};

/// Gains, in dB, that the processor applies for a model (exposed so hosts can show them).
struct StageGains {
    double input_db = 0.0;
    double output_db = 0.0;
};

/// Runs one mono model for a host. Swapping models is real-time safe: a loader thread calls
/// submit() (which prewarms the new model there), the audio thread picks it up at a block boundary
/// without allocating or locking, runs old and new side by side for the crossfade, then retires the
/// old one, which a non-audio thread frees with collect_retired().
/// Before the first model arrives the output is silence; the first model starts at full level at
/// the block where it is taken over (so an offline render equals the model's own output).
/// Units: samples at the host rate. Latency: latency() = the active model's latency.
/// Allocates: submit (the hand-over slot) and the constructor; process, reset and the queries never.
/// Threads (README "Processor threading contract"): process/reset on the audio thread, one call at a
/// time; submit/collect_retired on one other thread, one call at a time (overlapping calls trip
/// NOFOLD_ASSERT in debug builds); the queries latency, has_model, crossfading, crossfade_samples and
/// gains_for from any thread at any time: they read atomics the audio thread publishes, never a model.
/// Samples: every sample the models, the crossfade and the DC blocker receive obeys simd::sanitize
/// (NaN/inf read as 0), so the output is always finite and one bad sample never mutes the stream.
class Processor {
public:
    explicit Processor(const ProcessorSettings& settings = {}) noexcept;
    ~Processor();
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    /// Loader thread: prewarm `model` and queue it for the audio thread. Takes ownership only when
    /// accepted (otherwise `model` is left untouched).
    SubmitStatus submit(std::unique_ptr<Model>& model, const ModelInfo& info = {});
    /// Non-audio thread: free models the audio thread has finished with. Returns how many.
    int collect_retired() noexcept;

    /// Audio thread, any n ≥ 0, in == out allowed.
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept;
    /// Audio thread: reset the active model's state and the DC blocker; finishes a pending crossfade.
    NOFOLD_REALTIME void reset() noexcept;

    /// Any thread: the active model's latency as of the audio thread's last block (0 before the first).
    int latency() const noexcept { return latency_.load(std::memory_order_relaxed); }
    /// Any thread: whether the audio thread has taken a model over.
    bool has_model() const noexcept { return has_model_.load(std::memory_order_relaxed); }
    /// Any thread: whether a crossfade to a new model is under way.
    bool crossfading() const noexcept { return crossfading_.load(std::memory_order_relaxed); }
    /// Any thread (fixed at construction).
    int crossfade_samples() const noexcept { return fade_samples_; }
    /// The gains applied for a model with this info under these settings.
    static StageGains gains_for(const ProcessorSettings& settings, const ModelInfo& info) noexcept;

private:
    struct Slot {
        std::unique_ptr<Model> model;
        float input_gain = 1.0f;
        float output_gain = 1.0f;
    };
    void run_slot(Slot* slot, const float* in, float* out, int n) noexcept;
    void publish() noexcept;
    // Debug check of the one-caller-at-a-time rule for one side (audio or loader).
    struct CallGuard {
        explicit CallGuard(std::atomic<bool>& busy) noexcept : busy_(busy) {
            const bool was = busy_.exchange(true, std::memory_order_acquire);
            NOFOLD_ASSERT(!was && "nofold::Processor: two threads called the same side at once");
            (void)was;
        }
        ~CallGuard() { busy_.store(false, std::memory_order_release); }
        CallGuard(const CallGuard&) = delete;
        CallGuard& operator=(const CallGuard&) = delete;
        std::atomic<bool>& busy_;
    };

    ProcessorSettings settings_;
    dsp::DcBlocker dc_;
    int fade_samples_ = 1;

    // Audio-thread state.
    Slot* active_ = nullptr;
    Slot* incoming_ = nullptr;
    int fade_position_ = 0;

    // Hand-over between threads: one slot each way, so neither side ever waits.
    std::atomic<Slot*> pending_{nullptr};
    std::atomic<Slot*> retired_{nullptr};
    static_assert(std::atomic<Slot*>::is_always_lock_free, "the model hand-over must be lock-free");

    // What other threads may read (published by the audio thread at every state change).
    std::atomic<int> latency_{0};
    std::atomic<bool> has_model_{false};
    std::atomic<bool> crossfading_{false};
    std::atomic<bool> audio_busy_{false};
    std::atomic<bool> loader_busy_{false};
};

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

inline Processor::Processor(const ProcessorSettings& settings) noexcept
    : settings_(settings), dc_(settings.dc_cutoff_hz, settings.sample_rate_hz) {
    fade_samples_ = std::max(1, static_cast<int>(std::lround(settings.crossfade_ms * 1e-3 * settings.sample_rate_hz)));
}

inline Processor::~Processor() {
    delete pending_.exchange(nullptr);
    delete retired_.exchange(nullptr);
    delete incoming_;
    delete active_;
}

inline StageGains Processor::gains_for(const ProcessorSettings& s, const ModelInfo& info) noexcept {
    StageGains g;
    g.input_db = s.input_trim_db;
    g.output_db = s.output_trim_db;
    if (std::isfinite(s.host_input_level_dbu) && std::isfinite(info.input_level_dbu))
        g.input_db += s.host_input_level_dbu - info.input_level_dbu;
    if (std::isfinite(s.host_output_level_dbu) && std::isfinite(info.output_level_dbu))
        g.output_db += info.output_level_dbu - s.host_output_level_dbu;
    if (s.loudness == Loudness::normalize && std::isfinite(info.loudness_db))
        g.output_db += s.target_loudness_db - info.loudness_db;
    return g;
}

inline SubmitStatus Processor::submit(std::unique_ptr<Model>& model, const ModelInfo& info) {
    if (std::isfinite(info.sample_rate_hz) && std::fabs(info.sample_rate_hz - settings_.sample_rate_hz) > 1e-6)
        return SubmitStatus::sample_rate_mismatch;
    NOFOLD_ASSERT(model != nullptr);
    const CallGuard guard(loader_busy_);
    if (pending_.load(std::memory_order_acquire) != nullptr) return SubmitStatus::busy;
    const StageGains g = gains_for(settings_, info);
    auto slot = std::make_unique<Slot>();
    slot->input_gain = static_cast<float>(std::pow(10.0, g.input_db / 20.0));
    slot->output_gain = static_cast<float>(std::pow(10.0, g.output_db / 20.0));
    model->prewarm();
    slot->model = std::move(model);
    pending_.store(slot.release(), std::memory_order_release);
    return SubmitStatus::accepted;
}

inline int Processor::collect_retired() noexcept {
    const CallGuard guard(loader_busy_);
    Slot* old = retired_.exchange(nullptr, std::memory_order_acq_rel);
    delete old;
    return old ? 1 : 0;
}

inline void Processor::run_slot(Slot* slot, const float* in, float* out, int n) noexcept {
    if (!slot) {
        std::fill(out, out + n, 0.0f);
        return;
    }
    for (int i = 0; i < n; ++i) out[i] = simd::sanitize(in[i]) * slot->input_gain;
    slot->model->process(out, out, n);
    // Extreme weights or gains can make a model's output non-finite: caught here, before the
    // crossfade and the DC blocker keep it.
    for (int i = 0; i < n; ++i) out[i] = simd::sanitize(out[i] * slot->output_gain);
}

inline void Processor::publish() noexcept {
    latency_.store(active_ ? active_->model->latency() : 0, std::memory_order_relaxed);
    has_model_.store(active_ != nullptr, std::memory_order_relaxed);
    crossfading_.store(incoming_ != nullptr, std::memory_order_relaxed);
}

inline void Processor::process(const float* in, float* out, int n) noexcept {
    const CallGuard guard(audio_busy_);
    // Take over a pending model only when the previous retiree has been collected, so the retired_
    // slot is always free when the crossfade ends.
    if (!incoming_ && retired_.load(std::memory_order_acquire) == nullptr) {
        if (Slot* next = pending_.exchange(nullptr, std::memory_order_acq_rel)) {
            if (active_) {
                incoming_ = next;
                fade_position_ = 0;
            } else {
                active_ = next;  // nothing to fade from: the first model starts at once
            }
            publish();
        }
    }
    float old_out[chunk_frames];
    float new_out[chunk_frames];
    for (int done = 0; done < n;) {
        const int m = std::min(chunk_frames, n - done);
        run_slot(active_, in + done, old_out, m);
        if (incoming_) {
            run_slot(incoming_, in + done, new_out, m);
            const float step = 1.0f / static_cast<float>(fade_samples_);
            for (int i = 0; i < m; ++i) {
                const float g = std::min(1.0f, static_cast<float>(fade_position_ + i + 1) * step);
                old_out[i] += g * (new_out[i] - old_out[i]);
            }
            fade_position_ += m;
            if (fade_position_ >= fade_samples_) {
                if (active_) retired_.store(active_, std::memory_order_release);
                active_ = incoming_;
                incoming_ = nullptr;
                publish();
            }
        }
        if (settings_.dc_block == DcBlock::on) {
            dc_.process(old_out, out + done, m);
        } else {
            std::copy(old_out, old_out + m, out + done);
        }
        done += m;
    }
}

inline void Processor::reset() noexcept {
    const CallGuard guard(audio_busy_);
    if (incoming_) {
        if (active_) retired_.store(active_, std::memory_order_release);
        active_ = incoming_;
        incoming_ = nullptr;
    }
    if (active_) active_->model->reset();
    dc_.reset();
    publish();
}

}  // namespace nofold
