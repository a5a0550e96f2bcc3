// The backends AegisRT knows, by name: what each is, whether this build has it, and the factory
// that loads a model into it. The one list that the workload reader, the CLI and the scheduler's
// adapter consult (docs/design/0007, "The registry").
//
// Every backend AegisRT can have is known by name from the start (sim, cpu, opencv, cuda), so that
// a workload file naming one is valid on any build and a build without it can say how to get it.
// An engine library (aegisrt::cpu, aegisrt::opencv) fills in its factory when its registration
// function runs; backend::register_engines() (engines.hpp, the aegisrt::engines target) calls
// those of every engine the build has. Nothing registers itself from a static initialiser: the
// linker drops unreferenced objects of a static library, so a program calls register_engines() (the
// `aegisrt` command and the tests do, at start).
//
// Thread-safe: a mutex guards the table (it is read and written at load time only, never on the
// dispatch path).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/core/result.hpp"

namespace aegisrt::backend {

// Loads the model `request` names into an engine. Errors: the engine's (see e.g. cpu::load).
using RunnerFactory = Result<std::unique_ptr<ModelRunner>> (*)(const LoadRequest& request);

struct BackendEntry {
  std::string name;         // "cpu"
  std::string description;  // one line, for --help and `aegisrt check`
  // How to build it in, for a build without it ("configure with -DAEGISRT_CPU=ON ...").
  std::string enable_hint;
  // Runs in virtual time (`sim`): no model runner, the caller makes sim::SimBackend itself.
  bool virtual_time = false;
  RunnerFactory factory = nullptr;  // set by the engine's registration; null: not compiled in
  // The engine's library and version ("oneDNN 2.6.3") and the CPU instruction set it runs with
  // ("avx2"), set by its registration (set_engine_info); empty: not told. A profile's platform
  // stamp is compared against these.
  std::string engine;
  std::string isa;

  bool compiled_in() const { return virtual_time || factory != nullptr; }
  bool runs_models() const { return !virtual_time; }
};

// Every known backend, in a fixed order: sim, cpu, opencv, cuda, then any registered later.
std::vector<BackendEntry> backends();
// Their names, in the same order (what a workload's `device.backend` may say).
std::vector<std::string> backend_names();
// The names of the backends that run models (every one but sim).
std::vector<std::string> runner_backend_names();

// The entry called `name`, compiled in or not. Errors: kInvalidArgument for an unknown name; the
// hint suggests the nearest known name ("did you mean `opencv`?") and lists them all.
Result<BackendEntry> find_backend(std::string_view name);

// The entry called `name` when this build can run models on it. Errors: those of find_backend;
// kInvalidArgument for `sim` (it runs no models: use sim::SimBackend); kUnsupported for a backend
// not compiled in, whose hint says how to enable it.
Result<BackendEntry> runner_backend(std::string_view name);

// Loads `request` into backend `name` (runner_backend(name)->factory). Errors: those of
// runner_backend and of the engine.
Result<std::unique_ptr<ModelRunner>> load_runner(std::string_view name, const LoadRequest& request);

// Sets the factory of backend `name` (an engine's registration function calls this). A name not
// known yet is added with `description` and `enable_hint` (an engine from outside AegisRT); for a
// known one they replace the built-in text only when non-empty. Calling it again replaces the
// factory. `factory` must not be null (an assertion).
void register_backend(std::string_view name, RunnerFactory factory,
                      std::string_view description = {}, std::string_view enable_hint = {});

// Sets the engine and ISA of backend `name` (an engine's registration calls it after
// register_backend). An unknown name is ignored.
void set_engine_info(std::string_view name, std::string_view engine, std::string_view isa);

}  // namespace aegisrt::backend
