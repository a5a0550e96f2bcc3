// Measuring a task for its profile (measure.hpp; docs/design/0011, "Measuring").
#include "aegisrt/profile/measure.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <ctime>
#include <latch>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/backend/runner_backend.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "aegisrt/core/clock.hpp"
#include "aegisrt/core/random.hpp"
#include "aegisrt/sim/sim_backend.hpp"

namespace aegisrt::profile {
namespace {

// The samples per run: `total` split into `runs` parts, the remainder to the last.
std::vector<std::uint32_t> run_sizes(std::uint32_t total, std::uint32_t runs) {
  std::vector<std::uint32_t> sizes(runs, total / runs);
  sizes.back() += total % runs;
  return sizes;
}

// The GPD point estimate of the quantile at `exceedance` of `job` so far, for the display.
std::optional<Duration> quick_estimate(const std::vector<Duration>& job, double exceedance) {
  if (job.size() < 100) return std::nullopt;
  std::vector<double> x(job.size());
  for (std::size_t i = 0; i < job.size(); ++i) x[i] = static_cast<double>(job[i].count());
  const GpdFit fit = fit_gpd(x, 0.90);
  if (!fit.ok) return std::nullopt;
  const double q = gpd_quantile(fit, exceedance);
  if (!std::isfinite(q) || q <= 0 || q > 9.2e18) return std::nullopt;
  return Duration::ns(static_cast<std::int64_t>(std::ceil(q)));
}

class ProgressReporter {
 public:
  ProgressReporter(const MeasureOptions& o, std::uint64_t total, const Clock& clock)
      : options_(o), total_(total), clock_(clock), start_(clock.now()) {}

  void sample(const std::string& phase, const std::vector<Duration>& job) {
    ++done_;
    running_max_ = std::max(running_max_, job.back());
    if (!options_.on_progress) return;
    if (options_.progress_block > 0 && done_ % options_.progress_block == 0)
      estimate_ = quick_estimate(job, options_.exceedance);
    Progress p;
    p.phase = phase;
    p.done = done_;
    p.total = total_;
    p.running_max = running_max_;
    p.estimate = estimate_;
    p.elapsed = clock_.now() - start_;
    if (done_ > 0 && p.elapsed > Duration::zero()) {
      const double per = static_cast<double>(p.elapsed.count()) / static_cast<double>(done_);
      p.remaining =
          Duration::ns(static_cast<std::int64_t>(per * static_cast<double>(total_ - done_)));
    }
    options_.on_progress(p);
  }

 private:
  const MeasureOptions& options_;
  std::uint64_t total_;
  const Clock& clock_;
  TimePoint start_;
  std::uint64_t done_ = 0;
  Duration running_max_;
  std::optional<Duration> estimate_;
};

Result<Samples> measure_sim(const Task& task, const MeasureOptions& o) {
  if (task.segments.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "task `" + task.name + "` has no `sim` timing to draw from",
                      "on the sim backend a task needs sim: {segments_ms: [...]}; to measure "
                      "its model, set device.backend to cpu or opencv");
  }
  Samples s;
  s.segments.resize(task.segments.size());
  for (const Segment& seg : task.segments) s.segment_names.push_back(seg.name);
  s.platform = current_platform("sim", "sim", "", 1, o.core);
  s.subject.kind = "sim";
  s.subject.sim_spec = sim_spec_text(task);
  VirtualClock clock;  // sim draws take no time
  ProgressReporter progress(o, o.samples, clock);
  std::uint64_t job = 0;
  const std::vector<std::uint32_t> sizes = run_sizes(o.samples, o.runs);
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    s.run_starts.push_back(s.job.size());
    job += o.warmup;  // the draws a warm-up would have consumed
    const std::string phase =
        "run " + std::to_string(r + 1) + " of " + std::to_string(sizes.size());
    for (std::uint32_t i = 0; i < sizes[r]; ++i, ++job) {
      Duration total;
      for (std::uint32_t k = 0; k < task.segments.size(); ++k) {
        const Duration d = sim::draw_segment_time(task, o.seed, job, k);
        s.segments[k].push_back(d);
        total += d;
      }
      s.job.push_back(total);
      progress.sample(phase, s.job);
    }
  }
  return s;
}

