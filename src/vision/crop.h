// Internal: rotated square regions of interest and the crops the models read.
#pragma once

#include <span>

#include "semblend/image.h"

namespace semblend::vision {

// A square of side `size` pixels centred at (cx, cy), rotated by `angle` radians (the crop's
// x-axis points along (cos angle, sin angle) in the image, y down).
struct Roi {
  float cx = 0, cy = 0, size = 0, angle = 0;
  bool flip = false;  // mirror the crop horizontally (the iris model reads a mirrored left eye)

  // Crop pixel (u, v) in [0, n] -> image pixel.
  void to_image(float u, float v, int n, float& x, float& y) const;
};

// Samples `roi` into an n×n×3 float tensor (bilinear; outside the image reads as 0), scaled as
// value * scale + offset ([0, 1]: 1/255, 0; [-1, 1]: 2/255, -1).
void crop_to_tensor(const Image& image, const Roi& roi, int n, float scale, float offset,
                    std::span<float> out);

}  // namespace semblend::vision
