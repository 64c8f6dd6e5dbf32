// nofold::io — impulse responses (cab IRs) from WAV files, brought to the host's rate, trimmed and
// normalised by one documented rule, ready for dsp::Convolver.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "../dsp/resampler.hpp"
#include "load_error.hpp"

namespace nofold::io {

/// An impulse response: one or two channels of equal length at sample_rate_hz.
struct ImpulseResponse {
    int sample_rate_hz = 0;
    std::vector<std::vector<float>> channels;
    /// What prepare_impulse_response did (for reports): samples cut at the start and at the end
    /// (at the output rate), whether max_seconds cut it, and the gain applied in dB.
    int trimmed_leading = 0;
    int trimmed_trailing = 0;
    bool truncated = false;
    double gain_db = 0.0;

    int length() const noexcept { return channels.empty() ? 0 : static_cast<int>(channels.front().size()); }
};

enum class IrNormalize {
    /// Σ h² = 1 (mean over channels, one gain for all channels so the stereo balance stays): white
    /// noise keeps its power, so swapping cabs keeps the level roughly constant. The default.
    energy,
    /// Keep the file's gain (after the rate change, which keeps the frequency response).
    none,
};

/// The rule applied by prepare_impulse_response, in this order:
/// 1. rate: resampled to host_sample_rate_hz with dsp::Resampler (clean to min(20 kHz, 0.45 × the
///    lower rate), ≥ 100 dB image rejection) and scaled by file rate / host rate so the frequency
///    response (not the sum of the taps) is what carries over; the converter's delay (~0.1 ms) is
///    left to the leading trim, because cutting it by count would clip its pre-ringing;
/// 2. leading trim: samples before the first one within leading_trim_db of the peak (over all
///    channels) are dropped, from every channel alike;
/// 3. trailing trim: the end is cut where the energy that remains after the cut (over all channels)
///    falls below trailing_trim_db of the total, so the cut changes the output by at most that much;
/// 4. length cap: at most max_seconds (truncated is set when this cuts);
/// 5. normalisation (IrNormalize).
/// Units: rates in Hz, thresholds in dB (negative), seconds.
struct IrOptions {
    double host_sample_rate_hz = 48000.0;
    IrNormalize normalize = IrNormalize::energy;
    double leading_trim_db = -90.0;
    double trailing_trim_db = -100.0;
    double max_seconds = 10.0;
};

/// Reads a WAV file: PCM 16/24/32-bit or 32-bit float (WAVE_FORMAT_EXTENSIBLE too), mono or stereo.
/// Throws LoadError naming the file and the reason (missing, not RIFF/WAVE, other format, more than
/// two channels, no samples, non-finite samples). Allocates.
ImpulseResponse read_impulse_response_wav(const std::string& path);

/// Applies the rule of IrOptions. Throws LoadError (file = `source`) when the rates are unusable or
/// nothing but silence is left. Allocates.
ImpulseResponse prepare_impulse_response(const ImpulseResponse& ir, const IrOptions& options,
                                         const std::string& source = "");

/// read_impulse_response_wav, then prepare_impulse_response.
inline ImpulseResponse load_impulse_response(const std::string& path, const IrOptions& options = {}) {
    return prepare_impulse_response(read_impulse_response_wav(path), options, path);
}

// ------------------------------------------------------------------------------------------------
// Implementation
// ------------------------------------------------------------------------------------------------

namespace detail {
inline std::uint32_t le32(const unsigned char* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}
inline std::uint16_t le16(const unsigned char* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}
}  // namespace detail

inline ImpulseResponse read_impulse_response_wav(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    if (!file) throw LoadError(path, "", "cannot open the file");
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    const auto fail = [&](const std::string& reason) { return LoadError(path, "", reason); };
    if (bytes.size() < 12 || std::memcmp(bytes.data(), "RIFF", 4) != 0 || std::memcmp(bytes.data() + 8, "WAVE", 4) != 0)
        throw fail("not a RIFF/WAVE file");
    int format = 0, channels = 0, bits = 0, rate = 0;
    const unsigned char* data = nullptr;
    std::size_t data_bytes = 0;
    for (std::size_t pos = 12; pos + 8 <= bytes.size();) {
        const unsigned char* chunk = bytes.data() + pos;
        const std::size_t size = detail::le32(chunk + 4);
        const std::size_t avail = std::min(size, bytes.size() - pos - 8);
        if (std::memcmp(chunk, "fmt ", 4) == 0) {
            if (avail < 16) throw fail("the fmt chunk is too short");
            format = detail::le16(chunk + 8);
            channels = detail::le16(chunk + 10);
            rate = static_cast<int>(detail::le32(chunk + 12));
            bits = detail::le16(chunk + 22);
            if (format == 0xFFFE) {  // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the tag
                if (avail < 26) throw fail("the extensible fmt chunk is too short");
                format = detail::le16(chunk + 8 + 24);
            }
        } else if (std::memcmp(chunk, "data", 4) == 0) {
            data = chunk + 8;
            data_bytes = avail;
        }
        pos += 8 + size + (size & 1);
    }
    if (format == 0) throw fail("no fmt chunk");
    if (data == nullptr) throw fail("no data chunk");
    if (channels < 1 || channels > 2)
        throw fail("an impulse response has one or two channels, this file has " + std::to_string(channels));
    if (rate <= 0) throw fail("the sample rate is not positive");
    const bool pcm = format == 1 && (bits == 16 || bits == 24 || bits == 32);
    const bool ieee = format == 3 && bits == 32;
    if (!pcm && !ieee)
        throw fail("unsupported sample format (tag " + std::to_string(format) + ", " + std::to_string(bits) +
                   " bits): use 16/24/32-bit PCM or 32-bit float");
    const std::size_t width = static_cast<std::size_t>(bits / 8);
    const std::size_t frames = data_bytes / (width * static_cast<std::size_t>(channels));
    if (frames == 0) throw fail("the file holds no samples");
    ImpulseResponse ir;
    ir.sample_rate_hz = rate;
    ir.channels.assign(static_cast<std::size_t>(channels), std::vector<float>(frames));
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t c = 0; c < static_cast<std::size_t>(channels); ++c) {
            const unsigned char* p = data + (f * static_cast<std::size_t>(channels) + c) * width;
            float v;
            if (ieee) {
                const std::uint32_t u = detail::le32(p);
                std::memcpy(&v, &u, sizeof v);
                if (!std::isfinite(v)) throw fail("sample " + std::to_string(f) + " is not finite");
            } else {
                std::int64_t s = 0;
                for (std::size_t b = 0; b < width; ++b) s |= static_cast<std::int64_t>(p[b]) << (8 * b);
                const std::int64_t sign = std::int64_t{1} << (bits - 1);
                s = (s ^ sign) - sign;  // sign-extend
                v = static_cast<float>(static_cast<double>(s) / static_cast<double>(sign));
            }
            ir.channels[c][f] = v;
        }
    return ir;
}

