// semblend/appearance.h — what the landmarks cannot see, read from the pixels: the appearance
// branch of the solver (docs/appearance.md).
//
// Landmarks miss a tongue (no landmark sits on it), a puffed cheek (the mesh barely moves), and
// much of an eyelid's closure (the landmarker's lid points move about half as far as the lid:
// `semblend eval rig`). Two small CNNs look at aligned crops instead:
//  - the eye net, on one eye: eyeBlink and eyeWide of that eye. Both eyes run through the same
//    weights in one batch: the right eye's crop is the mirror image of the left's (each crop's
//    x axis runs from the eye's inner corner to its outer corner), so a wink reads the same on
//    either side by construction;
//  - the lower-face net, on the mouth and cheeks: tongueOut and cheekPuff.
// Crops (appearance_crops): a similarity transform from the landmarks — the eye crop centred on
// the eye's corners, sized from their 3D distance (the landmarks' z is in pixels at the x scale,
// so the size does not shrink as the head turns); the lower-face crop centred on the mouth
// corners, its x axis along the line through the outer eye corners, sized from their 3D
// distance. Pixels are sampled area-averaged, then each crop is standardised (per-channel mean
// removed, divided by its overall standard deviation) so exposure and white balance matter less.
//
// A tongue shows only between parted lips: the tongue reading is gated by the lips' parting
// (lip_parting), 0 below half of `tongue_lip_parting` and untouched above it — the 5th percentile
// of the parting on training renders with the tongue out (fusion.json). This is what keeps a
// tongue-like colour in a closed mouth of a real photo from reading as tongueOut.
// Fusion (Appearance::fuse): per shape, fused = w · appearance + (1 − w) · geometry, w in [0, 1]
// fitted by the trainer on held-out renders (the weight that minimises the fused error; stored in
// fusion.json). Shapes outside the six keep the geometry solver's value.
//
// Model files (data/appearance/, written by `semblend_train_appearance`): eye.json + eye.bin,
// lower_face.json + lower_face.bin (TF.js graph models run by the engine), fusion.json (format
// "semblend.appearance", version 1: crop sizes, shape order, fusion weights, held-out errors);
// appearance.sha256 lists the SHA-256 of all five, compiled in and checked at load.
//
// Failure modes: InputError (or IoError) for a missing, corrupted or mismatching model file
// (naming it); std::invalid_argument for non-finite landmarks, degenerate eye or mouth corners, or
// an empty image. A face partly outside the image is cropped with its edge pixels repeated.
// Thread safety: an Appearance is logically immutable after load; estimate() may be called from
// any number of threads (a mutex-protected pool of engine models, as the Solver keeps).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "semblend/blendshape.h"
#include "semblend/expression_prior.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/render.h"
#include "semblend/resources.h"
#include "semblend/take.h"

namespace semblend {

inline constexpr int kEyeCropSize = 40;        // pixels, square
inline constexpr int kLowerFaceCropSize = 64;  // pixels, square
inline constexpr std::size_t kAppearanceShapeCount = 6;
// The shapes the appearance branch estimates, in its output order: the eye net gives (blink,
// wide) for one eye, the lower-face net (tongueOut, cheekPuff).
inline constexpr std::array<Blendshape, kAppearanceShapeCount> kAppearanceShapes{
    Blendshape::EyeBlinkLeft, Blendshape::EyeWideLeft, Blendshape::EyeBlinkRight,
    Blendshape::EyeWideRight, Blendshape::TongueOut,   Blendshape::CheekPuff};

struct AppearanceCrops {
  // Standardised pixels, row-major HWC (RGB): kEyeCropSize² × 3 per eye (the right eye mirrored),
  // kLowerFaceCropSize² × 3 for the lower face.
  std::vector<float> left_eye, right_eye, lower_face;
};
// A perturbation of a crop's frame, for training (the landmarker's own error, and more): the
// span scaled by `scale`, the centre moved by (shift_u, shift_v) spans along the crop's axes, the
// axes turned by `rotation` radians.
struct CropJitter {
  float scale = 1, shift_u = 0, shift_v = 0, rotation = 0;
};
// `jitter`, when given: one per crop (left eye, right eye, lower face).
AppearanceCrops appearance_crops(const Image& image,
                                 const std::array<Point3, kLandmarkCount>& landmarks,
                                 const std::array<CropJitter, 3>* jitter = nullptr);

// The inner lips' opening over the mouth's width (3D distances in landmark units): 0 for closed
// lips, about 0.3 for a wide-open mouth. Throws std::invalid_argument for a degenerate mouth.
float lip_parting(const std::array<Point3, kLandmarkCount>& landmarks);

// The gate's factor for a parting (0 below half the threshold, 1 from the threshold on).
float tongue_gate(float parting, float threshold);

struct AppearanceEstimate {
  std::array<float, kAppearanceShapeCount> values{};  // kAppearanceShapes order, each in [0, 1]
};

class Appearance {
 public:
  // Loads the models in `dir` (eye.json, lower_face.json, fusion.json); each file whose name has
  // an entry in `sha256` is checked against it.
  static Appearance load(const std::string& dir,
                         const std::map<std::string, std::string>& sha256 = {});
  // The shipped models (data/appearance/), checked against their compiled-in SHA-256 sums.
  static Appearance load_default();

