// nofold::nn::detail — AlignedBuffer: a zero-initialised float array aligned to nofold::alignment.
// Units: floats. Latency: none.
// Allocates: on construction and resize only. RT-safe: data(), size(), fill().
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "../../config.hpp"

namespace nofold::nn::detail {

class AlignedBuffer {
public:
    AlignedBuffer() = default;
    explicit AlignedBuffer(std::size_t n) { resize(n); }
    AlignedBuffer(const AlignedBuffer& other) { *this = other; }
    AlignedBuffer& operator=(const AlignedBuffer& other) {
        if (this != &other) {
            resize(other.size_);
            for (std::size_t i = 0; i < size_; ++i) data_[i] = other.data_[i];
        }
        return *this;
    }
    // A moved std::vector keeps its heap block, so the aligned pointer stays valid.
    AlignedBuffer(AlignedBuffer&&) noexcept = default;
    AlignedBuffer& operator=(AlignedBuffer&&) noexcept = default;

    void resize(std::size_t n) {
        constexpr std::size_t pad = alignment / sizeof(float);
        storage_.assign(n + pad, 0.0f);
        auto address = reinterpret_cast<std::uintptr_t>(storage_.data());
        const std::size_t misalign = (alignment - address % alignment) % alignment;
        data_ = storage_.data() + misalign / sizeof(float);
        size_ = n;
    }
    float* data() noexcept { return data_; }
    const float* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    std::size_t bytes() const noexcept { return storage_.capacity() * sizeof(float); }
    void fill(float v) noexcept { std::fill(data_, data_ + size_, v); }

private:
    std::vector<float> storage_;
    float* data_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace nofold::nn::detail
