// The correction artefact (prefs_learn.h): applying it, and its JSON form.
//
// {"format": "semblend.prefs_correction", "version": 1, "kind": "prefs", "notes": "...",
//  "shapes": {"jawOpen": {"gain": 0.91, "offset": -0.04}, ...},   (only shapes it changes)
//  "cross": [{"target": "cheekSquintLeft", "source": "mouthSmileLeft", "weight": 0.2}, ...]}
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "formats/json_util.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/prefs_learn.h"

namespace semblend::prefs {

using formats::json;
using formats::JsonPlace;

bool Correction::is_identity() const {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (gain[k] != 1.0f || offset[k] != 0.0f) return false;
  return std::all_of(cross.begin(), cross.end(), [](const CrossTerm& x) { return x.weight == 0; });
}

Coefficients Correction::apply(const Coefficients& base) const {
  std::array<float, kBlendshapeCount> v{};
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) v[k] = gain[k] * base.at(k) + offset[k];
  for (const CrossTerm& x : cross) v[x.target] += x.weight * base.at(x.source);
  Coefficients out;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) out.set_at(k, std::clamp(v[k], 0.0f, 1.0f));
  // Lips cannot meet while the jaw is closed further than they are (as the candidates keep it).
  if (out[Blendshape::MouthClose] > out[Blendshape::JawOpen])
    out.set(Blendshape::MouthClose, out[Blendshape::JawOpen]);
  return out;
}

std::string correction_json(const Correction& c) {
  json shapes = json::object();
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    if (c.gain[k] == 1.0f && c.offset[k] == 0.0f) continue;
    shapes[std::string(info(blendshape_at(k)).apple_name)] = {
        {"gain", formats::float_number(c.gain[k])}, {"offset", formats::float_number(c.offset[k])}};
  }
  json cross = json::array();
  for (const CrossTerm& x : c.cross)
    cross.push_back({{"target", info(blendshape_at(x.target)).apple_name},
                     {"source", info(blendshape_at(x.source)).apple_name},
                     {"weight", formats::float_number(x.weight)}});
  const json j = {{"format", "semblend.prefs_correction"},
                  {"version", kCorrectionFormatVersion},
                  {"kind", c.kind},
                  {"notes", c.notes},
                  {"shapes", shapes},
                  {"cross", cross}};
  return j.dump(1) + "\n";
}

namespace {

std::size_t shape_index(const json& v, const JsonPlace& place) {
  const std::string name = formats::get_string(v, place);
  const std::optional<Blendshape> s = blendshape_from_name(name);
  if (!s) place.fail("unknown blendshape \"" + name + "\"");
  return static_cast<std::size_t>(*s);
}

float finite(const json& v, const JsonPlace& place, double lo, double hi) {
  const double x = formats::get_number(v, place);
  if (!std::isfinite(x) || x < lo || x > hi)
    place.fail("value " + std::to_string(x) + " outside [" + std::to_string(lo) + ", " +
               std::to_string(hi) + "]");
  return float(x);
}

}  // namespace

Correction parse_correction_json(std::string_view text, const std::string& name) {
  const json j = formats::parse_json(text, name);
  const JsonPlace root(name);
  if (!j.is_object()) root.fail("expected a JSON object (a semblend.prefs_correction)");
  if (!j.contains("format") || j["format"] != "semblend.prefs_correction")
    root.at("format").fail("not a semblend.prefs_correction file");
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() != kCorrectionFormatVersion)
    root.at("version").fail("unsupported version (this semblend reads version " +
                            std::to_string(kCorrectionFormatVersion) + ")");
  Correction c;
  if (j.contains("kind")) c.kind = formats::get_string(j["kind"], root.at("kind"));
  if (c.kind != "prefs" && c.kind != "calibration")
    root.at("kind").fail("kind must be \"prefs\" or \"calibration\"");
  if (j.contains("notes")) c.notes = formats::get_string(j["notes"], root.at("notes"));
  if (j.contains("shapes")) {
    const JsonPlace sp = root.at("shapes");
    if (!j["shapes"].is_object()) sp.fail("expected an object of shapes");
    for (const auto& [key, value] : j["shapes"].items()) {
      const JsonPlace p = sp.at(key);
      const std::size_t k = shape_index(json(key), p);
      if (!value.is_object() || !value.contains("gain") || !value.contains("offset"))
        p.fail("expected {\"gain\": G, \"offset\": O}");
      c.gain[k] = finite(value["gain"], p.at("gain"), -10, 10);
      c.offset[k] = finite(value["offset"], p.at("offset"), -2, 2);
    }
  }
  if (j.contains("cross")) {
    const JsonPlace cp = root.at("cross");
    if (!j["cross"].is_array()) cp.fail("expected an array of cross terms");
    for (std::size_t i = 0; i < j["cross"].size(); ++i) {
      const json& x = j["cross"][i];
      const JsonPlace p = cp.at(i);
      if (!x.is_object() || !x.contains("target") || !x.contains("source") || !x.contains("weight"))
        p.fail("expected {\"target\", \"source\", \"weight\"}");
      c.cross.push_back({std::uint8_t(shape_index(x["target"], p.at("target"))),
                         std::uint8_t(shape_index(x["source"], p.at("source"))),
                         finite(x["weight"], p.at("weight"), -10, 10)});
    }
  }
  return c;
}

Correction read_correction(const std::string& path) {
  return parse_correction_json(read_file(path), path);
}

}  // namespace semblend::prefs
