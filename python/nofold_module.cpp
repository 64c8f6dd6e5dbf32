// The `nofold` Python module (pybind11): models, oversampling, rate adaptation, the aliasing metrics and
// the activation catalogue, from NumPy. Built by CMake (-DNOFOLD_BUILD_PYTHON=ON), Meson (-Dpython=true)
// or `pip install --no-build-isolation .` (setup.py at the repository root).
//
// A Python Model keeps how it was made (the file read once, load options, oversampling, resampling), so
// each channel of process() and each worker of chromatic() builds its own instance of the same model.
// Everything long (process, the metrics, chromatic, activations) runs with the GIL released; a model's
// instances are guarded by its own mutex, taken only while the GIL is released.
// Errors: io::LoadError becomes nofold.LoadError (a ValueError with file, json_path, reason, line, column
// and the library's one-line message); std::invalid_argument becomes ValueError.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <nofold/analysis/activation_catalogue.hpp>
#include <nofold/analysis/signals.hpp>
#include <nofold/analysis/tone_test.hpp>
#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/dsp/resampled_model.hpp>
#include <nofold/io/load.hpp>

namespace py = pybind11;

namespace nofold::python {
namespace {

// ---- models ------------------------------------------------------------------------------------

/// How a Python model is made: enough to build another instance of it at any time.
struct Recipe {
    std::string path;
    std::shared_ptr<const io::ModelFile> file;
    io::LoadOptions options;  // math, host rate; prewarm as NAM Core with 64-sample blocks (as `nofold process`)
    int oversample = 1;
    dsp::FilterPreset filter = dsp::FilterPreset::iir_quality;
    dsp::LatencyMode latency = dsp::LatencyMode::fractional;
    int host_rate_hz = 0;  // resampled(): the rate outside the resampler; 0 = none
};

/// One instance, prewarmed; `loaded` receives the build details (dispatch, load time, model rate).
std::unique_ptr<Model> build_instance(const Recipe& r, io::LoadedModel* loaded = nullptr) {
    io::LoadOptions options = r.options;
    options.max_rate_factor = std::max(options.max_rate_factor, static_cast<double>(r.oversample));
    io::LoadedModel m = io::build(*r.file, options, r.path);
    std::unique_ptr<Model> model = std::move(m.model);
    if (r.oversample != 1) {
        auto wrapped = std::make_unique<dsp::OversampledModel>(std::move(model), *dsp::oversample_factor_from_int(r.oversample),
                                                               r.filter, r.latency);
        if (wrapped->status() != RateFactorStatus::ok)
            throw std::invalid_argument(r.path + ": this model cannot run at " + std::to_string(r.oversample) + "x its rate");
        model = std::move(wrapped);
    }
    if (r.host_rate_hz != 0 && std::fabs(m.model_sample_rate_hz - r.host_rate_hz) > 1e-6)
        model = std::make_unique<dsp::ResampledModel>(std::move(model), r.host_rate_hz,
                                                      static_cast<int>(std::lround(m.model_sample_rate_hz)));
    model->prewarm();
    if (loaded != nullptr) *loaded = std::move(m);
    return model;
}

py::object optional_number(const std::optional<double>& v) { return v ? py::object(py::float_(*v)) : py::object(py::none()); }

/// The keys and order of `nofold info --json` (README), for this model as built.
py::dict info_dict(const Recipe& r, const io::LoadedModel& m, const Model& model) {
    const io::ModelFile& f = *r.file;
    const io::Metadata& md = f.metadata;
    const io::ModelFile* leaf = &f;
    while (leaf->is_container() && !leaf->children.empty()) leaf = &leaf->children.back();
    double exact_latency = model.latency();
    if (const auto* rs = dynamic_cast<const dsp::ResampledModel*>(&model))
        exact_latency = rs->latency_seconds() * r.host_rate_hz;
    else if (const auto* os = dynamic_cast<const dsp::OversampledModel*>(&model))
        exact_latency = os->latency_samples();
    py::dict j;
    j["file"] = r.path;
    j["format"] = io::to_string(md.format);
    j["architecture"] = io::to_string(f.architecture);
    j["version"] = md.version;
    j["sample_rate_hz"] = optional_number(md.sample_rate_hz);
    j["sample_rate_assumed_hz"] = m.model_sample_rate_hz;
    j["weights"] = f.total_weights();
    j["receptive_field"] = model.receptive_field();
    j["latency_samples"] = model.latency();
    j["oversample"] = r.oversample;
    j["filter"] = r.oversample == 1 ? "none" : dsp::filter_preset_name(r.filter);
    j["latency_exact_samples"] = exact_latency;
    j["flops_per_sample"] = model.flops_per_sample();
    j["memory_bytes"] = model.memory_bytes();
    j["implementation"] = model.implementation_name();
    py::list dispatch;
    for (const auto& d : m.dispatch) {
        py::dict e;
        e["path"] = d.path;
        e["implementation"] = d.implementation;
        e["reason"] = d.reason;
        dispatch.append(e);
    }
    j["dispatch"] = dispatch;
    j["load_ms"] = m.load_ms;
    j["nam_prewarm_samples"] = io::nam_prewarm_samples(leaf->model, leaf->metadata.sample_rate_hz.has_value());
    j["slimmable"] = f.slimmable_values();
    j["input_skip"] = f.input_skip == io::InputSkip::on;
    j["input_gain_db"] = f.input_gain_db;
    j["output_gain_db"] = f.output_gain_db;
    py::list cond;
    for (std::size_t i = 0; i < f.conditioning.size(); ++i) {
        const auto& c = f.conditioning[i];
        py::dict e;
        e["index"] = i;
        e["name"] = c.name;
        e["default"] = c.default_value;
        e["min"] = c.min;
        e["max"] = c.max;
        cond.append(e);
    }
    j["conditioning"] = cond;
    j["parameter_count"] = model.parameter_count();
    j["golden_vectors"] = f.golden_output.size();
    py::dict meta;
    meta["name"] = md.name;
    meta["modeled_by"] = md.modeled_by;
    meta["gear_type"] = md.gear_type;
    meta["gear_make"] = md.gear_make;
    meta["gear_model"] = md.gear_model;
    meta["tone_type"] = md.tone_type;
    meta["date"] = md.date;
    meta["loudness_db"] = optional_number(md.loudness_db);
    meta["input_level_dbu"] = optional_number(md.input_level_dbu);
    meta["output_level_dbu"] = optional_number(md.output_level_dbu);
    meta["gain"] = optional_number(md.gain);
    py::dict extra;
    for (const auto& kv : md.extra) extra[py::str(kv.first)] = kv.second;
    meta["extra"] = extra;
    j["metadata"] = meta;
    j["warnings"] = f.warnings;
    return j;
}

/// The Python `nofold.Model`: one prewarmed instance per channel seen so far, streaming state kept
/// between process() calls.
class PyModel {
public:
    explicit PyModel(Recipe recipe) : recipe_(std::move(recipe)) {
        io::LoadedModel loaded;
        instances_.push_back(build_instance(recipe_, &loaded));
        model_rate_hz_ = loaded.model_sample_rate_hz;
        latency_ = instances_.front()->latency();
        receptive_field_ = instances_.front()->receptive_field();
        info_ = info_dict(recipe_, loaded, *instances_.front());
    }

