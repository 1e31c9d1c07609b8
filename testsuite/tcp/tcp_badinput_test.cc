// Hostile and malformed TCP segments, handed to a stack's interface as
// received frames: each is dropped or answered as the RFCs say, and
// counted; none disturbs the connections the stack holds.
#include "tcp_test_util.h"

#include <random>

using namespace tcptest;

namespace {

constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kAck = 0x10;

uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum = 0) {
  for (size_t i = 0; i + 1 < n; i += 2)
    sum += static_cast<uint32_t>(p[i] << 8 | p[i + 1]);
  if (n & 1)
    sum += static_cast<uint32_t>(p[n - 1] << 8);
  return sum;
}

uint16_t fold(uint32_t sum) {
  while (sum >> 16)
    sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(~sum);
}

void put16(std::vector<uint8_t> &f, size_t at, uint32_t v) {
  f[at] = static_cast<uint8_t>(v >> 8);
  f[at + 1] = static_cast<uint8_t>(v);
}

void put32(std::vector<uint8_t> &f, size_t at, uint32_t v) {
  put16(f, at, v >> 16);
  put16(f, at + 2, v & 0xffff);
}

// A TCP segment from src:sport to 10.0.0.2:dport in an Ethernet frame for
// stack b's interface.
struct Segment {
  uint32_t src = 0x0a000063; // 10.0.0.99
  uint16_t sport = 40000, dport = 8000;
  uint32_t seq = 1000, ack = 0;
  uint8_t flags = kSyn;
  uint16_t win = 65535;
  std::vector<uint8_t> options;
  std::string payload;
  int dataOffsetWords = -1; // override the header length field
  bool badSum = false;
  size_t truncateTcpTo = 0; // cut the TCP part (IP length follows)

  std::vector<uint8_t> frame(const unsigned char mac[6]) const {
    size_t thlen = 20 + options.size();
    size_t tlen = thlen + payload.size();
    if (truncateTcpTo)
      tlen = truncateTcpTo;
    std::vector<uint8_t> f(14 + 20 + std::max(tlen, thlen + payload.size()));
    std::copy(mac, mac + 6, f.begin());
    const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x99};
    std::copy(smac, smac + 6, f.begin() + 6);
    put16(f, 12, 0x0800);
    size_t ip = 14, th = 34;
    f[ip] = 0x45;
    put16(f, ip + 2, static_cast<uint32_t>(20 + tlen));
    put16(f, ip + 4, 0x1234);
    f[ip + 8] = 64;
    f[ip + 9] = 6;
    put32(f, ip + 12, src);
    put32(f, ip + 16, 0x0a000002);
    put16(f, ip + 10, fold(sum16(&f[ip], 20)));
    put16(f, th, sport);
    put16(f, th + 2, dport);
    put32(f, th + 4, seq);
    put32(f, th + 8, ack);
    int off = dataOffsetWords >= 0 ? dataOffsetWords
                                   : static_cast<int>(thlen / 4);
    f[th + 12] = static_cast<uint8_t>(off << 4);
    f[th + 13] = flags;
    put16(f, th + 14, win);
    std::copy(options.begin(), options.end(), f.begin() + th + 20);
    std::copy(payload.begin(), payload.end(), f.begin() + th + thlen);
    f.resize(14 + 20 + tlen);
    uint32_t pseudo = sum16(&f[ip + 12], 8) + 6 + static_cast<uint32_t>(tlen);
    uint16_t sum = fold(sum16(&f[th], tlen, pseudo));
    put16(f, th + 16, badSum ? sum ^ 0x5a5a : sum);
    return f;
  }
};

class TcpBadInput : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_EQ(bsd_if_lladdr(w.b, "vw0", mac), 0);
    ls = listenOn(w.b, 8000, 8);
  }
  void TearDown() override { bsd_close(ls); }

  void inject(const Segment &s) {
    std::vector<uint8_t> f = s.frame(mac);
    ASSERT_EQ(bsd_if_inject(w.b, "vw0", f.data(),
                            static_cast<unsigned>(f.size())),
              0);
  }
  unsigned long b(const char *name) { return counter(w.b, name); }

  WirePair w;
  unsigned char mac[6] = {};
  int ls = -1;
};

TEST_F(TcpBadInput, BadChecksumIsDropped) {
  unsigned long accepts = b("tcp.accepts");
  Segment s;
  s.badSum = true;
  inject(s);
  EXPECT_EQ(b("tcp.rcvbadsum"), 1u);
  EXPECT_EQ(b("tcp.accepts"), accepts);
}

TEST_F(TcpBadInput, BadDataOffsetIsDropped) {
  Segment s;
  s.dataOffsetWords = 4; // below the 20-byte minimum
  inject(s);
  s.dataOffsetWords = 15; // 60 bytes: past the end of the segment
  inject(s);
  EXPECT_EQ(b("tcp.rcvbadoff"), 2u);
  EXPECT_EQ(b("tcp.accepts"), 0u);
}

TEST_F(TcpBadInput, TruncatedHeaderIsDropped) {
  Segment s;
  s.truncateTcpTo = 12;
  inject(s);
  EXPECT_EQ(b("tcp.rcvshort"), 1u);
}