backend::LoadRequest load_request(const Task& t, std::uint32_t core) {
  backend::LoadRequest base;
  base.pin = true;
  base.first_core = static_cast<int>(core);
  return backend::task_load_request(t, base);
}

// Loads task `t`'s runner on the calling thread and gives it its seeded input.
Result<std::unique_ptr<backend::ModelRunner>> load_seeded(const std::string& backend_name,
                                                          const Task& t, std::uint32_t core,
                                                          std::uint64_t seed) {
  auto runner = backend::load_runner(backend_name, load_request(t, core));
  if (!runner) {
    Error e = runner.error();
    e.message = "task `" + t.name + "`: " + e.message;
    return e;
  }
  backend::SeededUniform random(backend::task_input_seed(static_cast<std::uint32_t>(seed), t.id));
  for (std::size_t i = 0; i < (*runner)->inputs().size(); ++i) {
    std::vector<float> data((*runner)->inputs()[i].elements());
    random.fill(data);
    if (Status st = (*runner)->set_input(i, data); !st) return st.error();
  }
  return runner;
}

// One inference segment by segment; the failure of a segment, or kNone.
backend::RunFailure run_inference(backend::ModelRunner& r) {
  for (std::size_t k = 0; k < r.segment_count(); ++k) {
    r.enqueue(k);
    if (const backend::RunFailure f = r.wait(); f != backend::RunFailure::kNone) return f;
  }
  return backend::RunFailure::kNone;
}

// The other model tasks' inferences, back to back on every core but the measured one, until
// stop(). Each thread loads its own runners (one per contender) pinned to its core.
class ContentionLoad {
 public:
  ContentionLoad(std::string backend_name, std::vector<const Task*> contenders,
                 std::vector<std::uint32_t> cores, std::uint64_t seed)
      : backend_(std::move(backend_name)),
        contenders_(std::move(contenders)),
        cores_(std::move(cores)),
        seed_(seed) {}
  ~ContentionLoad() { stop(); }

  // Starts the threads and waits until every one has loaded its models. Errors: a load error.
  Status start() {
    std::latch ready(static_cast<std::ptrdiff_t>(cores_.size()));
    for (const std::uint32_t core : cores_) {
      threads_.emplace_back([this, core, &ready] { body(core, ready); });
    }
    ready.wait();
    const std::lock_guard lock(mutex_);
    if (error_) return *error_;
    return Ok{};
  }

  void stop() {
    stop_.store(true, std::memory_order_relaxed);
    for (std::thread& t : threads_) t.join();
    threads_.clear();
  }

 private:
  void body(std::uint32_t core, std::latch& ready) {
    std::vector<std::unique_ptr<backend::ModelRunner>> runners;
    for (const Task* t : contenders_) {
      auto r = load_seeded(backend_, *t, core, seed_);
      if (!r) {
        const std::lock_guard lock(mutex_);
        if (!error_) error_ = r.error();
        ready.count_down();
        return;
      }
      runners.push_back(std::move(*r));
    }
    ready.count_down();
    while (!stop_.load(std::memory_order_relaxed)) {
      for (auto& r : runners) {
        if (stop_.load(std::memory_order_relaxed)) break;
        (void)run_inference(*r);
      }
    }
  }

  std::string backend_;
  std::vector<const Task*> contenders_;
  std::vector<std::uint32_t> cores_;
  std::uint64_t seed_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::optional<Error> error_;
};

const char* failure_text(backend::RunFailure f) {
  return f == backend::RunFailure::kNonFinite ? "an output holds NaN or Inf"
                                              : "the engine reported an error";
}

