// Claims about include/nofold/train/trainer.hpp: a run's parameters are bit-identical for 1, 2 and 3
// threads (feed-forward and carried-state models); a run stopped by the flag and resumed from its
// checkpoint ends bit-identical to an uninterrupted one; a batch allocates nothing after the first;
// the loop lowers the loss on a learnable target (reference: the loss of the initial parameters,
// measured by the same validation function); early stopping keeps the best epoch; bad settings and
// bad checkpoints are refused with a message.
#include <doctest/doctest.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nofold/train/recurrent_gradient.hpp>
#include <nofold/train/trainer.hpp>
#include <nofold/train/wavenet_gradient.hpp>

#include "support/alloc_counter.hpp"

namespace nn = nofold::nn;
namespace train = nofold::train;

namespace {

using WaveNet = train::WaveNetGradient<double>;
using Recurrent = train::RecurrentGradient<double>;

nn::WaveNetConfig tiny_wavenet() {
    nn::WaveNetConfig c;
    nn::LayerArrayConfig a;
    a.input_size = 1;
    a.channels = 3;
    a.kernel_sizes = {2};
    a.dilations = {1, 2, 4};
    a.activations = {nn::ActivationSpec{"Tanh", {}}};
    a.head.out_channels = 1;
    c.layers = {a};
    return c;
}

std::unique_ptr<WaveNet> make_wavenet() {
    std::string error;
    auto m = WaveNet::create(tiny_wavenet(), error);
    REQUIRE_MESSAGE(m, error);
    return m;
}

std::vector<double> initial(std::size_t n, std::uint64_t seed) {
    train::Random r(seed, 999);
    std::vector<double> p(n);
    for (double& v : p) v = r.uniform(-0.5, 0.5);
    p.back() = 1.0;
    return p;
}

// The device: y[n] = tanh(2 (0.6 x[n] + 0.3 x[n−1] − 0.2 x[n−3])).
double device(const double* x, std::size_t n, std::size_t i) {
    const auto at = [&](std::size_t k) { return i >= k ? x[i - k] : 0.0; };
    (void)n;
    return std::tanh(2.0 * (0.6 * at(0) + 0.3 * at(1) - 0.2 * at(3)));
}

// Each item: uniform noise; the target is the device over the whole sequence, kept after the warm-up.
void fill(const train::TrainerSettings& s, const train::BatchRequest& r, double* in, double* target) {
    const std::size_t len = s.warmup + s.frames_per_batch * s.frame_length;
    for (std::size_t i = 0; i < len; ++i) in[i] = r.random->uniform(-1.0, 1.0);
    for (std::size_t i = 0; i < s.frames_per_batch * s.frame_length; ++i) target[i] = device(in, len, s.warmup + i);
}

train::TrainerSettings settings(int threads) {
    train::TrainerSettings s;
    s.items = 5;
    s.frame_length = 64;
    s.warmup = 7;  // the tiny WaveNet's history
    s.frames_per_batch = 2;
    s.batches_per_epoch = 4;
    s.epochs = 3;
    s.threads = threads;
    s.seed = 11;
    s.adam.learning_rate = 0.01;
    s.loss.pre_emphasis = train::PreEmphasis::none;
    s.loss.weights = train::LossWeights{1.0, 0.0, 0.0, 0.0};
    return s;
}

// Validation: ESR of the model over a fixed noise sequence (forward of a fresh gradient object).
double validate(const double* p) {
    static const std::vector<double> x = [] {
        train::Random r(5, 5);
        std::vector<double> v(600);
        for (double& s : v) s = r.uniform(-1.0, 1.0);
        return v;
    }();
    auto m = make_wavenet();
    std::vector<double> y(x.size());
    m->forward(p, x.data(), static_cast<int>(x.size()), y.data());
    double e = 0, t = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double d = device(x.data(), x.size(), i);
        e += (y[i] - d) * (y[i] - d);
        t += d * d;
    }
    return e / t;
}

