// A network that refuses every datagram, for tests: preloaded (LD_PRELOAD) into a semblend process,
// send() and sendto() fail with ENETUNREACH as they do when the route to a host is gone (a Wi-Fi
// link dropped). Name resolution and everything else are untouched.
#include <sys/socket.h>

#include <cerrno>

extern "C" {

ssize_t send(int /*fd*/, const void* /*data*/, size_t /*size*/, int /*flags*/) {
  errno = ENETUNREACH;
  return -1;
}

ssize_t sendto(int /*fd*/, const void* /*data*/, size_t /*size*/, int /*flags*/,
               const sockaddr* /*to*/, socklen_t /*to_size*/) {
  errno = ENETUNREACH;
  return -1;
}

}  // extern "C"
