// The program's one call site of io::load / io::build. Every translation unit that calls them instantiates
// the whole model factory (each static preset in each accuracy tier), which costs more compile time than
// the rest of a command; the commands call these instead, compiled once in model_loading.cpp.
#pragma once

#include <string>

#include <nofold/io/load.hpp>

namespace nofold::cli {

/// io::load: reads, validates and builds (throws io::LoadError).
io::LoadedModel load_model(const std::string& path, const io::LoadOptions& options = {});

/// io::build: builds from a description already read (throws io::LoadError).
io::LoadedModel build_model(io::ModelFile file, const io::LoadOptions& options = {}, const std::string& file_name = "");

}  // namespace nofold::cli
