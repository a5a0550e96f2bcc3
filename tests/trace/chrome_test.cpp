#include "aegisrt/trace/chrome.hpp"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "trace/sample_trace.hpp"

namespace aegisrt::trace {
namespace {

using nlohmann::json;
using testing::at_ms;
using testing::fill_sample;
using testing::sample_meta;
using testing::sample_trace_text;

std::vector<json> events_where(const json& trace, const std::string& ph, std::int64_t tid,
                               const std::string& name = "") {
  std::vector<json> out;
  for (const json& e : trace["traceEvents"]) {
    if (e["ph"] != ph || e["tid"] != tid) continue;
    if (!name.empty() && e["name"] != name) continue;
    out.push_back(e);
  }
  return out;
}

class ChromeExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = sample_trace_text();
    trace_ = json::parse(text_);
  }
  std::string text_;
  json trace_;
};

TEST_F(ChromeExportTest, NamesTheProcessAndOneThreadPerTaskPlusTheDevice) {
  std::map<std::int64_t, std::string> threads;
  std::string process;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] != "M") continue;
    if (e["name"] == "thread_name") threads[e["tid"]] = e["args"]["name"];
    if (e["name"] == "process_name") process = e["args"]["name"];
  }

  EXPECT_EQ(process, "demo");
  const std::map<std::int64_t, std::string> expected = {{0, "device"}, {1, "det"}, {2, "ocr"}};
  EXPECT_EQ(threads, expected);
}

TEST_F(ChromeExportTest, DrawsOneSlicePerExecutedSegmentOnItsTaskAndOnTheDevice) {
  const auto det = events_where(trace_, "X", 1);
  const auto ocr = events_where(trace_, "X", 2);
  const auto device = events_where(trace_, "X", 0);

  ASSERT_EQ(det.size(), 2u);
  EXPECT_EQ(det[0]["name"], "det seg0");
  EXPECT_EQ(det[0]["args"]["job"], 0);
  // det#1 runs 12ms..23ms: ts and dur in microseconds.
  EXPECT_DOUBLE_EQ(det[1]["ts"].get<double>(), 12000.0);
  EXPECT_DOUBLE_EQ(det[1]["dur"].get<double>(), 11000.0);
  ASSERT_EQ(ocr.size(), 4u);
  EXPECT_EQ(ocr[1]["name"], "ocr seg1");
  EXPECT_EQ(ocr[1]["args"]["segment"], 1);
  EXPECT_EQ(ocr[1]["args"]["executed_ns"], 7'000'000);
  EXPECT_EQ(ocr[3]["args"]["job"], 1);
  EXPECT_DOUBLE_EQ(ocr[3]["ts"].get<double>(), 25000.0);
  ASSERT_EQ(device.size(), 6u);
  const std::vector<std::string> order = {"det", "ocr", "ocr", "det", "ocr", "ocr"};
  for (std::size_t k = 0; k < order.size(); ++k) EXPECT_EQ(device[k]["name"], order[k]) << k;
  EXPECT_EQ(device[2]["args"]["start_ns"], 5'000'000);
  EXPECT_EQ(device[2]["args"]["end_ns"], 12'000'000);
}

TEST_F(ChromeExportTest, MarksReleasesDropsMissesAndCompletionsAsInstants) {
  const auto det_releases = events_where(trace_, "i", 1, "release");
  const auto ocr_drops = events_where(trace_, "i", 2, "drop");
  const auto det_misses = events_where(trace_, "i", 1, "miss");
  const auto completions_det = events_where(trace_, "i", 1, "complete");
  const auto completions_ocr = events_where(trace_, "i", 2, "complete");

  ASSERT_EQ(det_releases.size(), 2u);
  EXPECT_EQ(det_releases[1]["args"]["arrival_ns"], 10'000'000);
  EXPECT_EQ(det_releases[1]["args"]["deadline_ns"], 20'000'000);
  ASSERT_EQ(ocr_drops.size(), 1u);
  EXPECT_EQ(ocr_drops[0]["args"]["reason"], "queue_full_newest");
  EXPECT_EQ(ocr_drops[0]["args"]["job"], 2);
  EXPECT_DOUBLE_EQ(ocr_drops[0]["ts"].get<double>(), 22000.0);
  ASSERT_EQ(det_misses.size(), 1u);
  EXPECT_DOUBLE_EQ(det_misses[0]["ts"].get<double>(), 20000.0);  // at the deadline
  EXPECT_EQ(det_misses[0]["args"]["lateness_ns"], 3'000'000);
  EXPECT_EQ(completions_det.size(), 2u);
  ASSERT_EQ(completions_ocr.size(), 2u);
  EXPECT_EQ(completions_ocr[1]["args"]["response_ns"], 19'000'000);
  EXPECT_EQ(events_where(trace_, "i", 2, "release").size(), 3u);
  for (const auto& e : det_releases) EXPECT_EQ(e["s"], "t");
}

