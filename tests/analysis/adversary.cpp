// The exhaustive adversary (adversary.hpp): breadth-first search over the scheduler core's state
// graph.
//
// Semantics modelled (those of src/sched/scheduler.cpp and src/sched/policy.cpp with the settings
// of testing::make_workload: load shedding off, deep queues, on_miss: complete):
//
// Time is discrete; a state is the system right after everything that happens at tick `now` has
// been processed. One transition advances to now + 1 and processes that tick in this order:
//   1. time passes: every counter below grows by one tick;
//   2. the running segment (if any) ends at this tick or keeps running: it may end once it has
//      run >= 1 tick and must end when it has run its WCET (so every execution time in [1, WCET]
//      is explored, chosen lazily: the scheduler does not observe it before the segment ends). A
//      job whose last segment ends here completes with response = ticks since its arrival;
//   3. a miss is reached when a job that has arrived (released or not) has been alive for D ticks
//      and still has work: it can only finish after its deadline (arrival + D). A job that
//      completes exactly at its deadline (step 2 first) is on time, as `end > deadline` in the
//      scheduler. The search stops at the first miss (BFS: a shortest witness);
//   4. arrivals and releases: a task whose last arrival is >= T ticks ago (or that never arrived)
//      may see a new job arrive; a job that arrived `a` ticks ago and is not released may be
//      released now if a <= J and must be when a == J (a new arrival may be released at once:
//      jitter 0). The deadline counts from the arrival, the release feeds the policy's order. The
//      order of releases within a tick does not matter: each task has its own queue and the
//      policy's keys are the release times, not the order of processing;
//   5. the decision, when the device is free (nothing ran or a segment ended in step 2): every
//      released job is a candidate (the scheduler releases every job with release <= now before
//      deciding, so a job released when the device becomes free competes). Under np-* and fifo a
//      job whose non-last segment just ended runs its next segment with no decision; otherwise the
//      best candidate by sched::precedes starts its next segment at this tick: (deadline, release,
//      task) for edf, (-priority, release, task) for fp, (release, task) for fifo (the job
//      sequence never decides: one candidate per task). Under lp-* the job whose segment just
//      ended is its task's candidate like any other (a switched-out job resumes before its task's
//      later jobs). With no candidate the device idles to the next tick.
//
// The state is time-abstract. Per task: `age`, ticks since the last arrival, capped at T (T: may
// arrive; also the state of a task that never arrived); `phase`: no job alive, a job arrived and
// not yet released, or a released job alive (at most one: with D <= T a second arrival while one
// is alive means the first reached D with work left, a miss already reported); for a released job
// its release offset `off` (release - arrival, <= J) and `seg`, the index of the segment running
// or to run next. Globally the running segment: its task and the ticks it has run (< its WCET).
// The relative deadline of a job is D - age and its time since release age - off, enough for
// every key of the policy. States are packed into 128 bits, deduplicated in an open-addressing
// hash table, and keep their parent's index; witnesses are rebuilt by replaying the path and
// recovering, edge by edge, the choices that lead from each state to the next.
#include "analysis/adversary.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <sstream>

#include "aegisrt/core/result.hpp"

namespace aegisrt::analysis::testing {
namespace {

constexpr std::size_t kMaxTasks = 8;

enum Phase : std::uint8_t { kNone = 0, kPending = 1, kReleased = 2 };

struct TaskState {
  std::int32_t age = 0;
  std::int32_t phase = kNone;
  std::int32_t off = 0;
  std::int32_t seg = 0;
};

struct State {
  std::array<TaskState, kMaxTasks> t{};
  std::int32_t run = -1;  // task of the running segment, -1: device free
  std::int32_t elapsed = 0;
};

struct Key {
  std::uint64_t lo = 0;
  std::uint64_t hi = 0;
  bool operator==(const Key&) const = default;
};

// Per task choice at step 4: 0 nothing (or stay unreleased), 1 arrive unreleased, 2 arrive and
// release at once (no job alive) or release now (a job waiting for its release).
struct Label {
  bool end = false;
  std::array<std::uint8_t, kMaxTasks> opt{};
};

int bits_for(std::int64_t max_value) {
  int b = 0;
  while (max_value > 0) {
    ++b;
    max_value >>= 1;
  }
  return b;
}

std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

struct Model {
  Policy policy = Policy::kNpEdf;
  bool lp = false;
  bool wcet_only = false;
  std::size_t n = 0;
  std::array<std::int32_t, kMaxTasks> period{}, deadline{}, jitter{}, priority{}, segments{};
  std::array<std::vector<std::int32_t>, kMaxTasks> wcet;
  // Bit layout.
  int age_bits = 0, off_bits = 0, seg_bits = 0, run_bits = 0, elapsed_bits = 0;
  std::array<int, kMaxTasks> age_w{}, off_w{}, seg_w{};

