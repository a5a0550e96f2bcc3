// The `cpu` backend's ModelRunner: the compiled program (compile.cpp) placed in a planned arena and
// executed segment by segment (docs/design/0007-cpu-backend.md).
#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/cpu/cpu_backend.hpp"
#include "aegisrt/memory/arena.hpp"
#include "aegisrt/memory/planner.hpp"
#include "aegisrt/memory/run_heap.hpp"
#include "hand_kernels.hpp"
#include "program.hpp"

namespace aegisrt::cpu {
namespace {

// Debian's oneDNN runs on GNU OpenMP, whose thread count is a per-thread setting of the thread
// that enters a parallel region. libgomp is loaded with libdnnl; reaching its two entry points
// through dlsym keeps OpenMP compile flags out of AegisRT (clang needs no libomp).
struct OpenMp {
  void (*set_num_threads)(int) = nullptr;
  int (*get_max_threads)() = nullptr;
  // libgomp's entry for `#pragma omp parallel`: runs fn(data) on the calling thread and on
  // num_threads - 1 workers of the calling thread's team (the same workers oneDNN's regions get).
  void (*parallel)(void (*fn)(void*), void* data, unsigned num_threads, unsigned flags) = nullptr;
};

const OpenMp& openmp() {
  static const OpenMp omp = [] {
    OpenMp o;
    // NOLINTNEXTLINE: function pointers from dlsym
    o.set_num_threads = reinterpret_cast<void (*)(int)>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    o.get_max_threads = reinterpret_cast<int (*)()>(dlsym(RTLD_DEFAULT, "omp_get_max_threads"));
    o.parallel = reinterpret_cast<void (*)(void (*)(void*), void*, unsigned, unsigned)>(
        dlsym(RTLD_DEFAULT, "GOMP_parallel"));
    return o;
  }();
  return omp;
}

// Attaches the calling thread and its OpenMP workers to the run heap (memory/run_heap.hpp), so
// that oneDNN's per-call blocks come from their pools. True when every one of them holds a pool.
bool attach_compute_threads(int threads) {
  if (!memory::attach_run_heap(memory::RunHeapUse::kInScopes).ok()) return false;
  const OpenMp& omp = openmp();
  if (threads <= 1 || omp.parallel == nullptr) return true;
  std::atomic<int> failed{0};
  omp.parallel(
      [](void* data) {
        // The calling thread (attached above) keeps its pool for scopes; a worker only ever runs
        // oneDNN's work, so its pool serves it always.
        if (memory::run_heap_attached()) return;
        if (!memory::attach_run_heap(memory::RunHeapUse::kAlways).ok()) {
          static_cast<std::atomic<int>*>(data)->fetch_add(1);
        }
      },
      &failed, static_cast<unsigned>(threads), 0);
  return failed.load() == 0;
}

// Configures the calling thread for compute: its OpenMP thread count and, with `pin`, its CPU
// affinity (one core with one thread; cores [first, first + threads) otherwise, which the OpenMP
// workers it starts inherit). Returns the thread count OpenMP reports.
int configure_thread(const Options& o) {
  const OpenMp& omp = openmp();
  if (omp.set_num_threads != nullptr) omp.set_num_threads(std::max(1, o.threads));
  if (o.pin) {
    cpu_set_t set;
    CPU_ZERO(&set);
    const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < std::max(1, o.threads); ++i) CPU_SET((o.first_core + i) % cores, &set);
    // Best effort: a core outside the process's allowed set leaves the affinity as it was.
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  return omp.get_max_threads != nullptr ? omp.get_max_threads() : 1;
}

class CpuRunner final : public backend::ModelRunner {
 public:
  CpuRunner(const model::Graph& g, Program program, const Options& options, int threads,
            const dnnl::engine& engine)
      : program_(std::move(program)), options_(options), engine_(engine), stream_(engine_) {
    info_.backend = "cpu";
    info_.engine = engine_version();
    info_.isa = engine_isa();
    info_.threads = threads;
    info_.memory_planned = true;
    for (const Step& step : program_.steps) {
      if (allocates_per_execution(step.impl)) {
        info_.allocating_steps.push_back(step.label + " (" + step.impl + ")");
      }
    }
    model_name_ = g.name;
    for (ValueIdList::size_type i = 0; i < g.inputs.size(); ++i) {
      const model::Value& v = g.value(g.inputs[i]);
      inputs_.push_back(backend::TensorInfo{v.name, v.shape});
    }
    for (ValueIdList::size_type i = 0; i < g.outputs.size(); ++i) {
      const model::Value& v = g.value(g.outputs[i]);
      outputs_.push_back(backend::TensorInfo{v.name, v.shape});
    }
    configured_thread_ = std::this_thread::get_id();
  }