  AppearanceEstimate estimate(const Image& image,
                              const std::array<Point3, kLandmarkCount>& landmarks) const;
  // The geometry solver's coefficients with the six shapes fused (see above).
  Coefficients fuse(const Coefficients& geometry, const AppearanceEstimate& estimate) const;
  // The fusion weight of each of the six shapes (kAppearanceShapes order).
  const std::array<float, kAppearanceShapeCount>& weights() const;

  Appearance(Appearance&&) noexcept;
  Appearance& operator=(Appearance&&) noexcept;
  ~Appearance();

 private:
  struct Impl;
  explicit Appearance(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "appearance" in the installed data dir, or this build's data/appearance (resources.h).
std::string default_appearance_dir();
ResourceLocation default_appearance_location();
std::map<std::string, std::string> default_appearance_checksums();

// fusion.json's contents.
struct AppearanceFusion {
  std::array<float, kAppearanceShapeCount> weights{};
  // Held-out mean absolute errors per shape (kAppearanceShapes order), for the record.
  std::array<float, kAppearanceShapeCount> geometry_mae{}, appearance_mae{}, fused_mae{};
  float tongue_lip_parting = 0;  // the tongue gate (above); 0 = no gate
  int heldout_samples = 0;
  std::string generated_by;
};
std::string appearance_fusion_json(const AppearanceFusion& fusion);
AppearanceFusion parse_appearance_fusion(const std::string& text, const std::string& file);

// ---- Training and evaluation data --------------------------------------------------------------
// Rig renders made to look unlike each other: a random identity (a pool of `identities` per
// seed, or stylised ones), an expression from the prior's sampler with the six shapes boosted
// (tongue out with the jaw open, and as often an open jaw without it; cheeks puffed with the
// lips closed; blinks, winks, wide eyes),
// a head pose within the ranges, random skin, iris, hair and background colours, light direction
// and strengths, face size; then, with `augment`, per-channel gain and gamma, blur, sensor noise
// and JPEG compression of the whole image (so the landmarker sees them too, as it would in a real
// photo). Sample i depends only on (seed, i) and the options; render() is thread-safe.
struct AppearanceRenderOptions {
  std::uint64_t seed = 1;
  int identities = 200;
  int size = 320;
  bool augment = true;
  bool stylised = false;        // every identity stylised (rig.h stylised_identity)
  float stylised_fraction = 0;  // otherwise this share of the identity pool is stylised
  float max_yaw_deg = 40, max_pitch_deg = 20, max_roll_deg = 20;
  // Make tongue, puff, blink, wink and wide-eye samples common (the appearance nets' training
  // data). Off, the expressions are the prior's sampler's alone (the solver's image samples).
  bool boost = true;
};
struct AppearanceRender {
  Image image;
  FaceFrame frame;  // the exact truth (coefficients and head pose)
};
class AppearanceRenderer {
 public:
  static AppearanceRenderer create(const AppearanceRenderOptions& options = {});
  AppearanceRender render(std::uint64_t index) const;
  const AppearanceRenderOptions& options() const { return options_; }

 private:
  AppearanceRenderer() = default;
  AppearanceRenderOptions options_;
  std::shared_ptr<const std::vector<Rig>> rigs_;
  std::shared_ptr<const ExpressionSampler> sampler_;
};

}  // namespace semblend
