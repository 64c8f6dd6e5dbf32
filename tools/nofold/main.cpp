// nofold — command-line entry point. Exit status: 0 success, 1 bad file, 2 bad usage; errors are one
// line on stderr starting with "nofold: ".
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <new>
#include <string>

#include <sys/resource.h>
#include <unistd.h>

#include <nofold/nofold.hpp>

#include "command.hpp"

namespace nofold::cli {

// Every command, in the order `nofold --help` lists them.
std::vector<Command> commands() {
    return {info_command(),     process_command(),     alias_command(),       antialias_command(),   bench_command(),
            codegen_command(),  activations_command(), plot_command(),        make_demo_model_command(),
            make_di_command(),  make_target_command(), train_command(),       study_command(),       convert_command(),
            selfcheck_command()};
}

void print_json(const Json& value) { std::cout << value.dump(2) << '\n'; }

namespace {
std::string memory_subject = "nofold";

// The memory a process may use: the address-space limit when one is set (ulimit -v), else RAM.
double memory_limit_mb() {
    rlimit lim{};
    if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) return static_cast<double>(lim.rlim_cur) / 1048576.0;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) / 1048576.0 : 0.0;
}
}  // namespace

void set_memory_subject(const std::string& subject) { memory_subject = subject; }

}  // namespace nofold::cli

int main(int argc, char** argv) {
    using namespace nofold::cli;
#ifdef SIGXFSZ
    // Past the file-size limit (ulimit -f) the kernel would kill the process with SIGXFSZ before the
    // failure could be reported and the temporary file removed; ignored, the write fails with EFBIG
    // and io::AtomicFile leaves the old file as it was.
    std::signal(SIGXFSZ, SIG_IGN);
#endif
    CLI::App app{"nofold: neural amp models without aliasing", "nofold"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("nofold ") + nofold::version_string + " (SIMD: " +
                                          nofold::simd::arch_name + ")");
    std::function<void()> run;
    for (auto& command : commands()) {
        CLI::App* sub = app.add_subcommand(command.name, command.summary);
        auto action = command.add(*sub);
        sub->callback([&run, action] { run = action; });
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "nofold: " << e.what() << " (try --help)\n";
        return exit_bad_usage;
    }
    try {
        if (run) run();
        return exit_ok;
    } catch (const UsageError& e) {
        std::cerr << "nofold: " << e.what() << '\n';
        return exit_bad_usage;
    } catch (const FileError& e) {
        std::cerr << "nofold: " << e.what() << '\n';
        return exit_bad_file;
    } catch (const std::bad_alloc&) {
        const auto mb = [](double v) { return std::to_string(static_cast<long long>(v + 0.5)); };
        std::cerr << "nofold: " << memory_subject << ": too large ("
                  << (failed_request_bytes() > 0 ? mb(static_cast<double>(failed_request_bytes()) / 1048576.0) + " MB needed at once"
                                               : std::string("more memory needed"))
                  << ", limit " << mb(memory_limit_mb()) << " MB)\n";
        return exit_bad_file;
    } catch (const std::exception& e) {
        std::cerr << "nofold: " << e.what() << '\n';
        return exit_bad_file;
    }
}
