// face_pipeline.h: the library's image and video pipeline (what `semblend image` and `semblend
// video` run; their CLI tests check the same pipeline end to end on real and rendered video).
#include "semblend/face_pipeline.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "semblend/error.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/video.h"
#include "test_util.h"

namespace semblend {
namespace {

Image rig_frame(float jaw_open, int size = 256) {
  FaceFrame f;
  f.coefficients.set(Blendshape::JawOpen, jaw_open);
  RenderOptions o;
  o.width = o.height = size;
  return render_face(default_rig(), f, o).image;
}

Image grey(int size) {
  Image g;
  g.width = g.height = size;
  g.rgb.assign(std::size_t(size) * std::size_t(size) * 3, 128);
  return g;
}

const Solver& shipped_solver() {
  static const Solver solver = Solver::load_default();
  return solver;
}

TEST(FacePipeline, WithoutASetupAFaceIsTheSolversReading) {
  const Image image = rig_frame(0.6f);
  FaceLandmarker landmarker = FaceLandmarker::create();
  const std::vector<FaceLandmarks> faces = landmarker.detect(image);
  ASSERT_EQ(faces.size(), 1u);
  const SolverResult direct = shipped_solver().solve(faces[0].points);
  const SolverResult piped = solve_face(shipped_solver(), image, faces[0]);
  EXPECT_EQ(piped.coefficients.values(), direct.coefficients.values());
  EXPECT_GT(piped.coefficients[Blendshape::JawOpen], 0.3f);

  const FaceFrame frame = solved_frame(faces[0], piped, 1.5);
  EXPECT_EQ(frame.time, 1.5);
  EXPECT_EQ(frame.head.yaw, faces[0].head.yaw);
  EXPECT_EQ(frame.left_eye.yaw, faces[0].left_eye.yaw);
  EXPECT_GT(frame.confidence, 0.5f);
  EXPECT_LE(frame.confidence, 1.0f);
}

TEST(FacePipeline, AVideoHoldsTheLastEstimateWhereTheFaceIsGone) {
  test::TempDir tmp;
  const std::string path = tmp.path("clip.mp4");
  {
    VideoWriter w(path, 256, 256, 10);
    for (int i = 0; i < 4; ++i) w.write(rig_frame(0.6f));
    for (int i = 0; i < 2; ++i) w.write(grey(256));
    w.close();
  }
  VideoReader reader = VideoReader::open(path);
  FaceLandmarker landmarker = FaceLandmarker::create(video_landmarker_options({}));
  VideoSolveOptions o;
  int sunk = 0;
  const SolvedVideo v =
      solve_video(reader, landmarker, shipped_solver(), o, "clip.mp4",
                  [&](Image&&, std::vector<FaceLandmarks>&&, const FaceFrame&) { ++sunk; });
  EXPECT_EQ(v.frames, 6);
  EXPECT_EQ(sunk, 6);
  ASSERT_EQ(v.faces.size(), 1u);
  const Take& take = v.faces[0].take;
  ASSERT_EQ(take.frames.size(), 6u);
  EXPECT_EQ(v.faces[0].frames_with_face, 4);
  EXPECT_GT(take.frames[3].confidence, 0.5f);
  EXPECT_GT(take.frames[3].coefficients[Blendshape::JawOpen], 0.3f);
  for (int i : {4, 5}) {
    EXPECT_EQ(take.frames[i].confidence, 0.0f) << i;
    EXPECT_EQ(take.frames[i].coefficients.values(), take.frames[3].coefficients.values()) << i;
    EXPECT_GT(take.frames[i].time, take.frames[i - 1].time) << i;
  }
  EXPECT_EQ(take.metadata.at("source"), "clip.mp4");
  EXPECT_EQ(take.metadata.at("frames_without_face"), "2");
  EXPECT_EQ(take.metadata.at("smoothing"), "one-euro");
  EXPECT_EQ(take.metadata.at("appearance"), "off");
}

TEST(FacePipeline, AVideoWithoutAFaceIsAnErrorNamingIt) {
  test::TempDir tmp;
  const std::string path = tmp.path("grey.mp4");
  test::write_grey_video(path, 128, 128, 10, 3);
  VideoReader reader = VideoReader::open(path);
  FaceLandmarker landmarker = FaceLandmarker::create();
  try {
    solve_video(reader, landmarker, shipped_solver(), {}, "grey.mp4");
    FAIL() << "solved a video without a face";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "grey.mp4");
    EXPECT_TRUE(test::contains(e.what(), "no face found in any of its 3 frames")) << e.what();
  }
  VideoSolveOptions negative;
  negative.face = -1;
  EXPECT_THROW(solve_video(reader, landmarker, shipped_solver(), negative, "grey.mp4"),
               std::invalid_argument);
}

}  // namespace
}  // namespace semblend
