// nofold::io::LoadError — why a model file was refused: which file, where in it, and why.
//
// Every loader error is a LoadError whose what() reads like
//   `models/amp.nam:12:7: $.config.layers[1].channels: expected an integer, found 2.5`
// (file, line:column when known, JSON path when known, then the reason). Loaders never return a
// partially loaded model: they throw before anything is built.
// Units: none. Latency: none. Allocates: on construction (loading only; never on a real-time path).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace nofold::io {

/// A model file that cannot be used, with its location and a one-sentence reason.
class LoadError : public std::runtime_error {
public:
    /// line/column are 1-based; 0 when unknown (e.g. the file could not be opened).
    LoadError(std::string file, std::string json_path, std::string reason, int line = 0, int column = 0)
        : std::runtime_error(format(file, json_path, reason, line, column)),
          file_(std::move(file)),
          json_path_(std::move(json_path)),
          reason_(std::move(reason)),
          line_(line),
          column_(column) {}

    const std::string& file() const noexcept { return file_; }
    /// JSON path such as `$.config.layers[0].dilations`; empty when the error is not about one value.
    const std::string& json_path() const noexcept { return json_path_; }
    const std::string& reason() const noexcept { return reason_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }

private:
    static std::string format(const std::string& file, const std::string& path, const std::string& reason, int line,
                              int column) {
        std::string s = file.empty() ? std::string("<memory>") : file;
        if (line > 0) s += ":" + std::to_string(line) + ":" + std::to_string(column);
        s += ": ";
        if (!path.empty()) s += path + ": ";
        return s + reason;
    }

    std::string file_;
    std::string json_path_;
    std::string reason_;
    int line_;
    int column_;
};

}  // namespace nofold::io
