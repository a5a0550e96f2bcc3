#include "aegisrt/report/acceptance_svg.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace aegisrt::report {

using sim::AcceptancePoint;

std::string acceptance_svg(const std::vector<AcceptancePoint>& points, const std::string& title) {
  constexpr double kW = 640, kH = 420, kLeft = 60, kRight = 150, kTop = 40, kBottom = 50;
  const double pw = kW - kLeft - kRight;
  const double ph = kH - kTop - kBottom;
  double u_max = 0;
  for (const AcceptancePoint& p : points) u_max = std::max(u_max, p.utilisation);
  if (u_max <= 0) u_max = 1;
  auto x = [&](double u) { return kLeft + pw * u / u_max; };
  auto y = [&](double r) { return kTop + ph * (1 - r); };
  std::map<std::string, std::vector<const AcceptancePoint*>> curves;
  std::vector<std::string> order;
  for (const AcceptancePoint& p : points) {
    const std::string name = to_string(p.policy);
    if (!curves.count(name)) order.push_back(name);
    curves[name].push_back(&p);
  }
  const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};
  std::string s;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
                "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%%\" "
                "height=\"100%%\" fill=\"white\"/>\n",
                kW, kH);
  s += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"%g\" y=\"20\" font-size=\"14\">", kLeft);
  s += buf;
  for (char c : title) {
    if (c == '<')
      s += "&lt;";
    else if (c == '&')
      s += "&amp;";
    else
      s += c;
  }
  s += "</text>\n";
  for (int i = 0; i <= 10; ++i) {  // grid and ticks
    const double r = i / 10.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%g\" y1=\"%.1f\" x2=\"%g\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  "<text x=\"%g\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>\n",
                  kLeft, y(r), kLeft + pw, y(r), kLeft - 6, y(r) + 4, r);
    s += buf;
    const double u = u_max * i / 10.0;
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#ddd\"/>"
                  "<text x=\"%.1f\" y=\"%g\" text-anchor=\"middle\">%.2f</text>\n",
                  x(u), kTop, x(u), kTop + ph, x(u), kTop + ph + 16, u);
    s += buf;
  }
  std::snprintf(buf, sizeof buf,
                "<rect x=\"%g\" y=\"%g\" width=\"%g\" height=\"%g\" fill=\"none\" "
                "stroke=\"black\"/>\n<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">total "
                "utilisation</text>\n<text transform=\"translate(16 %g) rotate(-90)\" "
                "text-anchor=\"middle\">acceptance ratio</text>\n",
                kLeft, kTop, pw, ph, kLeft + pw / 2, kH - 12, kTop + ph / 2);
  s += buf;
  for (std::size_t c = 0; c < order.size(); ++c) {
    const char* colour = colours[c % 6];
    s += "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"";
    s += colour;
    s += "\" points=\"";
    for (const AcceptancePoint* p : curves[order[c]]) {
      std::snprintf(buf, sizeof buf, "%.1f,%.1f ", x(p->utilisation), y(p->acceptance_ratio()));
      s += buf;
    }
    s += "\"/>\n";
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"%s\" "
                  "stroke-width=\"2\"/><text x=\"%g\" y=\"%g\">%s</text>\n",
                  kLeft + pw + 12, kTop + 14 + 20.0 * static_cast<double>(c), kLeft + pw + 36,
                  kTop + 14 + 20.0 * static_cast<double>(c), colour, kLeft + pw + 42,
                  kTop + 18 + 20.0 * static_cast<double>(c), order[c].c_str());
    s += buf;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace aegisrt::report
