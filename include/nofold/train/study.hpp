// nofold::train study helpers — the bookkeeping of an activation study (Sato & Smith): the grid of
// configurations × seeds, its deterministic split into shards, and the table of results (mean, sample
// standard deviation and minimum of ESR and ASR per configuration, the Pareto front of the means, the
// Spearman rank correlation of CustomTanh's stretch with ASR). Training itself is train::fit.
//
//     auto configs = default_study_configs();              // the 17 configurations
//     auto runs = shard_runs(study_grid(configs.size(), 5), 2, 4);   // shard 2 of 4
//     …train each run with fit(), collect StudyResult…
//     auto rows = study_table(configs, results);
//
// Units: ESR and ASR linear; seeds are fit()'s seeds. Allocates: yes (not real-time).
// Reference: docs/training.md §2 (the study), §6 (nofold study); docs/metrics.md §1–2 (ESR, ASR).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "../math/activation.hpp"
#include "../nn/activation_spec.hpp"

namespace nofold::train {

/// One configuration of a study: every layer's activation, gated (× sigmoid) or not.
struct StudyConfig {
    nn::ActivationSpec activation;
    bool gated = false;
};

/// The shortest decimal text that reads back as the same float ("0.8", not "0.800000012").
std::string study_param_text(float value);

/// "CustomTanh:0.5", "Hardtanh", "gated:SELU" — what parse_study_config reads back.
std::string study_label(const StudyConfig& config);

/// Reads "[gated:]NAME[:P1[,P2…]]". Returns false with a sentence in `error` for an unknown
/// activation or a parameter that is not a number.
bool parse_study_config(const std::string& text, StudyConfig& config, std::string& error);

/// The default list: non-gated CustomTanh α ∈ {0.5, 0.8, 1, 1.8, 2, 4, 8, 32}, non-gated Snake
/// α ∈ {1, 2, 2.9, 4, 8}, Hardtanh, SmoothHardtanh, gated Tanh, gated SELU.
std::vector<StudyConfig> default_study_configs();

/// The order tables are printed in (and merged tables agree on): non-gated before gated, then by
/// name, then by parameters.
bool study_config_less(const StudyConfig& a, const StudyConfig& b);

struct StudyRun {
    std::size_t index = 0;    ///< position in the whole grid
    std::size_t config = 0;   ///< index into the configuration list
    std::uint64_t seed = 0;
};

/// Every (configuration, seed) pair, seed-major: all configurations with seed 0 first, so a study cut
/// short has every configuration at its first seeds.
std::vector<StudyRun> study_grid(std::size_t configs, std::size_t seeds);

/// Shard `k` of `n` (1-based): the runs whose grid index ≡ k − 1 (mod n). The n shards are disjoint,
/// cover the grid, and differ in size by at most one run.
std::vector<StudyRun> shard_runs(const std::vector<StudyRun>& grid, std::size_t k, std::size_t n);

/// Count, mean, sample standard deviation (n − 1; 0 for one value) and minimum of the finite values.
struct SampleStats {
    std::size_t count = 0;
    double mean = std::numeric_limits<double>::quiet_NaN();
    double std = std::numeric_limits<double>::quiet_NaN();
    double min = std::numeric_limits<double>::quiet_NaN();
};
SampleStats sample_stats(const std::vector<double>& values);

/// Indices of the points (x, y) no other point beats in both (both minimised; a point equal to
/// another in both is kept), ordered by x. Non-finite points are never on the front.
std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& points);

/// Ranks 1 … n, ties given their average rank.
std::vector<double> average_ranks(const std::vector<double>& values);

/// Spearman's ρ: Pearson's correlation of the average ranks. NaN for fewer than two pairs or when
/// either side is constant.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

struct StudyResult {
    std::size_t config = 0;
    std::uint64_t seed = 0;
    double validation_esr = 0.0;
    double asr = 0.0;
};

struct StudyRow {
    StudyConfig config;
    std::string label;
    SampleStats esr, asr;
    bool pareto = false;   ///< its (mean ESR, mean ASR) is on the front of the rows' means
};

/// One row per configuration that has results, in study_config_less order. Results are taken in
/// seed order, so the figures do not depend on the order runs finished or shards were merged.
std::vector<StudyRow> study_table(const std::vector<StudyConfig>& configs, std::vector<StudyResult> results);

