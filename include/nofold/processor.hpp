// nofold::Processor — what a plugin embeds: a model with gain staging from its file's metadata, an
// optional cab impulse response after it, an optional DC blocker, and real-time-safe swaps of the
// model and of the impulse response, each with a crossfade.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <memory>

#include "config.hpp"
#include "dsp/convolver.hpp"
#include "dsp/dc_blocker.hpp"
#include "model.hpp"
#include "nn/knobs.hpp"
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
    /// Planar channels of process_channels, 1 … max_channels. Above 1 the model must keep a state per
    /// channel over shared weights (Model::set_channels; LSTM, GRU and WaveNet do), else submit refuses it.
    int channels = 1;
};

/// Outcome of Processor::submit.
enum class SubmitStatus {
    accepted,             ///< the audio thread will take the model over at its next block
    busy,                 ///< a previous model is still being handed over or collected: try again later
    sample_rate_mismatch,  ///< the model's rate differs from the host's: wrap it in a rate adapter first
    channels_unsupported   ///< settings.channels > 1 but the model cannot hold that many states
                           ///< (use one mono Processor per channel), or a response per channel is missing
};

/// Gains, in dB, that the processor applies for a model (exposed so hosts can show them).
struct StageGains {
    double input_db = 0.0;
    double output_db = 0.0;
};

/// Most channels a Processor runs (ProcessorSettings::channels).
inline constexpr int max_channels = 8;

namespace detail {

/// Hand-over of heap objects (Slot) from one loader thread to the audio thread, and the crossfade
/// from the active slot to the incoming one. The audio thread takes a pending slot over at a block
/// boundary, only when the previous retiree has been collected (so the retired_ slot is always free
/// when a crossfade ends); a non-audio thread frees retirees with collect().
/// Allocates: never (slots are made by the caller). RT-safe: take_over, run, finish.
template <class Slot>
class Handover {
public:
    Handover() = default;
    Handover(const Handover&) = delete;
    Handover& operator=(const Handover&) = delete;
    ~Handover() {
        delete pending_.exchange(nullptr);
        delete retired_.exchange(nullptr);
        delete incoming_;
        delete active_;
    }

    /// Loader thread: queue `slot`; false (and nothing taken) while a previous one is pending.
    bool offer(Slot* slot) noexcept {
        if (pending_.load(std::memory_order_acquire) != nullptr) return false;
        pending_.store(slot, std::memory_order_release);
        return true;
    }
    bool busy() const noexcept { return pending_.load(std::memory_order_acquire) != nullptr; }
    int collect() noexcept {
        Slot* old = retired_.exchange(nullptr, std::memory_order_acq_rel);
        delete old;
        return old ? 1 : 0;
    }
    /// Audio thread, start of a block. With nothing active the new slot starts at once.
    void take_over() noexcept {
        if (incoming_ || retired_.load(std::memory_order_acquire) != nullptr) return;
        if (Slot* next = pending_.exchange(nullptr, std::memory_order_acq_rel)) {
            if (active_) {
                incoming_ = next;
                fade_position_ = 0;
            } else {
                active_ = next;
            }
        }
    }
    /// Audio thread: out[c] = run(active) for m ≤ chunk_frames samples of `channels` ≤ max_channels
    /// channels, crossfaded linearly over fade_samples towards run(incoming) while one is coming in.
    /// run(slot, in, out, channels, m) gets nullptr when no slot is active.
    template <class Run>
    void run(const float* const* in, float* const* out, int channels, int m, int fade_samples, Run&& run_slot) noexcept {
        run_slot(active_, in, out, channels, m);
        if (!incoming_) return;
        float next[max_channels][chunk_frames];
        float* next_ptr[max_channels];
        for (int c = 0; c < channels; ++c) next_ptr[c] = next[c];
        run_slot(incoming_, in, next_ptr, channels, m);
        const float step = 1.0f / static_cast<float>(fade_samples);
        for (int c = 0; c < channels; ++c)
            for (int i = 0; i < m; ++i) {
                const float g = std::min(1.0f, static_cast<float>(fade_position_ + i + 1) * step);
                out[c][i] += g * (next[c][i] - out[c][i]);
            }
        fade_position_ += m;
        if (fade_position_ >= fade_samples) finish();
    }
    /// Audio thread: end a crossfade at once (the incoming slot becomes the active one).
    void finish() noexcept {
        if (!incoming_) return;
        if (active_) retired_.store(active_, std::memory_order_release);
        active_ = incoming_;
        incoming_ = nullptr;
    }
    Slot* active() const noexcept { return active_; }
    Slot* incoming() const noexcept { return incoming_; }
    bool crossfading() const noexcept { return incoming_ != nullptr; }

private:
    Slot* active_ = nullptr;
    Slot* incoming_ = nullptr;
    int fade_position_ = 0;
    // One slot each way, so neither side ever waits.
    std::atomic<Slot*> pending_{nullptr};
    std::atomic<Slot*> retired_{nullptr};
    static_assert(std::atomic<Slot*>::is_always_lock_free, "the hand-over must be lock-free");
};

}  // namespace detail

