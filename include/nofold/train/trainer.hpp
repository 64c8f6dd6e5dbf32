// nofold::train::Trainer — the one training loop: batches from a callback, TrainingLoss, Adam, items
// spread over threads, validation after each epoch with the best parameters kept, early stopping, a
// time budget, a stop flag, progress, and checkpoints that resume bit-identically.
//
// One batch: `items` sequences of warmup + frames_per_batch × frame_length input samples and
// frames_per_batch × frame_length target samples. Each frame k of a batch is one optimiser step:
//   - StateMode::none (WaveNet/TCN): the model sees input[k·frame, k·frame + warmup + frame) from a
//     reset state, so every kept output has `warmup` samples of real history (warmup ≥ receptive
//     field − 1 makes the frame exact);
//   - StateMode::carried (LSTM/GRU, truncated BPTT): reset, warm-up forward over input[0, warmup)
//     with its output discarded, then frame after frame from the carried state, the graph cut at
//     each frame start but the state values kept (the model's reset()/carry()).
// The loss is evaluated on the whole batch at once (TrainingLoss's ESR is pooled over the batch), or,
// when it is the ESR alone on a feed-forward model, item by item (TrainerSettings::item_by_item).
//
// Template parameters: G, the gradient model — anything with parameter_count(), forward(params, x,
// n, y) and backward(params, dy, grad) (train::WaveNetGradient, train::RecurrentGradient, the
// model_gradient factory's objects); with StateMode::carried also reset(params) and carry(); an
// optional history() is checked against the warm-up, and an optional set_first_output(warmup) tells a
// StateMode::none model that the warm-up's outputs are not needed. T: float or double (parameters and signals;
// Adam's moments are double).
//
// Determinism: the batch source gets a Random seeded from (seed, epoch, batch, item); each item's
// gradient goes to its own buffer and the buffers are summed in item order, so a run's parameters
// depend on the seed and settings only — bit-identical for any thread count, and after resume.
// Threads: `threads` − 1 workers are started by the constructor and live as long as the trainer;
// the calling thread is participant 0. Item i runs on participant i mod threads. Memory (StateMode::none):
// threads × min(kept_forwards, items per thread) models' activations (see kept_forwards; item by item,
// one per thread).
// Allocates: the constructor, run()'s bookkeeping, checkpoints. A batch (train_batch()) allocates
// nothing after the first one at a given shape (the models' buffers grow once), provided the batch
// source does not.
// Units: samples, seconds. Reference: docs/training.md §4 (the loop), §3 (losses and gradients).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "adam.hpp"
#include "checkpoint.hpp"
#include "random.hpp"
#include "training_loss.hpp"

