// The `aegisrt` command line: each subcommand lives in its own cmd_<name>.cpp and registers itself
// on the CLI11 app. A subcommand's callback stores its exit code in `ExitCode`.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "aegisrt/core/task.hpp"
#include "aegisrt/core/time.hpp"

namespace aegisrt::cli {

// Exit codes, documented in README.md and in every subcommand's --help footer.
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;
inline constexpr int kExitBadInput = 2;       // bad input or usage
inline constexpr int kExitUnschedulable = 3;  // `admit`: the set is not schedulable
inline constexpr int kExitNotReproduced =
    4;  // `explain`: a decision differs or the trace is truncated
inline constexpr int kExitUnexpectedMiss = 5;  // `simulate`: an admitted set missed a deadline

struct ExitCode {
  int value = kExitOk;
};

// Each cmd_<name>.cpp defines one static CommandRegistration; main() adds the commands in
// ascending `order` (the order `aegisrt --help` lists them in), so adding a command touches no
// other file.
using Registrar = void (*)(CLI::App& app, ExitCode& exit);
struct CommandRegistration {
  CommandRegistration(int order, Registrar registrar);
};
void register_all(CLI::App& app, ExitCode& exit);

// Prints "aegisrt: error: <message>" to stderr.
void print_error(const std::string& message);

// Prints "aegisrt: note: <alias> is deprecated; use <name> ..." to stderr.
void print_deprecated(const std::string& alias, const std::string& name);

// An old spelling of option `name` kept working for existing scripts: it sets the same variable,
// is hidden from --help and prints a one-line note each time it is used.
template <typename T>
CLI::Option* add_deprecated_alias(CLI::App& cmd, const std::string& alias, const std::string& name,
                                  T& variable) {
  return cmd.add_option(alias, variable, "deprecated spelling of " + name)
      ->group("")
      ->each([alias, name](const std::string&) { print_deprecated(alias, name); });
}

// A directory where a file is expected: prints "`PATH` is a directory, not <what>" and returns
// true (the caller exits kExitBadInput); false for anything else, which the reader then opens.
bool reject_directory(const std::string& path, const std::string& what);

// Reads a workload file for a command that runs it: prints the loader's warnings to stderr and,
// with a non-empty `policy`, overrides the file's policy. On bad input prints why and returns
// nullopt (the caller exits kExitBadInput).
std::optional<Workload> load_workload_to_run(const std::string& file, const std::string& policy);

// The value of a duration option such as `--duration 10s`, read exactly (parse_duration_text): a
// positive number with its unit. Otherwise prints why, naming the option ("--duration `1.5ns` is
// not a whole number of nanoseconds; ..."), and returns nullopt: the caller exits kExitBadInput.
std::optional<Duration> positive_duration_option(std::string_view option, const std::string& text);

}  // namespace aegisrt::cli
