// nofold::io::detail — typed access to parsed JSON for the readers, with errors that name the file,
// the JSON path, the line/column and what was expected versus found.
// Units: none. Latency: none. Allocates: loading only.
#pragma once

#include <cmath>
#include <cstddef>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "../json.hpp"
#include "../load_error.hpp"

namespace nofold::io::detail {

/// Largest value accepted for any size field (channels, kernel size, hidden size, ...): far above
/// any real model, small enough that size arithmetic cannot overflow and a hostile file cannot ask
/// for gigabytes before its weight count is checked.
inline constexpr int max_size_field = 1 << 16;

/// Short description of a value for "expected X, found Y" messages.
inline std::string describe(const json::Value& v) {
    switch (v.type()) {
        case json::Type::null: return "null";
        case json::Type::boolean: return v.as_bool() ? "true" : "false";
        case json::Type::number: {
            std::ostringstream s;
            s.imbue(std::locale::classic());
            s.precision(17);
            s << v.as_number();
            return s.str();
        }
        case json::Type::string: {
            std::string s = v.as_string();
            if (s.size() > 40) s = s.substr(0, 40) + "...";
            return "\"" + s + "\"";
        }
        case json::Type::array: return "an array of " + std::to_string(v.size());
        case json::Type::object: return "an object";
    }
    return "?";
}

/// Largest model file read (64 MiB; the largest real NAM models are under 1 MB). Checked before the
/// file is read, and again for text handed over in memory, so a huge file is refused without
/// being parsed; json::ParseOptions::max_values bounds what a smaller file can build.
inline constexpr std::size_t max_model_file_bytes = std::size_t{64} << 20;

inline void check_model_size(const std::string& file_name, std::size_t bytes) {
    if (bytes > max_model_file_bytes)
        throw LoadError(file_name, "", "too large for a model file (" + std::to_string(bytes >> 20) + " MB, limit " +
                                           std::to_string(max_model_file_bytes >> 20) + " MB)");
}

/// Reads a whole file into a string (LoadError when it cannot be opened or read, or is too large).
inline std::string read_text(const std::string& path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    if (!file) throw LoadError(path, "", "cannot open the file");
    const std::streamoff size = file.tellg();
    if (size > 0) check_model_size(path, static_cast<std::size_t>(size));
    file.seekg(0);
    std::ostringstream text;
    text << file.rdbuf();
    if (file.bad()) throw LoadError(path, "", "cannot read the file");
    return text.str();
}

/// The parsed document of one file plus error helpers. Readers hold one for the whole file (nested
/// models share it, so line numbers stay right).
class Source {
public:
    Source(std::string file_name, const json::Document& doc) : file_(std::move(file_name)), doc_(doc) {}

    const std::string& file() const noexcept { return file_; }
    const json::Value& root() const noexcept { return doc_.root(); }

    [[noreturn]] void fail(const json::Value& at, const std::string& path, const std::string& reason) const {
        const auto lc = doc_.line_column(at.offset());
        throw LoadError(file_, path, reason, lc.first, lc.second);
    }

    const json::Value& require(const json::Value& object, std::string_view key, const std::string& path) const {
        if (!object.is_object()) fail(object, path, "expected an object, found " + describe(object));
        const json::Value* v = object.find(key);
        if (v == nullptr) fail(object, path, "missing required key \"" + std::string(key) + "\"");
        return *v;
    }

    void expect_type(const json::Value& v, json::Type type, const std::string& path) const {
        if (v.type() != type)
            fail(v, path, std::string("expected ") + (type == json::Type::array ? "an " : "a ") + json::type_name(type) +
                              ", found " + describe(v));
    }

    double number(const json::Value& v, const std::string& path) const {
        expect_type(v, json::Type::number, path);
        if (!std::isfinite(v.as_number())) fail(v, path, "expected a finite number, found " + describe(v));
        return v.as_number();
    }

    /// An integer in [lo, hi].
    int integer(const json::Value& v, const std::string& path, int lo = 0, int hi = max_size_field) const {
        if (!v.is_number()) fail(v, path, "expected an integer, found " + describe(v));
        const double x = v.as_number();
        if (!std::isfinite(x) || std::floor(x) != x) fail(v, path, "expected an integer, found " + describe(v));
        if (x < lo || x > hi)
            fail(v, path, "expected an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " +
                              describe(v));
        return static_cast<int>(x);
    }

    bool boolean(const json::Value& v, const std::string& path) const {
        // Some trainers write 0/1 for flags; accept those, nothing else.
        if (v.is_number() && (v.as_number() == 0.0 || v.as_number() == 1.0)) return v.as_number() == 1.0;
        expect_type(v, json::Type::boolean, path);
        return v.as_bool();
    }

