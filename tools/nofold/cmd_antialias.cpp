// `nofold antialias MODEL -o OUT`: the teacher–student anti-aliasing fine-tune (docs/training.md §1,
// Carson, Wright & Bilbao, DAFx25). The model is the frozen teacher; a copy of it (the student) is
// trained on random tones against the teacher's alias-free resynthesis, so at 1× cost it aliases less
// (and on random plucked phrases against the teacher's own output, so it stays the same amp on music).
// Training stops at --epochs or after --minutes (whichever first); the student with the lowest
// validation loss (88 tones, against the teacher's alias-free targets) within --phrase-limit of the
// teacher on a guitar DI phrase is kept, measured on the chromatic set next to the teacher and the teacher
// at 2× oversampling, and written in the teacher's format with every key kept and a record of the
// fine-tune added. Ctrl-C stops training and writes the best student so far. OUT is written atomically;
// the teacher file is only read.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>

#include <unistd.h>

#include <nofold/dsp/oversampled_model.hpp>
#include <nofold/io/load.hpp>
#include <nofold/io/write.hpp>
#include <nofold/train/antialias.hpp>

#include "command.hpp"
#include "model_loading.hpp"
#include "progress.hpp"
#include "svg.hpp"

namespace nofold::cli {
namespace {

std::string format_db(double db) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f dB", db);
    return buf;
}

struct AntialiasOptions {
    std::string model, output, checkpoint, svg;
    double minutes = 15.0;
    std::size_t epochs = 100;
    double lambda = 1.0;
    std::uint64_t seed = 1;
    int threads = 0;
    std::size_t batch = 0;
    std::size_t batches_per_epoch = 10;
    double learning_rate = 0.0;  // 0: train::default_learning_rate
    double phrase_share = -1.0;  // negative: train::default_phrase_share
    // The student's ESR against the teacher on the guitar DI phrase above which no epoch is selected and
    // no result written (a student that fell silent scores 0 dB).
    double phrase_limit_db = train::FineTuneOptions{}.phrase_limit_db;
    bool resume = false;
    bool json = false;
};

std::string folder_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

Json figures_json(const train::FigureMeans& m) {
    auto num = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
    Json j;
    j["asr_db"] = num(m.asr.db);
    j["esr_s_db"] = num(m.esr_s.db);
    j["nmr_s_db"] = num(m.nmr_s.db);
    return j;
}

// NMR-S against f0: per note, the mean of the three levels' linear values (then dB).
std::vector<std::pair<double, double>> nmr_curve(const std::vector<train::ToneFigures>& rows) {
    std::vector<std::pair<double, double>> out;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::size_t j = 0;
        while (j < out.size() && out[j].first != rows[i].test.f0_hz) ++j;
        if (j == out.size()) out.emplace_back(rows[i].test.f0_hz, 0.0);
        out[j].second += rows[i].nmr_s.linear / 3.0;
    }
    for (auto& p : out) p.second = analysis::Ratio::power_to_db(p.second);
    return out;
}

void write_svg(const std::string& path, const std::string& title, const std::vector<train::ToneFigures>* sets[3]) {
    const double left = 70, top = 40, width = 900, height = 420, f_min = 25, f_max = 4500, db_min = -80, db_max = 40;
    auto x_of = [&](double f) { return left + std::log(f / f_min) / std::log(f_max / f_min) * width; };
    auto y_of = [&](double db) { return top + (db_max - std::clamp(db, db_min, db_max)) / (db_max - db_min) * height; };
    Svg svg(left + width + 30, top + height + 110);
    svg.text(left, 24, title, "font-size=\"13\"");
    svg.line(left, top, left, top + height, "stroke=\"black\"");
    svg.line(left, top + height, left + width, top + height, "stroke=\"black\"");
    svg.text(left + width / 2, top + height + 40, "f0 (Hz, log)", "text-anchor=\"middle\"");
    svg.text(18, top + height / 2, "NMR-S (dB, mean of -36/-18/-6 dBFS)",
             "text-anchor=\"middle\" transform=\"rotate(-90 18 " + std::to_string(top + height / 2) + ")\"");
    for (double db = db_min; db <= db_max; db += 20) {
        svg.line(left, y_of(db), left + width, y_of(db), "stroke=\"#ddd\"");
        svg.text(left - 8, y_of(db) + 4, std::to_string(static_cast<int>(db)), "text-anchor=\"end\"");
    }
    for (double f : {27.5, 55.0, 110.0, 220.0, 440.0, 880.0, 1760.0, 3520.0}) {
        svg.line(x_of(f), top + height, x_of(f), top + height + 5, "stroke=\"black\"");
        char label[16];
        std::snprintf(label, sizeof label, "%g", f);
        svg.text(x_of(f), top + height + 18, label, "text-anchor=\"middle\"");
    }
    const char* colours[] = {"#d62728", "#2ca02c", "#1f77b4"};
    const char* names[] = {"teacher (1x)", "student (1x)", "teacher at 2x oversampling"};
    for (int k = 0; k < 3; ++k) {
        std::vector<std::pair<double, double>> pts;
        for (const auto& p : nmr_curve(*sets[k])) pts.emplace_back(x_of(p.first), y_of(p.second));
        svg.polyline(pts, std::string("stroke=\"") + colours[k] + "\" stroke-width=\"1.5\"");
        const double ly = top + height + 62 + 16 * k;
        svg.line(left, ly, left + 30, ly, std::string("stroke=\"") + colours[k] + "\" stroke-width=\"1.5\"");
        svg.text(left + 38, ly + 4, names[k]);
    }
    svg.save(path);
}