train::TrainerResult run_wavenet(const train::TrainerSettings& s, std::vector<double>* final_params = nullptr,
                                 const std::atomic<bool>* stop = nullptr, std::size_t stop_after = 0) {
    const std::size_t count = make_wavenet()->parameter_count();
    train::Trainer<WaveNet> trainer(s, make_wavenet, initial(count, 3));
    trainer.set_batch_source([&](const train::BatchRequest& r, double* in, double* t) { fill(s, r, in, t); });
    trainer.set_validation(validate);
    std::atomic<bool> own{false};
    std::size_t batches = 0;
    if (stop_after > 0) {
        trainer.set_stop_flag(&own);
        trainer.set_progress([&](const train::TrainerProgress& p) {
            if (!p.epoch_end && ++batches == stop_after) own = true;
        });
    } else if (stop) {
        trainer.set_stop_flag(stop);
    }
    train::TrainerResult r = trainer.run();
    if (final_params) *final_params = trainer.parameters();
    return r;
}

std::string temp_path(const char* name) { return std::string("/tmp/nofold_trainer_test_") + name; }

}  // namespace

TEST_CASE("trainer: the loss falls and the best validation is kept") {
    train::TrainerSettings s = settings(1);
    s.epochs = 6;
    const std::size_t count = make_wavenet()->parameter_count();
    const double before = validate(initial(count, 3).data());
    const train::TrainerResult r = run_wavenet(s);
    REQUIRE(r.history.size() == 6);
    CHECK(r.reason == train::StopReason::epochs_done);
    CHECK(r.steps == 6 * 4 * 2);
    CHECK(r.best_validation < 0.5 * before);
    // The kept parameters are the ones whose validation is reported.
    CHECK(validate(r.best_parameters.data()) == r.best_validation);
    double best = before;
    for (const auto& e : r.history) best = std::min(best, e.validation);
    CHECK(r.best_validation == best);
}

TEST_CASE("trainer: bit-identical parameters for 1, 2 and 3 threads and any kept_forwards (feed-forward)") {
    // the whole batch's forwards, then the loss, then the backwards (item_by_item off)
    std::vector<double> p1, p2, p3, all, one;
    train::TrainerSettings s = settings(1);
    s.item_by_item = false;
    run_wavenet(s, &p1);  // 5 items, 4 forwards kept: the first item's forward is recomputed
    s.threads = 2;
    run_wavenet(s, &p2);
    s.threads = 3;
    run_wavenet(s, &p3);
    CHECK(p1 == p2);
    CHECK(p1 == p3);
    s.threads = 1;
    s.kept_forwards = 0;  // every forward kept
    run_wavenet(s, &all);
    s.kept_forwards = 1;  // every forward but the last recomputed
    run_wavenet(s, &one);
    CHECK(p1 == all);
    CHECK(p1 == one);
}

TEST_CASE("trainer: item by item (ESR alone) gives the batch-at-once parameters bit for bit, on any thread count") {
    for (train::PreEmphasis f : {train::PreEmphasis::none, train::PreEmphasis::high_pass, train::PreEmphasis::low_pass}) {
        CAPTURE(static_cast<int>(f));
        train::TrainerSettings s = settings(1);
        s.loss.pre_emphasis = f;
        s.item_by_item = false;
        std::vector<double> batch, item1, item2, item3;
        const train::TrainerResult rb = run_wavenet(s, &batch);
        s.item_by_item = true;
        const train::TrainerResult r1 = run_wavenet(s, &item1);
        s.threads = 2;
        run_wavenet(s, &item2);
        s.threads = 3;
        run_wavenet(s, &item3);
        REQUIRE(batch.size() == item1.size());
        CHECK(batch == item1);
        CHECK(item1 == item2);
        CHECK(item1 == item3);
        // the loss values: the error summed per item, then over items, so within rounding
        REQUIRE(rb.history.size() == r1.history.size());
        for (std::size_t e = 0; e < rb.history.size(); ++e)
            CHECK(std::abs(rb.history[e].train_loss - r1.history[e].train_loss) <= 1e-12 * rb.history[e].train_loss);
    }
}

