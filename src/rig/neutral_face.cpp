// The neutral face: derivation (generalized Procrustes over real faces), symmetry, rigid fits.
#include <Eigen/Dense>
#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <tuple>

#include "semblend/error.h"
#include "semblend/face_model.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

using Matrix3X = Eigen::Matrix<double, 3, Eigen::Dynamic>;
constexpr std::size_t kMesh = 468;
constexpr int kRightEyeOuter = landmark::kRightEyeOuter, kLeftEyeOuter = landmark::kLeftEyeOuter;
constexpr double kOuterCanthalCm = 9.0;

// Points that expressions barely move: forehead, temples, nose bridge and tip, cheekbones, eye
// corners. Rigid fits use only these, so a smile or an open jaw does not tilt the head.
constexpr std::array<int, 34> kStable{10,  151, 9,   8,   168, 6,   197, 195, 5,   4,   54, 284,
                                      103, 332, 67,  297, 109, 338, 21,  251, 234, 454, 93, 323,
                                      127, 356, 116, 345, 123, 352, 33,  263, 133, 362};

Matrix3X to_matrix(const FaceShape& s, std::size_t n = kMesh) {
  Matrix3X m(3, static_cast<Eigen::Index>(n));
  for (std::size_t i = 0; i < n; ++i) m.col(static_cast<Eigen::Index>(i)) << s[i].x, s[i].y, s[i].z;
  return m;
}
FaceShape from_matrix(const Matrix3X& m, const FaceShape& base) {
  FaceShape s = base;
  for (Eigen::Index i = 0; i < m.cols(); ++i)
    s[static_cast<std::size_t>(i)] = {float(m(0, i)), float(m(1, i)), float(m(2, i))};
  return s;
}

// Centred at the centroid, unit RMS radius.
Matrix3X normalised(Matrix3X m) {
  m.colwise() -= m.rowwise().mean();
  return m / std::sqrt(m.squaredNorm() / double(m.cols()));
}

Matrix3X align(const Matrix3X& src, const Matrix3X& dst) {
  const Eigen::Matrix4d t = Eigen::umeyama(src, dst, true);
  return (t.topLeftCorner<3, 3>() * src).colwise() + t.topRightCorner<3, 1>();
}

}  // namespace

FaceShape to_face_axes(const std::array<Point3, kLandmarkCount>& p) {
  FaceShape s;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) s[i] = {p[i].x, -p[i].y, -p[i].z};
  return s;
}