namespace nofold::train {

/// Whether the model's state runs on from one frame of a batch to the next.
enum class StateMode {
    none,     ///< feed-forward: each frame from a reset state with `warmup` samples of history
    carried,  ///< recurrent: reset per batch, warm-up once, state carried across the batch's frames
};

struct TrainerSettings {
    std::size_t items = 16;             ///< sequences per batch
    std::size_t frame_length = 8192;    ///< samples per frame that enter the loss
    std::size_t warmup = 0;             ///< input samples before the first kept output
    std::size_t frames_per_batch = 1;   ///< optimiser steps per batch
    std::size_t batches_per_epoch = 32;
    std::size_t epochs = 10;
    double max_seconds = 0.0;           ///< wall-clock budget over all sessions of a run (0: none)
    std::size_t patience = 0;           ///< stop after this many epochs without a better validation (0: never)
    int threads = 1;
    /// StateMode::none: forward passes each thread keeps for its items' backward passes (one model's
    /// stored activations each: they grow with channels × layers × frame length). A thread holding more
    /// items than this recomputes the forward pass of the others before their backward pass (the same
    /// values: results do not depend on it). 0: keep them all.
    std::size_t kept_forwards = 4;
    /// StateMode::none with a loss that separates over items (ESR alone, TrainingLoss::separates_over_items):
    /// run each item's forward pass, loss gradient and backward pass back to back, while its activations
    /// are still in cache, with one model per thread. The parameters are the same bit for bit as with
    /// false (the batch's loss value may differ in its last bits).
    bool item_by_item = true;
    std::uint64_t seed = 0;
    StateMode state = StateMode::none;
    bool validate_initial = true;       ///< validate the initial parameters too (epoch 0)
    /// Parameters that keep their initial values (their gradient is zeroed before each step; e.g. a
    /// WaveNet's head_scale, which NAM's trainer does not train).
    std::vector<std::size_t> frozen;
    AdamSettings adam;
    LossSettings loss;
    /// If not empty: a checkpoint is written here after every epoch and when the run stops early.
    std::string checkpoint_path;
    /// Continue from checkpoint_path when it exists (its shape and seed must match).
    bool resume = false;
};

/// What the batch source is asked for: sequence `item` of batch `batch` in epoch `epoch` (0-based),
/// filled on participant `thread` (0 … threads − 1) with `random`, seeded from (seed, epoch, batch,
/// item) alone.
struct BatchRequest {
    std::uint64_t epoch = 0;
    std::uint64_t batch = 0;
    std::size_t item = 0;
    int thread = 0;
    Random* random = nullptr;
};

/// One epoch's figures (validation NaN when there is no validation callback).
struct EpochRecord {
    double train_loss = 0.0;   ///< mean training loss over the epoch's steps
    double validation = std::numeric_limits<double>::quiet_NaN();
    double seconds = 0.0;      ///< elapsed since the run began, at the epoch's end
};

struct TrainerProgress {
    std::size_t epoch = 0;            ///< 1-based epoch in progress (or just finished)
    std::size_t epochs = 0;
    std::size_t batch = 0;            ///< batches done in this epoch
    std::size_t batches_per_epoch = 0;
    std::uint64_t step = 0;           ///< optimiser steps so far
    double train_loss = 0.0;          ///< mean over the epoch so far
    double validation = std::numeric_limits<double>::quiet_NaN();       ///< last validation
    double best_validation = std::numeric_limits<double>::quiet_NaN();
    double elapsed_seconds = 0.0;
    double eta_seconds = 0.0;         ///< estimate of the time left (epochs and budget)
    bool epoch_end = false;           ///< this call follows an epoch's validation
};

enum class StopReason { epochs_done, early_stopped, out_of_time, stop_flag };

struct TrainerResult {
    std::vector<double> best_parameters;   ///< the parameters with the lowest validation (as double)
    double best_validation = std::numeric_limits<double>::quiet_NaN();
    std::size_t best_epoch = 0;            ///< 0: the initial parameters
    std::size_t epochs_completed = 0;
    std::uint64_t steps = 0;
    std::uint64_t skipped_steps = 0;       ///< steps whose loss or gradient was not finite
    StopReason reason = StopReason::epochs_done;
    bool resumed = false;
    double elapsed_seconds = 0.0;
    std::vector<EpochRecord> history;      ///< one entry per completed epoch
};

template <class G, class T = double>
class Trainer {
public:
    using Factory = std::function<std::unique_ptr<G>()>;
    /// Fills input (warmup + frames × frame_length) and target (frames × frame_length) of one item.
    /// Called from several threads at once for different items; must not throw.
    using BatchSource = std::function<void(const BatchRequest&, T* input, T* target)>;
    /// Validation loss of a parameter vector (lower is better; NaN never counts as better).
    using Validation = std::function<double(const T* parameters)>;
    /// Whether parameters whose validation loss is the lowest so far may become the best (a
    /// constraint the loss does not see); asked only of such candidates, in order.
    using Admission = std::function<bool(const T* parameters)>;
    using ProgressCallback = std::function<void(const TrainerProgress&)>;

    /// Creates the models (one per participant, or one per item for StateMode::carried), the loss
    /// and the workers. Throws std::invalid_argument for empty shapes, a warm-up shorter than the
    /// model's history() (StateMode::none), or a parameter count that differs from the model's.
    Trainer(const TrainerSettings& settings, const Factory& factory, std::vector<T> initial_parameters);
    ~Trainer();
    Trainer(const Trainer&) = delete;
    Trainer& operator=(const Trainer&) = delete;

    void set_batch_source(BatchSource source) { source_ = std::move(source); }
    void set_validation(Validation validation) { validation_ = std::move(validation); }
    void set_admission(Admission admission) { admission_ = std::move(admission); }
    void set_progress(ProgressCallback progress) { progress_ = std::move(progress); }
    /// Checked between batches: once true, run() writes a checkpoint and returns the best so far.
    void set_stop_flag(const std::atomic<bool>* stop) noexcept { stop_ = stop; }

    /// Trains until the epochs, the budget, early stopping or the stop flag end it. Throws
    /// std::logic_error without a batch source, CheckpointError for a bad checkpoint.
    TrainerResult run();

