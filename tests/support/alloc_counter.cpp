// Replacement allocation functions for the test binaries; see alloc_counter.hpp.
#include "alloc_counter.hpp"

#include <cerrno>
#include <cstdlib>
#include <new>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NOFOLD_TEST_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define NOFOLD_TEST_SANITIZED 1
#endif
#endif
#if !defined(NOFOLD_TEST_SANITIZED) && defined(__GLIBC__)
#define NOFOLD_TEST_HOOK_MALLOC 1
#endif
// ThreadSanitizer's runtime defines operator new/delete itself (not replaceable at link time): its
// builds count nothing, and only run the race tests (scripts/test.sh, tsan_processor).
#if defined(__SANITIZE_THREAD__)
#define NOFOLD_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define NOFOLD_TEST_TSAN 1
#endif
#endif

namespace {
thread_local std::size_t thread_allocations = 0;
thread_local std::size_t thread_deallocations = 0;
}  // namespace

namespace nofold::test {

bool malloc_is_counted() noexcept {
#ifdef NOFOLD_TEST_HOOK_MALLOC
    return true;
#else
    return false;
#endif
}

AllocationScope::AllocationScope() noexcept
    : allocations_at_start_(thread_allocations), deallocations_at_start_(thread_deallocations) {}
std::size_t AllocationScope::allocations() const noexcept { return thread_allocations - allocations_at_start_; }
std::size_t AllocationScope::deallocations() const noexcept {
    return thread_deallocations - deallocations_at_start_;
}
void AllocationScope::reset() noexcept {
    allocations_at_start_ = thread_allocations;
    deallocations_at_start_ = thread_deallocations;
}

}  // namespace nofold::test

// ---- malloc family (glibc exports the real allocator under __libc_* names) ----
#ifdef NOFOLD_TEST_HOOK_MALLOC
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
void __libc_free(void*);

void* malloc(std::size_t n) {
    ++thread_allocations;
    return __libc_malloc(n);
}
void* calloc(std::size_t count, std::size_t n) {
    ++thread_allocations;
    return __libc_calloc(count, n);
}
void* realloc(void* p, std::size_t n) {
    ++thread_allocations;
    if (p) ++thread_deallocations;
    return __libc_realloc(p, n);
}
void free(void* p) {
    if (p) ++thread_deallocations;
    __libc_free(p);
}
void* memalign(std::size_t align, std::size_t n) {
    ++thread_allocations;
    return __libc_memalign(align, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) {
    ++thread_allocations;
    return __libc_memalign(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) {
    ++thread_allocations;
    void* p = __libc_memalign(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
}
#define NOFOLD_RAW_MALLOC(n) __libc_malloc(n)
#define NOFOLD_RAW_ALIGNED(a, n) __libc_memalign((a), (n))
#define NOFOLD_RAW_FREE(p) __libc_free(p)
#else
#define NOFOLD_RAW_MALLOC(n) std::malloc(n)
#define NOFOLD_RAW_ALIGNED(a, n) std::aligned_alloc((a), ((n) + (a) - 1) / (a) * (a))
#define NOFOLD_RAW_FREE(p) std::free(p)
#endif

// ---- operator new/delete ----
#ifndef NOFOLD_TEST_TSAN
namespace {
void* counted_new(std::size_t n) {
    ++thread_allocations;
    void* p = NOFOLD_RAW_MALLOC(n ? n : 1);
    if (!p) throw std::bad_alloc();
    return p;
}
void* counted_new_aligned(std::size_t n, std::align_val_t a) {
    ++thread_allocations;
    void* p = NOFOLD_RAW_ALIGNED(static_cast<std::size_t>(a), n ? n : 1);
    if (!p) throw std::bad_alloc();
    return p;
}
void counted_delete(void* p) noexcept {
    if (!p) return;
    ++thread_deallocations;
    NOFOLD_RAW_FREE(p);
}
}  // namespace

void* operator new(std::size_t n) { return counted_new(n); }
void* operator new[](std::size_t n) { return counted_new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
    try {
        return counted_new(n);
    } catch (...) {
        return nullptr;
    }
}
void* operator new(std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_new_aligned(n, a); }
void operator delete(void* p) noexcept { counted_delete(p); }
void operator delete[](void* p) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_delete(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_delete(p); }
#endif  // NOFOLD_TEST_TSAN
