#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aegisrt/backend/engines.hpp"
#include "aegisrt/core/text.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {

namespace {

std::vector<std::pair<int, Registrar>>& registry() {
  static std::vector<std::pair<int, Registrar>> commands;
  return commands;
}

std::string backticked(std::string_view text) { return "`" + std::string(text) + "`"; }

std::vector<std::string> command_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

// "aegisrt experiment acceptance".
std::string command_line_of(const CLI::App& app) {
  std::string out = app.get_name();
  for (const CLI::App* p = app.get_parent(); p != nullptr; p = p->get_parent()) {
    out = p->get_name() + " " + out;
  }
  return out;
}

// The command being parsed when CLI11 threw: the last one named on the command line.
CLI::App& deepest_parsed(CLI::App& app) {
  const std::vector<CLI::App*> parsed = app.get_subcommands();
  return parsed.empty() ? app : deepest_parsed(*parsed.back());
}

// Where a command is expected (`aegisrt WORD`, `aegisrt experiment WORD`), a word that names none;
// CLI11 would only say "A subcommand is required". An option ends the scan: CLI11 reports those.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* current = &app;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const std::vector<std::string> names = command_names(*current);
    if (word.starts_with("-") || names.empty()) return std::nullopt;
    if (std::find(names.begin(), names.end(), word) != names.end()) {
      current = current->get_subcommand(word);
      continue;
    }
    const std::optional<std::string> near = nearest(word, names);
    const std::string of =
        current->get_parent() == nullptr ? "" : " of " + backticked(command_line_of(*current));
    return "unknown command " + backticked(word) + of +
           (near ? " (did you mean " + backticked(*near) + "?)" : "") +
           "; commands: " + join(names);
  }
  return std::nullopt;
}

// Every CLI11 parse error as "aegisrt: error: <command>: <what>; see `<command> --help`", with
// the nearest option for an unknown one.
void print_parse_error(CLI::App& app, const CLI::ParseError& e) {
  CLI::App& at = deepest_parsed(app);
  const std::string where = command_line_of(at);
  const std::string see = "; see `" + where + " --help`";
  if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::vector<std::string> names;
    for (const CLI::Option* o : at.get_options()) {
      if (o->get_group().empty()) continue;  // deprecated aliases are not suggested
      for (const std::string& l : o->get_lnames()) names.push_back("--" + l);
    }
    for (const CLI::App* p = &at; p != nullptr; p = p->get_parent()) {
      for (const std::string& extra : p->remaining()) {
        if (!extra.starts_with("-")) {
          print_error(where + ": unexpected argument " + backticked(extra) + see);
          return;
        }
        const std::string name = extra.substr(0, extra.find('='));
        const std::optional<std::string> near = nearest(name, names);
        print_error(where + ": unknown option " + backticked(name) +
                    (near ? " (did you mean " + backticked(*near) + "?)" : "") + see);
        return;
      }
    }
  } else if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr &&
             at.get_require_subcommand_min() > 0 && at.get_subcommands().empty()) {
    print_error(where + ": a command is required: one of " + join(command_names(at)) + see);
    return;
  }
  // CLI11's "--seed: 1 required UINT missing" and "Could not convert: --seed = abc", reworded.
  std::string what = e.what();
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr && what.ends_with(" missing")) {
    what = what.substr(0, what.find(':')) + " needs a value";
  } else if (const std::string prefix = "Could not convert: ";
             dynamic_cast<const CLI::ConversionError*>(&e) != nullptr && what.starts_with(prefix)) {
    const std::size_t eq = what.find(" = ");
    if (eq != std::string::npos) {
      const std::string name = what.substr(prefix.size(), eq - prefix.size());
      const CLI::Option* o = at.get_option_no_throw(name);
      const std::string type = o == nullptr ? "" : o->get_type_name();
      const std::string kind = type.starts_with("UINT")    ? "a whole number >= 0"
                               : type.starts_with("INT")   ? "a whole number"
                               : type.starts_with("FLOAT") ? "a number"
                                                           : "a valid value";
      what = name + ": " + backticked(what.substr(eq + 3)) + " is not " + kind;
    }
  }
  print_error(where + ": " + what + see);
}

// Unsigned options (seeds, counts) refuse a negative number instead of wrapping it around.
void reject_negative_unsigned(CLI::App& app) {
  for (CLI::Option* o : app.get_options()) {
    if (!o->get_type_name().starts_with("UINT")) continue;
    o->check(CLI::Validator(
        [](std::string& value) -> std::string {
          return value.starts_with("-")
                     ? backticked(value) + " is negative; give a whole number >= 0"
                     : std::string();
        },
        "", "non-negative"));
  }
  for (CLI::App* sub : app.get_subcommands({})) reject_negative_unsigned(*sub);
}

