// Tests for include/nofold/train/study.hpp: the study grid and its shards (a partition), the
// configuration syntax, and the table's statistics, Pareto front and Spearman correlation against
// values computed by hand (and, for ρ without ties, the textbook 1 − 6Σd²/(n(n²−1))).
#include <nofold/train/study.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

using namespace nofold::train;

TEST_CASE("study grid: seed-major; shards are disjoint, cover it and differ in size by at most one") {
    const auto grid = study_grid(17, 5);
    REQUIRE(grid.size() == 85);
    for (std::size_t i = 0; i < grid.size(); ++i) {
        CHECK(grid[i].index == i);
        CHECK(grid[i].config == i % 17);
        CHECK(grid[i].seed == i / 17);
    }
    for (std::size_t n : {1u, 2u, 4u, 7u, 85u, 100u}) {
        std::multiset<std::size_t> seen;
        std::size_t smallest = 1000, largest = 0;
        for (std::size_t k = 1; k <= n; ++k) {
            const auto shard = shard_runs(grid, k, n);
            for (const auto& r : shard) CHECK(r.index % n == k - 1);  // the slice the README documents
            smallest = std::min(smallest, shard.size());
            largest = std::max(largest, shard.size());
            for (const auto& r : shard) seen.insert(r.index);
        }
        CHECK(seen.size() == grid.size());
        for (std::size_t i = 0; i < grid.size(); ++i) CHECK(seen.count(i) == 1);
        CHECK(largest - smallest <= 1);
    }
    CHECK(shard_runs(grid, 1, 4).size() == 22);  // 85 = 22 + 21 + 21 + 21
    CHECK(shard_runs(grid, 0, 4).empty());
    CHECK(shard_runs(grid, 5, 4).empty());
}

TEST_CASE("study configurations: syntax, labels that read back, the default list") {
    StudyConfig c;
    std::string error;
    REQUIRE(parse_study_config("gated:CustomTanh:2.5", c, error));
    CHECK(c.gated);
    CHECK(c.activation.name == "CustomTanh");
    CHECK(c.activation.params == std::vector<float>{2.5f});
    CHECK(study_label(c) == "gated:CustomTanh:2.5");
    REQUIRE(parse_study_config("Hardtanh:-2,2", c, error));
    CHECK(!c.gated);
    CHECK(c.activation.params == std::vector<float>{-2.0f, 2.0f});
    CHECK(study_label(c) == "Hardtanh:-2,2");
    CHECK(!parse_study_config("Nope", c, error));
    CHECK(error.find("unknown activation 'Nope'") != std::string::npos);
    CHECK(!parse_study_config("Snake:x", c, error));
    CHECK(error.find("'x'") != std::string::npos);
    CHECK(!parse_study_config("Snake:1,", c, error));
    CHECK(!parse_study_config("Snake:", c, error));
    CHECK(!parse_study_config("gated:", c, error));

    const auto d = default_study_configs();
    std::vector<std::string> labels;
    for (const auto& x : d) labels.push_back(study_label(x));
    CHECK(labels == std::vector<std::string>{"CustomTanh:0.5", "CustomTanh:0.8", "CustomTanh:1", "CustomTanh:1.8", "CustomTanh:2",
                                             "CustomTanh:4", "CustomTanh:8", "CustomTanh:32", "Snake:1", "Snake:2", "Snake:2.9",
                                             "Snake:4", "Snake:8", "Hardtanh", "SmoothHardtanh", "gated:Tanh", "gated:SELU"});
    for (const auto& x : d) {
        StudyConfig back;
        REQUIRE(parse_study_config(study_label(x), back, error));
        CHECK(study_label(back) == study_label(x));
        CHECK(back.activation == x.activation);
        CHECK(back.gated == x.gated);
    }
}

TEST_CASE("sample statistics: mean, sample std (n - 1), min; non-finite values left out") {
    SampleStats s = sample_stats({1, 2, 3, 4});
    CHECK(s.count == 4);
    CHECK(s.mean == doctest::Approx(2.5).epsilon(1e-15));
    CHECK(s.std == doctest::Approx(std::sqrt(5.0 / 3.0)).epsilon(1e-15));  // (2.25 + 0.25 + 0.25 + 2.25) / 3
    CHECK(s.min == 1);
    s = sample_stats({2, std::nan(""), 4, INFINITY});
    CHECK(s.count == 2);
    CHECK(s.mean == 3);
    CHECK(s.std == doctest::Approx(std::sqrt(2.0)).epsilon(1e-15));
    CHECK(s.min == 2);
    s = sample_stats({7});
    CHECK(s.std == 0);
    s = sample_stats({});
    CHECK(s.count == 0);
    CHECK(std::isnan(s.mean));
}

TEST_CASE("Pareto front: the non-dominated points (both minimised), ties kept, ordered by x") {
    // A(1,5) B(2,3) C(3,4: B beats it) D(4,1) E(2,3: equal to B) F(5,1: D beats it) G(NaN,0)
    const std::vector<std::pair<double, double>> p = {{1, 5}, {2, 3}, {3, 4}, {4, 1}, {2, 3}, {5, 1}, {std::nan(""), 0}};
    CHECK(pareto_front(p) == std::vector<std::size_t>{0, 1, 4, 3});
    CHECK(pareto_front({}).empty());
    CHECK(pareto_front({{3, 3}}) == std::vector<std::size_t>{0});
}

