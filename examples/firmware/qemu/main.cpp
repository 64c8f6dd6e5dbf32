// The emulated firmware's main: runs the fixed test run (examples/firmware/test_run.hpp) and reports, per
// model, "budget <model> insn_per_sample <n> stack <bytes> static <bytes> flops <n>" through semihosting.
// Instructions come from the CMSDK timer 0 read under QEMU's -icount shift=0 (every instruction advances
// the virtual clock by 1 ns, so timer ticks are proportional to instructions); the ratio is calibrated
// at start-up with a loop of known instruction count. The stack high-water mark is the deepest word
// no longer holding the paint (startup.cpp paints the stack; it is repainted before each model).
#include <cstdint>

#include "../test_run.hpp"
#include "semihosting.hpp"

extern "C" std::uint32_t __stack_bottom[], __stack_top[];

namespace {

volatile std::uint32_t& timer(std::uint32_t offset) {
    return *reinterpret_cast<volatile std::uint32_t*>(0x40000000u + offset);  // CMSDK APB timer 0
}
constexpr std::uint32_t ctrl = 0x0, value = 0x4, reload = 0x8;

std::uint32_t ticks() { return timer(value); }

std::uint32_t* current_sp() {
    std::uint32_t* sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/// Paints every stack word below the current frame (none of them is live: no interrupts run).
std::uint32_t* paint_stack() {
    std::uint32_t* const sp = current_sp();
    for (std::uint32_t* p = __stack_bottom; p < sp; ++p) *p = semihosting::stack_paint;
    return sp;
}

/// Bytes of stack used below `base` since the last paint_stack().
std::uint32_t stack_used(const std::uint32_t* base) {
    const std::uint32_t* p = __stack_bottom;
    while (p < base && *p == semihosting::stack_paint) ++p;
    return static_cast<std::uint32_t>(base - p) * 4u;
}

// Instructions per timer tick, from a loop of exactly 2 instructions per iteration (subs + bne).
double instructions_per_tick = 0.0;

void calibrate() {
    constexpr std::uint32_t iterations = 1000000;
    const std::uint32_t t0 = ticks();
    std::uint32_t n = iterations;
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
    const std::uint32_t t1 = ticks();
    instructions_per_tick = 2.0 * iterations / static_cast<double>(t0 - t1);  // the timer counts down
}

#if defined(FIRMWARE_OVERFLOW_TEST)
__attribute__((noinline)) int recurse(int n) {
    volatile int frame[16] = {n};
    return n == 0 ? frame[0] : recurse(n - 1) + frame[1];
}
#endif

std::uint32_t start_ticks;
const std::uint32_t* frame;
bool overflow = false;

void begin() {
    frame = paint_stack();
    start_ticks = ticks();
}

void end(const char* model, std::size_t static_bytes, double flops) {
    const std::uint32_t elapsed = start_ticks - ticks();
    const std::uint32_t stack = stack_used(frame);
    // the lowest 64 bytes stay painted unless the stack came within 64 bytes of overflowing
    if (stack + 64 > static_cast<std::uint32_t>(frame - __stack_bottom) * 4u) overflow = true;
    const double insn = elapsed * instructions_per_tick / firmware_run::samples;
    char line[160] = "budget ";
    semihosting::append(line, model);
    semihosting::append(line, " insn_per_sample ");
    semihosting::append_uint(line, static_cast<std::uint64_t>(insn + 0.5));
    semihosting::append(line, " stack ");
    semihosting::append_uint(line, stack);
    semihosting::append(line, " static ");
    semihosting::append_uint(line, static_bytes);
    semihosting::append(line, " flops ");
    semihosting::append_uint(line, static_cast<std::uint64_t>(flops + 0.5));
    semihosting::print(line);
}

}  // namespace

extern "C" int firmware_main() {
    timer(ctrl) = 0;
    timer(reload) = 0xFFFFFFFFu;
    timer(value) = 0xFFFFFFFFu;
    timer(ctrl) = 1;
    calibrate();
#if defined(FIRMWARE_FAULT_TEST)  // build.sh's check that a fault does fail the run: divide by zero
    volatile int numerator = 1000, zero = 0;
    volatile int quotient = numerator / zero;
    static_cast<void>(quotient);
#elif defined(FIRMWARE_OVERFLOW_TEST)  // ... and that a stack overflow does
    volatile int depth = recurse(1 << 20);
    static_cast<void>(depth);
#endif
    if (!firmware_run::run({semihosting::print, begin, end})) {
        semihosting::print("FAIL: a generated header's weights do not fit its model");
        return 1;
    }
    if (overflow) {
        semihosting::print("FAIL: stack overflow (the painted guard words were overwritten)");
        return 1;
    }
    char line[64] = "done, instructions per timer tick ";
    semihosting::append_uint(line, static_cast<std::uint64_t>(instructions_per_tick + 0.5));
    semihosting::print(line);
    return 0;
}