    /// One batch (frames_per_batch optimiser steps) of (epoch, batch); returns the mean loss of its
    /// steps. Public so tests can time or count allocations of a single batch.
    double train_batch(std::uint64_t epoch, std::uint64_t batch);

    const TrainerSettings& settings() const noexcept { return settings_; }
    const std::vector<T>& parameters() const noexcept { return params_; }
    const Adam<T, double>& optimiser() const noexcept { return adam_; }
    std::uint64_t skipped_steps() const noexcept { return skipped_; }

private:
    enum class Phase { fill, warm, forward, backward, items, quit };
    struct Participant {
        std::vector<T> y, dy;     // warmup + frame: StateMode::none's full-window output and its gradient
        std::vector<std::size_t> held;  // StateMode::none: whose forward each of its models holds
        std::unique_ptr<PreEmphasisFilter<T>> filter;  // item by item: this thread's copy of the loss's filter
        std::vector<T> scratch;                         // item by item: TrainingLoss::item's
    };

    void start_workers();
    void run_phase(Phase phase) noexcept;
    void worker(int index) noexcept;
    void work(int participant, Phase phase) noexcept;
    void forward_item(int participant, std::size_t item) noexcept;
    void backward_item(int participant, std::size_t item) noexcept;
    // StateMode::none: participant p's k-th item (item p + k·threads) uses its model k mod kept_
    std::size_t slot(std::size_t item) const noexcept { return item / static_cast<std::size_t>(settings_.threads) % kept_; }
    G& model_for(int participant, std::size_t item) noexcept {
        return *models_[settings_.state == StateMode::carried ? item : static_cast<std::size_t>(participant) * kept_ + slot(item)];
    }
    std::vector<unsigned char> payload() const;
    void restore(const std::vector<unsigned char>& payload);
    void save() const;
    double elapsed() const;
    TrainerProgress progress_record(std::size_t epoch, std::size_t batch, bool epoch_end) const;
    void finish(TrainerResult& r, StopReason reason);

    TrainerSettings settings_;
    std::vector<std::unique_ptr<G>> models_;
    std::size_t count_ = 0, in_len_ = 0, out_len_ = 0;
    std::size_t kept_ = 1;  // StateMode::none: models per participant
    bool by_item_ = false;  // TrainerSettings::item_by_item applies
    std::vector<double> item_error_;  // by_item_: each item's error energy (TrainingLoss::item)
    std::vector<T> params_;
    Adam<T, double> adam_;
    TrainingLoss<T> loss_;
    Random random_;
    std::vector<T> input_, target_, frame_target_, pred_, dpred_, grads_, warm_out_;
    std::vector<T> sum_;  // the summed gradient
    std::vector<Participant> part_;

    BatchSource source_;
    Validation validation_;
    Admission admission_;
    ProgressCallback progress_;
    const std::atomic<bool>* stop_ = nullptr;

    // batch in progress (read by the workers)
    std::uint64_t cur_epoch_ = 0, cur_batch_ = 0;
    std::size_t cur_frame_ = 0;
    std::uint64_t skipped_ = 0;

    // run state (checkpointed)
    std::size_t epoch_ = 0;           // completed epochs
    std::size_t batch_in_epoch_ = 0;  // completed batches of epoch_ + 1
    double epoch_loss_sum_ = 0.0;
    std::size_t epoch_loss_count_ = 0;
    std::vector<T> best_;
    double best_val_ = std::numeric_limits<double>::quiet_NaN();
    double last_val_ = std::numeric_limits<double>::quiet_NaN();
    std::size_t best_epoch_ = 0, since_best_ = 0;
    bool initial_done_ = false;
    std::vector<EpochRecord> history_;
    double elapsed_before_ = 0.0;     // seconds of earlier sessions
    std::chrono::steady_clock::time_point session_start_;
    std::uint64_t session_batches_ = 0;

