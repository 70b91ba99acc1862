#include "live/osc_receiver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>

namespace semblend::test {
namespace {

std::uint32_t be32(const unsigned char* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

// An OSC string: NUL-terminated, padded to a multiple of 4 bytes.
std::string osc_string(const unsigned char* data, std::size_t size, std::size_t& at) {
  const auto* start = reinterpret_cast<const char*>(data + at);
  const std::size_t n = strnlen(start, size - at);
  if (at + n >= size) throw std::runtime_error("unterminated OSC string");
  std::string s(start, n);
  at += (n + 4) & ~std::size_t{3};
  return s;
}

OscMessage parse_message(const unsigned char* data, std::size_t size) {
  std::size_t at = 0;
  OscMessage m;
  m.address = osc_string(data, size, at);
  const std::string tags = osc_string(data, size, at);
  if (tags.empty() || tags[0] != ',') throw std::runtime_error("no type tags in " + m.address);
  for (char t : tags.substr(1)) {
    if (t == 's') {
      m.arguments.emplace_back(osc_string(data, size, at));
      continue;
    }
    if (at + 4 > size) throw std::runtime_error("argument past the end in " + m.address);
    const std::uint32_t bits = be32(data + at);
    at += 4;
    if (t == 'i') {
      m.arguments.emplace_back(static_cast<std::int32_t>(bits));
    } else if (t == 'f') {
      float f = 0;
      std::memcpy(&f, &bits, 4);
      m.arguments.emplace_back(f);
    } else {
      throw std::runtime_error(std::string("unexpected type tag ") + t);
    }
  }
  if (at != size) throw std::runtime_error("trailing bytes in " + m.address);
  return m;
}

}  // namespace

OscBundle parse_osc_bundle(const unsigned char* data, std::size_t size) {
  if (size < 16 || std::memcmp(data, "#bundle\0", 8) != 0)
    throw std::runtime_error("not an OSC bundle");
  OscBundle b;
  b.timetag = (std::uint64_t{be32(data + 8)} << 32) | be32(data + 12);
  for (std::size_t at = 16; at < size;) {
    const std::uint32_t n = be32(data + at);
    if (n % 4 != 0 || at + 4 + n > size) throw std::runtime_error("bad bundle element size");
    b.messages.push_back(parse_message(data + at + 4, n));
    at += 4 + n;
  }
  return b;
}

OscReceiver::OscReceiver() {
  fd_ = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    if (fd_ >= 0) close(fd_);
    throw std::runtime_error("cannot bind a UDP socket on 127.0.0.1");
  }
  port_ = ntohs(a.sin_port);
  timeval tv{0, 100000};  // the thread looks at stop_ every 100 ms
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  thread_ = std::thread([this] {
    std::vector<unsigned char> buf(65536);
    while (!stop_) {
      const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      try {
        bundles_.push_back(parse_osc_bundle(buf.data(), static_cast<std::size_t>(n)));
      } catch (const std::exception& e) {
        errors_.push_back(e.what());
      }
    }
  });
}

OscReceiver::~OscReceiver() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

std::vector<OscBundle> OscReceiver::wait_for(std::size_t count) {
  for (int i = 0; i < 500; ++i) {
    {
      std::lock_guard lock(mutex_);
      if (bundles_.size() >= count) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::lock_guard lock(mutex_);
  return bundles_;
}

std::vector<std::string> OscReceiver::errors() {
  std::lock_guard lock(mutex_);
  return errors_;
}

}  // namespace semblend::test
