// Bulk transfers between two stacks on a virtual wire, with seeded loss,
// duplication and reordering: the bytes arrive identical (hash checked)
// and both ends close cleanly.
#include "tcp_test_util.h"

#include <algorithm>
#include <thread>

using namespace tcptest;

namespace {

// 10 MB per transfer: about 0.1 s each here, under 2 s under TSan.
constexpr size_t kTransferBytes = 10u << 20;

// Receive timeouts are in kernel time, which runs kScale times faster.
constexpr unsigned kScale = 20;

void setRecvTimeout(int s, long realSeconds) {
  bsd_timeval tv{realSeconds * kScale, 0};
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv, sizeof(tv));
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_SNDTIMEO, &tv, sizeof(tv));
}

struct Result {
  Hash sent, received, echoed;
  int sendError = 0, recvError = 0, clientEofError = -1;
};

// a sends `total` bytes to b, half-closes, and b sends a short trailer
// back before closing; both sides hash what they see.
Result transfer(WirePair &w, size_t total, unsigned short port) {
  Result r;
  int ls = listenOn(w.b, port);
  std::thread server([&] {
    bsd_stack_use(w.b);
    int c = bsd_accept(ls, nullptr, nullptr);
    if (c < 0) {
      r.recvError = errno;
      return;
    }
    setRecvTimeout(c, 60);
    char buf[32768];
    for (;;) {
      long n = bsd_recv(c, buf, sizeof(buf), 0);
      if (n <= 0) {
        r.recvError = n < 0 ? errno : 0;
        break;
      }
      r.received.update(buf, static_cast<size_t>(n));
    }
    const char trailer[] = "done";
    sendAll(c, trailer, 4);
    bsd_close(c);
  });

  int s = connectTo(w.a, "10.0.0.2", port);
  EXPECT_GE(s, 0) << std::strerror(errno);
  if (s >= 0) {
    setRecvTimeout(s, 60);
    Stream gen(port);
    std::vector<char> chunk(65536);
    for (size_t done = 0; done < total;) {
      size_t n = std::min(chunk.size(), total - done);
      gen.fill(chunk.data(), n);
      r.sent.update(chunk.data(), n);
      if (!sendAll(s, chunk.data(), n)) {
        r.sendError = errno;
        break;
      }
      done += n;
    }
    EXPECT_EQ(bsd_shutdown(s, BSD_SHUT_WR), 0);
    std::string back = recvAll(s, &r.clientEofError);
    r.echoed.update(back.data(), back.size());
    bsd_close(s);
  }
  server.join();
  bsd_close(ls);
  return r;
}

void expectIntact(const Result &r, size_t total) {
  EXPECT_EQ(r.sendError, 0) << std::strerror(r.sendError);
  EXPECT_EQ(r.recvError, 0) << std::strerror(r.recvError);
  EXPECT_EQ(r.clientEofError, 0) << "the server's FIN never came";
  EXPECT_EQ(r.sent.bytes(), total);
  EXPECT_EQ(r.received.bytes(), total);
  EXPECT_EQ(r.received.value(), r.sent.value());
  EXPECT_EQ(r.echoed.bytes(), 4u);
}

void runTransfer(const bsd_impair &imp, unsigned short port) {
  ClockScale scale(kScale);
  WirePair w(imp);
  Result r = transfer(w, kTransferBytes, port);
  expectIntact(r, kTransferBytes);
  // A clean close: no connection ended by a RST or a timeout.
  EXPECT_EQ(counter(w.a, "tcp.drops"), 0u);
  EXPECT_EQ(counter(w.b, "tcp.drops"), 0u);
  EXPECT_EQ(counter(w.a, "tcp.timeoutdrop"), 0u);
  EXPECT_GT(counter(w.b, "tcp.rcvbyte"), 0u);
}

TEST(TcpTransfer, NoLoss) {
  bsd_impair imp{};
  runTransfer(imp, 5001);
}

TEST(TcpTransfer, OnePercentLoss) {
  bsd_impair imp{};
  imp.loss_ppm = 10000;
  imp.seed = 1;
  runTransfer(imp, 5002);
}

TEST(TcpTransfer, FivePercentLoss) {
  bsd_impair imp{};
  imp.loss_ppm = 50000;
  imp.seed = 2;
  ClockScale scale(kScale);
  WirePair w(imp);
  Result r = transfer(w, kTransferBytes, 5003);
  expectIntact(r, kTransferBytes);
  // Losses were repaired by fast retransmit and by timeout.
  EXPECT_GT(counter(w.a, "tcp.sndrexmitpack"), 0u);
  EXPECT_GT(counter(w.a, "tcp.sndfastrexmit"), 0u);
  EXPECT_GT(counter(w.a, "tcp.rttupdated"), 0u);
}

TEST(TcpTransfer, ReorderAndDuplicate) {
  bsd_impair imp{};
  imp.reorder_ppm = 20000;
  imp.dup_ppm = 20000;
  imp.loss_ppm = 5000;
  imp.seed = 3;
  ClockScale scale(kScale);
  WirePair w(imp);
  Result r = transfer(w, kTransferBytes, 5004);
  expectIntact(r, kTransferBytes);
  // Out-of-order segments went through the reassembly queue, and the
  // receiver reported its holes with SACK blocks.
  EXPECT_GT(counter(w.b, "tcp.rcvoopack"), 0u);
  EXPECT_GT(counter(w.b, "tcp.rcvsackblk"), 0u);
  // Duplicated segments were recognized as such.
  EXPECT_GT(counter(w.b, "tcp.rcvduppack") +
                counter(w.b, "tcp.rcvpartduppack"),
            0u);
}

TEST(TcpTransfer, SmallMtu) {
  bsd_impair imp{};
  imp.loss_ppm = 10000;
  imp.seed = 4;
  ClockScale scale(kScale);
  WirePair w(imp, 576);
  Result r = transfer(w, kTransferBytes / 8, 5005);
  expectIntact(r, kTransferBytes / 8);
}

} // namespace
