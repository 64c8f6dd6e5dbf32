// ARM semihosting (the debugger's console, which QEMU provides with -semihosting-config enable=on): text
// output and exit with a status. Each call traps into QEMU through `bkpt 0xab`. Also small string
// helpers, so the firmware links no printf.
#pragma once

#include <cstdint>

namespace semihosting {

/// The word the startup code paints the stack with (main counts the untouched words).
inline constexpr std::uint32_t stack_paint = 0x5AC0FFEEu;

inline int call(int op, const void* arg) noexcept {
    register int r0 __asm__("r0") = op;
    register const void* r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

/// Writes the line and a newline (SYS_WRITE0, 0x04).
inline void print(const char* line) noexcept {
    call(0x04, line);
    call(0x04, "\n");
}

/// Stops QEMU (SYS_EXIT, 0x18): exit status 0 for ADP_Stopped_ApplicationExit, 1 for any other reason.
[[noreturn]] inline void exit(bool success) noexcept {
    call(0x18, reinterpret_cast<const void*>(success ? 0x20026 : 0x20023));
    for (;;) {
    }
}

inline void append(char* s, const char* t) noexcept {
    while (*s) ++s;
    while (*t) *s++ = *t++;
    *s = '\0';
}

inline void append_hex(char* s, std::uint32_t v) noexcept {
    char h[11] = "0x00000000";
    for (int i = 9; i >= 2; --i, v >>= 4) h[i] = "0123456789abcdef"[v & 15u];
    append(s, h);
}

inline void append_uint(char* s, std::uint64_t v) noexcept {
    char d[24];
    int n = 0;
    do {
        d[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v);
    while (*s) ++s;
    while (n) *s++ = d[--n];
    *s = '\0';
}

}  // namespace semihosting
