// The hand-written part of semblend/topology.h: what is derived from the edge lists. The lists
// themselves (face_mesh_edges, face_mesh_set_name, face_mesh_topology_source) are generated at
// build time from @mediapipe/face_mesh by tools/gen_face_mesh_topology.mjs.
#include "semblend/topology.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace semblend {

std::vector<std::uint16_t> face_mesh_indices(FaceMeshSet set) {
  const auto edges = face_mesh_edges(set);
  std::vector<std::uint16_t> indices;
  indices.reserve(edges.size() * 2);
  for (const LandmarkEdge& e : edges) {
    indices.push_back(e.a);
    indices.push_back(e.b);
  }
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  return indices;
}

// The tesselation lists each triangle as three consecutive edges a→b, b→c, c→a (the generator
// checks this for every triangle, and that no directed edge repeats), so triangle i is the start
// points of edges 3i, 3i+1 and 3i+2, in MediaPipe's winding.
std::vector<std::array<std::uint16_t, 3>> face_mesh_triangles() {
  const auto edges = face_mesh_edges(FaceMeshSet::Tesselation);
  std::vector<std::array<std::uint16_t, 3>> triangles;
  triangles.reserve(edges.size() / 3);
  for (std::size_t i = 0; i + 2 < edges.size(); i += 3)
    triangles.push_back({edges[i].a, edges[i + 1].a, edges[i + 2].a});
  return triangles;
}

}  // namespace semblend
