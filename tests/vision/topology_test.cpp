// MediaPipe's face-mesh topology (include/semblend/topology.h), generated at build time from the
// npm package @mediapipe/face_mesh: set sizes, index ranges, sides, iris rings and triangles.
#include "semblend/topology.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace semblend {
namespace {

using Edge = std::pair<int, int>;  // undirected: first < second

Edge undirected(int a, int b) {
  return a < b ? Edge{a, b} : Edge{b, a};
}

std::set<Edge> undirected_edges(FaceMeshSet set) {
  std::set<Edge> edges;
  for (const LandmarkEdge& e : face_mesh_edges(set)) edges.insert(undirected(e.a, e.b));
  return edges;
}

std::vector<FaceMeshSet> all_sets() {
  std::vector<FaceMeshSet> sets;
  for (std::size_t i = 0; i < kFaceMeshSetCount; ++i) sets.push_back(static_cast<FaceMeshSet>(i));
  return sets;
}

// How many triangles each undirected tesselation edge belongs to.
std::map<Edge, int> triangles_per_edge() {
  std::map<Edge, int> count;
  for (const auto& t : face_mesh_triangles())
    for (int k = 0; k < 3; ++k) ++count[undirected(t[k], t[(k + 1) % 3])];
  return count;
}

TEST(FaceMeshTopology, SetSizesMatchThePackage) {
  struct Expected {
    FaceMeshSet set;
    std::size_t edges, indices;
  };
  const Expected expected[] = {
      {FaceMeshSet::Tesselation, 2556, 468}, {FaceMeshSet::Contours, 124, 128},
      {FaceMeshSet::Lips, 40, 40},           {FaceMeshSet::LeftEye, 16, 16},
      {FaceMeshSet::RightEye, 16, 16},       {FaceMeshSet::LeftEyebrow, 8, 10},
      {FaceMeshSet::RightEyebrow, 8, 10},    {FaceMeshSet::FaceOval, 36, 36},
      {FaceMeshSet::LeftIris, 4, 4},         {FaceMeshSet::RightIris, 4, 4},
  };
  ASSERT_EQ(std::size(expected), kFaceMeshSetCount);
  for (const auto& e : expected) {
    EXPECT_EQ(face_mesh_edges(e.set).size(), e.edges) << face_mesh_set_name(e.set);
    EXPECT_EQ(face_mesh_indices(e.set).size(), e.indices) << face_mesh_set_name(e.set);
  }
  // Each tesselation edge shared by two triangles is listed once in each direction.
  EXPECT_EQ(undirected_edges(FaceMeshSet::Tesselation).size(), 1322u);
  EXPECT_EQ(face_mesh_triangles().size(), 852u);
  EXPECT_EQ(face_mesh_set_name(FaceMeshSet::LeftEye), "FACEMESH_LEFT_EYE");
  EXPECT_NE(face_mesh_topology_source().find("@mediapipe/face_mesh@0.4.1657299874"),
            std::string::npos);
}

TEST(FaceMeshTopology, IndicesAreFaceLandmarksExceptIrises) {
  EXPECT_EQ(kFaceMeshLandmarks, 468u);
  EXPECT_EQ(kFaceLandmarksWithIris, 478u);
  for (FaceMeshSet set : all_sets()) {
    const bool iris = set == FaceMeshSet::LeftIris || set == FaceMeshSet::RightIris;
    const auto indices = face_mesh_indices(set);
    ASSERT_FALSE(indices.empty());
    EXPECT_TRUE(std::is_sorted(indices.begin(), indices.end()));
    EXPECT_EQ(std::adjacent_find(indices.begin(), indices.end()), indices.end());
    for (std::uint16_t i : indices) {
      if (iris) {
        EXPECT_GE(i, kFaceMeshLandmarks) << face_mesh_set_name(set);
        EXPECT_LT(i, kFaceLandmarksWithIris) << face_mesh_set_name(set);
      } else {
        EXPECT_LT(i, kFaceMeshLandmarks) << face_mesh_set_name(set);
      }
    }
    for (const LandmarkEdge& e : face_mesh_edges(set)) EXPECT_NE(e.a, e.b);
  }
  // The tesselation covers every face landmark.
  const auto all = face_mesh_indices(FaceMeshSet::Tesselation);
  EXPECT_EQ(all.front(), 0);
  EXPECT_EQ(all.back(), kFaceMeshLandmarks - 1);
}

TEST(FaceMeshTopology, LeftIsTheSubjectsLeftAndSidesAreDisjoint) {
  const auto left_eye = face_mesh_indices(FaceMeshSet::LeftEye);
  EXPECT_TRUE(std::binary_search(left_eye.begin(), left_eye.end(), 263));  // outer corner
  EXPECT_TRUE(std::binary_search(left_eye.begin(), left_eye.end(), 362));  // inner corner
  const auto right_eye = face_mesh_indices(FaceMeshSet::RightEye);
  EXPECT_TRUE(std::binary_search(right_eye.begin(), right_eye.end(), 33));
  EXPECT_TRUE(std::binary_search(right_eye.begin(), right_eye.end(), 133));
  EXPECT_EQ(face_mesh_indices(FaceMeshSet::LeftIris),
            (std::vector<std::uint16_t>{474, 475, 476, 477}));
  EXPECT_EQ(face_mesh_indices(FaceMeshSet::RightIris),
            (std::vector<std::uint16_t>{469, 470, 471, 472}));

  std::set<std::uint16_t> left, right;
  for (FaceMeshSet s : {FaceMeshSet::LeftEye, FaceMeshSet::LeftEyebrow, FaceMeshSet::LeftIris})
    for (std::uint16_t i : face_mesh_indices(s)) left.insert(i);
  for (FaceMeshSet s : {FaceMeshSet::RightEye, FaceMeshSet::RightEyebrow, FaceMeshSet::RightIris})
    for (std::uint16_t i : face_mesh_indices(s)) right.insert(i);
  for (std::uint16_t i : left) EXPECT_EQ(right.count(i), 0u) << i << " is on both sides";
}

TEST(FaceMeshTopology, IrisesAndEyesAreClosedLoops) {
  for (FaceMeshSet set : {FaceMeshSet::LeftIris, FaceMeshSet::RightIris, FaceMeshSet::LeftEye,
                          FaceMeshSet::RightEye, FaceMeshSet::FaceOval}) {
    std::map<int, int> degree;
    for (const LandmarkEdge& e : face_mesh_edges(set)) {
      ++degree[e.a];
      ++degree[e.b];
    }
    for (const auto& [landmark, d] : degree)
      EXPECT_EQ(d, 2) << face_mesh_set_name(set) << " landmark " << landmark;
    EXPECT_EQ(degree.size(), face_mesh_edges(set).size()) << face_mesh_set_name(set);
  }
  EXPECT_EQ(face_mesh_edges(FaceMeshSet::LeftIris).size(), 4u);
  EXPECT_EQ(face_mesh_edges(FaceMeshSet::RightIris).size(), 4u);
}

TEST(FaceMeshTopology, ContoursAreTheRegionSetsConcatenated) {
  std::vector<std::pair<int, int>> expected;
  for (FaceMeshSet s : {FaceMeshSet::Lips, FaceMeshSet::LeftEye, FaceMeshSet::LeftEyebrow,
                        FaceMeshSet::RightEye, FaceMeshSet::RightEyebrow, FaceMeshSet::FaceOval})
    for (const LandmarkEdge& e : face_mesh_edges(s)) expected.emplace_back(e.a, e.b);
  std::vector<std::pair<int, int>> contours;
  for (const LandmarkEdge& e : face_mesh_edges(FaceMeshSet::Contours))
    contours.emplace_back(e.a, e.b);
  EXPECT_EQ(contours, expected);
  // Every contour edge is a tesselation edge except the iris rings, which are not in it.
  const auto tesselation = undirected_edges(FaceMeshSet::Tesselation);
  for (const auto& [a, b] : contours) EXPECT_EQ(tesselation.count(undirected(a, b)), 1u);
}

TEST(FaceMeshTopology, TrianglesUseOnlyTesselationEdgesWithConsistentWinding) {
  const auto triangles = face_mesh_triangles();
  std::set<std::pair<int, int>> directed;
  for (const LandmarkEdge& e : face_mesh_edges(FaceMeshSet::Tesselation))
    directed.emplace(e.a, e.b);
  std::set<std::pair<int, int>> used;
  std::set<std::array<std::uint16_t, 3>> unique;
  for (const auto& t : triangles) {
    for (int k = 0; k < 3; ++k) {
      const std::pair<int, int> edge{t[k], t[(k + 1) % 3]};
      EXPECT_EQ(directed.count(edge), 1u) << edge.first << "->" << edge.second;
      // Consistent winding: no directed edge is used by two triangles.
      EXPECT_TRUE(used.insert(edge).second) << edge.first << "->" << edge.second;
    }
    auto key = t;
    std::sort(key.begin(), key.end());
    EXPECT_TRUE(unique.insert(key).second) << "triangle listed twice";
  }
  EXPECT_EQ(used, directed);  // and they use every tesselation edge

  // A disc with three holes: V - E + F = 468 - 1322 + 852 = -2.
  const auto per_edge = triangles_per_edge();
  EXPECT_EQ(per_edge.size(), 1322u);
  EXPECT_EQ(468 - static_cast<int>(per_edge.size()) + static_cast<int>(triangles.size()), -2);
}

TEST(FaceMeshTopology, EyeAndMouthOpeningsStayOpen) {
  const auto per_edge = triangles_per_edge();
  std::size_t boundary = 0;
  for (const auto& [edge, n] : per_edge) {
    EXPECT_LE(n, 2);
    if (n == 1) ++boundary;
  }
  // The rims: face oval 36, eyes 16 + 16, inner lips 20.
  EXPECT_EQ(boundary, 36u + 16u + 16u + 20u);
  for (FaceMeshSet set : {FaceMeshSet::FaceOval, FaceMeshSet::LeftEye, FaceMeshSet::RightEye})
    for (const LandmarkEdge& e : face_mesh_edges(set))
      EXPECT_EQ(per_edge.at(undirected(e.a, e.b)), 1) << face_mesh_set_name(set);
  std::size_t open_lip_edges = 0;
  for (const LandmarkEdge& e : face_mesh_edges(FaceMeshSet::Lips))
    open_lip_edges += per_edge.at(undirected(e.a, e.b)) == 1;
  EXPECT_EQ(open_lip_edges, 20u);  // the inner lip loop; the outer one is interior
}

TEST(FaceMeshTopology, ThreeCyclesAreTheTrianglesPlusTwoNostrilRings) {
  std::map<int, std::set<int>> adjacent;
  for (const auto& [a, b] : undirected_edges(FaceMeshSet::Tesselation)) {
    adjacent[a].insert(b);
    adjacent[b].insert(a);
  }
  std::set<std::array<std::uint16_t, 3>> cycles;
  for (const auto& [a, near_a] : adjacent)
    for (int b : near_a)
      if (b > a)
        for (int c : adjacent[b])
          if (c > b && near_a.count(c))
            cycles.insert({static_cast<std::uint16_t>(a), static_cast<std::uint16_t>(b),
                           static_cast<std::uint16_t>(c)});
  std::set<std::array<std::uint16_t, 3>> faces;
  for (auto t : face_mesh_triangles()) {
    std::sort(t.begin(), t.end());
    faces.insert(t);
  }
  std::vector<std::array<std::uint16_t, 3>> not_faces;
  for (const auto& c : cycles) {
    if (!faces.count(c)) not_faces.push_back(c);
  }
  for (const auto& f : faces) EXPECT_EQ(cycles.count(f), 1u);
  EXPECT_EQ(cycles.size(), 854u);
  using Tri = std::array<std::uint16_t, 3>;
  EXPECT_EQ(not_faces, (std::vector<Tri>{{49, 64, 129}, {279, 294, 358}}));
  // Each encloses a landmark of degree 3 (102 and 331), whose three triangles fill it.
  EXPECT_EQ(adjacent[102], (std::set<int>{49, 64, 129}));
  EXPECT_EQ(adjacent[331], (std::set<int>{279, 294, 358}));
}

TEST(FaceMeshTopology, RejectsValuesOutsideTheEnum) {
  const auto bad = static_cast<FaceMeshSet>(kFaceMeshSetCount);
  EXPECT_THROW(face_mesh_edges(bad), std::invalid_argument);
  EXPECT_THROW(face_mesh_indices(bad), std::invalid_argument);
  EXPECT_THROW(face_mesh_set_name(bad), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