/// Runs one mono model for a host, then (optionally) a cab impulse response. Swapping models is real-time safe: a loader thread calls
/// submit() (which prewarms the new model there), the audio thread picks it up at a block boundary
/// without allocating or locking, runs old and new side by side for the crossfade, then retires the
/// old one, which a non-audio thread frees with collect_retired().
/// Before the first model arrives the output is silence; the first model starts at full level at
/// the block where it is taken over (so an offline render equals the model's own output).
/// The impulse response (a dsp::Convolver built at the host rate, e.g. from
/// io::load_impulse_response) is handed over the same way with submit_impulse_response; submitting
/// nullptr fades back to no response. The chain is input gain → model → output gain → impulse
/// response → DC blocker.
/// Units: samples at the host rate. Latency: latency() = the active model's latency plus the active
/// convolver's (0 in its zero-latency mode).
/// Allocates: submit and submit_impulse_response (the hand-over slot) and the constructor; process,
/// reset and the queries never.
/// Threads (README "Processor threading contract"): process/process_channels/reset on the audio thread,
/// one call at a time; submit/submit_impulse_response(s)/collect_retired on one other thread, one call
/// at a time (overlapping calls trip NOFOLD_ASSERT in debug builds); the queries latency, has_model,
/// has_impulse_response, crossfading, crossfade_samples and gains_for from any thread at any time: they
/// read atomics the audio thread publishes, never a model.
/// Samples: every sample the models, the crossfades, the response and the DC blocker receive obeys
/// simd::sanitize (NaN/inf read as 0), so the output is always finite and one bad sample never mutes
/// the stream.
class Processor {
public:
    explicit Processor(const ProcessorSettings& settings = {}) noexcept;
    ~Processor();
    Processor(const Processor&) = delete;
    Processor& operator=(const Processor&) = delete;

    /// Loader thread: prewarm `model` and queue it for the audio thread. Takes ownership only when
    /// accepted (otherwise `model` is left untouched).
    SubmitStatus submit(std::unique_ptr<Model>& model, const ModelInfo& info = {});
    /// Loader thread: queue a convolver (nullptr = remove the response) to follow the model. Takes
    /// ownership only when accepted; busy while a previous one is still being handed over.
    SubmitStatus submit_impulse_response(std::unique_ptr<dsp::Convolver>& convolver);
    /// The same for settings.channels channels: one convolver each (`count` must equal the channel
    /// count; all null = remove). Takes ownership of all only when accepted.
    SubmitStatus submit_impulse_responses(std::unique_ptr<dsp::Convolver>* convolvers, int count);
    /// Non-audio thread: free models and convolvers the audio thread has finished with. Returns how many.
    int collect_retired() noexcept;

    /// Audio thread, any n ≥ 0, in == out allowed. With settings.channels > 1 this runs channel 0 only
    /// (use process_channels).
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept { process_channels(&in, &out, n, 1); }
    /// Audio thread: settings.channels planar channels (in[c], out[c]; in[c] == out[c] allowed).
    NOFOLD_REALTIME void process_channels(const float* const* in, float* const* out, int n) noexcept {
        process_channels(in, out, n, channels_);
    }
    /// Audio thread: reset the active model's state and the DC blocker; finishes a pending crossfade.
    NOFOLD_REALTIME void reset() noexcept;

    /// Live conditioning (Model::set_parameter), meant for the audio thread between blocks (the value is
    /// an atomic, so another thread may call it too): the value is kept here and given to the active model
    /// at the next block (smoothed by the model), and to every model submitted later before submit
    /// prewarms it (so it is prewarmed and settled at the knobs' values and a swap never ramps a knob).
    /// false for an index outside [0, nn::max_knobs) or a NaN value (nothing changes); an index the model
    /// does not have is kept for the next model.
    NOFOLD_REALTIME bool set_parameter(int index, double value) noexcept;
    /// Any thread: the value set_parameter kept (NaN when none).
    double parameter(int index) const noexcept;
    /// Any thread: parameter_count() of the active model as of the audio thread's last block.
    int parameter_count() const noexcept { return parameter_count_.load(std::memory_order_relaxed); }