TEST_CASE("Spearman rank correlation against hand-computed values") {
    CHECK(average_ranks({10, 20, 20, 5}) == std::vector<double>{2, 3.5, 3.5, 1});
    // No ties: 1 − 6 Σd² / (n (n² − 1)) with d = (−1, 1, −1, 1, 0): 1 − 24/120 = 0.8.
    CHECK(spearman({1, 2, 3, 4, 5}, {2, 1, 4, 3, 5}) == doctest::Approx(0.8).epsilon(1e-14));
    // Ties: ranks of y = (1, 2, 3.5, 5, 3.5); Σ dx·dy = 8, Σ dx² = 10, Σ dy² = 9.5 → 8 / √95.
    CHECK(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}) == doctest::Approx(8.0 / std::sqrt(95.0)).epsilon(1e-14));
    CHECK(spearman({1, 2, 3}, {30, 20, 10}) == doctest::Approx(-1.0).epsilon(1e-15));
    CHECK(std::isnan(spearman({1, 2, 3}, {4, 4, 4})));
    CHECK(std::isnan(spearman({1}, {2})));
}

TEST_CASE("study table: rows per configuration in table order, statistics over seeds, front of the means") {
    std::vector<StudyConfig> configs(3);
    std::string error;
    REQUIRE(parse_study_config("gated:Tanh", configs[0], error));
    REQUIRE(parse_study_config("CustomTanh:1", configs[1], error));
    REQUIRE(parse_study_config("Hardtanh", configs[2], error));
    // ESR, ASR per seed. Means: gated Tanh (0.01, 0.009), CustomTanh (0.02, 0.002), Hardtanh (0.03, 0.003).
    const std::vector<StudyResult> results = {{2, 1, 0.04, 0.004}, {0, 0, 0.012, 0.008}, {1, 0, 0.01, 0.001}, {0, 1, 0.008, 0.010},
                                              {1, 1, 0.03, 0.003}, {2, 0, 0.02, 0.002}};
    const auto rows = study_table(configs, results);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].label == "CustomTanh:1");
    CHECK(rows[1].label == "Hardtanh");
    CHECK(rows[2].label == "gated:Tanh");
    CHECK(rows[0].esr.mean == doctest::Approx(0.02).epsilon(1e-14));
    CHECK(rows[0].esr.std == doctest::Approx(0.02 / std::sqrt(2.0) * 1.0).epsilon(1e-12));  // |0.01 − 0.03| / √2
    CHECK(rows[0].esr.min == 0.01);
    CHECK(rows[0].asr.mean == doctest::Approx(0.002).epsilon(1e-14));
    CHECK(rows[2].esr.mean == doctest::Approx(0.01).epsilon(1e-14));
    CHECK(rows[2].asr.min == 0.008);
    CHECK(rows[1].esr.count == 2);
    CHECK(rows[0].pareto);   // lowest ASR
    CHECK(!rows[1].pareto);  // CustomTanh beats it in both
    CHECK(rows[2].pareto);   // lowest ESR
    // Shuffling the results changes nothing.
    auto reversed = results;
    std::reverse(reversed.begin(), reversed.end());
    const auto again = study_table(configs, reversed);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        CHECK(again[i].esr.mean == rows[i].esr.mean);
        CHECK(again[i].asr.std == rows[i].asr.std);
    }
}

TEST_CASE("CustomTanh alpha vs ASR: non-gated CustomTanh rows only, three or more") {
    std::vector<StudyRow> rows;
    const auto add = [&](const char* text, double asr) {
        StudyRow r;
        std::string error;
        REQUIRE(parse_study_config(text, r.config, error));
        r.asr.mean = asr;
        rows.push_back(r);
    };
    add("CustomTanh:0.5", 4);
    add("CustomTanh:2", 3.5);
    add("gated:CustomTanh:8", 0.1);  // gated: left out
    add("Snake:2", 0.2);             // not CustomTanh: left out
    add("CustomTanh:4", 1);
    add("CustomTanh", 3);            // α = 1
    // α ranks (1, 3, 4, 2) against ASR ranks (4, 3, 1, 2): d = (−3, 0, 3, 0), 1 − 6·18/60 = −0.8.
    const AlphaCorrelation a = custom_tanh_alpha_asr(rows);
    CHECK(a.count == 4);
    CHECK(a.rho == doctest::Approx(-0.8).epsilon(1e-14));
    rows.resize(2);
    CHECK(std::isnan(custom_tanh_alpha_asr(rows).rho));
}

TEST_CASE("parameter text: the shortest decimal that reads back as the same float") {
    CHECK(study_param_text(0.8f) == "0.8");
    CHECK(study_param_text(2.9f) == "2.9");
    CHECK(study_param_text(32.0f) == "32");
    CHECK(study_param_text(-0.01f) == "-0.01");
    CHECK(study_param_text(1.0f / 3.0f) == "0.33333334");  // 0.3333333432674407958984375: 8 digits suffice
}
