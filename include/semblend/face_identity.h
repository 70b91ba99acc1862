// semblend/face_identity.h — stable identities for the faces of a video: the faces found in each
// frame -> one id per face that stays with the same person from frame to frame.
//
// Input: per frame, each face's box (face_box: the bounding box of its landmarks, image pixels).
// Output: per face an id. The first frame's faces get 0, 1, ... in the order given (the landmarker
// returns them largest first); a face that continues a track keeps its id; any other face gets the
// next unused id. Ids are never reused, so an id always names one person (or a new one).
// Association: each live track predicts its box (last centre + its velocity × frames since it was
// seen); the cost of a face for a track is the distance of their centres in units of the track's
// box size plus |log| of their size ratio; pairs are taken greedily, cheapest first (optimal for
// faces that do not overlap, and near enough otherwise), when the cost is below `max_cost`. A track
// not seen for more than `max_missed` frames expires.
// Failure modes: none; boxes with a non-positive size get new ids and never match.
// Thread safety: one tracker per video; plain state, no globals.
#pragma once

#include <vector>

#include "semblend/landmarker.h"

namespace semblend {

struct FaceBox {
  float x = 0, y = 0, width = 0, height = 0;  // pixels: top-left corner and size
};

// The bounding box of a face's landmarks (x, y).
FaceBox face_box(const FaceLandmarks& face);

struct FaceIdentityOptions {
  float max_cost = 0.6f;  // centre distance in box sizes + |log size ratio|
  int max_missed = 15;    // frames a track lives unseen before it expires
};

class FaceIdentityTracker {
 public:
  explicit FaceIdentityTracker(const FaceIdentityOptions& options = {});

  // This frame's ids, one per box, in the order of `boxes`; two boxes never share an id.
  std::vector<int> assign(const std::vector<FaceBox>& boxes);
  int ids_issued() const { return next_id_; }  // ids so far are 0 .. ids_issued() - 1

 private:
  struct Track {
    int id = 0;
    FaceBox box;
    float vx = 0, vy = 0;  // centre velocity, pixels per frame
    int missed = 0;        // frames since last seen
  };
  FaceIdentityOptions options_;
  std::vector<Track> tracks_;
  int next_id_ = 0;
};

}  // namespace semblend