    /// Any thread: the active model's plus the active response's latency as of the audio thread's last
    /// block (0 before the first).
    int latency() const noexcept { return latency_.load(std::memory_order_relaxed); }
    /// Any thread: whether the audio thread has taken a model over.
    /// Once true it stays true, and a latency() read after it is that of a model (the latency is
    /// published before this flag).
    bool has_model() const noexcept { return has_model_.load(std::memory_order_acquire); }
    /// Any thread: whether an impulse response is active.
    bool has_impulse_response() const noexcept { return has_ir_.load(std::memory_order_relaxed); }
    /// Any thread: whether a crossfade to a new model or response is under way.
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
        bool heard = false;  // the audio thread has run it (its parameters then ramp instead of jumping)
    };
    struct IrSlot {
        std::unique_ptr<dsp::Convolver> convolver[max_channels];  // per channel; nullptr: the signal passes
    };
    void process_channels(const float* const* in, float* const* out, int n, int channels) noexcept;
    void publish() noexcept;
    void apply_parameters(Slot* slot, bool changed) noexcept;
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
    static void run_slot(Slot* slot, const float* const* in, float* const* out, int channels, int n) noexcept;
    static void run_ir(IrSlot* slot, const float* const* in, float* const* out, int channels, int n) noexcept;

    ProcessorSettings settings_;
    int channels_ = 1;
    dsp::DcBlocker dc_[max_channels];
    int fade_samples_ = 1;
    detail::Handover<Slot> models_;
    detail::Handover<IrSlot> irs_;
    // Parameter values set_parameter kept (NaN: never set), read by submit and by the audio thread.
    std::atomic<float> parameters_[nn::max_knobs];
    std::atomic<bool> parameters_changed_{false};
    static_assert(std::atomic<float>::is_always_lock_free, "parameters must be lock-free");

    // What other threads may read (published by the audio thread at the end of every call).
    std::atomic<int> latency_{0};
    std::atomic<int> parameter_count_{0};
    std::atomic<bool> has_model_{false};
    std::atomic<bool> has_ir_{false};
    std::atomic<bool> crossfading_{false};
    std::atomic<bool> audio_busy_{false};
    std::atomic<bool> loader_busy_{false};
};

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

inline Processor::Processor(const ProcessorSettings& settings) noexcept
    : settings_(settings), channels_(std::min(std::max(settings.channels, 1), max_channels)) {
    for (auto& dc : dc_) dc.set_cutoff(settings.dc_cutoff_hz, settings.sample_rate_hz);
    fade_samples_ = std::max(1, static_cast<int>(std::lround(settings.crossfade_ms * 1e-3 * settings.sample_rate_hz)));
    for (auto& p : parameters_) p.store(std::numeric_limits<float>::quiet_NaN(), std::memory_order_relaxed);
}

inline Processor::~Processor() = default;

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
    if (models_.busy()) return SubmitStatus::busy;
    if (channels_ > 1 && model->set_channels(channels_) != channels_) return SubmitStatus::channels_unsupported;
    const StageGains g = gains_for(settings_, info);
    auto slot = std::make_unique<Slot>();
    slot->input_gain = static_cast<float>(std::pow(10.0, g.input_db / 20.0));
    slot->output_gain = static_cast<float>(std::pow(10.0, g.output_db / 20.0));
    const int knobs = std::min(model->parameter_count(), nn::max_knobs);
    for (int i = 0; i < knobs; ++i) {
        const float v = parameters_[i].load(std::memory_order_relaxed);
        if (!std::isnan(v)) model->set_parameter(i, v);
    }
    model->settle_parameters();
    model->prewarm();
    slot->model = std::move(model);
    models_.offer(slot.release());
    return SubmitStatus::accepted;
}

inline SubmitStatus Processor::submit_impulse_response(std::unique_ptr<dsp::Convolver>& convolver) {
    return submit_impulse_responses(&convolver, 1);
}

inline SubmitStatus Processor::submit_impulse_responses(std::unique_ptr<dsp::Convolver>* convolvers, int count) {
    const CallGuard guard(loader_busy_);
    if (irs_.busy()) return SubmitStatus::busy;
    int present = 0;
    for (int c = 0; c < count; ++c) present += convolvers[c] ? 1 : 0;
    if (count != channels_ || (present != 0 && present != count)) return SubmitStatus::channels_unsupported;
    auto slot = std::make_unique<IrSlot>();
    for (int c = 0; c < count; ++c) {
        if (convolvers[c]) convolvers[c]->reset();
        slot->convolver[c] = std::move(convolvers[c]);
    }
    irs_.offer(slot.release());
    return SubmitStatus::accepted;
}

inline int Processor::collect_retired() noexcept {
    const CallGuard guard(loader_busy_);
    return models_.collect() + irs_.collect();
}