  Status prepare(std::span<const model::ModelSegment> segments,
                 const backend::MemoryBinding& binding) {
    for (const model::ModelSegment& s : segments) info_.segment_names.push_back(s.name);
    // Segment k runs steps [segment_begin_[k], segment_begin_[k + 1]).
    const std::size_t count = info_.segment_names.size();
    segment_begin_.assign(count + 1, program_.steps.size());
    for (std::size_t k = count; k-- > 0;) {
      std::size_t first = segment_begin_[k + 1];
      while (first > 0 && program_.steps[first - 1].segment >= k) --first;
      segment_begin_[k] = first;
    }

    // Plan the activation arena from the buffers' lifetimes over the steps.
    const auto steps = static_cast<std::uint32_t>(program_.steps.size());
    const std::uint32_t last = steps == 0 ? 0 : steps - 1;
    std::vector<memory::Lifetime> lifetimes(program_.buffers.size());
    std::vector<bool> used(program_.buffers.size(), false);
    for (std::size_t b = 0; b < program_.buffers.size(); ++b) {
      lifetimes[b].bytes = program_.buffers[b].bytes;
      lifetimes[b].first = program_.buffers[b].whole_run ? 0 : UINT32_MAX;
      lifetimes[b].last = program_.buffers[b].whole_run ? last : 0;
      used[b] = program_.buffers[b].whole_run;
    }
    auto touch = [&](int b, std::uint32_t i) {
      if (b < 0) return;
      auto& l = lifetimes[static_cast<std::size_t>(b)];
      l.first = std::min(l.first, i);
      l.last = std::max(l.last, i);
      used[static_cast<std::size_t>(b)] = true;
    };
    for (std::uint32_t i = 0; i < steps; ++i) {
      const Step& s = program_.steps[i];
      for (int t : s.reads) touch(program_.tensors[static_cast<std::size_t>(t)].buffer, i);
      for (int t : s.writes) touch(program_.tensors[static_cast<std::size_t>(t)].buffer, i);
      touch(s.scratch_buffer, i);
    }
    for (std::size_t b = 0; b < lifetimes.size(); ++b) {
      if (!used[b]) lifetimes[b] = memory::Lifetime{0, 0, 0};
    }
    const memory::ArenaPlan plan = memory::plan_greedy_by_size(lifetimes);
    buffer_offsets_ = plan.offsets;
    info_.arena_bytes = plan.arena_bytes;
    needs_.arena_bytes = std::max<std::uint64_t>(plan.arena_bytes, memory::kDefaultAlignment);
    needs_.alignment = memory::kDefaultAlignment;
    needs_.live = live_at_boundaries(lifetimes, used);

    if (Status st = place_weights(); !st) return st;

    switch (binding.mode) {
      case backend::MemoryBinding::Mode::kOwn: {
        memory::ArenaOptions arena_options;
        arena_options.lock = options_.lock_memory;
        arena_options.prefault = true;
        auto arena = memory::Arena::create(needs_.arena_bytes, arena_options);
        if (!arena) return arena.error();
        activations_.emplace(std::move(arena.value()));
        return bind(activations_->data());
      }
      case backend::MemoryBinding::Mode::kRegion:
        return bind_memory(binding.region);
      case backend::MemoryBinding::Mode::kDeferred:
        return Ok{};  // the caller binds once it has planned (bind_memory)
    }
    return Ok{};
  }

