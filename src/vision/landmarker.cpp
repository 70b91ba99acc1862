// FaceLandmarker: detection -> face crop -> FaceMesh -> Iris -> 478 points -> poses.
#include "semblend/landmarker.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>

#include "semblend/engine.h"
#include "semblend/face_model.h"
#include "semblend/topology.h"
#include "vision/crop.h"
#include "vision/face_detector.h"
#include "vision/model_checksums.h"

namespace semblend {
namespace {

using vision::Detection;
using vision::Roi;

constexpr int kMeshSize = 192, kIrisSize = 64;
constexpr float kFaceScale = 1.5f;  // crop = 1.5× the face box (MediaPipe)
constexpr float kEyeScale = 2.3f;   // eye crop = 2.3× the eye-corner distance (MediaPipe)
// BlazeFace's box sits lower and tighter on the face than the box of the mesh's own landmarks
// (MediaPipe's tracking crop, the crops FaceMesh was trained on): on the 15 shared photos the
// landmarks' crop is 3.5% of the crop size higher and 7% larger (median). The calibrated
// detection crop moves up by 4% and grows by 8%, so one mesh pass lands where a second would.
constexpr float kDetectionShift = -0.04f, kDetectionGrow = 1.08f;
// CropRefinement::Auto runs the second pass only when the first pass's own crop differs by more
// than this (centre, as a fraction of the crop; size, as |log ratio|; rotation, radians).
constexpr float kRefineCentre = 0.04f, kRefineScale = 0.1f, kRefineAngle = 0.08f;
// track() reads a detected face again on its own landmarks' crop up to this many times, until the
// crop moves by less than this (centre as a fraction of the crop, |log size ratio|, radians).
// Measured on the shared video and still clips of four shared photos: the first reading's crop
// moves 0.15–1.1%, the second's 0.13–0.32%.
constexpr int kSettlePasses = 3;
constexpr float kSettledMove = 0.005f;
// A face whose FaceMesh presence is this far below the surest face's is listed after the others.
constexpr float kDoubtedPresenceGap = 0.2f;
// ... and so is a face whose detection score is this far below the surest detection's.
constexpr float kDoubtedDetectionGap = 0.3f;
// At most this many detections beyond max_faces are tried when the mesh rejects some.
constexpr std::size_t kExtraCandidates = 3;
// Detections of one face read at two orientations overlap at least this much (weighted NMS's
// threshold).
constexpr float kSameFaceIou = 0.3f;
// A turned reading of a face replaces an upright one that disagrees on which way is up only when
// its score is higher by this much, and a face found only turned needs this score. Measured on
// three shared photos turned 0–180° in 10° steps: where the upright reading is upside down (110°
// and beyond) it scores at most 0.81 and the best turned reading, the right way up, 0.12–0.37
// more; the right way up the best reading scores 0.88–0.98; and a background false detection
// reads 0.519 upright and 0.521 turned.
constexpr float kTurnedMargin = 0.05f, kTurnedOnlyMinScore = 0.75f;
// ... and replaces an upright reading that agrees with it when surer by this much (a face tilted
// 120°: upright 0.57 with its eye line 30° off, turned 0.87).
constexpr float kTurnedMuchSurer = 0.2f;

// The iris model returns 71 eye-region points in a fixed order (lower lid 0, upper lid 0, lower 1,
// upper 1, lower 2, upper 2, brow lower, lower 3, brow upper), then 5 iris points. This is that
// order in the face mesh's indexing, for the subject's right eye and left eye. It is the iris
// model's output layout, which the FACEMESH_* edge sets do not carry; tests check every index lies
// in the eye region those sets define. Brows (entries 48–53 and 63–70) are not merged.
// clang-format off
constexpr std::array<int, 71> kRightEyeContour{
  33, 7, 163, 144, 145, 153, 154, 155, 133,  246, 161, 160, 159, 158, 157, 173,
  130, 25, 110, 24, 23, 22, 26, 112, 243,    247, 30, 29, 27, 28, 56, 190,
  226, 31, 228, 229, 230, 231, 232, 233, 244, 113, 225, 224, 223, 222, 221, 189,
  35, 124, 46, 53, 52, 65,                    143, 111, 117, 118, 119, 120, 121, 128, 245,
  156, 70, 63, 105, 66, 107, 55, 193};
constexpr std::array<int, 71> kLeftEyeContour{
  263, 249, 390, 373, 374, 380, 381, 382, 362, 466, 388, 387, 386, 385, 384, 398,
  359, 255, 339, 254, 253, 252, 256, 341, 463, 467, 260, 259, 257, 258, 286, 414,
  446, 261, 448, 449, 450, 451, 452, 453, 464, 342, 445, 444, 443, 442, 441, 413,
  265, 353, 276, 283, 282, 295,               372, 340, 346, 347, 348, 349, 350, 357, 465,
  383, 300, 293, 334, 296, 336, 285, 417};
// clang-format on
// The attention mesh's 80 refined lip points, in its output order, as face mesh indices
// (MediaPipe's tensors_to_face_landmarks_with_attention refinement): lower outer, upper outer,
// lower inner, upper inner, then the semi-outer and semi-inner rings (upper rows without corners).
// Its eye outputs follow the iris model's 71-point order above (brows included); its irises the
// iris model's 5 (centre first).
// clang-format off
constexpr std::array<int, 80> kAttentionLips{
  61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291,  185, 40, 39, 37, 0, 267, 269, 270, 409,
  78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308,   191, 80, 81, 82, 13, 312, 311, 310, 415,
  76, 77, 90, 180, 85, 16, 315, 404, 320, 307, 306,   184, 74, 73, 72, 11, 302, 303, 304, 408,
  62, 96, 89, 179, 86, 15, 316, 403, 319, 325, 292,   183, 42, 41, 38, 12, 268, 271, 272, 407};
// clang-format on

bool is_brow_entry(std::size_t i) {
  return (i >= 48 && i <= 53) || i >= 63;
}

// Key mesh indices.
constexpr int kRightEyeOuter = landmark::kRightEyeOuter, kRightEyeInner = landmark::kRightEyeInner,
              kLeftEyeInner = landmark::kLeftEyeInner, kLeftEyeOuter = landmark::kLeftEyeOuter;
constexpr int kRightIrisFirst = landmark::kRightIrisCentre,
              kLeftIrisFirst = landmark::kLeftIrisCentre;

struct Vec3 {
  float x, y, z;
};
float dot(const Vec3& a, const Vec3& b) {
  return a.x * b.x + a.y * b.y + a.z * b.z;
}
Vec3 scale(const Vec3& a, float k) {
  return {a.x * k, a.y * k, a.z * k};
}
Vec3 normalised(const Vec3& a) {
  const float n = std::sqrt(dot(a, a));
  return n > 0 ? scale(a, 1 / n) : Vec3{0, 0, 0};
}

// A square ROI around points, rotated by `angle`, scaled by `k`.
Roi roi_around(const std::vector<std::array<float, 2>>& pts, float angle, float k) {
  const float c = std::cos(angle), s = std::sin(angle);
  float umin = 1e30f, umax = -1e30f, vmin = 1e30f, vmax = -1e30f;
  for (const auto& p : pts) {
    const float u = c * p[0] + s * p[1], v = -s * p[0] + c * p[1];
    umin = std::min(umin, u), umax = std::max(umax, u), vmin = std::min(vmin, v),
    vmax = std::max(vmax, v);
  }
  const float uc = (umin + umax) / 2, vc = (vmin + vmax) / 2;
  Roi r;
  r.cx = c * uc - s * vc;
  r.cy = s * uc + c * vc;
  r.size = std::max(umax - umin, vmax - vmin) * k;
  r.angle = angle;
  return r;
}

}  // namespace

struct FaceLandmarker::Impl {
  LandmarkerOptions options;
  vision::FaceDetector front;
  // The 256×256 back model, loaded on first need: it only runs when the front model finds no
  // face, and its runtime (weights and 256×256 activations) is the largest of the four, so a
  // video whose face the front model finds never holds it (create() still checks it loads).
  std::string back_path;
  ModelOptions back_options;
  std::optional<vision::FaceDetector> back_model;
  vision::FaceDetector& back() {
    if (!back_model)
      back_model.emplace(Model::load(back_path, back_options), options.min_detection_score);
    return *back_model;
  }
  Model mesh;
  std::optional<Model> iris;  // MeshModel::FaceMesh only
  // MeshModel::Attention: the attention mesh's outputs by role (indices into mesh's outputs).
  struct AttentionOutputs {
    std::size_t presence, mesh, lips, right_eye, right_iris, left_eye, left_iris;
  };
  std::optional<AttentionOutputs> attention;
  std::vector<Roi> tracked;  // VIDEO mode: the next crops
  int since_detection = 0;   // VIDEO mode: frames since the detector last ran

