// Figures for reports: the acceptance-ratio curves of an experiment (sim/experiment.hpp) as SVG.
#pragma once

#include <string>
#include <vector>

#include "aegisrt/sim/experiment.hpp"

namespace aegisrt::report {

// Acceptance ratio against utilisation, one curve per policy, as a standalone SVG document.
// Deterministic: the same points give the same bytes.
std::string acceptance_svg(const std::vector<sim::AcceptancePoint>& points,
                           const std::string& title);

}  // namespace aegisrt::report
