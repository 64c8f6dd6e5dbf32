// Claims about include/nofold/io/codegen.hpp: a generated header reproduces the loaded model exactly.
// The committed headers in tests/io/generated were written by `nofold codegen` from the fixtures in
// tests/io/fixtures; this test checks (1) regenerating them gives the same text (they are in sync),
// (2) their weights equal the file's bit for bit (reference: io::read_model_file of the fixture),
// (3) their make() computes exactly what io::load computes (reference: the loaded model), and
// (4) preset shapes get the static type alias. tests/cli/models.sh does the same for the shared models.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>

#include <nofold/io/codegen.hpp>
#include <nofold/io/load.hpp>

#include "generated/lstm_1x8.hpp"
#include "support/alloc_counter.hpp"
#include "support/model_loading.hpp"
#include "support/text_file.hpp"
#include "generated/tiny_wavenet.hpp"

namespace io = nofold::io;

namespace {

std::filesystem::path here() { return std::filesystem::path(__FILE__).parent_path(); }

using nofold::test::read_text_file;

template <class Generated>
void check_generated(const char* fixture, const char* header, const char* name) {
    CAPTURE(fixture);
    const std::string path = (here() / "fixtures" / fixture).string();
    const io::ModelFile file = io::read_model_file(path);
    io::CodegenOptions options;
    options.name = name;
    options.source = std::string("tests/io/fixtures/") + fixture;
    CHECK(io::write_header(file, options) == read_text_file(here() / "generated" / header));

    REQUIRE(Generated::weights.size() == file.model.weights.size());
    CHECK(std::memcmp(Generated::weights.data(), file.model.weights.data(), file.model.weights.size() * sizeof(float)) == 0);

    auto generated = Generated::make();
    REQUIRE(generated);
    io::LoadedModel loaded = nofold::test::load_model(path);
    std::mt19937 rng(3);
    std::normal_distribution<float> noise(0.0f, 0.3f);
    std::vector<float> x(4000), a(x.size()), b(x.size());
    for (float& v : x) v = noise(rng);
    generated->prewarm();
    loaded.model->prewarm();
    generated->process(x.data(), a.data(), static_cast<int>(x.size()));
    loaded.model->process(x.data(), b.data(), static_cast<int>(x.size()));
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
    CHECK(std::string(generated->implementation_name()) == loaded.model->implementation_name());
}

}  // namespace

TEST_CASE("codegen: a WaveNet with gating, blending and FiLM (runtime shape)") {
    check_generated<TinyWaveNet>("wavenet_tiny.nam", "tiny_wavenet.hpp", "TinyWaveNet");
}

TEST_CASE("codegen: a preset-shaped LSTM gets the static type") {
    check_generated<Lstm1x8>("lstm_1x8.nam", "lstm_1x8.hpp", "Lstm1x8");
    static_assert(std::is_same_v<Lstm1x8::Model, nofold::ModelFor<nofold::nn::LstmModel<1, 8, 1>>>);
    CHECK(Lstm1x8::nam_prewarm_samples == 24000);  // 0.5 × 48000 (the fixture's sample_rate)
    CHECK(Lstm1x8::sample_rate_hz == 48000.0);
}

TEST_CASE("codegen: the heap-free Fixed type computes what make() computes, without allocating") {
    Lstm1x8::Fixed fixed(1, 8, 1);
    REQUIRE(Lstm1x8::init(fixed));
    auto hosted = Lstm1x8::make();
    std::mt19937 rng(8);
    std::normal_distribution<float> noise(0.0f, 0.3f);
    std::vector<float> x(2000), a(x.size()), b(x.size());
    for (float& v : x) v = noise(rng);
    {
        nofold::test::AllocationScope scope;
        fixed.prewarm();
        fixed.process(x.data(), a.data(), static_cast<int>(x.size()));
        CHECK(scope.allocations() == 0);
    }
    hosted->prewarm();
    hosted->process(x.data(), b.data(), static_cast<int>(x.size()));
    CHECK(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

TEST_CASE("codegen: float literals round-trip every float exactly (reference: the bit patterns)") {
    std::mt19937 rng(5);
    std::uniform_int_distribution<std::uint32_t> bits;
    for (int i = 0; i < 20000; ++i) {
        std::uint32_t u = bits(rng);
        float f;
        std::memcpy(&f, &u, 4);
        if (!std::isfinite(f)) continue;
        const std::string lit = io::detail::float_literal(f);
        CAPTURE(lit);
        REQUIRE(lit.back() == 'f');
        const float back = std::strtof(lit.c_str(), nullptr);
        REQUIRE(std::memcmp(&back, &f, 4) == 0);
    }
    CHECK(io::detail::float_literal(1.0f) == "1.0f");
    CHECK(io::detail::float_literal(-0.0f) == "-0.0f");
}

TEST_CASE("codegen: refusals") {
    const io::ModelFile file = io::read_model_file((here() / "fixtures" / "lstm_1x8.nam").string());
    io::CodegenOptions bad;
    bad.name = "9lives";
    CHECK_THROWS_WITH_AS(io::write_header(file, bad), doctest::Contains("--name must be a C++ identifier"), io::LoadError);
    io::ModelFile seq;
    seq.architecture = io::Architecture::sequential;
    seq.children.push_back(file);
    CHECK_THROWS_WITH_AS(io::write_header(seq, {}), doctest::Contains("not Sequential"), io::LoadError);
}
