#include "aegisrt/opencv/opencv_backend.hpp"

#include <cmath>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/dnn.hpp>
#include <string_view>

#include "aegisrt/backend/registry.hpp"
#include "aegisrt/model/import.hpp"
#include "onnx_rewrite.hpp"

namespace aegisrt::opencv {
namespace {

// OpenCV's messages span several lines ("> " continuation prefixes); make them one line.
std::string one_line(std::string_view text) {
  std::string out;
  bool space = false;
  for (const char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (c == '>' && (out.empty() || space)) continue;  // the "> " prefix of nested messages
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// The exception's description, and the OpenCV function that raised it when the description is
// a bare assertion (nested parse errors already name their node and function).
std::string opencv_says(const cv::Exception& e) {
  std::string text = one_line(e.err.empty() ? std::string_view(e.what()) : std::string_view(e.err));
  if (!e.func.empty() && text.find(" in function ") == std::string::npos) {
    text += " (in OpenCV's " + e.func + ")";
  }
  return text;
}

// Silences OpenCV's own logging (it prints "[ERROR:0@...]" lines to stderr before throwing) while
// in scope: AegisRT reports the exception's text itself.
class QuietOpenCv {
 public:
  QuietOpenCv()
      : previous_(cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT)) {}
  ~QuietOpenCv() { cv::utils::logging::setLogLevel(previous_); }
  QuietOpenCv(const QuietOpenCv&) = delete;
  QuietOpenCv& operator=(const QuietOpenCv&) = delete;

 private:
  cv::utils::logging::LogLevel previous_;
};

std::vector<int> to_cv_shape(const std::vector<std::int64_t>& shape) {
  std::vector<int> dims;
  for (const std::int64_t d : shape) dims.push_back(static_cast<int>(d));
  if (dims.empty()) dims.push_back(1);
  return dims;
}

class OpenCvRunner final : public backend::ModelRunner {
 public:
  const backend::RunnerInfo& info() const override { return info_; }
  std::span<const backend::TensorInfo> inputs() const override { return inputs_; }
  std::span<const backend::TensorInfo> outputs() const override { return outputs_; }

  Status set_input(std::size_t index, std::span<const float> data) override {
    if (Status st = check_input(index, data); !st.ok()) return st;
    std::copy(data.begin(), data.end(), input_mats_[index].ptr<float>());
    return Ok{};
  }

  backend::RunFailure run_segment(std::size_t k) override {
    if (k != 0) return backend::RunFailure::kEngine;
    try {
      for (std::size_t i = 0; i < inputs_.size(); ++i) {
        net_.setInput(input_mats_[i], input_names_[i]);
      }
      net_.forward(output_mats_, output_names_);
    } catch (const cv::Exception&) {
      return backend::RunFailure::kEngine;
    } catch (...) {
      return backend::RunFailure::kEngine;
    }
    for (std::size_t i = 0; i < outputs_.size(); ++i) {
      for (const float v : output(i)) {
        if (!std::isfinite(v)) return backend::RunFailure::kNonFinite;
      }
    }
    return backend::RunFailure::kNone;
  }

  std::span<const float> output(std::size_t index) const override {
    if (index >= output_mats_.size() || output_mats_[index].empty()) return {};
    return {output_mats_[index].ptr<float>(), outputs_[index].elements()};
  }

  // Everything load() fills in.
  cv::dnn::Net net_;
  backend::RunnerInfo info_;
  std::vector<backend::TensorInfo> inputs_;
  std::vector<backend::TensorInfo> outputs_;
  std::vector<cv::String> input_names_;
  std::vector<cv::String> output_names_;
  std::vector<cv::Mat> input_mats_;
  std::vector<cv::Mat> output_mats_;
};

Error opencv_error(const std::string& model, const std::string& what, const cv::Exception& e) {
  return make_error(
      ErrorCode::kUnsupported,
      "model `" + model + "`: OpenCV DNN " + CV_VERSION + " cannot " + what + ": " + opencv_says(e),
      "OpenCV DNN 4.6 cannot run every ONNX model (docs/design/0008); use "
      "--backend cpu");
}

}  // namespace

std::string engine_version() { return std::string("OpenCV DNN ") + CV_VERSION; }

Result<std::unique_ptr<backend::ModelRunner>> load(const std::string& path,
                                                   std::span<const std::int64_t> input_shape,
                                                   int threads) {
  // AegisRT's importer gives the static input and output shapes (and checks the file).
  model::ImportOptions options;
  if (!input_shape.empty()) {
    options.input_shapes.push_back({"", model::Shape(input_shape.begin(), input_shape.end())});
  }
  auto graph = model::import_file(path, options);
  if (!graph) return graph.error();

  auto runner = std::make_unique<OpenCvRunner>();
  for (const model::ValueId id : graph->inputs) {
    const model::Value& v = graph->value(id);
    if (v.dtype != model::DType::kFloat32) {
      return make_error(ErrorCode::kUnsupported, "model `" + graph->name + "`: input `" + v.name +
                                                     "` is " + to_string(v.dtype) +
                                                     "; the opencv backend feeds float32 only");
    }
    runner->inputs_.push_back({v.name, v.shape});
  }
  for (const model::ValueId id : graph->outputs) {
    const model::Value& v = graph->value(id);
    if (v.dtype != model::DType::kFloat32) {
      return make_error(ErrorCode::kUnsupported, "model `" + graph->name + "`: output `" + v.name +
                                                     "` is " + to_string(v.dtype) +
                                                     "; the opencv backend returns float32 only");
    }
    runner->outputs_.push_back({v.name, v.shape});
  }

  std::ifstream in(path, std::ios::binary);
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                std::istreambuf_iterator<char>());
  auto rewritten = rewrite_for_opencv(std::as_bytes(std::span<const char>(bytes)), runner->inputs_,
                                      runner->outputs_);
  if (!rewritten) return rewritten.error();

