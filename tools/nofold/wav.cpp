#include "wav.hpp"

#include <cmath>
#include <cstdint>
#include <memory>

#include <sndfile.h>

#include "command.hpp"

namespace nofold::cli {

SampleFormat parse_sample_format(const std::string& name) {
    if (name == "pcm16") return SampleFormat::pcm16;
    if (name == "pcm24") return SampleFormat::pcm24;
    if (name == "pcm32") return SampleFormat::pcm32;
    if (name == "float") return SampleFormat::float32;
    throw UsageError("unknown sample format '" + name + "' (use pcm16, pcm24, pcm32 or float)");
}

const char* to_string(SampleFormat format) {
    switch (format) {
        case SampleFormat::pcm16: return "pcm16";
        case SampleFormat::pcm24: return "pcm24";
        case SampleFormat::pcm32: return "pcm32";
        case SampleFormat::float32: return "float";
    }
    return "?";
}

namespace {

struct SndfileCloser {
    void operator()(SNDFILE* f) const { sf_close(f); }
};
using SndfileHandle = std::unique_ptr<SNDFILE, SndfileCloser>;

const char* subtype_name(int subtype) {
    switch (subtype) {
        case SF_FORMAT_PCM_S8: return "8-bit signed PCM";
        case SF_FORMAT_PCM_U8: return "8-bit unsigned PCM";
        case SF_FORMAT_DOUBLE: return "64-bit float";
        case SF_FORMAT_ULAW: return "u-law";
        case SF_FORMAT_ALAW: return "A-law";
        case SF_FORMAT_IMA_ADPCM:
        case SF_FORMAT_MS_ADPCM: return "ADPCM";
        default: return "an unsupported encoding";
    }
}

}  // namespace

Audio read_wav(const std::string& path) {
    SF_INFO info{};
    SndfileHandle file(sf_open(path.c_str(), SFM_READ, &info));
    if (!file) throw FileError(path + ": cannot read audio (" + sf_strerror(nullptr) + ")");
    const int major = info.format & SF_FORMAT_TYPEMASK;
    const int subtype = info.format & SF_FORMAT_SUBMASK;
    if (major != SF_FORMAT_WAV && major != SF_FORMAT_WAVEX && major != SF_FORMAT_RF64)
        throw FileError(path + ": not a WAV file");
    Audio audio;
    switch (subtype) {
        case SF_FORMAT_PCM_16: audio.format = SampleFormat::pcm16; break;
        case SF_FORMAT_PCM_24: audio.format = SampleFormat::pcm24; break;
        case SF_FORMAT_PCM_32: audio.format = SampleFormat::pcm32; break;
        case SF_FORMAT_FLOAT: audio.format = SampleFormat::float32; break;
        default:
            throw FileError(path + ": samples are " + subtype_name(subtype) +
                            "; nofold reads 16/24/32-bit integer or 32-bit float WAV");
    }
    if (info.channels < 1 || info.channels > 2)
        throw FileError(path + ": " + std::to_string(info.channels) + " channels; nofold reads mono or stereo");
    if (info.samplerate <= 0) throw FileError(path + ": invalid sample rate");
    audio.sample_rate_hz = info.samplerate;
    const auto frames = static_cast<std::size_t>(info.frames);
    const auto n_channels = static_cast<std::size_t>(info.channels);
    audio.channels.assign(n_channels, std::vector<float>(frames));
    sf_count_t got = 0;
    // Integers are read as left-justified 32-bit values and scaled by 2^-31, so full scale is exactly
    // 2^(bits-1) for every width (libsndfile's own float conversion is asymmetric).
    if (audio.format == SampleFormat::float32) {
        std::vector<float> interleaved(frames * n_channels);
        got = sf_readf_float(file.get(), interleaved.data(), info.frames);
        for (std::size_t i = 0; i < frames; ++i)
            for (std::size_t c = 0; c < n_channels; ++c) audio.channels[c][i] = interleaved[i * n_channels + c];
    } else {
        std::vector<int> interleaved(frames * n_channels);
        got = sf_readf_int(file.get(), interleaved.data(), info.frames);
        for (std::size_t i = 0; i < frames; ++i)
            for (std::size_t c = 0; c < n_channels; ++c)
                audio.channels[c][i] = static_cast<float>(interleaved[i * n_channels + c] * (1.0 / 2147483648.0));
    }
    if (got != info.frames)
        throw FileError(path + ": truncated (header says " + std::to_string(info.frames) + " frames, read " +
                        std::to_string(got) + ")");
    return audio;
}

void write_wav(const std::string& path, const Audio& audio) {
    if (audio.channels.empty() || audio.channels.size() > 2)
        throw FileError(path + ": can only write mono or stereo audio");
    SF_INFO info{};
    info.samplerate = audio.sample_rate_hz;
    info.channels = static_cast<int>(audio.channels.size());
    int subtype = SF_FORMAT_FLOAT;
    switch (audio.format) {
        case SampleFormat::pcm16: subtype = SF_FORMAT_PCM_16; break;
        case SampleFormat::pcm24: subtype = SF_FORMAT_PCM_24; break;
        case SampleFormat::pcm32: subtype = SF_FORMAT_PCM_32; break;
        case SampleFormat::float32: subtype = SF_FORMAT_FLOAT; break;
    }
    info.format = SF_FORMAT_WAV | subtype;
    SndfileHandle file(sf_open(path.c_str(), SFM_WRITE, &info));
    if (!file) throw FileError(path + ": cannot write (" + sf_strerror(nullptr) + ")");
    const std::size_t frames = audio.channels.front().size();
    const std::size_t n_channels = audio.channels.size();
    sf_count_t written = 0;
    if (audio.format == SampleFormat::float32) {
        std::vector<float> interleaved(frames * n_channels);
        for (std::size_t i = 0; i < frames; ++i)
            for (std::size_t c = 0; c < n_channels; ++c) {
                const float v = audio.channels[c][i];
                interleaved[i * n_channels + c] = std::isfinite(v) ? v : 0.0f;
            }
        written = sf_writef_float(file.get(), interleaved.data(), static_cast<sf_count_t>(frames));
    } else {
        // Quantise to the file's width ourselves (round to nearest, clip at full scale), then hand
        // libsndfile left-justified 32-bit integers, which it stores without further rounding.
        const int bits = audio.format == SampleFormat::pcm16 ? 16 : audio.format == SampleFormat::pcm24 ? 24 : 32;
        const double scale = std::ldexp(1.0, bits - 1);
        const int shift = 32 - bits;
        std::vector<int> interleaved(frames * n_channels);
        for (std::size_t i = 0; i < frames; ++i)
            for (std::size_t c = 0; c < n_channels; ++c) {
                const float v = audio.channels[c][i];
                double q = std::isfinite(v) ? std::nearbyint(static_cast<double>(v) * scale) : 0.0;
                q = std::fmin(std::fmax(q, -scale), scale - 1.0);
                interleaved[i * n_channels + c] =
                    static_cast<int>(static_cast<std::int64_t>(q) * (std::int64_t{1} << shift));
            }
        written = sf_writef_int(file.get(), interleaved.data(), static_cast<sf_count_t>(frames));
    }
    if (written != static_cast<sf_count_t>(frames))
        throw FileError(path + ": write failed (" + sf_strerror(file.get()) + ")");
}

}  // namespace nofold::cli