NeutralDerivation derive_neutral(const std::vector<std::array<Point3, kLandmarkCount>>& faces,
                                 const std::vector<std::array<Point3, kLandmarkCount>>& mirrored) {
  if (faces.empty() || mirrored.size() != faces.size())
    throw std::invalid_argument("derive_neutral needs at least one face and its mirror image");
  NeutralDerivation out;
  out.faces = static_cast<int>(faces.size());

  // 1. The mirror map, by vote: in a flipped photo, landmark i lands where the original's mirror
  //    partner of i was. Compare in face axes with x negated (the flip undone).
  std::vector<std::map<int, int>> votes(kLandmarkCount);
  for (std::size_t f = 0; f < faces.size(); ++f) {
    const Matrix3X a = normalised(to_matrix(to_face_axes(faces[f]), kLandmarkCount));
    Matrix3X b = to_matrix(to_face_axes(mirrored[f]), kLandmarkCount);
    // Undo the flip: the point set is then the same face again, with each index at its mirror
    // partner's place. (No index-wise alignment here: it would turn the face around.)
    b.row(0) *= -1;
    b = normalised(b);
    for (Eigen::Index i = 0; i < b.cols(); ++i) {
      Eigen::Index best = 0;
      (a.colwise() - b.col(i)).colwise().squaredNorm().minCoeff(&best);
      ++votes[static_cast<std::size_t>(i)][static_cast<int>(best)];
    }
  }
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const auto best =
        std::max_element(votes[i].begin(), votes[i].end(),
                         [](const auto& x, const auto& y) { return x.second < y.second; });
    out.mirror[i] = static_cast<std::uint16_t>(best->first);
  }
  // Keep it an involution; points whose votes disagree (the inner lip corners of closed lips,
  // where several landmarks nearly coincide) are paired geometrically below.
  std::vector<bool> unresolved(kLandmarkCount, false);
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    if (out.mirror[out.mirror[i]] != i) unresolved[i] = true;
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    if (unresolved[i]) out.mirror[i] = static_cast<std::uint16_t>(i);

  // 2. Generalized Procrustes over the 468 mesh points. The first mean is the plain average in
  //    camera axes, so the result keeps the photos' average (frontal) orientation.
  std::vector<Matrix3X> shapes;
  for (const auto& f : faces) shapes.push_back(normalised(to_matrix(to_face_axes(f))));
  Matrix3X reference = Matrix3X::Zero(3, kMesh);
  for (const auto& s : shapes) reference += s;
  reference = normalised(reference / double(shapes.size()));
  Matrix3X mean = reference;
  for (int iteration = 0; iteration < 20; ++iteration) {
    Matrix3X sum = Matrix3X::Zero(3, kMesh);
    for (auto& s : shapes) sum += (s = align(s, mean));
    mean = align(normalised(sum / double(shapes.size())), reference);  // no drift in orientation
  }
  double residual = 0;
  for (const auto& s : shapes) residual += (s - mean).colwise().norm().mean();

  // 2b. Pair the unresolved mesh points by reflection across the symmetry plane of the resolved
  //     pairs: mutually nearest first, then a point whose reflection is nearest to itself stays
  //     on the midline.
  {
    Eigen::Vector3d nrm = Eigen::Vector3d::Zero(), mid = Eigen::Vector3d::Zero();
    int pairs = 0;
    for (std::size_t i = 0; i < kMesh; ++i)
      if (!unresolved[i] && out.mirror[i] != i) {
        const Eigen::Vector3d a = mean.col(static_cast<Eigen::Index>(i)),
                              b = mean.col(out.mirror[i]);
        const Eigen::Vector3d d = a - b;
        nrm += d.x() >= 0 ? d : Eigen::Vector3d(-d);
        mid += (a + b) / 2;
        ++pairs;
      }
    if (pairs > 0) {
      nrm.normalize();
      mid /= double(pairs);
      std::vector<std::size_t> open;
      for (std::size_t i = 0; i < kMesh; ++i)
        if (unresolved[i]) open.push_back(i);
      auto reflect = [&](std::size_t i) {
        const Eigen::Vector3d p = mean.col(static_cast<Eigen::Index>(i));
        return Eigen::Vector3d(p - 2 * (p - mid).dot(nrm) * nrm);
      };
      // Greedy: the closest (point, reflected point) pairs first.
      std::vector<std::tuple<double, std::size_t, std::size_t>> cand;
      for (std::size_t a : open)
        for (std::size_t b : open)
          cand.emplace_back((reflect(a) - mean.col(static_cast<Eigen::Index>(b))).norm(), a, b);
      std::sort(cand.begin(), cand.end());
      std::vector<bool> done(kLandmarkCount, false);
      for (const auto& [dist, a, b] : cand) {
        if (done[a] || done[b]) continue;
        out.mirror[a] = static_cast<std::uint16_t>(b);
        out.mirror[b] = static_cast<std::uint16_t>(a);
        done[a] = done[b] = true;
      }
    }
  }

  // 3. Exact symmetry: average the shape with its reflected, index-mirrored copy.
  Matrix3X reflected(3, kMesh);
  for (std::size_t i = 0; i < kMesh; ++i) {
    reflected.col(static_cast<Eigen::Index>(i)) = mean.col(out.mirror[i]);
    reflected(0, static_cast<Eigen::Index>(i)) *= -1;
  }
  reflected = align(reflected, mean);
  Matrix3X sym = (mean + reflected) / 2;
  // Put the symmetry plane at x = 0: its normal is the mean direction between mirror partners.
  Eigen::Vector3d normal = Eigen::Vector3d::Zero();
  for (std::size_t i = 0; i < kMesh; ++i)
    if (out.mirror[i] != i) {
      const Eigen::Vector3d d = sym.col(static_cast<Eigen::Index>(i)) - sym.col(out.mirror[i]);
      normal += d.x() >= 0 ? d : Eigen::Vector3d(-d);
    }
  const Eigen::Matrix3d r =
      Eigen::Quaterniond::FromTwoVectors(normal.normalized(), Eigen::Vector3d::UnitX())
          .toRotationMatrix();
  sym = r * sym;
  sym.colwise() -= sym.rowwise().mean();
  // Centimetres: the outer eye corners 9 cm apart.
  const double width = (sym.col(kLeftEyeOuter) - sym.col(kRightEyeOuter)).norm();
  sym *= kOuterCanthalCm / width;
  out.rms_residual_cm = residual / double(shapes.size()) * kOuterCanthalCm / width;

  // Irises: each face's iris points relative to its own aligned mesh, averaged the same way.
  FaceShape shape{};
  shape = from_matrix(sym, shape);
  Eigen::Vector3d iris_sum[10];
  for (auto& v : iris_sum) v.setZero();
  for (const auto& f : faces) {
    const FaceShape axes = to_face_axes(f);
    const Matrix3X mesh = to_matrix(axes);
    const Eigen::Matrix4d t = Eigen::umeyama(mesh, sym, true);
    for (int k = 0; k < 10; ++k) {
      const Point3& p = axes[kMesh + static_cast<std::size_t>(k)];
      iris_sum[k] +=
          t.topLeftCorner<3, 3>() * Eigen::Vector3d(p.x, p.y, p.z) + t.topRightCorner<3, 1>();
    }
  }
  for (int k = 0; k < 10; ++k) {
    const Eigen::Vector3d v = iris_sum[k] / double(faces.size());
    shape[kMesh + static_cast<std::size_t>(k)] = {float(v.x()), float(v.y()), float(v.z())};
  }
  // Exact symmetry for every point (the averaging above leaves round-off-sized differences, and
  // the irises were averaged separately): pairs mirror each other, midline points sit on x = 0.
  for (std::size_t k = 0; k < kLandmarkCount; ++k) {
    if (out.mirror[k] == k) shape[k].x = 0;
    if (out.mirror[k] != k && k < out.mirror[k]) {
      Point3& a = shape[k];
      Point3& b = shape[out.mirror[k]];
      const Point3 m{(a.x - b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2};
      a = m;
      b = {-m.x, m.y, m.z};
    }
  }
  out.shape = shape;
  return out;
}

