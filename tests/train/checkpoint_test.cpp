// Tests for include/nofold/train/checkpoint.hpp: CRC-32 check value, round trip, bit-identical resume,
// every truncation and every single-byte corruption of a file rejected with a clear error, and a
// writer killed (fork + SIGKILL) in the middle of a save leaving the previous checkpoint intact.
#include <nofold/train/adam.hpp>
#include <nofold/train/checkpoint.hpp>
#include <nofold/train/random.hpp>

#include <doctest/doctest.h>

#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using nofold::train::Adam;
using nofold::train::AdamSettings;
using nofold::train::CheckpointError;
using nofold::train::Random;

// A fresh folder per test, removed at the end.
struct TempFolder {
    fs::path path;
    explicit TempFolder(const std::string& name)
        : path(fs::temp_directory_path() / ("nofold_train_" + name + "_" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempFolder() { fs::remove_all(path); }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

std::vector<unsigned char> read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// A training step that depends on the parameters, the optimiser's state and the random source:
// gradient = (theta - 1) + noise, so a resume that lost any of the three would diverge.
template <class P, class M>
void train(Adam<P, M>& opt, std::vector<P>& theta, Random& rng, int steps) {
    std::vector<P> g(theta.size());
    for (int k = 0; k < steps; ++k) {
        for (std::size_t i = 0; i < theta.size(); ++i) g[i] = static_cast<P>(theta[i] - P(1) + P(rng.uniform(-0.5, 0.5)));
        opt.step(theta.data(), g.data());
    }
}

AdamSettings schedule() {
    AdamSettings s;
    s.learning_rate = 0.01;
    s.lr_decay_per_epoch = 0.9;
    s.steps_per_epoch = 7;
    s.max_gradient_norm = 3.0;
    s.weight_decay = 1e-3;
    s.decoupled = true;
    return s;
}

template <class P, class M>
void check_resume() {
    TempFolder dir("resume");
    const std::size_t n = 101;
    const int total = 40, first = 17;
    std::vector<P> straight(n, P(0.25));
    Adam<P, M> opt_a(n, schedule());
    Random rng_a(9, 3);
    train(opt_a, straight, rng_a, total);

    std::vector<P> resumed(n, P(0.25));
    Adam<P, M> opt_b(n, schedule());
    Random rng_b(9, 3);
    train(opt_b, resumed, rng_b, first);
    const std::vector<unsigned char> payload{1, 2, 3, 250};
    nofold::train::save_checkpoint(dir.file("ck.bin"), opt_b, resumed.data(), rng_b, payload);

    // A fresh optimiser with other settings, other parameters and another random stream.
    std::vector<P> fresh(n, P(-7));
    Adam<P, M> opt_c(n, AdamSettings{});
    Random rng_c(1234);
    CHECK(nofold::train::load_checkpoint(dir.file("ck.bin"), opt_c, fresh.data(), rng_c) == payload);
    CHECK(opt_c.step_count() == static_cast<std::uint64_t>(first));
    train(opt_c, fresh, rng_c, total - first);
    CHECK(std::memcmp(straight.data(), fresh.data(), n * sizeof(P)) == 0);
    CHECK(std::memcmp(opt_a.first_moment().data(), opt_c.first_moment().data(), n * sizeof(M)) == 0);
    CHECK(std::memcmp(opt_a.second_moment().data(), opt_c.second_moment().data(), n * sizeof(M)) == 0);
    CHECK(rng_a.state() == rng_c.state());
    CHECK(opt_a.step_count() == opt_c.step_count());
}

}  // namespace

TEST_CASE("crc32 gives the standard check value") {
    const char* text = "123456789";
    CHECK(nofold::train::crc32(reinterpret_cast<const unsigned char*>(text), 9) == 0xCBF43926U);
    // Continuing from a prefix's CRC equals one pass.
    const auto p = reinterpret_cast<const unsigned char*>(text);
    CHECK(nofold::train::crc32(p + 4, 5, nofold::train::crc32(p, 4)) == 0xCBF43926U);
}

TEST_CASE("checkpoint round trip keeps every field") {
    TempFolder dir("roundtrip");
    const std::size_t n = 5;
    std::vector<float> theta{1.5f, -2.25f, 3e-8f, 0.f, 1e30f};
    Adam<float, double> opt(n, schedule());
    Random rng(42, 7);
    train(opt, theta, rng, 3);
    const std::vector<unsigned char> payload{'e', 'p', 'o', 'c', 'h', 0, 9};
    nofold::train::save_checkpoint(dir.file("a.ck"), opt, theta.data(), rng, payload);
    const auto c = nofold::train::read_checkpoint<float, double>(dir.file("a.ck"));
    CHECK(c.step == 3);
    CHECK(c.parameters == theta);
    CHECK(c.first_moment == opt.first_moment());
    CHECK(c.second_moment == opt.second_moment());
    CHECK(c.random == rng.state());
    CHECK(c.payload == payload);
    CHECK(c.settings.learning_rate == 0.01);
    CHECK(c.settings.steps_per_epoch == 7);
    CHECK(c.settings.decoupled);
    CHECK(c.settings.max_gradient_norm == 3.0);
    CHECK(fs::file_size(dir.file("a.ck")) == 152 + n * (4 + 8 + 8) + payload.size() + 4);
    // No temporary is left behind by a successful save.
    CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()) == 1);
}

TEST_CASE("resume from a checkpoint continues bit-identically (float/double and float/float moments, double/double)") {
    check_resume<float, double>();
    check_resume<float, float>();
    check_resume<double, double>();
}

