// Claims about multi-channel processing with shared weights (nofold::Model::set_channels /
// process_channels, implemented by nn/recurrent.hpp for LSTM and GRU): for C = 2 and 3 channels,
// static and runtime shapes, one and two layers, integer and fractional rate factors, each channel's
// output equals a separate mono instance with the same weights fed that channel, bit for bit (the
// reference is independent state, not the code path under test: a second object); prewarm and reset
// cover every channel; process_channels never allocates; models without support answer 1 channel.
#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <vector>

#include <nofold/model.hpp>
#include <nofold/nn/recurrent_model.hpp>

#include "support/alloc_counter.hpp"

using namespace nofold;

namespace {

std::vector<float> random_vector(std::size_t n, unsigned seed, float scale) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-scale, scale);
    std::vector<float> v(n);
    for (float& x : v) x = dist(gen);
    return v;
}

// Runs `make()` once with C channels and C times as mono; compares every output sample exactly.
template <class Make>
void check_channels(Make&& make, int channels, double rate) {
    std::unique_ptr<Model> multi = make();
    REQUIRE(multi->set_channels(channels) == channels);
    CHECK(multi->channels() == channels);
    REQUIRE(multi->set_rate_factor(rate) == RateFactorStatus::ok);
    multi->prewarm();
    const int n = 2000;
    std::vector<std::vector<float>> x, y(static_cast<std::size_t>(channels), std::vector<float>(n));
    for (int c = 0; c < channels; ++c) x.push_back(random_vector(n, 100u + static_cast<unsigned>(c), 0.8f));
    std::vector<const float*> in;
    std::vector<float*> out;
    for (int c = 0; c < channels; ++c) {
        in.push_back(x[static_cast<std::size_t>(c)].data());
        out.push_back(y[static_cast<std::size_t>(c)].data());
    }
    {
        nofold::test::AllocationScope scope;
        for (int done = 0; done < n;) {
            const int m = std::min(n - done, 37 + done % 64);
            const float* ins[3];
            float* outs[3];
            for (int c = 0; c < channels; ++c) {
                ins[c] = in[static_cast<std::size_t>(c)] + done;
                outs[c] = out[static_cast<std::size_t>(c)] + done;
            }
            multi->process_channels(ins, outs, channels, m);
            done += m;
        }
        CHECK(scope.allocations() == 0);
    }
    for (int c = 0; c < channels; ++c) {
        std::unique_ptr<Model> mono = make();
        REQUIRE(mono->set_rate_factor(rate) == RateFactorStatus::ok);
        mono->prewarm();
        std::vector<float> ref(n);
        mono->process(x[static_cast<std::size_t>(c)].data(), ref.data(), n);
        INFO("channel " << c << " of " << channels << ", rate " << rate);
        CHECK(y[static_cast<std::size_t>(c)] == ref);
    }
}

}  // namespace

TEST_CASE("LSTM/GRU: C channels through shared weights equal C mono instances bit for bit") {
    const auto lstm16 = [] {
        auto m = std::make_unique<ModelFor<nn::LstmModel<1, 16, 1>>>(1, 16, 1);
        const auto w = random_vector(m->get().weight_count(), 7, 0.4f);
        REQUIRE(m->get().set_weights(w.data(), w.size()).ok());
        return std::unique_ptr<Model>(std::move(m));
    };
    const auto gru2x12 = [] {
        using Gru = nn::GruModel<nn::dynamic, nn::dynamic, nn::dynamic>;
        auto m = std::make_unique<ModelFor<Gru>>(1, 12, 2);
        const auto w = random_vector(m->get().weight_count(), 8, 0.4f);
        REQUIRE(m->get().set_weights(w.data(), w.size()).ok());
        return std::unique_ptr<Model>(std::move(m));
    };
    for (int channels : {2, 3})
        for (double rate : {1.0, 2.0, 1.5}) {
            check_channels(lstm16, channels, rate);
            check_channels(gru2x12, channels, rate);
        }
}

TEST_CASE("models without multi-channel support answer one channel and process channel 0") {
    class Gain final : public Model {
    public:
        void process(const float* in, float* out, int n) noexcept override {
            for (int i = 0; i < n; ++i) out[i] = 2.0f * in[i];
        }
        void reset() noexcept override {}
        void prewarm() noexcept override {}
        int latency() const noexcept override { return 0; }
        int receptive_field() const noexcept override { return 1; }
        double flops_per_sample() const noexcept override { return 1; }
        RateFactorStatus set_rate_factor(double) noexcept override { return RateFactorStatus::ok; }
        double rate_factor() const noexcept override { return 1; }
        double max_rate_factor() const noexcept override { return 1; }
        std::size_t memory_bytes() const noexcept override { return sizeof(*this); }
        const char* implementation_name() const noexcept override { return "gain"; }
    } gain;
    CHECK(gain.set_channels(2) == 1);
    CHECK(gain.channels() == 1);
    float a[2] = {1.0f, 2.0f}, b[2] = {0.0f, 0.0f};
    const float* in[1] = {a};
    float* out[1] = {b};
    gain.process_channels(in, out, 1, 2);
    CHECK(b[1] == 4.0f);
}
