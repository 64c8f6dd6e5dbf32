// Claims about include/nofold/io/impulse_response.hpp:
// - 16/24/32-bit PCM and 32-bit float WAVs (plain and WAVE_FORMAT_EXTENSIBLE), mono and stereo, read
//   back the values written by an independent writer in this file (integers at full scale 2^(bits−1));
// - a 96 kHz response brought to 48 kHz keeps its magnitude response: the DTFT of the result equals
//   the DTFT of the file's response (both summed in double here) within 0.02 dB from 100 Hz to 16 kHz;
//   44.1 kHz → 48 kHz likewise;
// - the trims follow the documented rule (leading samples below −90 dB of the peak go, the end is cut
//   where less than −100 dB of the energy remains), max_seconds caps the length, and energy
//   normalisation gives Σh² = 1 (mean over channels) with one gain for both channels;
// - bad files are refused with a LoadError naming the file and the reason.
#include <doctest/doctest.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nofold/io/impulse_response.hpp>

namespace io = nofold::io;

namespace {

constexpr double pi = 3.14159265358979323846;

std::string temp_path(const std::string& name) { return "nofold_ir_test_" + name + ".wav"; }

void put(std::string& s, std::uint64_t v, int bytes) {
    for (int b = 0; b < bytes; ++b) s.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
}

// Writes interleaved frames; tag 1 (PCM, bits 16/24/32), 3 (float) or 0xFFFE (extensible, sub = 1 or 3).
void write_wav(const std::string& path, int rate, int channels, int bits, int tag, int sub,
               const std::vector<std::vector<double>>& data) {
    std::string fmt, body;
    put(fmt, static_cast<std::uint64_t>(tag), 2);
    put(fmt, static_cast<std::uint64_t>(channels), 2);
    put(fmt, static_cast<std::uint64_t>(rate), 4);
    put(fmt, static_cast<std::uint64_t>(rate * channels * bits / 8), 4);
    put(fmt, static_cast<std::uint64_t>(channels * bits / 8), 2);
    put(fmt, static_cast<std::uint64_t>(bits), 2);
    if (tag == 0xFFFE) {
        put(fmt, 22, 2);
        put(fmt, static_cast<std::uint64_t>(bits), 2);
        put(fmt, 0, 4);
        put(fmt, static_cast<std::uint64_t>(sub), 2);
        fmt += std::string("\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71", 14);
    }
    const bool is_float = tag == 3 || (tag == 0xFFFE && sub == 3);
    for (std::size_t f = 0; f < data[0].size(); ++f)
        for (int c = 0; c < channels; ++c) {
            const double v = data[static_cast<std::size_t>(c)][f];
            if (is_float) {
                const float x = static_cast<float>(v);
                std::uint32_t u;
                std::memcpy(&u, &x, 4);
                put(body, u, 4);
            } else {
                const double full = std::ldexp(1.0, bits - 1);
                const auto q = static_cast<std::int64_t>(std::llround(v * full));
                put(body, static_cast<std::uint64_t>(q), bits / 8);
            }
        }
    std::string riff = "WAVE";
    riff += "fmt ";
    put(riff, fmt.size(), 4);
    riff += fmt;
    riff += "LIST";  // an unknown chunk to skip
    put(riff, 3, 4);
    riff += std::string("abc\0", 4);
    riff += "data";
    put(riff, body.size(), 4);
    riff += body;
    std::ofstream out(path, std::ios::binary);
    out << "RIFF";
    std::string size;
    put(size, riff.size(), 4);
    out << size << riff;
}

double dtft_db(const std::vector<float>& h, double f_hz, double rate) {
    std::complex<double> s = 0;
    for (std::size_t n = 0; n < h.size(); ++n) s += static_cast<double>(h[n]) * std::polar(1.0, -2 * pi * f_hz * n / rate);
    return 20 * std::log10(std::abs(s));
}

std::vector<double> decaying(int n, double rate, double tau_s, double f_hz) {
    std::vector<double> v(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) v[static_cast<std::size_t>(i)] = 0.5 * std::exp(-i / (tau_s * rate)) * std::cos(2 * pi * f_hz * i / rate);
    return v;
}

}  // namespace

TEST_CASE("impulse response WAV: every supported format reads back the written values") {
    const std::vector<std::vector<double>> stereo = {{0.5, -0.25, 0.0, 0.999, -1.0}, {0.125, 0.0625, -0.5, 0.0, 0.25}};
    struct Case { int bits, tag, sub; double tolerance; };
    for (const Case& c : {Case{16, 1, 0, 0.5 / 32768}, Case{24, 1, 0, 0.5 / 8388608}, Case{32, 1, 0, 1e-7},
                          Case{32, 3, 0, 6e-8}, Case{24, 0xFFFE, 1, 0.5 / 8388608}, Case{32, 0xFFFE, 3, 6e-8}}) {
        const std::string path = temp_path("fmt" + std::to_string(c.bits) + "_" + std::to_string(c.tag));
        write_wav(path, 44100, 2, c.bits, c.tag, c.sub, stereo);
        const auto ir = io::read_impulse_response_wav(path);
        std::remove(path.c_str());
        INFO("bits " << c.bits << " tag " << c.tag);
        REQUIRE(ir.channels.size() == 2);
        CHECK(ir.sample_rate_hz == 44100);
        REQUIRE(ir.length() == 5);
        for (int ch = 0; ch < 2; ++ch)
            for (int i = 0; i < 5; ++i)
                CHECK(std::fabs(ir.channels[static_cast<std::size_t>(ch)][static_cast<std::size_t>(i)] -
                                stereo[static_cast<std::size_t>(ch)][static_cast<std::size_t>(i)]) <= c.tolerance + 1e-9);
    }
}

