// Coarticulated mouth animation from timed phonemes, and pocketsphinx alignment parsing.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "formats/json_parse.h"
#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/speech.h"

namespace semblend {
namespace {

// The channels speech drives: everything any phoneme targets.
std::vector<Blendshape> speech_channels() {
  std::vector<Blendshape> out;
  for (const PhonemeInfo& p : kPhonemes)
    for (const ArticulatoryTarget& t : p.targets)
      if (t.value > 0 && std::find(out.begin(), out.end(), t.shape) == out.end())
        out.push_back(t.shape);
  // Paired shapes move together: a target on one side is mirrored onto the other.
  for (std::size_t i = 0, n = out.size(); i < n; ++i)
    if (std::find(out.begin(), out.end(), mirror(out[i])) == out.end())
      out.push_back(mirror(out[i]));
  return out;
}

float target_of(const PhonemeInfo& p, Blendshape s) {
  for (const ArticulatoryTarget& t : p.targets)
    if (t.value > 0 && (t.shape == s || mirror(t.shape) == s)) return t.value;
  return 0;
}

// `top`: the utterance, whose "t" is all its words (a phone directly under it belongs to none).
void collect(const nlohmann::json& node, const std::string& word, std::vector<TimedPhoneme>& out,
             const std::string& name, bool top = false) {
  if (!node.is_object() || !node.contains("t") || !node.contains("b") || !node.contains("d"))
    throw InputError(name, 0, 0, "alignment entries need \"t\", \"b\" and \"d\"");
  if (!node["t"].is_string() || !node["b"].is_number() || !node["d"].is_number() ||
      (node.contains("w") && !node["w"].is_array()))
    throw InputError(
        name, 0, 0,
        "an alignment entry's \"t\" is text, its \"b\" and \"d\" numbers (seconds) "
        "and its \"w\" a list: " +
            node.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).substr(0, 120));
  const std::string text = node["t"].get<std::string>();
  if (node.contains("w") && !node["w"].empty()) {
    std::string w = top ? "" : text;
    if (const auto paren = w.find('('); paren != std::string::npos)
      w = w.substr(0, paren);  // was(2)
    if (w == "<sil>" || w == "<s>" || w == "</s>" || (!w.empty() && w.front() == '[') ||
        (!w.empty() && w.front() == '+'))
      w.clear();
    const std::size_t first = out.size();
    for (const auto& child : node["w"]) collect(child, w, out, name);
    if (!w.empty() && out.size() > first) out[first].word_start = true;
    return;
  }
  const double b = node["b"].get<double>(), d = node["d"].get<double>();
  if (!(d >= 0) || !(b >= 0))
    throw InputError(name, 0, 0, "phone \"" + text + "\" has a negative time");
  TimedPhoneme tp;
  tp.start = b;
  tp.end = b + d;
  tp.word = word;
  // Fillers (+NSN+, +BREATH+, <sil>, SIL) are silence for the mouth.
  if (text.empty() || text.front() == '+' || text == "<sil>" || text == "SIL" || text == "sil") {
    tp.phoneme = Phoneme::SIL;
  } else if (auto p = phoneme_from_arpabet(text)) {
    tp.phoneme = *p;
  } else {
    throw InputError(name, 0, 0, "unknown phone \"" + text + "\" (expected ARPAbet)");
  }
  out.push_back(tp);
}

}  // namespace

std::vector<TimedPhoneme> parse_phone_alignment_json(std::string_view text,
                                                     const std::string& name) {
  const nlohmann::json j = formats::parse_json_strict<nlohmann::json>(text, name);
  std::vector<TimedPhoneme> out;
  collect(j, "", out, name, true);
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].start < out[i - 1].end - 0.011)  // pocketsphinx frames are 10 ms
      throw InputError(
          name, 0, 0,
          "phones overlap or are out of order at " + std::to_string(out[i].start) + " s");
  if (out.empty()) throw InputError(name, 0, 0, "the alignment holds no phones");
  return out;
}

