// WAV files for the `nofold` program, through libsndfile: 16/24/32-bit integer and 32-bit float,
// mono or stereo. Anything else is refused with a message naming the file and what was found.
#pragma once

#include <string>
#include <vector>

namespace nofold::cli {

enum class SampleFormat { pcm16, pcm24, pcm32, float32 };

/// Parses "pcm16" | "pcm24" | "pcm32" | "float" (UsageError otherwise).
SampleFormat parse_sample_format(const std::string& name);
const char* to_string(SampleFormat format);

/// Audio in memory, one vector per channel (not interleaved).
struct Audio {
    int sample_rate_hz = 0;
    SampleFormat format = SampleFormat::float32;
    std::vector<std::vector<float>> channels;

    long frames() const { return channels.empty() ? 0 : static_cast<long>(channels.front().size()); }
};

/// Resource limits of the WAV reader (README "Resource limits").
inline constexpr int max_wav_rate_hz = 768000;
inline constexpr long long max_wav_frames = 1LL << 28;  // 93 min at 48 kHz; 1 GiB of float per channel

/// Reads a WAV file. Throws FileError for missing, unreadable, non-WAV, empty-channel, more than two
/// channels, a sample format other than the four above, or beyond the limits above. Warns on stderr
/// when the data chunk declares more frames than the file holds (a file cut short).
Audio read_wav(const std::string& path);

/// Writes a WAV file in `audio.format`, atomically (io::AtomicFile: the old file stays intact on any
/// failure). Integer formats are clipped to full scale; non-finite samples are written as 0 and
/// counted: returns that count. Throws FileError or io::WriteError when the file cannot be written.
long write_wav(const std::string& path, const Audio& audio);
/// Prints "nofold: warning: PATH: N non-finite output samples ..." on stderr when count > 0.
void warn_non_finite(const std::string& path, long count);

}  // namespace nofold::cli