  // A detection -> its face's landmarks and poses (detect()'s passes); nullopt if the mesh sees
  // no face there.
  std::optional<FaceLandmarks> face_from_detection(const Image& image, const Detection& d);

  std::vector<Detection> find_faces(const Image& image) {
    const float side = static_cast<float>(std::max(image.width, image.height));
    const Roi whole{image.width / 2.0f, image.height / 2.0f, side, 0, false};
    // Most confident first (weighted_nms's order; any_orientation's upright readings, then
    // faces found only turned). Not largest first: a large false detection in the background
    // (faceapi_happy.jpg's buildings, 0.68) must not displace the face (0.96).
    std::vector<Detection> found = any_orientation(image, whole);
    if (found.empty()) found = vision::weighted_nms(back().detect(image, whole));
    if (found.empty() && options.use_tiles) {  // small faces: 2×2 overlapping tiles
      const float t = side * 0.6f;
      for (int ty = 0; ty < 2; ++ty)
        for (int tx = 0; tx < 2; ++tx) {
          const Roi tile{whole.cx + (tx ? 1 : -1) * (side - t) / 2,
                         whole.cy + (ty ? 1 : -1) * (side - t) / 2, t, 0, false};
          for (const Detection& d : back().detect(image, tile)) found.push_back(d);
        }
      found = vision::weighted_nms(std::move(found));
    }
    const std::size_t limit = static_cast<std::size_t>(options.max_faces) + kExtraCandidates;
    if (found.size() > limit) found.resize(limit);
    return found;
  }

