// semblend/render.h — draws the rig (rig.h) posed with coefficients and a head pose: a small,
// deterministic software rasterizer (no GPU, the same pixels on every machine).
//
// What it draws: the face mesh, head, neck, eyeballs, mouth interior, teeth and tongue,
// z-buffered, smoothly shaded (per-vertex normals, a key light, a fill light, ambient, Blinn-Phong
// highlights per material), anti-aliased (2×2 or more coverage samples per pixel, one shade per
// visible surface per pixel), with procedural skin texture (blotches and pores from value noise on
// the rest-pose surface, so the texture sticks to the skin as it moves), darker lid margins, brows
// and coloured lips, on a soft gradient background; or with a real face photo as the face's skin
// (FaceTexture).
//
// Camera: a pinhole at the origin looking down -z (camera axes: x right, y up, z toward the
// camera). The head's face-frame origin sits `distance_cm` in front of it; 0 frames the face
// (its 468 landmarks fill `face_fill` of the image height, 60% by default). Head pose follows the
// vision front end's convention (landmarker.h, docs/landmarks.md): yaw > 0 turns the face toward
// the image's right, pitch > 0 raises the chin, roll > 0 turns the eye line clockwise in the image.
// Gaze comes from the eyeLook coefficients (the rig's eyeballs), not from FaceFrame's eye poses.
//
// Failure modes (std::invalid_argument, naming the value): width or height outside [16, 4096],
// supersample outside [1, 4], field of view outside (1°, 120°), a negative or non-finite distance,
// a camera so close that the face reaches behind it, non-finite pose angles or coefficients,
// colours outside [0, 1].
// Thread safety: render_face is a pure function; call it from any number of threads.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/rig.h"
#include "semblend/take.h"
#include "semblend/topology.h"

namespace semblend {

using Rgb = std::array<float, 3>;  // sRGB, each in [0, 1]

// A real face photo as the rig's skin. The rig's first 468 vertices are MediaPipe's mesh points,
// so the landmarks found in a photo are the texture coordinates of the face mesh: every face-mesh
// triangle (skin, lips, brows) is painted with the photo's pixels between its three landmarks.
// The rest of the head (scalp, ears, neck) takes the photo's average cheek colour. The photo's
// own lighting is divided out by the shading the rig's rest shape gets facing the camera, and
// the render's lights are applied, so a turned head is lit like the rest of the render.
struct FaceTexture {
  Image image;
  std::array<std::array<float, 2>, kFaceMeshLandmarks> uv{};  // pixels in `image`
  Rgb skin{};  // the mean colour of the cheeks and forehead
  // Per mesh point, how much of the photo shows (the rest is `skin`): 0 on the face oval, rising
  // over the next rings of the mesh, so hair and background at the photo's face border stay out.
  std::array<float, kFaceMeshLandmarks> weight{};
};
// From a photo and a face the landmarker found in it. Throws std::invalid_argument when the image
// is empty or the face's mesh points do not lie within it (a face cut off by the border).
FaceTexture face_texture_from_photo(const Image& photo, const FaceLandmarks& face);

struct RenderOptions {
  int width = 512, height = 512;
  float fov_deg = 20;      // vertical field of view
  float distance_cm = 0;   // camera to the face-frame origin; 0 = frame the face
  float face_fill = 0.6f;  // with distance 0: the face's share of the image height (0.2..1.2)
  Rgb skin{0.82f, 0.63f, 0.50f};
  Rgb iris{0.36f, 0.24f, 0.13f};
  Rgb hair{0.16f, 0.11f, 0.08f};
  Rgb background{0.55f, 0.60f, 0.66f};
  std::array<float, 3> light_direction{-0.45f, 0.55f, 1.0f};  // toward the key light, camera axes
  float key_light = 0.85f, fill_light = 0.25f, ambient = 0.32f;
  int supersample = 2;  // coverage samples per pixel along each axis
  bool texture = true;  // procedural skin detail
  // A real face photo as the face's skin (null: the procedural skin in `skin`'s tone).
  std::shared_ptr<const FaceTexture> face_texture;
};

// Skin tones by name, light to dark: "light", "fair", "medium", "olive", "tan", "brown", "dark",
// or "#rrggbb". Throws std::invalid_argument naming the value otherwise.
Rgb skin_tone(std::string_view name);
// The named tones, light to dark (for drawing a random one).
std::span<const std::string_view> skin_tone_names();

// The colour (sRGB) each rig part is drawn with under `options` (lips and brows follow the skin
// and hair tones), indexed by RigPart. The glTF export uses the defaults, so a glTF viewer shows
// the face `semblend render` draws.
std::array<Rgb, kRigPartCount> part_colours(const RenderOptions& options = {});

struct RenderResult {
  Image image;
  // The rig's 478 landmark vertices projected into the image: x, y in pixels (0,0 = top-left
  // corner of the top-left pixel), z = distance from the camera along its axis, in cm.
  std::array<Point3, kLandmarkCount> landmarks{};
  // Whether each landmark is the nearest surface at its pixel (not hidden by the nose, a cheek...).
  std::array<bool, kLandmarkCount> visible{};
  float pixels_per_cm = 0;  // at the face-frame origin's distance
};

// Draws `frame.coefficients` with `frame.head`'s rotation (translation is ignored: the camera
// frames the face as the options say).
RenderResult render_face(const Rig& rig, const FaceFrame& frame, const RenderOptions& options = {});

// A grid of named renders: every one of the 52 shapes at `weight` (and the neutral face first),
// `tile` pixels square, each labelled with its Apple name. mouthClose, which only acts with the
// jaw open, is shown with jawOpen at the same weight.
Image render_contact_sheet(const Rig& rig, int tile = 192, float weight = 1.0f,
                           const RenderOptions& options = {});

// `photo` and `render` side by side at the photo's height (the render scaled to fit).
Image side_by_side(const Image& photo, const Image& render);

}  // namespace semblend
