// Helpers shared by the workload tests: a temporary folder and a field-by-field comparison.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "aegisrt/core/task.hpp"
#include "support/cli.hpp"

namespace aegisrt::testing {

// A fresh folder under the system's temporary folder, removed with its contents at scope exit.
// Every field of every task, one assertion each, so that a difference names the field.
inline void expect_same_workload(const Workload& a, const Workload& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.device.backend, b.device.backend);
  EXPECT_EQ(a.device.memory_budget_bytes, b.device.memory_budget_bytes);
  EXPECT_EQ(a.scheduler.policy, b.scheduler.policy);
  EXPECT_EQ(a.scheduler.load_shedding, b.scheduler.load_shedding);
  EXPECT_EQ(a.scheduler.overheads.dispatch, b.scheduler.overheads.dispatch);
  EXPECT_EQ(a.scheduler.overheads.release, b.scheduler.overheads.release);
  EXPECT_EQ(a.scheduler.overheads.preemption, b.scheduler.overheads.preemption);
  ASSERT_EQ(a.tasks.size(), b.tasks.size());
  for (std::size_t i = 0; i < a.tasks.size(); ++i) {
    SCOPED_TRACE("task " + std::to_string(i));
    const Task& x = a.tasks[i];
    const Task& y = b.tasks[i];
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.arrival, y.arrival);
    EXPECT_EQ(x.period, y.period);
    EXPECT_EQ(x.max_interarrival, y.max_interarrival);
    EXPECT_EQ(x.deadline, y.deadline);
    EXPECT_EQ(x.phase, y.phase);
    EXPECT_EQ(x.jitter, y.jitter);
    EXPECT_EQ(x.priority, y.priority);
    EXPECT_EQ(x.criticality, y.criticality);
    EXPECT_EQ(x.queue.capacity, y.queue.capacity);
    EXPECT_EQ(x.queue.on_full, y.queue.on_full);
    EXPECT_EQ(x.on_miss, y.on_miss);
    EXPECT_EQ(x.memory_bytes, y.memory_bytes);
    ASSERT_EQ(x.segments.size(), y.segments.size());
    for (std::size_t k = 0; k < x.segments.size(); ++k) {
      EXPECT_EQ(x.segments[k].name, y.segments[k].name);
      EXPECT_EQ(x.segments[k].wcet, y.segments[k].wcet);
    }
    ASSERT_EQ(x.sim.has_value(), y.sim.has_value());
    if (x.sim) {
      EXPECT_EQ(x.sim->distribution, y.sim->distribution);
      EXPECT_EQ(x.sim->bcet_fraction, y.sim->bcet_fraction);
      EXPECT_EQ(x.sim->mean_fraction, y.sim->mean_fraction);
      EXPECT_EQ(x.sim->stddev_fraction, y.sim->stddev_fraction);
      EXPECT_EQ(x.sim->samples_file, y.sim->samples_file);
      EXPECT_EQ(x.sim->samples, y.sim->samples);
    }
    ASSERT_EQ(x.model.has_value(), y.model.has_value());
    if (x.model) {
      EXPECT_EQ(x.model->path, y.model->path);
      EXPECT_EQ(x.model->input_shape, y.model->input_shape);
      EXPECT_EQ(x.model->max_segments, y.model->max_segments);
      EXPECT_EQ(x.model->threads, y.model->threads);
      EXPECT_EQ(x.model->inputs, y.model->inputs);
    }
  }
}

}  // namespace aegisrt::testing
