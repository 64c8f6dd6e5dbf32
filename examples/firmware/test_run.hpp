// The fixed test run of the firmware example: a deterministic test signal through every generated-header
// model compiled in (nano, feather = the demo drive, LSTM 1x16) and through nano at 2x behind the IIR
// oversampler, each output printed as float bit patterns. The emulated Cortex-M7 image
// (examples/firmware/qemu/) and its host twin (tests/firmware/host_run.cpp) run this same code; CI
// requires their outputs to be bit-identical (both are built with -ffp-contract=off, see
// examples/firmware/build.sh). No heap, no exceptions: all models are static objects.
#pragma once

#include <cstddef>

namespace firmware_run {

/// Samples per model (0.1 s at 48 kHz) and the block size an audio interrupt would hand over.
inline constexpr int samples = 4800;
inline constexpr int block = 32;

/// What the caller measures around each model's processing loop (the target: instruction counter and
/// painted stack; the host: nothing).
struct Hooks {
    void (*print)(const char* line);
    /// Called just before the first block of a model.
    void (*begin)();
    /// Called right after its last block; `static_bytes` is sizeof the model object(s), `flops` its
    /// arithmetic per sample (a multiply-add counts 2).
    void (*end)(const char* model, std::size_t static_bytes, double flops);
};

/// Runs every model compiled in (FIRMWARE_MODELS: bit 0 nano, 1 feather, 2 LSTM, 3 oversampled nano;
/// default all). False if a generated header's weights do not fit its model (an edited header).
bool run(const Hooks& hooks) noexcept;

/// The test signal: a 110 Hz sine (a recursive oscillator: additions and multiplications only, so
/// every IEEE target computes the same bits) rising from 0 to 0.9 in amplitude, plus 0.02 of LCG noise.
void test_signal(float* x, int n) noexcept;

/// Writes "<prefix> <hex bits of x[0..n)>" lines, 8 samples per line, through print.
void print_bits(void (*print)(const char*), const char* prefix, const float* x, int n) noexcept;

}  // namespace firmware_run
