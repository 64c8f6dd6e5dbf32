#include "progress.hpp"

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>

#include <unistd.h>

namespace nofold::cli {

namespace {
std::atomic<bool> interrupt_flag{false};
}  // namespace

extern "C" void nofold_cli_on_interrupt(int) { interrupt_flag.store(true); }

InterruptScope::InterruptScope() {
    interrupt_flag.store(false);
    previous_ = std::signal(SIGINT, nofold_cli_on_interrupt);
}

InterruptScope::~InterruptScope() { std::signal(SIGINT, previous_ == SIG_ERR ? SIG_DFL : previous_); }

const std::atomic<bool>* InterruptScope::flag() const noexcept { return &interrupt_flag; }

std::string clock_text(double seconds) {
    const long s = std::lround(std::max(0.0, seconds));
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
    return buf;
}

Progress::Progress(std::string label)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { finish(); }

bool Progress::enabled() { return isatty(fileno(stderr)) != 0; }

void Progress::update(double fraction) {
    using namespace std::chrono;
    const auto now = steady_clock::now();
    if (!enabled() || now - start_ < seconds(1) || (drawn_ && now - last_draw_ < milliseconds(100))) return;
    last_draw_ = now;
    drawn_ = true;
    const double clamped = fraction < 0 ? 0 : (fraction > 1 ? 1 : fraction);
    const int width = 30;
    const int filled = static_cast<int>(clamped * width);
    std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%", label_.c_str(), filled, "==============================",
                 width - filled, "", clamped * 100.0);
    std::fflush(stderr);
}

void Progress::finish() {
    if (!drawn_) return;
    std::fprintf(stderr, "\r%*s\r", static_cast<int>(label_.size()) + 42, "");
    std::fflush(stderr);
    drawn_ = false;
}

StatusLine::~StatusLine() { finish(); }

void StatusLine::update(const std::string& text, bool force) {
    using namespace std::chrono;
    const auto now = steady_clock::now();
    if (!Progress::enabled() || (!force && width_ > 0 && now - last_draw_ < milliseconds(100))) return;
    last_draw_ = now;
    const std::size_t pad = width_ > text.size() ? width_ - text.size() : 0;
    std::fprintf(stderr, "\r%s%*s", text.c_str(), static_cast<int>(pad), "");
    std::fflush(stderr);
    width_ = std::max(width_, text.size());
}

void StatusLine::finish() {
    if (width_ == 0) return;
    std::fprintf(stderr, "\r%*s\r", static_cast<int>(width_), "");
    std::fflush(stderr);
    width_ = 0;
}

}  // namespace nofold::cli