  // Packs a field after `pos` bits.
  static void put(Key& k, int& pos, std::uint64_t v, int width) {
    if (width == 0) return;
    if (pos < 64) {
      k.lo |= v << pos;
      if (pos + width > 64) k.hi |= v >> (64 - pos);
    } else {
      k.hi |= v << (pos - 64);
    }
    pos += width;
  }
  static std::uint64_t get(const Key& k, int& pos, int width) {
    if (width == 0) return 0;
    std::uint64_t v = 0;
    if (pos < 64) {
      v = k.lo >> pos;
      if (pos + width > 64) v |= k.hi << (64 - pos);
    } else {
      v = k.hi >> (pos - 64);
    }
    pos += width;
    return v & ((std::uint64_t{1} << width) - 1);
  }

  Key encode(const State& s) const {
    Key k;
    int pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const TaskState& t = s.t[i];
      put(k, pos, static_cast<std::uint64_t>(t.age), age_w[i]);
      put(k, pos, static_cast<std::uint64_t>(t.phase), 2);
      put(k, pos, static_cast<std::uint64_t>(t.off), off_w[i]);
      put(k, pos, static_cast<std::uint64_t>(t.seg), seg_w[i]);
    }
    put(k, pos, static_cast<std::uint64_t>(s.run + 1), run_bits);
    put(k, pos, static_cast<std::uint64_t>(s.elapsed), elapsed_bits);
    return k;
  }
  State decode(const Key& k) const {
    State s;
    int pos = 0;
    for (std::size_t i = 0; i < n; ++i) {
      TaskState& t = s.t[i];
      t.age = static_cast<std::int32_t>(get(k, pos, age_w[i]));
      t.phase = static_cast<std::int32_t>(get(k, pos, 2));
      t.off = static_cast<std::int32_t>(get(k, pos, off_w[i]));
      t.seg = static_cast<std::int32_t>(get(k, pos, seg_w[i]));
    }
    s.run = static_cast<std::int32_t>(get(k, pos, run_bits)) - 1;
    s.elapsed = static_cast<std::int32_t>(get(k, pos, elapsed_bits));
    return s;
  }

  State root() const {
    State s;
    for (std::size_t i = 0; i < n; ++i) s.t[i].age = period[i];
    return s;
  }

  // sched::precedes on the relative keys of two released jobs of different tasks i, j.
  bool precedes(const State& s, std::size_t i, std::size_t j) const {
    const bool edf = policy == Policy::kNpEdf || policy == Policy::kLpEdf;
    const bool fp = policy == Policy::kNpFp || policy == Policy::kLpFp;
    if (edf) {
      const std::int32_t di = deadline[i] - s.t[i].age;
      const std::int32_t dj = deadline[j] - s.t[j].age;
      if (di != dj) return di < dj;
    }
    if (fp && priority[i] != priority[j]) return priority[i] > priority[j];
    const std::int32_t ri = s.t[i].age - s.t[i].off;  // ticks since release: larger is earlier
    const std::int32_t rj = s.t[j].age - s.t[j].off;
    if (ri != rj) return ri > rj;
    return i < j;
  }

