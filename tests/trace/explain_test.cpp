#include "aegisrt/trace/explain.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "trace/sample_trace.hpp"

namespace aegisrt::trace {
namespace {

using nlohmann::json;
using testing::sample_trace_text;

// Index in traceEvents of the `k`-th decide event.
std::size_t decide_event(const json& trace, int k) {
  for (std::size_t i = 0; i < trace["traceEvents"].size(); ++i) {
    if (trace["traceEvents"][i]["name"] == "decide" && k-- == 0) return i;
  }
  ADD_FAILURE() << "no such decide event";
  return 0;
}

// The sample trace, edited by `edit`, explained.
Result<ExplainReport> explain_edited(const std::function<void(json&)>& edit) {
  json trace = json::parse(sample_trace_text());
  edit(trace);
  return explain_text(trace.dump(), "edited.json");
}

TEST(ExplainTest, ReproducesEveryDecisionOfAnUntouchedTrace) {
  const auto sut = explain_text(sample_trace_text(), "sample.json");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->workload, "demo");
  EXPECT_EQ(sut->policy, Policy::kNpEdf);
  EXPECT_EQ(sut->decisions, 4u);
  EXPECT_EQ(sut->reproduced, 4u);
  EXPECT_TRUE(sut->mismatches.empty());
  EXPECT_EQ(sut->lost_records, 0u);
  EXPECT_TRUE(sut->all_reproduced());
  ASSERT_EQ(sut->details.size(), 4u);
  EXPECT_EQ(sut->details[1].reason_text, "ocr#0: only candidate");
  EXPECT_EQ(sut->details[2].time, TimePoint::from_ns(12'000'000));
}

TEST(ExplainTest, DetectsAnEditedChoice) {
  const auto sut = explain_edited([](json& t) {
    t["traceEvents"][decide_event(t, 0)]["args"]["chosen"] = 1;
    t["traceEvents"][decide_event(t, 0)]["args"]["runner_up"] = 0;
  });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->reproduced, 3u);
  EXPECT_FALSE(sut->all_reproduced());
  ASSERT_FALSE(sut->mismatches.empty());
  const Mismatch& m = sut->mismatches[0];
  EXPECT_EQ(m.kind, MismatchKind::kChoice);
  EXPECT_EQ(m.decision, 0u);
  EXPECT_EQ(m.time, TimePoint::from_ns(0));
  EXPECT_EQ(m.recorded.rfind("ocr#0 ", 0), 0u) << m.recorded;
  EXPECT_EQ(m.replayed.rfind("det#0 ", 0), 0u) << m.replayed;
  // det#0's segment, not ocr#0's, started after the decision.
  ASSERT_EQ(sut->mismatches.size(), 2u);
  EXPECT_EQ(sut->mismatches[1].kind, MismatchKind::kDispatch);
}

TEST(ExplainTest, DetectsAnEditedCandidateDeadline) {
  // With ocr#0 due at 5ms it, not det#0 (10ms), is the earliest deadline.
  const auto sut = explain_edited([](json& t) {
    t["traceEvents"][decide_event(t, 0)]["args"]["candidates"][1]["deadline_ns"] = 5'000'000;
  });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->reproduced, 3u);
  bool choice = false, inputs = false;
  for (const Mismatch& m : sut->mismatches) {
    EXPECT_EQ(m.decision, 0u);
    choice |= m.kind == MismatchKind::kChoice;
    inputs |= m.kind == MismatchKind::kInputs;
  }
  EXPECT_TRUE(choice);
  EXPECT_TRUE(inputs);  // the release event says 40ms
}

TEST(ExplainTest, DetectsADeadlineEditThatKeepsTheChoiceThroughTheReleaseEvent) {
  // det#0 stays the earliest (9ms < 40ms): only the comparison with its release event catches it.
  const auto sut = explain_edited([](json& t) {
    t["traceEvents"][decide_event(t, 0)]["args"]["candidates"][0]["deadline_ns"] = 9'000'000;
  });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->mismatches.size(), 1u);
  EXPECT_EQ(sut->mismatches[0].kind, MismatchKind::kInputs);
  EXPECT_NE(sut->mismatches[0].recorded.find("deadline 9ms"), std::string::npos);
  EXPECT_NE(sut->mismatches[0].replayed.find("deadline 10ms"), std::string::npos);
}

TEST(ExplainTest, DetectsAnEditedShedFlag) {
  const auto sut = explain_edited([](json& t) {
    t["traceEvents"][decide_event(t, 0)]["args"]["candidates"][1]["shed"] = true;
  });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->mismatches.size(), 1u);
  EXPECT_EQ(sut->mismatches[0].kind, MismatchKind::kChoice);
  EXPECT_NE(sut->mismatches[0].recorded.find("shed: ocr#0"), std::string::npos)
      << sut->mismatches[0].recorded;
  EXPECT_NE(sut->mismatches[0].replayed.find("shed: none"), std::string::npos)
      << sut->mismatches[0].replayed;
}

