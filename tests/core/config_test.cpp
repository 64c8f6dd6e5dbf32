// Claims about include/nofold/config.hpp: version macros agree with the constants, alignment covers
// the widest SIMD register of the build, and the C++ standard gate holds.
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include <nofold/config.hpp>
#include <nofold/simd/arch.hpp>

TEST_CASE("version macros and constants agree") {
    CHECK(nofold::version.major == NOFOLD_VERSION_MAJOR);
    CHECK(nofold::version.minor == NOFOLD_VERSION_MINOR);
    CHECK(nofold::version.patch == NOFOLD_VERSION_PATCH);
    const std::string expected = std::to_string(NOFOLD_VERSION_MAJOR) + "." + std::to_string(NOFOLD_VERSION_MINOR) +
                                 "." + std::to_string(NOFOLD_VERSION_PATCH);
    CHECK(expected == nofold::version_string);
    CHECK(NOFOLD_VERSION == NOFOLD_VERSION_MAJOR * 10000 + NOFOLD_VERSION_MINOR * 100 + NOFOLD_VERSION_PATCH);
}

TEST_CASE("alignment is a power of two that covers the widest batch") {
    static_assert((nofold::alignment & (nofold::alignment - 1)) == 0);
    CHECK(nofold::alignment >= sizeof(nofold::simd::float_batch));
    CHECK(nofold::alignment >= alignof(nofold::simd::float_batch));
}

TEST_CASE("compiled as C++17 or newer") { CHECK(__cplusplus >= 201703L); }
