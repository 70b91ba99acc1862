// The solver's output layouts (solver.h decode_solver_output).
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "semblend/rig.h"
#include "semblend/solver.h"

namespace semblend {
namespace {

constexpr std::size_t K = kBlendshapeCount, C = kIntensityCount;

TEST(SolverDecode, SemanticLayoutReadsTheBandAndThePlaceInIt) {
  std::vector<float> y(kSolverSemanticOutputSize, 0.0f);
  float* bands = y.data();
  float* category = bands + K * C;
  float* in_band = category + kCategoryCount;
  for (std::size_t k = 0; k < K; ++k) bands[k * C] = 30;  // certainly "none", at its low end
  for (std::size_t k = 0; k < K; ++k) in_band[k * C] = -30;
  const std::size_t jaw = index_of(Blendshape::JawOpen);
  bands[jaw * C] = 0;
  bands[jaw * C + std::size_t(Intensity::C)] = 30;  // certainly band C (0.45 .. 0.65), middle
  in_band[jaw * C + std::size_t(Intensity::C)] = 0;
  category[std::size_t(Category::Surprise)] = 5;
  const SolverResult r = decode_solver_output(y);
  EXPECT_NEAR(r.coefficients[Blendshape::JawOpen], 0.55f, 1e-5);
  EXPECT_EQ(r.bins[jaw], Intensity::C);
  EXPECT_NEAR(r.coefficients[Blendshape::EyeBlinkLeft], 0.0f, 1e-5);
  EXPECT_EQ(r.category, Category::Surprise);
  // Two equally likely bands: the value is the mean of their two readings.
  const std::size_t blink = index_of(Blendshape::EyeBlinkLeft);
  bands[blink * C] = 0;
  bands[blink * C + std::size_t(Intensity::D)] = 10;
  bands[blink * C + std::size_t(Intensity::E)] = 10;
  in_band[blink * C + std::size_t(Intensity::D)] = 30;   // the top of D: 0.85
  in_band[blink * C + std::size_t(Intensity::E)] = -30;  // the bottom of E: 0.85
  EXPECT_NEAR(decode_solver_output(y).coefficients[Blendshape::EyeBlinkLeft], 0.85f, 1e-4);
}

TEST(SolverDecode, DirectLayout) {
  std::vector<float> direct(kSolverDirectOutputSize, -40.0f);
  direct[index_of(Blendshape::MouthSmileLeft)] = 0;
  direct[index_of(Blendshape::MouthSmileRight)] = 0;
  const SolverResult d = decode_solver_output(direct);
  EXPECT_NEAR(d.coefficients[Blendshape::MouthSmileLeft], 0.5f, 1e-6);
  // Without semantic heads the bands and category are read off the coefficients.
  EXPECT_EQ(d.bins[index_of(Blendshape::MouthSmileLeft)], intensity_of(0.5f));
  EXPECT_EQ(d.category, describe(d.coefficients).category);
  EXPECT_THROW(decode_solver_output(std::vector<float>(100)), std::invalid_argument);
}

TEST(StylisedIdentity, IsFarOutsideTheAdultRangeAndStillARig) {
  const Identity s = stylised_identity(3);
  EXPECT_GT(s.eye_size, 2.5f);
  EXPECT_LT(s.nose_length, -1.0f);
  EXPECT_EQ(stylised_identity(3), s);
  EXPECT_NE(stylised_identity(4), s);
  const Rig rig = build_rig(s);
  for (const Point3& p : rig.neutral) ASSERT_TRUE(std::isfinite(p.x + p.y + p.z));
  // Bigger eyes than the average face: the eye opening is wider.
  const Rig avg = default_rig();
  auto eye_width = [](const Rig& r) { return std::fabs(r.neutral[33].x - r.neutral[133].x); };
  EXPECT_GT(eye_width(rig), 1.15f * eye_width(avg));
}

}  // namespace
}  // namespace semblend
