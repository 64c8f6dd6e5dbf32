// nofold::io::detail — editing JSON text in place: where a parsed value ends, how to print a float
// or double so that a reader gets the same value back, how to quote a string, and how to apply a
// set of non-overlapping replacements. The writers (io/write.hpp) change only the bytes of the
// values they replace, so everything else in a model file (key order, spacing, unknown keys) stays
// as it was.
// Units: byte offsets into the text. Latency: none. Allocates: yes (writing only).
// Reference: RFC 8259 (JSON grammar); model-formats.md (weights are floats printed as decimals,
// read as double then cast to float).
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <locale>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace nofold::io::detail {

/// Offset just past the JSON value that starts at `offset` in `text`, which has already been
/// parsed successfully (so brackets balance and strings are terminated).
inline std::size_t json_value_end(std::string_view text, std::size_t offset) {
    std::size_t i = offset;
    if (i >= text.size()) return text.size();
    auto skip_string = [&](std::size_t at) {  // at: the opening quote; returns past the closing one
        ++at;
        while (at < text.size() && text[at] != '"') at += text[at] == '\\' ? 2 : 1;
        return std::min(at + 1, text.size());
    };
    const char c = text[i];
    if (c == '"') return skip_string(i);
    if (c == '{' || c == '[') {
        int depth = 0;
        while (i < text.size()) {
            const char d = text[i];
            if (d == '"') {
                i = skip_string(i);
                continue;
            }
            if (d == '{' || d == '[') ++depth;
            if (d == '}' || d == ']') {
                if (--depth == 0) return i + 1;
            }
            ++i;
        }
        return text.size();
    }
    // number, true, false, null, NaN, Infinity, -Infinity
    while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '-' || text[i] == '+' ||
                               text[i] == '.'))
        ++i;
    return i;
}

/// Parses a decimal the way the readers do (correctly rounded double, classic locale).
inline double parse_decimal(const std::string& s) {
    std::istringstream in(s);
    in.imbue(std::locale::classic());
    double x = 0.0;
    in >> x;
    return x;
}

inline std::string print_decimal(double x, int significant_digits) {
    std::ostringstream out;
    out.imbue(std::locale::classic());
    out.precision(significant_digits);
    out << x;
    return out.str();
}

inline bool same_bits(float a, float b) noexcept {
    std::uint32_t ua = 0, ub = 0;
    std::memcpy(&ua, &a, sizeof a);
    std::memcpy(&ub, &b, sizeof b);
    return ua == ub;
}

/// Shortest decimal that a reader (decimal → double → float) turns back into exactly `x`.
/// Precondition: x is finite.
inline std::string format_float(float x) {
    for (int digits = 1; digits < 9; ++digits) {
        std::string s = print_decimal(static_cast<double>(x), digits);
        if (same_bits(static_cast<float>(parse_decimal(s)), x)) return s;
    }
    return print_decimal(static_cast<double>(x), 9);  // 9 significant digits always round-trip a float
}

/// Shortest decimal that parses back to exactly `x`; "null" for NaN and infinities (JSON has no
/// spelling for them).
inline std::string format_double(double x) {
    if (!std::isfinite(x)) return "null";
    for (int digits = 1; digits < 17; ++digits) {
        std::string s = print_decimal(x, digits);
        if (parse_decimal(s) == x) return s;
    }
    return print_decimal(x, 17);
}

/// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not valid (overlong forms,
/// surrogates and values above U+10FFFF are invalid).
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    if (c < 0x80) return 1;
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) n = 2, cp = c & 0x1Fu;
    else if ((c & 0xF0) == 0xE0) n = 3, cp = c & 0x0Fu;
    else if ((c & 0xF8) == 0xF0) n = 4, cp = c & 0x07u;
    else return 0;
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3Fu);
    }
    const std::uint32_t min_for_length[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_length[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

/// A JSON string literal for `s`. Bytes that are not valid UTF-8 become U+FFFD, so the result is
/// always readable (file names on Linux can hold any bytes).
inline std::string quote_json(std::string_view s) {
    static const char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (u < 0x20) {
            out += "\\u00";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else if (u >= 0x80) {
            const std::size_t n = utf8_sequence_length(s, i);
            if (n == 0) {
                out += "\xEF\xBF\xBD";
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        } else {
            out += c;
        }
        ++i;
    }
    return out + "\"";
}

/// One replacement: bytes [begin, end) of the original text become `text` (begin == end inserts).
struct TextEdit {
    std::size_t begin;
    std::size_t end;
    std::string text;
};

/// Applies non-overlapping edits (in any order) to `text`.
inline std::string apply_edits(std::string_view text, std::vector<TextEdit> edits) {
    std::stable_sort(edits.begin(), edits.end(), [](const TextEdit& a, const TextEdit& b) { return a.begin < b.begin; });
    std::string out;
    out.reserve(text.size() + 64);
    std::size_t at = 0;
    for (const TextEdit& e : edits) {
        out.append(text.substr(at, e.begin - at));
        out += e.text;
        at = e.end;
    }
    out.append(text.substr(at));
    return out;
}

}  // namespace nofold::io::detail
