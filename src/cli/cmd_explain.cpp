// `aegisrt explain TRACE`: replays every scheduling decision recorded in a trace and says whether
// each one is reproduced (docs/design/0005-traces.md).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "aegisrt/trace/explain.hpp"
#include "commands.hpp"

namespace aegisrt::cli {

namespace {

struct ExplainOptions {
  std::string trace;
  bool json = false;
  bool verbose = false;
};

std::string at(TimePoint t) { return format_duration(t.since_epoch()); }

void print_text(const std::string& path, const trace::ExplainReport& r, bool verbose) {
  fmt::print("{}: workload {}, backend {}, policy {}, load shedding {}\n", path,
             r.workload.empty() ? "(unnamed)" : r.workload, r.backend, to_string(r.policy),
             r.load_shedding ? "on" : "off");
  if (verbose) {
    for (const trace::ExplainedDecision& d : r.details) {
      fmt::print("  decision {} at {}: {}{}\n", d.decision, at(d.time), d.reason_text,
                 d.reproduced ? "" : "  [NOT REPRODUCED]");
    }
  }
  fmt::print("reproduced {} of {} decisions (policy {})\n", r.reproduced, r.decisions,
             to_string(r.policy));
  if (!r.mismatches.empty()) {
    fmt::print("{} mismatch{}:\n", r.mismatches.size(), r.mismatches.size() == 1 ? "" : "es");
    for (const trace::Mismatch& m : r.mismatches) {
      if (m.kind == trace::MismatchKind::kCount) {
        fmt::print("  [count] {}, but {}\n", m.recorded, m.replayed);
        continue;
      }
      // A choice is replayed; inputs and dispatch are checked against the rest of the trace.
      const char* other =
          m.kind == trace::MismatchKind::kChoice ? "replayed" : "but the trace says";
      fmt::print("  decision {} at {} [{}]: recorded {}; {} {}\n", m.decision, at(m.time),
                 to_string(m.kind), m.recorded, other, m.replayed);
    }
  }
  if (r.lost_records > 0) {
    fmt::print(
        "trace truncated: {} records were lost when the run's trace buffer filled; decisions after "
        "that point are not in the trace\n",
        r.lost_records);
  }
}

void print_json(const std::string& path, const trace::ExplainReport& r, bool verbose) {
  nlohmann::ordered_json out;
  out["trace"] = path;
  out["workload"] = r.workload;
  out["backend"] = r.backend;
  out["policy"] = to_string(r.policy);
  out["load_shedding"] = r.load_shedding;
  out["decisions"] = r.decisions;
  out["reproduced"] = r.reproduced;
  out["lost_records"] = r.lost_records;
  out["all_reproduced"] = r.all_reproduced();
  out["mismatches"] = nlohmann::ordered_json::array();
  for (const trace::Mismatch& m : r.mismatches) {
    out["mismatches"].push_back({{"decision", m.decision},
                                 {"time_ns", m.time.ns()},
                                 {"kind", to_string(m.kind)},
                                 {"recorded", m.recorded},
                                 {"replayed", m.replayed}});
  }
  if (verbose) {
    out["details"] = nlohmann::ordered_json::array();
    for (const trace::ExplainedDecision& d : r.details) {
      out["details"].push_back({{"decision", d.decision},
                                {"time_ns", d.time.ns()},
                                {"reason_text", d.reason_text},
                                {"reproduced", d.reproduced}});
    }
  }
  fmt::print("{}\n", out.dump(2));
}

int run_explain(const ExplainOptions& o) {
  if (reject_directory(o.trace, "a trace file")) return kExitBadInput;
  const auto report = trace::explain_file(o.trace);
  if (!report.ok()) {
    print_error(report.error().to_string());
    return kExitBadInput;
  }
  if (o.json) {
    print_json(o.trace, *report, o.verbose);
  } else {
    print_text(o.trace, *report, o.verbose);
  }
  // 1: the trace does not fully support its decisions (a mismatch, or a truncated trace).
  return report->all_reproduced() ? kExitOk : kExitNotReproduced;
}

void register_explain(CLI::App& app, ExitCode& exit) {
  auto opts = std::make_shared<ExplainOptions>();
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Replay every scheduling decision recorded in a trace through the policy and check it");
  cmd->add_option("TRACE", opts->trace, "Trace JSON written by `aegisrt simulate --trace FILE`")
      ->required();
  cmd->add_flag("--json", opts->json, "Print the report as JSON");
  cmd->add_flag("-v,--verbose", opts->verbose, "Print every decision with its reason");
  cmd->footer(
      "Exit codes: 0 every decision reproduced; 4 a decision was not reproduced or the trace is "
      "truncated (records were lost); 2 the file is missing, a directory, not JSON or not an "
      "AegisRT trace; 1 internal error.\n");
  cmd->callback([opts, &exit] { exit.value = run_explain(*opts); });
}

}  // namespace

static CommandRegistration reg(30, &register_explain);

}  // namespace aegisrt::cli