TEST_F(ChromeExportTest, RecordsEveryDecisionWithItsInputsOnTheDeviceTrack) {
  const auto decisions = events_where(trace_, "i", 0, "decide");

  ASSERT_EQ(decisions.size(), 4u);
  const json& first = decisions[0]["args"];
  EXPECT_EQ(first["decision"], 0);
  EXPECT_EQ(first["t_ns"], 0);
  EXPECT_EQ(first["policy"], "np-edf");
  EXPECT_EQ(first["load_shedding"], false);
  ASSERT_EQ(first["candidates"].size(), 2u);
  const json& ocr = first["candidates"][1];
  EXPECT_EQ(ocr["task"], 1);
  EXPECT_EQ(ocr["name"], "ocr");
  EXPECT_EQ(ocr["deadline_ns"], 40'000'000);
  EXPECT_EQ(ocr["remaining_ns"], 9'000'000);
  EXPECT_EQ(ocr["criticality"], "normal");
  EXPECT_EQ(ocr["shed"], false);
  EXPECT_EQ(first["chosen"], 0);
  EXPECT_EQ(first["runner_up"], 1);
  EXPECT_EQ(first["shed_count"], 0);
  EXPECT_EQ(first["reason_text"], "det#0: earliest deadline 10ms; runner-up ocr#0 at 40ms");
  EXPECT_EQ(decisions[1]["args"]["runner_up"], -1);
  EXPECT_EQ(decisions[1]["args"]["reason_text"], "ocr#0: only candidate");
  EXPECT_EQ(decisions[2]["args"]["t_ns"], 12'000'000);
  EXPECT_EQ(decisions[2]["args"]["reason_text"],
            "det#1: earliest deadline 20ms; runner-up ocr#1 at 51ms");
}

TEST_F(ChromeExportTest, PlotsEachTaskQueueLengthFromReleasesStartsAndDrops) {
  const auto det = events_where(trace_, "C", 1, "queue det");
  const auto ocr = events_where(trace_, "C", 2, "queue ocr");

  // det: release 1, start 0, release 1, start 0.
  ASSERT_EQ(det.size(), 4u);
  const std::vector<int> det_jobs = {1, 0, 1, 0};
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(det[k]["args"]["jobs"], det_jobs[k]) << k;
  // ocr: release #0 1, start 0, start 0, release #1 1, drop #2 1, release #2 1, start 0, start 0.
  ASSERT_EQ(ocr.size(), 8u);
  const std::vector<int> ocr_jobs = {1, 0, 0, 1, 1, 1, 0, 0};
  for (std::size_t k = 0; k < 8; ++k) EXPECT_EQ(ocr[k]["args"]["jobs"], ocr_jobs[k]) << k;
}

TEST_F(ChromeExportTest, OpensAndClosesOneQueueWaitPerReleasedJob) {
  std::map<std::uint64_t, int> open;  // id -> begins minus ends
  std::map<std::uint64_t, std::pair<double, double>> span;
  int begins = 0;
  for (const json& e : trace_["traceEvents"]) {
    if (e["ph"] != "b" && e["ph"] != "e") continue;
    EXPECT_EQ(e["cat"], "queue");
    const std::uint64_t id = e["id"];
    if (e["ph"] == "b") {
      ++open[id];
      ++begins;
      span[id].first = e["ts"];
    } else {
      --open[id];
      span[id].second = e["ts"];
    }
  }

  // ocr#2, refused at its full queue, never waits.
  EXPECT_EQ(begins, 4);
  for (const auto& [id, n] : open) EXPECT_EQ(n, 0) << "id " << id;
  // Job ids follow first appearance: det#0=1, ocr#0=2, det#1=3, ocr#1=4, ocr#2=5.
  EXPECT_EQ(span[2], std::make_pair(0.0, 3000.0));  // ocr#0 waits until its first segment
  EXPECT_EQ(span[3], std::make_pair(10000.0, 12000.0));
  EXPECT_EQ(span[4], std::make_pair(11000.0, 23000.0));
  EXPECT_EQ(span.count(5), 0u);
}