  // The front model's detections on `whole`, read upright and, with
  // LandmarkerOptions::any_orientation, also turned by a quarter, a half and three quarters.
  // BlazeFace reads faces tilted up to ~100° right, but beyond it reads an upside-down face as an
  // upright one (its eye keypoints on the mouth) or one turned the wrong way (tilted 105°, read
  // as 28°). So the surest turned reading of a face replaces the upright one when it is surer by
  // kTurnedMargin and disagrees on which way is up (eye lines more than 45° apart); upright
  // readings that agree with it stay as they are, whatever less sure readings say. Faces found only
  // turned come after the upright ones, and only when sure (kTurnedOnlyMinScore). Each reading is
  // weighted-NMS'ed on its own (averaging keypoints across readings that disagree on which way is
  // up would mix eyes and mouth).
  std::vector<Detection> any_orientation(const Image& image, const Roi& whole) {
    std::vector<Detection> found = vision::weighted_nms(front.detect(image, whole));
    if (!options.any_orientation) return found;
    constexpr auto surer = [](const Detection& a, const Detection& b) { return a.score > b.score; };
    std::vector<Detection> turned;
    for (int quarter = 1; quarter < 4; ++quarter) {
      Roi r = whole;
      r.angle = static_cast<float>(quarter) * std::numbers::pi_v<float> / 2;
      for (const Detection& d : vision::weighted_nms(front.detect(image, r))) turned.push_back(d);
    }
    std::stable_sort(turned.begin(), turned.end(), surer);
    const std::size_t upright = found.size();
    std::vector<bool> judged(found.size(), false);  // its surest turned reading has been met
    for (const Detection& t : turned) {
      const auto same = std::find_if(found.begin(), found.end(), [&](const Detection& d) {
        return vision::box_iou(d, t) > kSameFaceIou;
      });
      const auto i = static_cast<std::size_t>(same - found.begin());
      if (same == found.end()) {
        if (t.score < kTurnedOnlyMinScore) continue;
        found.push_back(t);
        judged.push_back(true);
      } else if (!judged[i]) {  // only the surest turned reading of a face may overrule
        judged[i] = true;
        const float apart = std::abs(
            std::remainder(eye_angle(t) - eye_angle(*same), 2 * std::numbers::pi_v<float>));
        if ((t.score > same->score + kTurnedMargin && apart > std::numbers::pi_v<float> / 4) ||
            t.score > same->score + kTurnedMuchSurer)
          *same = t;
      }
    }
    std::stable_sort(found.begin() + static_cast<std::ptrdiff_t>(upright), found.end(), surer);
    return found;
  }

