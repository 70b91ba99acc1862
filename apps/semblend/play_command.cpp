// `semblend play`: a take streamed live in the VMC protocol (include/semblend/vmc.h), each frame
// sent at its own time; and the --vmc destination every streaming command shares (docs/cli.md,
// docs/formats.md).
#include <chrono>
#include <cstdio>
#include <thread>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "semblend/vmc.h"

namespace semblend::cli {

std::optional<VmcSender> open_vmc(const VmcStreamOptions& o) {
  if (o.to.empty()) return std::nullopt;
  const OscEndpoint to = parse_osc_endpoint(o.to);
  VmcOptions v;
  if (o.names == "pascal")
    v.names = VmcNames::LiveLink;
  else if (o.names != "arkit")
    throw std::invalid_argument("--vmc-names must be arkit or pascal, not '" + o.names + "'");
  v.pose = !o.no_pose;
  return VmcSender::open(to, v);
}

void VmcPacer::send(const FaceFrame& frame) {
  using Clock = std::chrono::steady_clock;
  if (!start_) {
    start_ = Clock::now();
    first_ = frame.time;
  }
  const double at = (frame.time - first_) / speed_;
  std::this_thread::sleep_until(
      *start_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
  FaceFrame f = frame;
  f.time -= first_;
  try {
    sender_.send(f, frame.confidence > 0);
  } catch (const IoError& e) {
    if (failed_++ == 0) {
      first_error_ = e.what();
      std::fprintf(stderr, "semblend: warning: %s; going on without the frames it refuses\n",
                   e.what());
    }
  }
}

std::string VmcPacer::summary() const {
  std::string s = "sent " + std::to_string(sender_.bundles_sent()) + " frames to osc://" +
                  sender_.endpoint().text() + " (VMC)";
  if (failed_ > 0)
    s += "; " + std::to_string(failed_) + " could not be sent (first: " + first_error_ + ")";
  return s;
}

int run_play(const PlayOptions& o) {
  if (!(o.speed > 0)) throw std::invalid_argument("--speed must be positive");
  if (o.vmc.to.empty()) throw std::invalid_argument("--vmc needs HOST:PORT");
  VmcSender sender = *open_vmc(o.vmc);  // a bad destination is reported before the take is read
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  const Take take = read_take(o.input, ro);
  if (take.frames.empty())
    throw InputError(o.input, 0, 0, "the take has no frames: nothing to play");
  std::fprintf(stderr, "semblend play: %s (%zu frames, %.2f s) -> osc://%s (VMC)%s\n",
               o.input.c_str(), take.frames.size(), take.duration(),
               sender.endpoint().text().c_str(), o.repeat == 0 ? ", until interrupted" : "");
  const auto start = std::chrono::steady_clock::now();
  VmcPacer pacer(sender, o.speed);
  // Passes follow each other with one frame period between the last frame and the next first.
  const double t0 = take.frames.front().time;
  const double pass = take.frames.back().time - t0 + (take.fps > 0 ? 1.0 / take.fps : 0);
  for (int k = 0; o.repeat == 0 || k < o.repeat; ++k) {
    for (const FaceFrame& f : take.frames) {
      FaceFrame frame = f;
      frame.time = k * pass + (f.time - t0);
      pacer.send(frame);
    }
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "semblend play: %s in %.2f s\n", pacer.summary().c_str(), wall);
  return pacer.failed() > 0 ? kOutputUnwritable : kOk;
}

}  // namespace semblend::cli
