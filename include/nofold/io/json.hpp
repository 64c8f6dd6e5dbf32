// nofold::io::json — a small, strict JSON parser for model files.
//
// RFC 8259 JSON, with one opt-in extension: the tokens `NaN`, `Infinity` and `-Infinity` that
// Python's json module writes for non-finite floats (accepted by default so that a reader can say
// "non-finite weight at $.weights[12]" instead of a bare syntax error). Numbers are parsed as double
// (correctly rounded). Strings are checked to be valid UTF-8; `\u` escapes, surrogate pairs included,
// become UTF-8. Duplicate object keys, trailing commas, comments, leading zeros, control characters
// in strings and content after the top-level value are errors. Nesting deeper than
// `ParseOptions::max_depth` is an error, so hostile input cannot exhaust the stack.
//
// Errors throw `json::ParseError` with the line and column (1-based, columns count bytes) and the
// JSON path of the value being parsed (`$.config.layers[1].dilations[3]`).
//
// Units: none. Latency: none.
// Allocates: parse() builds a tree of `Value`s (loading only; never on a real-time path).
// Reference: RFC 8259, "The JavaScript Object Notation (JSON) Data Interchange Format".
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../config.hpp"

#if defined(__has_include)
#if __has_include(<charconv>)
#include <charconv>
#endif
#endif
#include <cmath>
#include <locale>
#include <sstream>
#include <unordered_set>

namespace nofold::io::json {

/// The six JSON value types.
enum class Type : std::uint8_t { null, boolean, number, string, array, object };

/// Name of a type as used in error messages ("number", "object", ...).
const char* type_name(Type type) noexcept;

/// Whether the non-standard NaN/Infinity tokens are accepted.
enum class NonFinite : std::uint8_t { accept, reject };

/// Parser limits and extensions.
struct ParseOptions {
    int max_depth = 128;                   ///< deepest allowed nesting of arrays and objects
    /// Most values (numbers, strings, arrays, objects, ...) in one document. Each costs about 100
    /// bytes in the tree, so this bounds the memory a hostile file can claim (2^21: ~200 MB; the
    /// largest real NAM models hold under 60 000).
    std::size_t max_values = std::size_t{1} << 21;
    NonFinite non_finite = NonFinite::accept;
};

/// One JSON value. Arrays keep their elements in order; objects keep their members in file order
/// (keys are unique). `offset()` is the byte offset of the value's first character in the text,
/// for error messages (see `Document::line_column`).
class Value {
public:
    Value() = default;

    Type type() const noexcept { return type_; }
    bool is_null() const noexcept { return type_ == Type::null; }
    bool is_bool() const noexcept { return type_ == Type::boolean; }
    bool is_number() const noexcept { return type_ == Type::number; }
    bool is_string() const noexcept { return type_ == Type::string; }
    bool is_array() const noexcept { return type_ == Type::array; }
    bool is_object() const noexcept { return type_ == Type::object; }

    /// Precondition: the matching is_*() holds (checked with NOFOLD_ASSERT).
    bool as_bool() const noexcept;
    double as_number() const noexcept;
    const std::string& as_string() const noexcept;

    /// Elements of an array or member values of an object (0 for scalars).
    std::size_t size() const noexcept { return items_.size(); }
    /// Element i of an array, or member value i of an object.
    const Value& operator[](std::size_t i) const noexcept;
    /// Key of member i of an object.
    const std::string& key(std::size_t i) const noexcept;
    /// The member named `key`, or nullptr (also for non-objects).
    const Value* find(std::string_view key) const noexcept;

    const std::vector<Value>& items() const noexcept { return items_; }
    std::size_t offset() const noexcept { return offset_; }

private:
    friend class Parser;
    Type type_ = Type::null;
    bool bool_ = false;
    std::size_t offset_ = 0;
    double number_ = 0.0;
    std::string string_;
    std::vector<Value> items_;
    std::vector<std::string> keys_;
};

/// A parse failure: where (line, column, JSON path) and why.
class ParseError : public std::runtime_error {
public:
    ParseError(std::size_t offset, int line, int column, std::string path, std::string reason);
    std::size_t offset() const noexcept { return offset_; }
    int line() const noexcept { return line_; }
    int column() const noexcept { return column_; }
    const std::string& path() const noexcept { return path_; }
    const std::string& reason() const noexcept { return reason_; }

private:
    std::size_t offset_;
    int line_;
    int column_;
    std::string path_;
    std::string reason_;
};

/// The parsed tree together with its source text (kept for line/column look-ups).
class Document {
public:
    Document() = default;
    Document(std::string text, Value root) : text_(std::move(text)), root_(std::move(root)) {}

