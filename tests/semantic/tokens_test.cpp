#include <gtest/gtest.h>

#include <random>
#include <set>

#include "semblend/semantic.h"

namespace semblend {
namespace {

TEST(SemanticTokens, VocabularyIsFixedAndNamed) {
  EXPECT_EQ(kTokenCount, 52u * 6u + 9u);
  std::set<std::string> names;
  for (int i = 0; i < static_cast<int>(kTokenCount); ++i) names.insert(token_name(i));
  EXPECT_EQ(names.size(), kTokenCount);  // every token has its own name
  EXPECT_EQ(token_name(0), "eyes.lid_close.left:none");
  EXPECT_EQ(token_name(static_cast<int>(index_of(Blendshape::MouthSmileRight)) * 6 + 3),
            "mouth.smile.right:C");
  EXPECT_EQ(token_name(static_cast<int>(index_of(Blendshape::EyeLookInRight)) * 6 + 1),
            "gaze.look_left.right_eye:A");
  EXPECT_EQ(token_name(static_cast<int>(index_of(Blendshape::JawOpen)) * 6 + 2), "jaw.jaw_open:B");
  EXPECT_EQ(token_name(static_cast<int>(kTokenCount) - 1), "category:speaking/other");
  EXPECT_THROW(token_name(-1), std::invalid_argument);
  EXPECT_THROW(token_name(static_cast<int>(kTokenCount)), std::invalid_argument);
}

TEST(SemanticTokens, RoundTripThroughIndices) {
  std::mt19937 rng(9);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int n = 0; n < 200; ++n) {
    Coefficients c;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) c.set_at(k, u(rng) * u(rng));
    const SemanticTokens t = tokens_of(describe(c));
    const std::vector<int> idx = token_indices(t);
    ASSERT_EQ(idx.size(), kSemanticChannelCount + 1);
    EXPECT_EQ(tokens_from_indices(idx), t);
    EXPECT_EQ(tokens_of(description_from_tokens(t)), t);
  }
}

TEST(SemanticTokens, RejectsMalformedIndexLists) {
  std::vector<int> idx = token_indices(tokens_of(describe(Coefficients{})));
  std::vector<int> short_idx(idx.begin(), idx.end() - 1);
  EXPECT_THROW(tokens_from_indices(short_idx), std::invalid_argument);
  idx[4] = 0;  // channel 4's slot holds a bin of channel 0
  EXPECT_THROW(tokens_from_indices(idx), std::invalid_argument);
  idx = token_indices(tokens_of(describe(Coefficients{})));
  idx.back() = 0;
  EXPECT_THROW(tokens_from_indices(idx), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
