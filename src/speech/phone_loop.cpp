// pocketsphinx's phone loop for the streaming mode (see phone_loop.h).
#include "speech/phone_loop.h"

#include <pocketsphinx.h>
#include <sphinxbase/cmn.h>
#include <sphinxbase/err.h>
#include <sphinxbase/feat.h>
#include <sphinxbase/genrand.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "semblend/aligner.h"
#include "semblend/error.h"
#include "speech/common.h"
#include "speech/sphinx.h"

namespace semblend::speech {

constexpr int kCmnPriorFrames = 50;   // weight of the model's mean in the live CMN (see process)
constexpr int kCmnUpdateFrames = 10;  // the live CMN is updated this often

struct PhoneLoop::Impl {
  ps_decoder_t* ps = nullptr;
  bool in_utterance = false;
  bool ended = false;       // an utterance was ended: its phone segments are still held
  bool cmn_primed = false;  // the live CMN's prior weight has been lowered (process)
  int cmn_updated_at = 0;   // its frame count at the last update
  ~Impl() {
    if (ps != nullptr) ps_free(ps);
  }
};

PhoneLoop::PhoneLoop(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PhoneLoop::PhoneLoop(PhoneLoop&&) noexcept = default;
PhoneLoop& PhoneLoop::operator=(PhoneLoop&&) noexcept = default;
PhoneLoop::~PhoneLoop() {
  if (!impl_) return;
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  if (impl_->in_utterance) {
    ps_end_utt(impl_->ps);
  } else if (impl_->ended && ps_start_utt(impl_->ps) >= 0) {
    // pocketsphinx 5prealpha's allphone search releases the segment list of the last utterance
    // when the next one starts, not in ps_free (LeakSanitizer found it): start an empty one.
    ps_end_utt(impl_->ps);
  }
  impl_.reset();
}

PhoneLoop PhoneLoop::create(const std::string& model_dir) {
  const std::string dir = model_dir.empty() ? default_pocketsphinx_model_dir() : model_dir;
  std::string hmm = dir + "/en-us", lm = dir + "/en-us-phone.lm.bin";
  for (const auto& [path, what] : {std::pair{hmm + "/mdef", "pocketsphinx acoustic model"},
                                   std::pair{lm, "phonetic language model"}}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
      throw IoError(
          IoError::Op::Read, path,
          std::string(what) + " not found (install pocketsphinx-en-us or set the model folder)");
  }
  // Language weight 1.5 instead of pocketsphinx's 6.5: the phonetic trigram then overrules the
  // acoustics less. Measured (eval speech --quick, live): festival 0.730 -> 0.759, real LibriVox
  // 0.644 -> 0.692, espeak-ng 0.484 -> 0.56 8-class frame accuracy; lw 1.0 / 2.0 / 4.0 gave
  // 0.757 / 0.758 / 0.747 and 0.686 / 0.676 / 0.663; wider beams and -wip changed nothing.
  // -topn 16: each frame scores the 16 best Gaussians of the phonetically tied model's codebooks
  // instead of 4. Measured (eval speech, live, 2026-12-03): festival kal 0.812 -> 0.816, ked
  // 0.749 -> 0.752, HTS 0.778 -> 0.778, real LibriVox 0.747 -> 0.755, espeak-ng 0.582 -> 0.588;
  // CPU real-time factor 0.050 -> 0.062. 32 and 64 gained no more (0.814-0.815, 0.749-0.751,
  // 0.778, 0.755-0.757) for 0.075 and 0.096. Triphones in the loop (-allphone_ci no) run several
  // times slower than real time.
  std::vector<std::string> args{
      "-hmm",    hmm,   "-allphone", lm,  "-allphone_ci", "yes", "-remove_silence", "no",
      "-dither", "yes", "-seed",     "1", "-lw",          "1.5", "-topn",           "16"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  err_set_logfp(nullptr);
  err_set_callback(sphinx_log, nullptr);
  last_sphinx_error().clear();
  cmd_ln_t* config =
      cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
  if (config == nullptr)
    throw std::runtime_error("pocketsphinx refused its configuration: " + last_sphinx_error());
  auto impl = std::make_unique<Impl>();
  impl->ps = ps_init(config);
  cmd_ln_free_r(config);
  if (impl->ps == nullptr)
    throw InputError(lm, 0, 0, "pocketsphinx cannot load it: " + last_sphinx_error());
  return PhoneLoop(std::move(impl));
}

void PhoneLoop::start() {
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  if (impl_->in_utterance) ps_end_utt(impl_->ps);
  genrand_seed(1);  // the same dither for the same audio: deterministic
  if (ps_start_stream(impl_->ps) < 0 || ps_start_utt(impl_->ps) < 0)
    throw std::runtime_error("pocketsphinx cannot start an utterance: " + last_sphinx_error());
  impl_->in_utterance = true;
}

void PhoneLoop::process(const std::int16_t* samples, std::size_t n) {
  if (n == 0) return;
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  if (!impl_->in_utterance) throw std::logic_error("PhoneLoop::process before start");
  if (ps_process_raw(impl_->ps, samples, n, FALSE, FALSE) < 0)
    throw std::runtime_error("pocketsphinx failed on streamed audio: " + last_sphinx_error());
  // Live cepstral mean normalisation that adapts within the first second. pocketsphinx's live CMN
  // starts from the model's mean with the weight of 500 frames and updates only past 800 frames,
  // so a short stream is normalised with a mean that is not the speaker's and not the
  // microphone's. Here the starting mean weighs 50 frames (0.5 s) and is updated every 10 frames
  // (100 ms). Measured live (docs/speech.md): festival 0.772 -> 0.812, real LibriVox 0.692 ->
  // 0.747 (bilabials 0.66 -> 0.83) 8-class accuracy; a prior of 30-200 frames and updates every
  // 5-50 frames all gave 0.80-0.815 / 0.74-0.756.
  cmn_t* cmn = ps_get_feat(impl_->ps)->cmn_struct;
  if (!impl_->cmn_primed) {
    for (int j = 0; j < cmn->veclen; ++j) cmn->sum[j] = cmn->cmn_mean[j] * kCmnPriorFrames;
    cmn->nframe = kCmnPriorFrames;
    impl_->cmn_primed = true;
    impl_->cmn_updated_at = cmn->nframe;
  }
  // cmn_live_update shrinks nframe back to 500 past 800: follow it down.
  if (cmn->nframe < impl_->cmn_updated_at) impl_->cmn_updated_at = cmn->nframe;
  if (cmn->nframe - impl_->cmn_updated_at >= kCmnUpdateFrames) {
    cmn_live_update(cmn);
    impl_->cmn_updated_at = cmn->nframe;
  }
}

int PhoneLoop::frames() const {
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  return ps_get_n_frames(impl_->ps);
}

namespace {

std::vector<PhoneSegment> segments(ps_decoder_t* ps) {
  std::vector<PhoneSegment> out;
  int32 score = 0;
  if (ps_get_hyp(ps, &score) == nullptr) return out;
  for (ps_seg_t* s = ps_seg_iter(ps); s != nullptr; s = ps_seg_next(s)) {
    int sf = 0, ef = 0;
    ps_seg_frames(s, &sf, &ef);
    if (ef < sf) continue;
    const auto p = phoneme_from_arpabet(ps_seg_word(s));
    out.push_back({p ? *p : Phoneme::SIL, sf, ef});
  }
  return out;
}

}  // namespace

std::vector<PhoneSegment> PhoneLoop::best() const {
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  return segments(impl_->ps);
}

std::vector<PhoneSegment> PhoneLoop::end() {
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  if (!impl_->in_utterance) return {};
  impl_->in_utterance = false;
  impl_->ended = true;
  if (ps_end_utt(impl_->ps) < 0)
    throw std::runtime_error("pocketsphinx failed ending an utterance: " + last_sphinx_error());
  return segments(impl_->ps);
}

}  // namespace semblend::speech

namespace semblend {

Alignment recognize_phones(const Audio& input, const AlignerOptions& options) {
  const double cpu0 = speech::thread_cpu_seconds();
  const Audio audio = input.sample_rate == 16000 ? input : resample(input, 16000);
  Alignment out;
  out.method = AlignmentMethod::PhoneLoop;
  out.audio_seconds = audio.duration();
  const std::vector<std::int16_t> pcm =
      speech::to_int16(audio.samples.data(), audio.samples.size());
  speech::PhoneLoop loop = speech::PhoneLoop::create(options.model_dir);
  loop.start();
  constexpr std::size_t kChunk = 16000;  // one second at a time
  for (std::size_t i = 0; i < pcm.size(); i += kChunk)
    loop.process(pcm.data() + i, std::min(kChunk, pcm.size() - i));
  std::vector<TimedPhoneme> phones;
  for (const speech::PhoneSegment& s : loop.end())
    phones.push_back({s.phoneme, s.sf * 0.01, (s.ef + 1) * 0.01, ""});
  out.phonemes = speech::contiguous(std::move(phones), out.audio_seconds);
  out.cpu_seconds = speech::thread_cpu_seconds() - cpu0;
  return out;
}

}  // namespace semblend
