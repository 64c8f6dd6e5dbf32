// nofold::train — training checkpoints: weights, optimiser state, step, RNG state and a user payload,
// written atomically, versioned and checksummed.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../io/atomic_file.hpp"
#include "adam.hpp"
#include "random.hpp"

namespace nofold::train {

/// A checkpoint that cannot be written or read: the message names the file and the reason
/// (I/O error, not a checkpoint, unsupported version, truncated, checksum mismatch, shape or type
/// mismatch).
class CheckpointError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Current format version (docs/training.md describes the layout).
inline constexpr std::uint32_t checkpoint_version = 1;

/// Everything a checkpoint holds, as read back by read_checkpoint().
template <class P, class M>
struct Checkpoint {
    std::uint64_t step = 0;
    AdamSettings settings;
    std::vector<P> parameters;
    std::vector<M> first_moment, second_moment;
    Random::State random{};
    std::vector<unsigned char> payload;
};

/// Called after each chunk written with the bytes written so far and the total.
using CheckpointProgress = std::function<void(std::size_t written, std::size_t total)>;

/// Writes parameters (optimiser.size() values), the optimiser's step, settings and moments, the
/// random source's state and `payload` to `path` atomically (io::AtomicFile: a temporary file
/// `.NAME.nofold-N` in the same folder, fsync'ed, renamed over `path`, the folder fsync'ed), so `path`
/// always holds either the previous complete checkpoint or the new one, whatever happens during the
/// write. A temporary left behind by a killed writer is harmless (never read, never reused). Throws
/// CheckpointError on any I/O failure (the temporary is removed and `path` is untouched).
/// Allocates; not real-time.
template <class P, class M>
void save_checkpoint(const std::string& path, const Adam<P, M>& optimiser, const P* parameters, const Random& random,
                     const std::vector<unsigned char>& payload = {}, const CheckpointProgress& progress = {});

/// Reads and fully validates a checkpoint (magic, version, exact size, CRC-32, element types).
/// Throws CheckpointError with the reason. Allocates; not real-time.
template <class P, class M>
Checkpoint<P, M> read_checkpoint(const std::string& path);

/// The same validation and decoding for a checkpoint's bytes already in memory; `name` only labels
/// the error messages.
template <class P, class M>
Checkpoint<P, M> parse_checkpoint(const std::vector<unsigned char>& bytes, const std::string& name);

/// Reads a checkpoint into a live optimiser (step, settings, moments), `parameters`
/// (optimiser.size() values) and `random`, and returns the payload. Nothing is modified unless the
/// whole file is valid and its parameter count equals optimiser.size().
template <class P, class M>
std::vector<unsigned char> load_checkpoint(const std::string& path, Adam<P, M>& optimiser, P* parameters, Random& random);

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320) of `size` bytes, continuing from `crc`
/// (0 to start). Allocates: never.
std::uint32_t crc32(const unsigned char* data, std::size_t size, std::uint32_t crc = 0) noexcept;

// =============================================================================================
// Implementation
// =============================================================================================

namespace detail {

inline constexpr char checkpoint_magic[8] = {'N', 'O', 'F', 'O', 'L', 'D', 'C', 'K'};
// magic, version, parameter bytes, moment bytes, reserved, count, step, 9 settings, 4 RNG words,
// payload size: 8 + 4 * 4 + 8 * (2 + 9 + 4 + 1) = 152 bytes.
inline constexpr std::size_t checkpoint_header_size = 152;

// Little-endian byte writer/reader, whatever the host's order.
class ByteWriter {
public:
    explicit ByteWriter(std::vector<unsigned char>& out) : out_(out) {}
    void bytes(const void* p, std::size_t n) {
        const auto* c = static_cast<const unsigned char*>(p);
        out_.insert(out_.end(), c, c + n);
    }
    void u32(std::uint32_t v) {
        for (int i = 0; i < 4; ++i) out_.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void u64(std::uint64_t v) {
        for (int i = 0; i < 8; ++i) out_.push_back(static_cast<unsigned char>(v >> (8 * i)));
    }
    void f64(double v) {
        std::uint64_t u;
        std::memcpy(&u, &v, 8);
        u64(u);
    }
    template <class F>
    void floating(F v) {
        if constexpr (sizeof(F) == 4) {
            std::uint32_t u;
            std::memcpy(&u, &v, 4);
            u32(u);
        } else {
            f64(static_cast<double>(v));
        }
    }

private:
    std::vector<unsigned char>& out_;
};

class ByteReader {
public:
    explicit ByteReader(const unsigned char* p) : p_(p) {}
    std::uint32_t u32() {
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p_[pos_ + i]) << (8 * i);
        pos_ += 4;
        return v;
    }
    std::uint64_t u64() {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p_[pos_ + i]) << (8 * i);
        pos_ += 8;
        return v;
    }
    double f64() {
        const std::uint64_t u = u64();
        double v;
        std::memcpy(&v, &u, 8);
        return v;
    }
    template <class F>
    F floating() {
        if constexpr (sizeof(F) == 4) {
            const std::uint32_t u = u32();
            F v;
            std::memcpy(&v, &u, 4);
            return v;
        } else {
            return static_cast<F>(f64());
        }
    }
    const unsigned char* here() const { return p_ + pos_; }
    void skip(std::size_t n) { pos_ += n; }

private:
    const unsigned char* p_;
    std::size_t pos_ = 0;
};

