#include "wav.hpp"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <memory>

#include <sndfile.h>

#include <nofold/io/atomic_file.hpp>

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

// The frame count a plain RIFF/WAVE file's data chunk declares, or -1 when it cannot tell (RF64,
// odd layouts): compared with what the file holds, it reveals a file cut short.
long long declared_frames(const std::string& path, int block_align) {
    std::ifstream f(path, std::ios::binary);
    char head[12];
    if (block_align <= 0 || !f.read(head, 12) || std::string(head, 4) != "RIFF" || std::string(head + 8, 4) != "WAVE") return -1;
    for (int chunks = 0; chunks < 64; ++chunks) {
        unsigned char h[8];
        if (!f.read(reinterpret_cast<char*>(h), 8)) return -1;
        const std::uint32_t size = h[4] | (h[5] << 8) | (h[6] << 16) | (std::uint32_t{h[7]} << 24);
        if (std::string(reinterpret_cast<char*>(h), 4) == "data") return size == 0xFFFFFFFFu ? -1 : size / block_align;
        f.seekg(static_cast<std::streamoff>(size) + (size & 1), std::ios::cur);
    }
    return -1;
}

}  // namespace

Audio read_wav(const std::string& path) {
    set_memory_subject(path);
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
    if (info.samplerate > max_wav_rate_hz)
        throw FileError(path + ": sample rate " + std::to_string(info.samplerate) + " Hz is above nofold's limit of " +
                        std::to_string(max_wav_rate_hz) + " Hz");
    if (info.frames > max_wav_frames)
        throw FileError(path + ": too long (" + std::to_string(info.frames) + " frames, limit " + std::to_string(max_wav_frames) +
                        " = " + std::to_string(max_wav_frames / 48000 / 60) + " min at 48 kHz)");
    const int bytes_per_sample = audio.format == SampleFormat::pcm16 ? 2 : audio.format == SampleFormat::pcm24 ? 3 : 4;
    const long long declared = declared_frames(path, bytes_per_sample * info.channels);
    if (declared > info.frames)
        std::cerr << "nofold: warning: " << path << ": the data chunk declares " << declared << " frames but the file holds "
                  << info.frames << " (cut short?); reading " << info.frames << "\n";
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

long write_wav(const std::string& path, const Audio& audio) {
    set_memory_subject(path);
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
    nofold::io::AtomicFile target(path);
    SndfileHandle file(sf_open_fd(target.fd(), SFM_WRITE, &info, 0));
    if (!file) throw FileError(path + ": cannot write (" + sf_strerror(nullptr) + ")");
    // No PEAK chunk: libsndfile stamps it with the time of writing, so equal audio would give
    // different files (and `cmp` could not tell a complete output from a spliced one).
    sf_command(file.get(), SFC_SET_ADD_PEAK_CHUNK, nullptr, SF_FALSE);
    const std::size_t frames = audio.channels.front().size();
    const std::size_t n_channels = audio.channels.size();
    sf_count_t written = 0;
    long non_finite = 0;
    if (audio.format == SampleFormat::float32) {
        std::vector<float> interleaved(frames * n_channels);
        for (std::size_t i = 0; i < frames; ++i)
            for (std::size_t c = 0; c < n_channels; ++c) {
                const float v = audio.channels[c][i];
                non_finite += std::isfinite(v) ? 0 : 1;
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
                non_finite += std::isfinite(v) ? 0 : 1;
                double q = std::isfinite(v) ? std::nearbyint(static_cast<double>(v) * scale) : 0.0;
                q = std::fmin(std::fmax(q, -scale), scale - 1.0);
                interleaved[i * n_channels + c] =
                    static_cast<int>(static_cast<std::int64_t>(q) * (std::int64_t{1} << shift));
            }
        written = sf_writef_int(file.get(), interleaved.data(), static_cast<sf_count_t>(frames));
    }
    if (written != static_cast<sf_count_t>(frames))
        throw FileError(path + ": write failed (" + sf_strerror(file.get()) + "); the old file is unchanged");
    if (sf_close(file.release()) != 0) throw FileError(path + ": write failed; the old file is unchanged");
    target.commit();
    return non_finite;
}

void warn_non_finite(const std::string& path, long count) {
    if (count > 0)
        std::cerr << "nofold: warning: " << path << ": " << count
                  << " non-finite output samples (NaN or inf) were written as 0\n";
}

}  // namespace nofold::cli
