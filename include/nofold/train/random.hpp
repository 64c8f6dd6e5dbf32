// nofold::train::Random — a small, seedable, splittable random source for training data.
#pragma once

#include <array>
#include <cstdint>

namespace nofold::train {

/// xoshiro256** generator seeded through splitmix64. Random(seed, stream) gives the stream-th
/// independent sequence of a seed (one per thread or per batch item), so a run's data depend on the
/// seed and the stream numbers only, never on thread scheduling. The full state is four 64-bit words
/// (state() / set_state()) and is saved in checkpoints.
/// Allocates: never. All members noexcept.
/// Reference: D. Blackman, S. Vigna, "Scrambled linear pseudorandom number generators", ACM TOMS
/// 47(4), 2021 (xoshiro256**, splitmix64).
class Random {
public:
    using State = std::array<std::uint64_t, 4>;

    explicit Random(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept {
        // Two splitmix64 passes: one over the seed, one over the stream number, so that (seed, stream)
        // pairs that differ in either give unrelated states.
        std::uint64_t x = seed;
        std::uint64_t y = splitmix64(x) ^ (stream * 0xd1342543de82ef95ULL);
        for (auto& w : s_) w = splitmix64(y);
        if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is a fixed point
    }

    /// Next 64 random bits.
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    /// Uniform on [0, 1) with 53 random bits.
    double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    /// Uniform on [lo, hi).
    double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }

    const State& state() const noexcept { return s_; }
    void set_state(const State& s) noexcept { s_ = s; }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

    State s_{};
};

}  // namespace nofold::train
