// `nofold study --input DI.wav --target AMP.wav --out DIR [--activations A…] [--seeds N] [--shard K/N]
//  [training options of nofold train] [--json]` and `nofold study --merge DIR… --out DIR [--json]`:
// Sato & Smith's activation study on one recording pair. Every (configuration, seed) of the grid is
// trained with train::fit (the path of `nofold train`), judged by validation ESR and ASR at 1249 Hz
// (fit's own measurement, the one `nofold alias` makes), and written as DIR/run-<configuration>-seed<S>.json
// (atomically), so a study that was stopped resumes by skipping the runs whose file exists. The table
// (mean, std, min of ESR and ASR per configuration, Pareto front of the means, Spearman ρ of CustomTanh's
// α against ASR) is printed and written as DIR/study.csv, DIR/study.json and DIR/study.svg (ASR against
// ESR). --shard K/N trains one deterministic slice of the grid (grid index ≡ K−1 mod N); --merge reads
// the run files of several folders (every file must come from the same settings and data) and writes
// the table of their union. Ctrl-C stops between batches, drops the unfinished run and exits 130.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nofold/io/atomic_file.hpp>
#include <nofold/train/fit.hpp>
#include <nofold/train/study.hpp>

#include "command.hpp"
#include "fit_options.hpp"
#include "progress.hpp"
#include "svg.hpp"

