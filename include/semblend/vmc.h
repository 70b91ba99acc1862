// semblend/vmc.h — live streaming of frames over OSC in the VMC protocol.
//
// The VMC protocol (Virtual Motion Capture, https://protocol.vmc.info) is the OSC-over-UDP
// dialect VTuber tools speak: VSeeFace, VMagicMirror, Warudo, VNyan, VSeeFace-compatible Unity
// rigs (EVMC4U) and Blender add-ons receive it. semblend is a *performer*: it sends, per frame,
//   /VMC/Ext/Blend/Val  (s name, f value)        × 52, in Apple's order, ARKit's own names
//   /VMC/Ext/Blend/Apply                          the receiver applies the 52 together
//   /VMC/Ext/Bone/Pos   (s "Head", f px py pz, f qx qy qz qw)      head rotation
//   /VMC/Ext/Bone/Pos   (s "LeftEye" / "RightEye", f 0 0 0, f q…)  eye rotations
//   /VMC/Ext/OK         (i 1)                     a face is tracked (0 when a frame has none)
//   /VMC/Ext/T          (f seconds)               the frame's time
// in one OSC bundle (timetag "immediately"), so a receiver never shows half a frame. Perfect-sync
// avatars (VRM models with the 52 ARKit clips) take the names as they are: VRM 0.x (UniVRM) matches
// clip names case-insensitively. Rotations are Unity's (the protocol's) axes: left-handed, +Y up,
// +Z the avatar's forward, +X the avatar's right; docs/formats.md derives them from HeadPose.
//
// vmc_messages is a pure encoder (a FaceFrame → the messages above, as values); VmcSender is the
// transport (liblo, UDP). Bone positions are sent as 0: VMC bone positions are local offsets from
// the parent bone, which a face tracker does not know; receivers keep the avatar's own.
//
// Failure modes: parse_osc_endpoint throws std::invalid_argument for anything but HOST:PORT with a
// port in 1–65535; VmcSender::open throws IoError (Write, naming the endpoint) when the host does
// not resolve; send throws IoError when the operating system refuses the datagram. UDP has no
// receiver check: nobody listening is not an error (that is how OSC works).
// Thread safety: the functions are pure; a VmcSender is used by one thread at a time.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "semblend/take.h"

namespace semblend {

inline constexpr int kVmcDefaultPort = 39539;  // the protocol's default receiving port

struct OscEndpoint {
  std::string host = "127.0.0.1";
  int port = kVmcDefaultPort;
  std::string text() const;  // "host:port"
  friend bool operator==(const OscEndpoint&, const OscEndpoint&) = default;
};
// "HOST:PORT", ":PORT" or "PORT" (this machine: 127.0.0.1).
OscEndpoint parse_osc_endpoint(std::string_view text);

using OscArgument = std::variant<std::int32_t, float, std::string>;
struct OscMessage {
  std::string address;
  std::vector<OscArgument> arguments;
  friend bool operator==(const OscMessage&, const OscMessage&) = default;
};

enum class VmcNames : std::uint8_t {
  Apple,     // "eyeBlinkLeft": ARKit's own spelling (VRM 0.x matches either)
  LiveLink,  // "EyeBlinkLeft": Live Link Face's and most perfect-sync VRM clips' spelling
};

struct VmcOptions {
  VmcNames names = VmcNames::Apple;
  bool pose = true;  // send the Head and eye bones; false: blendshapes only (another tracker
                     // drives the head)
};

// The messages of one frame, in the order above. `tracked` false sends /VMC/Ext/OK 0 and nothing
// else but the time (the receiver holds or relaxes the avatar as it chooses).
std::vector<OscMessage> vmc_messages(const FaceFrame& frame, bool tracked = true,
                                     const VmcOptions& options = {});

// Unity's quaternion (x, y, z, w) for a head or eye pose: Ry(−yaw) · Rx(−pitch) · Rz(roll).
std::array<float, 4> vmc_rotation(float yaw, float pitch, float roll);

class VmcSender {
 public:
  static VmcSender open(const OscEndpoint& to, const VmcOptions& options = {});
  VmcSender(VmcSender&&) noexcept;
  VmcSender& operator=(VmcSender&&) noexcept;
  ~VmcSender();

  void send(const FaceFrame& frame, bool tracked = true);  // one bundle
  const OscEndpoint& endpoint() const { return to_; }
  std::size_t bundles_sent() const { return sent_; }

 private:
  struct Address;
  VmcSender(OscEndpoint to, VmcOptions options, std::unique_ptr<Address> address);
  OscEndpoint to_;
  VmcOptions options_;
  std::unique_ptr<Address> address_;
  std::size_t sent_ = 0;
};

}  // namespace semblend