  // The angle of the line from a detection's right eye (keypoint 0) to its left eye (1).
  static float eye_angle(const Detection& d) {
    return std::atan2(d.keypoints[3] - d.keypoints[1], d.keypoints[2] - d.keypoints[0]);
  }

  // The face crop from a detection: MediaPipe's (the box's centre, 1.5× its longer side, rotated
  // to level BlazeFace's eye keypoints), `calibrated` toward the landmarks' own crop (above).
  static Roi roi_from_detection(const Detection& d, bool calibrated) {
    const float angle = eye_angle(d);  // level the eyes
    Roi r;
    r.cx = d.x + d.w / 2, r.cy = d.y + d.h / 2;
    r.size = std::max(d.w, d.h) * kFaceScale;
    r.angle = angle;
    if (calibrated) {  // along the crop's own down axis (-sin, cos)
      r.cx -= std::sin(angle) * kDetectionShift * r.size;
      r.cy += std::cos(angle) * kDetectionShift * r.size;
      r.size *= kDetectionGrow;
    }
    return r;
  }

  // How far crop `b` lies from crop `a`: its centre as a fraction of `a`'s size, |log size ratio|
  // and the turn between them (radians).
  struct CropMove {
    float centre, scale, turn;
  };
  static CropMove crop_move(const Roi& a, const Roi& b) {
    return {std::hypot(b.cx - a.cx, b.cy - a.cy) / a.size, std::abs(std::log(b.size / a.size)),
            std::abs(std::remainder(b.angle - a.angle, 2 * std::numbers::pi_v<float>))};
  }

  // Is crop `b` clearly off crop `a` (CropRefinement::Auto's test)?
  static bool crops_differ(const Roi& a, const Roi& b) {
    const CropMove m = crop_move(a, b);
    return m.centre > kRefineCentre || m.scale > kRefineScale || m.turn > kRefineAngle;
  }

  // track(): a face just detected, read again on the crop its own landmarks define — the crop
  // every later frame of it is read on — so that its first frame reads as the next ones do;
  // again while that crop still moves (kSettlePasses, kSettledMove). The last reading the mesh
  // confirms is kept.
  void settle(const Image& image, FaceLandmarks& f) {
    Roi crop = roi_from_landmarks(f);
    bool moved = false;
    for (int pass = 0; pass < kSettlePasses; ++pass) {
      auto g = landmarks_in(image, crop);
      if (!g) break;
      g->detection_score = f.detection_score;
      f = *g;
      moved = true;
      const Roi next = roi_from_landmarks(f);
      const CropMove m = crop_move(crop, next);
      if (std::max({m.centre, m.scale, m.turn}) < kSettledMove) break;
      crop = next;
    }
    if (moved) estimate_pose(image, f);
  }

  static Roi roi_from_landmarks(const FaceLandmarks& f) {
    const Point3 &a = f.points[kRightEyeOuter], &b = f.points[kLeftEyeOuter];
    std::vector<std::array<float, 2>> pts;
    for (std::size_t i = 0; i < 468; ++i) pts.push_back({f.points[i].x, f.points[i].y});
    return roi_around(pts, std::atan2(b.y - a.y, b.x - a.x), kFaceScale);
  }

  // FaceMesh on one crop; nullopt when the face-presence score is too low.
  std::optional<FaceLandmarks> landmarks_in(const Image& image, const Roi& roi,
                                            bool with_eyes = true) {
    vision::crop_to_tensor(image, roi, kMeshSize, 1.0f / 255.0f, 0.0f, mesh.input());
    mesh.invoke();
    if (attention) return attention_landmarks(roi);
    // Outputs (signature order): contours, faceflag, mesh.
    const float presence = mesh.output(1)[0];
    if (presence < options.min_presence) return std::nullopt;
    FaceLandmarks f = mesh_points(roi, presence, mesh.output(2));
    if (with_eyes) refine_eyes(image, f);
    return f;
  }