inline void Processor::publish() noexcept {
    const Slot* m = models_.active();
    const IrSlot* c = irs_.active();
    latency_.store((m ? m->model->latency() : 0) + (c && c->convolver[0] ? c->convolver[0]->latency() : 0),
                   std::memory_order_relaxed);
    parameter_count_.store(m ? m->model->parameter_count() : 0, std::memory_order_relaxed);
    has_model_.store(m != nullptr, std::memory_order_release);  // after the latency it vouches for
    has_ir_.store(c != nullptr && c->convolver[0] != nullptr, std::memory_order_relaxed);
    crossfading_.store(models_.crossfading() || irs_.crossfading(), std::memory_order_relaxed);
}

inline void Processor::run_ir(IrSlot* slot, const float* const* in, float* const* out, int channels, int n) noexcept {
    for (int c = 0; c < channels; ++c) {
        if (slot && slot->convolver[c]) {
            slot->convolver[c]->process(in[c], out[c], n);
        } else {
            std::copy(in[c], in[c] + n, out[c]);
        }
    }
}

inline void Processor::run_slot(Slot* slot, const float* const* in, float* const* out, int channels, int n) noexcept {
    for (int c = 0; c < channels; ++c) {
        if (!slot) {
            std::fill(out[c], out[c] + n, 0.0f);
        } else {
            for (int i = 0; i < n; ++i) out[c][i] = simd::sanitize(in[c][i]) * slot->input_gain;
        }
    }
    if (!slot) return;
    if (channels == 1) {
        slot->model->process(out[0], out[0], n);
    } else {
        slot->model->process_channels(out, out, channels, n);
    }
    // Extreme weights or gains can make a model's output non-finite: caught here, before the
    // crossfade, the response and the DC blocker keep it.
    for (int c = 0; c < channels; ++c)
        for (int i = 0; i < n; ++i) out[c][i] = simd::sanitize(out[c][i] * slot->output_gain);
}

inline void Processor::process_channels(const float* const* in, float* const* out, int n, int channels) noexcept {
    const CallGuard guard(audio_busy_);
    models_.take_over();
    irs_.take_over();
    const bool changed = parameters_changed_.exchange(false, std::memory_order_acquire);
    apply_parameters(models_.active(), changed);
    apply_parameters(models_.incoming(), changed);
    float amp[max_channels][chunk_frames];
    float cab[max_channels][chunk_frames];
    float* amp_ptr[max_channels];
    float* cab_ptr[max_channels];
    const float* in_ptr[max_channels];
    for (int c = 0; c < channels; ++c) {
        amp_ptr[c] = amp[c];
        cab_ptr[c] = cab[c];
    }
    for (int done = 0; done < n;) {
        const int m = std::min(chunk_frames, n - done);
        for (int c = 0; c < channels; ++c) in_ptr[c] = in[c] + done;
        models_.run(in_ptr, amp_ptr, channels, m, fade_samples_, run_slot);
        irs_.run(amp_ptr, cab_ptr, channels, m, fade_samples_, run_ir);
        for (int c = 0; c < channels; ++c) {
            if (settings_.dc_block == DcBlock::on) {
                dc_[c].process(cab[c], out[c] + done, m);
            } else {
                std::copy(cab[c], cab[c] + m, out[c] + done);
            }
        }
        done += m;
    }
    publish();
}

inline bool Processor::set_parameter(int index, double value) noexcept {
    if (index < 0 || index >= nn::max_knobs || std::isnan(value)) return false;
    const double big = std::numeric_limits<float>::max();  // ±inf and beyond: the model clamps to its range
    parameters_[index].store(static_cast<float>(std::clamp(value, -big, big)), std::memory_order_relaxed);
    parameters_changed_.store(true, std::memory_order_release);
    return true;
}

inline double Processor::parameter(int index) const noexcept {
    if (index < 0 || index >= nn::max_knobs) return std::numeric_limits<double>::quiet_NaN();
    return parameters_[index].load(std::memory_order_relaxed);
}

inline void Processor::apply_parameters(Slot* slot, bool changed) noexcept {
    if (!slot || (slot->heard && !changed)) return;
    Model& m = *slot->model;
    const int count = std::min(m.parameter_count(), nn::max_knobs);
    for (int i = 0; i < count; ++i) {
        const float v = parameters_[i].load(std::memory_order_relaxed);
        if (!std::isnan(v)) m.set_parameter(i, v);
    }
    if (!slot->heard) m.settle_parameters();
    slot->heard = true;
}

inline void Processor::reset() noexcept {
    const CallGuard guard(audio_busy_);
    models_.finish();
    irs_.finish();
    if (Slot* s = models_.active()) s->model->reset();
    if (IrSlot* ir = irs_.active())
        for (auto& conv : ir->convolver)
            if (conv) conv->reset();
    for (auto& dc : dc_) dc.reset();
    publish();
}

}  // namespace nofold