TEST_CASE("impulse response: another rate keeps the magnitude response") {
    for (int file_rate : {96000, 44100}) {
        io::ImpulseResponse ir;
        ir.sample_rate_hz = file_rate;
        std::vector<float> h;
        for (double v : decaying(file_rate / 10, file_rate, 0.004, 2000.0)) h.push_back(static_cast<float>(v));
        ir.channels = {h};
        io::IrOptions options;
        options.normalize = io::IrNormalize::none;
        const auto out = io::prepare_impulse_response(ir, options);
        CHECK(out.sample_rate_hz == 48000);
        CHECK(out.gain_db == 0.0);
        for (double f : {100.0, 1000.0, 2000.0, 5000.0, 10000.0, 16000.0}) {
            INFO("file rate " << file_rate << ", " << f << " Hz");
            INFO("error " << dtft_db(out.channels[0], f, 48000) - dtft_db(h, f, file_rate) << " level " << dtft_db(h, f, file_rate));
            CHECK(std::fabs(dtft_db(out.channels[0], f, 48000) - dtft_db(h, f, file_rate)) < 0.02);
        }
    }
}

TEST_CASE("impulse response: trims, length cap and energy normalisation follow the rule") {
    io::ImpulseResponse ir;
    ir.sample_rate_hz = 48000;
    std::vector<float> a(2000, 0.0f), b(2000, 0.0f);
    a[100] = 1.0f;               // the peak, after 100 silent samples
    a[50] = 1e-5f;               // −100 dB: below the leading threshold, so it goes too
    for (int i = 101; i < 600; ++i) a[static_cast<std::size_t>(i)] = 0.5f * std::exp(-(i - 100) / 50.0f);
    b[120] = 0.5f;
    a[1500] = 1e-7f;             // far below −100 dB of the energy: trimmed away
    ir.channels = {a, b};
    const auto out = io::prepare_impulse_response(ir, io::IrOptions{});
    CHECK(out.trimmed_leading == 100);
    CHECK(out.length() < 500);
    CHECK(out.length() > 300);
    CHECK_FALSE(out.truncated);
    double e0 = 0, e1 = 0;
    for (float v : out.channels[0]) e0 += static_cast<double>(v) * v;
    for (float v : out.channels[1]) e1 += static_cast<double>(v) * v;
    CHECK((e0 + e1) / 2 == doctest::Approx(1.0).epsilon(1e-5));
    // one gain for both channels: the ratio of the two peaks is kept
    CHECK(out.channels[1][20] / out.channels[0][0] == doctest::Approx(0.5).epsilon(1e-6));
    // The energy after the trailing cut is below −100 dB of the total (computed here from the input).
    double total = 0, cut = 0;
    for (std::size_t i = 100; i < 2000; ++i) total += static_cast<double>(a[i]) * a[i] + static_cast<double>(b[i]) * b[i];
    for (std::size_t i = 100 + static_cast<std::size_t>(out.length()); i < 2000; ++i)
        cut += static_cast<double>(a[i]) * a[i] + static_cast<double>(b[i]) * b[i];
    CHECK(cut <= total * 1e-10);
    io::IrOptions capped;
    capped.max_seconds = 100.0 / 48000;
    const auto short_ir = io::prepare_impulse_response(ir, capped);
    CHECK(short_ir.length() == 100);
    CHECK(short_ir.truncated);
}

TEST_CASE("impulse response: bad files and silent responses are refused with the reason") {
    const auto message = [](auto&& f) {
        try {
            f();
        } catch (const io::LoadError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message([] { io::read_impulse_response_wav("no/such/file.wav"); }).find("cannot open") != std::string::npos);
    const std::string three = temp_path("three");
    write_wav(three, 48000, 3, 16, 1, 0, {{0.1}, {0.1}, {0.1}});
    CHECK(message([&] { io::read_impulse_response_wav(three); }).find("one or two channels") != std::string::npos);
    const std::string eight = temp_path("eight");
    write_wav(eight, 48000, 1, 8, 1, 0, {{0.1}});
    CHECK(message([&] { io::read_impulse_response_wav(eight); }).find("unsupported sample format") != std::string::npos);
    std::ofstream(temp_path("text")) << "not a wav";
    CHECK(message([&] { io::read_impulse_response_wav(temp_path("text")); }).find("RIFF") != std::string::npos);
    std::remove(three.c_str());
    std::remove(eight.c_str());
    std::remove(temp_path("text").c_str());
    io::ImpulseResponse silent;
    silent.sample_rate_hz = 48000;
    silent.channels = {std::vector<float>(100, 0.0f)};
    CHECK(message([&] { io::prepare_impulse_response(silent, {}, "cab.wav"); }).find("cab.wav: the impulse response is silent") !=
          std::string::npos);
}