  struct TickEvents {
    std::int32_t completed = -1;  // task whose job completed at this tick
    std::int32_t response = 0;
    std::int32_t missed = -1;  // task whose job reached its deadline with work left
  };

  // Steps 1-3. `end`: the running segment ends at this tick.
  State tick(const State& s, bool end, TickEvents& ev) const {
    State m = s;
    for (std::size_t i = 0; i < n; ++i) {
      TaskState& t = m.t[i];
      t.age = t.phase == kNone ? std::min(t.age + 1, period[i]) : t.age + 1;
    }
    if (m.run >= 0) {
      ++m.elapsed;
      if (end) {
        const auto r = static_cast<std::size_t>(m.run);
        TaskState& t = m.t[r];
        ++t.seg;
        if (t.seg == segments[r]) {
          ev.completed = m.run;
          ev.response = t.age;
          t = TaskState{.age = t.age};
        }
        m.run = -1;
        m.elapsed = 0;
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (m.t[i].phase != kNone && m.t[i].age >= deadline[i]) {
        ev.missed = static_cast<std::int32_t>(i);
        break;
      }
    }
    return m;
  }

  bool can_end(const State& s) const {
    return s.run >= 0 &&
           (!wcet_only ||
            s.elapsed + 1 == wcet[static_cast<std::size_t>(s.run)][static_cast<std::size_t>(
                                 s.t[static_cast<std::size_t>(s.run)].seg)]);
  }
  bool can_continue(const State& s) const {
    return s.run >= 0 &&
           s.elapsed + 1 < wcet[static_cast<std::size_t>(s.run)]
                               [static_cast<std::size_t>(s.t[static_cast<std::size_t>(s.run)].seg)];
  }

  // The choices of step 4 for task i in the state after steps 1-3, as a bit set of options.
  unsigned options(const State& m, std::size_t i) const {
    const TaskState& t = m.t[i];
    if (t.phase == kNone) {
      if (t.age < period[i]) return 1u;
      return jitter[i] > 0 ? 7u : 5u;
    }
    if (t.phase == kPending) return t.age < jitter[i] ? 5u : 4u;
    return 1u;
  }

  // Steps 4-5.
  State arrive_and_decide(const State& m, const Label& l) const {
    State s = m;
    for (std::size_t i = 0; i < n; ++i) {
      TaskState& t = s.t[i];
      const std::uint8_t o = l.opt[i];
      if (o == 0) continue;
      if (t.phase == kNone) {
        t = TaskState{.age = 0, .phase = o == 1 ? kPending : kReleased};
      } else {
        AEGISRT_ASSERT(t.phase == kPending && o == 2);
        t.phase = kReleased;
        t.off = t.age;
      }
    }
    if (s.run >= 0) return s;
    std::int32_t best = -1;
    for (std::size_t i = 0; i < n; ++i) {
      if (s.t[i].phase != kReleased) continue;
      if (!lp && s.t[i].seg > 0) {  // np: a started job runs its segments back to back
        best = static_cast<std::int32_t>(i);
        break;
      }
      if (best < 0 || precedes(s, i, static_cast<std::size_t>(best))) {
        best = static_cast<std::int32_t>(i);
      }
    }
    if (best >= 0) {
      s.run = best;
      s.elapsed = 0;
    }
    return s;
  }

  // Calls f(label, child) for every successor of `s` that is not a miss; f returns false to stop.
  // `on_tick(end, events)` sees each end choice's events first and returns false to stop.
  template <typename OnTick, typename F>
  bool successors(const State& s, OnTick&& on_tick, F&& f) const {
    for (int e = 0; e < 2; ++e) {
      const bool end = e == 1;
      if (end && !can_end(s)) continue;
      if (!end && s.run >= 0 && !can_continue(s)) continue;
      TickEvents ev;
      const State m = tick(s, end, ev);
      if (!on_tick(end, ev)) return false;
      if (ev.missed >= 0) continue;
      std::array<unsigned, kMaxTasks> opts{};
      Label l;
      l.end = end;
      for (std::size_t i = 0; i < n; ++i) {
        opts[i] = options(m, i);
        l.opt[i] = static_cast<std::uint8_t>(__builtin_ctz(opts[i]));
      }
      for (;;) {
        if (!f(l, arrive_and_decide(m, l))) return false;
        // Odometer over the tasks' option sets.
        std::size_t i = 0;
        for (; i < n; ++i) {
          unsigned rest = opts[i] >> (l.opt[i] + 1);
          if (rest != 0) {
            l.opt[i] = static_cast<std::uint8_t>(l.opt[i] + 1 + __builtin_ctz(rest));
            break;
          }
          l.opt[i] = static_cast<std::uint8_t>(__builtin_ctz(opts[i]));
        }
        if (i == n) break;
      }
    }
    return true;
  }
};

// Open addressing with linear probing over indices into `keys`.
class StateTable {
 public:
  StateTable() { slots_.assign(1u << 12, kEmpty); }
  // Returns the index of `k`, inserting it (with `parent`) when new; `inserted` says which.
  std::uint32_t insert(const Key& k, std::uint32_t parent, bool& inserted) {
    if (2 * (keys_.size() + 1) > slots_.size()) grow();
    std::size_t mask = slots_.size() - 1;
    std::size_t h = mix(k.lo ^ mix(k.hi + 0x9e3779b97f4a7c15ULL)) & mask;
    for (;; h = (h + 1) & mask) {
      const std::uint32_t idx = slots_[h];
      if (idx == kEmpty) break;
      if (keys_[idx] == k) {
        inserted = false;
        return idx;
      }
    }
    const auto idx = static_cast<std::uint32_t>(keys_.size());
    slots_[h] = idx;
    keys_.push_back(k);
    parents_.push_back(parent);
    inserted = true;
    return idx;
  }
  std::size_t size() const { return keys_.size(); }
  const Key& key(std::uint32_t i) const { return keys_[i]; }
  std::uint32_t parent(std::uint32_t i) const { return parents_[i]; }

