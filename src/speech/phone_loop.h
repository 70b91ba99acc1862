// Internal to src/speech: pocketsphinx's phone loop (allphone search), fed incrementally.
//
// The en-us acoustic model with the phonetic language model en-us-phone.lm.bin
// (`-allphone ... -allphone_ci yes`), pocketsphinx's default beams, -remove_silence no and seeded
// dither (digital silence). One utterance at a time: start(), process() any number of times,
// best() for the current best phone path (the recent end still changes as audio arrives), end()
// for the final path. Frames are pocketsphinx's 10 ms frames counted from start().
// Failure modes: create throws IoError (model missing) or InputError (pocketsphinx refuses it);
// the others throw std::runtime_error when pocketsphinx fails.
// Thread safety: one object per thread; calls are serialized process-wide (sphinx_mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "semblend/speech.h"

namespace semblend::speech {

struct PhoneSegment {
  Phoneme phoneme;  // fillers (+NSN+, +BREATH+ ...) are SIL
  int sf, ef;       // frames, inclusive
};

class PhoneLoop {
 public:
  // model_dir: as AlignerOptions::model_dir ("" = the default folder).
  static PhoneLoop create(const std::string& model_dir);
  PhoneLoop(PhoneLoop&&) noexcept;
  PhoneLoop& operator=(PhoneLoop&&) noexcept;
  ~PhoneLoop();

  void start();
  void process(const std::int16_t* samples, std::size_t n);
  int frames() const;  // frames searched so far in this utterance
  std::vector<PhoneSegment> best() const;
  std::vector<PhoneSegment> end();

 private:
  struct Impl;
  explicit PhoneLoop(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace semblend::speech