    const Recipe& recipe() const { return recipe_; }
    py::dict info() const { return py::module_::import("copy").attr("deepcopy")(info_); }
    int latency() const { return latency_; }
    int receptive_field() const { return receptive_field_; }
    double sample_rate() const { return recipe_.host_rate_hz != 0 ? recipe_.host_rate_hz : model_rate_hz_; }

    /// x: float32 or float64 (anything else is converted to float64), 1-D or channels × samples.
    py::array process(const py::array& x) {
        if (x.ndim() != 1 && x.ndim() != 2)
            throw std::invalid_argument("process: x must be 1-D (samples) or 2-D (channels x samples), got " +
                                        std::to_string(x.ndim()) + "-D");
        if (py::isinstance<py::array_t<float>>(x)) return run<float>(x);
        return run<double>(x);
    }

    void reset() {
        py::gil_scoped_release release;
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& m : instances_) {
            m->reset();
            m->prewarm();
        }
    }

private:
    template <class T>
    py::array run(const py::array& x_any) {
        auto x = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(x_any);
        if (!x) throw py::error_already_set();
        const auto channels = static_cast<std::size_t>(x.ndim() == 1 ? 1 : x.shape(0));
        const auto frames = static_cast<std::size_t>(x.shape(x.ndim() - 1));
        std::vector<py::ssize_t> shape(x.shape(), x.shape() + x.ndim());
        py::array_t<T> y(shape);
        const T* in = x.data();
        T* out = y.mutable_data();
        {
            py::gil_scoped_release release;
            std::lock_guard<std::mutex> lock(mutex_);
            while (instances_.size() < channels) instances_.push_back(build_instance(recipe_));
            for (std::size_t c = 0; c < channels; ++c) process_channel(*instances_[c], in + c * frames, out + c * frames, frames);
        }
        return y;
    }

