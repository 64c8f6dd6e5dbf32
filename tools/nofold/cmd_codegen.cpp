// `nofold codegen MODEL -o model.hpp [--name Foo] [--slim V]`: writes a C++ header holding the model's
// weights as constexpr data, its configuration as code, a `Model` alias of the static instantiation
// when the shape is a preset, and `Foo::make()`. See include/nofold/io/codegen.hpp.
#include <fstream>

#include <nofold/io/codegen.hpp>
#include <nofold/io/read.hpp>
#include <nofold/io/atomic_file.hpp>

#include "command.hpp"

namespace nofold::cli {
namespace {

struct CodegenCliOptions {
    std::string model, output;
    std::string name = "Model";
    double slim = -1.0;
};

std::function<void()> add_codegen(CLI::App& app) {
    auto o = std::make_shared<CodegenCliOptions>();
    app.add_option("model", o->model, "model file")->required();
    app.add_option("-o,--output", o->output, "header to write")->required();
    app.add_option("--name", o->name, "name of the generated struct (a C++ identifier; default Model)");
    app.add_option("--slim", o->slim, "SlimmableContainer: which size to write, in [0, 1] (default: full size)");
    return [o] {
        io::CodegenOptions options;
        options.name = o->name;
        options.source = o->model;
        if (o->slim != -1.0 && !(o->slim >= 0.0 && o->slim <= 1.0)) throw UsageError("--slim must lie in [0, 1]");
        if (o->slim >= 0.0) options.slimmable_size = o->slim;
        std::string text;
        try {
            text = io::write_header(io::read_model_file(o->model), options);
        } catch (const io::LoadError& e) {
            if (e.reason().find("--name") != std::string::npos) throw UsageError(e.reason());
            throw FileError(e.what());
        }
        nofold::io::write_file_atomically(o->output, text);
    };
}


}  // namespace

Command codegen_command() { return {"codegen", "write a C++ header with the model's weights and shape", add_codegen}; }

}  // namespace nofold::cli
