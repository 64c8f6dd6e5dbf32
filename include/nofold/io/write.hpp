// nofold::io::rewrite_model_text / write_model_file — write a model with new weights in the format
// and file it came from (.nam, GuitarML SimpleRNN JSON, Keras/AIDA-X JSON), for fine-tuning and
// training: every key, metadata field, unknown key, key order and spacing of the input is kept; only
// the numbers of the weights change (a weight whose value is unchanged keeps its spelling), plus,
// on request, `.nam` `metadata.loudness` and a record of how the new weights were made.
//
// Weights are the flat vector in nofold's order, exactly as `flat_weights(read_model_file(IN))`
// returns it: for .nam the file's own `weights` (a WaveNet's then its condition_dsp's, containers
// child by child); for GuitarML/Keras the layouts their readers produce (LSTM rows [W_ih | W_hh],
// one summed bias, zero h0/c0; GRU gate order r, z, n). Positions the format cannot store (an
// LSTM's initial state in GuitarML/Keras, a bias tensor the file lacks) must stay 0.
//
// The record (TrainingRecord) is appended to an array: `metadata.nofold_training` in a .nam
// (NAM Core and the NAM plugin ignore unknown metadata), the top-level key `nofold_training` in
// GuitarML/Keras JSON (their loaders read only the keys they know; nofold's readers skip it).
//
// Every result is read back with nofold's reader and its weights compared bit for bit before it is
// returned or written, so a written file always loads and holds exactly the weights given.
// Files are written atomically (io/atomic_file.hpp); writing over the input needs SameFile::allow.
//
// Units: loudness in dB. Latency: none. Allocates: yes (writing only; never on a real-time path).
// Reference: model-formats.md §1–3 (formats); training.md §1.8 (what a fine-tune must keep).
#pragma once

#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "../config.hpp"
#include "atomic_file.hpp"
#include "detail/json_text.hpp"
#include "detail/sha256.hpp"
#include "detail/weight_writer.hpp"
#include "read.hpp"
#include "write_error.hpp"