inline ImpulseResponse prepare_impulse_response(const ImpulseResponse& ir, const IrOptions& options,
                                                const std::string& source) {
    const auto fail = [&](const std::string& reason) { return LoadError(source, "", reason); };
    if (ir.channels.empty() || ir.length() == 0) throw fail("the impulse response is empty");
    const double host = options.host_sample_rate_hz;
    if (!(host > 0) || host != std::floor(host) || host > 1e6) throw fail("the host rate must be a whole number of Hz");
    ImpulseResponse out;
    out.sample_rate_hz = static_cast<int>(host);
    out.channels = ir.channels;

    // 1. rate
    if (ir.sample_rate_hz != out.sample_rate_hz) {
        const int in_rate = ir.sample_rate_hz, out_rate = out.sample_rate_hz;
        const double band = std::min(20000.0, 0.45 * std::min(in_rate, out_rate));
        try {
            for (auto& ch : out.channels) {
                dsp::Resampler rs(in_rate, out_rate, band, 100.0);
                // Feed the response and then enough zeros to flush the converter's delay and ringing.
                std::vector<float> in(ch);
                in.resize(ch.size() + static_cast<std::size_t>(2 * in_rate / 100 + 64), 0.0f);
                std::vector<float> res(static_cast<std::size_t>(rs.max_output(static_cast<int>(in.size()))));
                const int produced = rs.process(in.data(), static_cast<int>(in.size()), res.data());
                res.resize(static_cast<std::size_t>(produced));
                const float scale = static_cast<float>(static_cast<double>(in_rate) / out_rate);
                for (float& v : res) v *= scale;
                ch = std::move(res);
            }
        } catch (const std::invalid_argument& e) {
            throw fail(std::string("cannot convert the impulse response to the host rate: ") + e.what());
        }
    }
    const std::size_t n = out.channels.front().size();

    // 2. leading trim
    float peak = 0.0f;
    for (const auto& ch : out.channels)
        for (float v : ch) peak = std::max(peak, std::fabs(v));
    if (!(peak > 0.0f)) throw fail("the impulse response is silent");
    const double lead_level = peak * std::pow(10.0, options.leading_trim_db / 20.0);
    std::size_t first = n;
    for (const auto& ch : out.channels)
        for (std::size_t i = 0; i < first; ++i)
            if (std::fabs(ch[i]) >= lead_level) {
                first = i;
                break;
            }
    // 3. trailing trim: the energy after the cut stays below the threshold.
    double total = 0;
    for (const auto& ch : out.channels)
        for (std::size_t i = first; i < n; ++i) total += static_cast<double>(ch[i]) * ch[i];
    const double allowed = total * std::pow(10.0, options.trailing_trim_db / 10.0);
    std::size_t end = n;
    double tail = 0;
    while (end > first + 1) {
        double e = 0;
        for (const auto& ch : out.channels) e += static_cast<double>(ch[end - 1]) * ch[end - 1];
        if (tail + e > allowed) break;
        tail += e;
        --end;
    }
    // 4. length cap
    const auto cap = static_cast<std::size_t>(std::max(1.0, std::floor(options.max_seconds * host)));
    if (end - first > cap) {
        end = first + cap;
        out.truncated = true;
    }
    out.trimmed_leading = static_cast<int>(first);
    out.trimmed_trailing = static_cast<int>(n - end);
    for (auto& ch : out.channels) ch = std::vector<float>(ch.begin() + static_cast<std::ptrdiff_t>(first),
                                                          ch.begin() + static_cast<std::ptrdiff_t>(end));

    // 5. normalisation
    if (options.normalize == IrNormalize::energy) {
        double energy = 0;
        for (const auto& ch : out.channels)
            for (float v : ch) energy += static_cast<double>(v) * v;
        energy /= static_cast<double>(out.channels.size());
        const double gain = 1.0 / std::sqrt(energy);
        for (auto& ch : out.channels)
            for (float& v : ch) v = static_cast<float>(v * gain);
        out.gain_db = 20.0 * std::log10(gain);
    }
    return out;
}

}  // namespace nofold::io
