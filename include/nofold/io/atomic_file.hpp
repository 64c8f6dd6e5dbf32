// nofold::io::write_file_atomically — replaces a file's contents all at once: the text goes to a
// temporary file in the destination's folder, which is renamed over the destination only after it
// was written and closed without error. A failure (full disk, read-only folder, missing folder, the
// process killed mid-write) leaves the destination as it was; at worst a stray temporary
// `.STEM.nofold-tmp-N.EXT` stays behind next to it.
//
// Limits: standard C++ has no fsync, so after a power cut the renamed file may still be empty on
// file systems that reorder metadata and data writes; a process crash or kill is covered.
// Units: none. Latency: none. Allocates: yes (file I/O; never on a real-time path).
// Reference: POSIX rename(2) (atomic replacement within one file system), via std::filesystem::rename.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "write_error.hpp"

namespace nofold::io {

/// Writes `text` to `path` atomically (WriteError on failure; the old file, if any, is untouched).
void write_file_atomically(const std::string& path, const std::string& text);

/// The general form: `write(temp_path)` writes the whole file at temp_path (any way it likes, e.g.
/// through a WAV library) and throws on failure; the temporary is then renamed over `path`, or
/// removed if `write` threw (its exception propagates). `Write` is callable as void(const std::string&).
template <class Write>
void replace_file_atomically(const std::string& path, Write&& write);

/// Whether `a` and `b` name the same existing file (hard links and symlinks included).
bool same_file(const std::string& a, const std::string& b);

// ============================================================================================
// Implementation
// ============================================================================================

inline bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    const bool same = std::filesystem::equivalent(a, b, ec);
    return !ec && same;
}

template <class Write>
void replace_file_atomically(const std::string& path, Write&& write) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    if (target.filename().empty()) throw WriteError(path, "the output path names a folder, not a file");
    std::error_code ec;
    if (fs::is_directory(target, ec)) throw WriteError(path, "the output path is a folder");
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec)) throw WriteError(path, "the output folder " + folder.string() + " does not exist");

    // A name no other writer picks: time, a per-process counter and an address (differs per process
    // under ASLR); clashes would only make this write fail, never mix two files. The extension is
    // kept for libraries that choose a format by it.
    static std::atomic<std::uint64_t> counter{0};
    const auto ticks = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    const auto salt = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&counter));
    const std::uint64_t id = ticks ^ (salt << 7) ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull);
    const fs::path temp = folder / ("." + target.stem().string() + ".nofold-tmp-" + std::to_string(id) +
                                    target.extension().string());
    try {
        write(temp.string());
    } catch (...) {
        fs::remove(temp, ec);
        throw;
    }
    fs::rename(temp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw WriteError(path, "cannot replace the file: " + ec.message());
    }
}

inline void write_file_atomically(const std::string& path, const std::string& text) {
    replace_file_atomically(path, [&](const std::string& temp) {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out) throw WriteError(path, "cannot create a file in the output folder (is it writable?)");
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        out.close();
        if (!out) throw WriteError(path, "writing failed (disk full?); the destination was not changed");
    });
}

}  // namespace nofold::io