  // A face from a mesh model's 468 points (x, y, z in crop pixels) found on `roi`.
  static FaceLandmarks mesh_points(const Roi& roi, float presence, std::span<const float> raw) {
    FaceLandmarks f;
    f.presence = presence;
    f.box[0] = roi.cx - roi.size / 2, f.box[1] = roi.cy - roi.size / 2,
    f.box[2] = f.box[3] = roi.size;
    f.roll = roi.angle;
    const float zscale = roi.size / kMeshSize;
    for (std::size_t i = 0; i < 468; ++i) {
      Point3& p = f.points[i];
      roi.to_image(raw[3 * i], raw[3 * i + 1], kMeshSize, p.x, p.y);
      p.z = raw[3 * i + 2] * zscale;
    }
    return f;
  }

  // The attention mesh's outputs (it has just run on `roi`) as the 478 points: the mesh, then its
  // refined lips and eye regions (x, y; z stays the mesh's) and the irises (z: their lids' mean).
  std::optional<FaceLandmarks> attention_landmarks(const Roi& roi) const {
    const AttentionOutputs& o = *attention;
    const float presence = mesh.output(o.presence)[0];
    if (presence < options.min_presence) return std::nullopt;
    FaceLandmarks f = mesh_points(roi, presence, mesh.output(o.mesh));
    auto place = [&](std::span<const float> xy, std::size_t k, std::size_t index) {
      Point3& p = f.points[index];
      roi.to_image(xy[2 * k], xy[2 * k + 1], kMeshSize, p.x, p.y);
    };
    const auto lips = mesh.output(o.lips);
    for (std::size_t k = 0; k < kAttentionLips.size(); ++k) place(lips, k, kAttentionLips[k]);
    const std::pair<std::size_t, const std::array<int, 71>*> eyes[2] = {
        {o.right_eye, &kRightEyeContour}, {o.left_eye, &kLeftEyeContour}};
    for (const auto& [out, contour] : eyes) {
      const auto xy = mesh.output(out);
      for (std::size_t k = 0; k < 71; ++k) place(xy, k, static_cast<std::size_t>((*contour)[k]));
    }
    const std::pair<std::size_t, const std::array<int, 71>*> irises[2] = {
        {o.right_iris, &kRightEyeContour}, {o.left_iris, &kLeftEyeContour}};
    for (int e = 0; e < 2; ++e) {
      const auto xy = mesh.output(irises[e].first);
      float lid_z = 0;
      for (std::size_t k = 0; k < 16; ++k)
        lid_z += f.points[static_cast<std::size_t>((*irises[e].second)[k])].z / 16;
      const int first = e == 0 ? kRightIrisFirst : kLeftIrisFirst;
      for (std::size_t k = 0; k < 5; ++k) {
        const std::size_t index = static_cast<std::size_t>(first) + k;
        place(xy, k, index);
        f.points[index].z = lid_z;
      }
    }
    return f;
  }

