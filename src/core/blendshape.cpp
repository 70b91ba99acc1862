#include "semblend/blendshape.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "core/text_util.h"

namespace semblend {
namespace {

// The table is the single source of truth; these checks keep it honest at compile time.
constexpr bool table_in_enum_order() {
  for (std::size_t i = 0; i < kBlendshapeCount; ++i)
    if (index_of(kBlendshapes[i].shape) != i) return false;
  return true;
}
constexpr bool mirrors_are_involutions() {
  for (const auto& row : kBlendshapes) {
    const auto& m = info(row.mirror);
    if (m.mirror != row.shape || m.region != row.region) return false;
    if (row.side == Side::Both && row.mirror != row.shape) return false;
    if (row.side == Side::Left && m.side != Side::Right) return false;
    if (row.side == Side::Right && m.side != Side::Left) return false;
    if (row.action_units != m.action_units && row.region != Region::Gaze) return false;
  }
  return true;
}
constexpr bool names_unique() {
  for (std::size_t i = 0; i < kBlendshapeCount; ++i)
    for (std::size_t j = i + 1; j < kBlendshapeCount; ++j) {
      const auto &a = kBlendshapes[i], &b = kBlendshapes[j];
      if (a.apple_name == b.apple_name || a.livelink_name == b.livelink_name ||
          a.arkit_lr_name == b.arkit_lr_name)
        return false;
    }
  return true;
}
static_assert(table_in_enum_order(), "kBlendshapes rows must follow enum Blendshape order");
static_assert(mirrors_are_involutions(), "mirror partners must pair Left<->Right in one region");
static_assert(names_unique(), "every spelling must name exactly one shape");

}  // namespace

std::optional<Blendshape> blendshape_from_name(std::string_view name) {
  for (const auto& row : kBlendshapes)
    if (name == row.apple_name || name == row.livelink_name || name == row.arkit_lr_name)
      return row.shape;
  for (const auto& row : kBlendshapes)
    if (iequals(name, row.apple_name) || iequals(name, row.arkit_lr_name)) return row.shape;
  return std::nullopt;
}

std::string_view closest_blendshape_name(std::string_view name) {
  auto normalise = [](std::string_view s) {
    std::string out;
    for (char ch : s)
      if (ch != '_') out += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return out;
  };
  const std::string a = normalise(name);
  std::string_view best;
  std::size_t best_distance = 4;  // accept distances up to 3
  std::vector<std::size_t> prev, cur;
  for (const auto& row : kBlendshapes) {
    const std::string b = normalise(row.apple_name);
    prev.resize(b.size() + 1);
    cur.resize(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      cur[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j)
        cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] != b[j - 1])});
      std::swap(prev, cur);
    }
    if (prev[b.size()] < best_distance) {
      best_distance = prev[b.size()];
      best = row.apple_name;
    }
  }
  return best;
}

std::string_view region_name(Region r) {
  static constexpr std::string_view kNames[kRegionCount] = {"brows", "eyes", "gaze",  "cheeks",
                                                            "nose",  "jaw",  "mouth", "tongue"};
  return kNames[static_cast<std::size_t>(r)];
}

std::string_view side_name(Side s) {
  switch (s) {
    case Side::Left:
      return "left";
    case Side::Right:
      return "right";
    case Side::Both:
      break;
  }
  return "both";
}

}  // namespace semblend