template <class F>
constexpr void check_checkpoint_type() {
    static_assert(std::is_same<F, float>::value || std::is_same<F, double>::value,
                  "nofold::train checkpoints store float or double parameters and moments");
}

[[noreturn]] inline void checkpoint_fail(const std::string& path, const std::string& why) {
    throw CheckpointError("nofold::train checkpoint '" + path + "': " + why);
}

inline std::string errno_text() { return std::strerror(errno); }

}  // namespace detail

inline std::uint32_t crc32(const unsigned char* data, std::size_t size, std::uint32_t crc) noexcept {
    // Byte-at-a-time with a table built once (thread-safe static initialisation).
    struct Table {
        std::uint32_t v[256];
        Table() noexcept {
            for (std::uint32_t i = 0; i < 256; ++i) {
                std::uint32_t c = i;
                for (int k = 0; k < 8; ++k) c = (c & 1U) != 0 ? 0xEDB88320U ^ (c >> 1) : c >> 1;
                v[i] = c;
            }
        }
    };
    static const Table table;
    crc = ~crc;
    for (std::size_t i = 0; i < size; ++i) crc = table.v[(crc ^ data[i]) & 0xFFU] ^ (crc >> 8);
    return ~crc;
}

template <class P, class M>
void save_checkpoint(const std::string& path, const Adam<P, M>& optimiser, const P* parameters, const Random& random,
                     const std::vector<unsigned char>& payload, const CheckpointProgress& progress) {
    detail::check_checkpoint_type<P>();
    detail::check_checkpoint_type<M>();
    const std::size_t n = optimiser.size();
    std::vector<unsigned char> bytes;
    bytes.reserve(detail::checkpoint_header_size + n * (sizeof(P) + 2 * sizeof(M)) + payload.size() + 4);
    detail::ByteWriter w(bytes);
    w.bytes(detail::checkpoint_magic, 8);
    w.u32(checkpoint_version);
    w.u32(static_cast<std::uint32_t>(sizeof(P)));
    w.u32(static_cast<std::uint32_t>(sizeof(M)));
    w.u32(0);
    w.u64(n);
    w.u64(optimiser.step_count());
    const AdamSettings& s = optimiser.settings();
    w.f64(s.learning_rate);
    w.f64(s.beta1);
    w.f64(s.beta2);
    w.f64(s.epsilon);
    w.f64(s.weight_decay);
    w.u64(s.decoupled ? 1 : 0);
    w.f64(s.lr_decay_per_epoch);
    w.u64(s.steps_per_epoch);
    w.f64(s.max_gradient_norm);
    for (std::uint64_t word : random.state()) w.u64(word);
    w.u64(payload.size());
    for (std::size_t i = 0; i < n; ++i) w.floating(parameters[i]);
    for (std::size_t i = 0; i < n; ++i) w.floating(optimiser.first_moment()[i]);
    for (std::size_t i = 0; i < n; ++i) w.floating(optimiser.second_moment()[i]);
    w.bytes(payload.data(), payload.size());
    w.u32(crc32(bytes.data(), bytes.size()));

    try {
        io::AtomicFile file(path);
        constexpr std::size_t chunk = 1 << 20;
        for (std::size_t done = 0; done < bytes.size();) {
            const std::size_t len = std::min(chunk, bytes.size() - done);
            file.write(bytes.data() + done, len);
            done += len;
            if (progress) progress(done, bytes.size());
        }
        file.commit();
    } catch (const io::WriteError& e) {
        detail::checkpoint_fail(path, e.reason());
    }
}

template <class P, class M>
Checkpoint<P, M> read_checkpoint(const std::string& path) {
    detail::check_checkpoint_type<P>();
    detail::check_checkpoint_type<M>();
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) detail::checkpoint_fail(path, "cannot open: " + detail::errno_text());
    std::vector<unsigned char> bytes;
    unsigned char buffer[1 << 16];
    for (;;) {
        const std::size_t got = std::fread(buffer, 1, sizeof buffer, f);
        bytes.insert(bytes.end(), buffer, buffer + got);
        if (got < sizeof buffer) break;
    }
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) detail::checkpoint_fail(path, "read failed");
    return parse_checkpoint<P, M>(bytes, path);
}

