// `nofold plot A.wav [B.wav ...] --svg FILE`: spectrograms of up to four WAV files stacked in one SVG,
// e.g. a DI, the amp at 1x and the amp at 4x, so aliasing (inharmonic lines sweeping against the
// notes, most visible above the notes' harmonics) can be seen rather than read.
//
// Each panel: Hann-windowed 2048-point frames (first channel), log-frequency rows from 20 Hz to
// Nyquist, colour = level in dB relative to the loudest cell of all panels, 90 dB range.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>

#include <nofold/analysis/fft.hpp>
#include <nofold/analysis/window.hpp>

#include "command.hpp"
#include "svg.hpp"
#include "wav.hpp"

namespace nofold::cli {
namespace {

constexpr std::size_t frame = 2048;
constexpr int rows = 110;
constexpr int columns = 240;
constexpr double range_db = 90.0;
constexpr double panel_left = 70, panel_width = 900, panel_height = 220, panel_gap = 50, top = 40;

struct Spectrogram {
    std::string title;
    double sample_rate_hz = 0;
    double seconds = 0;
    std::vector<double> cells_db;  // columns × rows, column-major
};

Spectrogram compute(const std::string& path) {
    const Audio audio = read_wav(path);
    Spectrogram s;
    s.title = path;
    s.sample_rate_hz = audio.sample_rate_hz;
    const auto& x = audio.channels.front();
    s.seconds = static_cast<double>(x.size()) / audio.sample_rate_hz;
    s.cells_db.assign(static_cast<std::size_t>(columns * rows), -300.0);
    if (x.size() < frame) return s;
    analysis::Fft fft(frame);
    const auto window = analysis::hann_window(frame, analysis::WindowSymmetry::periodic);
    std::vector<double> buffer(frame);
    std::vector<std::complex<double>> spectrum(frame / 2 + 1);
    const double nyquist = audio.sample_rate_hz / 2.0;
    const double log_lo = std::log(20.0), log_hi = std::log(nyquist);
    for (int c = 0; c < columns; ++c) {
        const auto start = static_cast<std::size_t>(static_cast<double>(x.size() - frame) * c / (columns - 1));
        for (std::size_t i = 0; i < frame; ++i) buffer[i] = window[i] * x[start + i];
        fft.forward_real(buffer.data(), spectrum.data());
        for (std::size_t k = 1; k < spectrum.size(); ++k) {
            const double f = static_cast<double>(k) * audio.sample_rate_hz / frame;
            if (f < 20.0) continue;
            const int r = std::min(rows - 1, static_cast<int>((std::log(f) - log_lo) / (log_hi - log_lo) * rows));
            const double db = 10.0 * std::log10(std::norm(spectrum[k]) + 1e-30);
            double& cell = s.cells_db[static_cast<std::size_t>(c * rows + r)];
            cell = std::max(cell, db);
        }
    }
    return s;
}

// Dark blue → purple → orange → pale yellow, by level 0..1.
std::string colour(double level) {
    static const double stops[][3] = {{12, 7, 40}, {90, 20, 110}, {200, 60, 80}, {250, 150, 40}, {252, 250, 190}};
    const double t = std::clamp(level, 0.0, 1.0) * 4.0;
    const int i = std::min(3, static_cast<int>(t));
    const double u = t - i;
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", static_cast<int>(stops[i][0] + u * (stops[i + 1][0] - stops[i][0])),
                  static_cast<int>(stops[i][1] + u * (stops[i + 1][1] - stops[i][1])),
                  static_cast<int>(stops[i][2] + u * (stops[i + 1][2] - stops[i][2])));
    return buf;
}

void draw(const std::vector<Spectrogram>& panels, const std::string& path) {
    double peak = -300.0;
    for (const auto& p : panels) peak = std::max(peak, *std::max_element(p.cells_db.begin(), p.cells_db.end()));
    Svg svg(panel_left + panel_width + 30, top + panels.size() * (panel_height + panel_gap) + 10);
    svg.text(panel_left, 22, "Spectrograms (dB re loudest cell, 90 dB range; log frequency)", "font-size=\"13\"");
    const double cell_w = panel_width / columns, cell_h = panel_height / rows;
    for (std::size_t p = 0; p < panels.size(); ++p) {
        const auto& s = panels[p];
        const double y0 = top + static_cast<double>(p) * (panel_height + panel_gap);
        svg.text(panel_left, y0 - 6, s.title);
        for (int r = 0; r < rows; ++r) {
            // Merge runs of equal colour along time: far fewer elements, same picture.
            int c = 0;
            while (c < columns) {
                const auto level = [&](int col) {
                    const double db = s.cells_db[static_cast<std::size_t>(col * rows + r)] - peak;
                    return std::round((1.0 + db / range_db) * 24.0) / 24.0;
                };
                const double l = level(c);
                int end = c + 1;
                while (end < columns && level(end) == l) ++end;
                svg.rect(panel_left + c * cell_w, y0 + panel_height - (r + 1) * cell_h, (end - c) * cell_w + 0.3,
                         cell_h + 0.3, colour(l));
                c = end;
            }
        }
        // Frequency ticks (log axis) and the time span.
        const double log_lo = std::log(20.0), log_hi = std::log(s.sample_rate_hz / 2.0);
        for (double f : {100.0, 1000.0, 10000.0}) {
            const double y = y0 + panel_height - (std::log(f) - log_lo) / (log_hi - log_lo) * panel_height;
            svg.line(panel_left - 5, y, panel_left, y, "stroke=\"black\"");
            svg.text(panel_left - 8, y + 4, f >= 1000 ? std::to_string(static_cast<int>(f / 1000)) + " kHz"
                                                      : std::to_string(static_cast<int>(f)) + " Hz",
                     "text-anchor=\"end\" font-size=\"10\"");
        }
        char span[64];
        std::snprintf(span, sizeof span, "%.1f s at %.0f Hz", s.seconds, s.sample_rate_hz);
        svg.text(panel_left + panel_width, y0 + panel_height + 14, span, "text-anchor=\"end\" font-size=\"10\"");
    }
    svg.save(path);
}

struct PlotOptions {
    std::vector<std::string> inputs;
    std::string svg;
};

std::function<void()> add_plot(CLI::App& app) {
    auto o = std::make_shared<PlotOptions>();
    app.add_option("inputs", o->inputs, "one to four WAV files, drawn top to bottom")->required()->expected(1, 4);
    app.add_option("--svg", o->svg, "SVG file to write")->required();
    return [o] {
        std::vector<Spectrogram> panels;
        for (const auto& path : o->inputs) panels.push_back(compute(path));
        draw(panels, o->svg);
    };
}


}  // namespace

Command plot_command() { return {"plot", "draw spectrograms of WAV files (SVG)", add_plot}; }

}  // namespace nofold::cli