    // workers
    std::vector<std::thread> threads_;
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Phase phase_ = Phase::fill;
    std::uint64_t generation_ = 0;
    int pending_ = 0;
};

// =================================================================================================
// Implementation
// =================================================================================================

namespace detail {

template <class G, class = void>
struct has_history : std::false_type {};
template <class G>
struct has_history<G, std::void_t<decltype(std::declval<const G&>().history())>> : std::true_type {};

template <class G, class = void>
struct has_first_output : std::false_type {};
template <class G>
struct has_first_output<G, std::void_t<decltype(std::declval<G&>().set_first_output(0))>> : std::true_type {};

template <class G, class = void>
struct has_carry : std::false_type {};
template <class G>
struct has_carry<G, std::void_t<decltype(std::declval<G&>().carry())>> : std::true_type {};

inline constexpr std::uint32_t trainer_payload_magic = 0x4e525254;  // "TRRN"

}  // namespace detail

template <class G, class T>
Trainer<G, T>::Trainer(const TrainerSettings& s, const Factory& factory, std::vector<T> initial)
    : settings_(s),
      params_(std::move(initial)),
      adam_(params_.size(), s.adam),
      loss_(s.loss, std::max<std::size_t>(s.items, 1), std::max<std::size_t>(s.frame_length, 1)),
      random_(s.seed) {
    if (s.items == 0 || s.frame_length == 0 || s.frames_per_batch == 0 || s.batches_per_epoch == 0)
        throw std::invalid_argument("nofold::train::Trainer: items, frame_length, frames_per_batch and batches_per_epoch must be > 0");
    if (s.threads < 1) throw std::invalid_argument("nofold::train::Trainer: threads must be >= 1");
    if (!(s.max_seconds >= 0.0)) throw std::invalid_argument("nofold::train::Trainer: max_seconds must be >= 0");
    if (!factory) throw std::invalid_argument("nofold::train::Trainer: no model factory");
    const int participants = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(s.threads), s.items));
    settings_.threads = participants;
    const std::size_t per_thread = (s.items + static_cast<std::size_t>(participants) - 1) / static_cast<std::size_t>(participants);
    kept_ = s.kept_forwards == 0 ? per_thread : std::min(s.kept_forwards, per_thread);
    by_item_ = s.state == StateMode::none && s.item_by_item && loss_.separates_over_items();
    if (by_item_) kept_ = 1;
    const std::size_t model_count = s.state == StateMode::carried ? s.items : static_cast<std::size_t>(participants) * kept_;
    for (std::size_t i = 0; i < model_count; ++i) {
        models_.push_back(factory());
        if (!models_.back()) throw std::invalid_argument("nofold::train::Trainer: the model factory returned null");
        // the warm-up's outputs are never in the loss: the model may skip the work only they need
        if constexpr (detail::has_first_output<G>::value)
            if (s.state == StateMode::none) models_.back()->set_first_output(static_cast<int>(s.warmup));
    }
    G& m = *models_.front();
    count_ = m.parameter_count();
    if (count_ != params_.size())
        throw std::invalid_argument("nofold::train::Trainer: " + std::to_string(params_.size()) +
                                    " initial parameters for a model of " + std::to_string(count_));
    if constexpr (detail::has_history<G>::value) {
        if (s.state == StateMode::none && s.warmup < static_cast<std::size_t>(std::max(0, static_cast<int>(m.history()))))
            throw std::invalid_argument("nofold::train::Trainer: warm-up of " + std::to_string(s.warmup) +
                                        " samples is shorter than the model's history of " + std::to_string(m.history()));
    }
    for (std::size_t j : s.frozen)
        if (j >= count_) throw std::invalid_argument("nofold::train::Trainer: frozen parameter index out of range");
    if (s.state == StateMode::carried && !detail::has_carry<G>::value)
        throw std::invalid_argument("nofold::train::Trainer: StateMode::carried needs a model with reset() and carry()");
    const std::size_t frames = s.frames_per_batch;
    in_len_ = s.warmup + frames * s.frame_length;
    out_len_ = frames * s.frame_length;
    input_.assign(s.items * in_len_, T(0));
    target_.assign(s.items * out_len_, T(0));
    if (frames > 1) frame_target_.assign(s.items * s.frame_length, T(0));
    pred_.assign(s.items * s.frame_length, T(0));
    dpred_.assign(s.items * s.frame_length, T(0));
    grads_.assign(s.items * count_, T(0));
    sum_.assign(count_, T(0));
    best_ = params_;
    if (s.state == StateMode::carried) warm_out_.assign(s.items * std::max<std::size_t>(s.warmup, 1), T(0));
    part_.resize(static_cast<std::size_t>(participants));
    for (Participant& p : part_) {
        if (s.state == StateMode::none) {
            p.y.assign(s.warmup + s.frame_length, T(0));
            p.dy.assign(s.warmup + s.frame_length, T(0));
            p.held.assign(kept_, static_cast<std::size_t>(-1));
        }
        if (by_item_) {
            p.filter = std::make_unique<PreEmphasisFilter<T>>(s.loss.pre_emphasis, s.loss.sample_rate_hz, s.frame_length);
            p.scratch.assign(2 * s.frame_length, T(0));
        }
    }
    if (by_item_) item_error_.assign(s.items, 0.0);
    start_workers();
}

