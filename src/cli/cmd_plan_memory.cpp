// `aegisrt plan-memory FILE|MODEL... [--preemption none|limited] [--json]`: per-model activation
// arenas (naive sum, liveness lower bound, greedy-by-size plan) and the set's shared arena.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "aegisrt/app/admission.hpp"
#include "aegisrt/memory/workload_memory.hpp"
#include "aegisrt/model/import.hpp"
#include "aegisrt/workload/workload.hpp"
#include "commands.hpp"

namespace aegisrt::cli {

namespace {

struct PlanMemoryArgs {
  std::vector<std::string> inputs;
  std::string preemption;
  std::uint32_t max_segments = 0;
  std::uint64_t min_segment_flops = 0;
  bool json = false;
};

bool is_model_path(const std::string& s) {
  const auto colon = s.rfind(':');
  const std::string path = colon == std::string::npos ? s : s.substr(0, colon);
  return s.ends_with(".onnx") || path.ends_with(".onnx");
}

// "path.onnx" or "path.onnx:1,3,640,640".
Result<memory::ModelRef> parse_model_arg(const std::string& arg) {
  memory::ModelRef ref;
  ref.path = arg;
  if (!arg.ends_with(".onnx")) {
    const auto colon = arg.rfind(':');
    ref.path = arg.substr(0, colon);
    auto shape = model::parse_input_shape(arg.substr(colon + 1));
    if (!shape) return shape.error();
    ref.input_shape = shape->shape;
  }
  return ref;
}

std::string mib(std::uint64_t bytes) {
  return fmt::format("{:.2f}", static_cast<double>(bytes) / (1024.0 * 1024.0));
}

double ratio(std::uint64_t a, std::uint64_t b) {
  return b == 0 ? 1.0 : static_cast<double>(a) / static_cast<double>(b);
}

void print_text(const memory::WorkloadMemory& m) {
  fmt::print("{:<40} {:>10} {:>10} {:>10} {:>10} {:>8} {:>10}\n", "model", "weights", "naive",
             "lower bnd", "arena", "arena/LB", "preserved");
  for (const auto& r : m.models) {
    fmt::print("{:<40} {:>10} {:>10} {:>10} {:>10} {:>8.3f} {:>10}\n", r.name, mib(r.weights_bytes),
               mib(r.naive_bytes), mib(r.lower_bound_bytes), mib(r.arena_bytes),
               ratio(r.arena_bytes, r.lower_bound_bytes), mib(r.preserved_bytes));
  }
  fmt::print("(MiB; preserved: most bytes live at one of the model's segment boundaries)\n\n");
  const auto& s = m.shared;
  fmt::print("set of {} models, preemption {}:\n", m.models.size(),
             memory::to_string(m.preemption));
  fmt::print("  isolated arenas (sum)      {:>10} MiB\n", mib(s.isolated_bytes));
  fmt::print("  shared region (largest)    {:>10} MiB\n", mib(s.shared_region_bytes));
  if (m.preemption == memory::Preemption::kLimited) {
    fmt::print("  preserved slots            {:>10} MiB\n", mib(s.preserved_bytes));
    fmt::print("  worst admissible nesting   {:>10} MiB\n", mib(s.nesting_bound_bytes));
  }
  if (s.isolated_layout) {
    fmt::print("  (region + slots >= isolated arenas: each model keeps its own arena)\n");
  }
  fmt::print("  shared arena               {:>10} MiB\n", mib(s.shared_bytes));
  fmt::print("  saving                     {:>10.1f} %\n", 100.0 * s.saving_fraction);
  fmt::print("  total with weights         {:>10} MiB\n", mib(m.total_bytes));
  if (m.budget_bytes > 0) {
    fmt::print("  device memory budget       {:>10} MiB: {}\n", mib(m.budget_bytes),
               m.fits_budget ? "fits" : "DOES NOT FIT");
  }
}

nlohmann::json to_json(const memory::WorkloadMemory& m) {
  nlohmann::json j;
  j["preemption"] = memory::to_string(m.preemption);
  j["models"] = nlohmann::json::array();
  for (const auto& r : m.models) {
    j["models"].push_back({{"name", r.name},
                           {"path", r.path},
                           {"weights_bytes", r.weights_bytes},
                           {"naive_bytes", r.naive_bytes},
                           {"lower_bound_bytes", r.lower_bound_bytes},
                           {"arena_bytes", r.arena_bytes},
                           {"arena_to_lower_bound", ratio(r.arena_bytes, r.lower_bound_bytes)},
                           {"preserved_bytes", r.preserved_bytes},
                           {"segments", r.segments},
                           {"flops", r.flops}});
  }
  const auto& s = m.shared;
  j["shared"] = {
      {"isolated_bytes", s.isolated_bytes},   {"shared_bytes", s.shared_bytes},
      {"saving_fraction", s.saving_fraction}, {"shared_region_bytes", s.shared_region_bytes},
      {"preserved_bytes", s.preserved_bytes}, {"nesting_bound_bytes", s.nesting_bound_bytes},
      {"isolated_layout", s.isolated_layout}};
  j["total_bytes"] = m.total_bytes;
  if (m.budget_bytes > 0) {
    j["budget_bytes"] = m.budget_bytes;
    j["fits_budget"] = m.fits_budget;
  }
  return j;
}

int run_plan_memory(const PlanMemoryArgs& args) {
  std::optional<memory::Preemption> preemption;
  if (args.preemption == "none") {
    preemption = memory::Preemption::kNone;
  } else if (args.preemption == "limited") {
    preemption = memory::Preemption::kLimited;
  } else if (!args.preemption.empty()) {
    print_error("--preemption must be none or limited, not '" + args.preemption + "'");
    return kExitBadInput;
  }
  const model::SegmentOptions segments{args.min_segment_flops, args.max_segments};
  Result<memory::WorkloadMemory> planned = make_error(ErrorCode::kInternal, "not planned");
  // For a workload on an engine this build has: what its run reserves (app/admission.hpp), the
  // figure admission counts.
  std::optional<memory::AdmissionMemory> reserved;
  std::string backend_name;
  if (args.inputs.size() == 1 && !is_model_path(args.inputs[0])) {
    // A workload file: its tasks' models, input shapes, policy and memory budget.
    auto loaded = workload::load_file(args.inputs[0]);
    if (!loaded) {
      print_error(loaded.error().to_string());
      return kExitBadInput;
    }
    planned = memory::plan_workload(loaded->workload, preemption, segments);
    if (planned) {
      auto engine = app::reserved_memory(loaded->workload, loaded->workload.scheduler.policy);
      if (!engine) {
        print_error(engine.error().to_string());
        return kExitBadInput;
      }
      reserved = *engine;
      backend_name = loaded->workload.device.backend;
    }
  } else {
    std::vector<memory::ModelRef> models;
    for (const std::string& in : args.inputs) {
      if (!is_model_path(in)) {
        print_error("'" + in +
                    "' is not an .onnx model; give either one workload file or ONNX models");
        return kExitBadInput;
      }
      auto ref = parse_model_arg(in);
      if (!ref) {
        print_error(ref.error().to_string());
        return kExitBadInput;
      }
      models.push_back(*ref);
    }
    planned = memory::plan_models(models, preemption.value_or(memory::Preemption::kNone), segments);
  }
  if (!planned) {
    print_error(planned.error().to_string());
    return kExitBadInput;
  }
  const std::uint64_t budget = planned->budget_bytes;
  const bool reserved_fits = !reserved || budget == 0 || reserved->bytes <= budget;
  if (args.json) {
    nlohmann::json j = to_json(*planned);
    if (reserved) {
      j["reserved"] = {
          {"backend", backend_name}, {"bytes", reserved->bytes}, {"source", reserved->source}};
      if (budget > 0) j["reserved"]["fits_budget"] = reserved_fits;
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    print_text(*planned);
    if (reserved) {
      fmt::print("\non `{}` the run reserves {} MiB, the figure admission counts:\n  {}\n",
                 backend_name, mib(reserved->bytes), reserved->source);
      if (budget > 0) {
        fmt::print("  device memory budget       {:>10} MiB: {}\n", mib(budget),
                   reserved_fits ? "fits" : "DOES NOT FIT");
      }
    }
  }
  // Like `admit`: a plan that does not fit the device's budget is a refusal a script can see.
  return planned->fits_budget && reserved_fits ? kExitOk : kExitUnschedulable;
}

void register_plan_memory(CLI::App& app, ExitCode& exit) {
  auto args = std::make_shared<PlanMemoryArgs>();
  CLI::App* cmd = app.add_subcommand(
      "plan-memory",
      "Plan activation memory: per model naive / lower bound / planned arena, and the shared arena "
      "of the set");
  cmd->add_option("inputs", args->inputs,
                  "a workload file, or ONNX models (MODEL.onnx or MODEL.onnx:1,3,640,640 for a "
                  "model with dynamic input dimensions)")
      ->required();
  cmd->add_option("--preemption", args->preemption,
                  "none (one job at a time) or limited (preemption at segment boundaries); "
                  "default: the workload's policy, none for bare models");
  cmd->add_option("--segments", args->max_segments,
                  "merge each model into at most N segments (limited preemption)");
  cmd->add_option("--min-segment-flops", args->min_segment_flops,
                  "merge nodes until each segment has at least F FLOPs");
  cmd->add_flag("--json", args->json, "print JSON");
  cmd->footer(
      "Exit codes: 0 the plan fits (or no device.memory_budget is declared); 3 the plan, or what "
      "the run reserves on the workload's engine, does not fit the workload's "
      "device.memory_budget; 2 bad input or usage; 1 internal error.");
  cmd->callback([args, &exit]() { exit.value = run_plan_memory(*args); });
}

CommandRegistration reg(55, &register_plan_memory);

}  // namespace

}  // namespace aegisrt::cli