    const std::string& string(const json::Value& v, const std::string& path) const {
        expect_type(v, json::Type::string, path);
        return v.as_string();
    }

    int integer_member(const json::Value& object, std::string_view key, const std::string& path, int lo = 0,
                       int hi = max_size_field) const {
        return integer(require(object, key, path), json::path_member(path, key), lo, hi);
    }
    int integer_member_or(const json::Value& object, std::string_view key, const std::string& path, int fallback,
                          int lo = 0, int hi = max_size_field) const {
        const json::Value* v = object.find(key);
        if (v == nullptr || v->is_null()) return fallback;
        return integer(*v, json::path_member(path, key), lo, hi);
    }
    bool bool_member_or(const json::Value& object, std::string_view key, const std::string& path, bool fallback) const {
        const json::Value* v = object.find(key);
        if (v == nullptr || v->is_null()) return fallback;
        return boolean(*v, json::path_member(path, key));
    }

    /// A list of integers in [lo, hi].
    std::vector<int> integers(const json::Value& v, const std::string& path, int lo = 0, int hi = max_size_field) const {
        expect_type(v, json::Type::array, path);
        std::vector<int> out;
        out.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(integer(v[i], json::path_index(path, i), lo, hi));
        return out;
    }

    /// Appends a flat array of finite numbers, each cast to float (must stay finite as a float).
    void append_floats(const json::Value& v, const std::string& path, std::vector<float>& out) const {
        expect_type(v, json::Type::array, path);
        out.reserve(out.size() + v.size());
        for (std::size_t i = 0; i < v.size(); ++i) out.push_back(weight(v[i], path, i));
    }

    /// One weight: a number that is finite as a double and as a float.
    float weight(const json::Value& v, const std::string& path, std::size_t index) const {
        if (!v.is_number()) fail(v, json::path_index(path, index), "expected a number, found " + describe(v));
        const double x = v.as_number();
        if (!std::isfinite(x)) fail(v, json::path_index(path, index), "non-finite weight " + describe(v));
        if (std::abs(x) > static_cast<double>(std::numeric_limits<float>::max()))
            fail(v, json::path_index(path, index), "weight " + describe(v) + " is out of range for a float");
        return static_cast<float>(x);
    }

    /// Fails on any key of `object` not in `allowed`, naming it.
    void only_keys(const json::Value& object, const std::string& path, std::initializer_list<std::string_view> allowed,
                   const char* what) const {
        for (std::size_t i = 0; i < object.size(); ++i) {
            bool known = false;
            for (std::string_view a : allowed) known = known || object.key(i) == a;
            if (!known)
                fail(object[i], json::path_member(path, object.key(i)),
                     "unsupported key \"" + object.key(i) + "\" in " + what);
        }
    }

private:
    std::string file_;
    const json::Document& doc_;
};

/// A 2-D tensor [rows][cols] as nested lists → row-major doubles, with shape checks.
inline std::vector<double> read_matrix(const Source& src, const json::Value& v, const std::string& path, std::size_t rows,
                                       std::size_t cols) {
    src.expect_type(v, json::Type::array, path);
    if (v.size() != rows)
        src.fail(v, path, "expected " + std::to_string(rows) + " rows, found " + std::to_string(v.size()));
    std::vector<double> out;
    out.reserve(rows * cols);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::string rp = json::path_index(path, r);
        src.expect_type(v[r], json::Type::array, rp);
        if (v[r].size() != cols)
            src.fail(v[r], rp, "expected " + std::to_string(cols) + " columns, found " + std::to_string(v[r].size()));
        for (std::size_t c = 0; c < cols; ++c) out.push_back(static_cast<double>(src.weight(v[r][c], rp, c)));
    }
    return out;
}

inline std::vector<double> read_vector(const Source& src, const json::Value& v, const std::string& path, std::size_t n) {
    src.expect_type(v, json::Type::array, path);
    if (v.size() != n) src.fail(v, path, "expected " + std::to_string(n) + " values, found " + std::to_string(v.size()));
    std::vector<double> out;
    out.reserve(n);
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<double>(src.weight(v[i], path, i)));
    return out;
}

/// Parses text as JSON, converting parse errors into LoadErrors that name the file.
inline json::Document parse_document(const std::string& file_name, std::string text) {
    check_model_size(file_name, text.size());
    try {
        return json::parse(std::move(text));
    } catch (const json::ParseError& e) {
        throw LoadError(file_name, e.path(), "not valid JSON: " + e.reason(), e.line(), e.column());
    }
}

}  // namespace nofold::io::detail
