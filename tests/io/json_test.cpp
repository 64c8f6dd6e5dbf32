// Claims about include/nofold/io/json.hpp: strict RFC 8259 parsing, correctly rounded numbers
// (reference: the C library's strtod in the "C" locale), exact UTF-8 from escapes (reference: the
// code points written out by hand), and errors that give line, column and JSON path.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>

#include <nofold/io/json.hpp>

#include "support/shared_data.hpp"

namespace json = nofold::io::json;

namespace {

// Parses and returns the error, or fails the test if parsing succeeded.
json::ParseError parse_error(const std::string& text, const json::ParseOptions& options = {}) {
    try {
        json::parse(text, options);
    } catch (const json::ParseError& e) {
        return e;
    }
    FAIL("expected a parse error for: " << text);
    return json::ParseError(0, 0, 0, "", "");
}

}  // namespace

TEST_CASE("json: every value type, members in file order") {
    const auto doc = json::parse(R"( {"b": [1, -2.5, 3e2, true, false, null], "a": {"x": "y"}, "": 0} )");
    const json::Value& root = doc.root();
    REQUIRE(root.is_object());
    REQUIRE(root.size() == 3);
    CHECK(root.key(0) == "b");
    CHECK(root.key(1) == "a");
    CHECK(root.key(2) == "");
    const json::Value& b = *root.find("b");
    REQUIRE(b.is_array());
    REQUIRE(b.size() == 6);
    CHECK(b[0].as_number() == 1.0);
    CHECK(b[1].as_number() == -2.5);
    CHECK(b[2].as_number() == 300.0);
    CHECK(b[3].as_bool());
    CHECK_FALSE(b[4].as_bool());
    CHECK(b[5].is_null());
    CHECK(root.find("a")->find("x")->as_string() == "y");
    CHECK(root.find("missing") == nullptr);
    CHECK(b.find("x") == nullptr);
    CHECK(json::parse("[]").root().size() == 0);
    CHECK(json::parse("{}").root().is_object());
    CHECK(json::parse("\xEF\xBB\xBF 7").root().as_number() == 7.0);
}

TEST_CASE("json: numbers are correctly rounded (reference: strtod)") {
    std::mt19937_64 rng(12345);
    std::uniform_real_distribution<double> mantissa(-1.0, 1.0);
    std::uniform_int_distribution<int> exponent(-40, 40);
    std::uniform_int_distribution<int> digits(1, 20);
    for (int i = 0; i < 5000; ++i) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*e", digits(rng), mantissa(rng) * std::pow(10.0, exponent(rng)));
        const double expected = std::strtod(buf, nullptr);
        const double got = json::parse(buf).root().as_number();
        REQUIRE_MESSAGE(got == expected, buf);
    }
    // float32 weights printed by Python round-trip through double → float exactly.
    std::uniform_real_distribution<float> weight(-3.0f, 3.0f);
    for (int i = 0; i < 2000; ++i) {
        const float w = weight(rng);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(w));
        REQUIRE(static_cast<float>(json::parse(buf).root().as_number()) == w);
    }
    CHECK(json::parse("-0").root().as_number() == 0.0);
    CHECK(std::signbit(json::parse("-0.0").root().as_number()));
    CHECK(json::parse("1e-400").root().as_number() == 0.0);  // underflow rounds to zero
    CHECK(json::parse("4.9406564584124654e-324").root().as_number() == std::numeric_limits<double>::denorm_min());
    CHECK(json::parse("1.7976931348623157e308").root().as_number() == std::numeric_limits<double>::max());
    CHECK(parse_error("1e400").reason().find("out of range") != std::string::npos);
}

TEST_CASE("json: Python's NaN and Infinity are accepted only when allowed") {
    const auto doc = json::parse("[NaN, Infinity, -Infinity]");
    CHECK(std::isnan(doc.root()[0].as_number()));
    CHECK(doc.root()[1].as_number() == std::numeric_limits<double>::infinity());
    CHECK(doc.root()[2].as_number() == -std::numeric_limits<double>::infinity());
    json::ParseOptions strict;
    strict.non_finite = json::NonFinite::reject;
    const auto e = parse_error("[1, NaN]", strict);
    CHECK(e.reason().find("non-finite") != std::string::npos);
    CHECK(e.path() == "$[1]");
    CHECK(parse_error("-NaN").reason().find("digit") != std::string::npos);
    CHECK(parse_error("Inf").reason() == "invalid literal");
}

TEST_CASE("json: escapes become UTF-8 (reference: code points encoded by hand)") {
    const auto s = json::parse(R"("a\"\\\/\b\f\n\r\t\u0041\u00e9\u20ac\ud83c\udfb8")").root().as_string();
    CHECK(s == "a\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\xB8");
    // Raw UTF-8 passes through unchanged.
    CHECK(json::parse("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\xB8\"").root().as_string() == "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x8E\xB8");
    CHECK(parse_error(R"("\ud83c")").reason().find("surrogate") != std::string::npos);
    CHECK(parse_error(R"("\udfb8")").reason().find("surrogate") != std::string::npos);
    CHECK(parse_error(R"("\x")").reason() == "invalid escape \\x");
    CHECK(parse_error(R"("\u12G4")").reason().find("hex digit") != std::string::npos);
    CHECK(parse_error("\"\xC0\xAF\"").reason() == "invalid UTF-8 in a string");       // overlong '/'
    CHECK(parse_error("\"\xED\xA0\x80\"").reason() == "invalid UTF-8 in a string");   // encoded surrogate
    CHECK(parse_error("\"\xF4\x90\x80\x80\"").reason() == "invalid UTF-8 in a string");  // > U+10FFFF
    CHECK(parse_error("\"\xE2\x82\"").reason() == "invalid UTF-8 in a string");       // cut sequence
    CHECK(parse_error("\"a\tb\"").reason().find("control character") != std::string::npos);
}

