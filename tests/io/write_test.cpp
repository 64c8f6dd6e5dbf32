// Claims about include/nofold/io/write.hpp (and atomic_file.hpp, detail/sha256.hpp):
// - writing a model's own weights back gives the input file byte for byte, on every shared model and
//   every readable fixture (tests/io/fixtures, tests/fuzz/corpus, examples/models);
// - perturbed weights read back exactly, and nothing but weight numbers changed (reference: a
//   parallel walk of the two JSON trees, independent of the writers' walkers); for .nam the new
//   numbers sit in the file's `weights` arrays in the given order (reference: reading the array by hand);
// - loudness and training records land where the header says, repeated records accumulate;
// - a written .nam has what NAM Core's reader requires (model-formats.md §1: version "x.y.z",
//   architecture, config, weights all present, finite weights; checked by hand on the parsed JSON);
// - bad weights or destinations give a WriteError and leave the destination untouched;
// - SHA-256 matches the FIPS 180-4 example digests;
// - write_nam_text (io/nam_writer.hpp): a new .nam of a leaf model reads back as the same model
//   (reference: the runtime engine built from the original file, same output on the same noise).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <nofold/io/nam_writer.hpp>
#include <nofold/io/write.hpp>
#include <nofold/runtime/make_model.hpp>

#include "support/shared_data.hpp"

namespace io = nofold::io;
namespace fs = std::filesystem;