  // The iris model on both eyes; merges eye contours and the 10 iris points (468–477).
  void refine_eyes(const Image& image, FaceLandmarks& f) {
    if (attention) return;  // the attention mesh placed them
    struct Eye {
      int corner_a, corner_b;  // left-to-right in the image for a frontal face
      const std::array<int, 71>* contour;
      int iris_first;
      bool flip;
    };
    const Eye eyes[2] = {
        {kRightEyeOuter, kRightEyeInner, &kRightEyeContour, kRightIrisFirst, false},
        {kLeftEyeInner, kLeftEyeOuter, &kLeftEyeContour, kLeftIrisFirst, true}};
    // Both eyes in one batch of two (the model's weights are read once).
    Roi rois[2];
    for (int k = 0; k < 2; ++k) {
      const Eye& e = eyes[k];
      const Point3 &a = f.points[static_cast<std::size_t>(e.corner_a)],
                   &b = f.points[static_cast<std::size_t>(e.corner_b)];
      if (!options.refine_iris) {  // irises at the eye centre, no model
        const Point3 mid{(a.x + b.x) / 2, (a.y + b.y) / 2, (a.z + b.z) / 2};
        for (int i = 0; i < 5; ++i) f.points[static_cast<std::size_t>(e.iris_first + i)] = mid;
        continue;
      }
      Roi& r = rois[k];
      r = roi_around({{a.x, a.y}, {b.x, b.y}}, std::atan2(b.y - a.y, b.x - a.x), kEyeScale);
      r.size = std::hypot(b.x - a.x, b.y - a.y) * kEyeScale;
      r.flip = e.flip;
      const std::size_t per_eye = std::size_t{kIrisSize} * kIrisSize * 3;
      vision::crop_to_tensor(image, r, kIrisSize, 1.0f / 255.0f, 0.0f,
                             iris->input().subspan(per_eye * static_cast<std::size_t>(k), per_eye));
    }
    if (!options.refine_iris) return;
    iris->invoke();
    for (int k = 0; k < 2; ++k) {
      const Eye& e = eyes[k];
      const Roi& r = rois[k];
      const auto out = iris->output(0).subspan(228 * static_cast<std::size_t>(k),
                                               228);  // 71 contour + 5 iris, xyz
      const float zscale = r.size / kIrisSize;
      auto point = [&](std::size_t i) {
        Point3 p;
        r.to_image(out[3 * i], out[3 * i + 1], kIrisSize, p.x, p.y);
        p.z = out[3 * i + 2] * zscale;
        return p;
      };
      for (std::size_t i = 0; i < 71; ++i) {
        if (is_brow_entry(i)) continue;
        Point3& m = f.points[static_cast<std::size_t>((*e.contour)[i])];
        const Point3 p = point(i);
        m = {p.x, p.y, (m.z + p.z) / 2};  // the iris model's depth is less reliable: average
      }
      // Iris z from the lids around it (the model's own iris depth is unreliable).
      const float lid_z = (f.points[static_cast<std::size_t>((*e.contour)[12])].z +
                           f.points[static_cast<std::size_t>((*e.contour)[4])].z) /
                          2;
      for (std::size_t i = 0; i < 5; ++i) {
        Point3 p = point(71 + i);
        p.z = lid_z;
        f.points[static_cast<std::size_t>(e.iris_first) + i] = p;
      }
    }
  }