template <class G, class T>
Trainer<G, T>::~Trainer() {
    if (!threads_.empty()) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            phase_ = Phase::quit;
            ++generation_;
        }
        wake_.notify_all();
        for (std::thread& t : threads_) t.join();
    }
}

template <class G, class T>
void Trainer<G, T>::start_workers() {
    for (int i = 1; i < settings_.threads; ++i) threads_.emplace_back([this, i] { worker(i); });
}

template <class G, class T>
void Trainer<G, T>::worker(int index) noexcept {
    std::uint64_t seen = 0;
    for (;;) {
        Phase phase;
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return generation_ != seen; });
            seen = generation_;
            phase = phase_;
        }
        if (phase == Phase::quit) return;
        work(index, phase);
        {
            std::lock_guard<std::mutex> lock(mutex_);
            --pending_;
        }
        done_.notify_one();
    }
}

template <class G, class T>
void Trainer<G, T>::run_phase(Phase phase) noexcept {
    if (threads_.empty()) {
        work(0, phase);
        return;
    }
    {
        std::lock_guard<std::mutex> lock(mutex_);
        phase_ = phase;
        pending_ = static_cast<int>(threads_.size());
        ++generation_;
    }
    wake_.notify_all();
    work(0, phase);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return pending_ == 0; });
}

template <class G, class T>
void Trainer<G, T>::forward_item(int participant, std::size_t i) noexcept {
    const TrainerSettings& s = settings_;
    const T* in = input_.data() + i * in_len_;
    T* pred = pred_.data() + i * s.frame_length;
    G& m = model_for(participant, i);
    if (s.state == StateMode::carried) {
        m.forward(params_.data(), in + s.warmup + cur_frame_ * s.frame_length, static_cast<int>(s.frame_length), pred);
    } else {
        Participant& p = part_[static_cast<std::size_t>(participant)];
        m.forward(params_.data(), in + cur_frame_ * s.frame_length, static_cast<int>(s.warmup + s.frame_length), p.y.data());
        std::copy(p.y.begin() + static_cast<std::ptrdiff_t>(s.warmup), p.y.end(), pred);
        p.held[slot(i)] = i;
    }
}

template <class G, class T>
void Trainer<G, T>::work(int participant, Phase phase) noexcept {
    const TrainerSettings& s = settings_;
    const auto P = static_cast<std::size_t>(s.threads);
    const auto first = static_cast<std::size_t>(participant);
    switch (phase) {
        case Phase::fill:
            for (std::size_t i = first; i < s.items; i += P) {
                const std::uint64_t stream = (cur_epoch_ * s.batches_per_epoch + cur_batch_) * s.items + i + 1;
                Random random(s.seed, stream);
                BatchRequest r;
                r.epoch = cur_epoch_;
                r.batch = cur_batch_;
                r.item = i;
                r.thread = participant;
                r.random = &random;
                source_(r, input_.data() + i * in_len_, target_.data() + i * out_len_);
            }
            break;
        case Phase::warm:
            if constexpr (detail::has_carry<G>::value) {
                for (std::size_t i = first; i < s.items; i += P) {
                    G& m = model_for(participant, i);
                    m.reset(params_.data());
                    if (s.warmup > 0) {
                        m.forward(params_.data(), input_.data() + i * in_len_, static_cast<int>(s.warmup),
                                  warm_out_.data() + i * s.warmup);
                        m.carry();
                    }
                }
            }
            break;
        case Phase::forward:
            for (std::size_t i = first; i < s.items; i += P) forward_item(participant, i);
            break;
        case Phase::backward: {
            // Own items in reverse, so the last kept_ forwarded need no second forward.
            std::size_t mine = 0;
            for (std::size_t i = first; i < s.items; i += P) ++mine;
            for (std::size_t k = mine; k-- > 0;) backward_item(participant, first + k * P);
            break;
        }
        case Phase::items:
            for (std::size_t i = first; i < s.items; i += P) {
                forward_item(participant, i);
                Participant& p = part_[first];
                item_error_[i] = loss_.item(i, pred_.data() + i * s.frame_length, dpred_.data() + i * s.frame_length, *p.filter,
                                            p.scratch.data());
                backward_item(participant, i);
            }
            break;
        case Phase::quit:
            break;
    }
}

