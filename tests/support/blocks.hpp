// Test support: driving a block processor — fixed-size blocks over a whole signal, or random block
// lengths (zero included) for the "any split gives the same output" claims.
#pragma once

#include <algorithm>
#include <cstddef>
#include <random>
#include <vector>

namespace nofold::test {

/// y = m.process(x) in blocks of `block` frames (the last one shorter). M: anything with
/// process(const float*, float*, int).
template <class M>
std::vector<float> run_blocks(M& m, const std::vector<float>& x, int block) {
    std::vector<float> y(x.size());
    for (std::size_t i = 0; i < x.size(); i += static_cast<std::size_t>(block))
        m.process(x.data() + i, y.data() + i,
                  static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(block), x.size() - i)));
    return y;
}

/// Splits [0, n) into consecutive blocks of lengths drawn uniformly from 0 … max_block by `rng`
/// (the last one cut at n) and calls step(pos, length) for each, zero-length blocks included.
/// Allocates nothing itself, so it may run inside an AllocationScope.
template <class Step>
void random_blocks(int n, int max_block, std::mt19937& rng, Step&& step) {
    std::uniform_int_distribution<int> len(0, max_block);
    for (int pos = 0; pos < n;) {
        const int m = std::min(len(rng), n - pos);
        step(pos, m);
        pos += m;
    }
}

}  // namespace nofold::test
