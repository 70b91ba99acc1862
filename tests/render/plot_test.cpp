#include "semblend/plot.h"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace semblend {
namespace {

int count_colour(const Image& im, std::array<std::uint8_t, 3> rgb) {
  int n = 0;
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x) {
      const std::uint8_t* p = im.pixel(x, y);
      n += p[0] == rgb[0] && p[1] == rgb[1] && p[2] == rgb[2];
    }
  return n;
}

TEST(Plot, DrawsEachSeriesInItsColour) {
  PlotSeries a{"falling", {0, 1, 2, 3}, {1.0, 0.5, 0.25, 0.125}, {200, 30, 30}, false};
  PlotSeries b{"flat", {0, 3}, {0.6, 0.6}, {30, 30, 200}, true};
  PlotOptions o;
  o.title = "test";
  const Image im = plot_lines({a, b}, o);
  EXPECT_EQ(im.width, 900);
  EXPECT_EQ(im.height, 520);
  EXPECT_GT(count_colour(im, a.rgb), 300);
  EXPECT_GT(count_colour(im, b.rgb), 30);
  // The falling series starts high on the left and ends low on the right.
  auto rows_of = [&](int x0, int x1) {
    double sum = 0;
    int n = 0;
    for (int y = 0; y < im.height; ++y)
      for (int x = x0; x < x1; ++x) {
        const std::uint8_t* p = im.pixel(x, y);
        if (p[0] == 200 && p[1] == 30 && p[2] == 30) {
          sum += y;
          ++n;
        }
      }
    return n ? sum / n : NAN;
  };
  EXPECT_LT(rows_of(100, 200), rows_of(780, 880));
  o.log_y = true;
  EXPECT_GT(count_colour(plot_lines({a}, o), a.rgb), 300);
}

TEST(Plot, RefusesWhatCannotBeDrawn) {
  PlotSeries empty{"none", {0, 1}, {NAN, NAN}};
  EXPECT_THROW(plot_lines({empty}), std::invalid_argument);
  EXPECT_THROW(plot_lines({}), std::invalid_argument);
  PlotOptions tiny;
  tiny.width = 50;
  PlotSeries a{"a", {0, 1}, {0, 1}};
  EXPECT_THROW(plot_lines({a}, tiny), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