template <class G, class T>
void Trainer<G, T>::backward_item(int participant, std::size_t i) noexcept {
    const TrainerSettings& s = settings_;
    T* g = grads_.data() + i * count_;
    std::fill(g, g + count_, T(0));
    const T* dp = dpred_.data() + i * s.frame_length;
    G& m = model_for(participant, i);
    if (s.state == StateMode::carried) {
        m.backward(params_.data(), dp, g);
        if constexpr (detail::has_carry<G>::value) m.carry();
    } else {
        Participant& p = part_[static_cast<std::size_t>(participant)];
        if (p.held[slot(i)] != i) forward_item(participant, i);
        std::fill(p.dy.begin(), p.dy.begin() + static_cast<std::ptrdiff_t>(s.warmup), T(0));
        std::copy(dp, dp + s.frame_length, p.dy.begin() + static_cast<std::ptrdiff_t>(s.warmup));
        m.backward(params_.data(), p.dy.data(), g);
    }
}

template <class G, class T>
double Trainer<G, T>::train_batch(std::uint64_t epoch, std::uint64_t batch) {
    if (!source_) throw std::logic_error("nofold::train::Trainer: no batch source");
    const TrainerSettings& s = settings_;
    cur_epoch_ = epoch;
    cur_batch_ = batch;
    cur_frame_ = 0;
    run_phase(Phase::fill);
    if (s.state == StateMode::carried) run_phase(Phase::warm);
    double total = 0.0;
    for (std::size_t k = 0; k < s.frames_per_batch; ++k) {
        cur_frame_ = k;
        const T* target = target_.data();
        if (s.frames_per_batch > 1) {  // frame k's targets next to each other, as the loss wants them
            for (std::size_t i = 0; i < s.items; ++i)
                std::copy(target_.data() + i * out_len_ + k * s.frame_length,
                          target_.data() + i * out_len_ + (k + 1) * s.frame_length, frame_target_.data() + i * s.frame_length);
            target = frame_target_.data();
        }
        LossTerms terms;
        if (by_item_) {
            loss_.begin_items(target);
            run_phase(Phase::items);
            double error = 0.0;
            for (double e : item_error_) error += e;  // in item order, for any thread count
            terms = loss_.end_items(error);
        } else {
            run_phase(Phase::forward);
            terms = loss_.evaluate(pred_.data(), target, dpred_.data());
            run_phase(Phase::backward);
        }
        std::fill(sum_.begin(), sum_.end(), T(0));
        for (std::size_t i = 0; i < s.items; ++i) {
            const T* g = grads_.data() + i * count_;
            for (std::size_t j = 0; j < count_; ++j) sum_[j] += g[j];
        }
        for (std::size_t j : s.frozen) sum_[j] = T(0);
        if (!std::isfinite(terms.total) || !adam_.step(params_.data(), sum_.data())) ++skipped_;
        total += terms.total;
    }
    return total / static_cast<double>(s.frames_per_batch);
}

template <class G, class T>
double Trainer<G, T>::elapsed() const {
    return elapsed_before_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count();
}

template <class G, class T>
TrainerProgress Trainer<G, T>::progress_record(std::size_t epoch, std::size_t batch, bool epoch_end) const {
    const TrainerSettings& s = settings_;
    TrainerProgress p;
    p.epoch = epoch;
    p.epochs = s.epochs;
    p.batch = batch;
    p.batches_per_epoch = s.batches_per_epoch;
    p.step = adam_.step_count();
    p.train_loss = epoch_loss_count_ > 0 ? epoch_loss_sum_ / static_cast<double>(epoch_loss_count_)
                                         : (history_.empty() ? std::numeric_limits<double>::quiet_NaN() : history_.back().train_loss);
    p.validation = last_val_;
    p.best_validation = best_val_;
    p.elapsed_seconds = elapsed();
    p.epoch_end = epoch_end;
    const double session = std::chrono::duration<double>(std::chrono::steady_clock::now() - session_start_).count();
    const double done = static_cast<double>(epoch_ * s.batches_per_epoch + batch_in_epoch_);
    const double all = static_cast<double>(s.epochs * s.batches_per_epoch);
    double eta = session_batches_ > 0 ? (all - done) * session / static_cast<double>(session_batches_) : 0.0;
    if (s.max_seconds > 0.0) eta = std::min(eta, std::max(0.0, s.max_seconds - p.elapsed_seconds));
    p.eta_seconds = std::max(0.0, eta);
    return p;
}

