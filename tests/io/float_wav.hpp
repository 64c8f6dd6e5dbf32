// Test helper: a minimal reader for mono/stereo 32-bit float WAV files (format tag 3, or
// WAVE_FORMAT_EXTENSIBLE with the float sub-format), so io tests need no libsndfile and run in the
// cross builds. Reads channel 0. Returns false on anything else.
#pragma once

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace nofold::test {

struct FloatWav {
    int sample_rate_hz = 0;
    std::vector<float> samples;  // channel 0
};

inline bool read_float_wav(const std::string& path, FloatWav& wav) {
    std::ifstream f(path, std::ios::binary);
    if (!f) return false;
    std::vector<char> b((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto u32 = [&](std::size_t o) {
        std::uint32_t v = 0;
        std::memcpy(&v, b.data() + o, 4);
        return v;
    };
    auto u16 = [&](std::size_t o) {
        std::uint16_t v = 0;
        std::memcpy(&v, b.data() + o, 2);
        return v;
    };
    if (b.size() < 12 || std::memcmp(b.data(), "RIFF", 4) != 0 || std::memcmp(b.data() + 8, "WAVE", 4) != 0) return false;
    int channels = 0, bits = 0, tag = 0;
    for (std::size_t o = 12; o + 8 <= b.size();) {
        const std::uint32_t size = u32(o + 4);
        const std::size_t body = o + 8;
        if (body + size > b.size()) return false;
        if (std::memcmp(b.data() + o, "fmt ", 4) == 0 && size >= 16) {
            tag = u16(body);
            channels = u16(body + 2);
            wav.sample_rate_hz = static_cast<int>(u32(body + 4));
            bits = u16(body + 14);
            if (tag == 0xFFFE && size >= 26) tag = u16(body + 24);
        } else if (std::memcmp(b.data() + o, "data", 4) == 0) {
            if (tag != 3 || bits != 32 || channels < 1) return false;
            const std::size_t frames = size / (4u * static_cast<unsigned>(channels));
            wav.samples.resize(frames);
            for (std::size_t i = 0; i < frames; ++i)
                std::memcpy(&wav.samples[i], b.data() + body + i * 4u * static_cast<unsigned>(channels), 4);
            return true;
        }
        o = body + size + (size & 1u);
    }
    return false;
}

}  // namespace nofold::test
