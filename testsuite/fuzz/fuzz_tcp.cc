// libFuzzer target: TCP segments into a stack that holds a listener, an
// established connection and a closing one, through ether_input
// (bsd_if_inject).
//
// Input layout: byte 0 picks the 4-tuple (0: a random client to the
// listener, 1: the established connection, 2: the half-closed one, 3: a
// closed port) and whether the checksum is fixed up (bit 7 clear) or left
// as given; the rest is the TCP header and payload.  The checksum is
// normally fixed so that the fuzzer reaches the state machine instead of
// stopping at the checksum test.
#include "bsdnet.h"

#include <arpa/inet.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Target {
  bsd_stack *a = nullptr, *b = nullptr;
  unsigned char mac[6] = {};
  unsigned short estPort = 0, closingPort = 0;
  int sockets[6] = {-1, -1, -1, -1, -1, -1};
};

unsigned short localPort(int s) {
  bsd_sockaddr_in sin{};
  bsd_socklen_t len = sizeof(sin);
  bsd_getsockname(s, (bsd_sockaddr *)&sin, &len);
  return ntohs(sin.sin_port);
}

bsd_sockaddr_in addr(const char *ip, unsigned short port) {
  bsd_sockaddr_in sin{};
  sin.sin_len = sizeof(sin);
  sin.sin_family = BSD_AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = ip ? inet_addr(ip) : 0;
  return sin;
}

Target *setUp() {
  Target *t = new Target;
  t->a = bsd_stack_create("fuzz-a");
  t->b = bsd_stack_create("fuzz-b");
  bsd_impair imp{};
  bsd_vwire_create(t->a, "vw0", t->b, "vw0", &imp);
  bsd_if_addr(t->a, "vw0", "10.0.0.1", 24);
  bsd_if_addr(t->b, "vw0", "10.0.0.2", 24);
  bsd_if_lladdr(t->b, "vw0", t->mac);

  bsd_stack_use(t->b);
  int ls = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  bsd_sockaddr_in sin = addr(nullptr, 80);
  bsd_bind(ls, (bsd_sockaddr *)&sin, sizeof(sin));
  bsd_listen(ls, 16);
  t->sockets[0] = ls;

  // An established connection and one the client has half-closed.
  for (int i = 0; i < 2; i++) {
    bsd_stack_use(t->a);
    int c = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
    bsd_sockaddr_in to = addr("10.0.0.2", 80);
    bsd_connect(c, (bsd_sockaddr *)&to, sizeof(to));
    bsd_stack_use(t->b);
    int s = bsd_accept(ls, nullptr, nullptr);
    t->sockets[1 + 2 * i] = c;
    t->sockets[2 + 2 * i] = s;
    if (i == 0)
      t->estPort = localPort(c);
    else {
      t->closingPort = localPort(c);
      bsd_shutdown(c, BSD_SHUT_WR);
    }
  }
  bsd_stack_quiesce(t->a, 1000);
  bsd_stack_quiesce(t->b, 1000);
  return t;
}

uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum) {
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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Target *t = setUp();
  if (size < 1 || size > 1400)
    return 0;
  uint8_t mode = data[0];
  const uint8_t *tcp = data + 1;
  size_t tlen = size - 1;

  std::vector<uint8_t> f(14 + 20 + tlen);
  std::memcpy(&f[0], t->mac, 6);
  const uint8_t smac[6] = {0x02, 0, 0, 0, 0, 0x01};
  std::memcpy(&f[6], smac, 6);
  f[12] = 0x08;
  f[13] = 0x00;
  uint8_t *ip = &f[14];
  ip[0] = 0x45;
  ip[2] = static_cast<uint8_t>((20 + tlen) >> 8);
  ip[3] = static_cast<uint8_t>(20 + tlen);
  ip[8] = 64;
  ip[9] = 6;
  const uint8_t src[4] = {10, 0, 0, 1}, dst[4] = {10, 0, 0, 2};
  std::memcpy(ip + 12, src, 4);
  std::memcpy(ip + 16, dst, 4);
  uint16_t isum = fold(sum16(ip, 20, 0));
  ip[10] = static_cast<uint8_t>(isum >> 8);
  ip[11] = static_cast<uint8_t>(isum);
  uint8_t *th = ip + 20;
  std::memcpy(th, tcp, tlen);

  if (tlen >= 4) {
    unsigned short sport = 0, dport = 80;
    switch (mode & 3) {
    case 0:
      sport = static_cast<unsigned short>(1024 + (th[0] << 8 | th[1]) % 60000);
      break;
    case 1:
      sport = t->estPort;
      break;
    case 2:
      sport = t->closingPort;
      break;
    case 3:
      sport = static_cast<unsigned short>(th[0] << 8 | th[1]);
      dport = 9;
      break;
    }
    th[0] = static_cast<uint8_t>(sport >> 8);
    th[1] = static_cast<uint8_t>(sport);
    th[2] = static_cast<uint8_t>(dport >> 8);
    th[3] = static_cast<uint8_t>(dport);
  }
  if (!(mode & 0x80) && tlen >= 18) {
    th[16] = th[17] = 0;
    uint32_t pseudo = sum16(ip + 12, 8, 0) + 6 + static_cast<uint32_t>(tlen);
    uint16_t sum = fold(sum16(th, tlen, pseudo));
    th[16] = static_cast<uint8_t>(sum >> 8);
    th[17] = static_cast<uint8_t>(sum);
  }
  bsd_if_inject(t->b, "vw0", f.data(), static_cast<unsigned>(f.size()));
  return 0;
}