    const Value& root() const noexcept { return root_; }
    const std::string& text() const noexcept { return text_; }
    /// 1-based line and column (in bytes) of a byte offset into the text.
    std::pair<int, int> line_column(std::size_t offset) const noexcept;

private:
    std::string text_;
    Value root_;
};

/// Parses `text` (throws ParseError). The text is copied into the Document.
Document parse(std::string text, const ParseOptions& options = {});

/// Appends `.key` (or `["key"]` when the key is not an identifier) to a JSON path.
std::string path_member(const std::string& path, std::string_view key);
/// Appends `[index]` to a JSON path.
std::string path_index(const std::string& path, std::size_t index);

// ============================================================================================
// Implementation
// ============================================================================================

namespace detail {

inline std::pair<int, int> line_column(std::string_view text, std::size_t offset) noexcept {
    if (offset > text.size()) offset = text.size();
    int line = 1;
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return {line, static_cast<int>(offset - line_start) + 1};
}

inline bool is_identifier(std::string_view key) noexcept {
    if (key.empty()) return false;
    for (std::size_t i = 0; i < key.size(); ++i) {
        const char c = key[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        const bool digit = c >= '0' && c <= '9';
        if (!(alpha || (digit && i > 0))) return false;
    }
    return true;
}

/// Printable form of a byte for error messages.
inline std::string describe_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) return std::string("'") + c + "'";
    static const char hex[] = "0123456789abcdef";
    std::string s = "byte 0x";
    s += hex[u >> 4];
    s += hex[u & 15];
    return s;
}

/// Correctly rounded decimal → double for a span already checked against the JSON number grammar.
/// Returns false when the magnitude overflows (the caller reports it).
inline bool to_double(const char* first, const char* last, double& out) {
#if defined(__cpp_lib_to_chars) && __cpp_lib_to_chars >= 201611L
    const auto result = std::from_chars(first, last, out, std::chars_format::general);
    if (result.ec == std::errc::result_out_of_range) {
        // Underflow to a denormal/zero is fine; overflow is not.
        std::istringstream stream(std::string(first, last));
        stream.imbue(std::locale::classic());
        stream >> out;
        return out == 0.0 || std::abs(out) < 1.0;
    }
    return result.ec == std::errc();
#else
    std::istringstream stream(std::string(first, last));
    stream.imbue(std::locale::classic());
    stream >> out;
    if (stream.fail()) {
        // istream sets failbit on overflow (and on underflow with some libraries)
        bool negative = *first == '-';
        const char* e = first;
        while (e != last && *e != 'e' && *e != 'E') ++e;
        const bool small = e != last && (e[1] == '-');
        if (!small) return false;
        out = negative ? -0.0 : 0.0;
    }
    return true;
#endif
}

}  // namespace detail

inline const char* type_name(Type type) noexcept {
    switch (type) {
        case Type::null: return "null";
        case Type::boolean: return "boolean";
        case Type::number: return "number";
        case Type::string: return "string";
        case Type::array: return "array";
        case Type::object: return "object";
    }
    return "?";
}

inline bool Value::as_bool() const noexcept {
    NOFOLD_ASSERT(type_ == Type::boolean);
    return bool_;
}
inline double Value::as_number() const noexcept {
    NOFOLD_ASSERT(type_ == Type::number);
    return number_;
}
inline const std::string& Value::as_string() const noexcept {
    NOFOLD_ASSERT(type_ == Type::string);
    return string_;
}
inline const Value& Value::operator[](std::size_t i) const noexcept {
    NOFOLD_ASSERT(i < items_.size());
    return items_[i];
}
inline const std::string& Value::key(std::size_t i) const noexcept {
    NOFOLD_ASSERT(type_ == Type::object && i < keys_.size());
    return keys_[i];
}
inline const Value* Value::find(std::string_view key) const noexcept {
    if (type_ != Type::object) return nullptr;
    for (std::size_t i = 0; i < keys_.size(); ++i)
        if (keys_[i] == key) return &items_[i];
    return nullptr;
}

inline ParseError::ParseError(std::size_t offset, int line, int column, std::string path, std::string reason)
    : std::runtime_error("line " + std::to_string(line) + ", column " + std::to_string(column) +
                         (path.empty() ? std::string() : " (at " + path + ")") + ": " + reason),
      offset_(offset),
      line_(line),
      column_(column),
      path_(std::move(path)),
      reason_(std::move(reason)) {}