namespace nofold::cli {
namespace {

namespace fs = std::filesystem;

struct StudyOptions {
    FitOptions fit = [] {
        FitOptions f;
        f.arch = "study";
        f.epochs = 10;  // the paper's at most ten epochs
        return f;
    }();
    std::string input, target, out, shard = "1/1";
    std::vector<std::string> activations, merge;
    int seeds = 3;
    bool json = false;
};

Json number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }
// Parameters as the decimal numbers they were given as (0.8, not the float's 0.800000011920929).
Json params_json(const std::vector<float>& params) {
    Json a = Json::array();
    for (float p : params) a.push_back(std::strtod(train::study_param_text(p).c_str(), nullptr));
    return a;
}

double real(const Json& j) { return j.is_number() ? j.get<double>() : std::nan(""); }

void parse_shard(const std::string& text, std::size_t& k, std::size_t& n) {
    const auto slash = text.find('/');
    char* end = nullptr;
    const long kk = slash == std::string::npos ? 0 : std::strtol(text.c_str(), &end, 10);
    const bool k_ok = slash != std::string::npos && end == text.c_str() + slash;
    const long nn = k_ok ? std::strtol(text.c_str() + slash + 1, &end, 10) : 0;
    if (!k_ok || *end != '\0' || slash + 1 == text.size() || nn < 1 || nn > 1000000 || kk < 1 || kk > nn)
        throw UsageError("--shard must be K/N with 1 <= K <= N (got '" + text + "')");
    k = static_cast<std::size_t>(kk);
    n = static_cast<std::size_t>(nn);
}

// 64-bit FNV-1a of the pair's samples: result files of different data never mix.
std::string fingerprint(const std::vector<float>& a, const std::vector<float>& b) {
    std::uint64_t h = 1469598103934665603ull;
    for (const auto* v : {&a, &b}) {
        const auto* p = reinterpret_cast<const unsigned char*>(v->data());
        for (std::size_t i = 0; i < v->size() * sizeof(float); ++i) h = (h ^ p[i]) * 1099511628211ull;
    }
    char buf[20];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

// Everything a run's figures depend on, except the configuration and seed (threads do not matter:
// training is bit-identical for any thread count).
Json settings_record(const FitOptions& f, const train::FitSettings& s, const std::vector<float>& x, const std::vector<float>& y) {
    Json j;
    j["architecture"] = f.arch;
    j["epochs"] = f.epochs;
    j["minutes"] = f.minutes;
    j["patience"] = f.patience;
    j["validation"] = f.validation;
    j["latency"] = f.latency;
    j["batch"] = f.batch;
    j["frame"] = f.frame;
    j["lr"] = f.lr;
    j["stft"] = f.stft;
    j["pre_emphasis"] = f.pre_emphasis;
    j["sample_rate_hz"] = s.sample_rate_hz;
    j["samples"] = x.size();
    j["data_fnv1a"] = fingerprint(x, y);
    return j;
}

std::string run_file_name(const std::string& label, std::uint64_t seed) {
    std::string slug = label;
    for (char& c : slug)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-')) c = '_';
    return "run-" + slug + "-seed" + std::to_string(seed) + ".json";
}

Json read_json_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw FileError(path + ": cannot be read");
    std::stringstream ss;
    ss << f.rdbuf();
    try {
        return Json::parse(ss.str());
    } catch (const std::exception& e) {
        throw FileError(path + ": not a study result file (" + std::string(e.what()) + ")");
    }
}

struct RunRecord {
    std::string path, label;
    std::uint64_t seed = 0;
    Json settings;
    double esr = 0.0, asr = 0.0;
};

RunRecord read_run(const std::string& path) {
    const Json j = read_json_file(path);
    RunRecord r;
    r.path = path;
    try {
        if (!j.is_object() || j.value("nofold_study_run", 0) != 1) throw std::runtime_error("no nofold_study_run: 1");
        r.label = j.at("configuration").get<std::string>();
        r.seed = j.at("seed").get<std::uint64_t>();
        r.settings = j.at("settings");
        r.esr = real(j.at("validation_esr"));
        r.asr = real(j.at("asr"));
    } catch (const std::exception& e) {
        throw FileError(path + ": not a study result file (" + std::string(e.what()) + ")");
    }
    return r;
}

std::string differing_key(const Json& a, const Json& b) {
    for (auto it = a.begin(); it != a.end(); ++it)
        if (!b.contains(it.key()) || b.at(it.key()) != it.value()) return it.key();
    return "keys";
}

std::string xml_text(const std::string& s) {
    std::string o;
    for (char c : s) o += c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '&' ? "&amp;" : std::string(1, c);
    return o;
}

// ---- outputs -----------------------------------------------------------------------------------

struct Table {
    std::vector<train::StudyConfig> configs;
    std::vector<train::StudyResult> results;
    std::vector<train::StudyRow> rows;
    train::AlphaCorrelation alpha;
};

Table make_table(const std::vector<RunRecord>& runs) {
    Table t;
    std::map<std::string, std::size_t> index;
    for (const RunRecord& r : runs) {
        auto it = index.find(r.label);
        if (it == index.end()) {
            train::StudyConfig c;
            std::string error;
            if (!train::parse_study_config(r.label, c, error)) throw FileError(r.path + ": " + error);
            it = index.emplace(r.label, t.configs.size()).first;
            t.configs.push_back(c);
        }
        t.results.push_back({it->second, r.seed, r.esr, r.asr});
    }
    t.rows = train::study_table(t.configs, t.results);
    t.alpha = train::custom_tanh_alpha_asr(t.rows);
    return t;
}

std::string csv_text(const Table& t) {
    std::string s = "configuration,activation,params,gated,runs,esr_mean,esr_std,esr_min,asr_mean,asr_std,asr_min,asr_mean_db,pareto\n";
    for (const train::StudyRow& r : t.rows) {
        std::string params;
        for (std::size_t i = 0; i < r.config.activation.params.size(); ++i)
            params += (i ? ";" : "") + train::study_param_text(r.config.activation.params[i]);
        char buf[512];
        std::snprintf(buf, sizeof buf, "%s,%s,%s,%d,%zu,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.4f,%d\n", r.label.c_str(),
                      r.config.activation.name.c_str(), params.c_str(), r.config.gated ? 1 : 0, r.esr.count, r.esr.mean, r.esr.std,
                      r.esr.min, r.asr.mean, r.asr.std, r.asr.min, 10.0 * std::log10(r.asr.mean), r.pareto ? 1 : 0);
        s += buf;
    }
    return s;
}

Json table_json(const Table& t) {
    Json rows = Json::array();
    for (const train::StudyRow& r : t.rows) {
        Json row;
        row["configuration"] = r.label;
        row["activation"] = r.config.activation.name;
        row["params"] = params_json(r.config.activation.params);
        row["gated"] = r.config.gated;
        row["runs"] = r.esr.count;
        row["esr"] = Json{{"mean", number(r.esr.mean)}, {"std", number(r.esr.std)}, {"min", number(r.esr.min)}};
        row["asr"] = Json{{"mean", number(r.asr.mean)},
                          {"std", number(r.asr.std)},
                          {"min", number(r.asr.min)},
                          {"mean_db", number(10.0 * std::log10(r.asr.mean))}};
        row["pareto"] = r.pareto;
        rows.push_back(row);
    }
    return rows;
}

void write_svg(const std::string& path, const Table& t, const std::string& title) {
    constexpr double left = 80, top = 40, width = 760, height = 460;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (const auto& r : t.results)
        if (r.validation_esr > 0 && r.asr > 0 && std::isfinite(r.validation_esr) && std::isfinite(r.asr)) {
            x0 = std::min(x0, std::log10(r.validation_esr));
            x1 = std::max(x1, std::log10(r.validation_esr));
            y0 = std::min(y0, std::log10(r.asr));
            y1 = std::max(y1, std::log10(r.asr));
        }
    if (!std::isfinite(x0)) x0 = -3, x1 = 0, y0 = -4, y1 = -1;
    const auto pad = [](double& a, double& b) {
        const double m = std::max(0.1, 0.08 * (b - a));
        a -= m;
        b += m;
    };
    pad(x0, x1);
    pad(y0, y1);
    const auto px = [&](double v) { return left + (std::log10(v) - x0) / (x1 - x0) * width; };
    const auto py = [&](double v) { return top + (y1 - std::log10(v)) / (y1 - y0) * height; };
    Svg svg(left + width + 220, top + height + 60);
    svg.text(left, 24, xml_text(title), "font-size=\"13\"");
    svg.line(left, top, left, top + height, "stroke=\"black\"");
    svg.line(left, top + height, left + width, top + height, "stroke=\"black\"");
    svg.text(left + width / 2, top + height + 42, "validation ESR (log)", "text-anchor=\"middle\"");
    svg.text(20, top + height / 2, "ASR at 1249 Hz (log)",
             "text-anchor=\"middle\" transform=\"rotate(-90 20 " + std::to_string(top + height / 2) + ")\"");
    // Ticks at 1, 2 and 5 of each decade when the axis spans less than two decades, else decades.
    const auto ticks = [](double lo, double hi) {
        std::vector<double> v;
        for (int d = static_cast<int>(std::floor(lo)); d <= static_cast<int>(std::ceil(hi)); ++d)
            for (double m : hi - lo < 2 ? std::vector<double>{1, 2, 5} : std::vector<double>{1}) {
                const double val = m * std::pow(10.0, d);
                if (std::log10(val) >= lo && std::log10(val) <= hi) v.push_back(val);
            }
        return v;
    };
    char buf[64];
    for (double v : ticks(x0, x1)) {
        svg.line(px(v), top, px(v), top + height, "stroke=\"#eee\"");
        std::snprintf(buf, sizeof buf, "%g", v);
        svg.text(px(v), top + height + 16, buf, "text-anchor=\"middle\"");
    }
    for (double v : ticks(y0, y1)) {
        svg.line(left, py(v), left + width, py(v), "stroke=\"#eee\"");
        std::snprintf(buf, sizeof buf, "%g", v);
        svg.text(left - 6, py(v) + 4, buf, "text-anchor=\"end\"");
    }
    const auto colour = [&](const train::StudyConfig& c) { return c.gated ? std::string("#d62728") : std::string("#1f77b4"); };
    for (const auto& r : t.results)
        if (r.validation_esr > 0 && r.asr > 0 && std::isfinite(r.validation_esr) && std::isfinite(r.asr))
            svg.circle(px(r.validation_esr), py(r.asr), 2, "fill=\"" + colour(t.configs[r.config]) + "\" fill-opacity=\"0.3\"");
    std::vector<std::pair<double, double>> front;
    for (const train::StudyRow& r : t.rows) {
        if (!(r.esr.mean > 0 && r.asr.mean > 0)) continue;
        svg.circle(px(r.esr.mean), py(r.asr.mean), 5,
                   "fill=\"" + colour(r.config) + "\" stroke=\"black\" stroke-width=\"" + (r.pareto ? "2" : "0.5") + "\"");
        svg.text(px(r.esr.mean) + 7, py(r.asr.mean) - 5, xml_text(r.label), "font-size=\"10\"");
        if (r.pareto) front.emplace_back(px(r.esr.mean), py(r.asr.mean));
    }
    std::sort(front.begin(), front.end());
    if (front.size() > 1) svg.polyline(front, "stroke=\"black\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
    const double lx = left + width + 20;
    svg.circle(lx, top + 10, 5, "fill=\"#1f77b4\" stroke=\"black\" stroke-width=\"0.5\"");
    svg.text(lx + 10, top + 14, "non-gated (mean)");
    svg.circle(lx, top + 30, 5, "fill=\"#d62728\" stroke=\"black\" stroke-width=\"0.5\"");
    svg.text(lx + 10, top + 34, "gated (mean)");
    svg.circle(lx, top + 50, 2, "fill=\"#555\" fill-opacity=\"0.3\"");
    svg.text(lx + 10, top + 54, "one seed");
    svg.line(lx - 6, top + 70, lx + 6, top + 70, "stroke=\"black\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"");
    svg.text(lx + 10, top + 74, "Pareto front of the means");
    svg.save(path);
}

void print_table(const Table& t) {
    std::size_t w = 13;
    for (const auto& r : t.rows) w = std::max(w, r.label.size());
    std::printf("  %-*s %4s  %10s %10s %10s  %10s %10s %10s %8s  %s\n", static_cast<int>(w), "configuration", "runs", "ESR mean",
                "std", "min", "ASR mean", "std", "min", "ASR dB", "Pareto");
    for (const auto& r : t.rows)
        std::printf("  %-*s %4zu  %10.4g %10.3g %10.4g  %10.4g %10.3g %10.4g %8.1f  %s\n", static_cast<int>(w), r.label.c_str(),
                    r.esr.count, r.esr.mean, r.esr.std, r.esr.min, r.asr.mean, r.asr.std, r.asr.min, 10.0 * std::log10(r.asr.mean),
                    r.pareto ? "*" : "");
    if (t.alpha.count >= 3)
        std::printf("  Spearman rho of CustomTanh alpha vs mean ASR over %zu configurations: %.3f\n", t.alpha.count, t.alpha.rho);
}

// Writes DIR/study.{csv,json,svg}; prints the table (text or --json).
void report(const std::string& dir, Json head, const Table& t, bool json, const std::string& title) {
    const std::string csv = (fs::path(dir) / "study.csv").string(), js = (fs::path(dir) / "study.json").string(),
                      svg = (fs::path(dir) / "study.svg").string();
    head["table"] = table_json(t);
    head["custom_tanh_alpha_asr_spearman"] =
        t.alpha.count >= 3 ? Json{{"configurations", t.alpha.count}, {"rho", number(t.alpha.rho)}} : Json(nullptr);
    head["files"] = Json{{"csv", csv}, {"json", js}, {"svg", svg}};
    try {
        io::write_file_atomically(csv, csv_text(t));
        io::write_file_atomically(js, head.dump(2) + "\n");
        write_svg(svg, t, title);
    } catch (const io::WriteError& e) {
        throw FileError(e.what());
    }
    if (json) {
        print_json(head);
        return;
    }
    print_table(t);
    std::printf("  wrote %s, %s, %s\n", csv.c_str(), js.c_str(), svg.c_str());
}

void make_folder(const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw FileError(dir + ": cannot create the folder (" + ec.message() + ")");
}

// ---- the two modes -----------------------------------------------------------------------------

void run_merge(const StudyOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    std::vector<RunRecord> runs;
    std::map<std::pair<std::string, std::uint64_t>, std::string> seen;
    std::size_t duplicates = 0;
    for (const std::string& dir : o.merge) {
        if (!fs::is_directory(dir)) throw FileError(dir + ": not a folder");
        std::vector<std::string> files;
        for (const auto& e : fs::directory_iterator(dir)) {
            const std::string name = e.path().filename().string();
            if (name.rfind("run-", 0) == 0 && e.path().extension() == ".json") files.push_back(e.path().string());
        }
        if (files.empty()) throw FileError(dir + ": holds no study results (run-*.json)");
        std::sort(files.begin(), files.end());
        for (const std::string& f : files) {
            RunRecord r = read_run(f);
            if (!runs.empty() && r.settings != runs.front().settings)
                throw FileError(f + ": comes from other settings or data than " + runs.front().path + " (" +
                                differing_key(r.settings, runs.front().settings) + " differs)");
            if (!seen.emplace(std::make_pair(r.label, r.seed), f).second) {
                ++duplicates;  // the same run in two folders (training is deterministic: the same figures)
                continue;
            }
            runs.push_back(std::move(r));
        }
    }
    make_folder(o.out);
    const Table t = make_table(runs);
    Json head;
    head["mode"] = "merge";
    head["folders"] = o.merge;
    head["settings"] = runs.front().settings;
    head["runs"] = runs.size();
    head["duplicates"] = duplicates;
    head["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!o.json)
        std::printf("nofold study --merge: %zu runs of %zu configurations from %zu folders (%zu duplicates)\n", runs.size(),
                    t.rows.size(), o.merge.size(), duplicates);
    report(o.out, head, t, o.json, "nofold study (merged): ASR against validation ESR, " + runs.front().settings.value("architecture", std::string()));
}

void run_study(const StudyOptions& o) {
    const auto start = std::chrono::steady_clock::now();
    if (o.input.empty() || o.target.empty()) throw UsageError("--input and --target are required (or --merge DIR...)");
    if (o.seeds < 1 || o.seeds > 100000) throw UsageError("--seeds must lie in [1, 100000]");
    std::size_t shard_k = 1, shard_n = 1;
    parse_shard(o.shard, shard_k, shard_n);
    std::vector<train::StudyConfig> configs;
    if (o.activations.empty()) {
        configs = train::default_study_configs();
    } else {
        for (const std::string& a : o.activations) {
            train::StudyConfig c;
            std::string error;
            if (!train::parse_study_config(a, c, error)) throw UsageError("--activations: " + error);
            for (const auto& d : configs)
                if (train::study_label(d) == train::study_label(c)) throw UsageError("--activations: '" + a + "' is listed twice");
            configs.push_back(c);
        }
    }
    // Every configuration's settings now, so a bad combination fails before any training.
    std::vector<train::FitSettings> settings;
    for (const auto& c : configs) settings.push_back(fit_settings(o.fit, c.activation, train::study_label(c), c.gated));
    const TrainingPair pair = read_training_pair(o.input, o.target, "study");
    make_folder(o.out);
    for (auto& s : settings) s.sample_rate_hz = pair.sample_rate_hz;
    const Json record = settings_record(o.fit, settings.front(), pair.input, pair.target);

    const auto runs = train::shard_runs(train::study_grid(configs.size(), static_cast<std::size_t>(o.seeds)), shard_k, shard_n);
    std::vector<RunRecord> done;
    std::vector<const train::StudyRun*> todo;
    for (const auto& run : runs) {
        const std::string label = train::study_label(configs[run.config]);
        const std::string path = (fs::path(o.out) / run_file_name(label, run.seed)).string();
        if (!fs::exists(path)) {
            todo.push_back(&run);
            continue;
        }
        RunRecord r = read_run(path);
        if (r.settings != record)
            throw UsageError(o.out + " holds results of other settings or data (" + path + ": " + differing_key(record, r.settings) +
                             " differs); use another --out or remove them");
        if (r.label != label || r.seed != run.seed) throw FileError(path + ": holds " + r.label + " seed " + std::to_string(r.seed));
        done.push_back(std::move(r));
    }
    const std::size_t found = done.size();
    if (!o.json)
        std::printf("nofold study: %zu configurations x %d seeds, shard %s: %zu runs, %zu done before, %zu to train\n", configs.size(),
                    o.seeds, o.shard.c_str(), runs.size(), found, todo.size());

    StatusLine status;
    InterruptScope interrupt;
    double trained_seconds = 0.0;
    std::size_t trained = 0;
    for (const train::StudyRun* run : todo) {
        const train::StudyConfig& c = configs[run->config];
        const std::string label = train::study_label(c);
        train::FitSettings s = settings[run->config];
        s.seed = run->seed;
        const std::size_t position = found + trained + 1;
        const double per_run = trained > 0 ? trained_seconds / static_cast<double>(trained) : 0.0;
        const std::size_t left = todo.size() - trained - 1;
        const auto progress = [&](const train::TrainerProgress& p) {
            char buf[240];
            std::snprintf(buf, sizeof buf, "study run %zu/%zu %s seed %llu: epoch %zu/%zu batch %zu/%zu val ESR %.4g, study ETA %s",
                          position, runs.size(), label.c_str(), static_cast<unsigned long long>(run->seed), p.epoch, p.epochs, p.batch,
                          p.batches_per_epoch, p.best_validation,
                          per_run > 0 ? clock_text(p.eta_seconds + per_run * static_cast<double>(left)).c_str() : "?");
            status.update(buf, p.epoch_end);
        };
        train::FitResult r;
        try {
            r = fit_pair(pair, s, progress, interrupt.flag());
        } catch (const std::invalid_argument& e) {
            throw FileError(o.input + " / " + o.target + ": " + e.what());
        }
        if (interrupt.interrupted()) break;  // this run is incomplete: not recorded
        trained_seconds += r.trainer.elapsed_seconds;
        ++trained;
        Json j;
        j["nofold_study_run"] = 1;
        j["configuration"] = label;
        j["activation"] = c.activation.name;
        j["params"] = params_json(c.activation.params);
        j["gated"] = c.gated;
        j["seed"] = run->seed;
        j["settings"] = record;
        j["validation_esr"] = number(r.validation_esr);
        j["training_esr"] = number(r.training_esr);
        j["asr"] = number(r.asr);
        j["asr_db"] = number(10.0 * std::log10(r.asr));
        j["epochs"] = r.trainer.epochs_completed;
        j["best_epoch"] = r.trainer.best_epoch;
        j["steps"] = r.trainer.steps;
        j["stop_reason"] = stop_reason_name(r.trainer.reason);
        j["latency_samples"] = r.latency_samples;
        j["seconds"] = r.trainer.elapsed_seconds;
        const std::string path = (fs::path(o.out) / run_file_name(label, run->seed)).string();
        try {
            io::write_file_atomically(path, j.dump(2) + "\n");
        } catch (const io::WriteError& e) {
            throw FileError(e.what());
        }
        done.push_back(read_run(path));
    }
    status.finish();
    if (interrupt.interrupted()) {
        std::fflush(stdout);
        std::fprintf(stderr, "nofold: study interrupted: %zu of %zu runs done (in %s); run the same command again to resume\n",
                     done.size(), runs.size(), o.out.c_str());
        std::exit(130);
    }
    const Table t = make_table(done);
    Json head;
    head["mode"] = "study";
    head["settings"] = record;
    head["configurations"] = configs.size();
    head["seeds"] = o.seeds;
    head["shard"] = o.shard;
    head["runs"] = runs.size();
    head["runs_found"] = found;
    head["runs_trained"] = trained;
    head["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    report(o.out, head, t, o.json,
           "nofold study: ASR against validation ESR, " + o.fit.arch + ", " + std::to_string(o.seeds) + " seeds, shard " + o.shard);
}

std::function<void()> add_study(CLI::App& app) {
    auto o = std::make_shared<StudyOptions>();
    app.add_option("--input", o->input, "input WAV (the DI), mono");
    app.add_option("--target", o->target, "target WAV (the amp's output or nofold make-target's), mono, same rate and length");
    app.add_option("--out", o->out, "folder for the run files and the table (created)")->required();
    app.add_option("--activations", o->activations,
                   "configurations [gated:]NAME[:PARAM[,PARAM]] (default: the 17 of Sato & Smith's study listed in the README)");
    app.add_option("--seeds", o->seeds, "seeds per configuration (default 3)");
    app.add_option("--shard", o->shard, "train slice K of N of the grid (default 1/1)");
    app.add_option("--merge", o->merge, "no training: the table of the run files in these folders");
    add_fit_options(app, o->fit);
    app.add_flag("--json", o->json, "print the result as JSON");
    return [o] {
        if (!o->merge.empty())
            run_merge(*o);
        else
            run_study(*o);
    };
}

}  // namespace

Command study_command() {
    return {"study", "activation study: train a grid of activations x seeds, tabulate ESR and ASR (Sato & Smith)", add_study};
}

}  // namespace nofold::cli