  const QuietOpenCv quiet;
  cv::setNumThreads(threads);
  try {
    runner->net_ = cv::dnn::readNetFromONNX(rewritten->data(), rewritten->size());
    runner->net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    runner->net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  } catch (const cv::Exception& e) {
    return opencv_error(graph->name, "load it", e);
  }
  for (const auto& t : runner->inputs_) {
    runner->input_names_.push_back(t.name);
    runner->input_mats_.emplace_back(to_cv_shape(t.shape), CV_32F, cv::Scalar(0.0));
  }
  for (const auto& t : runner->outputs_) runner->output_names_.push_back(t.name);

  // One run on zeros: OpenCV allocates its buffers on the first forward, and a model it loads but
  // cannot run fails here rather than in the first job.
  try {
    for (std::size_t i = 0; i < runner->inputs_.size(); ++i) {
      runner->net_.setInput(runner->input_mats_[i], runner->input_names_[i]);
    }
    runner->net_.forward(runner->output_mats_, runner->output_names_);
  } catch (const cv::Exception& e) {
    return opencv_error(graph->name, "run it", e);
  }
  for (std::size_t i = 0; i < runner->outputs_.size(); ++i) {
    const cv::Mat& m = runner->output_mats_.at(i);
    const auto& want = runner->outputs_[i];
    if (m.type() != CV_32F || !m.isContinuous() || m.total() != want.elements()) {
      return make_error(ErrorCode::kUnsupported,
                        "model `" + graph->name + "`: OpenCV DNN returns " +
                            std::to_string(m.total()) + " values for output `" + want.name +
                            "`, the ONNX graph says " + model::to_string(want.shape),
                        "OpenCV DNN 4.6 misreads this model; use --backend cpu");
    }
  }

  backend::RunnerInfo& info = runner->info_;
  info.backend = "opencv";
  info.engine = engine_version();
  info.threads = cv::getNumThreads();
  info.weights_bytes = graph->weights_bytes();
  info.arena_bytes = 0;
  info.memory_planned = false;
  info.segment_names = {graph->name};
  return std::unique_ptr<backend::ModelRunner>(std::move(runner));
}

Result<std::unique_ptr<backend::ModelRunner>> load_request(const backend::LoadRequest& request) {
  if (request.input_shapes.size() > 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the opencv backend takes one --input-shape (its model's first input)");
  }
  if (request.memory.mode == backend::MemoryBinding::Mode::kRegion) {
    return make_error(ErrorCode::kUnsupported,
                      "the opencv backend cannot run in a caller's memory region: OpenCV DNN "
                      "allocates and owns its activations");
  }
  // load() applies a shape to the first input: a named one is checked by an import.
  if (!request.input_shapes.empty() && !request.input_shapes.front().name.empty()) {
    model::ImportOptions options;
    options.input_shapes = request.input_shapes;
    if (auto graph = model::import_file(request.path, options); !graph) return graph.error();
  }
  const model::Shape shape =
      request.input_shapes.empty() ? model::Shape{} : request.input_shapes.front().shape;
  return load(request.path, shape, request.threads);
}

void register_backend() {
  backend::register_backend("opencv", &load_request);
  backend::set_engine_info("opencv", engine_version(), "");
}

}  // namespace aegisrt::opencv
