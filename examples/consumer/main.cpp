// semblend_consumer: the installed library end to end, with nothing but its public headers. It
// draws the face rig at rest and with an open jaw, finds the face in each drawing with the
// landmarker, reads it with the shipped solver, and says where each model came from. With image
// paths as arguments it reads those instead.
#include <semblend/semblend.h>

#include <cstdio>
#include <exception>
#include <string>
#include <utility>
#include <vector>

int main(int argc, char** argv) {
  try {
    std::vector<std::pair<std::string, semblend::Image>> images;
    for (int i = 1; i < argc; ++i) images.emplace_back(argv[i], semblend::read_image(argv[i]));
    if (images.empty()) {
      semblend::RenderOptions options;
      options.width = options.height = 384;
      semblend::FaceFrame frame;
      images.emplace_back("rest",
                          semblend::render_face(semblend::default_rig(), frame, options).image);
      frame.coefficients.set(semblend::Blendshape::JawOpen, 0.7f);
      images.emplace_back("open",
                          semblend::render_face(semblend::default_rig(), frame, options).image);
    }
    std::printf("semblend %s\n", semblend::version());
    for (const semblend::ResourceReport& report : semblend::check_resources())
      std::printf("%s: %s %s %s\n", report.name.c_str(),
                  semblend::resource_origin_name(report.location.origin),
                  report.location.path.c_str(), report.ok() ? "ok" : "BROKEN");

    semblend::FaceLandmarker landmarker = semblend::FaceLandmarker::create();
    const semblend::Solver solver = semblend::Solver::load_default();
    for (const auto& [name, image] : images) {
      const std::vector<semblend::FaceLandmarks> faces = landmarker.detect(image);
      if (faces.empty()) {
        std::printf("%s: no face\n", name.c_str());
        continue;
      }
      const semblend::SolverResult r = solver.solve(faces.front().points);
      std::printf("%s: jawOpen %.3f: %s\n", name.c_str(),
                  r.coefficients[semblend::Blendshape::JawOpen],
                  semblend::sentence(semblend::describe(r.coefficients)).c_str());
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "semblend_consumer: %s\n", e.what());
    return 1;
  }
}
