// io::load and io::build compiled once for all the tests (model_loading.cpp, in the test support
// library): a translation unit that calls them instantiates the whole model factory, every static preset in
// every accuracy tier, which is three quarters of such a test file's compile time.
#pragma once

#include <string>

#include <nofold/io/load.hpp>

namespace nofold::test {

/// io::load (throws io::LoadError).
io::LoadedModel load_model(const std::string& path, const io::LoadOptions& options = {});

/// io::build (throws io::LoadError).
io::LoadedModel build_model(io::ModelFile file, const io::LoadOptions& options = {}, const std::string& file_name = "");

}  // namespace nofold::test
