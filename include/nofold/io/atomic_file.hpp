// nofold::io — atomic file output, the one implementation every writer of nofold uses (model files,
// the nofold program's WAV/CSV/SVG/header outputs, training checkpoints): a reader, or a second
// writer, sees either the old file or the complete new one, never a half-written or spliced mix.
//
//     io::AtomicFile out("amp.wav");      // creates a temporary file beside amp.wav
//     out.write(bytes);                   // or through out.fd() / out.temp_path()
//     out.commit();                       // flush, fsync, rename over amp.wav, fsync the folder
//
// The temporary file `.NAME.nofold-N` lives in the target's own folder (rename never crosses file
// systems, so it is atomic) and is created exclusively (O_EXCL), so two writers never share one. On
// any failure, or when the object is destroyed before commit(), it is removed and the target is
// untouched; only a killed process leaves it behind. Writing over the file that was read (OUT = IN)
// is therefore safe for the data, but callers that read their input lazily refuse it first
// (refuse_same_file). A target that is a symbolic link is followed: the file it points to is
// replaced, the link stays. The new file keeps the old file's permission bits (0666 minus the umask
// for a new one).
//
// Durability: on POSIX systems the data is fsync'ed before the rename and the folder after it, so
// after a power cut the target is the old or the new file. Elsewhere standard C++ has no fsync: a
// process crash or kill is covered, a power cut may leave the renamed file empty.
// Units: none. Latency: none. Allocates: yes (file I/O; never on a real-time path).
// Reference: POSIX open(2) O_EXCL, fsync(2), rename(2).
#pragma once

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>

#include "../config.hpp"
#include "write_error.hpp"

#if NOFOLD_POSIX_FILES
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace nofold::io {

/// A file written in full, then put in place at once (see the header comment). Throws WriteError.
class AtomicFile {
public:
    /// Creates the temporary file beside `path`. WriteError when the path is a folder, its folder
    /// does not exist or is not writable.
    explicit AtomicFile(const std::string& path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// The target as given, and the temporary file being written.
    const std::string& path() const noexcept { return path_; }
    const std::string& temp_path() const noexcept { return temp_; }
#if NOFOLD_POSIX_FILES
    /// Open descriptor of the temporary file, for libraries that write through one (POSIX only).
    int fd() const noexcept { return fd_; }
#endif
    /// Appends n bytes. WriteError (disk full, file-size limit, ...) leaves the target unchanged.
    void write(const void* data, std::size_t n);
    void write(const std::string& bytes) { write(bytes.data(), bytes.size()); }
    /// Flush and fsync the data, close, rename over the target, fsync the folder. WriteError leaves
    /// the target unchanged (and removes the temporary file).
    void commit();

private:
    [[noreturn]] void fail(const std::string& what, int error);
    void close_temp() noexcept;

    std::string path_;    // as given (messages)
    std::string target_;  // the file replaced (symbolic links resolved)
    std::string temp_;
#if NOFOLD_POSIX_FILES
    int fd_ = -1;
#else
    std::FILE* file_ = nullptr;
#endif
    bool done_ = false;  // committed, or failed and cleaned up
};

/// Writes `text` to `path` atomically (WriteError on failure; the old file, if any, is untouched).
void write_file_atomically(const std::string& path, const std::string& text);

/// For writers that open the file by name (e.g. a WAV library): `write(temp_path)` writes the whole
/// file at temp_path and throws on failure; it is then committed as above, or removed if `write`
/// threw (its exception propagates). `Write` is callable as void(const std::string&).
template <class Write>
void replace_file_atomically(const std::string& path, Write&& write);

/// Whether `a` and `b` name the same existing file (hard links and symlinks included).
bool same_file(const std::string& a, const std::string& b);

/// WriteError "refusing to overwrite the input file ..." when `out` names the same file as `in`: for
/// writers that read their input while writing, or whose caller should not lose the input by a typo.
void refuse_same_file(const std::string& in, const std::string& out);

// ============================================================================================
// Implementation
// ============================================================================================

inline bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    const bool same = std::filesystem::equivalent(a, b, ec);
    return !ec && same;
}

inline void refuse_same_file(const std::string& in, const std::string& out) {
    if (in == out || same_file(in, out))
        throw WriteError(out, "refusing to overwrite the input file " + in + " (choose another output name)");
}

inline AtomicFile::AtomicFile(const std::string& path) : path_(path), target_(path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::path(path).filename().empty()) throw WriteError(path, "the output path names a folder, not a file");
    if (fs::is_symlink(target_, ec)) {
        const fs::path resolved = fs::weakly_canonical(target_, ec);
        if (!ec) target_ = resolved.string();
    }
    if (fs::is_directory(target_, ec)) throw WriteError(path, "the output path is a folder");
    const fs::path target(target_);
    const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
    if (!fs::is_directory(folder, ec)) throw WriteError(path, "the output folder " + folder.string() + " does not exist");

    // Exclusive creation makes the name ours; the id only has to make a clash unlikely (time, a
    // per-process counter, an address that differs per process under ASLR). The extension is kept
    // for libraries that choose a format by it.
    static std::atomic<std::uint64_t> counter{0};
    const auto salt = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(&counter));
    for (int attempt = 0;; ++attempt) {
        const auto ticks = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        const std::uint64_t id = (ticks ^ (salt << 7) ^ (counter.fetch_add(1) * 0x9E3779B97F4A7C15ull)) % 1000000000000ull;
        temp_ = (folder / ("." + target.stem().string() + ".nofold-" + std::to_string(id) + target.extension().string())).string();
        errno = 0;
#if NOFOLD_POSIX_FILES
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        const bool created = fd_ >= 0;
#else
        file_ = std::fopen(temp_.c_str(), "wbx");
        const bool created = file_ != nullptr;
#endif
        if (created) break;
        const int error = errno;
        if (error != EEXIST || attempt == 100) {
            temp_.clear();
            throw WriteError(path, std::string("cannot create a file in the output folder (") + std::strerror(error) + ")");
        }
    }
