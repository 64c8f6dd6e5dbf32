// The `nofold` program's command framework: errors with exit codes, the commands (one per
// cmd_<name>.cpp, listed in main.cpp in the order --help shows them) and the --json printer they share.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace nofold::cli {

/// Exit status 2: the command line itself is wrong.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// Exit status 1: a file (model, WAV) is missing, unreadable or not what it claims to be.
struct FileError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum ExitCode : int { exit_ok = 0, exit_bad_file = 1, exit_bad_usage = 2 };

/// A subcommand: `add` declares it on the app and returns the function that runs it.
struct Command {
    std::string name;
    std::string summary;
    std::function<std::function<void()>(CLI::App&)> add;
};

// One function per cmd_<name>.cpp; main.cpp lists them.
Command activations_command();
Command alias_command();
Command antialias_command();
Command bench_command();
Command codegen_command();
Command convert_command();
Command info_command();
Command make_demo_model_command();
Command make_di_command();
Command make_target_command();
Command plot_command();
Command process_command();
Command selfcheck_command();
Command study_command();
Command train_command();

/// JSON with keys in insertion order, so `--json` output is stable and documented key by key.
using Json = nlohmann::ordered_json;

/// Prints one JSON document on stdout (two-space indent, trailing newline).
void print_json(const Json& value);
/// nofold's analytically constructed demo amp as .nam JSON (cmd_make_demo_model.cpp).
Json demo_model();

/// Names what the program is working on (a file), for the message when memory runs out:
/// "nofold: SUBJECT: too large (N MB needed, limit M MB)", exit status 1.
void set_memory_subject(const std::string& subject);
/// Bytes of the last allocation that failed (0 if none): out_of_memory.cpp's operator new records it.
std::size_t failed_request_bytes() noexcept;

}  // namespace nofold::cli