  const backend::MemoryNeeds& memory_needs() const override { return needs_; }

  Status bind_memory(std::span<std::byte> region) override {
    if (region.size() < needs_.arena_bytes) {
      return make_error(ErrorCode::kInvalidArgument,
                        "cpu backend: a region of " + std::to_string(region.size()) +
                            " B cannot hold the activations of '" + model_name_ + "' (" +
                            std::to_string(needs_.arena_bytes) + " B)");
    }
    if (reinterpret_cast<std::uintptr_t>(region.data()) % needs_.alignment != 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "cpu backend: the region for '" + model_name_ + "' is not aligned to " +
                            std::to_string(needs_.alignment) + " bytes");
    }
    activations_.reset();
    return bind(region.data());
  }

  // The dispatcher may be another thread than the one that loaded the model: give it the thread
  // count, affinity and run-heap pools, and run one inference there, so that the per-thread
  // first-use work (OpenMP's team, thread-local state) is not done in its first job.
  Status prepare_thread() override {
    if (std::this_thread::get_id() == configured_thread_) return Ok{};
    if (base_ == nullptr) return not_bound();
    bind_thread();
    next_segment_ = 0;
    return warm_up();
  }

  const backend::RunnerInfo& info() const override { return info_; }
  std::span<const backend::TensorInfo> inputs() const override { return inputs_; }
  std::span<const backend::TensorInfo> outputs() const override { return outputs_; }

  Status set_input(std::size_t index, std::span<const float> data) override {
    if (Status st = check_input(index, data); !st.ok()) return st;
    if (base_ == nullptr) return not_bound();
    std::memcpy(input_ptrs_[index], data.data(), data.size_bytes());
    return Ok{};
  }

  backend::RunFailure run_segment(std::size_t k) override {
    if (base_ == nullptr || k >= checks_.size() || (k != 0 && k != next_segment_)) {
      return backend::RunFailure::kEngine;
    }
    if (std::this_thread::get_id() != configured_thread_) {
      // A dispatcher that skipped prepare_thread(): configure it now (this run may allocate).
      bind_thread();
    }
    next_segment_ = 0;
    // oneDNN's per-call blocks come from this thread's run-heap pool.
    const memory::RunHeapScope scope;
    if (!execute(k)) return backend::RunFailure::kEngine;
    next_segment_ = k + 1;
    for (const auto& [p, n] : checks_[k]) {
      if (!all_finite(p, n)) {
        next_segment_ = 0;
        return backend::RunFailure::kNonFinite;
      }
    }
    return backend::RunFailure::kNone;
  }

  std::span<const float> output(std::size_t index) const override {
    if (index >= outputs_.size() || base_ == nullptr) return {};
    return {output_ptrs_[index], outputs_[index].elements()};
  }

 private:
  using ValueIdList = std::vector<model::ValueId>;
  struct Bound {
    dnnl_primitive_t primitive = nullptr;
    HandKernel* hand = nullptr;
    std::vector<dnnl_exec_arg_t> args;
  };