#if NOFOLD_POSIX_FILES
    struct stat old {};
    if (::stat(target_.c_str(), &old) == 0 && ::fchmod(fd_, old.st_mode & 07777) != 0) {
        // keeps 0666 minus the umask, as for a new file
    }
#endif
}

inline AtomicFile::~AtomicFile() {
    close_temp();
    if (!done_ && !temp_.empty()) std::remove(temp_.c_str());
}

inline void AtomicFile::close_temp() noexcept {
#if NOFOLD_POSIX_FILES
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
#else
    if (file_ != nullptr) std::fclose(file_);
    file_ = nullptr;
#endif
}

inline void AtomicFile::fail(const std::string& what, int error) {
    close_temp();
    if (!temp_.empty()) std::remove(temp_.c_str());
    done_ = true;
    throw WriteError(path_, what + " (" + (error != 0 ? std::strerror(error) : "no progress") + "); the old file is unchanged");
}

inline void AtomicFile::write(const void* data, std::size_t n) {
    if (done_) throw WriteError(path_, "write after commit");
    const char* p = static_cast<const char*>(data);
#if NOFOLD_POSIX_FILES
    while (n > 0) {
        const ssize_t w = ::write(fd_, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) fail("write failed", w < 0 ? errno : 0);
        p += w;
        n -= static_cast<std::size_t>(w);
    }
#else
    errno = 0;
    if (std::fwrite(p, 1, n, file_) != n) fail("write failed", errno);
#endif
}

inline void AtomicFile::commit() {
    if (done_) throw WriteError(path_, "commit after commit");
#if NOFOLD_POSIX_FILES
    if (::fsync(fd_) != 0) fail("write failed", errno);
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("write failed", errno);
#else
    errno = 0;
    std::FILE* f = file_;
    file_ = nullptr;
    if (std::fflush(f) != 0) {
        std::fclose(f);
        fail("write failed", errno);
    }
    if (std::fclose(f) != 0) fail("write failed", errno);
#endif
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    if (ec) fail("cannot replace the file", ec.value());
    done_ = true;
#if NOFOLD_POSIX_FILES
    // Make the rename itself durable (best effort: some file systems refuse fsync on a folder).
    const std::filesystem::path target(target_);
    const std::string folder = target.has_parent_path() ? target.parent_path().string() : std::string(".");
    const int dir = ::open(folder.c_str(), O_RDONLY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir);
        ::close(dir);
    }
#endif
}

template <class Write>
void replace_file_atomically(const std::string& path, Write&& write) {
    AtomicFile file(path);
    write(file.temp_path());  // throws: ~AtomicFile removes the temporary file
    file.commit();
}

inline void write_file_atomically(const std::string& path, const std::string& text) {
    AtomicFile file(path);
    file.write(text);
    file.commit();
}

}  // namespace nofold::io
