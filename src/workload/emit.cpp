// The normalised workload: every default filled in (of the sim parameters, those its distribution
// uses), durations as integer `_ns` keys, sizes in bytes. It is itself a valid workload file:
// load(to_yaml(w)) gives w back.
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "aegisrt/workload/workload.hpp"

namespace aegisrt::workload {

namespace {

using Json = nlohmann::ordered_json;

Json task_json(const Task& t) {
  Json j;
  j["name"] = t.name;
  if (t.arrival == ArrivalKind::kPeriodic) {
    j["period_ns"] = t.period.count();
  } else {
    j["min_interarrival_ns"] = t.period.count();
    j["max_interarrival_ns"] = t.max_interarrival.count();
  }
  j["deadline_ns"] = t.deadline.count();
  j["phase_ns"] = t.phase.count();
  j["jitter_ns"] = t.jitter.count();
  j["priority"] = t.priority;
  j["criticality"] = to_string(t.criticality);
  j["queue"] = Json{{"capacity", t.queue.capacity}, {"on_full", to_string(t.queue.on_full)}};
  j["on_miss"] = to_string(t.on_miss);
  j["on_overrun"] = to_string(t.on_overrun);
  j["memory_bytes"] = t.memory_bytes;
  if (t.sim) {
    const SimSpec& s = *t.sim;
    Json sim;
    Json segments = Json::array();
    for (const Segment& seg : t.segments) segments.push_back(seg.wcet.count());
    sim["segments_ns"] = segments;
    sim["distribution"] = to_string(s.distribution);
    // Only the parameters the distribution uses (the loader ignores the others).
    if (s.distribution == Distribution::kUniform || s.distribution == Distribution::kNormal) {
      sim["bcet_fraction"] = s.bcet_fraction;
    }
    if (s.distribution == Distribution::kNormal) {
      sim["mean_fraction"] = s.mean_fraction;
      sim["stddev_fraction"] = s.stddev_fraction;
    }
    if (s.distribution == Distribution::kEmpirical && !s.samples_file.empty()) {
      sim["samples_file"] = s.samples_file;
    }
    j["sim"] = sim;
  }
  if (t.model) {
    Json model;
    model["path"] = t.model->path;
    if (!t.model->input_shape.empty()) model["input_shape"] = t.model->input_shape;
    if (t.model->max_segments != 0) model["segments"] = t.model->max_segments;
    model["threads"] = t.model->threads;
    if (!t.model->inputs.empty()) model["inputs"] = t.model->inputs;
    j["model"] = model;
  }
  if (t.wcet_source) j["wcet_source"] = to_string(*t.wcet_source);
  return j;
}

Json workload_json(const Workload& w) {
  Json j;
  j["name"] = w.name;
  j["device"] =
      Json{{"backend", w.device.backend}, {"memory_budget_bytes", w.device.memory_budget_bytes}};
  const Overheads& o = w.scheduler.overheads;
  j["scheduler"] = Json{{"policy", to_string(w.scheduler.policy)},
                        {"load_shedding", w.scheduler.load_shedding},
                        {"overheads", Json{{"dispatch_ns", o.dispatch.count()},
                                           {"release_ns", o.release.count()},
                                           {"preemption_ns", o.preemption.count()}}}};
  Json profiles{{"wcet_source", to_string(w.profiles.wcet_source)}, {"strict", w.profiles.strict}};
  if (!w.profiles.dir.empty()) profiles["dir"] = w.profiles.dir;
  j["profiles"] = profiles;
  Json tasks = Json::array();
  for (const Task& t : w.tasks) tasks.push_back(task_json(t));
  j["tasks"] = tasks;
  return j;
}

// The shortest text that reads back as the same double.
std::string shortest(double v) {
  char buf[64];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, ec == std::errc() ? ptr : buf);
  // Keep it a float to the eye ("1" -> "1.0"), as JSON would.
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

bool needs_quotes(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

void emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      out << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        out << YAML::Key << key << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      break;
    case Json::value_t::array: {
      bool scalars = true;
      for (const Json& e : j) scalars = scalars && e.is_primitive();
      if (scalars) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const Json& e : j) emit(out, e);
      out << YAML::EndSeq;
      break;
    }
    case Json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      if (needs_quotes(s)) out << YAML::DoubleQuoted;
      out << s;
      break;
    }
    case Json::value_t::boolean:
      out << (j.get<bool>() ? "true" : "false");
      break;
    case Json::value_t::number_integer:
      out << j.get<std::int64_t>();
      break;
    case Json::value_t::number_unsigned:
      out << j.get<std::uint64_t>();
      break;
    case Json::value_t::number_float:
      out << shortest(j.get<double>());
      break;
    default:
      out << YAML::Null;
      break;
  }
}

}  // namespace

std::string to_json(const Workload& w) { return workload_json(w).dump(2) + "\n"; }

std::string to_yaml(const Workload& w) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, workload_json(w));
  return std::string(out.c_str()) + "\n";
}

}  // namespace aegisrt::workload