TEST_CASE("trainer: carried state (GRU, truncated BPTT) is bit-identical across thread counts and learns") {
    const auto make = [] { return std::make_unique<Recurrent>(train::Cell::gru, 1, 4, 1); };
    const std::size_t count = make()->parameter_count();
    train::TrainerSettings s = settings(1);
    s.state = train::StateMode::carried;
    s.warmup = 16;
    s.frames_per_batch = 3;
    s.frame_length = 32;
    s.epochs = 4;
    s.adam.learning_rate = 0.02;
    std::vector<double> first;
    double first_loss = 0, last_loss = 0;
    for (int threads : {1, 2, 3}) {
        s.threads = threads;
        train::Trainer<Recurrent> trainer(s, make, initial(count, 4));
        trainer.set_batch_source([&](const train::BatchRequest& r, double* in, double* t) { fill(s, r, in, t); });
        const train::TrainerResult r = trainer.run();
        REQUIRE(r.history.size() == 4);
        if (threads == 1) {
            first = trainer.parameters();
            first_loss = r.history.front().train_loss;
            last_loss = r.history.back().train_loss;
        } else {
            CHECK(trainer.parameters() == first);
        }
    }
    CHECK(last_loss < 0.7 * first_loss);
}

TEST_CASE("trainer: stop flag, checkpoint and resume end bit-identical to an uninterrupted run") {
    const std::string path = temp_path("resume.ckpt");
    std::remove(path.c_str());
    train::TrainerSettings s = settings(2);
    s.epochs = 4;
    std::vector<double> straight;
    const train::TrainerResult a = run_wavenet(s, &straight);

    s.checkpoint_path = path;
    s.resume = true;
    std::vector<double> stopped;
    const train::TrainerResult b = run_wavenet(s, &stopped, nullptr, 6);  // stop inside epoch 2
    CHECK(b.reason == train::StopReason::stop_flag);
    CHECK(b.epochs_completed == 1);
    CHECK(stopped != straight);
    s.threads = 1;  // resume on another thread count
    std::vector<double> resumed;
    const train::TrainerResult c = run_wavenet(s, &resumed);
    CHECK(c.resumed);
    CHECK(c.reason == train::StopReason::epochs_done);
    CHECK(resumed == straight);
    CHECK(c.best_parameters == a.best_parameters);
    CHECK(c.best_validation == a.best_validation);
    REQUIRE(c.history.size() == a.history.size());
    for (std::size_t i = 0; i < a.history.size(); ++i) {
        CHECK(c.history[i].train_loss == a.history[i].train_loss);
        CHECK(c.history[i].validation == a.history[i].validation);
    }

    // A checkpoint of another shape is refused by name.
    s.items = 4;
    CHECK_THROWS_WITH_AS(run_wavenet(s), doctest::Contains("another items"), train::CheckpointError);
    std::remove(path.c_str());
}

TEST_CASE("trainer: a batch allocates nothing after the first") {
    for (int threads : {1, 2})
    for (bool by_item : {true, false}) {
        train::TrainerSettings s = settings(threads);
        s.item_by_item = by_item;
        const std::size_t count = make_wavenet()->parameter_count();
        train::Trainer<WaveNet> trainer(s, make_wavenet, initial(count, 3));
        trainer.set_batch_source([&](const train::BatchRequest& r, double* in, double* t) { fill(s, r, in, t); });
        trainer.train_batch(0, 0);
        nofold::test::AllocationScope scope;
        trainer.train_batch(0, 1);
        trainer.train_batch(1, 0);
        CHECK(scope.allocations() == 0);
    }
}