namespace nofold::io {

/// Key of the training-record array (in `.nam` metadata; at the top level of GuitarML/Keras JSON).
inline constexpr const char* training_record_key = "nofold_training";

/// A setting's value in a TrainingRecord.
using RecordValue = std::variant<bool, double, std::string>;

/// What made the new weights: written into the file as one JSON object.
struct TrainingRecord {
    std::string method;                                        ///< e.g. "antialias", "train"
    std::string date_utc;                                      ///< empty: the writer stamps the time (ISO 8601)
    std::string teacher_sha256;                                ///< empty: SHA-256 of the input file
    std::vector<std::pair<std::string, RecordValue>> settings; ///< e.g. {"epochs", 100.0}, {"lambda", 0.5}
    std::vector<std::pair<std::string, double>> before;        ///< figures of the input model (dB, ...)
    std::vector<std::pair<std::string, double>> after;         ///< the same figures for the written model
};

/// Whether writing the output over the input file is allowed.
enum class SameFile { refuse, allow };

struct WriteOptions {
    std::optional<double> loudness_db;     ///< .nam: set metadata.loudness; other formats carry none (ignored)
    std::optional<TrainingRecord> record;  ///< appended to the file's training-record array
    SameFile same_file = SameFile::refuse;
    ReadOptions read;                      ///< how the input (and the check of the output) is read
};

/// All weights of a model file in the order the writers take them (see the header comment).
std::vector<float> flat_weights(const ModelFile& file);

/// The text of `text` (a model file) with `weights` and the options applied. `file_name` is for
/// messages. Throws LoadError when the input is not a readable model, WriteError when the weights do
/// not fit it (count, non-finite values, values the format cannot store).
std::string rewrite_model_text(const std::string& file_name, const std::string& text, const std::vector<float>& weights,
                               const WriteOptions& options = {});

/// Reads `in_path`, applies rewrite_model_text and writes the result to `out_path` atomically.
void write_model_file(const std::string& in_path, const std::string& out_path, const std::vector<float>& weights,
                      const WriteOptions& options = {});

/// SHA-256 of a byte string, 64 lower-case hex digits (the record's teacher checksum).
inline std::string sha256_hex(std::string_view bytes) { return detail::sha256_hex(bytes); }

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

inline void append_flat(const nn::NestedModel& m, std::vector<float>& out) {
    out.insert(out.end(), m.weights.begin(), m.weights.end());
    if (const auto* w = std::get_if<nn::WaveNetConfig>(&m.config))
        if (w->condition_dsp) append_flat(*w->condition_dsp, out);
}

inline void append_flat(const ModelFile& f, std::vector<float>& out) {
    append_flat(f.model, out);
    for (const ModelFile& c : f.children) append_flat(c, out);
}

inline std::string utc_now_iso8601() {
    const std::time_t now = std::time(nullptr);
    const std::tm* t = std::gmtime(&now);
    char buf[32] = "";
    if (t == nullptr || std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", t) == 0) return "";
    return buf;
}

inline std::string figures_json(const std::vector<std::pair<std::string, double>>& figures) {
    std::string s = "{";
    for (std::size_t i = 0; i < figures.size(); ++i)
        s += (i ? ", " : "") + quote_json(figures[i].first) + ": " + format_double(figures[i].second);
    return s + "}";
}

inline std::string record_json(const TrainingRecord& r, const std::string& input_text) {
    std::string s = "{\"method\": " + quote_json(r.method);
    s += ", \"tool\": " + quote_json(std::string("nofold ") + NOFOLD_VERSION_STRING);
    s += ", \"date\": " + quote_json(r.date_utc.empty() ? utc_now_iso8601() : r.date_utc);
    s += ", \"teacher_sha256\": " + quote_json(r.teacher_sha256.empty() ? sha256_hex(input_text) : r.teacher_sha256);
    s += ", \"settings\": {";
    for (std::size_t i = 0; i < r.settings.size(); ++i) {
        s += (i ? ", " : "") + quote_json(r.settings[i].first) + ": ";
        const RecordValue& v = r.settings[i].second;
        if (const bool* b = std::get_if<bool>(&v)) s += *b ? "true" : "false";
        else if (const double* d = std::get_if<double>(&v)) s += format_double(*d);
        else s += quote_json(std::get<std::string>(v));
    }
    s += "}, \"before\": " + figures_json(r.before) + ", \"after\": " + figures_json(r.after) + "}";
    return s;
}

/// Edit that adds member `key: value_json` at the end of `object`.
inline TextEdit add_member(const std::string& text, const json::Value& object, std::string_view key,
                           const std::string& value_json) {
    const std::string member = quote_json(key) + ": " + value_json;
    if (object.size() == 0) {
        const std::size_t close = json_value_end(text, object.offset()) - 1;
        return {close, close, member};
    }
    const std::size_t after = json_value_end(text, object[object.size() - 1].offset());
    return {after, after, ", " + member};
}

/// Edits that append `element_json` to the array `key` of `object` (created when absent; an
/// existing non-array value becomes the array's first element).
inline void append_to_array_member(const std::string& text, const json::Value& object, std::string_view key,
                                   const std::string& element_json, std::vector<TextEdit>& edits) {
    const json::Value* a = object.find(key);
    if (a == nullptr) {
        edits.push_back(add_member(text, object, key, "[" + element_json + "]"));
    } else if (a->is_array() && a->size() > 0) {
        const std::size_t after = json_value_end(text, (*a)[a->size() - 1].offset());
        edits.push_back({after, after, ", " + element_json});
    } else if (a->is_array()) {
        const std::size_t close = json_value_end(text, a->offset()) - 1;
        edits.push_back({close, close, element_json});
    } else {
        const std::size_t end = json_value_end(text, a->offset());
        edits.push_back({a->offset(), end, "[" + text.substr(a->offset(), end - a->offset()) + ", " + element_json + "]"});
    }
}

}  // namespace detail

inline std::vector<float> flat_weights(const ModelFile& file) {
    std::vector<float> out;
    out.reserve(file.total_weights());
    detail::append_flat(file, out);
    return out;
}

inline std::string rewrite_model_text(const std::string& file_name, const std::string& text, const std::vector<float>& weights,
                                      const WriteOptions& options) {
    const ModelFile before = read_model_text(file_name, text, options.read);
    const std::size_t expected = before.total_weights();
    if (weights.size() != expected)
        throw WriteError(file_name, "expected " + std::to_string(expected) + " weights for this model, got " +
                                        std::to_string(weights.size()));
    for (std::size_t i = 0; i < weights.size(); ++i)
        if (!std::isfinite(weights[i])) throw WriteError(file_name, "weight " + std::to_string(i) + " is not finite");
    if (options.loudness_db && !std::isfinite(*options.loudness_db)) throw WriteError(file_name, "the loudness is not finite");

    const json::Document doc = detail::parse_document(file_name, text);
    const json::Value& root = doc.root();
    detail::WeightWriter writer(file_name, text, weights);
    const FileFormat format = before.metadata.format;
    if (format == FileFormat::nam) detail::write_nam_weights(root, writer);
    else if (format == FileFormat::guitarml) detail::write_guitarml_weights(root, writer);
    else detail::write_keras_weights(root, writer);
    if (writer.used() != weights.size())  // a walker out of step with its reader: never write such a file
        throw WriteError(file_name, "internal error: " + std::to_string(writer.used()) + " of " +
                                        std::to_string(weights.size()) + " weights placed");
    std::vector<detail::TextEdit> edits = std::move(writer.edits());

    const std::string record = options.record ? detail::record_json(*options.record, text) : std::string();
    if (format == FileFormat::nam) {
        const json::Value* md = root.find("metadata");
        std::string fields;  // members for a metadata object that does not exist yet
        if (options.loudness_db) {
            const std::string value = detail::format_double(*options.loudness_db);
            const json::Value* old = md && md->is_object() ? md->find("loudness") : nullptr;
            if (old)
                edits.push_back({old->offset(), detail::json_value_end(text, old->offset()), value});
            else if (md && md->is_object())
                edits.push_back(detail::add_member(text, *md, "loudness", value));
            else
                fields = "\"loudness\": " + value;
        }
        if (options.record) {
            if (md && md->is_object())
                detail::append_to_array_member(text, *md, training_record_key, record, edits);
            else
                fields += (fields.empty() ? "" : ", ") + detail::quote_json(training_record_key) + ": [" + record + "]";
        }
        if (!fields.empty()) {
            if (md)  // null or not an object (the reader ignored it with a warning): replace it
                edits.push_back({md->offset(), detail::json_value_end(text, md->offset()), "{" + fields + "}"});
            else
                edits.push_back(detail::add_member(text, root, "metadata", "{" + fields + "}"));
        }
    } else if (options.record) {
        detail::append_to_array_member(text, root, training_record_key, record, edits);
    }

    std::string out = detail::apply_edits(text, std::move(edits));
    const ModelFile after = read_model_text(file_name, out, options.read);
    const std::vector<float> check = flat_weights(after);
    bool same = check.size() == weights.size();
    for (std::size_t i = 0; same && i < check.size(); ++i) same = check[i] == weights[i];  // -0 may read back as 0
    if (!same) throw WriteError(file_name, "internal error: the rewritten file does not read back with the given weights");
    return out;
}

inline void write_model_file(const std::string& in_path, const std::string& out_path, const std::vector<float>& weights,
                             const WriteOptions& options) {
    if (options.same_file == SameFile::refuse) refuse_same_file(in_path, out_path);
    const std::string text = detail::read_text(in_path);
    write_file_atomically(out_path, rewrite_model_text(in_path, text, weights, options));
}

}  // namespace nofold::io