  static constexpr std::uint32_t kEmpty = std::numeric_limits<std::uint32_t>::max();

 private:
  void grow() {
    std::vector<std::uint32_t> next(slots_.size() * 2, kEmpty);
    const std::size_t mask = next.size() - 1;
    for (std::uint32_t idx : slots_) {
      if (idx == kEmpty) continue;
      const Key& k = keys_[idx];
      std::size_t h = mix(k.lo ^ mix(k.hi + 0x9e3779b97f4a7c15ULL)) & mask;
      while (next[h] != kEmpty) h = (h + 1) & mask;
      next[h] = idx;
    }
    slots_ = std::move(next);
  }

  std::vector<std::uint32_t> slots_;
  std::vector<Key> keys_;
  std::vector<std::uint32_t> parents_;
};

// Rebuilds absolute times along a path of states.
class WitnessBuilder {
 public:
  explicit WitnessBuilder(const Model& m) : m_(m) {
    s_.arrivals.assign(m.n, {});
    s_.jitter.assign(m.n, {});
    s_.exec.assign(m.n, {});
  }

  // Applies steps 1-3 of the transition out of `from` at tick `now`.
  void tick(const State& from, bool end, std::int64_t now) {
    if (from.run >= 0 && end) {
      const auto r = static_cast<std::size_t>(from.run);
      s_.exec[r].back()[static_cast<std::size_t>(from.t[r].seg)] = now - start_;
    }
  }
  // Applies step 4 (arrivals and releases) and records a segment start of step 5.
  void arrive_and_decide(const State& mid, const Label& l, const State& to, std::int64_t now) {
    for (std::size_t i = 0; i < m_.n; ++i) {
      const std::uint8_t o = l.opt[i];
      if (o == 0) continue;
      if (mid.t[i].phase == kNone) {
        s_.arrivals[i].push_back(now);
        s_.jitter[i].push_back(o == 1 ? -1 : 0);
        s_.exec[i].emplace_back(m_.wcet[i].begin(), m_.wcet[i].end());
      } else {
        s_.jitter[i].back() = now - s_.arrivals[i].back();
      }
    }
    if (to.run >= 0 && to.elapsed == 0) start_ = now;
  }
  // Jobs still unreleased at the end are released at `now` (their age then is <= J).
  Scenario finish(std::int64_t now) {
    for (std::size_t i = 0; i < m_.n; ++i) {
      for (std::size_t k = 0; k < s_.jitter[i].size(); ++k) {
        if (s_.jitter[i][k] < 0) s_.jitter[i][k] = now - s_.arrivals[i][k];
      }
    }
    return s_;
  }

