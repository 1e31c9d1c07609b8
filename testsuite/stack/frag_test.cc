// Fragmentation and reassembly over a virtual wire that reorders and
// duplicates frames: 60 KB datagrams over MTU 1500 arrive whole.
#include <vector>

#include "stack_test_util.h"

using namespace stacktest;

namespace {

class FaultyWire : public TwoStacks {
protected:
  void SetUp() override {
    bsd_impair imp = {};
    imp.reorder_ppm = 200000; // 20% of frames held back behind the next
    imp.dup_ppm = 100000;     // 10% delivered twice
    imp.seed = 42;
    Build(&imp);
  }
};

TEST_F(FaultyWire, LargeDatagramsReassembledUnderReorderAndDuplication) {
  constexpr int kDatagrams = 20;
  constexpr size_t kLen = 60000;
  int rx = udp_socket(b_, "10.0.0.2", 6000, 10000);
  int tx = udp_socket(a_, "0.0.0.0", 0);
  bsd_sockaddr_in to = sin("10.0.0.2", 6000);
  std::vector<unsigned char> out(kLen), in(kLen + 100);
  for (int i = 0; i < kDatagrams; i++) {
    for (size_t j = 0; j < kLen; j++)
      out[j] = (unsigned char)((j * 131 + i * 17) ^ (j >> 8));
    ASSERT_EQ((long)kLen, bsd_sendto(tx, out.data(), kLen, 0, sa(to),
                                     sizeof(to)))
        << std::strerror(errno);
    long n = bsd_recv(rx, in.data(), in.size(), 0);
    ASSERT_EQ((long)kLen, n) << "datagram " << i << ": "
                             << std::strerror(errno) << stats(b_);
    ASSERT_EQ(0, std::memcmp(in.data(), out.data(), kLen))
        << "datagram " << i << " corrupted";
  }
  // 60000 bytes over 1480-byte fragments: 41 fragments each.
  EXPECT_GE(counter(a_, "ip.ofragments"), 41u * kDatagrams);
  EXPECT_GE(counter(b_, "ip.reassembled"), (unsigned long)kDatagrams);
  // The wire really reordered and duplicated, and the duplicates were
  // recognised and dropped.
  EXPECT_GT(counter(a_, "vw0.reordered"), 0u);
  EXPECT_GT(counter(a_, "vw0.duplicated"), 0u);
  EXPECT_GT(counter(b_, "ip.fragdropped") + counter(b_, "ip.fragoverlap"),
            0u);
  EXPECT_EQ(0u, counter(b_, "udp.badsum"));
  bsd_close(rx);
  bsd_close(tx);
}

TEST_F(FaultyWire, LossIsCountedAndTheRestGetsThrough) {
  // A separate lossy wire between two fresh instances.
  bsd_stack *x = bsd_stack_create("x"), *y = bsd_stack_create("y");
  bsd_impair imp = {};
  imp.loss_ppm = 300000;
  imp.seed = 7;
  ASSERT_EQ(0, bsd_vwire_create(x, "vw0", y, "vw0", &imp));
  ASSERT_EQ(0, bsd_if_addr(x, "vw0", "10.5.0.1", 24));
  ASSERT_EQ(0, bsd_if_addr(y, "vw0", "10.5.0.2", 24));
  int rx = udp_socket(y, "10.5.0.2", 6001, 50);
  int tx = udp_socket(x, "0.0.0.0", 0);
  bsd_sockaddr_in to = sin("10.5.0.2", 6001);
  int got = 0;
  char buf[64];
  for (int i = 0; i < 40; i++) {
    bsd_sendto(tx, "d", 1, 0, sa(to), sizeof(to));
    if (bsd_recv(rx, buf, sizeof(buf), 0) == 1)
      got++;
  }
  unsigned long lost = counter(x, "vw0.lost") + counter(y, "vw0.lost");
  EXPECT_GT(lost, 0u);
  EXPECT_GT(got, 0);
  EXPECT_LT(got, 40);
  bsd_close(rx);
  bsd_close(tx);
  bsd_stack_destroy(x);
  bsd_stack_destroy(y);
}

TEST_F(FaultyWire, DelayedFramesArriveInOrder) {
  bsd_stack *x = bsd_stack_create("x"), *y = bsd_stack_create("y");
  bsd_impair imp = {};
  imp.delay_ms = 20;
  ASSERT_EQ(0, bsd_vwire_create(x, "vw0", y, "vw0", &imp));
  ASSERT_EQ(0, bsd_if_addr(x, "vw0", "10.6.0.1", 24));
  ASSERT_EQ(0, bsd_if_addr(y, "vw0", "10.6.0.2", 24));
  int rx = udp_socket(y, "10.6.0.2", 6002);
  int tx = udp_socket(x, "0.0.0.0", 0);
  bsd_sockaddr_in to = sin("10.6.0.2", 6002);
  for (int i = 0; i < 10; i++) {
    char c = (char)('0' + i);
    ASSERT_EQ(1, bsd_sendto(tx, &c, 1, 0, sa(to), sizeof(to)));
  }
  for (int i = 0; i < 10; i++) {
    char c = 0;
    ASSERT_EQ(1, bsd_recv(rx, &c, 1, 0)) << std::strerror(errno);
    EXPECT_EQ((char)('0' + i), c);
  }
  EXPECT_GT(counter(x, "vw0.delayed"), 0u);
  bsd_close(rx);
  bsd_close(tx);
  bsd_stack_destroy(x);
  bsd_stack_destroy(y);
}

} // namespace
