#include "amp.hpp"

#include "demo_drive.hpp"

namespace firmware_amp {
namespace {
// Static storage: the whole model (weights, delay lines, scratch) lives here, sized at compile time.
DemoDrive::Fixed model;
}  // namespace

bool init() noexcept {
    if (!DemoDrive::init(model)) return false;
    model.prewarm();
    return true;
}

void process(const float* in, float* out, int n) noexcept { model.process(in, out, n); }

}  // namespace firmware_amp
