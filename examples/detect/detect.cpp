// aegisrt-detect: feeds frames from files into a detector running under AegisRT and prints what it
// found, one line a frame. The embedding API in one page (docs/API.md).
//
//   aegisrt-detect WORKLOAD TASK FRAME.npy...
//
// WORKLOAD is a workload file in which TASK is an event-driven (sporadic) model task: each frame is
// submitted to it as a camera would, at least its min_interarrival apart, while the workload's
// other tasks run on their own calendars. Each FRAME.npy is one float32 tensor in the model input's
// shape. For each frame the program prints the job's outcome and, for each output whose last
// dimension is 1 (a detector's per-anchor score logits), how many anchors score above 0.5 after a
// sigmoid and the best score; then the run's totals. Exit status: 0 when every frame completed, 1
// when one was dropped or missed its deadline, 2 for an error (a bad file, a refused workload).
#include <aegisrt/app/runtime.hpp>
#include <aegisrt/backend/engines.hpp>
#include <aegisrt/backend/npy.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

using aegisrt::Duration;

int fail(const std::string& message) {
  std::fprintf(stderr, "aegisrt-detect: %s\n", message.c_str());
  return 2;
}

// Anchors above 0.5 and the best score of a score-logit output (last dimension 1).
void print_scores(const aegisrt::backend::TensorInfo& info, const std::vector<float>& logits) {
  int above = 0;
  double best = 0.0;
  for (const float x : logits) {
    const double p = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
    above += p > 0.5 ? 1 : 0;
    best = std::max(best, p);
  }
  std::printf("  %s: %d of %zu anchors above 0.5, best %.3f\n", info.name.c_str(), above,
              logits.size(), best);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: aegisrt-detect WORKLOAD TASK FRAME.npy...\n");
    return 2;
  }
  aegisrt::backend::register_engines();  // the engines this installation has (cpu, opencv)
  const std::string task_name = argv[2];

  // Read every frame first: a bad file is reported before anything runs.
  std::vector<aegisrt::backend::NpyArray> frames;
  for (int i = 3; i < argc; ++i) {
    auto frame = aegisrt::backend::read_npy(argv[i]);
    if (!frame.ok()) return fail(frame.error().to_string());
    frames.push_back(std::move(*frame));
  }

  aegisrt::app::RealtimeOptions options;
  options.duration = Duration::s(3600);  // ended by stop() once the last frame's result is in
  options.submitted = {task_name};
  options.completion_capacity = 64;
  auto made = aegisrt::app::Runtime::load(argv[1], options);
  if (!made.ok()) return fail(made.error().to_string());
  aegisrt::app::Runtime& rt = **made;
  if (!rt.admitted()) {
    std::string why = "workload refused by " + rt.verdict().test;
    for (const std::string& line : rt.verdict().rationale) why += "\n  " + line;
    return fail(why);
  }
  const aegisrt::TaskId task = *rt.find_task(task_name);
  const auto inputs = rt.inputs(task);
  const auto outputs = rt.outputs(task);
  if (inputs.size() != 1) return fail("task `" + task_name + "` is not a one-input model task");
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].data.size() != inputs[0].elements()) {
      return fail(std::string(argv[3 + i]) + ": " + std::to_string(frames[i].data.size()) +
                  " values, but input `" + inputs[0].name + "` takes " +
                  std::to_string(inputs[0].elements()));
    }
  }

  if (auto st = rt.start(); !st.ok()) return fail(st.error().to_string());
  const Duration gap = rt.workload().tasks[task].period;  // the minimum inter-arrival time
  int bad = 0;
  aegisrt::app::Completion done;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    const aegisrt::app::SubmitResult r = rt.submit(task, {std::span<const float>(frames[i].data)});
    if (r.status != aegisrt::app::SubmitStatus::kAccepted) {
      std::printf("%s: not submitted (%s)\n", argv[3 + i], aegisrt::app::to_string(r.status));
      ++bad;
      continue;
    }
    // Wait for this frame's result; the other tasks' results are taken and passed over.
    bool found = false;
    while (!found && rt.wait_completion(done, Duration::s(10))) {
      found = done.outcome.task == task && done.outcome.job == r.job;
    }
    if (!found) {
      std::printf("%s: no result within 10 s\n", argv[3 + i]);
      ++bad;
      break;
    }
    const aegisrt::runtime::JobOutcome& o = done.outcome;
    if (o.status == aegisrt::runtime::JobOutcome::Status::kCompleted) {
      std::printf("%s: job %llu completed in %.3f ms%s\n", argv[3 + i],
                  static_cast<unsigned long long>(o.job), o.response.to_ms(),
                  o.missed ? ", after its deadline" : "");
      for (std::size_t k = 0; k < outputs.size() && k < done.outputs.size(); ++k) {
        if (!outputs[k].shape.empty() && outputs[k].shape.back() == 1) {
          print_scores(outputs[k], done.outputs[k]);
        }
      }
    } else {
      std::printf("%s: job %llu dropped (%s)\n", argv[3 + i],
                  static_cast<unsigned long long>(o.job), aegisrt::sched::to_string(o.reason));
    }
    bad += o.status != aegisrt::runtime::JobOutcome::Status::kCompleted || o.missed ? 1 : 0;
    // A camera delivers no faster than the task's minimum inter-arrival time.
    std::this_thread::sleep_until(start + std::chrono::nanoseconds(gap.count()));
  }
  rt.stop();
  auto report = rt.finish();
  if (!report.ok()) return fail(report.error().to_string());
  std::uint64_t released = 0, completed = 0;
  for (const auto& t : report->stats.tasks) {
    released += t.released;
    completed += t.completed;
  }
  std::printf("run: %llu jobs released, %llu completed, %llu deadline misses, over %.1f s\n",
              static_cast<unsigned long long>(released), static_cast<unsigned long long>(completed),
              static_cast<unsigned long long>(report->misses()), report->wall.to_ms() / 1000.0);
  return bad == 0 ? 0 : 1;
}
