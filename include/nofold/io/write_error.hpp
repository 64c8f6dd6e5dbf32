// nofold::io::WriteError — why a model file (or any file nofold writes) was not written: which
// file and why. A WriteError means the destination was left as it was (writes go to a temporary
// file that is renamed over the destination only when complete).
// Units: none. Latency: none. Allocates: on construction (writing only; never on a real-time path).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace nofold::io {

/// A file that could not be written, with a one-sentence reason.
class WriteError : public std::runtime_error {
public:
    WriteError(std::string file, std::string reason)
        : std::runtime_error((file.empty() ? std::string("<memory>") : file) + ": " + reason),
          file_(std::move(file)),
          reason_(std::move(reason)) {}

    const std::string& file() const noexcept { return file_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::string file_;
    std::string reason_;
};

}  // namespace nofold::io
