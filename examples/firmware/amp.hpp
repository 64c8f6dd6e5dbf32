// The firmware amp: the demo model compiled in (examples/firmware/demo_drive.hpp, written by
// `nofold codegen`), all state in one static object. No heap, no exceptions, no file system.
#pragma once

namespace firmware_amp {

/// Loads the weights and prewarms (steady state for silence). False only if the header was edited.
bool init() noexcept;
/// Any n >= 0; in and out may alias. Real-time safe.
void process(const float* in, float* out, int n) noexcept;

}  // namespace firmware_amp
