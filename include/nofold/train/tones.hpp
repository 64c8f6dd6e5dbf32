// nofold::train — random training tones and their alias-free targets, and random plucked phrases
// (teacher-student fine-tune).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "../analysis/guitar_phrase.hpp"
#include "../analysis/harmonics.hpp"
#include "random.hpp"

namespace nofold::train {

/// One training tone: x[n] = amplitude sin(2 pi f0 n / fs + phase).
struct Tone {
    double midi_note;  ///< continuous, [21, 127)
    double f0_hz;      ///< 440 * 2^((midi_note - 69) / 12)
    double amplitude;  ///< linear, [0, 1)
    double phase;      ///< radians, [0, 2 pi)
};

/// Draws training tones: MIDI note uniform on the continuous interval [21, 127] (log-uniform
/// 27.5 Hz ... 12.5 kHz), amplitude uniform on [0, 1] (linear, not dB), phase uniform on [0, 2 pi),
/// all in double. Seedable and splittable like Random (one source per thread: ToneSource(seed, thread)).
/// Allocates: never.
/// Reference: training tones in docs/training.md (Carson, Wright & Bilbao, DAFx25).
class ToneSource {
public:
    static constexpr double lowest_note = 21.0, highest_note = 127.0;

    explicit ToneSource(std::uint64_t seed = 0, std::uint64_t stream = 0) noexcept : random_(seed, stream) {}

    Tone next() noexcept {
        Tone t{};
        t.midi_note = random_.uniform(lowest_note, highest_note);
        t.f0_hz = 440.0 * std::exp2((t.midi_note - 69.0) / 12.0);
        t.amplitude = random_.uniform();
        t.phase = random_.uniform(0.0, 2.0 * 3.14159265358979323846264338327950288);
        return t;
    }

    Random& random() noexcept { return random_; }
    const Random& random() const noexcept { return random_; }

private:
    Random random_;
};

/// The validation tones of the fine-tune: MIDI notes 21 ... 108 (88 tones, the piano range), each at
/// -20 dBFS (amplitude 0.1) and phase 0, f0 = 440 * 2^((note - 69) / 12) in double.
/// Allocates: the result. Reference: model selection in docs/training.md.
inline std::vector<Tone> validation_tones() {
    std::vector<Tone> tones;
    for (int note = 21; note <= 108; ++note) {
        const double l = static_cast<double>(note);
        tones.push_back({l, 440.0 * std::exp2((l - 69.0) / 12.0), 0.1, 0.0});
    }
    return tones;
}

/// Samples of a tone lasting `seconds`: floor(seconds * fs).
inline std::size_t tone_length(double seconds, double sample_rate_hz) noexcept {
    return static_cast<std::size_t>(std::floor(seconds * sample_rate_hz));
}

/// Writes x[n] = A sin(2 pi f0 n / fs + phase), n = 0 ... length-1. The cycle count f0 n / fs is
/// reduced modulo 1 in double before the sine, so long tones keep full precision.
/// Allocates: never.
template <class T>
void render_tone(const Tone& tone, double sample_rate_hz, T* out, std::size_t length) noexcept {
    const double two_pi = 2.0 * 3.14159265358979323846264338327950288;
    const double cycles_per_sample = tone.f0_hz / sample_rate_hz;
    for (std::size_t n = 0; n < length; ++n) {
        const double c = cycles_per_sample * static_cast<double>(n);
        out[n] = static_cast<T>(tone.amplitude * std::sin(two_pi * (c - std::floor(c)) + tone.phase));
    }
}

/// Writes a random plucked-guitar phrase of `length` samples into out (the fine-tune's phrase items,
/// which keep the student close to the teacher on music): monophonic Karplus–Strong notes
/// (analysis::add_pluck) back to back from sample 0, each lasting uniform [0.15, 0.6) s, MIDI note
/// uniform on the continuous interval [40, 88) (the guitar's range), peak uniform [0.05, 0.7).
/// Deterministic for the state of `random`. Allocates: each note's delay line.
template <class T>
void render_phrase(Random& random, double sample_rate_hz, T* out, std::size_t length) {
    std::vector<float> buffer(length, 0.0f);
    for (std::size_t start = 0; start < length;) {
        const auto duration = static_cast<std::size_t>(random.uniform(0.15, 0.6) * sample_rate_hz);
        const double f0 = 440.0 * std::exp2((random.uniform(40.0, 88.0) - 69.0) / 12.0);
        const double peak = random.uniform(0.05, 0.7);
        analysis::add_pluck(buffer.data(), length, start, duration, f0, peak, sample_rate_hz,
                            static_cast<std::uint32_t>(random.next() >> 32));
        start += std::max<std::size_t>(1, duration);
    }
    for (std::size_t n = 0; n < length; ++n) out[n] = static_cast<T>(buffer[n]);
}

/// The alias-free target of a teacher's response to a tone: the last N = fs samples (one second,
/// 1 Hz bins) resynthesised from their harmonics by analysis::HarmonicAnalyzer (Chebyshev 120 dB
/// periodic window, harmonics m f0 below Nyquist, scalloping correction, DC), in double.
/// Requires an integer sample rate (N = fs).
/// Allocates: the constructor and make() (the analysis result). Not real-time; one per thread.
/// Reference: docs/metrics.md §3 and docs/training.md §1.2.
class AliasFreeTarget {
public:
    /// Throws std::invalid_argument unless fs is a positive integer.
    explicit AliasFreeTarget(double sample_rate_hz)
        : analyzer_(segment_size(sample_rate_hz), sample_rate_hz), segment_(analyzer_.size()), target_(analyzer_.size()) {}

    /// Samples per target: N = fs.
    std::size_t size() const noexcept { return analyzer_.size(); }

    /// Resynthesises the last size() samples of `teacher_output` (`length` >= size() samples, the
    /// response to a tone of fundamental f0) into `target` (size() values).
    /// Throws std::invalid_argument if length < size() or f0 is not in (0, fs/2).
    template <class In, class Out>
    void make(const In* teacher_output, std::size_t length, double f0_hz, Out* target) {
        if (length < size()) throw std::invalid_argument("nofold::train::AliasFreeTarget: response shorter than one second");
        if (!(f0_hz > 0.0 && f0_hz < 0.5 * analyzer_.sample_rate_hz()))
            throw std::invalid_argument("nofold::train::AliasFreeTarget: f0 must lie in (0, fs/2)");
        const In* tail = teacher_output + (length - size());
        for (std::size_t n = 0; n < size(); ++n) segment_[n] = static_cast<double>(tail[n]);
        const analysis::Harmonics h = analyzer_.analyse(segment_.data(), f0_hz);
        analyzer_.resynthesise(h, target_.data());
        for (std::size_t n = 0; n < size(); ++n) target[n] = static_cast<Out>(target_[n]);
    }

private:
    static std::size_t segment_size(double fs) {
        if (!(fs > 0.0) || std::floor(fs) != fs || fs > 1e7)
            throw std::invalid_argument("nofold::train::AliasFreeTarget: sample rate must be a positive integer (N = fs)");
        return static_cast<std::size_t>(fs);
    }

    analysis::HarmonicAnalyzer analyzer_;
    std::vector<double> segment_, target_;
};

}  // namespace nofold::train
