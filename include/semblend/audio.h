// semblend/audio.h — audio in and out: the input stage of the speech pipeline.
//
// read_audio: any file libsndfile reads — WAV (PCM, float, A-law/µ-law, ADPCM), RF64/W64, FLAC,
//   OGG/Vorbis and Opus, MP3 (Debian 12's libsndfile 1.2.0 decodes it with mpg123), AIFF, CAF, … —
//   and, for files libsndfile does not recognise, what FFmpeg's libraries (libavformat,
//   libavcodec, libswresample) do: AAC or ALAC in M4A (a phone's voice memo), the sound track of a
//   video (MP4, MOV, MKV, WebM, AVI, …; the best audio stream as FFmpeg ranks them), ADTS AAC,
//   AMR, WMA. A file FFmpeg's probe only guesses at (by a few bytes or its name) is not read. On
//   that path time 0 is the file's start: a sound track that starts after the video begins with
//   that much silence, and a gap in its timestamps (lost or undecodable packets) is silence, so
//   the take lines up with the video's frames. Either way, at any sample rate and channel count,
//   into mono float samples at `target_rate` (default 16 kHz, what speech models expect).
//   Channels are averaged (a tone on one channel of a stereo file comes out at half amplitude),
//   except that a channel wired in reverse polarity is inverted back first (averaged, it would
//   cancel the others: a stereo file whose right channel is its left one inverted reads as
//   silence): on the first second of sound (samples where a channel reaches 0.003; at most the
//   first 20 s are held back for it), a channel whose correlation with the loudest channel is
//   below −0.5 is inverted for the whole file, with a warning naming it (Audio::warnings).
//   Other rates are converted with libsamplerate's SRC_SINC_MEDIUM_QUALITY sinc filter; the file
//   is decoded, mixed down and resampled in chunks, so memory holds only the output. The output
//   has round(frames × target_rate / file_rate) samples. A file with zero frames is valid input
//   (silence: a still, closed mouth) and gives empty samples. Samples are clamped to [-1, 1]:
//   clipping in the file, or ringing of the resampler on full-scale input, is not an error.
//   The duration is checked from the header *before* any sample is decoded: longer than
//   AudioLimits::max_seconds (default 4 hours, ~920 MB of output at 16 kHz) is refused, and the
//   check is repeated while decoding for formats whose header does not state the length (for
//   FFmpeg's formats, the length the container states). The streaming mode of the speech
//   pipeline handles unbounded input.
// resample: the same conversion on audio already in memory; pure.
// write_wav: 16-bit PCM mono WAV, encoded in memory and written atomically (temporary file +
//   rename, see file_io.h): a reader never sees a half-written file. Samples are clamped to
//   [-1, 1] and scaled by 32768 (libsndfile's read scale), so write_wav -> read_audio at the same
//   rate returns every sample within 1/32768.
// Failure modes: IoError (missing, unreadable or not a regular file; cannot write), InputError
//   naming the file (empty, not audio, truncated or corrupt header, unsupported encoding — with
//   libsndfile's and FFmpeg's own reasons quoted —, a video with no sound track, an M4A/MP4 whose
//   index was never written, every packet undecodable, a sample rate that changes mid-stream,
//   non-finite samples, a rate that cannot be converted, longer than the limit:
//   "clip.wav: audio is 5.0 s long, more than the 2.0 s limit ..."),
//   std::invalid_argument (target_rate <= 0, a negative or NaN limit, a resampling ratio outside
//   libsamplerate's 1/256..256, non-finite samples passed to resample or write_wav, a WAV over
//   4 GiB).
//   Read anyway, with a warning in Audio::warnings: a WAV cut short (see Audio), an FFmpeg file
//   whose reading stopped early or that holds less than it states, undecodable packets (their
//   time is silence).
// Thread safety: pure functions over values; safe to call concurrently (libsndfile keeps the
//   reason for a failed open in one process-wide slot, so opens are serialized by a mutex; each
//   FFmpeg read has its own contexts). FFmpeg logs what it finds wrong in a file to stderr.
#pragma once

#include <string>
#include <vector>

namespace semblend {

struct Audio {
  int sample_rate = 16000;     // Hz
  std::vector<float> samples;  // mono, [-1, 1]
  // What read_audio noticed but read anyway: a WAV whose header promises more audio than the
  // file holds (cut short), or says "none" before bytes of it. Empty for an intact file.
  std::vector<std::string> warnings;
  double duration() const;  // seconds: samples.size() / sample_rate
};

struct AudioLimits {
  // Longer inputs are refused with an InputError naming the duration and the limit, before
  // decoding. Streaming mode (a later step of the speech pipeline) handles unbounded input.
  double max_seconds = 4 * 3600.0;
};

Audio read_audio(const std::string& path, int target_rate = 16000, const AudioLimits& limits = {});
// True for an audio file by its extension (case-insensitive): wav, flac, ogg, oga, opus, mp3, m4a,
// aac, aif, aiff, caf, w64, rf64, amr, wma — what a folder of speech recordings holds (batch.h).
// read_audio itself goes by the content, and reads videos' sound tracks too.
bool is_audio_path(const std::string& path);
Audio resample(const Audio& in, int target_rate);
void write_wav(const Audio& audio, const std::string& path);

}  // namespace semblend
