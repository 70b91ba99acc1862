#include <cmath>
#include <nlohmann/json.hpp>

#include "semblend/landmarker.h"

namespace semblend {
namespace {

using json = nlohmann::ordered_json;

double r3(float v) {
  return std::round(double(v) * 1000) / 1000 + 0.0;
}
double r5(float v) {
  return std::round(double(v) * 100000) / 100000 + 0.0;
}

json angles(float yaw, float pitch, float roll) {
  return json{{"yaw", r5(yaw)}, {"pitch", r5(pitch)}, {"roll", r5(roll)}};
}

}  // namespace

std::string landmarks_json(const std::vector<FaceLandmarks>& faces, const std::string& source,
                           int width, int height, double time) {
  json j;
  j["format"] = "semblend.landmarks";
  j["version"] = 1;
  if (time >= 0) j["time"] = std::round(time * 1e6) / 1e6;
  j["source"] = source;
  j["width"] = width;
  j["height"] = height;
  json list = json::array();
  for (const FaceLandmarks& f : faces) {
    json face;
    face["detection_score"] = r5(f.detection_score);
    face["presence"] = r5(f.presence);
    face["box"] = {r3(f.box[0]), r3(f.box[1]), r3(f.box[2]), r3(f.box[3])};
    json head = angles(f.head.yaw, f.head.pitch, f.head.roll);
    if (f.head.translation)
      head["translation"] = {r5(f.head.translation->x), r5(f.head.translation->y),
                             r5(f.head.translation->z)};
    face["head"] = head;
    face["left_eye"] = angles(f.left_eye.yaw, f.left_eye.pitch, f.left_eye.roll);
    face["right_eye"] = angles(f.right_eye.yaw, f.right_eye.pitch, f.right_eye.roll);
    json t = json::array();
    for (float v : f.transform) t.push_back(r5(v));
    face["transform"] = t;
    json pts = json::array();
    for (const Point3& p : f.points) pts.push_back({r3(p.x), r3(p.y), r3(p.z)});
    face["landmarks"] = pts;
    list.push_back(face);
  }
  j["faces"] = list;
  return j.dump();
}

}  // namespace semblend
