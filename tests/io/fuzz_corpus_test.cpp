// Replays tests/fuzz/corpus (seed files and inputs the fuzzer found interesting or that once crashed):
// every file must either read into a consistent ModelFile or be refused with io::LoadError — never
// crash, hang or throw anything else. Reference: the contract stated in tests/fuzz/fuzz_model_reader.cpp.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nofold/io/read.hpp>

#include "support/text_file.hpp"

namespace {

std::filesystem::path corpus_dir() { return std::filesystem::path(__FILE__).parent_path().parent_path() / "fuzz" / "corpus"; }

void check_counts(const nofold::io::ModelFile& f) {
    if (!f.is_container()) CHECK(nofold::nn::weight_count(f.model.config) == f.model.weights.size());
    for (const auto& c : f.children) check_counts(c);
}

}  // namespace

TEST_CASE("fuzz corpus: every input reads or is refused with a LoadError" *
          doctest::skip(!std::filesystem::is_directory(corpus_dir()))) {
    int files = 0, loaded = 0;
    for (const auto& entry : std::filesystem::directory_iterator(corpus_dir())) {
        if (!entry.is_regular_file()) continue;
        ++files;
        const std::string text = nofold::test::read_text_file(entry.path());
        CAPTURE(entry.path().filename().string());
        try {
            check_counts(nofold::io::read_model_text(entry.path().filename().string(), text));
            ++loaded;
        } catch (const nofold::io::LoadError& e) {
            CHECK(std::string(e.what()).find(entry.path().filename().string()) == 0);  // names the file first
        }
    }
    CHECK(files >= 10);
    CHECK(loaded >= 9);  // the nine well-formed seeds (nam_*, guitarml_*, keras_*)
}