std::string seconds_text(double s) {
    char buf[32];
    if (s < 120) std::snprintf(buf, sizeof buf, "%.0f s", s);
    else std::snprintf(buf, sizeof buf, "%.1f min", s / 60.0);
    return buf;
}

std::function<void()> add_antialias(CLI::App& app) {
    auto o = std::make_shared<AntialiasOptions>();
    app.add_option("MODEL", o->model, "the trained model (.nam, GuitarML or AIDA-X JSON): the teacher; only read")->required();
    app.add_option("-o,--output", o->output, "where to write the fine-tuned student (same format)")->required();
    auto* minutes = app.add_option("--minutes", o->minutes, "training budget in minutes (default 15)");
    auto* epochs = app.add_option("--epochs", o->epochs, "at most this many epochs (100 = the paper's schedule; default: as many as the budget allows)");
    app.add_option("--lambda", o->lambda, "NMR weight: loss 0.5 (ESR + lambda NMR) + DC (default 1)");
    app.add_option("--seed", o->seed, "random seed of the training tones (default 1)");
    app.add_option("--threads", o->threads, "worker threads (default: all cores)");
    app.add_option("--batch", o->batch, "tones per batch (default 16 recurrent, 8 WaveNet)");
    app.add_option("--batches-per-epoch", o->batches_per_epoch, "batches between validations (default 10)");
    app.add_option("--learning-rate", o->learning_rate, "Adam step size (default 2e-3; the paper's is 5e-4)");
    auto* phrase_share = app.add_option("--phrase-share", o->phrase_share,
                   "share of each batch that is random plucked phrases trained toward the teacher's own output "
                   "(default 0.25 for LSTM/GRU, 0.5 for WaveNets; 0 = tones only, the paper's)");
    app.add_option("--phrase-limit", o->phrase_limit_db,
                   "dB: a student further than this from the teacher on the guitar DI phrase (ESR) is never "
                   "selected nor written (default -6)");
    app.add_option("--checkpoint", o->checkpoint, "folder for a checkpoint written after every epoch");
    app.add_flag("--resume", o->resume, "continue from the checkpoint in --checkpoint");
    app.add_flag("--json", o->json, "print the report as JSON");
    app.add_option("--svg", o->svg, "draw NMR-S against f0 for teacher, student and teacher at 2x");
    return [o, minutes, epochs, phrase_share] {
        // Everything that can be wrong is checked before minutes of training.
        if (minutes->count() > 0 && !(o->minutes > 0.0 && o->minutes <= 7 * 24 * 60.0))
            throw UsageError("--minutes must be more than 0 (and at most a week)");
        if (epochs->count() > 0 && o->epochs == 0) throw UsageError("--epochs must be at least 1");
        if (o->batches_per_epoch == 0) throw UsageError("--batches-per-epoch must be at least 1");
        if (!(o->lambda >= 0.0 && std::isfinite(o->lambda))) throw UsageError("--lambda must be a finite value >= 0");
        if (o->learning_rate != 0.0 && !(o->learning_rate > 0.0 && o->learning_rate < 1.0))
            throw UsageError("--learning-rate must lie in (0, 1)");
        if (phrase_share->count() > 0 && !(o->phrase_share >= 0.0 && o->phrase_share < 1.0))
            throw UsageError("--phrase-share must lie in [0, 1)");
        if (!(o->phrase_limit_db <= 0.0)) throw UsageError("--phrase-limit must be a level in dB at or below 0");
        if (o->resume && o->checkpoint.empty()) throw UsageError("--resume needs --checkpoint DIR");
        const bool budget = minutes->count() > 0 || epochs->count() == 0;
        const std::string out_dir = folder_of(o->output);
        if (::access(out_dir.c_str(), F_OK) != 0) throw FileError(o->output + ": the output folder does not exist");
        if (::access(out_dir.c_str(), W_OK) != 0) throw FileError(o->output + ": the output folder is not writable");
        if (!o->checkpoint.empty() && ::access(o->checkpoint.c_str(), W_OK) != 0)
            throw FileError(o->checkpoint + ": the checkpoint folder does not exist or is not writable");
        io::LoadedModel loaded;
        try {
            loaded = load_model(o->model);
            if (io::same_file(o->model, o->output)) throw UsageError("refusing to overwrite the teacher: choose another -o");
        } catch (const io::LoadError& e) {
            throw FileError(e.what());
        }
        double fs = 0.0;
        std::unique_ptr<train::AntialiasStudent> student;
        try {
            fs = train::antialias_rate(loaded.model_sample_rate_hz);
            student = std::make_unique<train::AntialiasStudent>(loaded.file);
        } catch (const train::AntialiasError& e) {
            throw FileError(o->model + ": " + e.what());
        }
        const int threads = o->threads > 0 ? o->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

        train::FineTuneOptions fo;
        fo.settings.lambda = o->lambda;
        fo.settings.batch = o->batch;
        fo.settings.seed = o->seed;
        fo.settings.phrase_share = o->phrase_share;
        fo.phrase_limit_db = o->phrase_limit_db;
        fo.settings.threads = threads;
        // Without --epochs the budget alone ends the run (a small model then trains the whole budget).
        const bool epoch_cap = epochs->count() > 0;
        fo.epochs = epoch_cap ? o->epochs : std::size_t{1000000000};
        fo.batches_per_epoch = o->batches_per_epoch;
        fo.budget_seconds = budget ? o->minutes * 60.0 : 0.0;
        fo.learning_rate = o->learning_rate;
        if (!o->checkpoint.empty()) fo.checkpoint = o->checkpoint + "/antialias.ckpt";
        fo.resume = o->resume;
        InterruptScope interrupt;  // Ctrl-C: stop between batches and write the best student so far
        fo.stop = interrupt.flag();
        const bool draw = Progress::enabled() && !o->json;
        auto last_draw = std::chrono::steady_clock::now();
        fo.progress = [&](const train::TrainerProgress& p) {
            if (!draw) return;
            const auto now = std::chrono::steady_clock::now();
            if (!p.epoch_end && now - last_draw < std::chrono::milliseconds(200)) return;
            last_draw = now;
            const std::string of = epoch_cap ? "/" + std::to_string(p.epochs) : std::string();
            std::fprintf(stderr, "\rantialias: epoch %zu%s, batch %zu/%zu, validation loss %.2f dB (best %.2f), %s elapsed, ETA %s   ",
                         p.epoch, of.c_str(), p.batch, p.batches_per_epoch, p.validation, p.best_validation,
                         seconds_text(p.elapsed_seconds).c_str(), seconds_text(p.eta_seconds).c_str());
            std::fflush(stderr);
        };
        train::FineTuneResult r;
        try {
            r = train::fine_tune(loaded.file, fs, fo);
        } catch (const train::CheckpointError& e) {
            throw FileError(e.what());
        } catch (const train::AntialiasError& e) {
            throw UsageError(e.what());
        }
        if (draw) std::fprintf(stderr, "\r%100s\r", "");
        const bool was_interrupted = interrupt.interrupted();

        // The report (skipped after Ctrl-C: the student is written at once).
        const auto report_start = std::chrono::steady_clock::now();
        const io::ModelFile student_file = student->with_weights(r.best.data());
        const io::ModelFile& teacher_file = loaded.file;
        std::vector<train::ToneFigures> teacher_rows, student_rows, os_rows;
        double di_esr_db = 0.0;
        std::string refusal;  // non-empty: the student is not written
        if (!was_interrupted) {
            const auto tests = train::chromatic_tests(fs);
            auto teacher_factory = [&teacher_file] { return build_model(teacher_file).model; };
            auto student_factory = [&student_file] { return build_model(student_file).model; };
            auto oversampled_factory = [&teacher_file]() -> std::unique_ptr<Model> {
                io::LoadOptions lo;
                lo.max_rate_factor = 2.0;
                auto m = std::make_unique<dsp::OversampledModel>(build_model(teacher_file, lo).model, dsp::OversampleFactor::x2,
                                                                 dsp::FilterPreset::iir_quality, dsp::LatencyMode::fractional,
                                                                 dsp::FinalStage::halfband);
                if (m->status() != RateFactorStatus::ok) throw FileError("the teacher cannot run at 2x its rate");
                return m;
            };
            // The student against the teacher on a guitar DI phrase (make-di's, 6 s), as fine_tune measured it.
            // Selection already kept every epoch above the limit out; this catches a resumed run whose limit
            // was changed, and reports.
            di_esr_db = r.best_phrase_esr_db;
            // A student that no longer plays the teacher's sound is not a result: it is not written, but the
            // report is still printed (what training did is the user's clue), then exit 1.
            if (di_esr_db > o->phrase_limit_db)
                refusal = o->output + ": not written: the fine-tuned student strays from the teacher (ESR " + format_db(di_esr_db) +
                          " on the guitar DI phrase, limit " + format_db(o->phrase_limit_db) + "); try a lower --learning-rate or fewer --epochs";
            teacher_rows = train::measure_tones(tests, teacher_factory, {}, threads);
            student_rows = train::measure_tones(tests, student_factory, teacher_factory, threads);
            os_rows = train::measure_tones(tests, oversampled_factory, {}, threads);
        }
        const double report_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - report_start).count();
        const train::FigureMeans tm = train::mean_figures(teacher_rows), sm = train::mean_figures(student_rows),
                                 om = train::mean_figures(os_rows);
        double above_s = 0, above_t = 0;
        for (const auto& row : student_rows) {
            above_s += row.energy_above_12k;
            above_t += row.reference_energy_above_12k.value_or(0.0);
        }
        const double above_db = above_t > 0 ? 10.0 * std::log10(above_s / above_t) : 0.0;

        // Write the student with a record of the fine-tune.
        io::WriteOptions wo;
        io::TrainingRecord rec;
        rec.method = "antialias";
        rec.settings = {{"recipe", std::string("Carson, Wright & Bilbao DAFx25 teacher-student")},
                        {"lambda", o->lambda},
                        {"seed", static_cast<double>(o->seed)},
                        {"learning_rate", o->learning_rate > 0.0 ? o->learning_rate : train::default_learning_rate(*student)},
                        {"phrase_share", train::phrase_share_for(fo.settings, *student)},
                        {"phrase_limit_db", o->phrase_limit_db},
                        {"epochs", static_cast<double>(r.epochs_done)},
                        {"steps", static_cast<double>(r.steps)},
                        {"best_epoch", static_cast<double>(r.best_epoch)},
                        {"interrupted", was_interrupted}};
        const double teacher_nmr_db = train::AntialiasValidation::mean_db(r.teacher_tones.nmr_s),
                     student_nmr_db = train::AntialiasValidation::mean_db(r.best_tones.nmr_s);
        rec.before = {{"validation_loss_db", r.validation_db.front()}, {"validation_nmr_s_db", teacher_nmr_db}};
        rec.after = {{"validation_loss_db", r.best_validation_db}, {"validation_nmr_s_db", student_nmr_db}};
        if (!was_interrupted) {
            rec.before.insert(rec.before.end(), {{"chromatic_esr_s_db", tm.esr_s.db}, {"chromatic_nmr_s_db", tm.nmr_s.db}, {"chromatic_asr_db", tm.asr.db}});
            rec.after.insert(rec.after.end(), {{"chromatic_esr_s_db", sm.esr_s.db}, {"chromatic_nmr_s_db", sm.nmr_s.db}, {"chromatic_asr_db", sm.asr.db},
                                               {"esr_t_db", sm.esr_t->db}, {"nmr_t_db", sm.nmr_t->db}, {"hesr_t_db", sm.hesr_t->db},
                                               {"di_esr_vs_teacher_db", di_esr_db}});
        }
        wo.record = rec;
        try {
            if (refusal.empty()) io::write_model_file(o->model, o->output, student->float_weights(r.best.data()), wo);
        } catch (const io::WriteError& e) {
            throw FileError(e.what());
        } catch (const std::exception& e) {
            throw FileError(o->output + ": " + e.what());
        }
        if (!o->svg.empty() && !was_interrupted) {
            const std::vector<train::ToneFigures>* sets[3] = {&teacher_rows, &student_rows, &os_rows};
            write_svg(o->svg, o->model + ": NMR-S against f0 (chromatic set, " + std::to_string(static_cast<int>(fs)) + " Hz)", sets);
        }

        if (o->json) {
            Json j;
            j["output"] = o->output;
            j["interrupted"] = was_interrupted;
            j["epochs"] = r.epochs_done;
            j["steps"] = r.steps;
            j["best_epoch"] = r.best_epoch;
            j["training_seconds"] = r.seconds;
            j["report_seconds"] = report_seconds;
            j["validation_loss_db"] = r.validation_db;
            j["best_validation_loss_db"] = r.best_validation_db;
            j["refused_by_phrase_limit"] = r.refused;
            j["validation_nmr_s_db"] = {{"teacher", teacher_nmr_db}, {"student", student_nmr_db}};
            if (!was_interrupted) {
                j["teacher"] = figures_json(tm);
                j["student"] = figures_json(sm);
                j["teacher_2x"] = figures_json(om);
                j["student_vs_teacher"] = {{"esr_t_db", sm.esr_t->db}, {"nmr_t_db", sm.nmr_t->db}, {"hesr_t_db", sm.hesr_t->db}};
                j["di_esr_db"] = di_esr_db;
                j["harmonics_above_12k_db"] = above_db;
            }
            j["written"] = refusal.empty();
            print_json(j);
            if (!refusal.empty()) throw FileError(refusal);
            return;
        }
        std::printf("nofold antialias %s -> %s\n", o->model.c_str(), o->output.c_str());
        std::printf("  trained %zu epochs (%zu steps) in %s; best student after epoch %zu%s\n", r.epochs_done, r.steps,
                    seconds_text(r.seconds).c_str(), r.best_epoch, r.best_epoch == 0 ? " (no epoch beat the teacher: OUT = teacher's weights)" : "");
        if (r.refused > 0)
            std::printf("  %zu epochs with a lower validation loss were passed over: further than %.1f dB from the teacher on the DI phrase\n",
                        r.refused, o->phrase_limit_db);
        std::printf("  validation (88 tones, -20 dBFS): loss %.2f dB -> %.2f dB, NMR-S %.2f dB -> %.2f dB\n", r.validation_db.front(),
                    r.best_validation_db, teacher_nmr_db, student_nmr_db);
        if (was_interrupted) {
            std::printf("  interrupted: wrote the best student so far; no report (run `nofold alias %s --chromatic`)\n", o->output.c_str());
            return;
        }
        std::printf("  chromatic set (264 tones, means of linear values), dB:\n");
        std::printf("                          ESR-S     NMR-S       ASR\n");
        std::printf("    teacher            %8.2f  %8.2f  %8.2f\n", tm.esr_s.db, tm.nmr_s.db, tm.asr.db);
        std::printf("    student            %8.2f  %8.2f  %8.2f\n", sm.esr_s.db, sm.nmr_s.db, sm.asr.db);
        std::printf("    teacher at 2x      %8.2f  %8.2f  %8.2f\n", om.esr_s.db, om.nmr_s.db, om.asr.db);
        std::printf("  student vs band-limited teacher: ESR-T %.2f dB, NMR-T %.2f dB, HESR-T %.2f dB\n", sm.esr_t->db,
                    sm.nmr_t->db, sm.hesr_t->db);
        std::printf("  harmonics above 12 kHz: %+.2f dB (student vs teacher)\n", above_db);
        std::printf("  guitar DI phrase (make-di, 6 s): student ESR vs teacher %.2f dB\n", di_esr_db);
        std::printf("  report took %s\n", seconds_text(report_seconds).c_str());
        if (!refusal.empty()) throw FileError(refusal);
    };
}

}  // namespace

Command antialias_command() {
    return {"antialias", "fine-tune a model so it aliases less at 1x (teacher-student, DAFx25)", add_antialias};
}

}  // namespace nofold::cli