 private:
  const Model& m_;
  Scenario s_;
  std::int64_t start_ = 0;
};

// The witness for the path root .. `last`, then the tick part (`end`) of one more transition.
Scenario rebuild(const Model& m, const StateTable& table, std::uint32_t last, bool end) {
  std::vector<std::uint32_t> path;
  for (std::uint32_t v = last; v != StateTable::kEmpty; v = table.parent(v)) path.push_back(v);
  std::reverse(path.begin(), path.end());
  WitnessBuilder b(m);
  std::int64_t now = 0;
  for (std::size_t p = 0; p + 1 < path.size(); ++p, ++now) {
    const State from = m.decode(table.key(path[p]));
    const Key target = table.key(path[p + 1]);
    bool found = false;
    m.successors(
        from, [](bool, const Model::TickEvents&) { return true; },
        [&](const Label& l, const State& child) {
          if (!(m.encode(child) == target)) return true;
          Model::TickEvents ev;
          const State mid = m.tick(from, l.end, ev);
          b.tick(from, l.end, now);
          b.arrive_and_decide(mid, l, child, now);
          found = true;
          return false;
        });
    AEGISRT_ASSERT(found);
  }
  b.tick(m.decode(table.key(last)), end, now);
  return b.finish(now);
}

std::string check_supported(const Workload& w) {
  if (w.tasks.empty()) return "no tasks";
  if (w.tasks.size() > kMaxTasks) return "more than 8 tasks";
  if (w.scheduler.load_shedding) return "load shedding is on";
  for (const Task& t : w.tasks) {
    if (t.on_miss != OnMiss::kComplete) return "task " + t.name + " aborts at its deadline";
    if (t.queue.capacity < 1) return "task " + t.name + " has no queue slot";
    if (t.period.count() < 1 || t.period.count() > 4096) return "task " + t.name + ": T";
    if (t.deadline.count() < 1 || t.deadline > t.period) return "task " + t.name + ": D > T";
    if (t.jitter.count() < 0 || t.jitter.count() > 4096) return "task " + t.name + ": J";
    if (t.segments.empty() || t.segments.size() > 64) return "task " + t.name + ": segments";
    for (const Segment& g : t.segments) {
      if (g.wcet.count() < 1 || g.wcet.count() > 4096) return "task " + t.name + ": a WCET";
    }
  }
  return {};
}

}  // namespace

AdversaryResult adversary(const Workload& w, const AdversaryOptions& opts) {
  const std::size_t max_states = opts.max_states;
  AdversaryResult out;
  out.unsupported = check_supported(w);
  if (!out.unsupported.empty()) return out;

  Model m;
  m.policy = w.scheduler.policy;
  m.lp = preempts_at_segment_boundaries(m.policy);
  m.wcet_only = opts.wcet_only;
  m.n = w.tasks.size();
  int total = 0;
  std::int64_t max_wcet = 0;
  for (std::size_t i = 0; i < m.n; ++i) {
    const Task& t = w.tasks[i];
    m.period[i] = static_cast<std::int32_t>(t.period.count());
    m.deadline[i] = static_cast<std::int32_t>(t.deadline.count());
    m.jitter[i] = static_cast<std::int32_t>(t.jitter.count());
    m.priority[i] = t.priority;
    m.segments[i] = static_cast<std::int32_t>(t.segments.size());
    for (const Segment& g : t.segments) {
      m.wcet[i].push_back(static_cast<std::int32_t>(g.wcet.count()));
      max_wcet = std::max(max_wcet, g.wcet.count());
    }
    m.age_w[i] = bits_for(m.period[i]);
    // An alive job has age < D (age D with work left is a miss), so its offset is < D too.
    m.off_w[i] = bits_for(std::min(m.jitter[i], m.deadline[i] - 1));
    m.seg_w[i] = bits_for(m.segments[i] - 1);
    total += m.age_w[i] + 2 + m.off_w[i] + m.seg_w[i];
  }
  m.run_bits = bits_for(static_cast<std::int64_t>(m.n));
  m.elapsed_bits = bits_for(max_wcet - 1);
  total += m.run_bits + m.elapsed_bits;
  if (total > 128) {
    out.unsupported = "the state needs " + std::to_string(total) + " bits, more than 128";
    return out;
  }

  StateTable table;
  bool inserted = false;
  table.insert(m.encode(m.root()), StateTable::kEmpty, inserted);
  std::vector<std::int64_t> worst(m.n, 0);
  std::vector<std::uint32_t> worst_parent(m.n, StateTable::kEmpty);
  bool found_miss = false;
  std::uint32_t miss_parent = 0;
  bool miss_end = false;
  bool limit = false;

  for (std::uint32_t cur = 0; cur < table.size() && !found_miss && !limit; ++cur) {
    const State s = m.decode(table.key(cur));
    m.successors(
        s,
        [&](bool end, const Model::TickEvents& ev) {
          if (ev.completed >= 0) {
            const auto c = static_cast<std::size_t>(ev.completed);
            if (ev.response > worst[c]) {
              worst[c] = ev.response;
              worst_parent[c] = cur;
            }
          }
          if (ev.missed >= 0) {
            found_miss = true;
            miss_parent = cur;
            miss_end = end;
            out.miss_task = static_cast<TaskId>(ev.missed);
            return false;
          }
          return true;
        },
        [&](const Label&, const State& child) {
          table.insert(m.encode(child), cur, inserted);
          if (table.size() > max_states) {
            limit = true;
            return false;
          }
          return true;
        });
  }
  out.states = table.size();
  if (found_miss) {
    out.complete = true;
    out.miss = true;
    out.witness = rebuild(m, table, miss_parent, miss_end);
    const std::size_t t = out.miss_task;
    AEGISRT_ASSERT(!out.witness.arrivals[t].empty());
    out.miss_job = out.witness.arrivals[t].size() - 1;
    out.miss_deadline = out.witness.arrivals[t].back() + m.deadline[t];
    return out;
  }
  if (limit) return out;
  out.complete = true;
  out.worst_response = worst;
  out.worst_witness.resize(m.n);
  for (std::size_t i = 0; i < m.n; ++i) {
    if (worst_parent[i] != StateTable::kEmpty) {
      out.worst_witness[i] = rebuild(m, table, worst_parent[i], true);
    }
  }
  return out;
}

RunOutcome replay(const Workload& w, const Scenario& s) {
  std::int64_t last = 0;
  for (const auto& list : s.arrivals) {
    for (std::int64_t a : list) last = std::max(last, a);
  }
  return simulate(w, s, last + 1);
}

std::string AdversaryResult::describe() const {
  std::ostringstream o;
  o << "adversary: " << (complete ? "complete" : "incomplete") << ", " << states << " states";
  if (!unsupported.empty()) o << ", unsupported: " << unsupported;
  o << '\n';
  if (!complete) return o.str();
  if (miss) {
    o << "miss: task " << miss_task << " job " << miss_job << " has work left at its deadline "
      << miss_deadline << "\nwitness:\n"
      << testing::describe(witness);
    return o.str();
  }
  o << "no miss reachable; exact worst responses:";
  for (std::int64_t r : worst_response) o << ' ' << r;
  o << '\n';
  for (std::size_t i = 0; i < worst_witness.size(); ++i) {
    o << "witness for task " << i << " (response " << worst_response[i] << "):\n"
      << testing::describe(worst_witness[i]);
  }
  return o.str();
}

}  // namespace aegisrt::analysis::testing
