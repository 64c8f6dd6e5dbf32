// Minimal Cortex-M startup for the emulated firmware (QEMU mps2-an500, examples/firmware/qemu/mps2_an500.ld):
// the vector table, a reset handler that turns the FPU on before any float instruction can run, copies
// .data, zeroes .bss, paints the stack, runs static constructors and then firmware_main, and fault handlers that
// report through semihosting and stop QEMU with a failure status. No C library start-up code is linked.
#include <cstdint>

#include "semihosting.hpp"

extern "C" {
extern std::uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern std::uint32_t __stack_bottom[], __stack_top[];
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int firmware_main();  // examples/firmware/qemu/main.cpp (not main: C++ forbids calling main)
void Reset_Handler();
void Fault_Handler();
}

namespace {
volatile std::uint32_t& reg(std::uint32_t address) { return *reinterpret_cast<volatile std::uint32_t*>(address); }
constexpr std::uint32_t cpacr = 0xE000ED88, shcsr = 0xE000ED24, ccr = 0xE000ED14;
constexpr std::uint32_t cfsr = 0xE000ED28, hfsr = 0xE000ED2C, mmfar = 0xE000ED34, bfar = 0xE000ED38;
}  // namespace

void Reset_Handler() {
    // CP10 and CP11 (the FPU) full access, before anything else: the compiler may use float registers
    // anywhere after this point
    reg(cpacr) |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    for (std::uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;) *dst++ = *src++;
    for (std::uint32_t* p = __bss_start; p < __bss_end; ++p) *p = 0;
    // paint the stack below the current frame (the handler itself runs on the top few words)
    std::uint32_t* sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (std::uint32_t* p = __stack_bottom; p < sp - 16; ++p) *p = semihosting::stack_paint;
    // separate MemManage, BusFault and UsageFault handlers (they all report), and trap integer division
    // by zero instead of returning 0 (unaligned accesses stay legal: GCC and newlib use them on v7-M)
    reg(shcsr) |= (1u << 16) | (1u << 17) | (1u << 18);
    reg(ccr) |= 1u << 4;
    for (auto* f = __init_array_start; f < __init_array_end; ++f) (*f)();
    const int status = firmware_main();
    semihosting::exit(status == 0);
}

void Fault_Handler() {
    std::uint32_t exception;
    __asm__ volatile("mrs %0, ipsr" : "=r"(exception));
    char line[128] = "FAULT: exception ";
    semihosting::append_uint(line, exception & 0x1FFu);
    semihosting::append(line, " (3 hard, 4 memory, 5 bus, 6 usage fault); CFSR ");
    semihosting::append_hex(line, reg(cfsr));
    semihosting::append(line, " HFSR ");
    semihosting::append_hex(line, reg(hfsr));
    semihosting::append(line, " MMFAR ");
    semihosting::append_hex(line, reg(mmfar));
    semihosting::append(line, " BFAR ");
    semihosting::append_hex(line, reg(bfar));
    semihosting::print(line);
    semihosting::exit(false);
}

namespace {
using Handler = void (*)();
}  // namespace

// Cortex-M vector table: initial stack pointer, reset, then NMI, HardFault, MemManage, BusFault,
// UsageFault, four reserved, SVCall, DebugMonitor, reserved, PendSV, SysTick. No interrupts are enabled.
__attribute__((section(".vectors"), used)) const Handler vector_table[16] = {
    reinterpret_cast<Handler>(__stack_top), Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, nullptr, nullptr, nullptr, nullptr, Fault_Handler, Fault_Handler, nullptr,
    Fault_Handler, Fault_Handler};
