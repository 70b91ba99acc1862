// `semblend speech --stream` (live lip sync from stdin) and `semblend eval speech`.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/formats.h"
#include "semblend/speech_eval.h"
#include "semblend/speech_stream.h"
#include "semblend/vmc.h"

namespace semblend::cli {
namespace {

std::uint32_t le32(const unsigned char* p) {
  return p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}
std::uint16_t le16(const unsigned char* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

bool read_exact(std::FILE* in, unsigned char* buf, std::size_t n) {
  return std::fread(buf, 1, n, in) == n;
}

// Skips a WAV header on stdin up to its data chunk, checking it holds 16 kHz mono 16-bit PCM.
// `first` holds the 4 bytes already read ("RIFF").
void skip_wav_header(std::FILE* in) {
  const std::string name = "<stdin>";
  unsigned char buf[8];
  if (!read_exact(in, buf, 8) || std::memcmp(buf + 4, "WAVE", 4) != 0)
    throw InputError(name, 0, 0, "starts with RIFF but is not a WAV file");
  bool format_ok = false;
  for (;;) {
    if (!read_exact(in, buf, 8)) throw InputError(name, 0, 0, "WAV header ends before its data");
    const std::uint32_t size = le32(buf + 4);
    if (std::memcmp(buf, "data", 4) == 0) break;
    std::vector<unsigned char> body(size + (size & 1));
    if (!body.empty() && !read_exact(in, body.data(), body.size()))
      throw InputError(name, 0, 0, "truncated WAV header");
    if (std::memcmp(buf, "fmt ", 4) == 0 && size >= 16) {
      const std::uint16_t format = le16(body.data()), channels = le16(body.data() + 2),
                          bits = le16(body.data() + 14);
      const std::uint32_t rate = le32(body.data() + 4);
      if ((format != 1 && format != 0xFFFE) || channels != 1 || rate != 16000 || bits != 16)
        throw InputError(name, 0, 0,
                         "--stream needs 16 kHz mono 16-bit PCM; this WAV is " +
                             std::to_string(rate) + " Hz, " + std::to_string(channels) +
                             " channel(s), " + std::to_string(bits) + "-bit (format " +
                             std::to_string(format) +
                             "): convert it first, e.g. with sox or "
                             "ffmpeg -ar 16000 -ac 1 -f s16le");
      format_ok = true;
    }
  }
  if (!format_ok) throw InputError(name, 0, 0, "WAV data before its fmt chunk");
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int run_speech_stream(const SpeechOptions& o) {
  if (!o.audio.empty() && o.audio != "-")
    throw std::invalid_argument("--stream reads stdin: pipe the audio in (no AUDIO argument)");
  if (!o.transcript.empty() || !o.phones.empty() || !o.alignment.empty())
    throw std::invalid_argument("--stream takes neither --transcript, --phones nor --alignment");
  if (!o.output.empty() && format_for_extension(o.output) != TakeFormat::Jsonl)
    throw std::invalid_argument("--stream writes JSONL: -o must name a .jsonl file");
  // Blendshapes only: a speech take has no head pose of its own (the receiver's tracker, or
  // nothing, turns the head).
  std::optional<VmcSender> vmc = open_vmc({o.vmc, "arkit", true});
  std::optional<VmcPacer> pacer;  // real time even when the audio comes faster (a file piped in)
  if (vmc) pacer.emplace(*vmc);
  SpeechStreamOptions so;
  so.model_dir = o.models;
  so.fps = o.fps;
  SpeechStream stream = SpeechStream::create(so);
  if (!o.output.empty()) check_writable(o.output);
  // Raw little-endian 16-bit PCM, or a WAV file (header checked, then the same). What comes in
  // is checked before the output is opened: a bad input leaves an existing -o file as it was.
  std::vector<unsigned char> bytes(1280);  // 40 ms
  std::size_t have = std::fread(bytes.data(), 1, 4, stdin);
  if (have == 4 && std::memcmp(bytes.data(), "RIFF", 4) == 0) {
    skip_wav_header(stdin);
    have = 0;
  }
  // A compressed file piped in would be read as noise: its signature says what it is.
  if (have == 4)
    for (const auto& [magic, what] : {std::pair<std::string_view, const char*>{"ID3", "an MP3"},
                                      {"fLaC", "a FLAC"},
                                      {"OggS", "an Ogg"},
                                      {"\x1a\x45\xdf\xa3", "a Matroska/WebM"}})
      if (std::memcmp(bytes.data(), magic.data(), magic.size()) == 0)
        throw InputError(
            "<stdin>", 0, 0,
            std::string("--stream reads 16 kHz mono 16-bit PCM (raw or WAV); this is ") + what +
                " file: convert it first, e.g. ffmpeg -i IN -ar 16000 -ac 1 -f "
                "s16le -");
  std::FILE* out = stdout;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(nullptr, &std::fclose);
  if (!o.output.empty()) {
    file.reset(std::fopen(o.output.c_str(), "wb"));
    if (!file) throw IoError(IoError::Op::Write, o.output, std::strerror(errno));
    out = file.get();
  }
  Take header;
  header.fps = o.fps;
  header.metadata["source"] = "semblend speech --stream";
  auto write = [&](const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), out) != text.size())
      throw IoError(IoError::Op::Write, o.output.empty() ? "<stdout>" : o.output, "write failed");
  };
  write(encode_jsonl_header(header));
  std::size_t frames = 0;
  auto send = [&](const StreamOutput& so_) {
    for (const FaceFrame& f : so_.frames) {
      write(encode_jsonl_frame(f));
      if (pacer) pacer->send(f);
    }
    frames += so_.frames.size();
    std::fflush(out);
  };
  const double cpu0 = cpu_seconds();
  std::vector<std::int16_t> pcm;
  for (;;) {
    have += std::fread(bytes.data() + have, 1, bytes.size() - have, stdin);
    const std::size_t n = have / 2;
    pcm.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      pcm[i] = static_cast<std::int16_t>(le16(bytes.data() + 2 * i));
    if (n > 0) send(stream.push_pcm16(pcm));
    if (have % 2 == 1) bytes[0] = bytes[have - 1];
    have %= 2;
    if (std::feof(stdin) || std::ferror(stdin)) break;
  }
  send(stream.finish());
  if (file && std::fclose(file.release()) != 0)
    throw IoError(IoError::Op::Write, o.output, "closing failed");
  const double audio = stream.audio_seconds(), cpu = cpu_seconds() - cpu0;
  std::fprintf(stderr,
               "semblend speech --stream: %.2f s of audio -> %zu frames at %g fps, max latency "
               "%.0f ms of audio (CPU real-time factor %.3f)\n",
               audio, frames, o.fps, stream.max_latency() * 1000, audio > 0 ? cpu / audio : 0.0);
  if (pacer) std::fprintf(stderr, "semblend speech --stream: %s\n", pacer->summary().c_str());
  return kOk;
}

int run_eval_speech(const EvalSpeechOptions& o) {
  SpeechEvalOptions eo;
  eo.model_dir = o.models;
  eo.real_dir = o.real;
  if (o.quick) {
    eo.voices = {"en-us"};
    eo.rates = {175};
    eo.festival_stretches = {1.0};
    eo.festival_voices = {"kal_diphone"};
    eo.language_variants = {"+f3"};
    eo.language_rates = {140};
    eo.festival_language_voices = {{"it", "lp_diphone"}};
  }
  if (o.languages.size() == 1 && o.languages[0] == "all") {
    eo.languages = eval_languages();
  } else if (!o.languages.empty()) {
    for (const std::string& l : o.languages)
      if (eval_sentences(l).empty()) {
        std::string known;
        for (const std::string& k : eval_languages()) known += (known.empty() ? "" : " ") + k;
        throw std::invalid_argument("--languages: no built-in sentences in \"" + l +
                                    "\" (there are: " + known + ")");
      }
    eo.languages = o.languages;
  }
  if (o.languages_only) {
    eo.espeak = false;
    eo.festival_voices.clear();
    eo.synthesis_english = false;
  }
  if (!eo.real_dir.empty() && !std::filesystem::is_directory(eo.real_dir))
    throw IoError(IoError::Op::Read, eo.real_dir, "not a folder");
  const auto results = evaluate_speech(
      eo, [](const std::string& what) { std::fprintf(stderr, "  %s\n", what.c_str()); });
  for (const SourceResult& r : results) {
    std::fprintf(stderr, "%s: %d utterances, %.1f s\n", r.source.c_str(), r.utterances,
                 r.audio_seconds);
    auto line = [](const char* mode, const ModeResult& m) {
      std::fprintf(stderr,
                   "  %-18s 8-class accuracy %.3f, bilabials +-40 ms %.3f (%d), boundaries "
                   "%.0f / %.0f ms (median / p90), CPU real-time factor %.3f\n",
                   mode, m.accuracy(), m.bilabial_recall(), m.scores.bilabials,
                   m.boundary_percentile(0.5), m.boundary_percentile(0.9),
                   m.audio_seconds > 0 ? m.cpu_seconds / m.audio_seconds : 0.0);
    };
    if (r.by_synthesis) {
      line("by synthesis", r.transcript);
      if (r.acoustic.scores.frames > 0) {
        line("cross-language", r.acoustic);
        std::fprintf(stderr,
                     "  %-18s right transcripts kept %d/%d, wrong ones (the next sentence's) "
                     "detected %d/%d\n",
                     "transcript check", r.transcripts_kept, r.utterances, r.wrong_detected,
                     r.wrong_transcripts);
      }
      line("phone recogniser", r.recognition);
      continue;
    }
    line("with transcript", r.transcript);
    line("without", r.recognition);
    line("live", r.live);
    std::fprintf(stderr, "  live max latency %.0f ms of audio\n", r.live.max_latency * 1000);
  }
  if (!o.output.empty()) write_file_atomic(o.output, speech_eval_json(results, eo));
  return kOk;
}

}  // namespace semblend::cli
