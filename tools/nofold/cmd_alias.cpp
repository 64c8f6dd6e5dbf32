// `nofold alias MODEL`: how much a model aliases, measured the way the literature does.
//
//   single tone (default): the paper's test, f0 = 1249 Hz at fs = 48017 Hz, -6 dBFS; the model runs at
//     --fs for 2 s, then the last second (N = fs samples) is analysed: Sato & Smith's ASR (DFT, when f0
//     is an integer bin coprime with N), Carson et al.'s time-domain ASR, ESR-S and NMR-S.
//   --chromatic: MIDI 21...108 x {-36, -18, -6} dBFS, 1.2 s per tone, last second analysed, at the
//     model's rate; means of the linear values (then dB), per-tone rows with --csv.
// --oversample N --filter F runs the model inside dsp::OversampledModel. --reference MODEL adds HESR
// (harmonic magnitudes against that model's) and ESR-T / NMR-T (the output against the reference's
// alias-free resynthesis, docs/metrics.md §4). MODEL may also be a built-in memoryless system:
// `builtin:tanh:G` (tanh(G x)) or `builtin:identity`, for checking the measurement itself, or
// `builtin:diode_clipper[:DRIVE_DB]`, the white-box device (dsp::DiodeClipperModel), e.g. as --reference.
// Tones run in parallel on --threads threads (default: all cores), each with its own model instance.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nofold/analysis/signals.hpp>
#include <nofold/analysis/tone_test.hpp>
#include <nofold/dsp/diode_clipper_model.hpp>
#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/model.hpp>
#include <nofold/io/atomic_file.hpp>

#include "command.hpp"
#include "model_loading.hpp"
#include "oversampling.hpp"
#include "svg.hpp"
#include "wav.hpp"
#include "progress.hpp"

