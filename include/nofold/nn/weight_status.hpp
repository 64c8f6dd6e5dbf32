// nofold::nn — WeightStatus: what set_weights reports (success, or the expected and given counts).
//
// Heap-free: checking a status never allocates; only message() (and the implicit conversion to
// std::string, kept for code written against the former `std::string set_weights`, where an empty
// string meant success) builds text. Firmware uses ok() and never links the string code.
// Units: counts of floats. Latency: none. Allocates: message() and the std::string conversion only.
#pragma once

#include <cstddef>
#include <string>

namespace nofold::nn {

class WeightStatus {
public:
    constexpr WeightStatus(std::size_t expected, std::size_t given) noexcept : expected_(expected), given_(given) {}

    /// The weights were taken.
    constexpr bool ok() const noexcept { return expected_ == given_; }
    /// Same as ok() ("no error text"), so `set_weights(...).empty()` reads as it did with the string API.
    constexpr bool empty() const noexcept { return ok(); }
    constexpr std::size_t expected() const noexcept { return expected_; }
    constexpr std::size_t given() const noexcept { return given_; }
    /// "" on success, else "expected N weights, got M".
    std::string message() const {
        return ok() ? std::string() : "expected " + std::to_string(expected_) + " weights, got " + std::to_string(given_);
    }
    operator std::string() const { return message(); }  // NOLINT: implicit on purpose (see above)

private:
    std::size_t expected_;
    std::size_t given_;
};

}  // namespace nofold::nn
