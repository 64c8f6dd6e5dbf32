// A progress line on stderr for work that takes more than about a second. Silent when stderr is not
// a terminal (pipes, CI logs), and silent for quick jobs.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

namespace nofold::cli {

class Progress {
public:
    explicit Progress(std::string label);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    /// fraction in [0, 1]; redraws at most ten times a second, and only after the first second.
    void update(double fraction);
    /// Clears the line (also done by the destructor).
    void finish();

    /// Whether a progress line would be drawn at all (stderr is a terminal).
    static bool enabled();

private:
    std::string label_;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_;
    bool drawn_ = false;
};

/// A one-line status of free text on stderr (training: epoch, loss, ETA), redrawn at most ten times a
/// second; silent when stderr is not a terminal.
class StatusLine {
public:
    StatusLine() = default;
    ~StatusLine();
    StatusLine(const StatusLine&) = delete;
    StatusLine& operator=(const StatusLine&) = delete;

    /// Shows `text` (force: even within 100 ms of the last draw).
    void update(const std::string& text, bool force = false);
    /// Clears the line (also done by the destructor).
    void finish();

private:
    std::chrono::steady_clock::time_point last_draw_{};
    std::size_t width_ = 0;
};

/// Ctrl-C as a request to stop: while an InterruptScope lives, SIGINT sets its flag (long work polls
/// it, stops between batches and keeps what it has) instead of ending the program; the previous
/// handler comes back when the scope ends. One at a time (the flag is process-wide).
class InterruptScope {
public:
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

    /// The flag SIGINT sets (for train::fit's stop argument and the like).
    const std::atomic<bool>* flag() const noexcept;
    bool interrupted() const noexcept { return flag()->load(); }

private:
    void (*previous_)(int) = nullptr;
};

/// "m:ss", or "h:mm:ss" from an hour on.
std::string clock_text(double seconds);

}  // namespace nofold::cli
