// semblend/landmarker.h — faces in an image -> 478 3D landmarks, head pose and eye pose.
//
// Pipeline (MediaPipe-compatible in behaviour): BlazeFace detection (the 128×128 front model on the
// letterboxed image, also turned by 90°, 180° and 270° so faces at any roll are found the right
// way up: LandmarkerOptions::any_orientation; when it finds nothing, the 256×256 back model, then
// the back model on 2×2 overlapping tiles, so small and distant faces are still found) with SSD
// anchors and weighted non-maximum suppression -> a face crop rotated to level the eyes (1.5× the
// detection box, square, calibrated to the crop the mesh's own landmarks define) -> FaceMesh at
// 192×192 (468 points + a face-presence score; a second pass on its own landmarks' crop only when
// the first crop was clearly off) -> Iris at 64×64 on both eyes (the subject's left eye mirrored)
// -> refined eye contours and 10 iris points merged into the 478-point layout (MediaPipe indexing:
// 468–472 the subject's right iris, 473–477 the left).
//
// Coordinates: image pixels, x right, y down; z in pixels at the same scale as x, relative to the
// face centre, negative toward the camera (MediaPipe's convention).
// Poses: head rotation, scale and position from a rigid fit of the neutral face (face_model.h) to
// the landmarks' stable points; distance from the fit's scale with a pinhole camera (focal length =
// image width unless given); each eye's yaw/pitch from the iris centre against the eye-corner
// midpoint.
//
// Modes: detect() treats every image independently (IMAGE mode). track() (VIDEO mode) reuses the
// previous frame's landmarks as the next crop and runs the detector only when the face is lost
// (presence below the threshold); a face it detects is read once more on the crop its own
// landmarks define, the crop its next frames are read on (one mesh and iris run more per
// detection: a still face's first frame read on the detection's crop could differ from every
// later frame — sadtalker_sad1's press read as a smile 0.35 on the first frame of a still clip,
// 0.14–0.17 on the others); with `redetect_interval` N > 0 it also runs the detector every
// N frames, and faces it finds that no tracked face covers join the tracked ones (faces entering
// the video; tracked faces that come to cover the same face are then merged).
// Failure modes: create() throws on missing or corrupt models (naming the file); detect() returns
// an
//   empty vector when there is no face — it never throws on a valid Image.
// Thread safety: a FaceLandmarker owns its models and buffers: one per thread.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/image.h"
#include "semblend/resources.h"
#include "semblend/take.h"

namespace semblend {

struct Point3 {
  float x = 0, y = 0, z = 0;
};

inline constexpr std::size_t kLandmarkCount = 478;

struct FaceLandmarks {
  std::array<Point3, kLandmarkCount> points{};
  float detection_score =
      0;               // BlazeFace score of the detection that started this face (0 if tracked)
  float presence = 0;  // FaceMesh face-presence probability
  float box[4] = {0, 0, 0, 0};  // x, y, width, height of the face crop (pixels, before rotation)
  float roll = 0;               // rotation of the crop (radians)
  HeadPose head;                // radians; translation in metres (assumes an adult face width)
  EyePose left_eye, right_eye;  // the subject's eyes
  // The 4×4 facial transformation matrix (row-major): face frame -> camera, metres.
  std::array<float, 16> transform{};
};

// detect(): how the face crop is refined after the first FaceMesh pass.
enum class CropRefinement {
  // One pass on the calibrated detection crop; a second on the crop the landmarks define only
  // when that differs from the first by more than 4% of the crop in centre, 10% in size or
  // 0.08 rad in rotation (a turned or tilted face, where BlazeFace's keypoints are rough).
  Auto,
  // Always a second pass on the landmarks' crop, after a first on MediaPipe's plain detection
  // crop (the path data/neutral_face.csv was derived with; one FaceMesh run slower).
  Always,
  Never,  // one pass on the calibrated detection crop
};

// Which FaceMesh model places the 478 points on a face crop.
enum class MeshModel {
  // MediaPipe's face mesh (468 points) and then its iris model on both eyes (eye contours and
  // the 10 iris points): the pipeline the shipped solver was trained with.
  FaceMesh,
  // MediaPipe's attention mesh (face_landmark_with_attention, in the same npm package as
  // facemesh-attention.json): one model gives the 468 points and refines the lips, both eye
  // regions (brows included) and the irises from crops of its own feature maps. On rig renders
  // its points err less (lips ~30%, eyes and brows ~20%; docs/landmarks.md); it runs node by node
  // on the host engine (~2.5 ms against ~1 ms + the iris model). z of the refined points is the
  // mesh's; the irises' z is the mean of their eyelid points'.
  Attention,
};

// "facemesh" / "attention", and back (nullopt for any other name).
std::string_view mesh_model_name(MeshModel m);
std::optional<MeshModel> mesh_model_from_name(std::string_view name);

struct LandmarkerOptions {
  std::string model_dir;  // directory of the TF.js models; "" = the build's default
  // Most faces to return: the most confident detections whose FaceMesh presence confirms a face,
  // returned largest first — except that faces whose presence is more than 0.2 below the surest
  // face's, or whose detection score is more than 0.3 below the surest detection's, come after the
  // others (a large false detection in the background does not come first).
  int max_faces = 1;
  float min_detection_score = 0.5f;
  float min_presence = 0.5f;  // FaceMesh presence below this drops the face (and ends tracking)
  bool refine_iris = true;  // run the iris model (478 points); false gives 468 + eye-centre irises
                            // (FaceMesh only: the attention mesh always gives all 478)
  MeshModel mesh_model = MeshModel::FaceMesh;
  bool use_tiles = true;  // search small faces with the back model on tiles when needed
  // Find faces at any roll, upside down included: the front detector also reads the image turned
  // by 90°, 180° and 270° (BlazeFace alone reads a face tilted beyond ~100° as an upright one,
  // eyes on its mouth). Costs three more front-model runs (~2 ms) per detection; the back model
  // and the tiles stay upright.
  bool any_orientation = true;
  CropRefinement refine_crop = CropRefinement::Auto;
  float focal_length_px = 0;  // 0 = image width
  // Check each model file against the pinned SHA-256 (third_party/SHA256SUMS); a corrupted or
  // different weight file is then an error naming it. Off only for experiments with other weights.
  bool verify_checksums = true;
  // track(): run the detector every this many frames too, adding faces not yet tracked (0 = only
  // when every tracked face is lost). Costs one detection (~6.5 ms) per N frames.
  int redetect_interval = 0;
};

class FaceLandmarker {
 public:
  static FaceLandmarker create(const LandmarkerOptions& options = {});
  FaceLandmarker(FaceLandmarker&&) noexcept;
  FaceLandmarker& operator=(FaceLandmarker&&) noexcept;
  ~FaceLandmarker();

