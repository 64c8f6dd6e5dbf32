// Test support: a whole file as a string (model files, generated headers, the fuzz corpus).
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nofold::test {

/// The bytes of the file at `path`, unchanged; empty if it cannot be opened.
inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::ostringstream s;
    s << f.rdbuf();
    return s.str();
}

}  // namespace nofold::test
