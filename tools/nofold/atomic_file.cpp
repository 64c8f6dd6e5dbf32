#include "atomic_file.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.hpp"

namespace nofold::cli {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Without this, exceeding the file-size limit (ulimit -f) kills the process with SIGXFSZ before
// the failure can be reported and the temporary file removed; ignored, write() fails with EFBIG.
void ignore_file_size_signal() {
    static const bool once = [] {
        std::signal(SIGXFSZ, SIG_IGN);
        return true;
    }();
    (void)once;
}

}  // namespace

AtomicFile::AtomicFile(const std::string& path) : target_(path) {
    ignore_file_size_signal();
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_symlink(target_, ec)) {
        const fs::path resolved = fs::weakly_canonical(target_, ec);
        if (!ec) target_ = resolved.string();
    }
    if (fs::is_directory(target_, ec)) throw FileError(path + ": is a folder, cannot write a file there");
    const fs::path p(target_);
    const fs::path folder = p.has_parent_path() ? p.parent_path() : fs::path(".");
    std::string pattern = (folder / ("." + p.filename().string() + ".nofold-XXXXXX")).string();
    std::vector<char> name(pattern.begin(), pattern.end());
    name.push_back('\0');
    fd_ = ::mkstemp(name.data());
    if (fd_ < 0) throw FileError(path + ": cannot write (" + errno_text() + ")");
    temp_ = name.data();
    struct stat old {};
    mode_t mode;
    if (::stat(target_.c_str(), &old) == 0) {
        mode = old.st_mode & 07777;
    } else {
        const mode_t mask = ::umask(0);
        ::umask(mask);
        mode = 0666 & ~mask;
    }
    ::fchmod(fd_, mode);
}

AtomicFile::~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::write(const std::string& bytes) {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw FileError(target_ + ": write failed (" + (n < 0 ? errno_text() : "no progress") + "); the old file is unchanged");
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void AtomicFile::commit() {
    if (::fsync(fd_) != 0) throw FileError(target_ + ": write failed (" + errno_text() + "); the old file is unchanged");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw FileError(target_ + ": write failed (" + errno_text() + "); the old file is unchanged");
    if (::rename(temp_.c_str(), target_.c_str()) != 0)
        throw FileError(target_ + ": cannot replace (" + errno_text() + "); the old file is unchanged");
    committed_ = true;
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
    AtomicFile file(path);
    file.write(bytes);
    file.commit();
}

}  // namespace nofold::cli
