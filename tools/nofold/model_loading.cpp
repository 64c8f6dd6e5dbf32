#include "model_loading.hpp"

#include <utility>

namespace nofold::cli {

io::LoadedModel load_model(const std::string& path, const io::LoadOptions& options) { return io::load(path, options); }

io::LoadedModel build_model(io::ModelFile file, const io::LoadOptions& options, const std::string& file_name) {
    return io::build(std::move(file), options, file_name);
}

}  // namespace nofold::cli
