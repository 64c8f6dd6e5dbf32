// Bare-metal entry for a Cortex-M7 build: runs the amp over a generated test tone, block by block,
// as an audio interrupt would. The result goes to a volatile sink so nothing is optimised away.
#include <cmath>

#include "amp.hpp"

volatile float sink;

int main() {
    if (!firmware_amp::init()) return 1;
    float block[32];
    float phase = 0.0f;
    for (int b = 0; b < 1500; ++b) {  // one second at 48 kHz
        for (float& x : block) {
            x = 0.5f * std::sin(phase);
            phase += 2.0f * 3.14159265f * 440.0f / 48000.0f;
            if (phase > 6.2831853f) phase -= 6.2831853f;
        }
        firmware_amp::process(block, block, 32);
        sink = block[31];
    }
    return 0;
}

// Any use of the heap must fail the link: these stubs replace newlib's allocator, and the CI
// script also checks the linked image for the allocator's internals.
extern "C" void* malloc(unsigned) { __builtin_trap(); }
extern "C" void free(void*) { __builtin_trap(); }