  // Weights: one block, each in the layout its primitive chose, reordered once here. The weights
  // stay in the runner's own block whatever the activations' binding.
  Status place_weights() {
    memory::ArenaOptions arena_options;
    arena_options.lock = options_.lock_memory;
    arena_options.prefault = true;
    std::vector<std::uint64_t> weight_offsets;
    std::uint64_t weight_bytes = 0;
    for (const WeightSpec& w : program_.weights) {
      weight_offsets.push_back(weight_bytes);
      weight_bytes += memory::align_up(w.target.get_size(), memory::kDefaultAlignment);
    }
    info_.weights_bytes = weight_bytes;
    auto wa = memory::Arena::create(std::max<std::uint64_t>(weight_bytes, 64), arena_options);
    if (!wa) return wa.error();
    weights_.emplace(std::move(wa.value()));
    for (std::size_t i = 0; i < program_.weights.size(); ++i) {
      const WeightSpec& w = program_.weights[i];
      std::byte* dst = weights_->data() + weight_offsets[i];
      if (w.source == w.target) {
        std::memcpy(dst, w.data->data(), std::min(w.data->size(), w.target.get_size()));
        continue;
      }
      try {
        dnnl::memory src(w.source, engine_, const_cast<std::byte*>(w.data->data()));
        dnnl::memory out(w.target, engine_, dst);
        dnnl::reorder(src, out).execute(stream_, src, out);
        stream_.wait();
      } catch (const dnnl::error& e) {
        return make_error(ErrorCode::kInternal,
                          std::string("cpu backend: reordering a weight failed: ") + e.what());
      }
    }
    // The source bytes are no longer needed.
    for (WeightSpec& w : program_.weights) w.data.reset();
    weight_offsets_ = std::move(weight_offsets);
    return Ok{};
  }

  // Per boundary k (after segment k, before segment k + 1): the planned buffers live across it.
  // A buffer is live there when a step before the boundary touched it and one after it still
  // does; the model's inputs and outputs are live across every boundary (the outputs must survive
  // until the inference ends, even past boundaries after their last writer).
  std::vector<std::vector<backend::ByteRange>> live_at_boundaries(
      std::span<const memory::Lifetime> lifetimes, const std::vector<bool>& used) const {
    std::vector<std::vector<backend::ByteRange>> live;
    const std::size_t count = info_.segment_names.size();
    for (std::size_t k = 0; k + 1 < count; ++k) {
      const auto next_step = static_cast<std::uint32_t>(segment_begin_[k + 1]);
      std::vector<backend::ByteRange> ranges;
      for (std::size_t b = 0; b < lifetimes.size(); ++b) {
        if (!used[b]) continue;
        const bool whole_run = program_.buffers[b].whole_run;
        const bool across = lifetimes[b].first < next_step && lifetimes[b].last >= next_step;
        if (whole_run || across) ranges.push_back({buffer_offsets_[b], lifetimes[b].bytes});
      }
      std::sort(ranges.begin(), ranges.end(),
                [](const auto& a, const auto& b) { return a.offset < b.offset; });
      live.push_back(std::move(ranges));
    }
    return live;
  }

  // Binds every step to its operands' addresses, with the activations at `base`: memory objects
  // made once, over the arenas. Then readies the loading thread and runs the warm-up there.
  Status bind(std::byte* base) {
    base_ = base;
    memories_.clear();
    bound_.assign(program_.steps.size(), Bound{});
    for (std::size_t i = 0; i < program_.steps.size(); ++i) {
      Step& s = program_.steps[i];
      Bound& b = bound_[i];
      if (s.hand) {
        std::vector<std::byte*> ptrs;
        for (const auto& [pos, t] : s.args) ptrs.push_back(address(t));
        s.hand->bind(ptrs);
        b.hand = s.hand.get();
        continue;
      }
      b.primitive = s.primitive.get();
      try {
        for (const auto& [arg, t] : s.args) {
          memories_.emplace_back(program_.tensors[static_cast<std::size_t>(t)].md, engine_,
                                 address(t));
          b.args.push_back(dnnl_exec_arg_t{arg, memories_.back().get()});
        }
        if (s.scratch_buffer >= 0) {
          memories_.emplace_back(
              s.scratch_md, engine_,
              base_ + buffer_offsets_[static_cast<std::size_t>(s.scratch_buffer)]);
          b.args.push_back(dnnl_exec_arg_t{DNNL_ARG_SCRATCHPAD, memories_.back().get()});
        }
      } catch (const dnnl::error& e) {
        base_ = nullptr;
        return make_error(ErrorCode::kInternal,
                          std::string("cpu backend: binding memory failed: ") + e.what());
      }
    }

    const std::size_t count = info_.segment_names.size();
    checks_.assign(count, {});
    for (std::size_t k = 0; k < count && k < program_.checked_tensors.size(); ++k) {
      for (int t : program_.checked_tensors[k]) {
        const auto& d = program_.tensors[static_cast<std::size_t>(t)];
        checks_[k].push_back(
            {reinterpret_cast<const float*>(address(t)), d.md.get_size() / sizeof(float)});
      }
    }
    input_ptrs_.clear();
    output_ptrs_.clear();
    for (int t : program_.input_tensors) {
      input_ptrs_.push_back(reinterpret_cast<float*>(address(t)));
    }
    for (int t : program_.output_tensors) {
      output_ptrs_.push_back(reinterpret_cast<const float*>(address(t)));
    }
    next_segment_ = 0;

    info_.run_heap = attach_compute_threads(info_.threads);
    return warm_up();
  }

