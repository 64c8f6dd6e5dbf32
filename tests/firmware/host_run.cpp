// Host twin of the emulated Cortex-M7 firmware (examples/firmware/qemu/): runs the same test run
// (examples/firmware/test_run.cpp, built with NOFOLD_NO_SIMD and -ffp-contract=off like the target) and
// compares its output with the firmware's semihosting log, sample by sample, bit for bit.
//   host_run FIRMWARE_LOG   prints one line per model (samples, bit-identical count, largest difference)
//                           and exits 1 unless every input and output sample is bit-identical
//   host_run                prints the host's own lines (the format of the firmware log)
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "test_run.hpp"

namespace {

std::vector<std::string> host_lines;
void collect(const char* line) { host_lines.emplace_back(line); }
void no_op() {}
void no_measure(const char*, std::size_t, double) {}

/// "x"/"y name" lines → the samples of each stream, in order.
std::map<std::string, std::vector<std::uint32_t>> streams(const std::vector<std::string>& lines) {
    std::map<std::string, std::vector<std::uint32_t>> s;
    for (const std::string& line : lines) {
        std::istringstream in(line);
        std::string kind, name;
        in >> kind;
        if (kind == "x") name = "input";
        else if (kind == "y") in >> name;
        else continue;
        std::string word;
        while (in >> word) s[name].push_back(static_cast<std::uint32_t>(std::stoul(word, nullptr, 16)));
    }
    return s;
}

float as_float(std::uint32_t bits) {
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

}  // namespace

int main(int argc, char** argv) {
    if (!firmware_run::run({collect, no_op, no_measure})) {
        std::cerr << "host_run: a generated header's weights do not fit its model\n";
        return 1;
    }
    if (argc < 2) {
        for (const std::string& l : host_lines) std::cout << l << '\n';
        return 0;
    }
    std::ifstream log(argv[1]);
    if (!log) {
        std::cerr << "host_run: cannot read " << argv[1] << '\n';
        return 1;
    }
    std::vector<std::string> target_lines;
    for (std::string l; std::getline(log, l);) target_lines.push_back(l);
    const auto host = streams(host_lines), target = streams(target_lines);
    bool ok = true;
    for (const auto& [name, h] : host) {
        const auto it = target.find(name);
        const std::size_t n = it == target.end() ? 0 : it->second.size();
        std::size_t same = 0;
        double worst = 0.0;
        for (std::size_t i = 0; i < std::min(n, h.size()); ++i) {
            const std::uint32_t t = it->second[i];
            same += t == h[i];
            worst = std::max(worst, std::fabs(static_cast<double>(as_float(t)) - as_float(h[i])));
        }
        const bool match = n == h.size() && same == n;
        ok = ok && match;
        std::printf("%-12s %5zu samples, %5zu bit-identical, largest difference %.3g%s\n", name.c_str(), n, same, worst,
                    match ? "" : "  MISMATCH");
    }
    return ok ? 0 : 1;
}