namespace {

fs::path tests_dir() { return fs::path(__FILE__).parent_path().parent_path(); }

std::string slurp(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

void spit(const fs::path& p, const std::string& text) {
    std::ofstream f(p, std::ios::binary);
    f << text;
}

/// Every model file the tests can reach that nofold reads.
std::vector<fs::path> readable_models() {
    std::vector<fs::path> out;
    std::vector<fs::path> folders = {tests_dir() / "io" / "fixtures", tests_dir() / "fuzz" / "corpus",
                                     tests_dir().parent_path() / "examples" / "models"};
    if (!nofold::test::shared_dir().empty()) folders.push_back(nofold::test::shared_dir() / "models");
    for (const fs::path& folder : folders) {
        if (!fs::is_directory(folder)) continue;
        for (const auto& e : fs::directory_iterator(folder)) {
            const std::string ext = e.path().extension().string();
            if (ext != ".nam" && ext != ".json") continue;
            try {
                (void)io::read_model_file(e.path().string());
                out.push_back(e.path());
            } catch (const io::LoadError&) {
            }
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::uint32_t bits(float x) {
    std::uint32_t u = 0;
    std::memcpy(&u, &x, sizeof u);
    return u;
}

/// A deterministic change of every non-zero weight (zeros stay: GuitarML/Keras cannot store a
/// non-zero LSTM initial state).
std::vector<float> perturbed(std::vector<float> w) {
    for (std::size_t i = 0; i < w.size(); ++i)
        if (w[i] != 0.0f) w[i] = w[i] * 1.001f + 1e-4f * static_cast<float>(int(i % 7) - 3);
    return w;
}

/// Walks two JSON trees together: same structure, keys, strings and booleans; counts numbers that differ.
void compare_trees(const io::json::Value& a, const io::json::Value& b, std::size_t& numbers_changed, bool& same_shape) {
    if (a.type() != b.type() || a.size() != b.size()) {
        same_shape = false;
        return;
    }
    if (a.is_number()) {
        if (a.as_number() != b.as_number()) ++numbers_changed;
    } else if (a.is_string()) {
        same_shape = same_shape && a.as_string() == b.as_string();
    } else if (a.is_bool()) {
        same_shape = same_shape && a.as_bool() == b.as_bool();
    }
    for (std::size_t i = 0; i < a.size() && same_shape; ++i) {
        if (a.is_object() && a.key(i) != b.key(i)) same_shape = false;
        compare_trees(a[i], b[i], numbers_changed, same_shape);
    }
}

void check_same_metadata(const io::ModelFile& a, const io::ModelFile& b) {
    CHECK(a.metadata.format == b.metadata.format);
    CHECK(a.metadata.version == b.metadata.version);
    CHECK(a.metadata.sample_rate_hz == b.metadata.sample_rate_hz);
    CHECK(a.metadata.loudness_db == b.metadata.loudness_db);
    CHECK(a.metadata.name == b.metadata.name);
    CHECK(a.metadata.date == b.metadata.date);
    CHECK(a.metadata.extra == b.metadata.extra);
    CHECK(a.warnings == b.warnings);
    CHECK(a.architecture == b.architecture);
    CHECK(a.input_gain_db == b.input_gain_db);
    CHECK(a.output_gain_db == b.output_gain_db);
    CHECK(a.golden_output == b.golden_output);
}

/// What model-formats.md §1 says NAM Core's reader requires of a .nam, checked on the raw JSON.
void check_nam_core_requirements(const std::string& text) {
    const io::json::Document doc = io::json::parse(text);
    const io::json::Value& root = doc.root();
    REQUIRE(root.is_object());
    const io::json::Value* version = root.find("version");
    REQUIRE(version != nullptr);
    REQUIRE(version->is_string());
    int dots = 0;
    bool digits_and_dots = !version->as_string().empty();
    for (char c : version->as_string()) {
        dots += c == '.';
        digits_and_dots = digits_and_dots && (c == '.' || (c >= '0' && c <= '9'));
    }
    CHECK(dots == 2);
    CHECK(digits_and_dots);
    REQUIRE(root.find("architecture") != nullptr);
    CHECK(root.find("architecture")->is_string());
    REQUIRE(root.find("config") != nullptr);
    CHECK(root.find("config")->is_object());
    const io::json::Value* w = root.find("weights");
    REQUIRE(w != nullptr);
    REQUIRE(w->is_array());
    for (std::size_t i = 0; i < w->size(); ++i) {
        REQUIRE((*w)[i].is_number());
        REQUIRE(std::isfinite((*w)[i].as_number()));
    }
    if (const io::json::Value* md = root.find("metadata")) CHECK((md->is_object() || md->is_null()));
    if (const io::json::Value* sr = root.find("sample_rate")) CHECK((sr->is_number() || sr->is_null()));
}

struct TempDir {
    fs::path path;
    TempDir() {
        path = fs::temp_directory_path() / ("nofold_write_test_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("sha256: FIPS 180-4 example digests") {
    CHECK(io::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(io::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(io::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(io::sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("writers: a model's own weights write back the input byte for byte, on every readable model") {
    const std::vector<fs::path> models = readable_models();
    REQUIRE(models.size() >= 8);  // the fixtures and seed corpus alone have more
    for (const fs::path& p : models) {
        CAPTURE(p.string());
        const std::string text = slurp(p);
        const io::ModelFile f = io::read_model_text(p.string(), text);
        const std::string out = io::rewrite_model_text(p.string(), text, io::flat_weights(f));
        CHECK(out == text);
    }
}

TEST_CASE("writers: perturbed weights read back exactly and only weight numbers change") {
    for (const fs::path& p : readable_models()) {
        CAPTURE(p.string());
        const std::string text = slurp(p);
        const io::ModelFile f = io::read_model_text(p.string(), text);
        const std::vector<float> w = perturbed(io::flat_weights(f));
        const std::string out = io::rewrite_model_text(p.string(), text, w);
        const io::ModelFile g = io::read_model_text(p.string(), out);
        const std::vector<float> back = io::flat_weights(g);
        REQUIRE(back.size() == w.size());
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < w.size(); ++i) mismatches += bits(back[i]) != bits(w[i]);
        CHECK(mismatches == 0);
        check_same_metadata(f, g);

        std::size_t changed = 0;
        bool same_shape = true;
        compare_trees(io::json::parse(text).root(), io::json::parse(out).root(), changed, same_shape);
        CHECK(same_shape);
        CHECK(changed > 0);
        // GuitarML stores an LSTM's one bias as two numbers: at most one extra change per bias value.
        CHECK(changed <= 2 * w.size());
        if (f.metadata.format == io::FileFormat::nam) check_nam_core_requirements(out);
    }
}

TEST_CASE("writers: .nam weights land in the file's weights array in the given order") {
    const fs::path p = tests_dir() / "io" / "fixtures" / "wavenet_tiny.nam";
    const std::string text = slurp(p);
    const std::vector<float> w = perturbed(io::flat_weights(io::read_model_text(p.string(), text)));
    const io::json::Document doc = io::json::parse(io::rewrite_model_text(p.string(), text, w));
    const io::json::Value& arr = *doc.root().find("weights");
    REQUIRE(arr.size() == w.size());
    for (std::size_t i = 0; i < w.size(); ++i) REQUIRE(bits(static_cast<float>(arr[i].as_number())) == bits(w[i]));
}

TEST_CASE("writers: loudness and training records") {
    const fs::path p = tests_dir() / "io" / "fixtures" / "lstm_1x8.nam";
    const std::string text = slurp(p);
    const io::ModelFile f = io::read_model_text(p.string(), text);
    io::WriteOptions o;
    o.loudness_db = -17.25;
    io::TrainingRecord r;
    r.method = "antialias";
    r.date_utc = "2026-01-02T03:04:05Z";
    r.settings = {{"epochs", 3.0}, {"loss", std::string("0.5 ESR + 0.5 NMR")}, {"resumed", false}};
    r.before = {{"nmr_s_db", 6.5}};
    r.after = {{"nmr_s_db", -18.25}, {"not_measured", NAN}};
    o.record = r;
    const std::string once = io::rewrite_model_text(p.string(), text, io::flat_weights(f), o);
    const io::ModelFile g = io::read_model_text(p.string(), once);
    REQUIRE(g.metadata.loudness_db.has_value());
    CHECK(*g.metadata.loudness_db == -17.25);
    CHECK(g.warnings == f.warnings);

    const io::json::Document doc = io::json::parse(once);
    const io::json::Value* records = doc.root().find("metadata")->find(io::training_record_key);
    REQUIRE(records != nullptr);
    REQUIRE(records->size() == 1);
    const io::json::Value& rec = (*records)[0];
    CHECK(rec.find("method")->as_string() == "antialias");
    CHECK(rec.find("date")->as_string() == "2026-01-02T03:04:05Z");
    CHECK(rec.find("teacher_sha256")->as_string() == io::sha256_hex(text));
    CHECK(rec.find("settings")->find("epochs")->as_number() == 3.0);
    CHECK(rec.find("settings")->find("loss")->as_string() == "0.5 ESR + 0.5 NMR");
    CHECK(rec.find("settings")->find("resumed")->as_bool() == false);
    CHECK(rec.find("before")->find("nmr_s_db")->as_number() == 6.5);
    CHECK(rec.find("after")->find("not_measured")->is_null());

    // A second fine-tune of the student appends its record; the first stays.
    r.method = "antialias again";
    o.record = r;
    const std::string twice = io::rewrite_model_text(p.string(), once, io::flat_weights(g), o);
    const io::json::Document doc2 = io::json::parse(twice);
    const io::json::Value* records2 = doc2.root().find("metadata")->find(io::training_record_key);
    REQUIRE(records2->size() == 2);
    CHECK((*records2)[0].find("method")->as_string() == "antialias");
    CHECK((*records2)[1].find("method")->as_string() == "antialias again");
    CHECK((*records2)[1].find("teacher_sha256")->as_string() == io::sha256_hex(once));
}

TEST_CASE("writers: a .nam without metadata gets one; strings are escaped and made valid UTF-8") {
    const std::string text = R"({"version": "0.5.4", "architecture": "Linear",
 "config": {"receptive_field": 2, "bias": true}, "weights": [0.5, 0.25, 0.125]})";
    io::WriteOptions o;
    o.loudness_db = -20.0;
    io::TrainingRecord r;
    r.method = std::string("quote \" backslash \\ tab \t bad byte \xff end");
    o.record = r;
    const std::string out = io::rewrite_model_text("linear.nam", text, {1.0f, 2.0f, 3.0f}, o);
    const io::ModelFile g = io::read_model_text("linear.nam", out);
    CHECK(io::flat_weights(g) == std::vector<float>{1.0f, 2.0f, 3.0f});
    CHECK(g.metadata.loudness_db == -20.0);
    const io::json::Document doc = io::json::parse(out);
    CHECK(doc.root().find("metadata")->find(io::training_record_key)->operator[](0).find("method")->as_string() ==
          "quote \" backslash \\ tab \t bad byte \xEF\xBF\xBD end");
    check_nam_core_requirements(out);
}

TEST_CASE("writers: GuitarML and Keras records go to a top-level key the readers skip") {
    for (const char* name : {"guitarml_lstm.json", "guitarml_gru.json", "keras_lstm.json", "keras_gru.json"}) {
        CAPTURE(name);
        const fs::path p = tests_dir() / "fuzz" / "corpus" / name;
        if (!fs::exists(p)) continue;
        const std::string text = slurp(p);
        const io::ModelFile f = io::read_model_text(p.string(), text);
        io::WriteOptions o;
        o.record = io::TrainingRecord{};
        o.record->method = "train";
        const std::string out = io::rewrite_model_text(p.string(), text, perturbed(io::flat_weights(f)), o);
        const io::ModelFile g = io::read_model_text(p.string(), out);
        CHECK(g.warnings == f.warnings);
        const io::json::Document doc = io::json::parse(out);
        REQUIRE(doc.root().find(io::training_record_key) != nullptr);
        CHECK((*doc.root().find(io::training_record_key))[0].find("method")->as_string() == "train");
    }
}

TEST_CASE("writers: weights that do not fit are refused with the reason") {
    const fs::path p = tests_dir() / "io" / "fixtures" / "wavenet_tiny.nam";
    const std::string text = slurp(p);
    std::vector<float> w = io::flat_weights(io::read_model_text(p.string(), text));
    std::vector<float> shorter(w.begin(), w.end() - 1);
    CHECK_THROWS_WITH_AS(io::rewrite_model_text("m.nam", text, shorter), doctest::Contains("expected"), io::WriteError);
    w[3] = NAN;
    CHECK_THROWS_WITH_AS(io::rewrite_model_text("m.nam", text, w), doctest::Contains("weight 3 is not finite"), io::WriteError);

    const fs::path g = tests_dir() / "fuzz" / "corpus" / "guitarml_lstm.json";
    if (fs::exists(g)) {
        const std::string gt = slurp(g);
        const io::ModelFile f = io::read_model_text(g.string(), gt);
        std::vector<float> v = io::flat_weights(f);
        // nofold's LSTM layout: [W | bias | h0 | c0] per layer; h0 follows the 4H biases.
        const auto& c = std::get<nofold::nn::LstmConfig>(f.model.config);
        const std::size_t h = static_cast<std::size_t>(c.hidden_size);
        const std::size_t h0 = 4 * h * static_cast<std::size_t>(c.input_size + c.hidden_size) + 4 * h;
        v[h0] = 0.5f;
        CHECK_THROWS_WITH_AS(io::rewrite_model_text("g.json", gt, v), doctest::Contains("initial LSTM state"), io::WriteError);
    }
}

TEST_CASE("write_model_file: atomic, refuses the input as output, leaves the destination on failure") {
    TempDir dir;
    const fs::path in = dir.path / "teacher.nam";
    fs::copy_file(tests_dir() / "io" / "fixtures" / "wavenet_tiny.nam", in);
    const std::string teacher = slurp(in);
    const std::vector<float> w = perturbed(io::flat_weights(io::read_model_file(in.string())));

    CHECK_THROWS_WITH_AS(io::write_model_file(in.string(), in.string(), w), doctest::Contains("refusing"), io::WriteError);
    const fs::path link = dir.path / "link.nam";
    fs::create_symlink(in, link);
    CHECK_THROWS_AS(io::write_model_file(in.string(), link.string(), w), io::WriteError);
    CHECK(slurp(in) == teacher);

    const fs::path out = dir.path / "student.nam";
    spit(out, "previous contents");
    std::vector<float> bad = w;
    bad[0] = INFINITY;
    CHECK_THROWS_AS(io::write_model_file(in.string(), out.string(), bad), io::WriteError);
    CHECK(slurp(out) == "previous contents");
    CHECK_THROWS_WITH_AS(io::write_model_file(in.string(), (dir.path / "missing" / "s.nam").string(), w),
                         doctest::Contains("does not exist"), io::WriteError);

    io::write_model_file(in.string(), out.string(), w);
    CHECK(io::flat_weights(io::read_model_file(out.string())) == w);
    for (const auto& e : fs::directory_iterator(dir.path))  // no temporary left behind
        CHECK(e.path().filename().string().find(".nofold-") == std::string::npos);

    io::WriteOptions allow;
    allow.same_file = io::SameFile::allow;
    io::write_model_file(in.string(), in.string(), w, allow);
    CHECK(io::flat_weights(io::read_model_file(in.string())) == w);
}

// io::AtomicFile, the one atomic writer of the library, the nofold program and train/checkpoint.hpp
// (issue 17, 3: two concurrent writers spliced a WAV; a failed write destroyed the input).
TEST_CASE("AtomicFile: own exclusive temporary, all-or-nothing replacement, links and permissions kept") {
    TempDir dir;
    const fs::path target = dir.path / "out.txt";
    spit(target, "old");
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
    const auto temps = [&] {
        int n = 0;
        for (const auto& e : fs::directory_iterator(dir.path)) n += e.path().filename().string().find(".nofold-") != std::string::npos;
        return n;
    };
    {
        // Two writers at once: separate temporaries; the later commit wins, whole.
        io::AtomicFile a(target.string()), b(target.string());
        CHECK(a.temp_path() != b.temp_path());
        CHECK(fs::path(a.temp_path()).parent_path() == target.parent_path());
        CHECK(temps() == 2);
        a.write(std::string(100000, 'a'));
        b.write(std::string(50000, 'b'));
        CHECK(slurp(target) == "old");  // nothing visible before commit
        b.commit();
        a.commit();
        CHECK(slurp(target) == std::string(100000, 'a'));
    }
    CHECK(temps() == 0);
    CHECK(fs::status(target).permissions() == (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read));
    {
        io::AtomicFile abandoned(target.string());
        abandoned.write("partial");
    }  // destroyed without commit: target unchanged, temporary removed
    CHECK(slurp(target) == std::string(100000, 'a'));
    CHECK(temps() == 0);
    // A writer that throws: the old file stays, no temporary is left.
    CHECK_THROWS_AS(io::replace_file_atomically(target.string(), [](const std::string& temp) {
                        spit(temp, "half");
                        throw io::WriteError(temp, "simulated failure");
                    }),
                    io::WriteError);
    CHECK(slurp(target) == std::string(100000, 'a'));
    CHECK(temps() == 0);
    // A symbolic link is followed: the file it names is replaced, the link stays a link.
    const fs::path link = dir.path / "link.txt";
    fs::create_symlink(target, link);
    io::write_file_atomically(link.string(), "through the link");
    CHECK(fs::is_symlink(link));
    CHECK(slurp(target) == "through the link");
    // Same-file refusal, also through the link; folders and missing folders are refused up front.
    CHECK_THROWS_WITH_AS(io::refuse_same_file(target.string(), link.string()), doctest::Contains("refusing"), io::WriteError);
    CHECK_NOTHROW(io::refuse_same_file(target.string(), (dir.path / "other.txt").string()));
    CHECK_THROWS_AS(io::AtomicFile(dir.path.string()), io::WriteError);
    CHECK_THROWS_WITH_AS(io::AtomicFile((dir.path / "missing" / "x.txt").string()), doctest::Contains("does not exist"), io::WriteError);
    CHECK(temps() == 0);
}

namespace {
void leaves(const io::ModelFile& f, std::vector<const nofold::nn::NestedModel*>& out) {
    if (f.is_container())
        for (const io::ModelFile& c : f.children) leaves(c, out);
    else
        out.push_back(&f.model);
}
}  // namespace

TEST_CASE("write_nam_text: new .nam files read back as the same model (same output on noise)") {
    std::size_t written = 0, refused = 0;
    for (const fs::path& p : readable_models()) {
        const io::ModelFile f = io::read_model_file(p.string());
        if (f.metadata.format != io::FileFormat::nam) continue;
        std::vector<const nofold::nn::NestedModel*> models;
        leaves(f, models);
        for (const nofold::nn::NestedModel* m : models) {
            CAPTURE(p.string());
            std::string text;
            try {
                text = io::write_nam_text(*m);
            } catch (const io::WriteError& e) {
                ++refused;  // a feature outside the classic keys; the message names it
                CHECK(std::string(e.what()).find("write_nam_text") != std::string::npos);
                continue;
            }
            ++written;
            check_nam_core_requirements(text);
            const io::ModelFile g = io::read_model_text("new.nam", text);
            CHECK(g.warnings.empty());
            CHECK(g.model.sample_rate_hz == m->sample_rate_hz);
            REQUIRE(g.model.weights.size() == m->weights.size());
            for (std::size_t i = 0; i < m->weights.size(); ++i) REQUIRE(bits(g.model.weights[i]) == bits(m->weights[i]));
            // Reference: the original file's model, built by the runtime engine, on the same noise.
            std::string error;
            auto a = nofold::runtime::make_model(*m, {}, error);
            auto b = nofold::runtime::make_model(g.model, {}, error);
            REQUIRE((a && b));
            std::vector<float> x(512), ya(512), yb(512);
            std::uint32_t state = 1;
            for (float& v : x) v = static_cast<float>((state = state * 1664525u + 1013904223u) >> 8) / 16777216.0f - 0.5f;
            a->prewarm();
            b->prewarm();
            a->process(x.data(), ya.data(), 512);
            b->process(x.data(), yb.data(), 512);
            CHECK(ya == yb);
        }
    }
    INFO("write_nam_text: " << written << " models written, " << refused << " refused");
    // The fixtures, the seed corpus and the demo amp alone give 7 leaf models; ../shared adds more.
    CHECK(written >= (nofold::test::shared_dir().empty() ? 7u : 8u));
}

TEST_CASE("write_nam_text: what .nam cannot hold is refused") {
    nofold::nn::NestedModel gru;
    gru.config = nofold::nn::GruConfig{1, 4, 1};
    gru.weights.assign(nofold::nn::weight_count(gru.config), 0.0f);
    CHECK_THROWS_WITH_AS(io::write_nam_text(gru), doctest::Contains("cannot be written"), io::WriteError);
    nofold::nn::NestedModel lin;
    lin.config = nofold::nn::LinearConfig{3, true};
    lin.weights = {1.0f, 2.0f};
    CHECK_THROWS_WITH_AS(io::write_nam_text(lin), doctest::Contains("expected 4 weights"), io::WriteError);
}