    // float32 goes straight through; float64 through a float block.
    void process_channel(Model& m, const float* in, float* out, std::size_t frames) {
        constexpr std::size_t piece = std::size_t{1} << 20;
        for (std::size_t i = 0; i < frames; i += piece)
            m.process(in + i, out + i, static_cast<int>(std::min(piece, frames - i)));
    }
    void process_channel(Model& m, const double* in, double* out, std::size_t frames) {
        constexpr std::size_t block = 4096;
        block_in_.resize(block);
        block_out_.resize(block);
        for (std::size_t i = 0; i < frames; i += block) {
            const std::size_t n = std::min(block, frames - i);
            for (std::size_t k = 0; k < n; ++k) block_in_[k] = static_cast<float>(in[i + k]);
            m.process(block_in_.data(), block_out_.data(), static_cast<int>(n));
            for (std::size_t k = 0; k < n; ++k) out[i + k] = block_out_[k];
        }
    }

    Recipe recipe_;
    double model_rate_hz_ = 48000.0;
    int latency_ = 0, receptive_field_ = 0;  // the same for every instance; read without the mutex
    py::dict info_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Model>> instances_;
    std::vector<float> block_in_, block_out_;
};

math::Accuracy parse_math(const std::string& s) {
    if (s == "exact") return math::Accuracy::exact;
    if (s == "fast") return math::Accuracy::fast;
    if (s == "nam") return math::Accuracy::nam;
    throw std::invalid_argument("math must be exact, fast or nam (got '" + s + "')");
}

std::unique_ptr<PyModel> load(const py::object& path, std::optional<double> sample_rate, const std::string& math,
                              std::optional<double> slim) {
    Recipe r;
    r.path = py::str(py::module_::import("os").attr("fspath")(path));  // str or pathlib.Path
    r.options.math = parse_math(math);
    if (sample_rate) {
        if (!(*sample_rate > 0.0)) throw std::invalid_argument("sample_rate must be a positive number of Hz");
        r.options.host_sample_rate_hz = *sample_rate;
    }
    if (slim) r.options.slimmable_size = *slim;
    r.options.prewarm = io::PrewarmPolicy::nam_core;
    r.options.prewarm_block = 64;
    {
        py::gil_scoped_release release;
        r.file = std::make_shared<const io::ModelFile>(io::read_model_file(r.path, r.options.read));
    }
    return std::make_unique<PyModel>(std::move(r));
}

std::unique_ptr<PyModel> oversampled(const PyModel& model, int factor, const std::string& filter,
                                     const std::string& latency) {
    Recipe r = model.recipe();
    if (r.oversample != 1 || r.host_rate_hz != 0)
        throw std::invalid_argument("oversampled: the model is already oversampled or resampled; oversample the loaded model");
    if (!dsp::oversample_factor_from_int(factor)) throw std::invalid_argument("oversample factor must be 1, 2, 4, 8 or 16");
    const auto preset = dsp::filter_preset_from_name(filter.c_str());
    if (!preset) throw std::invalid_argument("filter must be iir, iir_fast, iir_quality, fir or fir_linear_phase");
    if (latency != "fractional" && latency != "integer") throw std::invalid_argument("latency must be fractional or integer");
    r.oversample = factor;
    r.filter = *preset;
    r.latency = latency == "integer" ? dsp::LatencyMode::integer : dsp::LatencyMode::fractional;
    return std::make_unique<PyModel>(std::move(r));
}

std::unique_ptr<PyModel> resampled(const PyModel& model, int host_rate_hz) {
    Recipe r = model.recipe();
    if (r.host_rate_hz != 0) throw std::invalid_argument("resampled: the model is already resampled");
    if (host_rate_hz <= 0) throw std::invalid_argument("resampled: host_rate must be a positive number of Hz");
    if (r.options.host_sample_rate_hz > 0.0)
        throw std::invalid_argument("resampled: load the model without sample_rate, the resampler adapts it");
    r.host_rate_hz = host_rate_hz;
    return std::make_unique<PyModel>(std::move(r));
}

// ---- metrics -----------------------------------------------------------------------------------

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;

const double* samples(const Doubles& a, const char* what) {
    if (a.ndim() != 1) throw std::invalid_argument(std::string(what) + " must be a 1-D array");
    return a.data();
}

analysis::AsrResult asr(const Doubles& y, std::size_t k0) {
    const double* p = samples(y, "y");
    py::gil_scoped_release release;
    return analysis::asr(p, static_cast<std::size_t>(y.size()), k0);
}

analysis::Ratio esr(const Doubles& y, const Doubles& t, const py::object& pre_emphasis, double sample_rate) {
    const double* py_ = samples(y, "y");
    const double* pt = samples(t, "t");
    if (y.size() != t.size()) throw std::invalid_argument("esr: y and t must have the same length");
    const auto n = static_cast<std::size_t>(y.size());
    if (pre_emphasis.is_none()) return analysis::esr(py_, pt, n, analysis::EsrWeighting::none, sample_rate);
    if (py::isinstance<py::str>(pre_emphasis)) {
        const auto s = pre_emphasis.cast<std::string>();
        if (s != "a_weighting") throw std::invalid_argument("pre_emphasis must be None, a coefficient or 'a_weighting'");
        py::gil_scoped_release release;
        return analysis::esr(py_, pt, n, analysis::EsrWeighting::a_weighting, sample_rate);
    }
    const double a = pre_emphasis.cast<double>();
    if (a == analysis::pre_emphasis_coefficient) return analysis::esr(py_, pt, n, analysis::EsrWeighting::pre_emphasis, sample_rate);
    // Another coefficient: the same first-order high-pass 1 - a z^-1 (zero initial state) on both signals.
    std::vector<double> fy(n), ft(n);
    for (std::size_t i = 0; i < n; ++i) {
        fy[i] = py_[i] - (i > 0 ? a * py_[i - 1] : 0.0);
        ft[i] = pt[i] - (i > 0 ? a * pt[i - 1] : 0.0);
    }
    return analysis::esr(fy.data(), ft.data(), n, analysis::EsrWeighting::none, sample_rate);
}

py::array_t<double> bandlimit(const Doubles& y, double f0_hz, double sample_rate_hz) {
    const double* p = samples(y, "y");
    py::array_t<double> out(y.size());
    double* o = out.mutable_data();
    py::gil_scoped_release release;
    analysis::HarmonicAnalyzer h(static_cast<std::size_t>(y.size()), sample_rate_hz);
    h.resynthesise(h.analyse(p, f0_hz), o);
    return out;
}

analysis::Ratio nmr(const Doubles& y, const Doubles& ref, double sample_rate_hz) {
    const double* p = samples(y, "y");
    const double* r = samples(ref, "ref");
    if (y.size() != ref.size()) throw std::invalid_argument("nmr: y and ref must have the same length");
    py::gil_scoped_release release;
    return analysis::NmrAnalyzer(sample_rate_hz).measure(p, r, static_cast<std::size_t>(y.size()));
}

py::dict sine_metrics(const Doubles& y, double f0_hz, double sample_rate_hz, const std::optional<Doubles>& reference) {
    const double* p = samples(y, "y");
    const double* ref = reference ? samples(*reference, "reference") : nullptr;
    if (reference && reference->size() != y.size()) throw std::invalid_argument("sine_metrics: reference must have y's length");
    const auto n = static_cast<std::size_t>(y.size());
    analysis::ToneTest test;
    test.f0_hz = f0_hz;
    test.sample_rate_hz = sample_rate_hz;
    test.analysed_seconds = static_cast<double>(n) / sample_rate_hz;
    std::optional<analysis::AsrResult> asr_dft;
    analysis::SineMetrics m;
    std::vector<double> resynthesis;
    std::optional<analysis::Ratio> hesr;
    {
        py::gil_scoped_release release;
        if (analysis::tone_is_bin_exact(test)) asr_dft = analysis::asr(p, n, static_cast<std::size_t>(f0_hz));
        analysis::SineAnalyzer analyzer(n, sample_rate_hz);
        m = analyzer.measure(p, f0_hz);
        resynthesis = analyzer.resynthesis();
        if (ref) hesr = analysis::hesr(m.harmonics, analyzer.harmonic_analyzer().analyse(ref, f0_hz));
    }
    py::dict d;
    d["asr"] = asr_dft ? py::cast(*asr_dft) : py::none();
    d["asr_time"] = m.asr_time;
    d["esr_s"] = m.esr_s;
    d["nmr_s"] = m.nmr_s;
    d["hesr"] = hesr ? py::cast(*hesr) : py::none();
    d["dc"] = m.harmonics.dc;
    d["harmonics"] = py::array_t<std::complex<double>>(static_cast<py::ssize_t>(m.harmonics.amplitudes.size()),
                                                       m.harmonics.amplitudes.data());
    d["bandlimited"] = py::array_t<double>(static_cast<py::ssize_t>(n), resynthesis.data());
    return d;
}

/// A dict of columns, or a pandas DataFrame of them when pandas is importable and `as_frame` allows.
py::object table(const py::dict& columns, const std::optional<bool>& as_frame) {
    if (as_frame.value_or(true)) {
        try {
            return py::module_::import("pandas").attr("DataFrame")(columns);
        } catch (const py::error_already_set& e) {
            if (as_frame.value_or(false) || !e.matches(PyExc_ImportError)) throw;
        }
    }
    return columns;
}

// The chromatic set of `nofold alias --chromatic`: per tone, the same measurement and the CSV's columns.
struct ToneRow {
    analysis::ChromaticTone tone;
    std::optional<analysis::AsrResult> asr;
    analysis::Ratio asr_time, esr_s, nmr_s;
    std::optional<analysis::Ratio> hesr;
};

py::object chromatic(const PyModel& model, std::optional<double> sample_rate, const PyModel* reference,
                     std::optional<int> threads, std::optional<bool> as_frame) {
    const double fs = sample_rate.value_or(model.sample_rate());
    if (fs != std::floor(fs) || fs < 8000) throw std::invalid_argument("sample_rate must be an integer rate of at least 8000 Hz");
    const std::vector<analysis::ChromaticTone> tones = analysis::chromatic_set();
    std::vector<ToneRow> rows(tones.size());
    const int count = std::max(1, std::min(threads.value_or(static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))),
                                           static_cast<int>(tones.size())));
    const Recipe recipe = model.recipe();
    std::optional<Recipe> ref_recipe;
    if (reference != nullptr) ref_recipe = reference->recipe();
    {
        py::gil_scoped_release release;
        std::atomic<std::size_t> next{0};
        std::mutex error_mutex;
        std::exception_ptr error;
        auto worker = [&] {
            try {
                auto m = build_instance(recipe);
                std::unique_ptr<Model> ref;
                if (ref_recipe) ref = build_instance(*ref_recipe);
                std::unique_ptr<analysis::SineAnalyzer> analyzer;
                std::unique_ptr<analysis::Fft> plan;
                for (std::size_t i = next++; i < tones.size(); i = next++) {
                    analysis::ToneTest test;
                    test.f0_hz = tones[i].f0_hz;
                    test.sample_rate_hz = fs;
                    test.amplitude = tones[i].amplitude;
                    test.settle_seconds = analysis::chromatic_tone_seconds - analysis::chromatic_analysed_seconds;
                    test.analysed_seconds = analysis::chromatic_analysed_seconds;
                    if (!analyzer) {
                        analyzer = std::make_unique<analysis::SineAnalyzer>(test.analysed_samples(), fs);
                        plan = std::make_unique<analysis::Fft>(test.analysed_samples());
                    }
                    m->reset();
                    m->prewarm();
                    auto r = analysis::measure_tone([&m](const float* in, float* out, int n) { m->process(in, out, n); },
                                                    test, *analyzer, plan.get());
                    ToneRow& row = rows[i];
                    row.tone = tones[i];
                    row.asr = r.asr;
                    row.asr_time = r.sine.asr_time;
                    row.esr_s = r.sine.esr_s;
                    row.nmr_s = r.sine.nmr_s;
                    if (ref) {
                        ref->reset();
                        ref->prewarm();
                        const auto ref_out = analysis::run_tone([&ref](const float* in, float* out, int n) { ref->process(in, out, n); }, test);
                        row.hesr = analysis::hesr(r.sine.harmonics, analyzer->harmonic_analyzer().analyse(ref_out.data(), test.f0_hz));
                    }
                }
            } catch (...) {
                std::lock_guard<std::mutex> lock(error_mutex);
                if (!error) error = std::current_exception();
                next = tones.size();
            }
        };
        std::vector<std::thread> pool;
        for (int t = 0; t < count; ++t) pool.emplace_back(worker);
        for (auto& t : pool) t.join();
        if (error) std::rethrow_exception(error);
    }
    const auto n = static_cast<py::ssize_t>(rows.size());
    py::array_t<int> midi(n);
    py::array_t<double> f0(n), amp(n), rate(n), asr_db(n), asr_time_db(n), esr_db(n), nmr_db(n), hesr_db(n);
    py::list kind;
    for (py::ssize_t i = 0; i < n; ++i) {
        const ToneRow& r = rows[static_cast<std::size_t>(i)];
        midi.mutable_at(i) = r.tone.midi_note;
        f0.mutable_at(i) = r.tone.f0_hz;
        amp.mutable_at(i) = r.tone.amplitude_dbfs;
        rate.mutable_at(i) = fs;
        kind.append(r.asr ? "dft" : "time_domain");
        asr_db.mutable_at(i) = r.asr ? r.asr->db : r.asr_time.db;
        asr_time_db.mutable_at(i) = r.asr_time.db;
        esr_db.mutable_at(i) = r.esr_s.db;
        nmr_db.mutable_at(i) = r.nmr_s.db;
        hesr_db.mutable_at(i) = r.hesr ? r.hesr->db : std::nan("");
    }
    py::dict columns;
    columns["midi_note"] = midi;
    columns["f0_hz"] = f0;
    columns["amp_dbfs"] = amp;
    columns["sample_rate_hz"] = rate;
    columns["asr_kind"] = py::module_::import("numpy").attr("array")(kind);
    columns["asr_db"] = asr_db;
    columns["asr_time_db"] = asr_time_db;
    columns["esr_s_db"] = esr_db;
    columns["nmr_s_db"] = nmr_db;
    if (reference != nullptr) columns["hesr_db"] = hesr_db;
    return table(columns, as_frame);
}