// Contention `interleaved`, measured as the run executes: every model task of the workload loaded
// into the runtime's adapter (backend::RunnerBackend, its activations carved from one planned
// arena for the workload's policy), and another task's whole job run through the same adapter,
// untimed, before each of the task's segments where the run may switch jobs (the task has a
// preserved slot, or a region of its own), else before each of its jobs. The task's segments are
// timed through the adapter's run_segment, so the copies it makes (a job's input at its start, a
// preempted job's kept bytes restored) are in the samples, as they are in the run's segments.
Result<Samples> measure_as_run(const Workload& w, const Task& task, const MeasureOptions& o,
                               Samples s) {
  Workload as_run = w;
  for (Task& t : as_run.tasks) {
    if (t.model) t.segments.clear();  // the engine's segmentation (model.segments)
  }
  std::vector<const Task*> others;
  for (const Task& t : as_run.tasks) {
    if (t.id != task.id && t.model && !t.model->path.empty()) others.push_back(&t);
  }
  const Task& me = as_run.tasks[task.id];
  SteadyClock clock;
  ProgressReporter progress(o, o.samples, clock);
  const std::vector<std::uint32_t> sizes = run_sizes(o.samples, o.runs);
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    backend::RunnerBackendOptions options;
    options.load.pin = true;
    options.load.first_core = static_cast<int>(o.core);
    options.seed = static_cast<std::uint32_t>(o.seed);
    auto adapter = backend::make_backend(w.device.backend, options);
    if (!adapter) return adapter.error();
    if (Status st = (*adapter)->prepare(as_run); !st) return st.error();
    if (Status st = (*adapter)->prepare_thread(); !st) return st.error();
    const backend::ModelRunner* mine = (*adapter)->runner(me.id);
    AEGISRT_ASSERT(mine != nullptr);
    const std::size_t segments = mine->segment_count();
    if (r == 0) {
      s.segments.resize(segments);
      s.segment_names = mine->info().segment_names;
      s.platform = current_platform(w.device.backend, mine->info().engine, mine->info().isa,
                                    static_cast<std::uint32_t>(mine->info().threads), o.core);
    }
    // The other tasks' jobs in turn, each whole (it runs start to finish, as a job the policy
    // lets in between never needs a slot of its own): between every two of our segments where
    // the carving gave our task a preserved slot (the run may switch jobs there), else before
    // each of our jobs.
    std::vector<std::uint64_t> seq(as_run.tasks.size(), 0);
    std::size_t turn = 0;
    const bool switchable =
        me.id < (*adapter)->carving().by_task.size() &&
        ((*adapter)->carving().by_task[me.id].slot_offset != memory::kNoOffset ||
         !(*adapter)->carving().by_task[me.id].shares_region);
    const auto other_job = [&]() -> bool {
      const Task& t = *others[turn];
      turn = (turn + 1) % others.size();
      const std::size_t n = (*adapter)->runner(t.id)->segment_count();
      for (std::uint32_t k = 0; k < n; ++k) {
        if ((*adapter)->run_segment({&t, seq[t.id]}, k) != backend::SegmentStatus::kOk)
          return false;
      }
      ++seq[t.id];
      return true;
    };
    const std::string phase = "contention interleaved: run " + std::to_string(r + 1) + " of " +
                              std::to_string(sizes.size());
    for (std::uint32_t i = 0; i < o.warmup + sizes[r]; ++i) {
      const bool timed = i >= o.warmup;
      if (timed && i == o.warmup) s.run_starts.push_back(s.job.size());
      Duration total;
      for (std::size_t k = 0; k < segments; ++k) {
        if ((k == 0 || switchable) && !other_job()) {
          return make_error(ErrorCode::kInternal,
                            "task `" + task.name + "`: an interleaved job of another task failed",
                            "check the workload's models with `aegisrt infer`");
        }
        const TimePoint t0 = clock.now();
        const backend::SegmentStatus st =
            (*adapter)->run_segment({&me, seq[me.id]}, static_cast<std::uint32_t>(k));
        const TimePoint t1 = clock.now();
        if (st != backend::SegmentStatus::kOk) {
          return make_error(ErrorCode::kInternal,
                            "task `" + task.name + "`: segment " + std::to_string(k) +
                                " failed in sample " + std::to_string(s.job.size() + 1),
                            "check the model with `aegisrt infer`");
        }
        if (timed) {
          s.segments[k].push_back(t1 - t0);
          total += t1 - t0;
        }
      }
      ++seq[me.id];
      if (timed) {
        s.job.push_back(total);
        progress.sample(phase, s.job);
      }
    }
  }
  return s;
}

