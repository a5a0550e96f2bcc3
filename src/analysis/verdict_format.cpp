// The verdict as JSON (`aegisrt admit --json`) and as text for people.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "aegisrt/analysis/admission.hpp"

namespace aegisrt::analysis {
namespace {

using nlohmann::json;

json opt_ns(const std::optional<Duration>& d) { return d ? json(d->count()) : json(nullptr); }

json witness_json(const Witness& w) {
  json j;
  j["kind"] = to_string(w.kind);
  switch (w.kind) {
    case Witness::Kind::kDemand:
      j["interval_ns"] = w.interval.count();
      j["demand_ns"] = w.demand.count();
      j["blocking_ns"] = w.blocking.count();
      j["excess_ns"] = (w.demand + w.blocking - w.interval).count();
      break;
    case Witness::Kind::kResponseTime:
      j["task"] = w.task;
      j["job"] = w.job;
      j["blocking_ns"] = w.blocking.count();
      j["start_ns"] = w.start.count();
      j["finish_ns"] = w.finish.count();
      j["response_ns"] = w.response.count();
      j["deadline_ns"] = w.deadline.count();
      break;
    default:
      j["detail"] = w.detail;
      break;
  }
  if (!w.terms.empty()) {
    json terms = json::array();
    for (const Term& t : w.terms) {
      terms.push_back({{"name", t.name},
                       {"jobs", t.count},
                       {"each_ns", t.each.count()},
                       {"total_ns", t.total.count()}});
    }
    j["terms"] = terms;
  }
  j["explanation"] = w.explanation;
  return j;
}

std::string ms(Duration d) { return format_duration(d); }

}  // namespace

std::string to_json(const Verdict& v) {
  json j;
  j["schedulable"] = v.schedulable;
  j["policy"] = to_string(v.policy);
  j["test"] = v.test;
  j["exact"] = v.exact;
  j["time_model"] = to_string(v.time_model);
  j["critical_scaling_factor"] =
      v.critical_scaling_factor ? json(*v.critical_scaling_factor) : json(nullptr);
  if (v.critical_scaling_factor) j["critical_scaling_precision"] = v.scaling_precision;
  const bool lp = preempts_at_segment_boundaries(v.policy);
  json tasks = json::array();
  for (const TaskVerdict& t : v.tasks) {
    json tj;
    tj["name"] = t.name;
    tj["wcet_ns"] = t.wcet.count();
    tj["wcet_source"] = t.wcet_source;
    tj["declared_wcet_ns"] = t.declared_wcet.count();
    tj["blocking_ns"] = t.blocking.count();
    tj["response_bound_ns"] = opt_ns(t.response_bound);
    tj["deadline_ns"] = t.deadline.count();
    tj["slack_ns"] = opt_ns(t.slack);
    if (v.policy == Policy::kNpFp || v.policy == Policy::kLpFp) tj["priority"] = t.priority;
    if (lp) {
      tj["max_np_region_ns"] = opt_ns(t.max_np_region);
      tj["longest_region_ns"] = t.longest_region.count();
      tj["last_region_ns"] = t.last_region.count();
    }
    tj["meets_deadline"] = t.meets_deadline;
    tasks.push_back(tj);
  }
  j["tasks"] = tasks;
  j["witness"] = v.witness ? witness_json(*v.witness) : json(nullptr);
  j["advice"] = v.advice;
  j["memory"] = {{"total_bytes", v.memory.total_bytes},
                 {"budget_bytes", v.memory.budget_bytes},
                 {"fits", v.memory.fits},
                 {"planned_bytes", v.memory.planned_bytes},
                 {"declared_bytes", v.memory.declared_bytes},
                 {"source", v.memory.source}};
  if (lp && !v.preemption_points.empty()) {
    json plans = json::array();
    for (const RegionPlan& p : v.preemption_points) {
      json regions = json::array();
      for (std::size_t k = 0; k < p.regions.size(); ++k) {
        regions.push_back({{"first_segment", p.regions[k].first},
                           {"last_segment", p.regions[k].second},
                           {"wcet_ns", p.lengths[k].count()}});
      }
      plans.push_back({{"task", v.tasks[p.task].name}, {"regions", regions}});
    }
    j["preemption_points"] = {{"schedulable", v.preemption_points_schedulable}, {"tasks", plans}};
  }
  j["rationale"] = v.rationale;
  return j.dump(2);
}

std::string to_text(const Verdict& v) {
  std::ostringstream o;
  o << (v.schedulable ? "SCHEDULABLE" : "NOT SCHEDULABLE") << " under " << to_string(v.policy)
    << "\n  test: " << v.test << (v.exact ? " [exact]" : "") << "\n";
  const bool lp = preempts_at_segment_boundaries(v.policy);
  char line[512];
  std::snprintf(line, sizeof line, "  %-16s %12s %12s %12s %12s %12s%s\n", "task", "wcet",
                "blocking", "response", "deadline", "slack", lp ? "    max-np-region" : "");
  o << line;
  auto opt = [](const std::optional<Duration>& d) { return d ? ms(*d) : std::string("-"); };
  for (const TaskVerdict& t : v.tasks) {
    std::snprintf(line, sizeof line, "  %-16s %12s %12s %12s %12s %12s", t.name.c_str(),
                  ms(t.wcet).c_str(), ms(t.blocking).c_str(), opt(t.response_bound).c_str(),
                  ms(t.deadline).c_str(), opt(t.slack).c_str());
    o << line;
    if (lp) {
      std::snprintf(line, sizeof line, " %16s", opt(t.max_np_region).c_str());
      o << line;
    }
    o << (t.meets_deadline ? "" : "  MISSES") << "\n";
  }
  if (v.witness) {
    o << "  witness (" << to_string(v.witness->kind) << "): " << v.witness->explanation << "\n";
    for (const Term& t : v.witness->terms) {
      o << "    " << t.name << ": ";
      if (t.count > 0) o << t.count << " x " << ms(t.each) << " = ";
      o << ms(t.total) << "\n";
    }
  }
  if (v.critical_scaling_factor) {
    std::snprintf(line, sizeof line, "  critical scaling factor: %.4f (to %.2g relative)\n",
                  *v.critical_scaling_factor, v.scaling_precision);
    o << line;
  }
  if (lp && !v.preemption_points.empty()) {
    o << "  preemption points (fewest, longest regions"
      << (v.preemption_points_schedulable ? ", schedulable" : ", NOT schedulable") << "):\n";
    for (const RegionPlan& p : v.preemption_points) {
      o << "    " << v.tasks[p.task].name << ":";
      for (std::size_t k = 0; k < p.regions.size(); ++k) {
        o << " [" << p.regions[k].first << ".." << p.regions[k].second << "]=" << ms(p.lengths[k]);
      }
      o << "\n";
    }
  }
  if (!v.advice.empty()) o << "  advice: " << v.advice << "\n";
  o << "  rationale:\n";
  for (const std::string& r : v.rationale) o << "    - " << r << "\n";
  return o.str();
}

}  // namespace aegisrt::analysis
