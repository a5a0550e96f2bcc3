#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "aegisrt/backend/npy.hpp"
#include "aegisrt/backend/seeded_input.hpp"
#include "support/ort_numerics.hpp"
#include "support/cli.hpp"

namespace aegisrt::testing {
namespace {

std::string oracle_dir() { return std::string(AEGISRT_SOURCE_DIR) + "/tools/ort-oracle"; }

std::string quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

// Reads the `outputs` array ({name, shape, file}) that both the oracle and `aegisrt infer --json`
// print.
std::vector<Tensor> read_outputs(const nlohmann::json& outputs, std::string& error) {
  std::vector<Tensor> result;
  for (const auto& o : outputs) {
    if (!o.contains("file") || o["file"].is_null()) {
      error = "output " + o.value("name", "?") + " was not written";
      return {};
    }
    auto npy = backend::read_npy(o["file"].get<std::string>());
    if (!npy) {
      error = npy.error().to_string();
      return {};
    }
    result.push_back({o["name"].get<std::string>(), std::move(npy->shape), std::move(npy->data)});
  }
  return result;
}

}  // namespace


const char* to_string(InputPattern p) {
  switch (p) {
    case InputPattern::kRandom:
      return "random";
    case InputPattern::kRamp:
      return "ramp";
    case InputPattern::kConstant:
      return "constant";
    case InputPattern::kCheckerboard:
      return "checkerboard";
    case InputPattern::kTextLines:
      return "textlines";
  }
  return "?";
}

std::vector<float> make_input(const std::vector<std::int64_t>& shape, InputPattern pattern,
                              std::uint32_t seed) {
  std::size_t n = 1;
  for (const std::int64_t d : shape) n *= static_cast<std::size_t>(d);
  std::vector<float> data(n, 0.5f);
  switch (pattern) {
    case InputPattern::kRandom:
      backend::SeededUniform(seed).fill(data);
      break;
    case InputPattern::kRamp:
      for (std::size_t i = 0; i < n; ++i) {
        data[i] =
            n == 1 ? 0.0f : static_cast<float>(static_cast<double>(i) / static_cast<double>(n - 1));
      }
      break;
    case InputPattern::kConstant:
      break;
    case InputPattern::kTextLines: {
      // Rows and columns are the last two axes (NCHW, the PP-OCR models' layout).
      const std::int64_t w = shape.empty() ? 1 : shape.back();
      const std::int64_t h = shape.size() < 2 ? 1 : shape[shape.size() - 2];
      for (std::size_t i = 0; i < n; ++i) {
        const auto flat = static_cast<std::int64_t>(i);
        const std::int64_t x = flat % w;
        const std::int64_t y = (flat / w) % h;
        const std::int64_t band = y % 64;
        const bool in_line = band >= 24 && band < 40 && x >= 32 && x < w - 32;
        const bool stroke = in_line && (x % 8 < 3 || band == 24 || (band == 39 && x % 16 < 9));
        data[i] = stroke ? 0.0f : 1.0f;
      }
      break;
    }
    case InputPattern::kCheckerboard: {
      // The two largest axes (ties: the later one), as H and W of an image in NCHW or NHWC.
      std::vector<std::size_t> axes(shape.size());
      for (std::size_t i = 0; i < axes.size(); ++i) axes[i] = i;
      std::stable_sort(axes.begin(), axes.end(),
                       [&](std::size_t a, std::size_t b) { return shape[a] > shape[b]; });
      const std::size_t ax_h = axes.size() > 1 ? std::min(axes[0], axes[1]) : 0;
      const std::size_t ax_w = axes.size() > 1 ? std::max(axes[0], axes[1]) : 0;
      std::vector<std::int64_t> index(shape.size(), 0);
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t h = index.empty() ? 0 : index[ax_h];
        const std::int64_t w = index.empty() ? 0 : index[ax_w];
        data[i] = ((h / 8 + w / 8) % 2 == 0) ? 1.0f : 0.0f;
        for (std::size_t a = shape.size(); a-- > 0;) {  // C-order increment
          if (++index[a] < shape[a]) break;
          index[a] = 0;
        }
      }
      break;
    }
  }
  return data;
}

std::string Comparison::describe() const {
  if (!problem.empty()) return name + ": " + problem;
  std::string text =
      fmt::format("{}: max|diff| {:.3g} {} bound {:.3g} (max|ref| {:.3g})", name, max_abs_diff,
                  max_abs_diff <= bound ? "<=" : ">", bound, ref_scale);
  if (mask_flips > 0) text += fmt::format(", {} of {} mask elements flipped", mask_flips, elements);
  return text;
}