TEST_F(TcpBadInput, MalformedOptionsAreDropped) {
  Segment s;
  s.options = {2, 0, 0, 0};          // MSS with length 0
  inject(s);
  s.options = {1, 1, 3, 4};          // window scale with length 4
  inject(s);
  s.options = {1, 1, 8, 10, 0, 0, 0, 0}; // timestamp running past the header
  inject(s);
  s.options = {2, 3, 5, 0};          // MSS with length 3
  inject(s);
  EXPECT_EQ(b("tcp.rcvbadopt"), 4u);
  EXPECT_EQ(b("tcp.accepts"), 0u);
  // Unknown options of sane length are skipped; the SYN is accepted.
  s.options = {254, 4, 0xaa, 0xbb, 2, 4, 0x05, 0xb4};
  inject(s);
  EXPECT_EQ(b("tcp.accepts"), 1u);
}

TEST_F(TcpBadInput, ClosedPortAnswersResetButNeverToReset) {
  unsigned long rst = b("tcp.sndrst");
  Segment s;
  s.dport = 8999;
  inject(s);
  EXPECT_EQ(b("tcp.sndrst"), rst + 1);
  s.flags = kRst | kAck;
  inject(s);
  EXPECT_EQ(b("tcp.sndrst"), rst + 1);
  EXPECT_EQ(b("tcp.noport"), 2u);
}

TEST_F(TcpBadInput, ListenerRejectsNonSyn) {
  unsigned long rst = b("tcp.sndrst");
  Segment s;
  s.flags = kAck; // an ACK for a connection the listener never had
  inject(s);
  EXPECT_EQ(b("tcp.sndrst"), rst + 1);
  s.flags = kSyn | kFin;
  inject(s);
  s.flags = kRst;
  inject(s);
  EXPECT_EQ(b("tcp.sndrst"), rst + 1);
  EXPECT_EQ(b("tcp.accepts"), 0u);
  EXPECT_EQ(b("tcp.badsyn"), 2u);
}

TEST_F(TcpBadInput, Rfc5961ProtectsEmbryonicConnection) {
  Segment syn;
  syn.seq = 5000;
  inject(syn);
  ASSERT_EQ(b("tcp.accepts"), 1u);
  // RST in the window but not at rcv_nxt: challenge ACK, no drop.
  Segment rst = syn;
  rst.flags = kRst;
  rst.seq = 5001 + 100;
  inject(rst);
  EXPECT_EQ(b("tcp.challenge_ack"), 1u);
  EXPECT_EQ(b("tcp.rcvrst"), 0u);
  // RST far outside the window: ignored silently.
  rst.seq = 5001 + 0x40000000;
  inject(rst);
  EXPECT_EQ(b("tcp.challenge_ack"), 1u);
  EXPECT_EQ(b("tcp.badrst"), 2u);
  // A different SYN on the embryonic connection: challenge ACK.
  Segment syn2 = syn;
  syn2.seq = 90000;
  inject(syn2);
  EXPECT_EQ(b("tcp.challenge_ack"), 2u);
  // The exact RST is acted on.
  rst.seq = 5001;
  inject(rst);
  EXPECT_EQ(b("tcp.rcvrst"), 1u);
}

TEST_F(TcpBadInput, BlindInjectionLeavesConnectionIntact) {
  int c = connectTo(w.a, "10.0.0.2", 8000);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  bsd_sockaddr_in local{};
  bsd_socklen_t len = sizeof(local);
  ASSERT_EQ(bsd_getsockname(c, (bsd_sockaddr *)&local, &len), 0);

  std::mt19937 rng(42);
  Segment f;
  f.src = 0x0a000001; // 10.0.0.1, the real peer
  f.sport = ntohs(local.sin_port);
  for (int i = 0; i < 300; i++) {
    f.seq = rng();
    f.ack = rng();
    f.flags = i % 3 == 0 ? kRst : i % 3 == 1 ? kSyn : (kAck | kFin);
    f.payload = i % 3 == 2 ? "forged" : "";
    inject(f);
  }
  // Nothing forged reached the application or reset the connection.
  EXPECT_EQ(b("tcp.rcvrst"), 0u);
  EXPECT_EQ(b("tcp.badrst"), 100u);
  EXPECT_GE(b("tcp.badsyn"), 100u);
  ASSERT_TRUE(sendAll(c, "real", 4));
  char buf[8];
  ASSERT_EQ(bsd_recv(s, buf, 4, BSD_MSG_WAITALL), 4);
  EXPECT_EQ(std::string(buf, 4), "real");
  bsd_close(c);
  EXPECT_EQ(recvAll(s), "");
  bsd_close(s);
}

TEST_F(TcpBadInput, SynFloodIsBoundedAndServiceContinues) {
  Segment s;
  for (int i = 0; i < 3000; i++) {
    s.src = 0x0a000064 + static_cast<uint32_t>(i % 100); // 10.0.0.100+
    s.sport = static_cast<uint16_t>(1024 + i);
    s.seq = static_cast<uint32_t>(i) * 7919u;
    inject(s);
  }
  // The embryonic connections are bounded: most SYNs evicted an older one.
  EXPECT_GE(b("tcp.listendrop"), 3000u - 100u);
  // A genuine client still gets in.
  int c = connectTo(w.a, "10.0.0.2", 8000);
  ASSERT_GE(c, 0) << std::strerror(errno);
  bsd_stack_use(w.b);
  int a = bsd_accept(ls, nullptr, nullptr);
  EXPECT_GE(a, 0);
  bsd_close(a);
  bsd_close(c);
}

} // namespace