inline std::pair<int, int> Document::line_column(std::size_t offset) const noexcept {
    return detail::line_column(text_, offset);
}

inline std::string path_member(const std::string& path, std::string_view key) {
    std::string p = path.empty() ? std::string("$") : path;
    if (detail::is_identifier(key)) {
        p += '.';
        p += key;
    } else {
        p += "[\"";
        for (char c : key) {
            if (c == '"' || c == '\\') p += '\\';
            p += c;
        }
        p += "\"]";
    }
    return p;
}

inline std::string path_index(const std::string& path, std::size_t index) {
    return (path.empty() ? std::string("$") : path) + "[" + std::to_string(index) + "]";
}

/// The recursive-descent parser behind json::parse (an implementation detail; use parse()).
class Parser {
public:
    Parser(std::string_view text, const ParseOptions& options) : text_(text), options_(options) {}

    Value run() {
        // A UTF-8 byte-order mark is tolerated (some editors add one).
        if (text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;
        skip_space();
        if (pos_ >= text_.size()) fail("empty document: expected a JSON value");
        Value root;
        parse_value(root, 0);
        skip_space();
        if (pos_ < text_.size()) fail("unexpected " + detail::describe_char(text_[pos_]) + " after the top-level value");
        return root;
    }

private:
    struct Frame {
        const std::string* key;  // member name, or nullptr for an array element
        std::size_t index;
    };

    std::string_view text_;
    ParseOptions options_;
    std::size_t pos_ = 0;
    std::size_t values_ = 0;
    std::vector<Frame> frames_;

    [[noreturn]] void fail(const std::string& reason) const { fail_at(pos_, reason); }

    [[noreturn]] void fail_at(std::size_t offset, const std::string& reason) const {
        std::string path = "$";
        for (const Frame& f : frames_) path = f.key ? path_member(path, *f.key) : path_index(path, f.index);
        const auto lc = detail::line_column(text_, offset);
        throw ParseError(offset, lc.first, lc.second, std::move(path), reason);
    }

    void skip_space() noexcept {
        while (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
                ++pos_;
            else
                break;
        }
    }

    bool consume_literal(std::string_view word) noexcept {
        if (text_.size() - pos_ >= word.size() && text_.compare(pos_, word.size(), word) == 0) {
            pos_ += word.size();
            return true;
        }
        return false;
    }

    void parse_value(Value& v, int depth) {
        if (++values_ > options_.max_values)
            fail("more than " + std::to_string(options_.max_values) + " values: too large for a model file");
        v.offset_ = pos_;
        if (pos_ >= text_.size()) fail("unexpected end of file: expected a value (the file is truncated)");
        const char c = text_[pos_];
        switch (c) {
            case '{': parse_object(v, depth + 1); return;
            case '[': parse_array(v, depth + 1); return;
            case '"':
                v.type_ = Type::string;
                parse_string(v.string_);
                return;
            case 't':
                if (!consume_literal("true")) fail("invalid literal (expected true)");
                v.type_ = Type::boolean;
                v.bool_ = true;
                return;
            case 'f':
                if (!consume_literal("false")) fail("invalid literal (expected false)");
                v.type_ = Type::boolean;
                v.bool_ = false;
                return;
            case 'n':
                if (!consume_literal("null")) fail("invalid literal (expected null)");
                v.type_ = Type::null;
                return;
            case 'N':
            case 'I': parse_non_finite(v, false); return;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    parse_number(v);
                    return;
                }
                fail("unexpected " + detail::describe_char(c) + ": expected a value");
        }
    }

    void check_after_value() {
        // A value must be followed by a separator; catches "12abc" and "truex" early with a clear message.
        if (pos_ < text_.size()) {
            const char c = text_[pos_];
            if (!(c == ',' || c == ']' || c == '}' || c == ' ' || c == '\t' || c == '\n' || c == '\r'))
                fail("unexpected " + detail::describe_char(c) + " after a value");
        }
    }

    void parse_non_finite(Value& v, bool negative) {
        const std::size_t start = negative ? pos_ - 1 : pos_;
        double x = 0.0;
        if (consume_literal("NaN") && !negative)
            x = std::numeric_limits<double>::quiet_NaN();
        else if (consume_literal("Infinity"))
            x = negative ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
        else
            fail_at(start, "invalid literal");
        if (options_.non_finite == NonFinite::reject)
            fail_at(start, "non-finite number (NaN/Infinity is not JSON)");
        v.type_ = Type::number;
        v.number_ = x;
        check_after_value();
    }