  void estimate_pose(const Image& image, FaceLandmarks& f) const {
    const auto& P = f.points;
    // Rigid fit of the neutral face (face_model.h) to the landmarks' stable points.
    const RigidFit fit = fit_rigid(neutral_face(), to_face_axes(P));
    const auto& R = fit.rotation;  // face frame -> camera axes (x right, y up, z toward the camera)
    const Vec3 side{R[0], R[3], R[6]};  // toward the subject's left
    f.head = head_rotation(fit);
    // Pinhole distance from the fit's scale (pixels per centimetre of the neutral face).
    const float focal =
        options.focal_length_px > 0 ? options.focal_length_px : static_cast<float>(image.width);
    const float depth_m = fit.scale > 0 ? focal / fit.scale / 100.0f : 0;
    const float cx = fit.translation.x, cy = -fit.translation.y;  // the face centre in the image
    const Translation t{(cx - image.width / 2.0f) * depth_m / focal,
                        -(cy - image.height / 2.0f) * depth_m / focal, -depth_m};
    f.head.translation = t;
    f.transform = {R[0], R[1], R[2], t.x, R[3], R[4], R[5], t.y, R[6], R[7], R[8], t.z, 0, 0, 0, 1};
    // Image-plane axes of the face for the eyes below.
    const Vec3 x_axis = normalised(Vec3{side.x, -side.y, 0});
    const Vec3 down{-x_axis.y, x_axis.x, 0};
    // Eyes: the iris centre against the eye-corner midpoint, over an eyeball radius of ~0.43×
    // the eye width (12 mm against 28 mm).
    auto eye = [&](int outer, int inner, int iris_index, EyePose& pose) {
      const Point3 &a = P[static_cast<std::size_t>(outer)], &b = P[static_cast<std::size_t>(inner)],
                   &i = P[static_cast<std::size_t>(iris_index)];
      const float w = std::hypot(b.x - a.x, b.y - a.y);
      if (w <= 0) return;
      const float mx2 = (a.x + b.x) / 2, my2 = (a.y + b.y) / 2;
      const float u = ((i.x - mx2) * x_axis.x + (i.y - my2) * x_axis.y) / (0.43f * w);
      const float v = ((i.x - mx2) * down.x + (i.y - my2) * down.y) / (0.43f * w);
      pose.yaw = std::asin(std::clamp(u, -1.0f, 1.0f));
      pose.pitch = std::asin(std::clamp(-v, -1.0f, 1.0f));
      pose.roll = 0;
    };
    eye(kRightEyeOuter, kRightEyeInner, kRightIrisFirst, f.right_eye);
    eye(kLeftEyeOuter, kLeftEyeInner, kLeftIrisFirst, f.left_eye);
  }
};

std::string_view mesh_model_name(MeshModel m) {
  return m == MeshModel::Attention ? "attention" : "facemesh";
}
std::optional<MeshModel> mesh_model_from_name(std::string_view name) {
  if (name == "facemesh") return MeshModel::FaceMesh;
  if (name == "attention") return MeshModel::Attention;
  return std::nullopt;
}

ResourceLocation default_model_location() {
  return locate_resource("models", SEMBLEND_MODEL_DIR);
}
std::string default_model_dir() {
  return default_model_location().path;
}

FaceLandmarker::FaceLandmarker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FaceLandmarker::FaceLandmarker(FaceLandmarker&&) noexcept = default;
FaceLandmarker& FaceLandmarker::operator=(FaceLandmarker&&) noexcept = default;
FaceLandmarker::~FaceLandmarker() = default;

FaceLandmarker FaceLandmarker::create(const LandmarkerOptions& options) {
  const std::string dir = options.model_dir.empty() ? default_model_dir() : options.model_dir;
  if (options.max_faces < 1) throw std::invalid_argument("max_faces must be at least 1");
  ModelOptions single;
  if (options.verify_checksums) single.sha256 = vision::pinned_model_checksums();
  ModelOptions pair = single;  // both eyes in one run
  pair.batch = 2;
  vision::FaceDetector front(Model::load(dir + "/blazeface-front.json", single),
                             options.min_detection_score);
  // The back model is checked now (a missing or corrupt file fails here, not on the first image
  // without a near face), then dropped until it is needed (Impl::back()).
  const std::string back_path = dir + "/blazeface-back.json";
  (void)vision::FaceDetector(Model::load(back_path, single), options.min_detection_score);
  const bool attention = options.mesh_model == MeshModel::Attention;
  auto impl = std::unique_ptr<Impl>(new Impl{
      options,
      std::move(front),
      back_path,
      single,
      std::nullopt,
      Model::load(dir + (attention ? "/facemesh-attention.json" : "/facemesh.json"), single),
      std::nullopt,
      std::nullopt,
      {},
      0});
  if (attention) {
    const Model& m = impl->mesh;
    const std::string& path = m.path();
    // The outputs by name and size (the converted graph names the eyes and irises only by
    // number: Identity_1/_2 the subject's right eye and iris, Identity_5/_6 the left).
    auto find = [&](const std::string& name, std::size_t size) {
      const auto& names = m.output_names();
      for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == name) {
          std::size_t n = 1;
          for (std::size_t d : m.output_shapes()[i]) n *= d;
          if (n != size)
            throw InputError(path, 0, 0,
                             "output " + name + " has " + std::to_string(n) + " values, expected " +
                                 std::to_string(size));
          return i;
        }
      throw InputError(path, 0, 0, "not the attention face mesh: no output " + name);
    };
    impl->attention = Impl::AttentionOutputs{
        find("output_faceflag", 1), find("output_mesh_identity", 1404), find("output_lips", 160),
        find("Identity_1:0", 142),  find("Identity_2:0", 10),           find("Identity_5:0", 142),
        find("Identity_6:0", 10)};
  } else {
    impl->iris.emplace(Model::load(dir + "/iris.json", pair));
  }
  return FaceLandmarker(std::move(impl));
}

