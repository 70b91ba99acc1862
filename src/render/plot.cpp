// Line charts (plot.h).
#include "semblend/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

namespace semblend {
namespace {

// A "nice" tick step (1, 2 or 5 × 10^k) giving about `target` ticks over `span`.
double tick_step(double span, int target) {
  const double raw = span / std::max(1, target);
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= raw) return m * p;
  return 10 * p;
}

std::string label_of(double v) {
  char buf[32];
  if (v != 0 && (std::fabs(v) < 1e-3 || std::fabs(v) >= 1e5))
    std::snprintf(buf, sizeof buf, "%.0e", v);
  else
    std::snprintf(buf, sizeof buf, "%g", std::round(v * 1e6) / 1e6);
  return buf;
}

}  // namespace

Image plot_lines(const std::vector<PlotSeries>& series, const PlotOptions& o) {
  if (o.width < 200 || o.height < 150)
    throw std::invalid_argument("plot: the image must be at least 200 x 150 pixels");
  auto ty = [&](double y) { return o.log_y ? (y > 0 ? std::log10(y) : NAN) : y; };
  double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
  for (const PlotSeries& s : series)
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      const double y = ty(s.y[i]);
      if (!std::isfinite(s.x[i]) || !std::isfinite(y)) continue;
      x0 = std::min(x0, s.x[i]);
      x1 = std::max(x1, s.x[i]);
      y0 = std::min(y0, y);
      y1 = std::max(y1, y);
    }
  if (!(x0 <= x1)) throw std::invalid_argument("plot: no finite point to draw");
  if (x1 - x0 < 1e-12) x1 = x0 + 1;
  if (y1 - y0 < 1e-12) y1 = y0 + 1;
  const double pad = 0.05 * (y1 - y0);
  y0 -= pad;
  y1 += pad;

  cv::Mat m(o.height, o.width, CV_8UC3, cv::Scalar(255, 255, 255));
  const int left = 96, right = 20, top = 40, bottom = 60;
  const cv::Rect area(left, top, o.width - left - right, o.height - top - bottom);
  auto px = [&](double x) { return area.x + (x - x0) / (x1 - x0) * area.width; };
  auto py = [&](double y) { return area.y + area.height - (y - y0) / (y1 - y0) * area.height; };
  const cv::Scalar ink(40, 40, 40), grid(225, 225, 225);
  const int font = cv::FONT_HERSHEY_SIMPLEX;
  // Grid and tick labels.
  const double xs = tick_step(x1 - x0, 8);
  for (double x = std::ceil(x0 / xs) * xs; x <= x1 + 1e-9; x += xs) {
    cv::line(m, {int(px(x)), area.y}, {int(px(x)), area.y + area.height}, grid, 1);
    const std::string text = label_of(x);
    int baseline = 0;
    const int w = cv::getTextSize(text, font, 0.42, 1, &baseline).width;
    cv::putText(m, text, {std::min(int(px(x)) - w / 2, o.width - w - 2), area.y + area.height + 18},
                font, 0.42, ink, 1, cv::LINE_AA);
  }
  if (o.log_y) {
    for (double e = std::floor(y0); e <= std::ceil(y1); e += 1)
      for (double mul : {1.0, 2.0, 5.0}) {
        const double y = e + std::log10(mul);
        if (y < y0 || y > y1) continue;
        cv::line(m, {area.x, int(py(y))}, {area.x + area.width, int(py(y))}, grid, 1);
        cv::putText(m, label_of(std::pow(10.0, y)), {28, int(py(y)) + 4}, font, 0.42, ink, 1,
                    cv::LINE_AA);
      }
  } else {
    const double ys = tick_step(y1 - y0, 6);
    for (double y = std::ceil(y0 / ys) * ys; y <= y1 + 1e-12; y += ys) {
      cv::line(m, {area.x, int(py(y))}, {area.x + area.width, int(py(y))}, grid, 1);
      cv::putText(m, label_of(y), {28, int(py(y)) + 4}, font, 0.42, ink, 1, cv::LINE_AA);
    }
  }
  cv::rectangle(m, area, ink, 1);
  // Series (RGB given, the Mat is drawn as RGB too: the Image's byte order).
  for (const PlotSeries& s : series) {
    const cv::Scalar c(s.rgb[0], s.rgb[1], s.rgb[2]);
    bool have = false;
    cv::Point2d prev;
    int segment = 0;
    for (std::size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      const double y = ty(s.y[i]);
      if (!std::isfinite(s.x[i]) || !std::isfinite(y)) {
        have = false;
        continue;
      }
      const cv::Point2d p(px(s.x[i]), py(y));
      if (have && (!s.dashed || segment++ % 2 == 0))
        cv::line(m, cv::Point(int(prev.x), int(prev.y)), cv::Point(int(p.x), int(p.y)), c, 2,
                 cv::LINE_AA);
      prev = p;
      have = true;
    }
  }
  // Titles and legend.
  cv::putText(m, o.title, {left, 26}, font, 0.6, ink, 1, cv::LINE_AA);
  cv::putText(m, o.x_label, {area.x + area.width / 2 - 40, o.height - 16}, font, 0.5, ink, 1,
              cv::LINE_AA);
  if (!o.y_label.empty()) {
    cv::Mat label(20, 300, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::putText(label, o.y_label, {0, 15}, font, 0.5, ink, 1, cv::LINE_AA);
    cv::Mat rotated;
    cv::rotate(label, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
    const int h = std::min(rotated.rows, area.height);
    rotated(cv::Rect(0, rotated.rows - h, rotated.cols, h))
        .copyTo(m(cv::Rect(4, area.y + (area.height - h) / 2, rotated.cols, h)));
  }
  int ly = area.y + 18;
  for (const PlotSeries& s : series) {
    const cv::Scalar c(s.rgb[0], s.rgb[1], s.rgb[2]);
    const int lx = area.x + area.width - 330;
    if (s.dashed) {
      cv::line(m, {lx, ly - 5}, {lx + 10, ly - 5}, c, 2, cv::LINE_AA);
      cv::line(m, {lx + 18, ly - 5}, {lx + 28, ly - 5}, c, 2, cv::LINE_AA);
    } else {
      cv::line(m, {lx, ly - 5}, {lx + 28, ly - 5}, c, 2, cv::LINE_AA);
    }
    cv::putText(m, s.label, {lx + 36, ly}, font, 0.45, ink, 1, cv::LINE_AA);
    ly += 20;
  }
  Image out;
  out.width = o.width;
  out.height = o.height;
  out.rgb.assign(m.data, m.data + std::size_t(o.width) * std::size_t(o.height) * 3);
  return out;
}

}  // namespace semblend