  std::vector<FaceLandmarks> detect(const Image& image);
  std::vector<FaceLandmarks> track(const Image& image);
  void reset();  // forget the tracked faces

 private:
  struct Impl;
  explicit FaceLandmarker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- The landmarker's own placement error ------------------------------------------------------
// The landmarker places a face's points a little differently each time the face sits a little
// differently in the image (another crop, another resampling). detect_jittered() samples that:
// the face `reference` (found by detect() on `image`) is found again on `copies` copies of the
// image, each shifted by up to `shift` of the face's size, scaled by up to ±`scale` and rotated by
// up to ±`rotate_deg` about the face's centre, and its points are mapped back to the image's
// coordinates (z divided by the copy's scale). Which face is which: the copy's face whose centre
// lies nearest the reference's, within a quarter of its size (a copy where none does gives
// nothing). The copies' transforms come from `seed` (the same image and options give the same
// result). Used by calibration (calibration.h) to see how much a relaxed face's readings move
// with the landmarker's noise alone. Failure modes: std::invalid_argument for options out of
// range; an empty result when no copy finds the face. Thread safety: uses `landmarker` (reset
// before every copy): one thread at a time.
inline constexpr int kMaxJitterCopies = 64;
struct JitterOptions {
  int copies = 8;           // 0..kMaxJitterCopies
  float shift = 0.02f;      // fraction of the face's size, [0, 0.2]
  float scale = 0.03f;      // [0, 0.3]
  float rotate_deg = 2.0f;  // [0, 20]
  std::uint64_t seed = 1;
  // 0: each copy is the whole image. Else only the square of `context` × the face's size around
  // its centre (within the image) is copied — faster on a large image, and other faces stay out
  // of it; 0 or [2, 8].
  float context = 0;
};
std::vector<std::array<Point3, kLandmarkCount>> detect_jittered(FaceLandmarker& landmarker,
                                                                const Image& image,
                                                                const FaceLandmarks& reference,
                                                                const JitterOptions& options = {});

// ---- How well an image shows a face ----------------------------------------------------------
// The landmarker finds faces in images too small or too blurred to read expressions from, and
// the solver then reads confident nonsense (a relaxed face blurred by a 4-pixel Gaussian: "extreme
// lip pucker" 0.99). Two measures of the face as the image shows it: its eye distance (outer eye
// corners, pixels) and its sharpness (the variance of the Laplacian of its grey levels, the
// landmarks' bounding box resampled to 96×96). Measured on rig renders with known coefficients
// (12 random expressions, identities and poses; mean error over the 52 shapes, 0.045 clean at an
// eye distance of 120 px): shrunk to eye distances of 40 / 30 / 20 / 15 px, 0.044 / 0.056 / 0.088 /
// 0.095; blurred to sharpness 111 / 45 / 23, 0.053 / 0.074 / 0.081. The 15 shared photos have eye
// distances of 64–313 px and sharpness 154–1946. So a face is small below 30 px and blurred below
// 60. Noise and JPEG blocks are not caught (they raise the sharpness).
// A third: how much of the face the image cuts off. The mesh model fits a whole face to a face
// cut by the image's edge, guessing the missing part, and the solver reads that guess (a relaxed
// face cut through the middle by the left edge: "extreme jaw opening; extreme outer brow raise",
// jawOpen 0.87). `outside` is the fraction of the 468 mesh landmarks beyond the image. Measured on
// the 15 shared photos cut from the left, right and bottom by 5–50% of the face's width or height
// (267 cuts; the largest error of any coefficient against the uncut photo's reading): under 5%
// outside the largest error exceeds 0.5 in 12–15% of cuts, from 5% on in 35–60%. So a face is cut
// off from 5% outside. Not caught: a cut face whose mesh the model squeezes inside the image (4 of
// the 267 cuts, 30–40% cut and under 1% outside, largest errors 0.45–0.88).
// A fourth, per eye: whether the image shows it. Behind sunglasses, an eye patch or a hand the
// landmarker has nothing to read and places lids and iris where a face's shape suggests, and the
// solver reads that guess (a smiling face with black bars over its eyes: "severe eyelid closure",
// eyeBlink 0.62 / 0.67, "marked downward gaze" 0.52). Measured on the ellipse around the eye's
// centre (along the axis from corner to corner, as long as the eye is wide, 0.6 of that high)
// against the cheek below the same eye (landmarks 50 and 205, 280 and 425; patches of 5% of the eye
// distance): `tone` its mean grey level, `contrast` its standard deviation, both divided by the
// cheek's mean. An eye shows its white, iris and lashes, or closed its lid: on the 15 shared
// photos, three frames of the talking-head video around its blink and rig renders in all seven skin
// tones with the eyes open and shut, tone ≥ 0.23 (the cartoons' large dark irises), and where it is
// under 0.5 contrast ≥ 0.14; shut lids tone ≥ 0.91 (contrast ≥ 0.09), the video's soft frames tone
// ≥ 0.56 (contrast 0.12–0.13). The 18 photos and frames behind drawn lenses: opaque, tone ≤ 0.19
// and contrast ≤ 0.01; 85% tinted, tone 0.16–0.42 and contrast ≤ 0.09 — every eye `hidden()`; 60%
// tinted, the eyes showing through, tone 0.19–0.60 and contrast 0.04–0.25 (one or both eyes hidden
// in 13 of the 18). Pure, thread-safe.
inline constexpr float kSmallFaceEyeDistancePx = 30, kBlurredFaceSharpness = 60,
                       kCutOffFaceFraction = 0.05f, kHiddenEyeTone = 0.5f,
                       kHiddenEyeContrast = 0.11f;
struct EyeVisibility {
  float tone = 1, contrast = 1;  // 1, 1 where it cannot be measured (no cheek to compare with)
  bool hidden() const { return tone < kHiddenEyeTone && contrast < kHiddenEyeContrast; }
};
struct FaceImageQuality {
  float eye_distance_px = 0;
  float sharpness = 0;
  float outside = 0;                  // fraction of the 468 mesh landmarks outside the image
  EyeVisibility left_eye, right_eye;  // the subject's own
  bool small() const { return eye_distance_px < kSmallFaceEyeDistancePx; }
  bool blurred() const { return sharpness < kBlurredFaceSharpness; }
  bool cut_off() const { return outside >= kCutOffFaceFraction; }
};
FaceImageQuality face_image_quality(const Image& image, const FaceLandmarks& face);
// One eye's EyeVisibility alone (the subject's left eye or right), as face_image_quality measures
// it, without the rest: what solve_face needs for every face it solves.
EyeVisibility eye_visibility(const Image& image, const FaceLandmarks& face, bool left_eye);

// The face models' folder: "models" in the installed data dir, or this build's
// third_party/npm/human-models/models (resources.h says where it is looked for).
std::string default_model_dir();
ResourceLocation default_model_location();

// ---- Output ------------------------------------------------------------------------------------
// One image's (or video frame's) landmarks as a JSON object (docs/landmarks.md):
// {"format": "semblend.landmarks", "version": 1, "source", "width", "height", ["time"],
//  "faces": [{"detection_score", "presence", "box", "head", "left_eye", "right_eye", "transform",
//             "landmarks": [[x, y, z] × 478]}]}. One line, no trailing newline.
std::string landmarks_json(const std::vector<FaceLandmarks>& faces, const std::string& source,
                           int width, int height, double time = -1);

// The image with the face mesh, eye and lip contours, irises and head-pose axes drawn on it.
Image draw_landmarks(const Image& image, const std::vector<FaceLandmarks>& faces);

}  // namespace semblend
