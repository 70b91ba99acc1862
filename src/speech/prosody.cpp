// Prosody (loudness, YIN pitch), and what it does to the face: mouth amplitude, brows; blinks and
// gaze. See include/semblend/prosody.h and docs/speech.md for the method and the literature.
#include "semblend/prosody.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>

namespace semblend {
namespace {

constexpr double kPiD = 3.14159265358979323846;

// Random numbers with our own arithmetic on top of mt19937_64 (whose output the standard fixes),
// because std:: distributions differ between standard libraries.
class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }  // [0, 1)
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  // Gamma with an integer shape: a sum of `shape` exponentials; mean = shape * scale.
  double gamma(int shape, double scale) {
    double sum = 0;
    for (int i = 0; i < shape; ++i) sum += exponential(scale);
    return sum;
  }
  double normal() {  // Box-Muller, one value per call
    const double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPiD * u2);
  }

 private:
  std::mt19937_64 engine_;
};

float level_db(double mean_square) {
  return static_cast<float>(10.0 * std::log10(std::max(mean_square, 1e-12)));
}

// Linear interpolation in a 100 Hz track at time t (clamped at the ends).
float sample_track(const std::vector<float>& track, double t) {
  if (track.empty()) return 0;
  const double x = std::clamp(t * ProsodyTrack::kFrameRate, 0.0, double(track.size() - 1));
  const auto i = static_cast<std::size_t>(x);
  const std::size_t j = std::min(i + 1, track.size() - 1);
  const double w = x - double(i);
  return static_cast<float>(track[i] * (1 - w) + track[j] * w);
}

bool speaking_at(const std::vector<TimedPhoneme>& phonemes, double t) {
  const auto it = std::upper_bound(phonemes.begin(), phonemes.end(), t,
                                   [](double v, const TimedPhoneme& p) { return v < p.start; });
  if (it == phonemes.begin()) return false;
  const TimedPhoneme& p = *std::prev(it);
  return t < p.end && p.phoneme != Phoneme::SIL;
}

double smoothstep(double x) {
  x = std::clamp(x, 0.0, 1.0);
  return x * x * (3 - 2 * x);
}

// A brow accent peaking at 0: rises over 150 ms, relaxes over 350 ms (raised cosines).
double accent_shape(double dt) {
  if (dt <= -0.15 || dt >= 0.35) return 0;
  const double x = dt < 0 ? -dt / 0.15 : dt / 0.35;
  return 0.5 + 0.5 * std::cos(kPiD * x);
}

void check_options(const ProsodyOptions& o) {
  auto need = [](bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(std::string("prosody option out of range: ") + what);
  };
  const PitchOptions& p = o.pitch;
  need(p.min_hz >= 20 && p.max_hz <= 2000 && p.min_hz < p.max_hz, "pitch range (20..2000 Hz)");
  need(p.window_seconds >= 0.01 && p.window_seconds <= 0.1, "window_seconds in [0.01, 0.1]");
  need(p.yin_threshold > 0 && p.yin_threshold < 1, "yin_threshold in (0, 1)");
  need(p.voicing_threshold > 0 && p.voicing_threshold <= 1, "voicing_threshold in (0, 1]");
  need(std::isfinite(p.voicing_floor_db) && p.voicing_floor_db <= 0, "voicing_floor_db <= 0");
  need(std::isfinite(o.gain_per_db) && std::isfinite(o.gain_per_semitone), "gains finite");
  need(o.min_gain > 0 && o.min_gain <= 1 && o.max_gain >= 1 && o.max_gain <= 3,
       "min_gain in (0, 1], max_gain in [1, 3]");
  need(o.brow_raise >= 0 && o.brow_raise <= 1, "brow_raise in [0, 1]");
  need(o.blinks_per_minute_rest > 0 && o.blinks_per_minute_rest <= 120 &&
           o.blinks_per_minute_speaking > 0 && o.blinks_per_minute_speaking <= 120,
       "blinks per minute in (0, 120]");
  need(o.blink_min_seconds >= 0.03 && o.blink_min_seconds <= o.blink_max_seconds &&
           o.blink_max_seconds <= 1,
       "blink duration 0.03 <= min <= max <= 1 s");
}

void check_pitch(const PitchOptions& p) {
  ProsodyOptions o;
  o.pitch = p;
  check_options(o);
}