    void parse_number(Value& v) {
        const std::size_t start = pos_;
        const auto digit = [this](std::size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
        if (text_[pos_] == '-') {
            ++pos_;
            if (pos_ < text_.size() && text_[pos_] == 'I') {
                parse_non_finite(v, true);
                return;
            }
        }
        if (!digit(pos_)) fail("invalid number: expected a digit");
        if (text_[pos_] == '0') {
            ++pos_;
            if (digit(pos_)) fail("invalid number: leading zero");
        } else {
            while (digit(pos_)) ++pos_;
        }
        if (pos_ < text_.size() && text_[pos_] == '.') {
            ++pos_;
            if (!digit(pos_)) fail("invalid number: expected a digit after '.'");
            while (digit(pos_)) ++pos_;
        }
        if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
            ++pos_;
            if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
            if (!digit(pos_)) fail("invalid number: expected a digit in the exponent");
            while (digit(pos_)) ++pos_;
        }
        double x = 0.0;
        if (!detail::to_double(text_.data() + start, text_.data() + pos_, x))
            fail_at(start, "number out of range for a double: " + std::string(text_.substr(start, pos_ - start)));
        v.type_ = Type::number;
        v.number_ = x;
        check_after_value();
    }

    static void append_utf8(std::string& out, std::uint32_t cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }

    std::uint32_t parse_hex4() {
        if (text_.size() - pos_ < 4) fail("unexpected end of file in a \\u escape");
        std::uint32_t cp = 0;
        for (int i = 0; i < 4; ++i) {
            const char c = text_[pos_];
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9')
                d = static_cast<std::uint32_t>(c - '0');
            else if (c >= 'a' && c <= 'f')
                d = static_cast<std::uint32_t>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                d = static_cast<std::uint32_t>(c - 'A' + 10);
            else
                fail("invalid \\u escape: expected a hex digit");
            cp = cp * 16 + d;
            ++pos_;
        }
        return cp;
    }

    /// Length of the valid UTF-8 sequence starting at pos_ (lead byte >= 0x80), or 0.
    std::size_t utf8_length() const noexcept {
        const auto b = [this](std::size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
        const std::size_t left = text_.size() - pos_;
        const unsigned char c0 = b(0);
        const auto cont = [&](std::size_t i) { return i < left && (b(i) & 0xC0) == 0x80; };
        if (c0 >= 0xC2 && c0 <= 0xDF) return cont(1) ? 2 : 0;
        if (c0 >= 0xE0 && c0 <= 0xEF) {
            if (!cont(1) || !cont(2)) return 0;
            if (c0 == 0xE0 && b(1) < 0xA0) return 0;   // overlong
            if (c0 == 0xED && b(1) >= 0xA0) return 0;  // UTF-16 surrogate
            return 3;
        }
        if (c0 >= 0xF0 && c0 <= 0xF4) {
            if (!cont(1) || !cont(2) || !cont(3)) return 0;
            if (c0 == 0xF0 && b(1) < 0x90) return 0;   // overlong
            if (c0 == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
            return 4;
        }
        return 0;
    }

    void parse_string(std::string& out) {
        const std::size_t start = pos_;
        ++pos_;  // opening quote
        for (;;) {
            if (pos_ >= text_.size()) fail_at(start, "unterminated string (the file is truncated)");
            const char c = text_[pos_];
            if (c == '"') {
                ++pos_;
                return;
            }
            if (c == '\\') {
                ++pos_;
                if (pos_ >= text_.size()) fail_at(start, "unterminated string (the file is truncated)");
                const char e = text_[pos_++];
                switch (e) {
                    case '"': out += '"'; break;
                    case '\\': out += '\\'; break;
                    case '/': out += '/'; break;
                    case 'b': out += '\b'; break;
                    case 'f': out += '\f'; break;
                    case 'n': out += '\n'; break;
                    case 'r': out += '\r'; break;
                    case 't': out += '\t'; break;
                    case 'u': {
                        std::uint32_t cp = parse_hex4();
                        if (cp >= 0xD800 && cp <= 0xDBFF) {
                            if (!(text_.size() - pos_ >= 2 && text_[pos_] == '\\' && text_[pos_ + 1] == 'u'))
                                fail("unpaired UTF-16 high surrogate in a \\u escape");
                            pos_ += 2;
                            const std::uint32_t low = parse_hex4();
                            if (low < 0xDC00 || low > 0xDFFF) fail("invalid UTF-16 low surrogate in a \\u escape");
                            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                            fail("unpaired UTF-16 low surrogate in a \\u escape");
                        }
                        append_utf8(out, cp);
                        break;
                    }
                    default: fail_at(pos_ - 1, "invalid escape \\" + std::string(1, e));
                }
                continue;
            }
            const auto u = static_cast<unsigned char>(c);
            if (u < 0x20) fail("control character in a string (must be escaped)");
            if (u < 0x80) {
                // Copy a run of plain ASCII at once.
                std::size_t end = pos_ + 1;
                while (end < text_.size()) {
                    const auto d = static_cast<unsigned char>(text_[end]);
                    if (d == '"' || d == '\\' || d < 0x20 || d >= 0x80) break;
                    ++end;
                }
                out.append(text_.data() + pos_, end - pos_);
                pos_ = end;
                continue;
            }
            const std::size_t n = utf8_length();
            if (n == 0) fail("invalid UTF-8 in a string");
            out.append(text_.data() + pos_, n);
            pos_ += n;
        }
    }

    void check_depth(int depth) const {
        if (depth > options_.max_depth)
            fail("nesting deeper than " + std::to_string(options_.max_depth) + " levels");
    }

    void parse_array(Value& v, int depth) {
        check_depth(depth);
        v.type_ = Type::array;
        ++pos_;  // '['
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == ']') {
            ++pos_;
            return;
        }
        frames_.push_back({nullptr, 0});
        for (;;) {
            frames_.back().index = v.items_.size();
            v.items_.emplace_back();
            parse_value(v.items_.back(), depth);
            skip_space();
            if (pos_ >= text_.size()) fail("unexpected end of file in an array (the file is truncated)");
            const char c = text_[pos_];
            if (c == ',') {
                ++pos_;
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == ']') fail("trailing comma in an array");
                continue;
            }
            if (c == ']') {
                ++pos_;
                break;
            }
            fail("unexpected " + detail::describe_char(c) + " in an array: expected ',' or ']'");
        }
        frames_.pop_back();
    }