TEST_CASE("trainer: early stopping after `patience` epochs without a better validation") {
    train::TrainerSettings s = settings(1);
    s.epochs = 20;
    s.patience = 2;
    const std::size_t count = make_wavenet()->parameter_count();
    train::Trainer<WaveNet> trainer(s, make_wavenet, initial(count, 3));
    trainer.set_batch_source([&](const train::BatchRequest& r, double* in, double* t) { fill(s, r, in, t); });
    // Validation: 1 initially, then 0.5 after epoch 1, then worse.
    std::vector<double> values = {1.0, 0.5, 0.7, 0.6, 0.1};
    std::size_t calls = 0;
    std::vector<double> after_epoch1;
    trainer.set_validation([&](const double* p) {
        if (calls == 1) after_epoch1.assign(p, p + count);
        return values[calls++];
    });
    const train::TrainerResult r = trainer.run();
    CHECK(r.reason == train::StopReason::early_stopped);
    CHECK(r.epochs_completed == 3);
    CHECK(r.best_epoch == 1);
    CHECK(r.best_validation == 0.5);
    CHECK(r.best_parameters == after_epoch1);
}

TEST_CASE("trainer: a candidate the admission refuses never becomes the best, and is asked only when it would") {
    train::TrainerSettings s = settings(1);
    s.epochs = 4;
    const std::size_t count = make_wavenet()->parameter_count();
    train::Trainer<WaveNet> trainer(s, make_wavenet, initial(count, 3));
    trainer.set_batch_source([&](const train::BatchRequest& r, double* in, double* t) { fill(s, r, in, t); });
    // Validation: 1 initially, then 0.5, 0.7, 0.2, 0.6 after epochs 1-4; the admission refuses 0.2.
    const std::vector<double> values = {1.0, 0.5, 0.7, 0.2, 0.6};
    std::size_t calls = 0;
    std::vector<double> last, after_epoch1;
    trainer.set_validation([&](const double* p) {
        last.assign(p, p + count);
        if (calls == 1) after_epoch1 = last;
        return values[calls++];
    });
    std::vector<std::size_t> asked;  // the validation call each admission question followed
    trainer.set_admission([&](const double* p) {
        CHECK(std::vector<double>(p, p + count) == last);  // asked about the parameters just validated
        asked.push_back(calls - 1);
        return calls - 1 != 3;
    });
    const train::TrainerResult r = trainer.run();
    CHECK(r.epochs_completed == 4);
    CHECK(asked == std::vector<std::size_t>{0, 1, 3});  // 0.7 and 0.6 were never better than 0.5
    CHECK(r.best_epoch == 1);
    CHECK(r.best_validation == 0.5);
    CHECK(r.best_parameters == after_epoch1);
}

TEST_CASE("trainer: bad settings are refused with a message") {
    const std::size_t count = make_wavenet()->parameter_count();
    train::TrainerSettings s = settings(1);
    s.warmup = 6;
    CHECK_THROWS_WITH_AS(train::Trainer<WaveNet>(s, make_wavenet, initial(count, 3)), doctest::Contains("history of 7"),
                         std::invalid_argument);
    s = settings(1);
    CHECK_THROWS_WITH_AS(train::Trainer<WaveNet>(s, make_wavenet, initial(count + 1, 3)), doctest::Contains("initial parameters"),
                         std::invalid_argument);
    s.items = 0;
    CHECK_THROWS_AS(train::Trainer<WaveNet>(s, make_wavenet, initial(count, 3)), std::invalid_argument);
    s = settings(1);
    s.state = train::StateMode::carried;
    CHECK_THROWS_WITH_AS(train::Trainer<WaveNet>(s, make_wavenet, initial(count, 3)), doctest::Contains("carry"),
                         std::invalid_argument);
    s = settings(1);
    train::Trainer<WaveNet> trainer(s, make_wavenet, initial(count, 3));
    CHECK_THROWS_AS(trainer.run(), std::logic_error);
}
