// The five LibriVox utterances in ../shared/data/speech (audio, transcript, and a reference phone
// alignment that is pocketsphinx's own output from a later release), shared by the speech tests.
#pragma once

#include <string>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"
#include "test_util.h"

namespace semblend::test {

struct Utterance {
  Audio audio;
  std::string transcript;
  std::vector<TimedPhoneme> truth;
};

inline Utterance librivox(const char* id) {
  const std::string base =
      std::string("speech/librivox_sense_and_sensibility_01_austen_64kb-") + id;
  const std::string phones = shared_data(base + ".phone.json");
  return {read_audio(shared_data(base + ".wav")), read_text(shared_data(base + ".txt")),
          parse_phone_alignment_json(read_text(phones), phones)};
}

inline constexpr const char* kLibrivoxIds[] = {"0870", "0880", "0890", "0920", "0930"};

}  // namespace semblend::test