    void parse_object(Value& v, int depth) {
        check_depth(depth);
        v.type_ = Type::object;
        ++pos_;  // '{'
        skip_space();
        if (pos_ < text_.size() && text_[pos_] == '}') {
            ++pos_;
            return;
        }
        frames_.push_back({nullptr, 0});
        constexpr std::size_t small_object_keys = 32;
        bool large_object = false;
        std::unordered_set<std::string> seen;
        for (;;) {
            if (pos_ >= text_.size()) fail("unexpected end of file in an object (the file is truncated)");
            if (text_[pos_] != '"')
                fail("unexpected " + detail::describe_char(text_[pos_]) + " in an object: expected a quoted key");
            const std::size_t key_offset = pos_;
            std::string key;
            parse_string(key);
            const bool duplicate = large_object ? !seen.insert(key).second : v.find(key) != nullptr;
            if (duplicate) fail_at(key_offset, "duplicate key \"" + key + "\"");
            if (!large_object && v.keys_.size() == small_object_keys) {
                // Past a handful of keys, switch the duplicate check from a linear scan to a hash set.
                large_object = true;
                seen.insert(v.keys_.begin(), v.keys_.end());
                seen.insert(key);
            }
            v.keys_.push_back(std::move(key));
            frames_.back().key = &v.keys_.back();
            skip_space();
            if (pos_ >= text_.size() || text_[pos_] != ':') {
                if (pos_ >= text_.size()) fail("unexpected end of file after a key (the file is truncated)");
                fail("unexpected " + detail::describe_char(text_[pos_]) + " after a key: expected ':'");
            }
            ++pos_;
            skip_space();
            v.items_.emplace_back();
            parse_value(v.items_.back(), depth);
            skip_space();
            if (pos_ >= text_.size()) fail("unexpected end of file in an object (the file is truncated)");
            const char c = text_[pos_];
            if (c == ',') {
                ++pos_;
                skip_space();
                if (pos_ < text_.size() && text_[pos_] == '}') fail("trailing comma in an object");
                continue;
            }
            if (c == '}') {
                ++pos_;
                break;
            }
            fail("unexpected " + detail::describe_char(c) + " in an object: expected ',' or '}'");
        }
        frames_.pop_back();
    }
};

inline Document parse(std::string text, const ParseOptions& options) {
    Value root = Parser(text, options).run();
    return Document(std::move(text), std::move(root));
}

}  // namespace nofold::io::json
