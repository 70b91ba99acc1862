// semblend/plot.h — a line chart as an image, for the reports the project makes about itself (the
// solver's training curves, docs/solver.md). OpenCV drawing; no plotting library in Debian fits a
// C++ tool without Python or gnuplot.
//
// plot_lines: each series is drawn as a polyline over shared axes whose ranges cover every finite
// point (plus a margin), with tick labels, a title, axis labels and a legend. Non-finite points
// are skipped. Failure modes: std::invalid_argument for a size below 200 × 150 or no finite point.
// Thread safety: a pure function.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "semblend/image.h"

namespace semblend {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::array<std::uint8_t, 3> rgb{31, 119, 180};
  bool dashed = false;
};

struct PlotOptions {
  int width = 900, height = 520;
  std::string title, x_label, y_label;
  bool log_y = false;
};

Image plot_lines(const std::vector<PlotSeries>& series, const PlotOptions& options = {});

}  // namespace semblend
