// Semantic tokens: a fixed vocabulary over the description, for classification heads.
#include <stdexcept>
#include <string>

#include "semblend/semantic.h"

namespace semblend {
namespace {

// Which action and slot each channel (= blendshape index) is.
struct Slot {
  Action action;
  int side;  // 0 = left (or the only slot of a Bilateral action), 1 = right
};
constexpr std::array<Slot, kSemanticChannelCount> make_slots() {
  std::array<Slot, kSemanticChannelCount> slots{};
  for (const ActionInfo& a : kActions) {
    slots[index_of(a.left)] = {a.action, 0};
    if (a.kind != ActionKind::Bilateral) slots[index_of(a.right)] = {a.action, 1};
  }
  return slots;
}
constexpr std::array<Slot, kSemanticChannelCount> kSlots = make_slots();

Intensity& bin_of(SemanticDescription& d, const Slot& s) {
  auto& r = d.actions[static_cast<std::size_t>(s.action)];
  return s.side == 0 ? r.left_bin : r.right_bin;
}

}  // namespace

SemanticTokens tokens_of(const SemanticDescription& d) {
  SemanticTokens t;
  for (std::size_t k = 0; k < kSemanticChannelCount; ++k) {
    const auto& r = d.actions[static_cast<std::size_t>(kSlots[k].action)];
    t.bins[k] = kSlots[k].side == 0 ? r.left_bin : r.right_bin;
  }
  t.category = d.category;
  return t;
}

std::vector<int> token_indices(const SemanticTokens& t) {
  std::vector<int> out;
  out.reserve(kSemanticChannelCount + 1);
  for (std::size_t k = 0; k < kSemanticChannelCount; ++k)
    out.push_back(static_cast<int>(k * kIntensityCount + static_cast<std::size_t>(t.bins[k])));
  out.push_back(static_cast<int>(kSemanticChannelCount * kIntensityCount +
                                 static_cast<std::size_t>(t.category)));
  return out;
}

SemanticTokens tokens_from_indices(std::span<const int> indices) {
  if (indices.size() != kSemanticChannelCount + 1)
    throw std::invalid_argument("expected " + std::to_string(kSemanticChannelCount + 1) +
                                " token indices, got " + std::to_string(indices.size()));
  SemanticTokens t;
  for (std::size_t k = 0; k < kSemanticChannelCount; ++k) {
    const int first = static_cast<int>(k * kIntensityCount);
    const int v = indices[k];
    if (v < first || v >= first + static_cast<int>(kIntensityCount))
      throw std::invalid_argument("token " + std::to_string(k) + " = " + std::to_string(v) +
                                  " is not a bin of channel " + std::to_string(k));
    t.bins[k] = static_cast<Intensity>(v - first);
  }
  const int c =
      indices[kSemanticChannelCount] - static_cast<int>(kSemanticChannelCount * kIntensityCount);
  if (c < 0 || c >= static_cast<int>(kCategoryCount))
    throw std::invalid_argument("last token is not a category");
  t.category = static_cast<Category>(c);
  return t;
}

std::string token_name(int index) {
  if (index < 0 || index >= static_cast<int>(kTokenCount))
    throw std::invalid_argument("token index " + std::to_string(index) + " out of range");
  const auto i = static_cast<std::size_t>(index);
  if (i >= kSemanticChannelCount * kIntensityCount)
    return "category:" + std::string(category_name(
                             static_cast<Category>(i - kSemanticChannelCount * kIntensityCount)));
  const Slot& s = kSlots[i / kIntensityCount];
  const ActionInfo& a = info(s.action);
  std::string name = std::string(region_name(a.region)) + "." + std::string(a.name);
  if (a.kind == ActionKind::Paired) name += s.side == 0 ? ".left" : ".right";
  if (a.kind == ActionKind::PerEye) name += s.side == 0 ? ".left_eye" : ".right_eye";
  const Intensity bin = static_cast<Intensity>(i % kIntensityCount);
  return name + ":" +
         (bin == Intensity::None ? std::string("none") : std::string(1, band(bin).letter));
}

SemanticDescription description_from_tokens(const SemanticTokens& t) {
  SemanticDescription d;
  for (std::size_t k = 0; k < kSemanticChannelCount; ++k) bin_of(d, kSlots[k]) = t.bins[k];
  // Readings at band midpoints, so text and AUs can be derived; bins stay exactly the tokens'.
  const Coefficients mid = decode_midpoints(d);
  SemanticDescription full = describe(mid);
  for (std::size_t k = 0; k < kSemanticChannelCount; ++k) bin_of(full, kSlots[k]) = t.bins[k];
  full.category = t.category;
  return full;
}

}  // namespace semblend