TEST_CASE("every truncation, extension and single-byte corruption of a checkpoint is rejected with a clear error") {
    TempFolder dir("corrupt");
    const std::size_t n = 4;
    std::vector<float> theta{1, 2, 3, 4};
    Adam<float, double> opt(n, {});
    Random rng(5);
    train(opt, theta, rng, 2);
    const std::string good = dir.file("good.ck"), bad = dir.file("bad.ck");
    nofold::train::save_checkpoint(good, opt, theta.data(), rng, {7, 7, 7});
    const auto bytes = read_bytes(good);
    // The sweeps decode in memory (parse_checkpoint is what read_checkpoint runs on the file's bytes).
    auto message = [&](const std::vector<unsigned char>& b) -> std::string {
        try {
            (void)nofold::train::parse_checkpoint<float, double>(b, "sweep");
        } catch (const CheckpointError& e) {
            return e.what();
        }
        return "";
    };
    // And once through a file on disk.
    write_bytes(bad, std::vector<unsigned char>(bytes.begin(), bytes.end() - 9));
    CHECK_THROWS_WITH_AS((nofold::train::read_checkpoint<float, double>(bad)), doctest::Contains("bad.ck': truncated"),
                         CheckpointError);
    for (std::size_t len = 0; len < bytes.size(); ++len) {
        CAPTURE(len);
        const std::string m = message(std::vector<unsigned char>(bytes.begin(), bytes.begin() + static_cast<long>(len)));
        CHECK(!m.empty());
        if (len >= 8) CHECK((m.find("truncated") != std::string::npos || m.find("corrupt") != std::string::npos));
    }
    auto longer = bytes;
    longer.push_back(0);
    CHECK(message(longer).find("trailing") != std::string::npos);
    std::size_t checksum_errors = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        CAPTURE(i);
        auto b = bytes;
        b[i] ^= 0x5A;
        const std::string m = message(b);
        CHECK(!m.empty());
        checksum_errors += m.find("checksum") != std::string::npos;
    }
    CHECK(checksum_errors > bytes.size() / 2);  // the data bytes are caught by the CRC
    auto wrong_magic = bytes;
    wrong_magic[0] = 'X';
    CHECK(message(wrong_magic).find("not a nofold checkpoint") != std::string::npos);
    // A well-formed file of a future version (CRC recomputed) names the version.
    auto future = bytes;
    future[8] = 2;
    const std::uint32_t crc = nofold::train::crc32(future.data(), future.size() - 4);
    for (int k = 0; k < 4; ++k) future[future.size() - 4 + static_cast<std::size_t>(k)] = static_cast<unsigned char>(crc >> (8 * k));
    CHECK(message(future).find("format version 2 is not supported") != std::string::npos);
    // Wrong element types and counts.
    CHECK_THROWS_WITH_AS((nofold::train::read_checkpoint<double, double>(good)), doctest::Contains("32-bit parameters"),
                         CheckpointError);
    Adam<float, double> other(n + 1, {});
    std::vector<float> untouched(n + 1, 9.f);
    CHECK_THROWS_WITH_AS(nofold::train::load_checkpoint(good, other, untouched.data(), rng), doctest::Contains("holds 4 parameters"),
                         CheckpointError);
    CHECK(untouched == std::vector<float>(n + 1, 9.f));
    CHECK(other.step_count() == 0);
    CHECK_THROWS_WITH_AS((nofold::train::read_checkpoint<float, double>(dir.file("missing.ck"))), doctest::Contains("cannot open"),
                         CheckpointError);
    CHECK_THROWS_AS(nofold::train::save_checkpoint(dir.file("no/such/folder/x.ck"), opt, theta.data(), rng), CheckpointError);
}

TEST_CASE("a writer killed in the middle of a save leaves the previous checkpoint intact") {
    TempFolder dir("kill");
    const std::string path = dir.file("model.ck");
    const std::size_t n = 300000;  // ~6 MB: several 1 MiB chunks
    std::vector<float> theta(n, 0.5f);
    Adam<float, double> opt(n, {});
    Random rng(3);
    train(opt, theta, rng, 1);
    nofold::train::save_checkpoint(path, opt, theta.data(), rng, {1});
    const auto before = read_bytes(path);

    train(opt, theta, rng, 1);
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // Writes the newer state; after the first chunk it tells the parent and waits to be killed.
        ::close(ready[0]);
        nofold::train::save_checkpoint(path, opt, theta.data(), rng, {2}, [&](std::size_t written, std::size_t total) {
            if (written < total) {
                const char c = 'x';
                (void)!::write(ready[1], &c, 1);
                for (;;) ::pause();
            }
        });
        ::_exit(3);  // not reached unless the file fits one chunk
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    ::close(ready[0]);
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);

    CHECK(read_bytes(path) == before);
    const auto c1 = nofold::train::read_checkpoint<float, double>(path);
    CHECK(c1.step == 1);
    CHECK(c1.payload == std::vector<unsigned char>{1});
    // The partial temporary is there, beside the intact file, and is not a valid checkpoint.
    // (io::AtomicFile's name: ".model.nofold-N.ck" beside model.ck; exactly one, the killed writer's)
    std::vector<std::string> temps;
    for (const auto& e : fs::directory_iterator(fs::path(path).parent_path()))
        if (e.path().filename().string().rfind(".model.nofold-", 0) == 0) temps.push_back(e.path().string());
    REQUIRE(temps.size() == 1);
    const std::string temp = temps.front();
    CHECK(fs::file_size(temp) >= (std::size_t{1} << 19));  // the first 1 MiB chunk, less any stdio buffer
    CHECK(fs::file_size(temp) < before.size());
    CHECK_THROWS_AS((nofold::train::read_checkpoint<float, double>(temp)), CheckpointError);
    // The next save replaces the file normally.
    nofold::train::save_checkpoint(path, opt, theta.data(), rng, {2});
    CHECK(nofold::train::read_checkpoint<float, double>(path).step == 2);
}