py::object activations(const std::string& name_filter, bool timing, std::optional<bool> as_frame) {
    std::vector<analysis::ActivationRow> rows;
    {
        py::gil_scoped_release release;
        rows = analysis::activation_catalogue(name_filter, timing ? analysis::CatalogueTiming::measure
                                                                  : analysis::CatalogueTiming::skip);
    }
    const auto n = static_cast<py::ssize_t>(rows.size());
    py::list name, param, tier;
    py::array_t<double> err(n), ulp(n), scalar(n), simd(n), asr_db(n);
    for (py::ssize_t i = 0; i < n; ++i) {
        const auto& r = rows[static_cast<std::size_t>(i)];
        name.append(r.name);
        param.append(r.param);
        tier.append(r.tier);
        err.mutable_at(i) = r.max_abs_err;
        ulp.mutable_at(i) = r.max_ulp;
        scalar.mutable_at(i) = r.ns_scalar;
        simd.mutable_at(i) = r.ns_simd;
        asr_db.mutable_at(i) = r.asr_db;
    }
    const auto array = py::module_::import("numpy").attr("array");
    py::dict columns;
    columns["name"] = array(name);
    columns["param"] = array(param);
    columns["tier"] = array(tier);
    columns["max_abs_err"] = err;
    columns["max_ulp"] = ulp;
    columns["ns_scalar"] = scalar;
    columns["ns_simd"] = simd;
    columns["asr_db"] = asr_db;
    return table(columns, as_frame);
}