  // Makes the calling thread the one that runs segments: its OpenMP thread count and affinity,
  // and run-heap pools for it and its OpenMP workers.
  void bind_thread() {
    configure_thread(options_);
    configured_thread_ = std::this_thread::get_id();
    info_.run_heap = attach_compute_threads(info_.threads);
  }

  Error not_bound() const {
    return make_error(ErrorCode::kInvalidArgument,
                      "cpu backend: '" + model_name_ +
                          "' was loaded with deferred memory and is not bound to a region yet",
                      "call bind_memory() with a region of memory_needs().arena_bytes first");
  }

  // One inference on whatever the inputs hold, so that oneDNN's first-execution work (code
  // generation, its caches) is done before the first job. Zero inputs may well give NaN (x / x):
  // only engine errors count here. Outside a run-heap scope on purpose: what the first execution
  // keeps (caches that live as long as a primitive, or the process) comes from malloc and does
  // not hold pool blocks for good.
  Status warm_up() {
    for (std::size_t k = 0; k + 1 < segment_begin_.size(); ++k) {
      if (!execute(k)) {
        return make_error(ErrorCode::kInternal,
                          "cpu backend: the warm-up inference of '" + info_.engine + "' failed");
      }
    }
    return Ok{};
  }

  // Runs the steps of segment k; false when oneDNN reports an error.
  bool execute(std::size_t k) {
    for (std::size_t i = segment_begin_[k]; i < segment_begin_[k + 1]; ++i) {
      const Bound& b = bound_[i];
      if (b.hand != nullptr) {
        b.hand->run();
        continue;
      }
      if (dnnl_primitive_execute(b.primitive, stream_.get(), static_cast<int>(b.args.size()),
                                 b.args.data()) != dnnl_success) {
        return false;
      }
    }
    return true;
  }

  std::byte* address(int t) {
    const TensorDesc& d = program_.tensors[static_cast<std::size_t>(t)];
    if (d.buffer >= 0) {
      return base_ + buffer_offsets_[static_cast<std::size_t>(d.buffer)] + d.byte_offset;
    }
    return weights_->data() + weight_offsets_[static_cast<std::size_t>(d.weight)] + d.byte_offset;
  }

  Program program_;
  Options options_;
  dnnl::engine engine_;
  dnnl::stream stream_;
  backend::RunnerInfo info_;
  std::vector<backend::TensorInfo> inputs_, outputs_;
  std::string model_name_;
  backend::MemoryNeeds needs_;
  std::optional<memory::Arena> activations_, weights_;  // activations_: kOwn only
  std::byte* base_ = nullptr;  // the activations' region; nullptr until bound
  std::vector<std::uint64_t> buffer_offsets_, weight_offsets_;
  std::vector<dnnl::memory> memories_;
  std::vector<Bound> bound_;
  std::vector<std::size_t> segment_begin_;
  std::vector<std::vector<std::pair<const float*, std::size_t>>> checks_;
  std::vector<float*> input_ptrs_;
  std::vector<const float*> output_ptrs_;
  std::size_t next_segment_ = 0;
  std::thread::id configured_thread_;
};

}  // namespace

