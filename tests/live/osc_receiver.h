// An OSC 1.0 receiver for tests: a UDP socket on 127.0.0.1 that keeps every datagram, parsed by a
// reader written here from the OSC 1.0 specification (bundles of messages with int32, float32 and
// string arguments), independent of liblo, which the code under test sends with.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "semblend/vmc.h"

namespace semblend::test {

struct OscBundle {
  std::uint64_t timetag = 0;
  std::vector<OscMessage> messages;
};

// Parses one datagram holding a bundle; std::runtime_error says what is malformed.
OscBundle parse_osc_bundle(const unsigned char* data, std::size_t size);

class OscReceiver {
 public:
  OscReceiver();  // binds a free port; throws std::runtime_error if it cannot
  ~OscReceiver();
  OscReceiver(const OscReceiver&) = delete;
  OscReceiver& operator=(const OscReceiver&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  // The bundles received so far, after waiting (up to 5 s) until there are at least `count`, and
  // 50 ms more for any extra.
  std::vector<OscBundle> wait_for(std::size_t count);
  std::vector<std::string> errors();  // datagrams that did not parse

 private:
  int fd_ = -1, port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::vector<OscBundle> bundles_;
  std::vector<std::string> errors_;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace semblend::test
