// semblend/rubric.h — what must hold for a photo's estimate: a rubric of checks over the 52
// coefficients, stated per photo in a JSON file (data/eval/face_rubric.json), so that "the solver
// reads real photos right" is a number (`semblend eval faces`), not an impression.
//
// A check is one line of a small language:
//     mouthSmileLeft >= 0.4                  one shape
//     each(mouthSmileLeft, mouthSmileRight) >= 0.4   every listed shape
//     max(eyeBlinkLeft, eyeSquintLeft) >= 0.4        the largest of the listed shapes
//     mean(browDownLeft, browDownRight) >= 0.3       their mean
//     all <= 0.2                             every one of the 52
//     all except(mouthSmileLeft, mouthSmileRight) <= 0.3
// with >= or <= and a threshold in [0, 1]. Shape names are Apple's spelling (blendshape.h).
// The file: {"photos": [{"file": "faces/x.jpg", "expression": "happy", "note": "...",
//                        "checks": ["...", ...]}, ...]}; file paths are relative to the data
// directory the evaluation is given.
//
// Failure modes: InputError naming the file and the photo for malformed JSON, an unknown shape,
// a bad operator or threshold. Thread safety: value types and pure functions.
#pragma once

#include <string>
#include <vector>

#include "semblend/take.h"

namespace semblend {

struct RubricCheck {
  enum class Aggregate { Each, Max, Mean };
  std::string text;  // as written
  Aggregate aggregate = Aggregate::Each;
  std::vector<std::size_t> shapes;  // blendshape indices (all 52 for "all")
  bool at_least = true;             // >= (else <=)
  float threshold = 0;
};

struct RubricPhoto {
  std::string file;        // relative to the data directory
  std::string expression;  // what the photo shows, in words
  std::string note;
  std::vector<RubricCheck> checks;
};

struct Rubric {
  std::vector<RubricPhoto> photos;
};

RubricCheck parse_rubric_check(const std::string& text);  // throws std::invalid_argument
Rubric parse_rubric(const std::string& json_text, const std::string& name);

struct RubricOutcome {
  std::string text;
  bool pass = false;
  float value = 0;    // the aggregate (Each: the value closest to failing)
  std::string shape;  // Each: the shape that decided the value
};
RubricOutcome evaluate_check(const RubricCheck& check, const Coefficients& c);

}  // namespace semblend
