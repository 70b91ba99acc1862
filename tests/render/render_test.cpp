// The software renderer (render.h).
#include "semblend/render.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "semblend/image.h"
#include "test_util.h"

namespace semblend {
namespace {

RenderOptions small() {
  RenderOptions o;
  o.width = o.height = 192;
  return o;
}

FaceFrame with(Blendshape s, float v) {
  FaceFrame f;
  f.coefficients.set(s, v);
  return f;
}

double mean_abs_diff(const Image& a, const Image& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
  return sum / double(a.rgb.size());
}

TEST(Render, DrawsAFaceOnTheBackgroundAndProjectsTheLandmarks) {
  RenderOptions o = small();
  const RenderResult r = render_face(default_rig(), FaceFrame{}, o);
  ASSERT_EQ(r.image.width, 192);
  ASSERT_EQ(r.image.height, 192);
  ASSERT_EQ(r.image.rgb.size(), 192u * 192 * 3);
  // Top-left corner: background.
  EXPECT_NEAR(r.image.pixel(0, 0)[2], std::lround(255 * o.background[2]), 2);
  // The nose tip: lit skin, reddish (r > b).
  const Point3 nose = r.landmarks[4];
  EXPECT_NEAR(nose.x, 96, 3);
  const auto* px = r.image.pixel(int(nose.x), int(nose.y));
  EXPECT_GT(px[0], px[2] + 20);
  EXPECT_TRUE(r.visible[4]);
  // Frontal: the outer eye corners mirror about the centre line; the face fills ~60% of the height.
  EXPECT_NEAR(r.landmarks[33].x + r.landmarks[263].x, 192, 0.5);
  EXPECT_NEAR(r.landmarks[152].y - r.landmarks[10].y, 0.6 * 192, 3);
  EXPECT_GT(r.pixels_per_cm, 0);
}

TEST(Render, IsDeterministic) {
  const RenderResult a = render_face(default_rig(), with(Blendshape::JawOpen, 0.5f), small());
  const RenderResult b = render_face(default_rig(), with(Blendshape::JawOpen, 0.5f), small());
  EXPECT_EQ(a.image.rgb, b.image.rgb);
}

TEST(Render, MirroredShapesRenderAsMirrorImages) {
  RenderOptions o = small();
  o.light_direction = {0, 0.5f, 1};  // a symmetric light
  o.texture = false;                 // the skin noise is not symmetric
  for (auto [l, r] : {std::pair{Blendshape::EyeBlinkLeft, Blendshape::EyeBlinkRight},
                      std::pair{Blendshape::MouthSmileLeft, Blendshape::MouthSmileRight},
                      std::pair{Blendshape::JawLeft, Blendshape::JawRight}}) {
    // MediaPipe's triangulation is not itself mirror-symmetric, so even the neutral face differs
    // a little from its mirror image (shading interpolates over different diagonals).
    const Image n = render_face(default_rig(), FaceFrame{}, o).image;
    const double baseline = mean_abs_diff(n, flip_horizontal(n));
    const Image a = render_face(default_rig(), with(l, 1), o).image;
    const Image b = flip_horizontal(render_face(default_rig(), with(r, 1), o).image);
    EXPECT_LT(mean_abs_diff(a, b), baseline + 0.1) << info(l).apple_name;
    EXPECT_GT(mean_abs_diff(a, n), 0.2) << info(l).apple_name << " is visible";
    EXPECT_GT(mean_abs_diff(a, flip_horizontal(a)), baseline + 0.1)
        << info(l).apple_name << " is one-sided";
  }
}

TEST(Render, ABlinkChangesOnlyThatEye) {
  const RenderOptions o = small();
  const RenderResult n = render_face(default_rig(), FaceFrame{}, o);
  const RenderResult b = render_face(default_rig(), with(Blendshape::EyeBlinkLeft, 1), o);
  // The subject's left eye is on the image's right.
  const Point3 left = n.landmarks[473], right = n.landmarks[468];
  auto patch_diff = [&](const Point3& c) {
    double sum = 0;
    int count = 0;
    for (int y = int(c.y) - 4; y <= int(c.y) + 4; ++y)
      for (int x = int(c.x) - 6; x <= int(c.x) + 6; ++x, ++count)
        for (int ch = 0; ch < 3; ++ch)
          sum += std::abs(int(n.image.pixel(x, y)[ch]) - int(b.image.pixel(x, y)[ch]));
    return sum / (3.0 * count);
  };
  EXPECT_GT(left.x, right.x);
  EXPECT_GT(patch_diff(left), 25) << "the closed lid covers the iris";
  EXPECT_LT(patch_diff(right), 0.5);
}

TEST(Render, HeadPoseFollowsTheLandmarkerConvention) {
  FaceFrame f;
  f.head.yaw = 0.5f;  // toward the image's right
  EXPECT_GT(render_face(default_rig(), f, small()).landmarks[4].x, 104);
  f.head.yaw = 0;
  f.head.pitch = 0.4f;  // chin up: the nose tip (in front of the pivot) rises in the image
  const RenderResult up = render_face(default_rig(), f, small());
  const RenderResult level = render_face(default_rig(), FaceFrame{}, small());
  EXPECT_LT(up.landmarks[4].y, level.landmarks[4].y - 3);
  f.head.pitch = 0;
  f.head.roll = 0.3f;  // clockwise in the image: the subject's left eye (image right) goes down
  const RenderResult rolled = render_face(default_rig(), f, small());
  EXPECT_GT(rolled.landmarks[263].y, rolled.landmarks[33].y + 5);
}

// Near-white pixels (teeth, not skin or lips) in the box [x0, x1) x [y0, y1).
int whitish(const Image& im, double x0, double x1, double y0, double y1) {
  int n = 0;
  for (int y = std::max(0, int(y0)); y < std::min(im.height, int(y1)); ++y)
    for (int x = std::max(0, int(x0)); x < std::min(im.width, int(x1)); ++x) {
      const auto* p = im.pixel(x, y);
      const int lo = std::min({p[0], p[1], p[2]}), hi = std::max({p[0], p[1], p[2]});
      n += lo >= 190 && hi - lo <= 40;
    }
  return n;
}

TEST(Render, NothingInsideTheMouthShowsThroughTheChin) {
  // Lips rolled in, pressed shut, or closed over a dropped jaw: the skin below the lower lip
  // stays in front of the teeth and tongue (each once showed through it). An open jaw, the
  // control, shows its teeth in the opening.
  RenderOptions o;
  o.width = o.height = 384;
  auto frame = [](std::initializer_list<std::pair<Blendshape, float>> w) {
    FaceFrame f;
    for (auto [s, v] : w) f.coefficients.set(s, v);
    return f;
  };
  using B = Blendshape;
  for (const FaceFrame& f :
       {frame({{B::MouthRollLower, 1}}), frame({{B::JawOpen, 1}, {B::MouthClose, 1}}),
        frame({{B::JawOpen, 0.05f},
               {B::MouthClose, 0.05f},
               {B::MouthRollLower, 0.6f},
               {B::MouthRollUpper, 0.6f},
               {B::MouthPressLeft, 0.3f},
               {B::MouthPressRight, 0.3f}})}) {
    for (float yaw : {0.0f, 0.6f}) {  // frontal and 34 degrees
      FaceFrame turned = f;
      turned.head.yaw = yaw;
      const RenderResult r = render_face(default_rig(), turned, o);
      const auto& lm = r.landmarks;
      EXPECT_EQ(whitish(r.image, lm[61].x, lm[291].x, lm[17].y, lm[152].y), 0) << "yaw " << yaw;
    }
  }
  const RenderResult open = render_face(default_rig(), frame({{B::JawOpen, 0.3f}}), o);
  EXPECT_GT(whitish(open.image, open.landmarks[61].x, open.landmarks[291].x, open.landmarks[13].y,
                    open.landmarks[14].y),
            20);
}

TEST(Render, RefusesBadOptions) {
  const Rig& rig = default_rig();
  RenderOptions o = small();
  o.width = 0;
  EXPECT_THROW(render_face(rig, {}, o), std::invalid_argument);
  o = small();
  o.supersample = 5;
  EXPECT_THROW(render_face(rig, {}, o), std::invalid_argument);
  o = small();
  o.fov_deg = 0;
  EXPECT_THROW(render_face(rig, {}, o), std::invalid_argument);
  o = small();
  o.distance_cm = 2;  // the nose tip is behind the camera
  EXPECT_THROW(render_face(rig, {}, o), std::invalid_argument);
  o = small();
  o.skin = {1.5f, 0, 0};
  EXPECT_THROW(render_face(rig, {}, o), std::invalid_argument);
  FaceFrame f;
  f.head.yaw = std::nanf("");
  EXPECT_THROW(render_face(rig, f, small()), std::invalid_argument);
  EXPECT_THROW(skin_tone("purple"), std::invalid_argument);
  EXPECT_THROW(skin_tone("#12345g"), std::invalid_argument);
  EXPECT_FLOAT_EQ(skin_tone("#ff0000")[0], 1.0f);
  EXPECT_NO_THROW(skin_tone("dark"));
}

TEST(Render, ContactSheetHasATilePerShape) {
  const Image sheet = render_contact_sheet(default_rig(), 64);
  EXPECT_EQ(sheet.width, 8 * 64);
  EXPECT_GT(sheet.height, 7 * 64);  // 53 tiles in rows of 8, with labels
  EXPECT_THROW(render_contact_sheet(default_rig(), 8), std::invalid_argument);
}

TEST(Render, SideBySideKeepsThePhotoHeight) {
  Image photo;
  photo.width = 100;
  photo.height = 80;
  photo.rgb.assign(100 * 80 * 3, 128);
  const Image r = render_face(default_rig(), FaceFrame{}, small()).image;
  const Image s = side_by_side(photo, r);
  EXPECT_EQ(s.height, 80);
  EXPECT_EQ(s.width, 180);
}

// The rig's own render as a "photo": its projected landmarks are where the face is.
FaceTexture texture_of(const RenderResult& r) {
  FaceLandmarks f;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) f.points[i] = r.landmarks[i];
  return face_texture_from_photo(r.image, f);
}

TEST(Render, APhotoTexturePaintsTheFaceWithThePhoto) {
  RenderOptions o = small();
  o.skin = skin_tone("tan");
  const RenderResult photo = render_face(default_rig(), FaceFrame{}, o);
  const auto tex = std::make_shared<const FaceTexture>(texture_of(photo));
  // The skin colour is the photo's cheeks as lit: the tone it was rendered in, a little brighter.
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(tex->skin[c], o.skin[c] * 1.1, 0.1) << c;
  // No photo on the face oval (hair and background at a photo's border), all of it inside.
  EXPECT_EQ(tex->weight[landmark::kChin], 0.0f);
  EXPECT_EQ(tex->weight[4], 1.0f);  // below the nose tip
  // Re-rendered in the same pose and light, in another skin tone: the face comes back as the
  // photo showed it (the photo's shading divided out and put back), not in the new tone.
  RenderOptions t = small();
  t.skin = skin_tone("light");
  t.face_texture = tex;
  const RenderResult again = render_face(default_rig(), FaceFrame{}, t);
  const RenderResult light = render_face(default_rig(), FaceFrame{}, [&] {
    RenderOptions l = small();
    l.skin = skin_tone("light");
    return l;
  }());
  double same = 0, other = 0;
  int n = 0;
  for (std::uint16_t i : {4, 50, 280, 151, 200, 9, 118, 347}) {
    const int x = int(photo.landmarks[i].x), y = int(photo.landmarks[i].y);
    for (int c = 0; c < 3; ++c) {
      same += std::abs(int(again.image.pixel(x, y)[c]) - int(photo.image.pixel(x, y)[c]));
      other += std::abs(int(light.image.pixel(x, y)[c]) - int(photo.image.pixel(x, y)[c]));
      ++n;
    }
  }
  EXPECT_LT(same / n, 10.0) << "textured re-render vs photo";
  EXPECT_GT(other / n, 3 * same / n) << "the light tone differs from the photo far more";
  // Turned, the textured face is still drawn and deterministic.
  FaceFrame turned;
  turned.head.yaw = 0.5f;
  EXPECT_EQ(render_face(default_rig(), turned, t).image.rgb,
            render_face(default_rig(), turned, t).image.rgb);
}

TEST(Render, AFaceTextureNeedsTheWholeFaceInAPhoto) {
  const RenderResult photo = render_face(default_rig(), FaceFrame{}, small());
  FaceLandmarks f;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) f.points[i] = photo.landmarks[i];
  EXPECT_THROW(face_texture_from_photo(Image{}, f), std::invalid_argument);
  f.points[152].y = 500;  // the chin below the photo
  EXPECT_THROW(face_texture_from_photo(photo.image, f), std::invalid_argument);
  // A texture whose image went missing is refused by the renderer, not read out of bounds.
  RenderOptions o = small();
  o.face_texture = std::make_shared<const FaceTexture>();
  EXPECT_THROW(render_face(default_rig(), FaceFrame{}, o), std::invalid_argument);
}