std::vector<FaceLandmarks> FaceLandmarker::detect(const Image& image) {
  std::vector<FaceLandmarks> faces;
  if (image.width <= 0 || image.height <= 0) return faces;
  for (const Detection& d : impl_->find_faces(image)) {
    if (faces.size() >= static_cast<std::size_t>(impl_->options.max_faces)) break;
    if (auto f = impl_->face_from_detection(image, d)) faces.push_back(*f);
  }
  // Largest first among the faces FaceMesh and BlazeFace are about as sure of as of the surest
  // ones; a face either doubts comes after, however large its box (faceapi_happy.jpg's buildings:
  // presence 0.67 against the woman's 1.0; turned upside down, presence 0.83 but detection score
  // 0.52 against 0.97).
  float best = 0, best_detection = 0;
  for (const FaceLandmarks& f : faces) {
    best = std::max(best, f.presence);
    best_detection = std::max(best_detection, f.detection_score);
  }
  auto doubted = [&](const FaceLandmarks& f) {
    return f.presence < best - kDoubtedPresenceGap ||
           f.detection_score < best_detection - kDoubtedDetectionGap;
  };
  std::stable_sort(faces.begin(), faces.end(), [&](const FaceLandmarks& a, const FaceLandmarks& b) {
    if (doubted(a) != doubted(b)) return doubted(b);
    return a.box[2] > b.box[2];
  });
  return faces;
}

std::optional<FaceLandmarks> FaceLandmarker::Impl::face_from_detection(const Image& image,
                                                                       const Detection& d) {
  // The first pass places the face; a second on the crop its own landmarks define (MediaPipe's
  // tracking crop) steadies it where the detection's crop was off (turned or tilted faces).
  const CropRefinement mode = options.refine_crop;
  const Roi first = roi_from_detection(d, mode != CropRefinement::Always);
  auto f = landmarks_in(image, first, false);
  if (!f) return std::nullopt;  // the mesh sees no face there
  const Roi own = roi_from_landmarks(*f);
  const bool again =
      mode == CropRefinement::Always || (mode == CropRefinement::Auto && crops_differ(first, own));
  if (auto g = again ? landmarks_in(image, own) : std::nullopt)
    f = g;
  else
    refine_eyes(image, *f);
  f->detection_score = d.score;
  estimate_pose(image, *f);
  return f;
}

namespace {
// True if `r`'s centre lies within half a crop of one of `rois` (the same face).
bool covered(const Roi& r, const std::vector<Roi>& rois) {
  for (const Roi& o : rois)
    if (std::hypot(r.cx - o.cx, r.cy - o.cy) < 0.5f * std::max(r.size, o.size)) return true;
  return false;
}
}  // namespace

std::vector<FaceLandmarks> FaceLandmarker::track(const Image& image) {
  std::vector<FaceLandmarks> faces;
  if (image.width <= 0 || image.height <= 0) return faces;
  const bool redetect = impl_->options.redetect_interval > 0;
  std::vector<Roi> next;
  for (const Roi& r : impl_->tracked)
    if (auto f = impl_->landmarks_in(image, r)) {
      const Roi own = Impl::roi_from_landmarks(*f);
      if (redetect && covered(own, next)) continue;  // two tracks on one face: keep the first
      impl_->estimate_pose(image, *f);
      next.push_back(own);
      faces.push_back(*f);
    }
  if (faces.empty()) {  // lost (or first frame): detect
    faces = detect(image);
    for (auto& f : faces) {
      impl_->settle(image, f);
      next.push_back(Impl::roi_from_landmarks(f));
    }
    impl_->since_detection = 0;
  } else if (redetect && ++impl_->since_detection >= impl_->options.redetect_interval) {
    // Faces that entered since: detections no tracked face covers (the mesh runs on those only).
    impl_->since_detection = 0;
    const std::size_t most = static_cast<std::size_t>(impl_->options.max_faces);
    for (const Detection& d : impl_->find_faces(image)) {
      if (faces.size() >= most) break;
      if (covered(Impl::roi_from_detection(d, true), next)) continue;
      if (auto f = impl_->face_from_detection(image, d)) {
        impl_->settle(image, *f);
        const Roi own = Impl::roi_from_landmarks(*f);
        if (covered(own, next)) continue;
        next.push_back(own);
        faces.push_back(*f);
      }
    }
  }
  impl_->tracked = std::move(next);
  return faces;
}

void FaceLandmarker::reset() {
  impl_->tracked.clear();
  impl_->since_detection = 0;
}

}  // namespace semblend