std::string encode_phone_alignment_json(const std::vector<TimedPhoneme>& phonemes) {
  for (std::size_t i = 0; i < phonemes.size(); ++i)
    if (!(phonemes[i].end >= phonemes[i].start) || !(phonemes[i].start >= 0) ||
        (i > 0 && phonemes[i].start < phonemes[i - 1].end - 1e-9))
      throw std::invalid_argument("encode_phone_alignment_json: phones out of order at " +
                                  std::to_string(i));
  auto entry = [](std::string& out, double b, double e, const std::string& text) {
    out += "{\"b\":";
    formats::append_fixed(out, b, 4);
    out += ",\"d\":";
    formats::append_fixed(out, std::max(0.0, e - b), 4);
    out += ",\"t\":" +
           nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  std::string words, body;
  for (std::size_t i = 0; i < phonemes.size();) {
    // One word: the run of phones it holds (silence: each phone an entry of its own).
    const std::string& word = phonemes[i].word;
    if (word.empty() && phonemes[i].phoneme != Phoneme::SIL) {
      // A phone of no word (the phone recogniser's, or another language's): a leaf of its own,
      // as pocketsphinx's phone loop writes it.
      body += body.empty() ? "\n  " : ",\n  ";
      entry(body, phonemes[i].start, phonemes[i].end,
            std::string(info(phonemes[i].phoneme).arpabet));
      body += '}';
      ++i;
      continue;
    }
    // A pause inside a word ("five <pause> oh five" for "5:05") is the word's: its phones hold it.
    const bool silence = word.empty();
    std::size_t j = i + 1;
    while (!silence && j < phonemes.size() && phonemes[j].word == word && !phonemes[j].word_start)
      ++j;
    if (!silence) words += (words.empty() ? "" : " ") + word;
    body += body.empty() ? "\n  " : ",\n  ";
    entry(body, phonemes[i].start, phonemes[j - 1].end, silence ? "<sil>" : word);
    body += ",\"w\":[";
    for (std::size_t k = i; k < j; ++k) {
      if (k > i) body += ',';
      entry(body, phonemes[k].start, phonemes[k].end,
            std::string(info(phonemes[k].phoneme).arpabet));
      body += '}';
    }
    body += "]}";
    i = j;
  }
  std::string out;
  entry(out, phonemes.empty() ? 0 : phonemes.front().start,
        phonemes.empty() ? 0 : phonemes.back().end, words);
  out += ",\"w\":[" + body + "\n]}\n";
  return out;
}

LipClass lip_class_at(const std::vector<TimedPhoneme>& phonemes, double t) {
  for (const TimedPhoneme& p : phonemes)
    if (t >= p.start && t < p.end) return info(p.phoneme).lip;
  return LipClass::SIL;
}

LipClass lip_class_of(const Coefficients& c) {
  using B = Blendshape;
  const float press = std::max(c[B::MouthPressLeft], c[B::MouthPressRight]);
  const float round = c[B::MouthPucker] + c[B::MouthFunnel];
  const float stretch = std::max(c[B::MouthStretchLeft], c[B::MouthStretchRight]);
  const float rolled = std::min(c[B::MouthRollLower], c[B::MouthRollUpper]);  // both lips
  if (press >= 0.12f && rolled >= 0.3f && c[B::JawOpen] <= 0.1f) return LipClass::BMP;
  // F and V tuck the lower lip alone; both lips rolled are a bilabial closure coming or going.
  if (c[B::MouthRollLower] >= 0.18f && c[B::MouthRollUpper] < 0.5f * c[B::MouthRollLower])
    return LipClass::FV;
  if (round >= 0.25f && c[B::MouthShrugUpper] >= 0.1f) return LipClass::SH;
  if (round >= 0.25f) return LipClass::RND;
  if (c[B::JawOpen] >= 0.3f) return LipClass::OPEN;
  if (stretch >= 0.17f) return LipClass::SPRD;
  if (c[B::JawOpen] >= 0.1f || c[B::TongueOut] >= 0.05f) return LipClass::CONS;
  return LipClass::SIL;
}

double lip_class_accuracy(const Take& take, const std::vector<TimedPhoneme>& phonemes) {
  if (take.frames.empty() || phonemes.empty()) return 0;
  std::size_t right = 0;
  for (const FaceFrame& f : take.frames)
    right +=
        lip_class_of(f.coefficients) == lip_class_at(phonemes, phonemes.front().start + f.time);
  return static_cast<double>(right) / static_cast<double>(take.frames.size());
}

Take animate_phonemes(const std::vector<TimedPhoneme>& phonemes,
                      const ArticulationOptions& options) {
  if (!(options.fps > 0) || options.fps > 1000)
    throw std::invalid_argument("speech frame rate must be in (0, 1000]");
  Take take;
  take.fps = options.fps;
  take.metadata["source"] = "semblend speech";
  if (phonemes.empty()) return take;
  const std::vector<Blendshape> channels = speech_channels();
  const double t0 = phonemes.front().start, t1 = phonemes.back().end;
  const auto frames = static_cast<std::size_t>(std::floor((t1 - t0) * options.fps)) + 1;
  std::size_t first = 0;  // the first phoneme that can still matter (moves forward)
  for (std::size_t k = 0; k < frames; ++k) {
    const double t = t0 + static_cast<double>(k) / options.fps;
    FaceFrame f;
    f.time = t - t0;
    if (!options.coarticulation) {
      const Phoneme p = [&] {
        for (const TimedPhoneme& tp : phonemes)
          if (t >= tp.start && t < tp.end) return tp.phoneme;
        return Phoneme::SIL;
      }();
      for (Blendshape s : channels) f.coefficients.set(s, target_of(info(p), s));
      take.frames.push_back(f);
      continue;
    }
    // Dominance-weighted blend of every phoneme within reach (dominance below 1e-4 ignored).
    while (first < phonemes.size() && phonemes[first].end < t - 0.5) ++first;
    double weight = 0;
    std::vector<double> sum(channels.size(), 0.0);
    for (std::size_t i = first; i < phonemes.size() && phonemes[i].start < t + 0.5; ++i) {
      const PhonemeInfo& p = info(phonemes[i].phoneme);
      const double centre = (phonemes[i].start + phonemes[i].end) / 2;
      const double half = (phonemes[i].end - phonemes[i].start) / 2;
      const double distance = std::max(0.0, std::abs(t - centre) - half * 0.5);  // flat top
      const double d = p.dominance * std::exp(-p.rate * distance);
      weight += d;
      for (std::size_t c = 0; c < channels.size(); ++c) sum[c] += d * target_of(p, channels[c]);
    }
    for (std::size_t c = 0; c < channels.size(); ++c)
      f.coefficients.set(channels[c], weight > 0 ? static_cast<float>(sum[c] / weight) : 0.0f);
    take.frames.push_back(f);
  }
  // Bilabials close the lips fully in the middle of their segment, whatever their neighbours: the
  // jaw comes up to the phoneme's own target, the lips press and roll together, and mouthClose
  // ("lips together while the jaw is open") cancels the jaw's remaining opening (the one closure a
  // viewer must see). The closure holds over the segment and eases in and out linearly over 45 ms
  // around it (a cosine ease moved the lip rolls by over 0.25 a frame).
  constexpr double kEase = 0.045;
  for (const TimedPhoneme& tp : phonemes) {
    if (info(tp.phoneme).lip != LipClass::BMP) continue;
    const PhonemeInfo& p = info(tp.phoneme);
    const double centre = (tp.start + tp.end) / 2, half = std::max(0.02, (tp.end - tp.start) / 2);
    for (FaceFrame& f : take.frames) {
      const double outside = std::abs(f.time + t0 - centre) - half;
      if (outside >= kEase) continue;
      const double w = outside <= 0 ? 1.0 : 1.0 - outside / kEase;
      auto pull = [&](Blendshape s, float target) {
        const float v = f.coefficients[s];
        f.coefficients.set(s, static_cast<float>(v + w * (target - v)));
      };
      for (const ArticulatoryTarget& target : p.targets)
        if (target.value > 0) {
          pull(target.shape, target.value);
          if (mirror(target.shape) != target.shape) pull(mirror(target.shape), target.value);
        }
      // Lips cannot be open while closed: release the shapes that part or shape them.
      for (Blendshape s :
           {Blendshape::MouthFunnel, Blendshape::MouthPucker, Blendshape::MouthLowerDownLeft,
            Blendshape::MouthLowerDownRight, Blendshape::MouthUpperUpLeft,
            Blendshape::MouthUpperUpRight, Blendshape::TongueOut})
        pull(s, 0.0f);
      pull(Blendshape::MouthClose, f.coefficients[Blendshape::JawOpen]);
    }
  }
  return take;
}

}  // namespace semblend