std::string neutral_face_csv(const NeutralDerivation& n) {
  std::string out =
      "# semblend neutral face: " + std::to_string(n.faces) +
      " faces, generalized Procrustes, symmetrized; centimetres, x subject's left, y up, "
      "z out of the face. Regenerate: see docs/landmarks.md.\nindex,x,y,z,mirror\n";
  char line[128];
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    std::snprintf(line, sizeof line, "%zu,%.4f,%.4f,%.4f,%u\n", i, double(n.shape[i].x),
                  double(n.shape[i].y), double(n.shape[i].z), unsigned(n.mirror[i]));
    out += line;
  }
  return out;
}

NeutralDerivation parse_neutral_face_csv(const std::string& text, const std::string& name) {
  NeutralDerivation n;
  std::size_t line_no = 0, start = 0, rows = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string line =
        text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    start = nl == std::string::npos ? text.size() : nl + 1;
    ++line_no;
    if (line.empty() || line[0] == '#' || line.rfind("index", 0) == 0) continue;
    unsigned index = 0, mirror = 0;
    float x = 0, y = 0, z = 0;
    if (std::sscanf(line.c_str(), "%u,%f,%f,%f,%u", &index, &x, &y, &z, &mirror) != 5 ||
        index >= kLandmarkCount || mirror >= kLandmarkCount || index != rows)
      throw InputError(name, line_no, 0,
                       "expected \"index,x,y,z,mirror\" for landmark " + std::to_string(rows));
    n.shape[index] = {x, y, z};
    n.mirror[index] = static_cast<std::uint16_t>(mirror);
    ++rows;
  }
  if (rows != kLandmarkCount)
    throw InputError(name, 0, 0, "has " + std::to_string(rows) + " landmarks, expected 478");
  return n;
}

RigidFit fit_rigid(const FaceShape& model, const FaceShape& observed) {
  Matrix3X src(3, static_cast<Eigen::Index>(kStable.size())),
      dst(3, static_cast<Eigen::Index>(kStable.size()));
  for (std::size_t k = 0; k < kStable.size(); ++k) {
    const Point3 &a = model[static_cast<std::size_t>(kStable[k])],
                 &b = observed[static_cast<std::size_t>(kStable[k])];
    src.col(static_cast<Eigen::Index>(k)) << a.x, a.y, a.z;
    dst.col(static_cast<Eigen::Index>(k)) << b.x, b.y, b.z;
  }
  const Eigen::Matrix4d t = Eigen::umeyama(src, dst, true);
  const Eigen::Matrix3d sr = t.topLeftCorner<3, 3>();
  const double s = std::cbrt(sr.determinant());
  const Eigen::Matrix3d r = sr / s;
  RigidFit fit;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) fit.rotation[static_cast<std::size_t>(3 * i + j)] = float(r(i, j));
  fit.scale = float(s);
  fit.translation = {float(t(0, 3)), float(t(1, 3)), float(t(2, 3))};
  const Matrix3X fitted = (sr * src).colwise() + t.topRightCorner<3, 1>();
  fit.rms_error = float(std::sqrt((fitted - dst).squaredNorm() / double(src.cols())));
  return fit;
}

HeadPose head_rotation(const RigidFit& fit) {
  const auto& r = fit.rotation;  // face frame -> camera axes (x right, y up, z toward the camera)
  const float nx = r[2], ny = r[5], nz = r[8];  // the face's outward normal
  const float sx = r[0], sy = r[3];             // toward the subject's left
  HeadPose h;
  h.yaw = std::atan2(nx, nz);
  h.pitch = std::atan2(ny, std::sqrt(nx * nx + nz * nz));
  h.roll = std::atan2(-sy, sx);
  return h;
}

HeadPose head_rotation(const std::array<Point3, kLandmarkCount>& image_points) {
  return head_rotation(fit_rigid(neutral_face(), to_face_axes(image_points)));
}

}  // namespace semblend
