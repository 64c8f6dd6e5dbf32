// Claims about examples/firmware: the committed generated headers are exactly what `nofold codegen`
// writes for the bundled demo model and the emulated firmware's test models today, and the firmware amp (heap-free Fixed model) produces the
// same output as the model loaded from the .nam file, with no allocation at all.
#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <vector>

#include <nofold/io/codegen.hpp>
#include <nofold/io/load.hpp>

#include "../../examples/firmware/amp.hpp"
#include "support/alloc_counter.hpp"
#include "support/model_loading.hpp"
#include "support/text_file.hpp"

#ifndef NOFOLD_SOURCE_DIR
#error "NOFOLD_SOURCE_DIR must point at the repository"
#endif

namespace {
const std::string root = NOFOLD_SOURCE_DIR;
}  // namespace

TEST_CASE("the committed firmware header is what codegen writes for the demo model") {
    nofold::io::CodegenOptions options;
    options.name = "DemoDrive";
    options.source = "examples/models/nofold_demo_drive.nam";
    const auto file = nofold::io::read_model_file(root + "/examples/models/nofold_demo_drive.nam");
    CHECK(nofold::io::write_header(file, options) == nofold::test::read_text_file(root + "/examples/firmware/demo_drive.hpp"));
}

TEST_CASE("the emulated firmware's model headers are what codegen writes for their test models") {
    // examples/firmware/build.sh runs them on QEMU's Cortex-M7 and compares with the host (bit for bit)
    const struct {
        const char* name;
        const char* model;
        const char* header;
    } cases[] = {{"TestNano", "tests/firmware/models/firmware_nano.nam", "examples/firmware/models/test_nano.hpp"},
                 {"TestLstm", "tests/firmware/models/firmware_lstm_1x16.nam", "examples/firmware/models/test_lstm_1x16.hpp"}};
    for (const auto& c : cases) {
        CAPTURE(c.header);
        nofold::io::CodegenOptions options;
        options.name = c.name;
        options.source = c.model;
        const auto file = nofold::io::read_model_file(root + "/" + c.model);
        CHECK(nofold::io::write_header(file, options) == nofold::test::read_text_file(root + "/" + c.header));
    }
}

TEST_CASE("firmware amp equals the loaded model and never allocates") {
    const int n = 20000;
    std::vector<float> x(static_cast<std::size_t>(n)), fw(static_cast<std::size_t>(n)), ref(static_cast<std::size_t>(n));
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    for (int i = 0; i < n; ++i)
        x[static_cast<std::size_t>(i)] = 0.4f * std::sin(0.05f * static_cast<float>(i)) + noise(rng);
    nofold::test::AllocationScope scope;
    const bool initialised = firmware_amp::init();
    const std::size_t init_allocations = scope.allocations();
    for (int i = 0; i < n; i += 37) firmware_amp::process(x.data() + i, fw.data() + i, std::min(37, n - i));
    const std::size_t total_allocations = scope.allocations();
    REQUIRE(initialised);
    CHECK(init_allocations == 0);
    CHECK(total_allocations == 0);

    auto loaded = nofold::test::load_model(root + "/examples/models/nofold_demo_drive.nam");
    loaded.model->prewarm();
    loaded.model->process(x.data(), ref.data(), n);
    double worst = 0.0;
    for (int i = 0; i < n; ++i)
        worst = std::max(worst, static_cast<double>(std::fabs(fw[static_cast<std::size_t>(i)] - ref[static_cast<std::size_t>(i)])));
    CHECK(worst <= 1e-6);
}
