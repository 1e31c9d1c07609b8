// Reference stack benchmarks: UDP throughput and ping rate over the
// virtual wire, against the stack's own loopback and the host kernel's
// UDP loopback measured in the same run.  One datagram is sent and
// received per iteration (lock step), so the figures are per-packet
// costs through the whole Giant-locked stack.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include "bsdnet.h"
#include "ratio_reporter.h"

namespace {

bsd_sockaddr_in Sin(const char *addr, unsigned short port) {
  bsd_sockaddr_in s{};
  s.sin_len = sizeof(s);
  s.sin_family = BSD_AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, addr, &s.sin_addr.s_addr);
  return s;
}

const bsd_sockaddr *Sa(const bsd_sockaddr_in &s) {
  return reinterpret_cast<const bsd_sockaddr *>(&s);
}

// Two instances on a virtual wire, created once for the whole run.
struct Wire {
  bsd_stack *a, *b;
  Wire() {
    a = bsd_stack_create("a");
    b = bsd_stack_create("b");
    bsd_vwire_create(a, "vw0", b, "vw0", nullptr);
    bsd_if_addr(a, "vw0", "10.0.0.1", 24);
    bsd_if_addr(b, "vw0", "10.0.0.2", 24);
  }
};
Wire &W() {
  static Wire w;
  return w;
}

int UdpSock(bsd_stack *st, const char *addr, unsigned short port) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
  bsd_sockaddr_in a = Sin(addr, port);
  bsd_bind(s, Sa(a), sizeof(a));
  bsd_timeval tv = {5, 0};
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv, sizeof(tv));
  return s;
}

void StackUdp(benchmark::State &state, bsd_stack *from, bsd_stack *to,
              const char *dst) {
  size_t len = state.range(0);
  static unsigned short port = 20000;
  port++;
  int rx = UdpSock(to, dst, port);
  int tx = UdpSock(from, "0.0.0.0", 0);
  bsd_sockaddr_in d = Sin(dst, port);
  std::vector<char> buf(len), in(len + 16);
  for (auto _ : state) {
    if (bsd_sendto(tx, buf.data(), len, 0, Sa(d), sizeof(d)) != (long)len ||
        bsd_recv(rx, in.data(), in.size(), 0) != (long)len) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * len);
  bsd_close(rx);
  bsd_close(tx);
}

void BM_StackUdpWire(benchmark::State &state) {
  StackUdp(state, W().a, W().b, "10.0.0.2");
}
void BM_StackUdpLoopback(benchmark::State &state) {
  StackUdp(state, W().a, W().a, "127.0.0.1");
}

// The host kernel's UDP over its loopback: the baseline.
void BM_LinuxUdpLoopback(benchmark::State &state) {
  size_t len = state.range(0);
  int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(rx, (sockaddr *)&a, sizeof(a));
  socklen_t al = sizeof(a);
  getsockname(rx, (sockaddr *)&a, &al);
  std::vector<char> buf(len), in(len + 16);
  for (auto _ : state) {
    if (sendto(tx, buf.data(), len, 0, (sockaddr *)&a, sizeof(a)) !=
            (ssize_t)len ||
        recv(rx, in.data(), in.size(), 0) != (ssize_t)len) {
      state.SkipWithError("datagram lost");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * len);
  close(rx);
  close(tx);
}

unsigned short Cksum(const unsigned char *p, size_t n) {
  unsigned acc = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    acc += p[i] << 8 | p[i + 1];
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return (unsigned short)~acc;
}

// ICMP echo round trips from a to b on a raw socket.
void BM_StackPingWire(benchmark::State &state) {
  bsd_stack_use(W().a);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_RAW, BSD_IPPROTO_ICMP);
  bsd_timeval tv = {5, 0};
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_RCVTIMEO, &tv, sizeof(tv));
  bsd_sockaddr_in d = Sin("10.0.0.2", 0);
  unsigned char pkt[64] = {8, 0, 0, 0, 0x11, 0x11, 0, 0}, r[256];
  unsigned seq = 0;
  for (auto _ : state) {
    pkt[6] = (unsigned char)(++seq >> 8);
    pkt[7] = (unsigned char)seq;
    pkt[2] = pkt[3] = 0;
    unsigned short c = Cksum(pkt, sizeof(pkt));
    pkt[2] = c >> 8;
    pkt[3] = c & 0xff;
    bsd_sendto(s, pkt, sizeof(pkt), 0, Sa(d), sizeof(d));
    long n = bsd_recv(s, r, sizeof(r), 0);
    if (n < 28) {
      state.SkipWithError("no echo reply");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  bsd_close(s);
}

// A UDP round trip through an echo thread on b: the ping's counterpart.
void BM_StackUdpRttWire(benchmark::State &state) {
  int srv = UdpSock(W().b, "10.0.0.2", 7);
  std::thread echo([srv] {
    char buf[2048];
    bsd_sockaddr_in from;
    for (;;) {
      bsd_socklen_t fl = sizeof(from);
      long n = bsd_recvfrom(srv, buf, sizeof(buf), 0,
                            reinterpret_cast<bsd_sockaddr *>(&from), &fl);
      if (n <= 0)
        break;
      bsd_sendto(srv, buf, n, 0, Sa(from), fl);
    }
  });
  int s = UdpSock(W().a, "0.0.0.0", 0);
  bsd_sockaddr_in d = Sin("10.0.0.2", 7);
  char buf[36] = {}, in[64];
  for (auto _ : state) {
    bsd_sendto(s, buf, sizeof(buf), 0, Sa(d), sizeof(d));
    if (bsd_recv(s, in, sizeof(in), 0) != (long)sizeof(buf)) {
      state.SkipWithError("no echo");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  bsd_shutdown(srv, BSD_SHUT_RDWR);
  echo.join();
  bsd_close(srv);
  bsd_close(s);
}

} // namespace

BENCHMARK(BM_LinuxUdpLoopback)->Arg(64)->Arg(1400)->Arg(8000)->UseRealTime();
BENCHMARK(BM_StackUdpLoopback)->Arg(64)->Arg(1400)->Arg(8000)->UseRealTime();
BENCHMARK(BM_StackUdpWire)->Arg(64)->Arg(1400)->Arg(8000)->UseRealTime();
BENCHMARK(BM_StackPingWire)->UseRealTime();
BENCHMARK(BM_StackUdpRttWire)->UseRealTime();

int main(int argc, char **argv) {
  using P = mpsafe_bench::RatioReporter::Pair;
  std::vector<P> pairs;
  for (const char *sz : {"64", "1400", "8000"}) {
    std::string s = sz;
    pairs.push_back({"BM_StackUdpLoopback/" + s + "/real_time",
                     "BM_LinuxUdpLoopback/" + s + "/real_time",
                     "stack lo0 / Linux lo, UDP " + s + " B"});
    pairs.push_back({"BM_StackUdpWire/" + s + "/real_time",
                     "BM_StackUdpLoopback/" + s + "/real_time",
                     "stack vwire / stack lo0, UDP " + s + " B"});
  }
  pairs.push_back({"BM_StackPingWire/real_time",
                   "BM_StackUdpRttWire/real_time",
                   "ping rtt / UDP echo rtt, vwire"});
  return mpsafe_bench::runWithRatios(argc, argv, pairs);
}