Result<Samples> measure_runner(const Workload& w, const Task& task, const MeasureOptions& o) {
  if (!task.model || task.model->path.empty()) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "task `" + task.name + "` has no model to measure on `" + w.device.backend + "`",
        "give the task model: {path: FILE.onnx}");
  }
  auto entry = backend::runner_backend(w.device.backend);
  if (!entry) return entry.error();
  Samples s;
  s.subject.kind = "model";
  s.subject.model_path = task.model->path;
  auto sha = file_sha256(task.model->path);
  if (!sha) return sha.error();
  s.subject.model_sha256 = *sha;
  s.subject.input_shape = task.model->input_shape;
  s.subject.max_segments = task.model->max_segments;
  s.subject.threads = std::max<std::uint32_t>(1, task.model->threads);

  std::vector<const Task*> contenders;
  std::vector<std::uint32_t> cores;
  if (o.contention != Contention::kNone) {
    for (const Task& t : w.tasks) {
      if (t.id != task.id && t.model && !t.model->path.empty()) contenders.push_back(&t);
    }
    if (contenders.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        std::string("--contention ") + to_string(o.contention) +
                            ": the workload has no other model task to run beside `" + task.name +
                            "`",
                        "add the tasks that share the device, or profile with --contention none");
    }
    for (const Task* t : contenders) s.contenders.push_back(t->name);
  }
  if (o.contention == Contention::kOthers) {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    for (long c = 0; c < online; ++c) {
      if (static_cast<std::uint32_t>(c) != o.core) cores.push_back(static_cast<std::uint32_t>(c));
    }
    if (cores.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--contention others needs a second core (this machine has one)",
                        "profile with --contention none");
    }
  }

  s.contention = o.contention;
  if (o.contention == Contention::kInterleaved) return measure_as_run(w, task, o, std::move(s));

  SteadyClock clock;
  ProgressReporter progress(o, o.samples, clock);
  const std::vector<std::uint32_t> sizes = run_sizes(o.samples, o.runs);
  const std::string prefix = o.contention == Contention::kNone
                                 ? ""
                                 : std::string("contention ") + to_string(o.contention) + ": ";
  for (std::size_t r = 0; r < sizes.size(); ++r) {
    // Every run on a freshly loaded runner: what a later run of the task meets.
    auto runner = load_seeded(w.device.backend, task, o.core, o.seed);
    if (!runner) return runner.error();
    backend::ModelRunner& m = **runner;
    if (r == 0) {
      s.segments.resize(m.segment_count());
      s.segment_names = m.info().segment_names;
      s.platform = current_platform(w.device.backend, m.info().engine, m.info().isa,
                                    static_cast<std::uint32_t>(m.info().threads), o.core);
    } else if (m.segment_count() != s.segments.size()) {
      return make_error(ErrorCode::kInternal, "task `" + task.name +
                                                  "`: the model loaded with another segment "
                                                  "count in run " +
                                                  std::to_string(r + 1));
    }
    std::optional<ContentionLoad> load;
    if (o.contention == Contention::kOthers) {
      load.emplace(w.device.backend, contenders, cores, o.seed);
      if (Status st = load->start(); !st) return st.error();
    }
    for (std::uint32_t i = 0; i < o.warmup; ++i) {
      if (const backend::RunFailure f = run_inference(m); f != backend::RunFailure::kNone) {
        return make_error(ErrorCode::kInternal,
                          "task `" + task.name + "`: warm-up inference " + std::to_string(i + 1) +
                              " failed: " + failure_text(f),
                          "check the model with `aegisrt infer`");
      }
    }
    s.run_starts.push_back(s.job.size());
    const std::string phase =
        prefix + "run " + std::to_string(r + 1) + " of " + std::to_string(sizes.size());
    for (std::uint32_t i = 0; i < sizes[r]; ++i) {
      if (o.gap > Duration::zero()) {
        const std::int64_t g = random_between(0, o.gap.count(), o.seed, RandomStream::kGenerator,
                                              task.id, s.job.size());
        // Spin rather than sleep: the core stays busy (no idle state, no frequency drop), and the
        // sample's phase against periodic platform events (the timer tick) is randomised.
        const TimePoint until = clock.now() + Duration::ns(g);
        while (clock.now() < until) {
        }
      }
      Duration total;
      for (std::size_t k = 0; k < m.segment_count(); ++k) {
        const TimePoint t0 = clock.now();
        m.enqueue(k);
        const backend::RunFailure f = m.wait();
        const TimePoint t1 = clock.now();
        if (f != backend::RunFailure::kNone) {
          return make_error(ErrorCode::kInternal,
                            "task `" + task.name + "`: segment " + std::to_string(k) +
                                " failed in sample " + std::to_string(s.job.size() + 1) + ": " +
                                failure_text(f),
                            "check the model with `aegisrt infer`");
        }
        s.segments[k].push_back(t1 - t0);
        total += t1 - t0;
      }
      s.job.push_back(total);
      progress.sample(phase, s.job);
    }
  }
  return s;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::vector<double> as_doubles(std::span<const Duration> d) {
  std::vector<double> x(d.size());
  for (std::size_t i = 0; i < d.size(); ++i) x[i] = static_cast<double>(d[i].count());
  return x;
}