// --- Mouth amplitude and brows ---------------------------------------------------------------

// Per 100 Hz frame: the smooth amplitude gain from relative loudness and pitch.
std::vector<float> amplitude_gain(const ProsodyTrack& track, const ProsodyOptions& o) {
  const std::size_t n = track.f0_hz.size();
  std::vector<float> raw(n, 1.0f), out(n, 1.0f);
  for (std::size_t i = 0; i < n; ++i) {
    const double loud = std::clamp(double(track.loudness_db[i]), -6.0, 6.0);
    double semis = 0;
    if (track.f0_hz[i] > 0 && track.median_f0_hz > 0)
      semis = std::clamp(12.0 * std::log2(track.f0_hz[i] / track.median_f0_hz), -6.0, 8.0);
    raw[i] = static_cast<float>(std::clamp(1.0 + o.gain_per_db * loud + o.gain_per_semitone * semis,
                                           double(o.min_gain), double(o.max_gain)));
  }
  constexpr int kHalf = 5;  // ±50 ms moving average: no jitter from frame-level pitch/loudness
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    int count = 0;
    for (int k = -kHalf; k <= kHalf; ++k) {
      const auto j = static_cast<std::ptrdiff_t>(i) + k;
      if (j < 0 || j >= static_cast<std::ptrdiff_t>(n)) continue;
      sum += raw[static_cast<std::size_t>(j)];
      ++count;
    }
    out[i] = static_cast<float>(sum / count);
  }
  return out;
}

struct Accent {
  double time = 0, strength = 0;  // strength in (0, 1]
};