template <class P, class M>
Checkpoint<P, M> parse_checkpoint(const std::vector<unsigned char>& bytes, const std::string& path) {
    detail::check_checkpoint_type<P>();
    detail::check_checkpoint_type<M>();
    if (bytes.size() < 8 || std::memcmp(bytes.data(), detail::checkpoint_magic, 8) != 0)
        detail::checkpoint_fail(path, "not a nofold checkpoint (bad magic)");
    if (bytes.size() < detail::checkpoint_header_size + 4)
        detail::checkpoint_fail(path, "truncated (" + std::to_string(bytes.size()) + " bytes, header alone needs " +
                                          std::to_string(detail::checkpoint_header_size + 4) + ")");
    detail::ByteReader r(bytes.data());  // every read below lies inside the size checked first
    r.skip(8);
    const std::uint32_t version = r.u32();
    if (version != checkpoint_version)
        detail::checkpoint_fail(path, "format version " + std::to_string(version) + " is not supported (this build reads " +
                                          std::to_string(checkpoint_version) + ")");
    const std::uint32_t p_bytes = r.u32(), m_bytes = r.u32();
    r.u32();
    const std::uint64_t n = r.u64();
    // Exact size check before anything is allocated from the header's count (a corrupt count must
    // not ask for terabytes). Each term is bounded by the file size, so nothing overflows.
    const std::uint64_t available = bytes.size() - detail::checkpoint_header_size - 4;
    const std::uint64_t per_parameter = static_cast<std::uint64_t>(p_bytes) + 2ULL * m_bytes;
    if ((p_bytes != 4 && p_bytes != 8) || (m_bytes != 4 && m_bytes != 8))
        detail::checkpoint_fail(path, "corrupt header (element sizes " + std::to_string(p_bytes) + "/" +
                                          std::to_string(m_bytes) + ")");
    if (n > available / per_parameter)
        detail::checkpoint_fail(path, "truncated or corrupt (header says " + std::to_string(n) + " parameters, file has " +
                                          std::to_string(bytes.size()) + " bytes)");
    const std::uint64_t data_bytes = n * per_parameter;
    // The payload size sits at the end of the header.
    detail::ByteReader size_reader(bytes.data() + detail::checkpoint_header_size - 8);
    const std::uint64_t payload_size = size_reader.u64();
    if (payload_size != available - data_bytes)
        detail::checkpoint_fail(path, "truncated or has trailing bytes (" + std::to_string(bytes.size()) +
                                          " bytes; header expects " +
                                          std::to_string(detail::checkpoint_header_size + data_bytes + payload_size + 4) + ")");
    detail::ByteReader crc_reader(bytes.data() + bytes.size() - 4);
    const std::uint32_t stored = crc_reader.u32();
    if (crc32(bytes.data(), bytes.size() - 4) != stored) detail::checkpoint_fail(path, "checksum mismatch (file is corrupt)");
    if (p_bytes != sizeof(P) || m_bytes != sizeof(M))
        detail::checkpoint_fail(path, "holds " + std::to_string(p_bytes * 8) + "-bit parameters and " +
                                          std::to_string(m_bytes * 8) + "-bit moments; the optimiser uses " +
                                          std::to_string(sizeof(P) * 8) + "/" + std::to_string(sizeof(M) * 8));

    Checkpoint<P, M> c;
    c.step = r.u64();
    c.settings.learning_rate = r.f64();
    c.settings.beta1 = r.f64();
    c.settings.beta2 = r.f64();
    c.settings.epsilon = r.f64();
    c.settings.weight_decay = r.f64();
    c.settings.decoupled = r.u64() != 0;
    c.settings.lr_decay_per_epoch = r.f64();
    c.settings.steps_per_epoch = r.u64();
    c.settings.max_gradient_norm = r.f64();
    for (auto& word : c.random) word = r.u64();
    r.u64();  // payload size, checked above
    const auto count = static_cast<std::size_t>(n);
    c.parameters.resize(count);
    c.first_moment.resize(count);
    c.second_moment.resize(count);
    for (auto& v : c.parameters) v = r.template floating<P>();
    for (auto& v : c.first_moment) v = r.template floating<M>();
    for (auto& v : c.second_moment) v = r.template floating<M>();
    c.payload.assign(r.here(), r.here() + payload_size);
    return c;
}

template <class P, class M>
std::vector<unsigned char> load_checkpoint(const std::string& path, Adam<P, M>& optimiser, P* parameters, Random& random) {
    Checkpoint<P, M> c = read_checkpoint<P, M>(path);
    if (c.parameters.size() != optimiser.size())
        detail::checkpoint_fail(path, "holds " + std::to_string(c.parameters.size()) + " parameters; the optimiser has " +
                                          std::to_string(optimiser.size()));
    try {
        optimiser.set_settings(c.settings);
    } catch (const std::invalid_argument& e) {
        detail::checkpoint_fail(path, std::string("invalid optimiser settings: ") + e.what());
    }
    optimiser.restore(c.step, c.first_moment.data(), c.second_moment.data());
    for (std::size_t i = 0; i < c.parameters.size(); ++i) parameters[i] = c.parameters[i];
    random.set_state(c.random);
    return std::move(c.payload);
}

}  // namespace nofold::train