TEST_CASE("json: syntax errors give line, column and path") {
    const std::string text = "{\n  \"config\": {\n    \"layers\": [1, 2,, 3]\n  }\n}";
    const auto e = parse_error(text);
    CHECK(e.line() == 3);
    CHECK(e.column() == 21);  // the second ','
    CHECK(e.path() == "$.config.layers[2]");
    CHECK(std::string(e.what()).find("line 3, column 21") != std::string::npos);
    CHECK(std::string(e.what()).find("$.config.layers[2]") != std::string::npos);

    CHECK(parse_error("").reason().find("empty") != std::string::npos);
    CHECK(parse_error("   ").reason().find("empty") != std::string::npos);
    CHECK(parse_error("[1, 2").reason().find("truncated") != std::string::npos);
    CHECK(parse_error("{\"a\": ").reason().find("truncated") != std::string::npos);
    CHECK(parse_error("{\"a\"").reason().find("truncated") != std::string::npos);
    CHECK(parse_error("\"abc").reason().find("truncated") != std::string::npos);
    CHECK(parse_error("[1,]").reason() == "trailing comma in an array");
    CHECK(parse_error("{\"a\":1,}").reason() == "trailing comma in an object");
    CHECK(parse_error("{\"a\":1 \"b\":2}").reason().find("expected ',' or '}'") != std::string::npos);
    CHECK(parse_error("{a:1}").reason().find("quoted key") != std::string::npos);
    CHECK(parse_error("{\"a\" 1}").reason().find("expected ':'") != std::string::npos);
    CHECK(parse_error("[1 2]").reason().find("expected ',' or ']'") != std::string::npos);
    CHECK(parse_error("01").reason() == "invalid number: leading zero");
    CHECK(parse_error("1.").reason().find("after '.'") != std::string::npos);
    CHECK(parse_error("1e").reason().find("exponent") != std::string::npos);
    CHECK(parse_error("-").reason().find("digit") != std::string::npos);
    CHECK(parse_error("+1").reason().find("'+'") != std::string::npos);
    CHECK(parse_error("12abc").reason().find("after a value") != std::string::npos);
    CHECK(parse_error("tru").reason().find("true") != std::string::npos);
    CHECK(parse_error("nul").reason().find("null") != std::string::npos);
    CHECK(parse_error("1 2").reason().find("after the top-level value") != std::string::npos);
    CHECK(parse_error("// comment\n1").reason().find("'/'") != std::string::npos);
    CHECK(parse_error(std::string("[1,\0 2]", 7)).reason().find("byte 0x00") != std::string::npos);
}

TEST_CASE("json: duplicate keys are refused, in small and large objects") {
    const auto e = parse_error("{\"a\": {\"k\": 1, \"k\": 2}}");
    CHECK(e.reason() == "duplicate key \"k\"");
    CHECK(e.path() == "$.a.k");
    std::string big = "{";
    for (int i = 0; i < 100; ++i) big += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
    CHECK(json::parse(big + "\"end\": 0}").root().size() == 101);
    CHECK(parse_error(big + "\"k7\": 0}").reason() == "duplicate key \"k7\"");
    CHECK(parse_error(big + "\"k70\": 0}").reason() == "duplicate key \"k70\"");
}

TEST_CASE("json: nesting is limited") {
    json::ParseOptions options;
    options.max_depth = 10;
    CHECK(json::parse(std::string(10, '[') + std::string(10, ']'), options).root().is_array());
    CHECK(parse_error(std::string(11, '[') + std::string(11, ']'), options).reason().find("nesting deeper than 10") !=
          std::string::npos);
    // The default limit keeps a hostile file from exhausting the stack.
    CHECK(parse_error(std::string(100000, '[')).reason().find("nesting deeper") != std::string::npos);
}

TEST_CASE("json: paths quote keys that are not identifiers") {
    CHECK(json::path_member("$", "layers") == "$.layers");
    CHECK(json::path_member("$", "rec.weight_ih_l0") == "$[\"rec.weight_ih_l0\"]");
    CHECK(json::path_member("", "a\"b") == "$[\"a\\\"b\"]");
    CHECK(json::path_index("$.w", 3) == "$.w[3]");
    CHECK(parse_error("{\"a b\": [x]}").path() == "$[\"a b\"][0]");
}

TEST_CASE("json: value offsets map to line and column") {
    const auto doc = json::parse("{\n  \"a\": [10,\n    20]\n}");
    const json::Value& twenty = (*doc.root().find("a"))[1];
    const auto lc = doc.line_column(twenty.offset());
    CHECK(lc.first == 3);
    CHECK(lc.second == 5);
}

TEST_CASE("json: every shared model parses" * doctest::skip(nofold::test::shared_dir().empty())) {
    const auto models = nofold::test::shared_dir() / "models";
    for (const char* name : {"wavenet.nam", "lstm.nam", "wavenet_a1_standard.nam", "A2.nam", "slimmable_container.nam",
                             "slimmable_wavenet.nam", "wavenet_a2_max.nam", "wavenet_condition_dsp.nam",
                             "identity_linear_1.nam", "identity_linear_10.nam", "identity_wavenet_minimal.nam",
                             "identity_wavenet_standard.nam"}) {
        std::ifstream file(models / name, std::ios::binary);
        REQUIRE(file);
        std::ostringstream text;
        text << file.rdbuf();
        const auto doc = json::parse(text.str());
        CHECK_MESSAGE(doc.root().find("architecture") != nullptr, name);
    }
}