TEST_F(ChromeExportTest, LinksEachCompletedJobsReleaseToItsLastSegmentWithAFlow) {
  std::map<std::uint64_t, std::string> outs;  // bind_id -> event
  std::map<std::uint64_t, std::string> ins;
  for (const json& e : trace_["traceEvents"]) {
    if (!e.contains("bind_id")) continue;
    const std::uint64_t id = e["bind_id"];
    if (e.value("flow_out", false))
      outs[id] = e["ph"].get<std::string>() + " " + e["name"].get<std::string>();
    if (e.value("flow_in", false)) {
      ins[id] =
          e["name"].get<std::string>() + " job " + std::to_string(e["args"]["job"].get<int>());
    }
  }

  // det#0, ocr#0, det#1 and ocr#1 complete; ocr#2 is dropped and has no flow.
  const std::map<std::uint64_t, std::string> expected_out = {
      {1, "b wait det"}, {2, "b wait ocr"}, {3, "b wait det"}, {4, "b wait ocr"}};
  const std::map<std::uint64_t, std::string> expected_in = {
      {1, "det seg0 job 0"}, {2, "ocr seg1 job 0"}, {3, "det seg0 job 1"}, {4, "ocr seg1 job 1"}};
  EXPECT_EQ(outs, expected_out);
  EXPECT_EQ(ins, expected_in);
}

TEST_F(ChromeExportTest, CarriesTheRunsMetadata) {
  const json& m = trace_["metadata"];

  EXPECT_EQ(m["aegisrt_trace_version"], 1);
  EXPECT_EQ(m["workload"], "demo");
  EXPECT_EQ(m["backend"], "sim");
  EXPECT_EQ(m["policy"], "np-edf");
  EXPECT_EQ(m["load_shedding"], false);
  EXPECT_EQ(m["seed"], 7);
  EXPECT_EQ(m["horizon_ns"], 30'000'000);
  EXPECT_EQ(m["tasks"], json::array({"det", "ocr"}));
  EXPECT_EQ(m["lost_records"], 0);
  EXPECT_EQ(m["decisions"], 4);
  EXPECT_EQ(m["records"], 27);
  EXPECT_EQ(m["node"], "test-node");
}

TEST_F(ChromeExportTest, WritesTimestampsAsExactMicrosecondText) {
  EXPECT_NE(text_.find("\"ts\":12000.000"), std::string::npos);
  EXPECT_NE(text_.find("\"dur\":11000.000"), std::string::npos);
  EXPECT_EQ(text_.find("e+"), std::string::npos);  // never scientific notation
}

TEST_F(ChromeExportTest, PutsPhaseAndTimestampFirstInEveryEvent) {
  // Perfetto's older JSON tokenizer scans keys up to "ts" and fails on an array before it.
  std::size_t pos = 0;
  int events = 0;
  while ((pos = text_.find("\n{", pos)) != std::string::npos) {
    ++pos;
    ++events;
    EXPECT_EQ(text_.compare(pos, 7, "{\"ph\":\""), 0) << text_.substr(pos, 40);
    EXPECT_EQ(text_.compare(pos + 9, 6, ",\"ts\":"), 0) << text_.substr(pos, 40);
  }
  EXPECT_EQ(static_cast<std::size_t>(events), trace_["traceEvents"].size());
}

TEST(ChromeExportDeterminismTest, TheSameRecordsGiveTheSameBytes) {
  EXPECT_EQ(sample_trace_text(), sample_trace_text());
}

TEST(ChromeExportEscapingTest, TaskNamesWithQuotesAndNewlinesRoundTrip) {
  TraceBuffer buf(64, 64);
  fill_sample(buf);
  TraceMeta meta = sample_meta();
  meta.workload = "w \"quoted\"\\";
  meta.task_names = {"det\n\"1\"", "ocr\t\x01"};

  const json trace = json::parse(testing::export_text(meta, buf));

  EXPECT_EQ(trace["metadata"]["workload"], "w \"quoted\"\\");
  EXPECT_EQ(trace["metadata"]["tasks"][0], "det\n\"1\"");
  std::set<std::string> thread_names;
  for (const json& e : trace["traceEvents"]) {
    if (e["name"] == "thread_name") thread_names.insert(e["args"]["name"]);
  }
  EXPECT_TRUE(thread_names.count("ocr\t\x01"));
}

TEST(ChromeExportTruncationTest, ReportsLostRecordsAndClosesOpenWaits) {
  TraceBuffer buf(3, 64);  // keeps det#0 and ocr#0 releases and the first decision only
  fill_sample(buf);

  const json trace = json::parse(testing::export_text(sample_meta(), buf));

  EXPECT_EQ(trace["metadata"]["lost_records"], 24);
  int begins = 0, ends = 0;
  for (const json& e : trace["traceEvents"]) {
    begins += e["ph"] == "b";
    if (e["ph"] == "e") {
      ++ends;
      EXPECT_EQ(e["args"]["unfinished"], true);
    }
  }
  EXPECT_EQ(begins, 2);
  EXPECT_EQ(ends, 2);
}

TEST(ChromeExportFileTest, ReportsAFolderThatDoesNotExist) {
  TraceBuffer buf(1, 1);

  const Status st = write_chrome_json("/nonexistent-dir/x/trace.json", sample_meta(), buf);

  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aegisrt::trace