TEST(ExplainTest, DetectsAnEditedReason) {
  const auto sut = explain_edited(
      [](json& t) { t["traceEvents"][decide_event(t, 0)]["args"]["reason"] = "earliest_release"; });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->mismatches.size(), 1u);
  EXPECT_EQ(sut->mismatches[0].kind, MismatchKind::kChoice);
}

TEST(ExplainTest, DetectsASegmentThatIsNotTheChosenJobs) {
  const auto sut = explain_edited([](json& t) {
    for (json& e : t["traceEvents"]) {
      if (e["ph"] == "X" && e["tid"] == 0 && e["args"]["start_ns"] == 12'000'000) {
        e["args"]["job"] = 5;
      }
    }
  });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  ASSERT_EQ(sut->mismatches.size(), 1u);
  EXPECT_EQ(sut->mismatches[0].kind, MismatchKind::kDispatch);
  EXPECT_EQ(sut->mismatches[0].decision, 2u);
  EXPECT_EQ(sut->mismatches[0].replayed, "det#5 starts next, at 12ms");
}

TEST(ExplainTest, DetectsARemovedDecision) {
  const auto sut = explain_edited([](json& t) { t["traceEvents"].erase(decide_event(t, 1)); });

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->decisions, 3u);
  EXPECT_EQ(sut->reproduced, 3u);
  ASSERT_EQ(sut->mismatches.size(), 1u);
  EXPECT_EQ(sut->mismatches[0].kind, MismatchKind::kCount);
  EXPECT_FALSE(sut->all_reproduced());
}

TEST(ExplainTest, ReportsATruncatedTraceAsNotFullyReproduced) {
  TraceBuffer buf(4, 64);
  testing::fill_sample(buf);

  const auto sut = explain_text(testing::export_text(testing::sample_meta(), buf), "cut.json");

  ASSERT_TRUE(sut.ok()) << sut.error().to_string();
  EXPECT_EQ(sut->decisions, 1u);
  EXPECT_EQ(sut->reproduced, 1u);
  EXPECT_EQ(sut->lost_records, 23u);
  EXPECT_FALSE(sut->all_reproduced());
}

TEST(ExplainInputTest, RejectsAFileThatIsNotJson) {
  const auto sut = explain_text("{\"traceEvents\": [", "broken.json");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("not a JSON file"), std::string::npos);
  EXPECT_EQ(sut.error().where.file, "broken.json");
}

TEST(ExplainInputTest, RejectsJsonThatIsNotAnAegisTrace) {
  const auto sut = explain_text(R"({"traceEvents": [], "metadata": {"foo": 1}})", "other.json");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  EXPECT_NE(sut.error().message.find("not an AegisRT trace"), std::string::npos);
  EXPECT_EQ(sut.error().where.field, "metadata.aegisrt_trace_version");
}

TEST(ExplainInputTest, RejectsATopLevelArray) {
  const auto sut = explain_text("[]", "array.json");

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("not an AegisRT trace"), std::string::npos);
}

TEST(ExplainInputTest, RejectsAnUnknownTraceVersion) {
  const auto sut = explain_edited([](json& t) { t["metadata"]["aegisrt_trace_version"] = 2; });

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
}

TEST(ExplainInputTest, NamesTheEventAndFieldOfAMalformedDecision) {
  std::size_t index = 0;
  const auto sut = explain_edited([&](json& t) {
    index = decide_event(t, 1);
    t["traceEvents"][index]["args"]["candidates"][0].erase("deadline_ns");
  });

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kParse);
  const std::string where = "traceEvents[" + std::to_string(index) + "]";
  EXPECT_NE(sut.error().message.find(where), std::string::npos) << sut.error().message;
  EXPECT_EQ(sut.error().where.field, where + ".args.candidates[0].deadline_ns");
  EXPECT_NE(sut.error().to_string().find("missing field"), std::string::npos);
}

TEST(ExplainInputTest, NamesAMistypedField) {
  const auto sut = explain_edited(
      [](json& t) { t["traceEvents"][decide_event(t, 0)]["args"]["chosen"] = "zero"; });

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().where.field.find(".args.chosen"), std::string::npos);
  EXPECT_NE(sut.error().message.find("expected an integer"), std::string::npos);
}

TEST(ExplainInputTest, RejectsAnUnknownReason) {
  const auto sut = explain_edited(
      [](json& t) { t["traceEvents"][decide_event(t, 0)]["args"]["reason"] = "gut_feeling"; });

  ASSERT_FALSE(sut.ok());
  EXPECT_NE(sut.error().message.find("gut_feeling"), std::string::npos);
}

TEST(ExplainInputTest, ReportsAMissingFile) {
  const auto sut = explain_file("/nonexistent/trace.json");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace aegisrt::trace
