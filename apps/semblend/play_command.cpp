// `semblend play`: a take streamed live in the VMC protocol (include/semblend/vmc.h), each frame
// sent at its own time (docs/cli.md, docs/formats.md).
#include <chrono>
#include <cstdio>
#include <thread>

#include "commands.h"
#include "semblend/formats.h"
#include "semblend/vmc.h"

namespace semblend::cli {

semblend::VmcOptions vmc_options(const std::string& names, bool no_pose) {
  VmcOptions v;
  if (names == "pascal")
    v.names = VmcNames::LiveLink;
  else if (names != "arkit")
    throw std::invalid_argument("--vmc-names must be arkit or pascal, not '" + names + "'");
  v.pose = !no_pose;
  return v;
}

int run_play(const PlayOptions& o) {
  const OscEndpoint to = parse_osc_endpoint(o.vmc);
  if (!(o.speed > 0)) throw std::invalid_argument("--speed must be positive");
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  const Take take = read_take(o.input, ro);
  if (take.frames.empty())
    throw InputError(o.input, 0, 0, "the take has no frames: nothing to play");
  VmcSender sender = VmcSender::open(to, vmc_options(o.names, o.no_pose));
  std::fprintf(stderr, "semblend play: %s (%zu frames, %.2f s) -> osc://%s (VMC)%s\n",
               o.input.c_str(), take.frames.size(), take.duration(), to.text().c_str(),
               o.repeat == 0 ? ", until interrupted" : "");
  using Clock = std::chrono::steady_clock;
  const double t0 = take.frames.front().time;
  // One period after the last frame before a repeat starts over, as a looping player holds it.
  const double period = take.fps > 0 ? 1.0 / take.fps : 0;
  const Clock::time_point start = Clock::now();
  double offset = 0;  // take seconds played before this pass
  for (int pass = 0; o.repeat == 0 || pass < o.repeat; ++pass) {
    for (const FaceFrame& f : take.frames) {
      const double at = (offset + f.time - t0) / o.speed;
      std::this_thread::sleep_until(
          start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(at)));
      FaceFrame frame = f;
      frame.time = offset + f.time - t0;
      sender.send(frame, f.confidence > 0);
    }
    offset += take.frames.back().time - t0 + period;
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  std::fprintf(stderr, "semblend play: sent %zu frames in %.2f s\n", sender.bundles_sent(), wall);
  return kOk;
}

}  // namespace semblend::cli
