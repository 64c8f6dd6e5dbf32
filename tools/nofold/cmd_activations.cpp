// `nofold activations [--csv FILE] [--json] [--filter TEXT]`: the cost, accuracy and aliasing of every activation.
//
// The rows and the definition of each column are analysis::activation_catalogue's
// (include/nofold/analysis/activation_catalogue.hpp). --json prints the rows as a JSON array of objects
// with the CSV's keys (numbers; null where a figure is not finite).
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>

#include <nofold/analysis/activation_catalogue.hpp>
#include <nofold/io/atomic_file.hpp>

#include "command.hpp"

namespace nofold::cli {
namespace {

std::function<void()> add_activations(CLI::App& app) {
    struct Options {
        std::string csv, filter;
        bool json = false;
    };
    auto o = std::make_shared<Options>();
    app.add_option("--csv", o->csv, "also write the table as CSV to FILE");
    app.add_option("--filter", o->filter, "only rows whose name contains TEXT");
    app.add_flag("--json", o->json, "print the rows as a JSON array instead of the table");
    return [o] {
        std::unique_ptr<nofold::io::AtomicFile> csv;  // opened first: an unwritable path fails before the long run
        if (!o->csv.empty()) csv = std::make_unique<nofold::io::AtomicFile>(o->csv);
        const auto rows = analysis::activation_catalogue(o->filter);
        if (rows.empty()) throw UsageError("--filter matches no activation");
        if (o->json) {
            const auto number = [](double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); };
            Json out = Json::array();
            for (const auto& r : rows) {
                Json row;
                row["name"] = r.name;
                row["param"] = r.param;
                row["tier"] = r.tier;
                row["max_abs_err"] = number(r.max_abs_err);
                row["max_ulp"] = number(r.max_ulp);
                row["ns_scalar"] = number(r.ns_scalar);
                row["ns_simd"] = number(r.ns_simd);
                row["asr_db"] = number(r.asr_db);
                out.push_back(std::move(row));
            }
            print_json(out);
        } else {
            std::printf("nofold %s, SIMD %s (%d float lanes); accuracy vs long double on [-16, 16]; ASR of 4·sin at "
                        "1249 Hz, fs = N = 48017\n",
                        version_string, simd::arch_name, simd::lanes<simd::float_batch>);
            std::printf("%-18s %-6s %-5s %11s %9s %9s %9s %9s\n", "name", "param", "tier", "max_abs_err", "max_ulp",
                        "ns_scalar", "ns_simd", "asr_db");
            for (const auto& r : rows)
                std::printf("%-18s %-6s %-5s %11.3g %9.0f %9.3f %9.3f %9.2f\n", r.name.c_str(), r.param.c_str(),
                            r.tier.c_str(), r.max_abs_err, r.max_ulp, r.ns_scalar, r.ns_simd, r.asr_db);
        }
        if (csv) {
            std::string text = "name,param,tier,max_abs_err,max_ulp,ns_scalar,ns_simd,asr_db\n";
            char line[512];
            for (const auto& r : rows) {
                std::snprintf(line, sizeof line, "%s,%s,%s,%.6g,%.0f,%.4f,%.4f,%.3f\n", r.name.c_str(), r.param.c_str(),
                              r.tier.c_str(), r.max_abs_err, r.max_ulp, r.ns_scalar, r.ns_simd, r.asr_db);
                text += line;
            }
            csv->write(text);
            csv->commit();
        }
    };
}

}  // namespace

Command activations_command() { return {"activations", "cost, accuracy and aliasing (ASR) of every activation", add_activations}; }

}  // namespace nofold::cli