namespace nofold::cli {
namespace {

// ---- systems under test ------------------------------------------------------------------------

/// A memoryless system y = tanh(gain x) (gain 0: identity) behind the Model interface, so the
/// oversampling wrapper and the threads treat it like a loaded model.
class MemorylessModel final : public Model {
public:
    explicit MemorylessModel(double gain) : gain_(static_cast<float>(gain)) {}
    NOFOLD_REALTIME void process(const float* in, float* out, int n) noexcept override {
        for (int i = 0; i < n; ++i) out[i] = gain_ == 0.0f ? in[i] : std::tanh(gain_ * in[i]);
    }
    NOFOLD_REALTIME void reset() noexcept override {}
    NOFOLD_REALTIME void prewarm() noexcept override {}
    int latency() const noexcept override { return 0; }
    int receptive_field() const noexcept override { return 1; }
    double flops_per_sample() const noexcept override { return 1.0; }
    NOFOLD_REALTIME RateFactorStatus set_rate_factor(double r) noexcept override {
        if (r < 1.0 || r > 16.0) return RateFactorStatus::out_of_range;
        rate_ = r;
        return RateFactorStatus::ok;
    }
    double rate_factor() const noexcept override { return rate_; }
    double max_rate_factor() const noexcept override { return 16.0; }
    std::size_t memory_bytes() const noexcept override { return sizeof(*this); }
    const char* implementation_name() const noexcept override { return "built-in memoryless"; }

private:
    float gain_;
    double rate_ = 1.0;
};

struct SystemSpec {
    std::string name;
    int oversample = 1;
    dsp::FilterPreset filter = dsp::FilterPreset::iir_quality;
    dsp::FinalStage final_stage = dsp::FinalStage::halfband;
};

/// The model's training rate, when the file says (0 = unknown; built-ins: unknown).
struct Loaded {
    std::unique_ptr<Model> model;
    double sample_rate_hz = 0.0;
};

Loaded load_base(const std::string& name, double max_rate_factor) {
    Loaded out;
    if (name.rfind("builtin:", 0) == 0) {
        if (name == "builtin:identity") {
            out.model = std::make_unique<MemorylessModel>(0.0);
            return out;
        }
        if (name.rfind("builtin:tanh:", 0) == 0) {
            char* end = nullptr;
            const double gain = std::strtod(name.c_str() + 13, &end);
            if (end != nullptr && *end == '\0' && gain > 0.0) {
                out.model = std::make_unique<MemorylessModel>(gain);
                return out;
            }
        }
        if (name == "builtin:diode_clipper" || name.rfind("builtin:diode_clipper:", 0) == 0) {
            // The white-box device at a nominal 48 kHz (at 48017 Hz its RC corner moves by 0.04 %).
            char* end = nullptr;
            const double drive = name.size() > 21 ? std::strtod(name.c_str() + 22, &end) : 0.0;
            if (name.size() == 21 || (end != nullptr && *end == '\0' && std::abs(drive) <= 60.0)) {
                out.model = std::make_unique<dsp::DiodeClipperModel>(48000.0, drive);
                return out;
            }
        }
        throw UsageError("unknown built-in system '" + name +
                         "' (builtin:identity, builtin:tanh:GAIN or builtin:diode_clipper[:DRIVE_DB])");
    }
    // The model runs at whatever rate the test uses (the paper runs 48 kHz models at 48017 Hz), so
    // the host rate is not checked; the oversampler needs rate factors up to the oversampling factor.
    io::LoadOptions options;
    options.max_rate_factor = max_rate_factor;
    try {
        io::LoadedModel loaded = load_model(name, options);
        out.model = std::move(loaded.model);
        out.sample_rate_hz = loaded.model_sample_rate_hz;
    } catch (const io::LoadError& e) {
        throw FileError(e.what());
    }
    return out;
}

std::unique_ptr<Model> make_system(const SystemSpec& spec, double* sample_rate_hz) {
    Loaded base = load_base(spec.name, static_cast<double>(spec.oversample));
    if (sample_rate_hz != nullptr) *sample_rate_hz = base.sample_rate_hz;
    if (spec.oversample == 1) return std::move(base.model);
    const auto factor = dsp::oversample_factor_from_int(spec.oversample);
    auto wrapped = std::make_unique<dsp::OversampledModel>(std::move(base.model), *factor, spec.filter,
                                                           dsp::LatencyMode::fractional, spec.final_stage);
    if (wrapped->status() != RateFactorStatus::ok)
        throw FileError(spec.name + ": the model cannot run at " + std::to_string(spec.oversample) +
                        "x its rate (its maximum rate factor is too small or must be an integer)");
    return wrapped;
}

// ---- measurement over tones, in parallel -------------------------------------------------------

struct Tone {
    int midi_note = 0;  // 0 for the single-tone test
    double amplitude_dbfs = 0.0;
    analysis::ToneTest test;
};

struct Row {
    Tone tone;
    std::optional<analysis::AsrResult> asr;
    analysis::Ratio asr_time, esr_s, nmr_s;
    std::optional<analysis::Ratio> hesr, esr_t, nmr_t;  // against the reference (-T: its band-limited output)
    analysis::Harmonics harmonics;
    std::vector<std::complex<double>> spectrum;  // single tone only (for the SVG)
};

std::vector<Row> measure_all(const std::vector<Tone>& tones, const SystemSpec& system,
                             const std::optional<SystemSpec>& reference, int threads, bool keep_spectrum) {
    std::vector<Row> rows(tones.size());
    std::atomic<std::size_t> next{0}, done{0};
    std::mutex error_mutex;
    std::exception_ptr error;
    auto worker = [&] {
        try {
            auto model = make_system(system, nullptr);
            std::unique_ptr<Model> ref_model;
            if (reference) ref_model = make_system(*reference, nullptr);
            std::unique_ptr<analysis::SineAnalyzer> analyzer;
            std::unique_ptr<analysis::Fft> plan;
            std::unique_ptr<analysis::NmrAnalyzer> nmr;
            double nmr_rate = 0.0;
            for (std::size_t i = next++; i < tones.size(); i = next++) {
                const auto& test = tones[i].test;
                if (!analyzer || analyzer->size() != test.analysed_samples() ||
                    analyzer->sample_rate_hz() != test.sample_rate_hz) {
                    analyzer = std::make_unique<analysis::SineAnalyzer>(test.analysed_samples(), test.sample_rate_hz);
                    plan = std::make_unique<analysis::Fft>(test.analysed_samples());
                }
                model->reset();
                model->prewarm();
                auto process = [&model](const float* in, float* out, int n) { model->process(in, out, n); };
                auto r = analysis::measure_tone(process, test, *analyzer, plan.get());
                Row& row = rows[i];
                row.tone = tones[i];
                row.asr = r.asr;
                row.asr_time = r.sine.asr_time;
                row.esr_s = r.sine.esr_s;
                row.nmr_s = r.sine.nmr_s;
                row.harmonics = std::move(r.sine.harmonics);
                if (keep_spectrum) row.spectrum = analyzer->harmonic_analyzer().last_spectrum();
                if (ref_model) {
                    ref_model->reset();
                    ref_model->prewarm();
                    auto ref_process = [&ref_model](const float* in, float* out, int n) { ref_model->process(in, out, n); };
                    const auto ref_out = analysis::run_tone(ref_process, test);
                    const auto ref_h = analyzer->harmonic_analyzer().analyse(ref_out.data(), test.f0_hz);
                    row.hesr = analysis::hesr(row.harmonics, ref_h);
                    std::vector<double> limited(ref_out.size());
                    analyzer->harmonic_analyzer().resynthesise(ref_h, limited.data());
                    row.esr_t = analysis::esr(r.output.data(), limited.data(), limited.size());
                    if (!nmr || nmr_rate != test.sample_rate_hz) {
                        nmr = std::make_unique<analysis::NmrAnalyzer>(test.sample_rate_hz);
                        nmr_rate = test.sample_rate_hz;
                    }
                    row.nmr_t = nmr->measure(r.output.data(), limited.data(), limited.size());
                    if (keep_spectrum) {  // analyse() replaced the spectrum; restore the model's
                        analyzer->harmonic_analyzer().analyse(r.output.data(), test.f0_hz);
                        row.spectrum = analyzer->harmonic_analyzer().last_spectrum();
                    }
                }
                ++done;
            }
        } catch (...) {
            std::lock_guard<std::mutex> lock(error_mutex);
            if (!error) error = std::current_exception();
            next = tones.size();
        }
    };
    const int count = std::max(1, std::min<int>(threads, static_cast<int>(tones.size())));
    std::vector<std::thread> pool;
    for (int t = 0; t < count; ++t) pool.emplace_back(worker);
    {
        Progress progress("alias");
        while (done.load() < tones.size()) {
            {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (error) break;
            }
            progress.update(static_cast<double>(done.load()) / static_cast<double>(tones.size()));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    for (auto& t : pool) t.join();
    if (error) std::rethrow_exception(error);
    return rows;
}

// ---- summaries ---------------------------------------------------------------------------------

struct Summary {
    analysis::Ratio asr;
    const char* asr_kind = "dft";
    analysis::Ratio esr_s, nmr_s;
    std::optional<analysis::Ratio> hesr, esr_t, nmr_t;
};

// Mean of the linear values, then dB (docs/metrics.md §4). ASR uses §2 when every tone is bin-exact,
// otherwise Carson's time-domain variant, and says which.
Summary summarise(const std::vector<Row>& rows) {
    Summary s;
    const bool all_dft = std::all_of(rows.begin(), rows.end(), [](const Row& r) { return r.asr.has_value(); });
    s.asr_kind = all_dft ? "dft" : "time_domain";
    double asr = 0, esr = 0, nmr = 0, hesr = 0, esr_t = 0, nmr_t = 0;
    for (const auto& r : rows) {
        asr += all_dft ? r.asr->linear : r.asr_time.linear;
        esr += r.esr_s.linear;
        nmr += r.nmr_s.linear;
        if (r.hesr) {
            hesr += r.hesr->linear;
            esr_t += r.esr_t->linear;
            nmr_t += r.nmr_t->linear;
        }
    }
    const double n = static_cast<double>(rows.size());
    s.asr = analysis::Ratio::from_linear(asr / n);
    s.esr_s = analysis::Ratio::from_linear(esr / n);
    s.nmr_s = analysis::Ratio::from_linear(nmr / n);
    if (!rows.empty() && rows.front().hesr) {
        s.hesr = analysis::Ratio::from_linear(hesr / n);
        s.esr_t = analysis::Ratio::from_linear(esr_t / n);
        s.nmr_t = analysis::Ratio::from_linear(nmr_t / n);
    }
    return s;
}

// JSON numbers: finite values as numbers, -inf/+inf/NaN as null (JSON has no infinities).
Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

std::string db_text(double db) {
    if (std::isinf(db)) return db < 0 ? "-inf" : "+inf";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", db);
    return buf;
}

void write_csv(const std::string& path, const std::vector<Row>& rows) {
    std::ostringstream f;
    f << "midi_note,f0_hz,amp_dbfs,sample_rate_hz,asr_kind,asr_db,asr_time_db,esr_s_db,nmr_s_db,hesr_db\n";
    char buf[512];
    for (const auto& r : rows) {
        const double asr_db = r.asr ? r.asr->db : r.asr_time.db;
        std::snprintf(buf, sizeof buf, "%d,%.9g,%.1f,%.0f,%s,%.4f,%.4f,%.4f,%.4f,", r.tone.midi_note, r.tone.test.f0_hz,
                      r.tone.amplitude_dbfs, r.tone.test.sample_rate_hz, r.asr ? "dft" : "time_domain", asr_db,
                      r.asr_time.db, r.esr_s.db, r.nmr_s.db);
        f << buf;
        if (r.hesr) {
            std::snprintf(buf, sizeof buf, "%.4f", r.hesr->db);
            f << buf;
        }
        f << '\n';
    }
    nofold::io::write_file_atomically(path, f.str());
}

// ---- SVG ---------------------------------------------------------------------------------------

constexpr double plot_left = 70, plot_top = 40, plot_width = 900, plot_height = 420;

void axes(Svg& svg, const std::string& title, const std::string& x_label, const std::string& y_label) {
    svg.text(plot_left, 24, title, "font-size=\"13\"");
    svg.line(plot_left, plot_top, plot_left, plot_top + plot_height, "stroke=\"black\"");
    svg.line(plot_left, plot_top + plot_height, plot_left + plot_width, plot_top + plot_height, "stroke=\"black\"");
    svg.text(plot_left + plot_width / 2, plot_top + plot_height + 40, x_label, "text-anchor=\"middle\"");
    svg.text(18, plot_top + plot_height / 2, y_label,
             "text-anchor=\"middle\" transform=\"rotate(-90 18 " + std::to_string(plot_top + plot_height / 2) + ")\"");
}

void svg_spectrum(const std::string& path, const Row& row, const std::string& title, const std::string& metrics) {
    const double fs = row.tone.test.sample_rate_hz, n = static_cast<double>(row.tone.test.analysed_samples());
    const double db_min = -200, db_max = 20;
    auto y_of = [&](double db) {
        const double c = std::clamp(db, db_min, db_max);
        return plot_top + (db_max - c) / (db_max - db_min) * plot_height;
    };
    auto x_of = [&](double f) { return plot_left + f / (fs / 2) * plot_width; };
    Svg svg(plot_left + plot_width + 30, plot_top + plot_height + 60);
    axes(svg, title, "frequency (kHz)", "level (dBFS, Chebyshev 120 dB window)");
    for (double db = db_min; db <= db_max; db += 20) {
        svg.line(plot_left, y_of(db), plot_left + plot_width, y_of(db), "stroke=\"#ddd\"");
        svg.text(plot_left - 8, y_of(db) + 4, std::to_string(static_cast<int>(db)), "text-anchor=\"end\"");
    }
    for (double khz = 0; khz * 1000 <= fs / 2; khz += 2) {
        svg.line(x_of(khz * 1000), plot_top + plot_height, x_of(khz * 1000), plot_top + plot_height + 5, "stroke=\"black\"");
        svg.text(x_of(khz * 1000), plot_top + plot_height + 18, std::to_string(static_cast<int>(khz)), "text-anchor=\"middle\"");
    }
    // Peak per pixel column, so narrow alias lines stay visible. |S|/sum(w) = a/2 for a peak a.
    const int columns = static_cast<int>(plot_width);
    std::vector<double> peak(static_cast<std::size_t>(columns), -1e300);
    for (std::size_t k = 0; k < row.spectrum.size(); ++k) {
        const double f = static_cast<double>(k) * fs / n;
        const int c = std::min(columns - 1, static_cast<int>(f / (fs / 2) * columns));
        const double db = 20 * std::log10(std::max(2.0 * std::abs(row.spectrum[k]), 1e-300));
        peak[static_cast<std::size_t>(c)] = std::max(peak[static_cast<std::size_t>(c)], db);
    }
    std::vector<std::pair<double, double>> pts;
    for (int c = 0; c < columns; ++c) pts.emplace_back(plot_left + c + 0.5, y_of(peak[static_cast<std::size_t>(c)]));
    svg.polyline(pts, "stroke=\"#1f77b4\" stroke-width=\"1\"");
    for (std::size_t m = 1; m <= row.harmonics.amplitudes.size(); ++m) {
        const double db = 20 * std::log10(std::max(row.harmonics.peak(m), 1e-300));
        if (db < db_min + 30) continue;  // absent harmonics (e.g. even ones of an odd system)
        svg.circle(x_of(static_cast<double>(m) * row.tone.test.f0_hz), y_of(db), 3, "fill=\"none\" stroke=\"#d62728\"");
    }
    svg.circle(plot_left + plot_width - 250, plot_top + 12, 3, "fill=\"none\" stroke=\"#d62728\"");
    svg.text(plot_left + plot_width - 242, plot_top + 16, "harmonics (everything else: aliasing + noise)");
    svg.text(plot_left + plot_width - 250, plot_top + 34, metrics);
    svg.save(path);
}

void svg_chromatic(const std::string& path, const std::vector<Row>& rows, const std::string& title) {
    const double f_min = 25, f_max = 4500, db_min = -140, db_max = 40;
    auto x_of = [&](double f) { return plot_left + std::log(f / f_min) / std::log(f_max / f_min) * plot_width; };
    auto y_of = [&](double db) {
        const double c = std::clamp(db, db_min, db_max);
        return plot_top + (db_max - c) / (db_max - db_min) * plot_height;
    };
    Svg svg(plot_left + plot_width + 30, plot_top + plot_height + 110);
    axes(svg, title, "f0 (Hz, log)", "dB");
    for (double db = db_min; db <= db_max; db += 20) {
        svg.line(plot_left, y_of(db), plot_left + plot_width, y_of(db), "stroke=\"#ddd\"");
        svg.text(plot_left - 8, y_of(db) + 4, std::to_string(static_cast<int>(db)), "text-anchor=\"end\"");
    }
    for (double f : {27.5, 55.0, 110.0, 220.0, 440.0, 880.0, 1760.0, 3520.0}) {
        svg.line(x_of(f), plot_top + plot_height, x_of(f), plot_top + plot_height + 5, "stroke=\"black\"");
        svg.text(x_of(f), plot_top + plot_height + 18, db_text(f).substr(0, db_text(f).find('.')), "text-anchor=\"middle\"");
    }
    svg.line(plot_left, y_of(-10), plot_left + plot_width, y_of(-10), "stroke=\"#444\" stroke-dasharray=\"6 4\"");
    svg.text(plot_left + 6, y_of(-10) - 5, "-10 dB: approximate audibility of aliasing (NMR-S)");
    const char* colours[] = {"#2ca02c", "#ff7f0e", "#d62728"};
    const double levels[] = {-36, -18, -6};
    for (int l = 0; l < 3; ++l) {
        std::vector<std::pair<double, double>> nmr, esr;
        for (const auto& r : rows) {
            if (r.tone.amplitude_dbfs != levels[l]) continue;
            nmr.emplace_back(x_of(r.tone.test.f0_hz), y_of(r.nmr_s.db));
            esr.emplace_back(x_of(r.tone.test.f0_hz), y_of(r.esr_s.db));
        }
        const std::string colour = colours[l];
        svg.polyline(nmr, "stroke=\"" + colour + "\" stroke-width=\"1.5\"");
        svg.polyline(esr, "stroke=\"" + colour + "\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"");
        const double ly = plot_top + plot_height + 62 + 16 * l;
        svg.line(plot_left, ly, plot_left + 30, ly, "stroke=\"" + colour + "\" stroke-width=\"1.5\"");
        svg.text(plot_left + 38, ly + 4,
                 "NMR-S (solid), ESR-S (dashed) at " + std::to_string(static_cast<int>(levels[l])) + " dBFS");
    }
    svg.save(path);
}

// ---- the command -------------------------------------------------------------------------------

struct AliasOptions {
    std::string model;
    std::string reference;
    double f0_hz = 1249.0;
    double fs_hz = 48017.0;
    double amp_dbfs = -6.0;
    int oversample = 1;
    std::string filter = "iir";
    std::string final_stage = "halfband";
    bool chromatic = false;
    bool json = false;
    std::string csv, svg;
    int threads = 0;
    double settle_seconds = 2.0;
};

std::function<void()> add_alias(CLI::App& app) {
    auto o = std::make_shared<AliasOptions>();
    app.add_option("MODEL", o->model, "model file, or builtin:tanh:GAIN / builtin:identity")->required();
    auto* fs_opt = app.add_option("--fs", o->fs_hz, "sample rate the model runs at, Hz (single tone: 48017; "
                                                    "--chromatic: the model's rate, else 48000)");
    app.add_option("--f0", o->f0_hz, "tone frequency, Hz (default 1249)");
    app.add_option("--amp", o->amp_dbfs, "tone level, dBFS (default -6)");
    app.add_option("--oversample", o->oversample, "run the model at N x its rate: 1, 2, 4, 8 or 16");
    app.add_option("--filter", o->filter, "oversampling filter: iir (= iir_quality), iir_fast, fir (= fir_linear_phase)");
    app.add_option("--final-stage", o->final_stage, "last down-sampling stage: halfband | nyquist");
    app.add_flag("--chromatic", o->chromatic, "the chromatic set: MIDI 21-108 x {-36,-18,-6} dBFS");
    app.add_option("--reference", o->reference, "reference model for HESR, ESR-T and NMR-T (e.g. the teacher)");
    app.add_flag("--json", o->json, "print the result as JSON");
    app.add_option("--csv", o->csv, "write per-tone rows to this CSV file");
    app.add_option("--svg", o->svg, "draw the spectrum (single tone) or NMR-S/ESR-S vs f0 (chromatic)");
    app.add_option("--threads", o->threads, "worker threads (default: all cores)");
    app.add_option("--settle", o->settle_seconds, "single tone: seconds run before the analysed second (>= 2)");
    return [o, fs_opt] {
        validate_oversampling(OversampleChoice{o->oversample, o->filter, "fractional"});
        const auto preset = dsp::filter_preset_from_name(o->filter.c_str());
        if (!(o->settle_seconds >= 2.0 && o->settle_seconds <= 600.0)) throw UsageError("--settle must lie in [2, 600] seconds");
        SystemSpec system{o->model, o->oversample, *preset, parse_final_stage(o->final_stage)};
        std::optional<SystemSpec> reference;
        if (!o->reference.empty()) reference = SystemSpec{o->reference, 1, *preset};

        // Load once up front: reports file errors before any thread starts, and gives the rate.
        double model_rate_hz = 0.0;
        make_system(system, &model_rate_hz);
        if (reference) make_system(*reference, nullptr);

        std::vector<Tone> tones;
        if (o->chromatic) {
            const double fs = fs_opt->count() > 0 ? o->fs_hz : (model_rate_hz > 0 ? model_rate_hz : 48000.0);
            if (!(fs == std::floor(fs) && fs >= 8000 && fs <= max_wav_rate_hz))
                throw UsageError("--fs must be an integer rate in [8000, 768000] Hz");
            for (const auto& c : analysis::chromatic_set()) {
                Tone t;
                t.midi_note = c.midi_note;
                t.amplitude_dbfs = c.amplitude_dbfs;
                t.test.f0_hz = c.f0_hz;
                t.test.sample_rate_hz = fs;
                t.test.amplitude = c.amplitude;
                t.test.settle_seconds = analysis::chromatic_tone_seconds - analysis::chromatic_analysed_seconds;
                t.test.analysed_seconds = analysis::chromatic_analysed_seconds;
                tones.push_back(t);
            }
        } else {
            if (!(o->fs_hz == std::floor(o->fs_hz) && o->fs_hz >= 8000 && o->fs_hz <= max_wav_rate_hz))
                throw UsageError("--fs must be an integer rate in [8000, 768000] Hz");
            if (!(o->f0_hz > 0 && o->f0_hz < o->fs_hz / 2)) throw UsageError("--f0 must be between 0 and fs/2");
            if (!(o->amp_dbfs <= 20)) throw UsageError("--amp must be a level in dBFS (at most +20)");
            Tone t;
            t.amplitude_dbfs = o->amp_dbfs;
            t.test.f0_hz = o->f0_hz;
            t.test.sample_rate_hz = o->fs_hz;
            t.test.amplitude = analysis::dbfs_to_amplitude(o->amp_dbfs);
            t.test.settle_seconds = o->settle_seconds;
            t.test.analysed_seconds = 1.0;
            tones.push_back(t);
        }
        const int threads = o->threads > 0 ? o->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        const auto rows = measure_all(tones, system, reference, threads, !o->chromatic && !o->svg.empty());
        const Summary s = summarise(rows);
        const std::string filter_name = o->oversample > 1 ? dsp::filter_preset_name(*preset) : "none";

        if (!o->csv.empty()) write_csv(o->csv, rows);
        if (!o->svg.empty()) {
            char title[256];
            if (o->chromatic) {
                std::snprintf(title, sizeof title, "%s: chromatic set at %.0f Hz, oversample %dx (%s)", o->model.c_str(),
                              rows.front().tone.test.sample_rate_hz, o->oversample, filter_name.c_str());
                svg_chromatic(o->svg, rows, title);
            } else {
                std::snprintf(title, sizeof title, "%s: %.6g Hz at %.0f Hz, %.1f dBFS, oversample %dx (%s)",
                              o->model.c_str(), o->f0_hz, o->fs_hz, o->amp_dbfs, o->oversample, filter_name.c_str());
                const std::string metrics = "ASR " + db_text(s.asr.db) + " dB, ESR-S " + db_text(s.esr_s.db) +
                                            " dB, NMR-S " + db_text(s.nmr_s.db) + " dB";
                svg_spectrum(o->svg, rows.front(), title, metrics);
            }
        }
        if (o->json) {
            Json out;
            out["asr_db"] = number(s.asr.db);
            out["asr"] = number(s.asr.linear);
            out["esr_s_db"] = number(s.esr_s.db);
            out["nmr_s_db"] = number(s.nmr_s.db);
            if (s.hesr) {
                out["hesr_db"] = number(s.hesr->db);
                out["esr_t_db"] = number(s.esr_t->db);
                out["nmr_t_db"] = number(s.nmr_t->db);
            }
            out["tones"] = rows.size();
            out["oversample"] = o->oversample;
            out["filter"] = filter_name;
            out["asr_kind"] = s.asr_kind;
            out["sample_rate_hz"] = rows.front().tone.test.sample_rate_hz;
            out["final_stage"] = o->oversample > 1 ? o->final_stage : "none";
            print_json(out);
            return;
        }
        std::printf("nofold alias %s: %s, oversample %dx (filter %s%s)\n", o->model.c_str(),
                    o->chromatic ? "chromatic set (264 tones, means of linear values)" : "single tone", o->oversample,
                    filter_name.c_str(), o->oversample > 1 && o->final_stage == "nyquist" ? " + nyquist final stage" : "");
        if (!o->chromatic)
            std::printf("  tone: %.6g Hz at %.0f Hz, %.1f dBFS; %.1f s run, last 1 s analysed (N = %zu)\n", o->f0_hz,
                        o->fs_hz, o->amp_dbfs, o->settle_seconds + 1.0, tones.front().test.analysed_samples());
        const bool dft = std::string(s.asr_kind) == "dft";
        std::printf("  ASR (%s)%s %8s dB   (linear %.3g)\n", dft ? "Sato & Smith, DFT" : "Carson, time domain",
                    dft ? "         " : "       ", db_text(s.asr.db).c_str(), s.asr.linear);
        if (dft) {
            double t = 0;
            for (const auto& r : rows) t += r.asr_time.linear;
            std::printf("  ASR (Carson, time domain)       %8s dB\n",
                        db_text(analysis::Ratio::power_to_db(t / static_cast<double>(rows.size()))).c_str());
        }
        std::printf("  ESR-S                           %8s dB\n", db_text(s.esr_s.db).c_str());
        std::printf("  NMR-S                           %8s dB   (aliasing audible above about -10 dB)\n",
                    db_text(s.nmr_s.db).c_str());
        if (s.hesr) {
            std::printf("  HESR vs %-23s %8s dB\n", o->reference.c_str(), db_text(s.hesr->db).c_str());
            std::printf("  ESR-T (vs the reference's band-limited output) %8s dB\n", db_text(s.esr_t->db).c_str());
            std::printf("  NMR-T                                          %8s dB\n", db_text(s.nmr_t->db).c_str());
        }
    };
}


}  // namespace

Command alias_command() { return {"alias", "measure aliasing: ASR, ESR-S, NMR-S (single tone or chromatic set)", add_alias}; }

}  // namespace nofold::cli