// Prominent vowels (loudness, pitch and duration z-scored across the utterance's vowels: the
// acoustic correlates of stress) and pitch peaks.
std::vector<Accent> find_accents(const ProsodyTrack& track,
                                 const std::vector<TimedPhoneme>& phonemes) {
  std::vector<Accent> out;
  struct Vowel {
    double centre, loud, semis, log_duration;
  };
  auto semitones = [&](std::size_t i) {
    return 12.0 * std::log2(double(track.f0_hz[i]) / track.median_f0_hz);
  };
  std::vector<Vowel> vowels;
  const auto n = static_cast<std::ptrdiff_t>(track.f0_hz.size());
  for (const TimedPhoneme& p : phonemes) {
    if (!info(p.phoneme).vowel || p.end - p.start < 0.02) continue;
    const auto a = static_cast<std::ptrdiff_t>(std::ceil(p.start * ProsodyTrack::kFrameRate));
    const auto b = static_cast<std::ptrdiff_t>(std::floor(p.end * ProsodyTrack::kFrameRate));
    double loud = 0, semis = 0;
    int frames = 0, voiced = 0;
    for (std::ptrdiff_t i = std::max<std::ptrdiff_t>(a, 0); i < std::min(b, n); ++i) {
      const auto u = static_cast<std::size_t>(i);
      loud += track.loudness_db[u];
      ++frames;
      if (track.f0_hz[u] > 0 && track.median_f0_hz > 0) {
        semis += semitones(u);
        ++voiced;
      }
    }
    if (frames == 0) continue;
    vowels.push_back({(p.start + p.end) / 2, loud / frames, voiced ? semis / voiced : 0.0,
                      std::log(p.end - p.start)});
  }
  if (vowels.size() >= 3) {
    auto zscores = [&](auto field) {
      double mean = 0, var = 0;
      for (const Vowel& v : vowels) mean += field(v);
      mean /= double(vowels.size());
      for (const Vowel& v : vowels) var += (field(v) - mean) * (field(v) - mean);
      const double sd = std::sqrt(var / double(vowels.size()));
      std::vector<double> z;
      for (const Vowel& v : vowels) z.push_back(sd > 1e-9 ? (field(v) - mean) / sd : 0.0);
      return z;
    };
    const auto zl = zscores([](const Vowel& v) { return v.loud; });
    const auto zp = zscores([](const Vowel& v) { return v.semis; });
    const auto zd = zscores([](const Vowel& v) { return v.log_duration; });
    for (std::size_t i = 0; i < vowels.size(); ++i) {
      const double score = (zl[i] + zp[i] + zd[i]) / 3;
      if (score > 0.6) out.push_back({vowels[i].centre, std::min(1.0, 0.5 + (score - 0.6))});
    }
  }
  // Pitch peaks: local maxima (±200 ms) of voiced F0 at least 3 semitones above the median.
  if (track.median_f0_hz > 0) {
    for (std::ptrdiff_t i = 0; i < n; ++i) {
      const auto u = static_cast<std::size_t>(i);
      if (track.f0_hz[u] <= 0) continue;
      const double s = semitones(u);
      if (s < 3) continue;
      bool peak = true;
      for (std::ptrdiff_t k = std::max<std::ptrdiff_t>(0, i - 20); k <= std::min(n - 1, i + 20);
           ++k)
        if (k != i && track.f0_hz[static_cast<std::size_t>(k)] > track.f0_hz[u]) peak = false;
      if (peak)
        out.push_back({double(i) / ProsodyTrack::kFrameRate, std::min(1.0, 0.4 + (s - 3) / 8)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Accent& a, const Accent& b) { return a.time < b.time; });
  return out;
}

// --- Gaze ------------------------------------------------------------------------------------

// One eye movement: over [start, start + duration] the gaze moves by (dh, dv) degrees.
struct Move {
  double start, duration, dh, dv;
};

std::vector<Move> plan_gaze(double duration, Random& rng) {
  std::vector<Move> moves;
  double t = 0, h = 0, v = 0;
  while (t < duration) {
    // A fixation of 0.3 s + Gamma(2), mean 1.2 s, with microsaccades (~1.5/s, <= 0.5°) in it.
    const double fixation = 0.3 + rng.gamma(2, 0.45);
    const double end = t + fixation;
    double m = t + rng.exponential(1 / 1.5);
    while (m + 0.02 < end) {
      const double dh = std::clamp(rng.normal() * 0.2, -0.5, 0.5);
      const double dv = std::clamp(rng.normal() * 0.2, -0.5, 0.5);
      moves.push_back({m, 0.02, dh, dv});
      h += dh;
      v += dv;
      m += 0.02 + rng.exponential(1 / 1.5);
    }
    // A saccade: back near the listener (40%) or a small look away; duration from the main
    // sequence, 21 ms + 2.2 ms per degree (Carpenter 1988).
    double th, tv;
    if (rng.uniform() < 0.4) {
      th = rng.normal() * 1.0;
      tv = rng.normal() * 0.7;
    } else {
      th = rng.normal() * 5.0;
      tv = rng.normal() * 3.0;
    }
    th = std::clamp(th, -12.0, 12.0);
    tv = std::clamp(tv, -8.0, 8.0);
    const double amplitude = std::hypot(th - h, tv - v);
    const double d = 0.021 + 0.0022 * amplitude;
    moves.push_back({end, d, th - h, tv - v});
    h = th;
    v = tv;
    t = end + d;
  }
  return moves;
}

void apply_gaze(Take& take, double t0, const std::vector<Move>& moves) {
  using B = Blendshape;
  std::size_t done = 0;
  double h = 0, v = 0;  // sum of the completed moves
  for (FaceFrame& f : take.frames) {
    const double t = f.time + t0;
    while (done < moves.size() && moves[done].start + moves[done].duration <= t) {
      h += moves[done].dh;
      v += moves[done].dv;
      ++done;
    }
    double gh = h, gv = v;
    if (done < moves.size() && moves[done].start < t) {
      const double w = smoothstep((t - moves[done].start) / moves[done].duration);
      gh += w * moves[done].dh;
      gv += w * moves[done].dv;
    }
    // Degrees to the rig's shapes (blendshape.h kEyeLookSidewaysDeg …); h > 0 looks to the
    // subject's left: the left eye out, the right eye in. The eyes' angles say the same.
    auto set = [&](B s, double value) {
      f.coefficients.set(s, static_cast<float>(std::clamp(value, 0.0, 1.0)));
    };
    set(B::EyeLookOutLeft, gh / kEyeLookSidewaysDeg);
    set(B::EyeLookInRight, gh / kEyeLookSidewaysDeg);
    set(B::EyeLookInLeft, -gh / kEyeLookSidewaysDeg);
    set(B::EyeLookOutRight, -gh / kEyeLookSidewaysDeg);
    set(B::EyeLookUpLeft, gv / kEyeLookUpDeg);
    set(B::EyeLookUpRight, gv / kEyeLookUpDeg);
    set(B::EyeLookDownLeft, -gv / kEyeLookDownDeg);
    set(B::EyeLookDownRight, -gv / kEyeLookDownDeg);
    f.left_eye = eye_pose_from_look(f.coefficients, Side::Left);
    f.right_eye = eye_pose_from_look(f.coefficients, Side::Right);
  }
}

}  // namespace

double ProsodyTrack::voiced_fraction() const {
  std::size_t active = 0, voiced = 0;
  for (std::size_t i = 0; i < f0_hz.size(); ++i) {
    active += loudness_db[i] >= -30.0f;
    voiced += f0_hz[i] > 0;
  }
  return active ? double(voiced) / double(active) : 0.0;
}

ProsodyTrack analyze_prosody(const Audio& audio, const PitchOptions& options) {
  check_pitch(options);
  if (audio.sample_rate < 2 * options.max_hz)
    throw std::invalid_argument("audio at " + std::to_string(audio.sample_rate) +
                                " Hz cannot carry pitch up to max_hz");
  ProsodyTrack track;
  const std::vector<float>& x = audio.samples;
  const auto sr = double(audio.sample_rate);
  const auto frames =
      static_cast<std::size_t>(std::floor(double(x.size()) / sr * ProsodyTrack::kFrameRate));
  if (x.empty()) return track;
  const std::size_t n = frames + 1;
  const auto window = static_cast<std::ptrdiff_t>(std::lround(0.025 * sr));
  const auto yin_window = static_cast<std::ptrdiff_t>(std::lround(options.window_seconds * sr));
  const auto tau_min = static_cast<std::ptrdiff_t>(std::floor(sr / options.max_hz));
  const auto tau_max = static_cast<std::ptrdiff_t>(std::ceil(sr / options.min_hz));
  const auto size = static_cast<std::ptrdiff_t>(x.size());
  auto at = [&](std::ptrdiff_t i) { return i >= 0 && i < size ? double(x[std::size_t(i)]) : 0.0; };
  auto start_of = [&](std::size_t i) {
    return static_cast<std::ptrdiff_t>(std::lround(double(i) * sr / ProsodyTrack::kFrameRate)) -
           window / 2;
  };

  // Loudness: 25 ms RMS per frame; the speech level is the 80th percentile of the frames within
  // 40 dB of the loudest.
  track.level_dbfs.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0;
    const std::ptrdiff_t s = start_of(i);
    for (std::ptrdiff_t j = 0; j < window; ++j) sum += at(s + j) * at(s + j);
    track.level_dbfs[i] = level_db(sum / double(window));
  }
  const float peak = *std::max_element(track.level_dbfs.begin(), track.level_dbfs.end());
  std::vector<float> active;
  for (float l : track.level_dbfs)
    if (l > peak - 40 && l > -100) active.push_back(l);
  if (!active.empty()) {
    const std::size_t k = std::min(active.size() - 1, active.size() * 8 / 10);
    std::nth_element(active.begin(), active.begin() + std::ptrdiff_t(k), active.end());
    track.speech_level_dbfs = active[k];
  }
  track.loudness_db.resize(n);
  for (std::size_t i = 0; i < n; ++i)
    track.loudness_db[i] = track.level_dbfs[i] - track.speech_level_dbfs;

  // YIN, frame by frame (steps 2-5 of de Cheveigné & Kawahara 2002), on the signal low-passed at
  // 1 kHz (a 2nd-order Butterworth, as the paper suggests: F0 and its first harmonics carry the
  // periodicity; higher bands add noise and codec artefacts).
  std::vector<float> low(x.size());
  {
    const double k = std::tan(kPiD * std::min(1000.0, 0.45 * sr) / sr), q = std::sqrt(0.5);
    const double norm = 1 / (1 + k / q + k * k);
    const double b0 = k * k * norm, b1 = 2 * b0, b2 = b0;
    const double a1 = 2 * (k * k - 1) * norm, a2 = (1 - k / q + k * k) * norm;
    double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
      x2 = x1;
      x1 = x[i];
      y2 = y1;
      y1 = y;
      low[i] = static_cast<float>(y);
    }
  }
  auto lp = [&](std::ptrdiff_t i) {
    return i >= 0 && i < size ? double(low[std::size_t(i)]) : 0.0;
  };
  track.f0_hz.assign(n, 0.0f);
  track.aperiodicity.assign(n, 1.0f);
  std::vector<double> d(std::size_t(tau_max) + 2);
  for (std::size_t i = 0; i < n; ++i) {
    if (track.loudness_db[i] < options.voicing_floor_db || active.empty()) continue;
    const std::ptrdiff_t s = start_of(i) + window / 2 - yin_window / 2;
    // Difference function and its cumulative-mean normalisation.
    d[0] = 1;
    double running = 0;
    for (std::ptrdiff_t tau = 1; tau <= tau_max + 1; ++tau) {
      double sum = 0;
      for (std::ptrdiff_t j = 0; j < yin_window; ++j) {
        const double diff = lp(s + j) - lp(s + j + tau);
        sum += diff * diff;
      }
      running += sum;
      d[std::size_t(tau)] = running > 0 ? sum * double(tau) / running : 1.0;
    }
    // The first dip below the absolute threshold (then down to its local minimum), else the
    // global minimum.
    std::ptrdiff_t best = -1;
    for (std::ptrdiff_t tau = tau_min; tau <= tau_max; ++tau)
      if (d[std::size_t(tau)] < options.yin_threshold) {
        while (tau + 1 <= tau_max && d[std::size_t(tau + 1)] < d[std::size_t(tau)]) ++tau;
        best = tau;
        break;
      }
    if (best < 0) {
      best = tau_min;
      for (std::ptrdiff_t tau = tau_min; tau <= tau_max; ++tau)
        if (d[std::size_t(tau)] < d[std::size_t(best)]) best = tau;
    }
    // Parabolic interpolation around the dip.
    const double a = d[std::size_t(best - 1)], b = d[std::size_t(best)],
                 c = d[std::size_t(best + 1)];
    const double denominator = a - 2 * b + c;
    const double shift =
        denominator > 1e-12 ? std::clamp(0.5 * (a - c) / denominator, -0.5, 0.5) : 0.0;
    track.aperiodicity[i] = static_cast<float>(b);
    // A dip at the edge of the lag range is no minimum (hum at min_hz, say): unvoiced.
    if (b < options.voicing_threshold && best > tau_min && best < tau_max)
      track.f0_hz[i] = static_cast<float>(sr / (double(best) + shift));
  }
  // Voiced runs shorter than 30 ms are dropped; F0 is median-filtered (5 frames, within runs).
  for (std::size_t i = 0; i < n;) {
    if (track.f0_hz[i] <= 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < n && track.f0_hz[j] > 0) ++j;
    if (j - i < 3) {
      for (std::size_t k = i; k < j; ++k) track.f0_hz[k] = 0;
    } else {
      const std::vector<float> run(track.f0_hz.begin() + std::ptrdiff_t(i),
                                   track.f0_hz.begin() + std::ptrdiff_t(j));
      for (std::size_t k = 0; k < run.size(); ++k) {
        const std::size_t lo = k >= 2 ? k - 2 : 0, hi = std::min(run.size(), k + 3);
        std::vector<float> w(run.begin() + std::ptrdiff_t(lo), run.begin() + std::ptrdiff_t(hi));
        std::nth_element(w.begin(), w.begin() + std::ptrdiff_t(w.size() / 2), w.end());
        track.f0_hz[i + k] = w[w.size() / 2];
      }
    }
    i = j;
  }
  std::vector<float> voiced;
  for (float f : track.f0_hz)
    if (f > 0) voiced.push_back(f);
  if (!voiced.empty()) {
    std::nth_element(voiced.begin(), voiced.begin() + std::ptrdiff_t(voiced.size() / 2),
                     voiced.end());
    track.median_f0_hz = voiced[voiced.size() / 2];
  }
  return track;
}

