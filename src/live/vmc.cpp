// The VMC encoder (pure) and its UDP transport (liblo). Wire format: include/semblend/vmc.h and
// docs/formats.md ("Live streaming: VMC over OSC").
#include "semblend/vmc.h"

#include <lo/lo.h>
#include <netdb.h>
#include <sys/socket.h>

#include <charconv>
#include <utility>

#include "semblend/blendshape.h"
#include "semblend/error.h"

namespace semblend {
namespace {

OscMessage bone(std::string name, const std::array<float, 4>& q) {
  return {"/VMC/Ext/Bone/Pos", {std::move(name), 0.0F, 0.0F, 0.0F, q[0], q[1], q[2], q[3]}};
}

int parse_port(std::string_view text, std::string_view whole) {
  int port = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || port < 1 ||
      port > 65535)
    throw std::invalid_argument("'" + std::string(whole) +
                                "' is not an OSC destination: expected HOST:PORT with a port in "
                                "1-65535 (e.g. 127.0.0.1:39539)");
  return port;
}

}  // namespace

std::string OscEndpoint::text() const {
  return host + ":" + std::to_string(port);
}

OscEndpoint parse_osc_endpoint(std::string_view text) {
  OscEndpoint e;
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    e.port = parse_port(text, text);
    return e;
  }
  const std::string_view host = text.substr(0, colon);
  if (host.find_first_of(": \t") != std::string_view::npos)
    throw std::invalid_argument("'" + std::string(text) +
                                "' is not an OSC destination: expected HOST:PORT (IPv4 address "
                                "or host name)");
  if (!host.empty()) e.host = std::string(host);
  e.port = parse_port(text.substr(colon + 1), text);
  return e;
}

std::array<float, 4> vmc_rotation(float yaw, float pitch, float roll) {
  // Our poses (take.h): yaw > 0 turns the face toward the subject's left, pitch > 0 lifts the
  // chin, roll > 0 turns the eye line clockwise as the camera sees it. head_rotation_quaternion
  // gives that rotation in the face frame (glTF's: +X the subject's left, +Y up, +Z forward).
  // Unity's axes are the same with X mirrored (+X the avatar's right), and a rotation seen in a
  // mirror negates the quaternion's y and z: Ry(−yaw) · Rx(−pitch) · Rz(roll).
  const std::array<double, 4> q = head_rotation_quaternion({yaw, pitch, roll, std::nullopt});
  return {static_cast<float>(q[0]), static_cast<float>(-q[1]), static_cast<float>(-q[2]),
          static_cast<float>(q[3])};
}

std::vector<OscMessage> vmc_messages(const FaceFrame& frame, bool tracked,
                                     const VmcOptions& options) {
  std::vector<OscMessage> out;
  if (tracked) {
    out.reserve(kBlendshapeCount + 6);
    for (const BlendshapeInfo& b : kBlendshapes)
      out.push_back(
          {"/VMC/Ext/Blend/Val",
           {std::string(options.names == VmcNames::Apple ? b.apple_name : b.livelink_name),
            frame.coefficients[b.shape]}});
    out.push_back({"/VMC/Ext/Blend/Apply", {}});
    if (options.pose) {
      out.push_back(bone("Head", vmc_rotation(frame.head.yaw, frame.head.pitch, frame.head.roll)));
      out.push_back(bone("LeftEye", vmc_rotation(frame.left_eye.yaw, frame.left_eye.pitch, 0)));
      out.push_back(bone("RightEye", vmc_rotation(frame.right_eye.yaw, frame.right_eye.pitch, 0)));
    }
  }
  out.push_back({"/VMC/Ext/OK", {std::int32_t{tracked ? 1 : 0}}});
  out.push_back({"/VMC/Ext/T", {static_cast<float>(frame.time)}});
  return out;
}

// ---- transport -------------------------------------------------------------------------------

struct VmcSender::Address {
  lo_address address = nullptr;
  ~Address() {
    if (address != nullptr) lo_address_free(address);
  }
};

VmcSender::VmcSender(OscEndpoint to, VmcOptions options, std::unique_ptr<Address> address)
    : to_(std::move(to)), options_(options), address_(std::move(address)) {}
VmcSender::VmcSender(VmcSender&&) noexcept = default;
VmcSender& VmcSender::operator=(VmcSender&&) noexcept = default;
VmcSender::~VmcSender() = default;

VmcSender VmcSender::open(const OscEndpoint& to, const VmcOptions& options) {
  // liblo resolves the host only when it first sends; resolve it here so a misspelt host is an
  // error before anything runs.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(to.port);
  if (const int rc = getaddrinfo(to.host.c_str(), port.c_str(), &hints, &found); rc != 0)
    throw IoError(IoError::Op::Write, "osc://" + to.text(),
                  std::string("cannot resolve the host: ") + gai_strerror(rc));
  freeaddrinfo(found);
  auto address = std::make_unique<Address>();
  address->address = lo_address_new(to.host.c_str(), port.c_str());
  if (address->address == nullptr)
    throw IoError(IoError::Op::Write, "osc://" + to.text(), "liblo could not make the address");
  return VmcSender(to, options, std::move(address));
}

void VmcSender::send(const FaceFrame& frame, bool tracked) {
  lo_bundle bundle = lo_bundle_new(LO_TT_IMMEDIATE);
  for (const OscMessage& m : vmc_messages(frame, tracked, options_)) {
    lo_message message = lo_message_new();
    for (const OscArgument& a : m.arguments) {
      if (const auto* i = std::get_if<std::int32_t>(&a)) lo_message_add_int32(message, *i);
      if (const auto* f = std::get_if<float>(&a)) lo_message_add_float(message, *f);
      if (const auto* s = std::get_if<std::string>(&a)) lo_message_add_string(message, s->c_str());
    }
    lo_bundle_add_message(bundle, m.address.c_str(), message);
  }
  const int rc = lo_send_bundle(address_->address, bundle);
  lo_bundle_free_recursive(bundle);
  if (rc < 0)
    throw IoError(IoError::Op::Write, "osc://" + to_.text(),
                  std::string("sending failed: ") + lo_address_errstr(address_->address));
  ++sent_;
}

}  // namespace semblend
