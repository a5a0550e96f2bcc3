// The backend registry: every known backend by name, whether this build has it, the nearest name
// for a typo, how to enable one that is missing, and engines registered by an explicit call.
#include "aegisrt/backend/registry.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "aegisrt/backend/engines.hpp"

namespace aegisrt::backend {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

TEST(BackendRegistryTest, KnowsEveryBackendByNameInAFixedOrder) {
  const std::vector<std::string> names = backend_names();

  ASSERT_GE(names.size(), 4u);
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + 4),
            (std::vector<std::string>{"sim", "cpu", "opencv", "cuda"}));
}

TEST(BackendRegistryTest, SimIsAlwaysCompiledInAndRunsNoModels) {
  const auto sut = find_backend("sim");

  ASSERT_TRUE(sut.ok());
  EXPECT_TRUE(sut->compiled_in());
  EXPECT_FALSE(sut->runs_models());
  const auto runner = runner_backend("sim");
  ASSERT_FALSE(runner.ok());
  EXPECT_EQ(runner.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(contains(runner.error().message, "runs no models")) << runner.error().message;
}

TEST(BackendRegistryTest, SuggestsTheNearestNameForAnUnknownOne) {
  const auto sut = find_backend("opencb");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sut.error().message, "`opencb` is not a backend");
  // (An engine registered later adds its name at the end.)
  EXPECT_TRUE(
      starts_with(sut.error().hint, "did you mean `opencv`? one of: sim, cpu, opencv, cuda"))
      << sut.error().hint;
}

TEST(BackendRegistryTest, ListsTheBackendsThatRunModelsForAnUnknownRunner) {
  const auto sut = runner_backend("cdu");

  ASSERT_FALSE(sut.ok());
  EXPECT_TRUE(starts_with(sut.error().hint, "did you mean `cpu`? one of: cpu, opencv, cuda"))
      << sut.error().hint;
}

TEST(BackendRegistryTest, SaysHowToEnableABackendThisBuildLacks) {
  // No build has a cuda engine yet.
  const auto sut = runner_backend("cuda");

  ASSERT_FALSE(sut.ok());
  EXPECT_EQ(sut.error().code, ErrorCode::kUnsupported);
  EXPECT_EQ(sut.error().message, "the `cuda` backend is not compiled into this build");
  EXPECT_FALSE(sut.error().hint.empty());
  EXPECT_FALSE(find_backend("cuda")->compiled_in());
}

TEST(BackendRegistryTest, RegisterEnginesFillsInTheEnginesOfThisBuild) {
  register_engines();
  register_engines();  // idempotent

  for (const std::string& name : {std::string("cpu"), std::string("opencv")}) {
    const std::vector<std::string> built = compiled_engines();
    const bool in_build = std::find(built.begin(), built.end(), name) != built.end();
    const auto entry = find_backend(name);
    ASSERT_TRUE(entry.ok());
    EXPECT_EQ(entry->compiled_in(), in_build) << name;
    EXPECT_EQ(runner_backend(name).ok(), in_build) << name;
    if (!in_build) {
      EXPECT_TRUE(contains(runner_backend(name).error().hint, "-DAEGISRT_")) << name;
    }
  }
}

Result<std::unique_ptr<ModelRunner>> refuse_everything(const LoadRequest& request) {
  return make_error(ErrorCode::kUnsupported, "toy engine: cannot load " + request.path);
}

TEST(BackendRegistryTest, AnEngineFromOutsideRegistersUnderANewName) {
  register_backend("toy", &refuse_everything, "a test engine", "link the toy engine");

  const auto entry = find_backend("toy");
  LoadRequest request;
  request.path = "m.onnx";
  const auto loaded = load_runner("toy", request);

  ASSERT_TRUE(entry.ok());
  EXPECT_TRUE(entry->compiled_in());
  EXPECT_EQ(entry->description, "a test engine");
  EXPECT_EQ(backend_names().back(), "toy");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().message, "toy engine: cannot load m.onnx");
}

}  // namespace
}  // namespace aegisrt::backend