std::string engine_version() {
  const dnnl_version_t* v = dnnl_version();
  return "oneDNN " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch);
}

std::string engine_isa() {
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41:
      return "sse41";
    case dnnl_cpu_isa_avx:
      return "avx";
    case dnnl_cpu_isa_avx2:
      return "avx2";
    case dnnl_cpu_isa_avx512_mic:
      return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops:
      return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core:
      return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni:
      return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16:
      return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx:
      return "avx512_core_amx";
    case dnnl_cpu_isa_avx2_vnni:
      return "avx2_vnni";
    default:
      return "isa " + std::to_string(static_cast<int>(dnnl_get_effective_cpu_isa()));
  }
}

Result<std::unique_ptr<backend::ModelRunner>> load(const model::Graph& graph,
                                                   std::span<const model::ModelSegment> segments,
                                                   const Options& options) {
  if (graph.nodes.empty()) {
    return make_error(ErrorCode::kUnsupported,
                      "model '" + graph.name + "': no compute nodes (nothing to run)");
  }
  std::vector<model::ModelSegment> own;
  if (segments.empty()) {
    own = model::make_segments(graph);
    segments = own;
  }
  std::uint32_t next = 0;
  for (const model::ModelSegment& s : segments) {
    if (s.first_node != next || s.end_node <= s.first_node) {
      return make_error(ErrorCode::kInvalidArgument,
                        "model '" + graph.name + "': segment '" + s.name +
                            "' does not continue where the previous one ended",
                        "make the segments with model::make_segments on the same graph");
    }
    next = s.end_node;
  }
  if (next != graph.nodes.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "model '" + graph.name + "': the segments cover " + std::to_string(next) +
                          " of " + std::to_string(graph.nodes.size()) + " nodes");
  }
  if (options.threads < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "threads must be at least 1, got " + std::to_string(options.threads));
  }
  try {
    const int threads = configure_thread(options);
    const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
    auto program = compile(graph, segments, engine, options.check_every_segment);
    if (!program) return program.error();
    auto runner =
        std::make_unique<CpuRunner>(graph, std::move(program.value()), options, threads, engine);
    if (auto st = runner->prepare(segments, options.memory); !st) return st.error();
    return std::unique_ptr<backend::ModelRunner>(std::move(runner));
  } catch (const dnnl::error& e) {
    return make_error(ErrorCode::kInternal,
                      "model '" + graph.name + "': oneDNN failed: " + std::string(e.what()));
  }
}

Result<std::unique_ptr<backend::ModelRunner>> load_file(
    const std::string& path, const model::ImportOptions& import_options,
    const model::SegmentOptions& segment_options, const Options& options) {
  auto graph = model::import_file(path, import_options);
  if (!graph) return graph.error();
  const auto segments = model::make_segments(*graph, segment_options);
  return load(*graph, segments, options);
}

Result<std::unique_ptr<backend::ModelRunner>> load_request(const backend::LoadRequest& request) {
  model::ImportOptions import;
  import.input_shapes = request.input_shapes;
  Options options;
  options.threads = request.threads;
  options.pin = request.pin;
  options.first_core = request.first_core;
  options.check_every_segment = request.check_every_segment;
  options.lock_memory = request.lock_memory;
  options.memory = request.memory;
  return load_file(request.path, import, request.segments, options);
}

void register_backend() {
  backend::register_backend("cpu", &load_request);
  backend::set_engine_info("cpu", engine_version(), engine_isa());
}

}  // namespace aegisrt::cpu