/// Spearman's ρ of α against mean ASR over the table's non-gated CustomTanh rows (`count` of them);
/// NaN with fewer than three.
struct AlphaCorrelation {
    std::size_t count = 0;
    double rho = std::numeric_limits<double>::quiet_NaN();
};
AlphaCorrelation custom_tanh_alpha_asr(const std::vector<StudyRow>& rows);

// =================================================================================================
// Implementation
// =================================================================================================

inline std::string study_param_text(float value) {
    char buf[32];
    for (int digits = 1; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(value));
        if (std::strtof(buf, nullptr) == value) break;
    }
    return buf;
}

inline std::string study_label(const StudyConfig& c) {
    std::string s = c.gated ? "gated:" : "";
    s += c.activation.name;
    for (std::size_t i = 0; i < c.activation.params.size(); ++i) {
        s += (i == 0 ? ":" : ",");
        s += study_param_text(c.activation.params[i]);
    }
    return s;
}

inline bool parse_study_config(const std::string& text_in, StudyConfig& c, std::string& error) {
    error.clear();
    c = StudyConfig{};
    std::string text = text_in;
    if (text.rfind("gated:", 0) == 0) {
        c.gated = true;
        text = text.substr(6);
    }
    const auto colon = text.find(':');
    c.activation.name = text.substr(0, colon);
    if (!math::Activation::kind_from_name(c.activation.name)) {
        error = "unknown activation '" + c.activation.name + "' in '" + text_in + "' (see nofold activations)";
        return false;
    }
    if (colon == std::string::npos) return true;
    std::string rest = text.substr(colon + 1);
    do {
        const auto comma = rest.find(',');
        const std::string item = rest.substr(0, comma);
        char* end = nullptr;
        const double v = std::strtod(item.c_str(), &end);
        if (item.empty() || end != item.c_str() + item.size() || !std::isfinite(v)) {
            error = "'" + item + "' in '" + text_in + "' is not a number ([gated:]NAME[:PARAM[,PARAM]])";
            return false;
        }
        c.activation.params.push_back(static_cast<float>(v));
        rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        if (comma != std::string::npos && rest.empty()) {
            error = "'" + text_in + "' ends in a comma";
            return false;
        }
    } while (!rest.empty());
    return true;
}

inline std::vector<StudyConfig> default_study_configs() {
    std::vector<StudyConfig> c;
    for (float a : {0.5f, 0.8f, 1.0f, 1.8f, 2.0f, 4.0f, 8.0f, 32.0f}) c.push_back({{"CustomTanh", {a}}, false});
    for (float a : {1.0f, 2.0f, 2.9f, 4.0f, 8.0f}) c.push_back({{"Snake", {a}}, false});
    c.push_back({{"Hardtanh", {}}, false});
    c.push_back({{"SmoothHardtanh", {}}, false});
    c.push_back({{"Tanh", {}}, true});
    c.push_back({{"SELU", {}}, true});
    return c;
}

inline bool study_config_less(const StudyConfig& a, const StudyConfig& b) {
    if (a.gated != b.gated) return !a.gated;
    if (a.activation.name != b.activation.name) return a.activation.name < b.activation.name;
    return a.activation.params < b.activation.params;
}

inline std::vector<StudyRun> study_grid(std::size_t configs, std::size_t seeds) {
    std::vector<StudyRun> g;
    g.reserve(configs * seeds);
    for (std::size_t s = 0; s < seeds; ++s)
        for (std::size_t c = 0; c < configs; ++c) g.push_back({g.size(), c, static_cast<std::uint64_t>(s)});
    return g;
}

inline std::vector<StudyRun> shard_runs(const std::vector<StudyRun>& grid, std::size_t k, std::size_t n) {
    std::vector<StudyRun> out;
    if (n == 0 || k == 0 || k > n) return out;
    for (const StudyRun& r : grid)
        if (r.index % n == k - 1) out.push_back(r);
    return out;
}

inline SampleStats sample_stats(const std::vector<double>& values) {
    SampleStats s;
    double sum = 0.0;
    for (double v : values) {
        if (!std::isfinite(v)) continue;
        ++s.count;
        sum += v;
        s.min = s.count == 1 ? v : std::min(s.min, v);
    }
    if (s.count == 0) return s;
    s.mean = sum / static_cast<double>(s.count);
    double sq = 0.0;
    for (double v : values)
        if (std::isfinite(v)) sq += (v - s.mean) * (v - s.mean);
    s.std = s.count > 1 ? std::sqrt(sq / static_cast<double>(s.count - 1)) : 0.0;
    return s;
}

