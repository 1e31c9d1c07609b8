// Connection life cycle between two stacks on a virtual wire: handshake
// and close edge cases, RST, half-close, zero window and persist,
// retransmission backoff to ETIMEDOUT, listen backlog overflow,
// keepalive, non-blocking calls and many concurrent connections.
#include "tcp_test_util.h"

#include <atomic>
#include <chrono>
#include <thread>

using namespace tcptest;

namespace {

// TCP_INFO of stack/netinet/tcp.h (level IPPROTO_TCP).
constexpr int kTcpNodelay = 0x01;
constexpr int kTcpKeepidle = 0x100;
constexpr int kTcpKeepintvl = 0x200;
constexpr int kTcpKeepcnt = 0x400;
constexpr int kTcpInfo = 0x20;
constexpr int kTimeWait = 10, kEstablished = 4, kClosing = 7;

struct TcpInfo {
  uint8_t state, options, snd_wscale, rcv_wscale;
  uint32_t rto, snd_mss, rcv_mss, rtt, rttvar, ssthresh, cwnd, snd_wnd,
      rcv_space, rexmitpack;
};

int tcpState(int s) {
  TcpInfo ti{};
  bsd_socklen_t len = sizeof(ti);
  if (bsd_getsockopt(s, BSD_IPPROTO_TCP, kTcpInfo, &ti, &len) != 0)
    return -1;
  return ti.state;
}

void setNonBlocking(int s) {
  int fl = bsd_fcntl(s, BSD_F_GETFL, 0);
  ASSERT_GE(fl, 0);
  ASSERT_EQ(bsd_fcntl(s, BSD_F_SETFL, fl | BSD_O_NONBLOCK), 0);
}

// Waits for `events` on s, at most `ms` real milliseconds.
short waitFor(int s, short events, int ms) {
  bsd_pollfd p{s, events, 0};
  int n = bsd_poll(&p, 1, ms);
  return n > 0 ? p.revents : 0;
}

// Polls cond every millisecond for up to `ms` real milliseconds.
template <typename F> bool eventually(F cond, int ms = 10000) {
  for (int i = 0; i < ms; i++) {
    if (cond())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

TEST(TcpConn, HandshakeEchoAndAddresses) {
  WirePair w;
  int ls = listenOn(w.b, 7001);
  int c = connectTo(w.a, "10.0.0.2", 7001);
  ASSERT_GE(c, 0) << std::strerror(errno);
  bsd_sockaddr_in peer{};
  bsd_socklen_t plen = sizeof(peer);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, (bsd_sockaddr *)&peer, &plen);
  ASSERT_GE(s, 0) << std::strerror(errno);
  EXPECT_EQ(peer.sin_addr.s_addr, inet_addr("10.0.0.1"));

  bsd_sockaddr_in local{};
  bsd_socklen_t llen = sizeof(local);
  ASSERT_EQ(bsd_getsockname(c, (bsd_sockaddr *)&local, &llen), 0);
  EXPECT_EQ(local.sin_addr.s_addr, inet_addr("10.0.0.1"));
  EXPECT_EQ(local.sin_port, peer.sin_port);
  EXPECT_EQ(tcpState(c), kEstablished);

  ASSERT_TRUE(sendAll(c, "hello", 5));
  char buf[16];
  ASSERT_EQ(bsd_recv(s, buf, 5, BSD_MSG_WAITALL), 5);
  EXPECT_EQ(std::string(buf, 5), "hello");
  ASSERT_TRUE(sendAll(s, "world!", 6));
  long n = bsd_recv(c, buf, sizeof(buf), 0);
  EXPECT_EQ(std::string(buf, n > 0 ? n : 0), "world!");

  // The options were negotiated: window scaling and timestamps.
  TcpInfo ti{};
  bsd_socklen_t len = sizeof(ti);
  ASSERT_EQ(bsd_getsockopt(c, BSD_IPPROTO_TCP, kTcpInfo, &ti, &len), 0);
  EXPECT_NE(ti.options & 0x01, 0) << "timestamps";
  EXPECT_NE(ti.options & 0x02, 0) << "SACK permitted";
  EXPECT_NE(ti.options & 0x04, 0) << "window scaling";
  EXPECT_EQ(ti.snd_wscale, 1) << "64 KB buffers need a shift of 1";
  EXPECT_EQ(ti.snd_mss, 1500u - 40u - 12u);

  bsd_close(c);
  EXPECT_EQ(bsd_recv(s, buf, sizeof(buf), 0), 0) << "FIN seen as EOF";
  bsd_close(s);
  bsd_close(ls);
  // The active closer is in TIME_WAIT; the passive one is gone.
  EXPECT_EQ(counter(w.a, "tcp.connects"), 1u);
  EXPECT_EQ(counter(w.b, "tcp.accepts"), 1u);
}

TEST(TcpConn, RefusedWithoutListener) {
  WirePair w;
  int c = connectTo(w.a, "10.0.0.2", 7002);
  EXPECT_EQ(c, -1);
  EXPECT_EQ(errno, ECONNREFUSED);
  EXPECT_GE(counter(w.b, "tcp.sndrst"), 1u);
}

TEST(TcpConn, HalfClose) {
  WirePair w;
  int ls = listenOn(w.b, 7003);
  int c = connectTo(w.a, "10.0.0.2", 7003);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  ASSERT_TRUE(sendAll(c, "request", 7));
  ASSERT_EQ(bsd_shutdown(c, BSD_SHUT_WR), 0);
  // The server reads to EOF, then still answers on its open half.
  EXPECT_EQ(recvAll(s), "request");
  std::string big(1000000, 'x');
  std::thread tx([&] {
    EXPECT_TRUE(sendAll(s, big.data(), big.size()));
    bsd_close(s);
  });
  int err = -1;
  EXPECT_EQ(recvAll(c, &err), big);
  tx.join();
  EXPECT_EQ(err, 0);
  EXPECT_EQ(tcpState(c), kTimeWait);
  // Sending on the closed half fails.
  EXPECT_EQ(bsd_send(c, "x", 1, 0), -1);
  EXPECT_EQ(errno, EPIPE);
  bsd_close(c);
  bsd_close(ls);
}

TEST(TcpConn, LingerZeroSendsReset) {
  WirePair w;
  int ls = listenOn(w.b, 7004);
  int c = connectTo(w.a, "10.0.0.2", 7004);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  bsd_linger lg{1, 0};
  ASSERT_EQ(bsd_setsockopt(c, BSD_SOL_SOCKET, BSD_SO_LINGER, &lg, sizeof(lg)),
            0);
  bsd_close(c);
  char buf[8];
  EXPECT_EQ(bsd_recv(s, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  EXPECT_EQ(counter(w.b, "tcp.rcvrst"), 1u);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, SimultaneousOpenAndClose) {
  bsd_impair imp{};
  imp.delay_ms = 30; // both SYNs and both FINs cross on the wire
  WirePair w(imp);
  bsd_stack_use(w.a);
  int a = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  bsd_stack_use(w.b);
  int b = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  ASSERT_GE(a, 0);
  ASSERT_GE(b, 0);
  bsd_sockaddr_in la = makeAddr("10.0.0.1", 7005);
  bsd_sockaddr_in lb = makeAddr("10.0.0.2", 7006);
  ASSERT_EQ(bsd_bind(a, (bsd_sockaddr *)&la, sizeof(la)), 0);
  ASSERT_EQ(bsd_bind(b, (bsd_sockaddr *)&lb, sizeof(lb)), 0);
  setNonBlocking(a);
  setNonBlocking(b);
  EXPECT_EQ(bsd_connect(a, (bsd_sockaddr *)&lb, sizeof(lb)), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  EXPECT_EQ(bsd_connect(b, (bsd_sockaddr *)&la, sizeof(la)), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  EXPECT_TRUE(waitFor(a, BSD_POLLOUT, 10000) & BSD_POLLOUT);
  EXPECT_TRUE(waitFor(b, BSD_POLLOUT, 10000) & BSD_POLLOUT);
  int err = -1;
  bsd_socklen_t len = sizeof(err);
  ASSERT_EQ(bsd_getsockopt(a, BSD_SOL_SOCKET, BSD_SO_ERROR, &err, &len), 0);
  EXPECT_EQ(err, 0);
  EXPECT_EQ(tcpState(a), kEstablished);
  EXPECT_EQ(tcpState(b), kEstablished);
  // Neither side listened: both opened actively.
  EXPECT_EQ(counter(w.a, "tcp.accepts"), 0u);
  EXPECT_EQ(counter(w.a, "tcp.connects"), 1u);
  EXPECT_EQ(counter(w.b, "tcp.connects"), 1u);

  EXPECT_EQ(bsd_send(a, "ab", 2, 0), 2);
  EXPECT_EQ(bsd_send(b, "ba", 2, 0), 2);
  EXPECT_TRUE(waitFor(a, BSD_POLLIN, 10000) & BSD_POLLIN);
  EXPECT_TRUE(waitFor(b, BSD_POLLIN, 10000) & BSD_POLLIN);
  char buf[4];
  EXPECT_EQ(bsd_recv(a, buf, sizeof(buf), 0), 2);
  EXPECT_EQ(bsd_recv(b, buf, sizeof(buf), 0), 2);

  // Simultaneous close: FIN_WAIT_1 -> CLOSING -> TIME_WAIT on both.
  ASSERT_EQ(bsd_shutdown(a, BSD_SHUT_WR), 0);
  ASSERT_EQ(bsd_shutdown(b, BSD_SHUT_WR), 0);
  EXPECT_TRUE(eventually([&] {
    return tcpState(a) == kTimeWait && tcpState(b) == kTimeWait;
  })) << tcpState(a) << " " << tcpState(b);
  (void)kClosing;
  bsd_close(a);
  bsd_close(b);
}

TEST(TcpConn, ZeroWindowAndPersist) {
  ClockScale scale(50);
  WirePair w;
  int ls = listenOn(w.b, 7007);
  bsd_stack_use(w.b);
  // A small receive buffer, inherited by the accepted socket.
  setInt(ls, BSD_SOL_SOCKET, BSD_SO_RCVBUF, 8192);
  int c = connectTo(w.a, "10.0.0.2", 7007);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  setNonBlocking(c);
  // Fill the receiver's window and our send buffer.
  std::string sent;
  char chunk[4096];
  Stream gen(7);
  for (;;) {
    gen.fill(chunk, sizeof(chunk));
    long n = bsd_send(c, chunk, sizeof(chunk), 0);
    if (n < 0) {
      ASSERT_EQ(errno, EWOULDBLOCK);
      break;
    }
    sent.append(chunk, static_cast<size_t>(n));
  }
  // With the window shut, the sender probes it on the persist timer.
  EXPECT_TRUE(eventually([&] { return counter(w.a, "tcp.sndprobe") >= 2; }));
  EXPECT_GE(counter(w.a, "tcp.persisttimeo"), 2u);
  EXPECT_EQ(tcpState(c), kEstablished);
  // Reading opens the window; everything arrives intact.
  bsd_shutdown(c, BSD_SHUT_WR);
  EXPECT_EQ(recvAll(s), sent);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, ConnectTimesOut) {
  // 75 s of kernel time in 750 ms.  Backed off, the SYN is resent at 1,
  // 3, 7, 15, 31 and 63 s, and the 75 s establishment limit (the keep
  // timer) ends the attempt before the retransmission limit would; without
  // the backoff that limit would drop the connection after about 7 s.
  // Each retransmission timer is armed when the previous one ran, so on a
  // loaded machine the callout delays add up (seconds of kernel time were
  // measured): four resends are required, the fourth with 60 s (600 ms)
  // to spare, and no more than the six of the schedule.
  ClockScale scale(100);
  WirePair w;
  // Nobody answers ARP for 10.0.0.3: the SYN backs off, then gives up.
  int c = connectTo(w.a, "10.0.0.3", 7008);
  EXPECT_EQ(c, -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_GE(counter(w.a, "tcp.rexmttimeo"), 4u);
  EXPECT_LE(counter(w.a, "tcp.rexmttimeo"), 6u);
  EXPECT_EQ(counter(w.a, "tcp.keepdrops"), 1u);
  EXPECT_EQ(counter(w.a, "tcp.timeoutdrop"), 0u);
}

TEST(TcpConn, RetransmissionBackoffToEtimedout) {
  ClockScale scale(1000);
  WirePair w;
  int ls = listenOn(w.b, 7009);
  int c = connectTo(w.a, "10.0.0.2", 7009);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  // Send the peer's traffic into a black hole: a gateway nobody has.
  ASSERT_EQ(bsd_route_add(w.a, "10.0.0.2", 32, "10.0.0.77"), 0);
  ASSERT_TRUE(sendAll(c, "lost", 4));
  char buf[8];
  EXPECT_EQ(bsd_recv(c, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_EQ(counter(w.a, "tcp.timeoutdrop"), 1u);
  EXPECT_GE(counter(w.a, "tcp.rexmttimeo"), 12u);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, BacklogOverflow) {
  ClockScale scale(20);
  WirePair w;
  int ls = listenOn(w.b, 7010, 2);
  constexpr int kClients = 12;
  std::vector<int> cs;
  bsd_stack_use(w.a);
  for (int i = 0; i < kClients; i++) {
    int c = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
    ASSERT_GE(c, 0);
    setNonBlocking(c);
    bsd_sockaddr_in sin = makeAddr("10.0.0.2", 7010);
    EXPECT_EQ(bsd_connect(c, (bsd_sockaddr *)&sin, sizeof(sin)), -1);
    cs.push_back(c);
  }
  // The queue fills up; the extra SYNs are dropped, not refused.
  EXPECT_TRUE(eventually([&] { return counter(w.b, "tcp.listendrop") > 0; }));
  EXPECT_EQ(counter(w.a, "tcp.drops") + counter(w.a, "tcp.conndrops"), 0u);
  // Accepting makes room; retransmitted SYNs get every client in.
  bsd_stack_use(w.b);
  setNonBlocking(ls);
  int accepted = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (accepted < kClients && std::chrono::steady_clock::now() < deadline) {
    if (waitFor(ls, BSD_POLLIN, 100) & BSD_POLLIN) {
      int s = bsd_accept(ls, nullptr, nullptr);
      if (s >= 0) {
        accepted++;
        bsd_close(s);
      }
    }
  }
  EXPECT_EQ(accepted, kClients);
  for (int c : cs)
    bsd_close(c);
  bsd_close(ls);
}

TEST(TcpConn, KeepaliveProbesAnswered) {
  ClockScale scale(20); // a 1 s keepalive interval is 50 ms here
  WirePair w;
  int ls = listenOn(w.b, 7011);
  int c = connectTo(w.a, "10.0.0.2", 7011);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  ASSERT_EQ(setInt(c, BSD_SOL_SOCKET, BSD_SO_KEEPALIVE, 1), 0);
  ASSERT_EQ(setInt(c, BSD_IPPROTO_TCP, kTcpKeepintvl, 1), 0);
  ASSERT_EQ(setInt(c, BSD_IPPROTO_TCP, kTcpKeepcnt, 5), 0);
  ASSERT_EQ(setInt(c, BSD_IPPROTO_TCP, kTcpKeepidle, 1), 0);
  // Idle far longer than idle + count * interval: the peer answers each
  // probe, so the connection lives.
  EXPECT_TRUE(eventually([&] { return counter(w.a, "tcp.keepprobe") >= 6; }));
  EXPECT_EQ(tcpState(c), kEstablished);
  EXPECT_EQ(counter(w.a, "tcp.keepdrops"), 0u);
  // Once the peer goes silent, keepalive gives up.
  ASSERT_EQ(bsd_route_add(w.a, "10.0.0.2", 32, "10.0.0.77"), 0);
  char buf[4];
  EXPECT_EQ(bsd_recv(c, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, ETIMEDOUT);
  EXPECT_EQ(counter(w.a, "tcp.keepdrops"), 1u);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, NonBlockingCalls) {
  WirePair w;
  int ls = listenOn(w.b, 7012);
  bsd_stack_use(w.b);
  setNonBlocking(ls);
  EXPECT_EQ(bsd_accept(ls, nullptr, nullptr), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  bsd_stack_use(w.a);
  int c = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  setNonBlocking(c);
  bsd_sockaddr_in sin = makeAddr("10.0.0.2", 7012);
  EXPECT_EQ(bsd_connect(c, (bsd_sockaddr *)&sin, sizeof(sin)), -1);
  EXPECT_EQ(errno, EINPROGRESS);
  EXPECT_TRUE(waitFor(ls, BSD_POLLIN, 10000) & BSD_POLLIN);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  EXPECT_TRUE(waitFor(c, BSD_POLLOUT, 10000) & BSD_POLLOUT);
  setNonBlocking(s);
  char buf[8];
  EXPECT_EQ(bsd_recv(s, buf, sizeof(buf), 0), -1);
  EXPECT_EQ(errno, EWOULDBLOCK);
  ASSERT_EQ(setInt(c, BSD_IPPROTO_TCP, kTcpNodelay, 1), 0);
  EXPECT_EQ(bsd_send(c, "abc", 3, 0), 3);
  EXPECT_TRUE(waitFor(s, BSD_POLLIN, 10000) & BSD_POLLIN);
  EXPECT_EQ(bsd_recv(s, buf, sizeof(buf), 0), 3);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, DelayedAckAndNagle) {
  bsd_impair imp{};
  imp.delay_ms = 10; // a segment stays unacknowledged for a while
  WirePair w(imp);
  int ls = listenOn(w.b, 7014);
  int c = connectTo(w.a, "10.0.0.2", 7014);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  char buf[8];

  // One lone segment: the receiver delays its ACK until the timer.
  ASSERT_EQ(bsd_send(c, "x", 1, 0), 1);
  ASSERT_EQ(bsd_recv(s, buf, 1, 0), 1);
  EXPECT_TRUE(eventually([&] { return counter(w.b, "tcp.delack") >= 1; }));
  EXPECT_TRUE(eventually([&] { return counter(w.a, "tcp.rcvackpack") >= 1; }));

  // Nagle: while one small segment is unacknowledged, the next small
  // writes wait and leave together.
  // Segments counted whether first sent or resent (should a slow machine
  // let the retransmission timer fire).
  auto segs = [&] {
    return counter(w.a, "tcp.sndpack") + counter(w.a, "tcp.sndrexmitpack");
  };
  unsigned long before = segs();
  ASSERT_EQ(bsd_send(c, "a", 1, 0), 1);
  ASSERT_EQ(bsd_send(c, "b", 1, 0), 1);
  ASSERT_EQ(bsd_send(c, "c", 1, 0), 1);
  ASSERT_EQ(bsd_recv(s, buf, 3, BSD_MSG_WAITALL), 3);
  EXPECT_EQ(std::string(buf, 3), "abc");
  EXPECT_EQ(segs() - before, 2u);

  // TCP_NODELAY: every write leaves at once.
  ASSERT_EQ(setInt(c, BSD_IPPROTO_TCP, kTcpNodelay, 1), 0);
  before = segs();
  ASSERT_EQ(bsd_send(c, "d", 1, 0), 1);
  ASSERT_EQ(bsd_send(c, "e", 1, 0), 1);
  ASSERT_EQ(bsd_send(c, "f", 1, 0), 1);
  ASSERT_EQ(bsd_recv(s, buf, 3, BSD_MSG_WAITALL), 3);
  EXPECT_EQ(std::string(buf, 3), "def");
  EXPECT_GE(segs() - before, 3u);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

TEST(TcpConn, TimeWaitLastsTwoMsl) {
  // 2 MSL (60 s) in about 1.2 s: room for a loaded machine (TSan, -j2)
  // between the FIN and the TIME_WAIT check below.
  ClockScale scale(50);
  WirePair w;
  int ls = listenOn(w.b, 7015);
  int c = connectTo(w.a, "10.0.0.2", 7015);
  ASSERT_GE(c, 0);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  ASSERT_GE(s, 0);
  ASSERT_EQ(bsd_shutdown(c, BSD_SHUT_WR), 0);
  EXPECT_EQ(recvAll(s), "");
  bsd_close(s);
  char buf[4];
  EXPECT_EQ(bsd_recv(c, buf, sizeof(buf), 0), 0);
  // The active closer holds the connection in TIME_WAIT, then lets go.
  EXPECT_EQ(tcpState(c), kTimeWait);
  unsigned long closed = counter(w.a, "tcp.closed");
  EXPECT_TRUE(eventually([&] { return tcpState(c) == -1; }, 20000));
  EXPECT_EQ(counter(w.a, "tcp.closed"), closed + 1);
  bsd_close(c);
  bsd_close(ls);
}

TEST(TcpConn, TeardownReleasesEverything) {
  unsigned long before = bsd_mbufs_inuse();
  {
    WirePair w;
    int ls = listenOn(w.b, 7016);
    // Connections left in every state: established with data queued both
    // ways, TIME_WAIT, and completed but never accepted.
    int c1 = connectTo(w.a, "10.0.0.2", 7016);
    int c2 = connectTo(w.a, "10.0.0.2", 7016);
    int c3 = connectTo(w.a, "10.0.0.2", 7016);
    ASSERT_GE(c1, 0);
    ASSERT_GE(c2, 0);
    ASSERT_GE(c3, 0);
    bsd_stack_use(w.b);
    int s1 = bsd_accept(ls, nullptr, nullptr);
    int s2 = bsd_accept(ls, nullptr, nullptr);
    ASSERT_GE(s1, 0);
    ASSERT_GE(s2, 0);
    std::string blob(100000, 'q');
    setNonBlocking(c1);
    setNonBlocking(s1);
    bsd_send(c1, blob.data(), blob.size(), 0);
    bsd_send(s1, blob.data(), blob.size(), 0);
    bsd_close(c2);
    EXPECT_EQ(recvAll(s2), "");
    bsd_close(s2);
    EXPECT_TRUE(eventually([&] { return counter(w.a, "tcp.rcvpack") > 0; }));
    EXPECT_GT(bsd_mbufs_inuse(), before);
  }
  EXPECT_EQ(bsd_mbufs_inuse(), before);
}

TEST(TcpConn, ThousandConcurrentConnections) {
  ClockScale scale(10);
  WirePair w;
  constexpr int kConns = 1000;
  int ls = listenOn(w.b, 7013, 1024);
  std::atomic<int> echoed{0};
  std::thread server([&] {
    bsd_stack_use(w.b);
    std::vector<int> ss;
    for (int i = 0; i < kConns; i++) {
      int s = bsd_accept(ls, nullptr, nullptr);
      if (s < 0)
        break;
      ss.push_back(s);
    }
    // Echo one message on each, after all are open at once.
    for (int s : ss) {
      char buf[16];
      long n = bsd_recv(s, buf, sizeof(buf), 0);
      if (n > 0 && sendAll(s, buf, static_cast<size_t>(n)))
        echoed++;
    }
    for (int s : ss)
      bsd_close(s);
  });
  std::vector<int> cs;
  for (int i = 0; i < kConns; i++) {
    int c = connectTo(w.a, "10.0.0.2", 7013);
    if (c < 0) {
      ADD_FAILURE() << "connect " << i << ": " << std::strerror(errno);
      break;
    }
    cs.push_back(c);
  }
  for (size_t i = 0; i < cs.size(); i++) {
    std::string msg = std::to_string(i);
    ASSERT_TRUE(sendAll(cs[i], msg.data(), msg.size()));
  }
  int ok = 0;
  for (size_t i = 0; i < cs.size(); i++) {
    std::string got = recvAll(cs[i]);
    if (got == std::to_string(i))
      ok++;
    bsd_close(cs[i]);
  }
  server.join();
  EXPECT_EQ(ok, kConns);
  EXPECT_EQ(echoed.load(), kConns);
  // The clients closed last: their side goes through LAST_ACK to CLOSED.
  EXPECT_TRUE(eventually([&] { return counter(w.a, "tcp.closed") >= kConns; }));
  bsd_close(ls);
}

} // namespace
