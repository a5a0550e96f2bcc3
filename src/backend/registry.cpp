#include "aegisrt/backend/registry.hpp"

#include <algorithm>
#include <mutex>

#include "aegisrt/core/text.hpp"

namespace aegisrt::backend {
namespace {

struct Table {
  std::mutex mutex;
  std::vector<BackendEntry> entries;  // guarded by mutex
};

Table& table() {
  static Table t{
      {},
      {
          {"sim",
           "a deterministic timing model in virtual time (tests, simulation, analysis)",
           "",
           true,
           nullptr,
           {},
           {}},
          {"cpu",
           "real inference on the CPU with oneDNN primitives, in planned memory, segment by "
           "segment",
           "this build has no cpu engine: install libdnnl-dev and ocl-icd-opencl-dev with "
           "scripts/setup, then configure with -DAEGISRT_CPU=ON",
           false,
           nullptr,
           {},
           {}},
          {"opencv",
           "OpenCV DNN as a delegated engine: a whole model is one opaque segment",
           "this build has no opencv engine: install libopencv-dnn-dev with scripts/setup, then "
           "configure with -DAEGISRT_OPENCV=ON",
           false,
           nullptr,
           {},
           {}},
          {"cuda",
           "real inference on an NVIDIA GPU with cuDNN/cuBLAS, in a planned device arena",
           "no build of AegisRT has a cuda engine yet: AEGISRT_CUDA only finds the toolkit; run "
           "models on cpu meanwhile",
           false,
           nullptr,
           {},
           {}},
      }};
  return t;
}

}  // namespace

std::vector<BackendEntry> backends() {
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  return t.entries;
}

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
  for (const BackendEntry& e : backends()) names.push_back(e.name);
  return names;
}

std::vector<std::string> runner_backend_names() {
  std::vector<std::string> names;
  for (const BackendEntry& e : backends()) {
    if (e.runs_models()) names.push_back(e.name);
  }
  return names;
}

Result<BackendEntry> find_backend(std::string_view name) {
  const std::vector<BackendEntry> all = backends();
  for (const BackendEntry& e : all) {
    if (e.name == name) return e;
  }
  const std::vector<std::string> names = backend_names();
  const auto suggestion = nearest(name, names);
  std::string hint = suggestion ? "did you mean `" + *suggestion + "`? " : std::string();
  hint += "one of: " + join(names);
  return make_error(ErrorCode::kInvalidArgument, "`" + std::string(name) + "` is not a backend",
                    hint);
}

Result<BackendEntry> runner_backend(std::string_view name) {
  auto entry = find_backend(name);
  if (!entry) {
    // Suggest among the backends that run models.
    const std::vector<std::string> names = runner_backend_names();
    Error e = entry.error();
    const auto suggestion = nearest(name, names);
    e.hint = (suggestion ? "did you mean `" + *suggestion + "`? " : std::string()) +
             "one of: " + join(names);
    return e;
  }
  if (entry->virtual_time) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the `" + entry->name + "` backend runs no models (virtual time)",
                      "run models on one of: " + join(runner_backend_names()) +
                          "; `aegisrt simulate` runs a workload on sim");
  }
  if (!entry->compiled_in()) {
    return make_error(ErrorCode::kUnsupported,
                      "the `" + entry->name + "` backend is not compiled into this build",
                      entry->enable_hint);
  }
  return entry;
}

Result<std::unique_ptr<ModelRunner>> load_runner(std::string_view name,
                                                 const LoadRequest& request) {
  auto entry = runner_backend(name);
  if (!entry) return entry.error();
  return entry->factory(request);
}

void register_backend(std::string_view name, RunnerFactory factory, std::string_view description,
                      std::string_view enable_hint) {
  AEGISRT_ASSERT(factory != nullptr);
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  auto it = std::find_if(t.entries.begin(), t.entries.end(),
                         [&](const BackendEntry& e) { return e.name == name; });
  if (it == t.entries.end()) {
    t.entries.push_back({std::string(name),
                         std::string(description),
                         std::string(enable_hint),
                         false,
                         factory,
                         {},
                         {}});
    return;
  }
  it->factory = factory;
  if (!description.empty()) it->description = std::string(description);
  if (!enable_hint.empty()) it->enable_hint = std::string(enable_hint);
}

void set_engine_info(std::string_view name, std::string_view engine, std::string_view isa) {
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  for (BackendEntry& e : t.entries) {
    if (e.name != name) continue;
    e.engine = std::string(engine);
    e.isa = std::string(isa);
  }
}

}  // namespace aegisrt::backend
