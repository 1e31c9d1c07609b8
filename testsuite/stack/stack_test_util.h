// Helpers shared by the stack tests: two instances on a virtual wire,
// address parsing, counters.
#ifndef MPSAFE_TESTSUITE_STACK_TEST_UTIL_H
#define MPSAFE_TESTSUITE_STACK_TEST_UTIL_H

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>

#include <gtest/gtest.h>

#include <bsdnet.h>

namespace stacktest {

inline bsd_sockaddr_in sin(const char *addr, unsigned short port) {
  bsd_sockaddr_in s;
  std::memset(&s, 0, sizeof(s));
  s.sin_len = sizeof(s);
  s.sin_family = BSD_AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, addr, &s.sin_addr.s_addr);
  return s;
}

inline const bsd_sockaddr *sa(const bsd_sockaddr_in &s) {
  return reinterpret_cast<const bsd_sockaddr *>(&s);
}
inline bsd_sockaddr *sa(bsd_sockaddr_in &s) {
  return reinterpret_cast<bsd_sockaddr *>(&s);
}

inline unsigned long counter(bsd_stack *st, const char *name) {
  unsigned long v = 0;
  EXPECT_EQ(0, bsd_stack_counter(st, name, &v)) << "no counter " << name;
  return v;
}

// Wait (bounded) until a counter reaches at least min; its value.
inline unsigned long wait_counter(bsd_stack *st, const char *name,
                                  unsigned long min, int timeout_ms = 5000) {
  unsigned long v = 0;
  for (int waited = 0;; waited += 5) {
    v = 0;
    bsd_stack_counter(st, name, &v);
    if (v >= min || waited >= timeout_ms)
      return v;
    bsd_stack_quiesce(st, 100);
    struct timespec ts = {0, 5 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

inline std::string stats(bsd_stack *st) {
  std::string s(1 << 16, '\0');
  unsigned long n = bsd_stack_stats(st, &s[0], s.size());
  s.resize(n > s.size() ? s.size() - 1 : n - 1);
  return s;
}

// A UDP socket in st bound to addr:port, with a receive timeout so that a
// broken stack fails a test instead of hanging it.
inline int udp_socket(bsd_stack *st, const char *addr, unsigned short port,
                      int timeout_ms = 5000) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
  EXPECT_GE(s, 0) << std::strerror(errno);
  if (s < 0)
    return s;
  bsd_sockaddr_in a = sin(addr, port);
  EXPECT_EQ(0, bsd_bind(s, sa(a), sizeof(a))) << std::strerror(errno);
  bsd_timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  EXPECT_EQ(0, bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv,
                              sizeof(tv)));
  return s;
}

// Two instances a (10.0.0.1/24 on vw0) and b (10.0.0.2/24 on vw0) joined
// by a virtual wire with the given faults.
class TwoStacks : public ::testing::Test {
protected:
  void SetUp() override { Build(nullptr); }
  void Build(const bsd_impair *imp) {
    mbufs_before_ = bsd_mbufs_inuse();
    a_ = bsd_stack_create("a");
    b_ = bsd_stack_create("b");
    ASSERT_NE(nullptr, a_);
    ASSERT_NE(nullptr, b_);
    ASSERT_EQ(0, bsd_vwire_create(a_, "vw0", b_, "vw0", imp));
    ASSERT_EQ(0, bsd_if_addr(a_, "vw0", "10.0.0.1", 24));
    ASSERT_EQ(0, bsd_if_addr(b_, "vw0", "10.0.0.2", 24));
  }
  void TearDown() override {
    bsd_stack_destroy(a_);
    bsd_stack_destroy(b_);
    bsd_stack_use(nullptr);
    // Everything the stacks held is freed with them.
    EXPECT_EQ(mbufs_before_, bsd_mbufs_inuse());
  }
  bsd_stack *a_ = nullptr;
  bsd_stack *b_ = nullptr;
  unsigned long mbufs_before_ = 0;
};

} // namespace stacktest

#endif
