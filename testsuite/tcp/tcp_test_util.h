// Helpers of the TCP tests: two stack instances on a virtual wire, socket
// shortcuts over the bsd_* API, and a data stream whose hash both ends
// compute.
#ifndef MPSAFE_TESTSUITE_TCP_TEST_UTIL_H
#define MPSAFE_TESTSUITE_TCP_TEST_UTIL_H

#include "bsdnet.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

// Kernel time speed-up (stack/sys/time.h); the stack's C headers are not
// includable from C++ tests, which see only bsdnet.h.
extern "C" void kern_clock_scale(unsigned int n);
// The TCP counters read in the instance (tcp_test_stats.c).
extern "C" int tcp_test_counter(bsd_stack *st, const char *name,
                                unsigned long *value);

namespace tcptest {

// Makes kernel time run `n` times faster for the life of the object.
class ClockScale {
public:
  explicit ClockScale(unsigned n) { kern_clock_scale(n); }
  ~ClockScale() { kern_clock_scale(1); }
};

inline bsd_sockaddr_in makeAddr(const char *ip, unsigned short port) {
  bsd_sockaddr_in sin;
  std::memset(&sin, 0, sizeof(sin));
  sin.sin_len = sizeof(sin);
  sin.sin_family = BSD_AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = ip ? inet_addr(ip) : 0;
  return sin;
}

// Two instances, "a" (10.0.0.1) and "b" (10.0.0.2), on one virtual wire.
class WirePair {
public:
  explicit WirePair(const bsd_impair &imp = bsd_impair{}, int mtu = 0) {
    a = bsd_stack_create("a");
    b = bsd_stack_create("b");
    EXPECT_NE(a, nullptr);
    EXPECT_NE(b, nullptr);
    EXPECT_EQ(bsd_vwire_create(a, "vw0", b, "vw0", &imp), 0);
    if (mtu) {
      EXPECT_EQ(bsd_if_mtu(a, "vw0", mtu), 0);
      EXPECT_EQ(bsd_if_mtu(b, "vw0", mtu), 0);
    }
    EXPECT_EQ(bsd_if_addr(a, "vw0", "10.0.0.1", 24), 0);
    EXPECT_EQ(bsd_if_addr(b, "vw0", "10.0.0.2", 24), 0);
  }
  ~WirePair() {
    // Let the netisr queues drain before the instances go away.
    bsd_stack_quiesce(a, 1000);
    bsd_stack_quiesce(b, 1000);
    bsd_stack_destroy(a);
    bsd_stack_destroy(b);
  }
  WirePair(const WirePair &) = delete;
  WirePair &operator=(const WirePair &) = delete;

  bsd_stack *a = nullptr;
  bsd_stack *b = nullptr;
};

// Value of a statistics counter ("tcp.rcvbadsum"); fails the test when the
// stack does not know the name.
inline unsigned long counter(bsd_stack *st, const char *name) {
  unsigned long v = 0;
  int error = bsd_stack_counter(st, name, &v);
  if (error == ENOENT)
    error = tcp_test_counter(st, name, &v);
  EXPECT_EQ(error, 0) << "unknown counter " << name;
  return v;
}

// A listening socket of stack st on port (any address).
inline int listenOn(bsd_stack *st, unsigned short port, int backlog = 128) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  EXPECT_GE(s, 0) << std::strerror(errno);
  int one = 1;
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_REUSEADDR, &one, sizeof(one));
  bsd_sockaddr_in sin = makeAddr(nullptr, port);
  EXPECT_EQ(bsd_bind(s, (bsd_sockaddr *)&sin, sizeof(sin)), 0)
      << std::strerror(errno);
  EXPECT_EQ(bsd_listen(s, backlog), 0) << std::strerror(errno);
  return s;
}

// A socket of stack st connected (blocking) to ip:port; -1 and errno on
// failure.
inline int connectTo(bsd_stack *st, const char *ip, unsigned short port) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  if (s < 0)
    return -1;
  bsd_sockaddr_in sin = makeAddr(ip, port);
  if (bsd_connect(s, (bsd_sockaddr *)&sin, sizeof(sin)) != 0) {
    int e = errno;
    bsd_close(s);
    errno = e;
    return -1;
  }
  return s;
}

inline int setInt(int s, int level, int name, int v) {
  return bsd_setsockopt(s, level, name, &v, sizeof(v));
}

// Sends all of buf; false on error.
inline bool sendAll(int s, const void *buf, size_t len) {
  const char *p = static_cast<const char *>(buf);
  while (len > 0) {
    long n = bsd_send(s, p, len, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    p += n;
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Reads until EOF; returns the bytes, and the error (0 for a clean EOF).
inline std::string recvAll(int s, int *errorp = nullptr) {
  std::string out;
  char buf[16384];
  for (;;) {
    long n = bsd_recv(s, buf, sizeof(buf), 0);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (errorp)
      *errorp = n < 0 ? errno : 0;
    return out;
  }
}

// A reproducible byte stream (xorshift64*).
class Stream {
public:
  explicit Stream(uint64_t seed) : state_(seed ? seed : 1) {}
  void fill(char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
      if (avail_ == 0) {
        state_ ^= state_ >> 12;
        state_ ^= state_ << 25;
        state_ ^= state_ >> 27;
        word_ = state_ * 2685821657736338717ULL;
        avail_ = 8;
      }
      p[i] = static_cast<char>(word_ & 0xff);
      word_ >>= 8;
      avail_--;
    }
  }

private:
  uint64_t state_;
  uint64_t word_ = 0;
  int avail_ = 0;
};

// FNV-1a, 64 bits, over a stream fed in pieces.
class Hash {
public:
  void update(const void *p, size_t n) {
    const unsigned char *c = static_cast<const unsigned char *>(p);
    for (size_t i = 0; i < n; i++) {
      h_ ^= c[i];
      h_ *= 1099511628211ULL;
    }
    bytes_ += n;
  }
  uint64_t value() const { return h_; }
  uint64_t bytes() const { return bytes_; }

private:
  uint64_t h_ = 14695981039346656037ULL;
  uint64_t bytes_ = 0;
};

} // namespace tcptest

#endif
