// Test support: the multi-channel claim of nofold::Model (set_channels / process_channels): C channels
// through one instance equal C separate mono instances fed those channels, bit for bit. The reference
// is independent state (fresh objects processing one channel each through process()).
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include <nofold/model.hpp>

#include "alloc_counter.hpp"
#include "signals.hpp"

namespace nofold::test {

/// make() returns a std::unique_ptr<Model> with set weights. One instance with `channels` channels at
/// `rate` runs n samples per channel in blocks of `block` after prewarm(), then again after reset();
/// each mono instance (make() again) runs its channel through the same sequence. Every output sample
/// must be equal; process_channels must not allocate.
template <class Make>
void require_channels_equal_mono(Make&& make, int channels, double rate, int block, int n = 1200) {
    INFO("channels " << channels << ", rate " << rate << ", block " << block);
    REQUIRE(channels <= 8);
    std::unique_ptr<Model> multi = make();
    REQUIRE(multi->set_channels(channels) == channels);
    CHECK(multi->channels() == channels);
    REQUIRE(multi->set_rate_factor(rate) == RateFactorStatus::ok);
    const std::size_t len = static_cast<std::size_t>(n);
    std::vector<std::vector<float>> x, y(static_cast<std::size_t>(2 * channels), std::vector<float>(len));
    for (int c = 0; c < channels; ++c) x.push_back(uniform_noise(len, 100u + static_cast<unsigned>(c), 0.8f));
    // pass 0 after prewarm, pass 1 after reset
    for (int pass = 0; pass < 2; ++pass) {
        if (pass == 0) multi->prewarm();
        else multi->reset();
        AllocationScope scope;
        const float* in[8];
        float* out[8];
        for (int done = 0; done < n;) {
            const int m = std::min(n - done, block);
            for (int c = 0; c < channels; ++c) {
                in[c] = x[static_cast<std::size_t>(c)].data() + done;
                out[c] = y[static_cast<std::size_t>(pass * channels + c)].data() + done;
            }
            multi->process_channels(in, out, channels, m);
            done += m;
        }
        CHECK(scope.allocations() == 0);
    }
    for (int c = 0; c < channels; ++c) {
        std::unique_ptr<Model> mono = make();
        REQUIRE(mono->set_rate_factor(rate) == RateFactorStatus::ok);
        for (int pass = 0; pass < 2; ++pass) {
            if (pass == 0) mono->prewarm();
            else mono->reset();
            std::vector<float> ref(len);
            for (int done = 0; done < n; done += block)
                mono->process(x[static_cast<std::size_t>(c)].data() + done, ref.data() + done, std::min(n - done, block));
            INFO("channel " << c << (pass == 0 ? " after prewarm" : " after reset"));
            CHECK(y[static_cast<std::size_t>(pass * channels + c)] == ref);
        }
    }
}

}  // namespace nofold::test