std::string oracle_unavailable_reason() {
  if (run_command("command -v node").exit_code != 0) return "node is not installed";
  if (!std::filesystem::exists(oracle_dir() + "/node_modules/onnxruntime-node/package.json")) {
    return "the ORT oracle is not installed (scripts/setup.d/ort-oracle.sh)";
  }
  return {};
}

std::vector<Tensor> run_oracle(const std::string& model, const std::string& input_name,
                               const std::string& input_npy, const std::string& out_dir,
                               std::string& error, int threads) {
  const CliRun r = run_command(fmt::format(
      "node {} run {} --input {} --output-dir {} --threads {}", quote(oracle_dir() + "/oracle.js"),
      quote(model), quote(input_name + "=" + input_npy), quote(out_dir), threads));
  if (r.exit_code != 0) {
    error = "oracle exit " + std::to_string(r.exit_code) + ": " + r.err;
    return {};
  }
  const auto report = nlohmann::json::parse(r.out, nullptr, false);
  if (report.is_discarded() || !report.contains("outputs")) {
    error = "oracle printed no JSON report: " + r.out;
    return {};
  }
  return read_outputs(report["outputs"], error);
}

InferRun run_infer(const std::string& model, const std::string& backend,
                   const std::string& input_npy, const std::string& out_dir,
                   const std::string& extra_args) {
  const CliRun r =
      run_cli(fmt::format("infer {} --backend {} --input {} --output-dir {} --json {}",
                          quote(model), backend, quote(input_npy), quote(out_dir), extra_args));
  InferRun result;
  result.exit_code = r.exit_code;
  result.stderr_text = r.err;
  if (r.exit_code != 0) return result;
  const auto report = nlohmann::json::parse(r.out, nullptr, false);
  if (report.is_discarded() || !report.contains("outputs")) {
    result.exit_code = -1;
    result.stderr_text = "no JSON report: " + r.out;
    return result;
  }
  for (const auto& in : report["inputs"]) result.input_names.push_back(in["name"]);
  std::string error;
  result.outputs = read_outputs(report["outputs"], error);
  if (!error.empty()) {
    result.exit_code = -1;
    result.stderr_text = error;
  }
  return result;
}

std::vector<Comparison> compare(const std::vector<Tensor>& got, const std::vector<Tensor>& ref,
                                const Tolerance& tolerance) {
  std::vector<Comparison> out;
  for (const Tensor& r : ref) {
    Comparison c;
    c.name = r.name;
    const auto it =
        std::find_if(got.begin(), got.end(), [&](const Tensor& g) { return g.name == r.name; });
    if (it == got.end()) {
      c.problem = "missing from AegisRT's outputs";
      out.push_back(c);
      continue;
    }
    if (it->shape != r.shape || it->data.size() != r.data.size()) {
      c.problem = "shape differs from ONNX Runtime's";
      out.push_back(c);
      continue;
    }
    const bool peak_mask =
        std::find(tolerance.peak_mask_outputs.begin(), tolerance.peak_mask_outputs.end(), r.name) !=
        tolerance.peak_mask_outputs.end();
    c.elements = r.data.size();
    for (std::size_t i = 0; i < r.data.size(); ++i) {
      const double a = it->data[i];
      const double b = r.data[i];
      if (!std::isfinite(a) || !std::isfinite(b)) {
        c.problem = fmt::format("non-finite value at {} ({} vs ORT {})", i, a, b);
        break;
      }
      c.ref_scale = std::max(c.ref_scale, std::abs(b));
    }
    c.bound = tolerance.rtol * c.ref_scale + tolerance.atol;
    for (std::size_t i = 0; i < r.data.size() && c.problem.empty(); ++i) {
      const double a = it->data[i];
      const double b = r.data[i];
      const double diff = std::abs(a - b);
      if (peak_mask && diff > c.bound && ((a == 0.0) != (b == 0.0))) {
        ++c.mask_flips;  // a peak one side suppressed: not a difference in value
        continue;
      }
      c.max_abs_diff = std::max(c.max_abs_diff, diff);
    }
    const double allowed_flips = tolerance.max_flip_fraction * static_cast<double>(c.elements);
    c.within = c.problem.empty() && c.max_abs_diff <= c.bound &&
               static_cast<double>(c.mask_flips) <= allowed_flips;
    if (c.problem.empty() && static_cast<double>(c.mask_flips) > allowed_flips) {
      c.problem = fmt::format("{} of {} mask elements flipped (allowed: {:.0f})", c.mask_flips,
                              c.elements, allowed_flips);
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace aegisrt::testing