std::vector<Blink> plan_blinks(double duration, const std::vector<TimedPhoneme>& phonemes,
                               const ProsodyOptions& options) {
  check_options(options);
  Random rng(options.seed ^ 0xb11c5eedULL);
  std::vector<Blink> out;
  // Inter-blink intervals: 0.3 s refractory + Gamma(3) (a unimodal, right-skewed distribution as
  // measured), with the mean of the rate at the current state (speaking or at rest).
  auto interval = [&](double t) {
    const double rate = speaking_at(phonemes, t) ? options.blinks_per_minute_speaking
                                                 : options.blinks_per_minute_rest;
    const double mean = std::max(0.35, 60.0 / rate);
    return 0.3 + rng.gamma(3, (mean - 0.3) / 3);
  };
  double t = rng.uniform() * interval(0);
  while (t < duration) {
    Blink b;
    b.start = t;
    b.duration = options.blink_min_seconds +
                 rng.uniform() * (options.blink_max_seconds - options.blink_min_seconds);
    b.closing = b.duration / 3;
    if (t + b.duration <= duration) out.push_back(b);
    t += std::max(b.duration + 0.05, interval(t));
  }
  return out;
}

Take apply_prosody(Take take, const std::vector<TimedPhoneme>& phonemes, const Audio* audio,
                   const ProsodyOptions& options) {
  check_options(options);
  if (!(take.fps > 0)) throw std::invalid_argument("apply_prosody: the take's fps must be > 0");
  if (take.frames.empty()) return take;
  using B = Blendshape;
  const double t0 = phonemes.empty() ? 0.0 : phonemes.front().start;
  const double duration = take.frames.back().time + 1.0 / take.fps;

  if (options.prosody && audio != nullptr && !audio->samples.empty()) {
    const ProsodyTrack track = analyze_prosody(*audio, options.pitch);
    const std::vector<float> gain = amplitude_gain(track, options);
    // mouthClose scales with the jaw it cancels, so closed lips stay closed.
    static constexpr B kOpening[] = {
        B::JawOpen,          B::MouthClose,        B::MouthLowerDownLeft, B::MouthLowerDownRight,
        B::MouthUpperUpLeft, B::MouthUpperUpRight, B::MouthStretchLeft,   B::MouthStretchRight,
        B::MouthFunnel,      B::MouthPucker};
    const std::vector<Accent> accents = find_accents(track, phonemes);
    std::size_t first = 0;
    for (FaceFrame& f : take.frames) {
      const double t = f.time + t0;
      const float g = sample_track(gain, t);
      for (B s : kOpening) f.coefficients.set(s, std::clamp(f.coefficients[s] * g, 0.0f, 1.0f));
      while (first < accents.size() && accents[first].time < t - 0.35) ++first;
      double brow = 0;
      for (std::size_t i = first; i < accents.size() && accents[i].time < t + 0.15; ++i)
        brow = std::max(brow, accents[i].strength * accent_shape(t - accents[i].time));
      const auto inner = static_cast<float>(options.brow_raise * brow);
      f.coefficients.set(B::BrowInnerUp,
                         std::clamp(f.coefficients[B::BrowInnerUp] + inner, 0.f, 1.f));
      for (B s : {B::BrowOuterUpLeft, B::BrowOuterUpRight})
        f.coefficients.set(s, std::clamp(f.coefficients[s] + 0.6f * inner, 0.f, 1.f));
    }
  }
  if (options.gaze) {
    Random rng(options.seed ^ 0x6a2eULL);
    apply_gaze(take, t0, plan_gaze(duration, rng));
  }
  if (options.blinks) {
    std::vector<TimedPhoneme> relative = phonemes;  // blink planning in take time
    for (TimedPhoneme& p : relative) {
      p.start -= t0;
      p.end -= t0;
    }
    const std::vector<Blink> blinks = plan_blinks(duration, relative, options);
    std::size_t first = 0;
    for (FaceFrame& f : take.frames) {
      while (first < blinks.size() && blinks[first].start + blinks[first].duration <= f.time)
        ++first;
      if (first == blinks.size() || blinks[first].start > f.time) continue;
      const Blink& b = blinks[first];
      const double x = f.time - b.start;
      // Closing fast (a third of the blink), opening slower (two thirds).
      const double v = x < b.closing ? smoothstep(x / b.closing)
                                     : 1 - smoothstep((x - b.closing) / (b.duration - b.closing));
      for (B s : {B::EyeBlinkLeft, B::EyeBlinkRight})
        f.coefficients.set(s, std::max(f.coefficients[s], static_cast<float>(v)));
    }
  }
  return take;
}

}  // namespace semblend
