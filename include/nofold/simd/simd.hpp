// nofold::simd — umbrella for the SIMD layer: architecture choice (arch.hpp) and the shims that
// let one kernel serve float, double and xsimd batches (ops.hpp).
#pragma once

#include "arch.hpp"
#include "ops.hpp"
