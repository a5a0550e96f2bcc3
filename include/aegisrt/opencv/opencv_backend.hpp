// The `opencv` backend: OpenCV DNN (Debian's 4.6) as an opaque, delegated inference engine.
//
// OpenCV runs the whole model as ONE non-preemptive segment, in memory it allocates and owns
// itself: RunnerInfo.memory_planned is false and arena_bytes is 0 (reported, not planned). It
// proves that the ModelRunner seam works with a third-party runtime, and it is a second numeric
// reference beside ONNX Runtime. See docs/design/0008-opencv-backend.md.
//
// Before OpenCV sees a model, AegisRT rewrites a copy of its protobuf in memory (never the file):
// every graph input and output gets its static shape, and Clip nodes whose bounds are constant
// inputs (opset >= 11) get them as attributes, the only form OpenCV 4.6 reads. With that,
// OpenCV 4.6 runs the BlazeFace models, the PP-OCR direction classifier and the PP-OCRv4 detector;
// it cannot load M-LSD or run the PP-OCRv4 recogniser, which fail at load with OpenCV's own
// message.
//
// The engine library `aegisrt::opencv` (CMake option AEGISRT_OPENCV); the core `aegisrt` library
// does not link OpenCV.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aegisrt/backend/model_runner.hpp"
#include "aegisrt/core/result.hpp"

namespace aegisrt::opencv {

// Loads `path` into OpenCV DNN at `input_shape` (the shape of the model's only or first input;
// empty: the shape the file declares, which must then be static) and runs it once on zeros, so
// that OpenCV allocates its buffers and the output shapes are checked against the ONNX graph's.
// `threads` sets OpenCV's worker count, which is process-wide (cv::setNumThreads); the runner
// reports what OpenCV then says it uses.
// Errors: kNotFound (no such file), kParse / kInvalidArgument / kUnsupported from AegisRT's ONNX
// import (which gives the static input and output shapes), kUnsupported when OpenCV cannot load or
// run the model: the message names the model and quotes OpenCV's exception.
// Never throws; OpenCV's exceptions are caught. Call from one thread at a time.
Result<std::unique_ptr<backend::ModelRunner>> load(const std::string& path,
                                                   std::span<const std::int64_t> input_shape = {},
                                                   int threads = 1);

// "OpenCV DNN 4.6.0": the engine this build links.
std::string engine_version();

// The `opencv` entry of the backend registry: loads `request` with load() (at most one input
// shape, applied to the first input: a named one is checked against the model by AegisRT's
// import; `threads`). Segment options, pinning and NaN-check settings do not apply. OpenCV owns its
// memory: MemoryBinding::kDeferred loads as kOwn (memory_needs().arena_bytes is 0), kRegion is
// kUnsupported. The scheduler's backend is backend::RunnerBackend over this factory
// (backend::make_backend("opencv")). Errors: kInvalidArgument (several input shapes), those of
// load().
Result<std::unique_ptr<backend::ModelRunner>> load_request(const backend::LoadRequest& request);

// Registers the `opencv` backend's factory (load_request) in backend::registry (registry.hpp).
// backend::register_engines() calls it in a build with the opencv engine. Idempotent.
void register_backend();

}  // namespace aegisrt::opencv