Duration ceil_ns(double v) {
  if (!(v < 9.2e18)) return Duration::max();
  return Duration::ns(static_cast<std::int64_t>(std::ceil(v)));
}

}  // namespace

std::string sim_spec_text(const Task& t) {
  std::ostringstream s;
  s << "segments_ns [";
  for (std::size_t k = 0; k < t.segments.size(); ++k)
    s << (k ? ", " : "") << t.segments[k].wcet.count();
  s << "]";
  if (t.sim) {
    s << " distribution " << to_string(t.sim->distribution);
    if (t.sim->distribution == Distribution::kUniform ||
        t.sim->distribution == Distribution::kNormal)
      s << " bcet_fraction " << t.sim->bcet_fraction;
    if (t.sim->distribution == Distribution::kNormal)
      s << " mean_fraction " << t.sim->mean_fraction << " stddev_fraction "
        << t.sim->stddev_fraction;
    if (t.sim->distribution == Distribution::kEmpirical) s << " samples " << t.sim->samples.size();
  }
  return s.str();
}

const char* to_string(Contention c) {
  switch (c) {
    case Contention::kOthers:
      return "others";
    case Contention::kInterleaved:
      return "interleaved";
    case Contention::kNone:
      break;
  }
  return "none";
}

Result<Samples> measure_task(const Workload& w, TaskId id, const MeasureOptions& options) {
  if (id >= w.tasks.size()) {
    return make_error(ErrorCode::kInvalidArgument, "no task with id " + std::to_string(id));
  }
  if (options.samples == 0 || options.runs == 0 || options.runs > options.samples) {
    return make_error(ErrorCode::kInvalidArgument,
                      "samples (" + std::to_string(options.samples) + ") and runs (" +
                          std::to_string(options.runs) + ") must be at least 1, runs <= samples");
  }
  const Task& task = w.tasks[id];
  if (w.device.backend == "sim") return measure_sim(task, options);
  return measure_runner(w, task, options);
}

