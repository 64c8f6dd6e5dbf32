// Test support: counts heap allocations made by the calling thread.
//
// The test binaries replace the global operator new/delete family and (outside sanitizer builds)
// malloc/calloc/realloc/free/aligned_alloc/posix_memalign/memalign, so that any heap use inside an
// AllocationScope is counted, whichever API the code used. Counting is per thread: a loader thread
// may allocate while the audio thread under test must not.
#pragma once

#include <cstddef>

namespace nofold::test {

/// Whether malloc and friends are hooked too (false under AddressSanitizer, which owns them; only
/// operator new/delete are counted there).
bool malloc_is_counted() noexcept;

/// Counts allocations on this thread from construction until destruction or reset().
class AllocationScope {
public:
    AllocationScope() noexcept;
    AllocationScope(const AllocationScope&) = delete;
    AllocationScope& operator=(const AllocationScope&) = delete;

    /// Allocations (new, new[], malloc, calloc, realloc, aligned variants) since construction.
    std::size_t allocations() const noexcept;
    /// Deallocations (delete, free, realloc) since construction.
    std::size_t deallocations() const noexcept;
    void reset() noexcept;

private:
    std::size_t allocations_at_start_;
    std::size_t deallocations_at_start_;
};

}  // namespace nofold::test