inline std::vector<std::size_t> pareto_front(const std::vector<std::pair<double, double>>& p) {
    std::vector<std::size_t> front;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (!std::isfinite(p[i].first) || !std::isfinite(p[i].second)) continue;
        bool dominated = false;
        for (std::size_t j = 0; j < p.size() && !dominated; ++j) {
            if (j == i || !std::isfinite(p[j].first) || !std::isfinite(p[j].second)) continue;
            dominated = p[j].first <= p[i].first && p[j].second <= p[i].second &&
                        (p[j].first < p[i].first || p[j].second < p[i].second);
        }
        if (!dominated) front.push_back(i);
    }
    std::stable_sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return p[a].first < p[b].first; });
    return front;
}

inline std::vector<double> average_ranks(const std::vector<double>& v) {
    std::vector<std::size_t> order(v.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> rank(v.size());
    for (std::size_t i = 0; i < order.size();) {
        std::size_t j = i;
        while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
        const double r = 0.5 * static_cast<double>(i + j) + 1.0;  // mean of ranks i+1 … j+1
        for (std::size_t t = i; t <= j; ++t) rank[order[t]] = r;
        i = j + 1;
    }
    return rank;
}

inline double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    const std::size_t n = std::min(x.size(), y.size());
    if (n < 2) return std::numeric_limits<double>::quiet_NaN();
    const std::vector<double> rx = average_ranks(std::vector<double>(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(n)));
    const std::vector<double> ry = average_ranks(std::vector<double>(y.begin(), y.begin() + static_cast<std::ptrdiff_t>(n)));
    const double mean = 0.5 * static_cast<double>(n + 1);  // ranks always average (n + 1) / 2
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        sxy += (rx[i] - mean) * (ry[i] - mean);
        sxx += (rx[i] - mean) * (rx[i] - mean);
        syy += (ry[i] - mean) * (ry[i] - mean);
    }
    if (sxx == 0.0 || syy == 0.0) return std::numeric_limits<double>::quiet_NaN();
    return sxy / std::sqrt(sxx * syy);
}

inline std::vector<StudyRow> study_table(const std::vector<StudyConfig>& configs, std::vector<StudyResult> results) {
    std::stable_sort(results.begin(), results.end(), [](const StudyResult& a, const StudyResult& b) {
        return a.config != b.config ? a.config < b.config : a.seed < b.seed;
    });
    std::vector<std::size_t> order(configs.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return study_config_less(configs[a], configs[b]); });
    std::vector<StudyRow> rows;
    for (std::size_t c : order) {
        std::vector<double> esr, asr;
        for (const StudyResult& r : results)
            if (r.config == c) {
                esr.push_back(r.validation_esr);
                asr.push_back(r.asr);
            }
        if (esr.empty()) continue;
        StudyRow row;
        row.config = configs[c];
        row.label = study_label(configs[c]);
        row.esr = sample_stats(esr);
        row.asr = sample_stats(asr);
        rows.push_back(row);
    }
    std::vector<std::pair<double, double>> means;
    for (const StudyRow& r : rows) means.emplace_back(r.esr.mean, r.asr.mean);
    for (std::size_t i : pareto_front(means)) rows[i].pareto = true;
    return rows;
}

inline AlphaCorrelation custom_tanh_alpha_asr(const std::vector<StudyRow>& rows) {
    AlphaCorrelation a;
    std::vector<double> alpha, asr;
    for (const StudyRow& r : rows) {
        const auto kind = math::Activation::kind_from_name(r.config.activation.name);
        if (r.config.gated || !kind || *kind != math::ActivationKind::custom_tanh || !std::isfinite(r.asr.mean)) continue;
        // CustomTanh without a parameter is α = 1 (math::Activation's default).
        alpha.push_back(r.config.activation.params.empty() ? 1.0 : static_cast<double>(r.config.activation.params[0]));
        asr.push_back(r.asr.mean);
    }
    a.count = alpha.size();
    if (a.count >= 3) a.rho = spearman(alpha, asr);
    return a;
}

}  // namespace nofold::train