Series analyse_series(std::string name, std::vector<Duration> samples,
                      std::vector<std::uint64_t> run_starts, const BoundOptions& options) {
  Series s;
  s.name = std::move(name);
  s.observed = summarize(samples);
  s.margin = options.margin;
  const std::vector<double> x = as_doubles(samples);
  if (s.observed.max) {
    s.empirical = ceil_ns(static_cast<double>(s.observed.max->count()) * options.margin);
    s.empirical = std::max(s.empirical, *s.observed.max);
  }
  s.estimate = estimate_pwcet(x, options.tail);
  if (run_starts.size() >= 2) {
    const std::size_t second = std::min<std::size_t>(run_starts[1], x.size());
    const std::span<const double> all(x);
    s.ks_runs =
        ks_two_sample(all.subspan(0, second), all.subspan(second), options.tail.alpha, "ks_runs");
  } else {
    s.ks_runs.name = "ks_runs";
    s.ks_runs.alpha = options.tail.alpha;
    s.ks_runs.passed = false;
    s.ks_runs.detail = "not tested: one run only (profile with --runs 2 or more)";
  }
  s.preconditions_hold = s.estimate.preconditions_hold && s.ks_runs.passed;
  if (s.preconditions_hold && s.estimate.bound) {
    s.pwcet = std::max(ceil_ns(*s.estimate.bound), s.observed.max.value_or(Duration::zero()));
  } else {
    std::string why = s.estimate.reason;
    if (!s.ks_runs.passed) {
      why += (why.empty() ? "" : "; ") + std::string("ks_runs: ") +
             (s.ks_runs.detail.empty() ? std::string("rejected") : s.ks_runs.detail);
    }
    if (why.empty()) why = "no tail estimate";
    s.pwcet_reason = why;
  }
  s.convergence = track_convergence(x, options.tail, options.convergence_block,
                                    options.convergence_epsilon, options.convergence_blocks);
  s.samples = std::move(samples);
  s.run_starts = std::move(run_starts);
  return s;
}

Profile build_profile(const Workload& w, TaskId id, const Samples& measured,
                      const std::optional<Samples>& alone, const MeasureOptions& measure,
                      const BoundOptions& bounds) {
  Profile p;
  p.task = w.tasks.at(id).name;
  p.workload = w.name;
  p.created_utc = utc_now();
#ifdef AEGISRT_VERSION
  p.tool = std::string("aegisrt ") + AEGISRT_VERSION;
#else
  p.tool = "aegisrt";
#endif
  p.subject = measured.subject;
  p.platform = measured.platform;
  p.contention = to_string(measured.contention);
  p.contenders = measured.contenders;
  p.warmup = measure.warmup;
  p.exceedance = bounds.tail.exceedance;
  p.confidence = bounds.tail.confidence;
  std::ostringstream method;
  method << "empirical: observed maximum x " << bounds.margin << "; pWCET: peaks over the "
         << bounds.tail.threshold_quantile
         << " quantile fitted to a generalised Pareto distribution by maximum likelihood "
            "(Grimshaw; probability-weighted moments as fallback), the quantile at per-job "
            "exceedance probability "
         << bounds.tail.exceedance << ", its " << bounds.tail.confidence
         << " bootstrap upper limit (" << bounds.tail.bootstrap
         << " resamples); given only when Ljung-Box, runs, KS between halves and between runs, "
            "the tail's goodness of fit (each at alpha "
         << bounds.tail.alpha << ") and the threshold stability all pass";
  p.method = method.str();
  auto alone_bound = [&](const std::vector<Duration>& samples) {
    return analyse_series("alone", samples, alone->run_starts, bounds).bound();
  };
  auto with_factor = [&](Series s, const std::vector<Duration>* alone_samples) {
    if (alone_samples != nullptr && !alone_samples->empty()) {
      const Duration a = alone_bound(*alone_samples);
      s.alone_bound = a;
      if (a > Duration::zero()) {
        s.contention_factor =
            static_cast<double>(s.bound().count()) / static_cast<double>(a.count());
      }
    }
    return s;
  };
  const bool contended = alone.has_value() && !measured.contenders.empty();
  p.job = with_factor(analyse_series("job", measured.job, measured.run_starts, bounds),
                      contended ? &alone->job : nullptr);
  for (std::size_t k = 0; k < measured.segments.size(); ++k) {
    const std::string name =
        k < measured.segment_names.size() ? measured.segment_names[k] : "seg" + std::to_string(k);
    const std::vector<Duration>* a =
        contended && k < alone->segments.size() ? &alone->segments[k] : nullptr;
    p.segments.push_back(
        with_factor(analyse_series(name, measured.segments[k], measured.run_starts, bounds), a));
  }
  return p;
}

}  // namespace aegisrt::profile
