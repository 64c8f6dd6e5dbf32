// Atomic file output for nofold's programs (the CLI today, the trainer later): a reader — or a second
// writer — sees either the old file or the complete new one, never a half-written or spliced mix.
//
//     AtomicFile out("amp.wav");          // creates a temporary file beside amp.wav
//     write_everything(out.fd());         // or out.temp_path(), for libraries that open by name
//     out.commit();                       // flush to disk, then rename over amp.wav
//
// Standard C++17 plus POSIX (mkstemp, fsync, rename). The temporary file lives in the target's own
// folder, so rename() never crosses file systems and is atomic; its name is ".<name>.nofold-XXXXXX".
// On any failure, or when the object is destroyed before commit(), the temporary file is removed
// and the target is untouched. Writing over the file that was read (OUT = IN) is therefore safe:
// the input is replaced only once the complete output is on disk. A target that is a symbolic link
// is followed: the file it points to is replaced, the link stays. The new file gets the old file's
// permission bits, or 0666 minus the umask for a new one.
#pragma once

#include <string>

namespace nofold::cli {

class AtomicFile {
public:
    /// Creates the temporary file. Throws FileError naming `path` when its folder is not writable.
    explicit AtomicFile(const std::string& path);
    ~AtomicFile();
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;

    /// Open descriptor of the temporary file (write through it, or through temp_path()).
    int fd() const noexcept { return fd_; }
    const std::string& temp_path() const noexcept { return temp_; }
    const std::string& path() const noexcept { return target_; }
    /// Writes all of `bytes` at the current position. Throws FileError (disk full, size limit, ...).
    void write(const std::string& bytes);
    /// fsync, close, rename over the target. Throws FileError and leaves the target untouched.
    void commit();

private:
    std::string target_;
    std::string temp_;
    int fd_ = -1;
    bool committed_ = false;
};

/// Writes `bytes` to `path` atomically (AtomicFile). Throws FileError.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace nofold::cli
