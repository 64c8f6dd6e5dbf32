// nofold::io::Metadata — what a model file says about itself besides its weights.
//
// Filled by every reader; absent values stay empty (std::optional / empty string). `extra` keeps
// every other scalar metadata entry as text ("training.data.checks.passed" → "true") so that callers
// can show what the file carries without nofold knowing each key.
// Units: sample_rate_hz in Hz; loudness in dB (NAM's measured output loudness); input/output levels in
// dBu (the reamp calibration); gain is NAM's dimensionless "gain" estimate.
// Latency: none. Allocates: on construction and copy (loading only).
// Reference: docs/model-formats.md §1 (metadata keys), §7 (GuitarML), §8 (AIDA-X).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nofold::io {

/// The format a model was read from.
enum class FileFormat { nam, guitarml, keras };

inline const char* to_string(FileFormat f) noexcept {
    switch (f) {
        case FileFormat::nam: return "nam";
        case FileFormat::guitarml: return "guitarml";
        case FileFormat::keras: return "keras";
    }
    return "?";
}

/// Descriptive fields of a model file.
struct Metadata {
    FileFormat format = FileFormat::nam;
    std::string version;                  ///< the file's version string ("0.5.4"); empty if none
    std::optional<double> sample_rate_hz; ///< training rate when the file stores it
    /// Rate the reader assumed because the format stores none (GuitarML: ReadOptions, 44.1 kHz).
    std::optional<double> assumed_sample_rate_hz;
    std::optional<double> loudness_db;
    std::optional<double> input_level_dbu;
    std::optional<double> output_level_dbu;
    std::optional<double> gain;
    std::string name;
    std::string modeled_by;
    std::string gear_type;
    std::string gear_make;
    std::string gear_model;
    std::string tone_type;
    std::string date;                     ///< "YYYY-MM-DD hh:mm:ss" when the file has one
    std::vector<std::pair<std::string, std::string>> extra;  ///< other metadata, flattened to text
};

}  // namespace nofold::io
