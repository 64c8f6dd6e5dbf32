// nofold::io::read_nam — reads a Neural Amp Modeler `.nam` file (versions 0.5 … 0.7) into a validated
// ModelFile: WaveNet (every key of docs/model-formats.md §2, nested `condition_dsp` included), LSTM, Linear, ConvNet,
// SlimmableContainer and Sequential.
//
// Keys are interpreted by presence, not by the version string. Inside `config` every key must be
// known (an unknown key could change the computation, so it is refused and named); unknown top-level
// and metadata keys are kept as warnings. The weight count must match the configuration exactly and
// every weight must be finite as a float; otherwise a LoadError names the file, the JSON path and
// the reason ("expected 13802 weights, file has 13801").
//
// Units: sample rates in Hz. Latency: none. Allocates: yes (loading only; never on a real-time path).
// Reference: docs/model-formats.md §1–6.
#pragma once

#include <string>

#include "detail/nam_parts.hpp"
#include "model_file.hpp"

namespace nofold::io {

/// Reads a .nam document already in memory. `file_name` is used in error messages only.
ModelFile read_nam(const std::string& file_name, const std::string& text);

/// Reads a .nam file from disk.
ModelFile read_nam_file(const std::string& path);

// ============================================================================================
// Implementation
// ============================================================================================

inline ModelFile read_nam(const std::string& file_name, const std::string& text) {
    const json::Document doc = detail::parse_document(file_name, text);
    const detail::Source src(file_name, doc);
    return detail::read_nam_object(src, doc.root(), "$", 0);
}

inline ModelFile read_nam_file(const std::string& path) { return read_nam(path, detail::read_text(path)); }

}  // namespace nofold::io