std::string ratio_repr(double db, double linear, const char* type) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s(db=%.4g, linear=%.6g)", type, db, linear);
    return buf;
}

}  // namespace
}  // namespace nofold::python

PYBIND11_MODULE(nofold, m) {
    using namespace nofold::python;
    namespace analysis = nofold::analysis;
    m.doc() = "nofold: neural amp models without aliasing, and the metrics that show it";
    m.attr("__version__") = nofold::version_string;

    static py::exception<nofold::io::LoadError> load_error(m, "LoadError", PyExc_ValueError);
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const nofold::io::LoadError& e) {
            py::object err = py::handle(load_error.ptr())(e.what());
            err.attr("file") = e.file();
            err.attr("json_path") = e.json_path();
            err.attr("reason") = e.reason();
            err.attr("line") = e.line();
            err.attr("column") = e.column();
            PyErr_SetObject(load_error.ptr(), err.ptr());
        }
    });

    py::class_<PyModel>(m, "Model", "A loaded model; process() keeps its state between calls (one instance per channel)")
        .def("process", &PyModel::process, py::arg("x"),
             "Runs x (float32 or float64; 1-D, or channels x samples) through the model; returns y of x's shape and "
             "dtype (float32 for float32 input, else float64). The GIL is released while it runs.")
        .def("reset", &PyModel::reset, "Back to the state right after loading (reset, then prewarmed)")
        .def_property_readonly("latency", &PyModel::latency, "latency in samples (rounded)")
        .def_property_readonly("receptive_field", &PyModel::receptive_field, "receptive field in samples")
        .def_property_readonly("sample_rate", &PyModel::sample_rate, "rate process() expects, Hz")
        .def_property_readonly("info", &PyModel::info, "the keys of `nofold info --json`, as a dict")
        .def("__repr__", [](const PyModel& model) {
            return "<nofold.Model '" + model.recipe().path + "', " + std::to_string(model.recipe().oversample) +
                   "x, " + std::to_string(std::lround(model.sample_rate())) + " Hz>";
        });

    m.def("load", &load, py::arg("path"), py::arg("sample_rate") = py::none(), py::arg("math") = "exact",
          py::arg("slim") = py::none(),
          "Loads a .nam, GuitarML or AIDA-X file. sample_rate: the host rate to check against the model's (None: "
          "no check); math: exact | fast | nam; slim: slimmable size in [0, 1]. Prewarmed as `nofold process` does.");
    m.def("oversampled", &oversampled, py::arg("model"), py::arg("factor"), py::arg("filter") = "iir",
          py::arg("latency") = "fractional",
          "A new model: `model` run at factor x its rate (1, 2, 4, 8, 16) between an up- and a down-sampler "
          "(filter iir | iir_fast | fir; latency fractional | integer)");
    m.def("resampled", &resampled, py::arg("model"), py::arg("host_rate"),
          "A new model that runs at host_rate Hz through the low-latency resampler around `model`");
    m.def("activations", &activations, py::arg("filter") = "", py::arg("timing") = true, py::arg("as_frame") = py::none(),
          "The activation catalogue of `nofold activations` (columns name, param, tier, max_abs_err, max_ulp, "
          "ns_scalar, ns_simd, asr_db): a pandas DataFrame when pandas is installed, else a dict of arrays. "
          "timing=False skips the timings (NaN) and takes a fraction of the time.");

    py::module_ metrics = m.def_submodule("metrics", "Aliasing and error metrics, as nofold computes them");
    py::module_::import("sys").attr("modules")["nofold.metrics"] = metrics;
    py::class_<analysis::Ratio>(metrics, "Ratio", "An energy ratio: linear and dB (10 log10)")
        .def_readonly("db", &analysis::Ratio::db)
        .def_readonly("linear", &analysis::Ratio::linear)
        .def("__float__", [](const analysis::Ratio& r) { return r.db; })
        .def("__repr__", [](const analysis::Ratio& r) { return ratio_repr(r.db, r.linear, "Ratio"); });
    py::class_<analysis::AsrResult>(metrics, "AsrResult", "Sato & Smith's ASR with the energies it was formed from")
        .def_readonly("db", &analysis::AsrResult::db)
        .def_readonly("linear", &analysis::AsrResult::linear)
        .def_readonly("harmonic_energy", &analysis::AsrResult::harmonic_energy)
        .def_readonly("alias_energy", &analysis::AsrResult::alias_energy)
        .def_readonly("harmonic_count", &analysis::AsrResult::harmonic_count)
        .def("__float__", [](const analysis::AsrResult& r) { return r.db; })
        .def("__repr__", [](const analysis::AsrResult& r) { return ratio_repr(r.db, r.linear, "AsrResult"); });
    metrics.def("asr", &asr, py::arg("y"), py::arg("k0"),
                "Sato & Smith's ASR of y (N samples, the steady response to a sine of k0 cycles per N samples)");
    metrics.def("esr", &esr, py::arg("y"), py::arg("t"), py::arg("pre_emphasis") = py::none(),
                py::arg("sample_rate") = 48000.0,
                "ESR of y against target t. pre_emphasis: None, a coefficient a (1 - a z^-1 on both; 0.95 is "
                "nofold's), or 'a_weighting' (uses sample_rate)");
    metrics.def("bandlimit", &bandlimit, py::arg("y"), py::arg("f0"), py::arg("fs"),
                "The alias-free resynthesis of y from its harmonics of f0 below fs/2 (Carson et al.)");
    metrics.def("nmr", &nmr, py::arg("y"), py::arg("ref"), py::arg("fs"),
                "Noise-to-mask ratio of y against ref (simplified BS.1387); above about -10 dB is audible");
    metrics.def("sine_metrics", &sine_metrics, py::arg("y"), py::arg("f0"), py::arg("fs"), py::arg("reference") = py::none(),
                "ESR-S, NMR-S, time-domain ASR (and DFT ASR when bin-exact, HESR with a reference output) of y, the "
                "steady response to a sine of f0: a dict");
    metrics.def("chromatic", &chromatic, py::arg("model"), py::arg("sample_rate") = py::none(),
                py::arg("reference") = py::none(), py::arg("threads") = py::none(), py::arg("as_frame") = py::none(),
                "The chromatic set of `nofold alias --chromatic` (MIDI 21-108 x {-36, -18, -6} dBFS) per tone, with "
                "the columns of its CSV: a pandas DataFrame when pandas is installed, else a dict of arrays");
}