TEST(RenderCli, WritesAPngAndRefusesBadValues) {
  test::TempDir tmp;
  auto ok = test::run_cli(
      "render -o " + tmp.path("a.png") + " --set jawOpen=0.5,eyeBlinkLeft=1 --size 128 --yaw 20",
      tmp);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  const Image img = read_image(tmp.path("a.png"));
  EXPECT_EQ(img.width, 128);
  auto bad_name = test::run_cli("render -o " + tmp.path("b.png") + " --set jawOpn=0.5", tmp);
  EXPECT_EQ(bad_name.exit_code, 6);
  EXPECT_NE(bad_name.err.find("jawOpn"), std::string::npos);
  auto bad_value = test::run_cli("render -o " + tmp.path("b.png") + " --set jawOpen=nan", tmp);
  EXPECT_EQ(bad_value.exit_code, 6);
  auto bad_size = test::run_cli("render -o " + tmp.path("b.png") + " --size 5", tmp);
  EXPECT_EQ(bad_size.exit_code, 6);
  auto bad_ext = test::run_cli("render -o " + tmp.path("b.jpg"), tmp);
  EXPECT_EQ(bad_ext.exit_code, 6);
  EXPECT_FALSE(std::filesystem::exists(tmp.path("b.png")));
  auto unwritable = test::run_cli("render -o /nonexistent-dir/x.png --size 128", tmp);
  EXPECT_EQ(unwritable.exit_code, 5);
  // Options that would be ignored are refused: a shape set twice (which value?), --stylised
  // without an identity, --tile without a contact sheet, --frame of an MP4 (it plays the take).
  auto twice =
      test::run_cli("render -o " + tmp.path("b.png") + " --set jawOpen=0.5,jawOpen=0.7", tmp);
  EXPECT_EQ(twice.exit_code, 6) << twice.err;
  EXPECT_TRUE(test::contains(twice.err, "jawOpen is given twice")) << twice.err;
  EXPECT_EQ(test::run_cli("render -o " + tmp.path("b.png") + " --stylised", tmp).exit_code, 2);
  EXPECT_EQ(test::run_cli("render -o " + tmp.path("b.png") + " --tile 96", tmp).exit_code, 2);
  test::write_text(tmp.path("t.json"), R"({"jawOpen": 0.5})");
  EXPECT_EQ(
      test::run_cli(
          "render -o " + tmp.path("b.mp4") + " --take " + tmp.path("t.json") + " --frame 1", tmp)
          .exit_code,
      6);
  EXPECT_FALSE(std::filesystem::exists(tmp.path("b.png")));
  EXPECT_FALSE(std::filesystem::exists(tmp.path("b.mp4")));
}

TEST(RenderCli, PaintsTheFaceWithAPhotoOrSaysWhyNot) {
  test::TempDir tmp;
  const std::string photo = test::shared_data("faces/faceapi_neutral.jpg");
  const auto ok = test::run_cli(
      "render -o " + tmp.path("p.png") + " --size 192 --yaw 25 " + "--skin-photo " + test::q(photo),
      tmp);
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  // The painted face differs from the procedural one in the same pose.
  const auto plain = test::run_cli("render -o " + tmp.path("q.png") + " --size 192 --yaw 25", tmp);
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_GT(mean_abs_diff(read_image(tmp.path("p.png")), read_image(tmp.path("q.png"))), 2.0);
  // A photo with no face in it: named, input error, nothing written.
  Image blank;
  blank.width = blank.height = 64;
  blank.rgb.assign(64 * 64 * 3, 200);
  write_png(blank, tmp.path("blank.png"));
  const auto none = test::run_cli(
      "render -o " + tmp.path("n.png") + " --skin-photo " + tmp.path("blank.png"), tmp);
  EXPECT_EQ(none.exit_code, 4) << none.err;
  EXPECT_NE(none.err.find("blank.png"), std::string::npos) << none.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("n.png")));
}

}  // namespace
}  // namespace semblend