// A command whose help does not list its own exit codes gets the common list.
void default_exit_code_footers(CLI::App& app) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_footer().empty()) {
      sub->footer(
          "Exit codes: 0 ok; 1 internal error; 2 bad input or usage; 3 not schedulable or does "
          "not fit (see README.md).");
    }
    default_exit_code_footers(*sub);
  }
}

}  // namespace

CommandRegistration::CommandRegistration(int order, Registrar registrar) {
  registry().emplace_back(order, registrar);
}

void register_all(CLI::App& app, ExitCode& exit) {
  auto& commands = registry();
  std::sort(commands.begin(), commands.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [order, registrar] : commands) registrar(app, exit);
}

void print_error(const std::string& message) {
  std::fprintf(stderr, "aegisrt: error: %s\n", message.c_str());
}

void print_deprecated(const std::string& alias, const std::string& name) {
  std::fprintf(stderr, "aegisrt: note: %s is deprecated; use %s (the same meaning)\n",
               alias.c_str(), name.c_str());
}

bool reject_directory(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec)) return false;
  print_error(backticked(path) + " is a directory, not " + what);
  return true;
}

std::optional<Workload> load_workload_to_run(const std::string& file, const std::string& policy) {
  auto loaded = workload::load_file(file);
  if (!loaded.ok()) {
    print_error(loaded.error().to_string());
    return std::nullopt;
  }
  for (const std::string& warning : loaded->warnings) {
    std::fprintf(stderr, "aegisrt: warning: %s\n", warning.c_str());
  }
  Workload w = std::move(loaded->workload);
  if (!policy.empty()) {
    const auto p = parse_policy(policy);
    if (!p) {
      print_error("--policy `" + policy + "` is not one of np-edf, np-fp, fifo, lp-edf, lp-fp");
      return std::nullopt;
    }
    w.scheduler.policy = *p;
  }
  return w;
}

std::optional<Duration> positive_duration_option(std::string_view option, const std::string& text) {
  const ParsedDuration d = parse_duration_text(text);
  const std::string what = std::string(option) + " `" + text + "`";
  if (d.problem == DurationProblem::kNotWholeNs) {
    std::size_t split = text.size();
    while (split > 0 && std::isalpha(static_cast<unsigned char>(text[split - 1]))) --split;
    const TimeUnit unit = parse_unit(std::string_view(text).substr(split)).value_or(TimeUnit::kNs);
    const int decimals = max_decimals(unit);
    print_error(what + " is not a whole number of nanoseconds; durations are integer " +
                "nanoseconds: " +
                (decimals == 0 ? std::string("write a whole number of ns")
                               : "write at most " + std::to_string(decimals) + " decimals with " +
                                     std::string(unit_suffix(unit)) + " (or a smaller unit)"));
    return std::nullopt;
  }
  if (d.problem == DurationProblem::kTooLarge) {
    print_error(what + " is too large; durations must fit in 64-bit nanoseconds (about 292 years)");
    return std::nullopt;
  }
  if (!d.ok() || d.value <= Duration::zero()) {
    print_error(what + " is not a positive duration with a unit (e.g. 250ms, 10s, 400000us)");
    return std::nullopt;
  }
  return d.value;
}

}  // namespace aegisrt::cli

int main(int argc, char** argv) {
  using namespace aegisrt::cli;
  CLI::App app{
      "AegisRT: run several neural networks on one device with worst-case latency proven before "
      "deployment.\nExit codes: 0 ok, 1 internal error, 2 bad input or usage, 3 not schedulable, 4 "
      "explain: a\ndecision not reproduced or a truncated trace, 5 simulate: an admitted set "
      "missed a deadline."};
  app.set_version_flag("--version", std::string("aegisrt ") + AEGISRT_VERSION);
  app.name("aegisrt");  // not argv[0]: messages and help say `aegisrt`
  app.require_subcommand(1);
  // The engines of this build, before any command describes or loads a backend.
  aegisrt::backend::register_engines();
  ExitCode exit;
  register_all(app, exit);
  reject_negative_unsigned(app);
  default_exit_code_footers(app);
  if (const std::optional<std::string> unknown = unknown_command(app, argc, argv)) {
    print_error(*unknown);
    return kExitBadInput;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    print_parse_error(app, e);
    return kExitBadInput;
  } catch (const std::exception& e) {
    print_error(std::string("internal error: ") + e.what());
    return kExitInternal;
  }
  return exit.value;
}
