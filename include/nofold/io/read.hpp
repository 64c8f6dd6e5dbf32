// nofold::io::read_model_file — reads any supported model file, recognising the format by the keys
// present: `architecture` → NAM .nam; `model_data`/`state_dict` → GuitarML SimpleRNN; `in_shape` +
// `layers` → Keras/AIDA-X. The file is parsed once.
//
// Units: sample rates in Hz. Latency: none. Allocates: yes (loading only; never on a real-time path).
// Reference: docs/model-formats.md.
#pragma once

#include <string>

#include "guitarml_reader.hpp"
#include "keras_reader.hpp"
#include "nam_reader.hpp"

namespace nofold::io {

/// Options for reading (not for running) a model file.
struct ReadOptions {
    /// Training rate assumed for formats that do not store one (GuitarML: 44.1 kHz in practice).
    /// 0 leaves it unknown.
    double guitarml_sample_rate_hz = 44100.0;
};

/// Reads a model from text already in memory. `file_name` appears in error messages only.
ModelFile read_model_text(const std::string& file_name, const std::string& text, const ReadOptions& options = {});

/// Reads a model file from disk (LoadError on any problem; never a half-read model).
ModelFile read_model_file(const std::string& path, const ReadOptions& options = {});

// ============================================================================================
// Implementation
// ============================================================================================

inline ModelFile read_model_text(const std::string& file_name, const std::string& text, const ReadOptions& options) {
    const json::Document doc = detail::parse_document(file_name, text);
    const detail::Source src(file_name, doc);
    const json::Value& root = doc.root();
    if (!root.is_object())
        src.fail(root, "$", "not a model file: expected a JSON object, found " + detail::describe(root));
    if (root.find("architecture")) return detail::read_nam_object(src, root, "$", 0);
    if (root.find("model_data") || root.find("state_dict")) return detail::read_guitarml_root(src, options.guitarml_sample_rate_hz);
    if (root.find("in_shape") || root.find("layers")) return detail::read_keras_root(src);
    src.fail(root, "$",
             "not a recognised model file: expected the keys of a .nam file (architecture, config, weights), a "
             "GuitarML file (model_data, state_dict) or a Keras/AIDA-X file (in_shape, layers)");
}

inline ModelFile read_model_file(const std::string& path, const ReadOptions& options) {
    return read_model_text(path, detail::read_text(path), options);
}

}  // namespace nofold::io