template <class G, class T>
std::vector<unsigned char> Trainer<G, T>::payload() const {
    const TrainerSettings& s = settings_;
    std::vector<unsigned char> bytes;
    detail::ByteWriter w(bytes);
    w.u32(detail::trainer_payload_magic);
    w.u32(1);
    for (std::uint64_t v : {std::uint64_t(s.items), std::uint64_t(s.frame_length), std::uint64_t(s.warmup),
                            std::uint64_t(s.frames_per_batch), std::uint64_t(s.batches_per_epoch), s.seed,
                            std::uint64_t(count_), std::uint64_t(s.state == StateMode::carried ? 1 : 0)})
        w.u64(v);
    w.u64(epoch_);
    w.u64(batch_in_epoch_);
    w.f64(epoch_loss_sum_);
    w.u64(epoch_loss_count_);
    w.f64(best_val_);
    w.f64(last_val_);
    w.u64(best_epoch_);
    w.u64(since_best_);
    w.u64(initial_done_ ? 1 : 0);
    w.u64(skipped_);
    w.f64(elapsed());
    w.u64(history_.size());
    for (const EpochRecord& e : history_) {
        w.f64(e.train_loss);
        w.f64(e.validation);
        w.f64(e.seconds);
    }
    for (const T& v : best_) w.floating(v);
    return bytes;
}

template <class G, class T>
void Trainer<G, T>::restore(const std::vector<unsigned char>& bytes) {
    const TrainerSettings& s = settings_;
    const std::string& path = s.checkpoint_path;
    constexpr std::size_t fixed = 8 + 8 * 8 + 12 * 8;  // magic+version, fingerprint, state up to the history size
    if (bytes.size() < fixed) detail::checkpoint_fail(path, "no trainer state in the checkpoint");
    detail::ByteReader r(bytes.data());
    if (r.u32() != detail::trainer_payload_magic || r.u32() != 1)
        detail::checkpoint_fail(path, "no trainer state of this version in the checkpoint");
    const char* names[] = {"items", "frame length", "warm-up", "frames per batch", "batches per epoch", "seed",
                           "parameter count", "state mode"};
    const std::uint64_t expect[] = {s.items, s.frame_length, s.warmup, s.frames_per_batch, s.batches_per_epoch, s.seed,
                                    count_, s.state == StateMode::carried ? 1U : 0U};
    for (int i = 0; i < 8; ++i) {
        const std::uint64_t v = r.u64();
        if (v != expect[i])
            detail::checkpoint_fail(path, std::string("was written with another ") + names[i] + " (" + std::to_string(v) +
                                              ", this run: " + std::to_string(expect[i]) + ")");
    }
    const std::uint64_t epoch = r.u64(), batch = r.u64();
    const double loss_sum = r.f64();
    const std::uint64_t loss_count = r.u64();
    const double best_val = r.f64(), last_val = r.f64();
    const std::uint64_t best_epoch = r.u64(), since_best = r.u64(), initial = r.u64(), skipped = r.u64();
    const double seconds = r.f64();
    const std::uint64_t n = r.u64();
    const std::size_t rest = bytes.size() - fixed;
    if (n > rest / 24 || rest - n * 24 != count_ * sizeof(T))
        detail::checkpoint_fail(path, "trainer state has the wrong size");
    std::vector<EpochRecord> history(static_cast<std::size_t>(n));
    for (EpochRecord& e : history) {
        e.train_loss = r.f64();
        e.validation = r.f64();
        e.seconds = r.f64();
    }
    for (T& v : best_) v = r.template floating<T>();
    epoch_ = static_cast<std::size_t>(epoch);
    batch_in_epoch_ = static_cast<std::size_t>(batch);
    epoch_loss_sum_ = loss_sum;
    epoch_loss_count_ = static_cast<std::size_t>(loss_count);
    best_val_ = best_val;
    last_val_ = last_val;
    best_epoch_ = static_cast<std::size_t>(best_epoch);
    since_best_ = static_cast<std::size_t>(since_best);
    initial_done_ = initial != 0;
    skipped_ = skipped;
    elapsed_before_ = seconds;
    history_ = std::move(history);
}

