// The program's own allocation functions: the default behaviour, except that a failure records the
// size asked for, so the out-of-memory message can say how much was needed. In a file of their own:
// where GCC can inline them next to their callers it mistakes free() for a mismatched deallocation.
// (command.hpp declares failed_request_bytes; not included, as its headers would bring allocating
// code into this file.)
#include <cstddef>
#include <cstdlib>
#include <new>

namespace nofold::cli {
std::size_t failed_request_bytes() noexcept;
}  // namespace nofold::cli

namespace {
std::size_t last_failure = 0;
}  // namespace

std::size_t nofold::cli::failed_request_bytes() noexcept { return last_failure; }

void* operator new(std::size_t n) {
    if (void* p = std::malloc(n ? n : 1)) return p;
    last_failure = n;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
