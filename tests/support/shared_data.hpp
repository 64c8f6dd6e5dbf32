// Test support: locating ../shared (models and reference renders that are not part of the
// project). Tests that need it call shared_dir() and skip, reported as skipped, when it is absent.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace nofold::test {

/// The shared data folder: $NOFOLD_SHARED_DIR if set, else the NOFOLD_SHARED_DIR compile
/// definition (the build system points it at ../shared next to the checkout). Empty if missing.
inline std::filesystem::path shared_dir() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("NOFOLD_SHARED_DIR")) {
        if (fs::is_directory(env)) return env;
    }
#ifdef NOFOLD_SHARED_DIR
    if (fs::is_directory(NOFOLD_SHARED_DIR)) return NOFOLD_SHARED_DIR;
#endif
    return {};
}

}  // namespace nofold::test