template <class G, class T>
void Trainer<G, T>::save() const {
    if (!settings_.checkpoint_path.empty()) save_checkpoint(settings_.checkpoint_path, adam_, params_.data(), random_, payload());
}

template <class G, class T>
void Trainer<G, T>::finish(TrainerResult& r, StopReason reason) {
    if (!validation_) best_ = params_;
    r.best_parameters.assign(best_.begin(), best_.end());
    r.best_validation = best_val_;
    r.best_epoch = best_epoch_;
    r.epochs_completed = epoch_;
    r.steps = adam_.step_count();
    r.skipped_steps = skipped_;
    r.reason = reason;
    r.elapsed_seconds = elapsed();
    r.history = history_;
}

template <class G, class T>
TrainerResult Trainer<G, T>::run() {
    if (!source_) throw std::logic_error("nofold::train::Trainer: no batch source");
    const TrainerSettings& s = settings_;
    TrainerResult result;
    session_start_ = std::chrono::steady_clock::now();
    session_batches_ = 0;
    if (s.resume && !s.checkpoint_path.empty()) {
        if (std::FILE* f = std::fopen(s.checkpoint_path.c_str(), "rb")) {
            std::fclose(f);
            Checkpoint<T, double> c = read_checkpoint<T, double>(s.checkpoint_path);
            if (c.parameters.size() != count_)
                detail::checkpoint_fail(s.checkpoint_path, "holds " + std::to_string(c.parameters.size()) +
                                                               " parameters; the model has " + std::to_string(count_));
            restore(c.payload);
            try {
                adam_.set_settings(c.settings);
            } catch (const std::invalid_argument& e) {
                detail::checkpoint_fail(s.checkpoint_path, std::string("invalid optimiser settings: ") + e.what());
            }
            adam_.restore(c.step, c.first_moment.data(), c.second_moment.data());
            params_ = c.parameters;
            random_.set_state(c.random);
            result.resumed = true;
        }
    }
    const auto consider = [&](double v) {
        last_val_ = v;
        const bool better = std::isfinite(v) && (std::isnan(best_val_) || v < best_val_) &&
                            (!admission_ || admission_(params_.data()));
        if (better) {
            best_val_ = v;
            best_ = params_;
            best_epoch_ = epoch_;
        }
        return better;
    };
    if (!initial_done_) {
        if (validation_ && s.validate_initial) consider(validation_(params_.data()));
        initial_done_ = true;
    }
    while (epoch_ < s.epochs) {
        while (batch_in_epoch_ < s.batches_per_epoch) {
            if (stop_ != nullptr && stop_->load(std::memory_order_relaxed)) {
                save();
                finish(result, StopReason::stop_flag);
                return result;
            }
            if (s.max_seconds > 0.0 && elapsed() >= s.max_seconds) {
                save();  // the state as it is, so a resume continues exactly
                if (validation_ && batch_in_epoch_ > 0) {
                    ++epoch_;  // the partial epoch's parameters are labelled with the epoch in progress
                    consider(validation_(params_.data()));
                    --epoch_;
                }
                finish(result, StopReason::out_of_time);
                return result;
            }
            const double loss = train_batch(epoch_, batch_in_epoch_);
            if (std::isfinite(loss)) {
                epoch_loss_sum_ += loss;
                ++epoch_loss_count_;
            }
            ++batch_in_epoch_;
            ++session_batches_;
            if (progress_) progress_(progress_record(epoch_ + 1, batch_in_epoch_, false));
        }
        EpochRecord record;
        record.train_loss = epoch_loss_count_ > 0 ? epoch_loss_sum_ / static_cast<double>(epoch_loss_count_)
                                                  : std::numeric_limits<double>::quiet_NaN();
        ++epoch_;
        if (validation_) {
            const double v = validation_(params_.data());
            record.validation = v;
            if (consider(v))
                since_best_ = 0;
            else
                ++since_best_;
        }
        record.seconds = elapsed();
        history_.push_back(record);
        batch_in_epoch_ = 0;
        epoch_loss_sum_ = 0.0;
        epoch_loss_count_ = 0;
        save();
        if (progress_) progress_(progress_record(epoch_, s.batches_per_epoch, true));
        if (s.patience > 0 && validation_ && since_best_ >= s.patience) {
            finish(result, StopReason::early_stopped);
            return result;
        }
    }
    finish(result, StopReason::epochs_done);
    return result;
}

}  // namespace nofold::train
