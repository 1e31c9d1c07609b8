// libFuzzer target: frames into ether_input of a configured stack
// (bsd_if_inject), which processes them and everything they cause
// before returning.
//
// Input layout: byte 0 selects how the rest is framed, so the fuzzer
// reaches past the checks it could not otherwise pass:
//   bits 0-1  0: the rest is a whole ethernet frame
//             1: the rest is an IPv4 packet, framed to our MAC
//             2: the rest is an ARP message, framed to our MAC
//             3: as 1, marked as a fragment (offset from byte 1)
//   bit 2     (mode 0) overwrite the destination MAC with ours
//   bit 3     (modes 1, 3) fix the IP header checksum and destination
//   bit 4     (modes 1, 3) fix the UDP/ICMP checksum
// After each input the sockets are drained and the mbufs in use must
// stay bounded: a packet may not make the stack hold memory without
// limit.
#include <arpa/inet.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bsdnet.h"

namespace {

struct Target {
  bsd_stack *st = nullptr;
  unsigned char mac[6] = {};
  int udp = -1, raw = -1;
};

bsd_sockaddr_in Sin(const char *addr, unsigned short port) {
  bsd_sockaddr_in s{};
  s.sin_len = sizeof(s);
  s.sin_family = BSD_AF_INET;
  s.sin_port = htons(port);
  inet_pton(AF_INET, addr, &s.sin_addr.s_addr);
  return s;
}

Target *target;

// At exit: the counters show what was dropped, and why.
void PrintStats() {
  std::vector<char> buf(1 << 16);
  bsd_stack_stats(target->st, buf.data(), buf.size());
  fprintf(stderr, "%s", buf.data());
}

Target *Setup() {
  auto *t = new Target;
  target = t;
  atexit(PrintStats);
  t->st = bsd_stack_create("fuzz");
  if (bsd_vwire_create(t->st, "vw0", nullptr, nullptr, nullptr) != 0 ||
      bsd_if_addr(t->st, "vw0", "10.0.0.1", 24) != 0 ||
      bsd_route_add(t->st, "0.0.0.0", 0, "10.0.0.2") != 0 ||
      bsd_if_lladdr(t->st, "vw0", t->mac) != 0)
    abort();
  bsd_stack_use(t->st);
  t->udp = bsd_socket(BSD_AF_INET, BSD_SOCK_DGRAM, 0);
  bsd_sockaddr_in a = Sin("0.0.0.0", 7);
  if (t->udp < 0 ||
      bsd_bind(t->udp, reinterpret_cast<bsd_sockaddr *>(&a), sizeof(a)))
    abort();
  t->raw = bsd_socket(BSD_AF_INET, BSD_SOCK_RAW, BSD_IPPROTO_ICMP);
  if (t->raw < 0)
    abort();
  return t;
}

uint16_t Cksum(const unsigned char *p, size_t n, uint32_t acc = 0) {
  for (size_t i = 0; i + 1 < n; i += 2)
    acc += p[i] << 8 | p[i + 1];
  if (n & 1)
    acc += p[n - 1] << 8;
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return (uint16_t)~acc;
}

void FixIp(std::vector<unsigned char> &f, size_t at, bool fixl4) {
  if (f.size() < at + 20)
    return;
  unsigned char *ip = &f[at];
  size_t hl = (ip[0] & 0xf) * 4;
  if (hl < 20 || f.size() < at + hl)
    return;
  // Our address as destination, a neighbour as source.
  ip[12] = 10, ip[13] = 0, ip[14] = 0, ip[15] = 2;
  ip[16] = 10, ip[17] = 0, ip[18] = 0, ip[19] = 1;
  size_t len = f.size() - at;
  if (fixl4 && len > hl) {
    unsigned char *l4 = ip + hl;
    size_t l4len = len - hl;
    if (ip[9] == 17 && l4len >= 8) {
      l4[4] = l4len >> 8, l4[5] = l4len & 0xff;
      l4[6] = l4[7] = 0;
      uint32_t ph = 0x0a00 + 0x0002 + 0x0a00 + 0x0001 + 17 + l4len;
      uint16_t s = Cksum(l4, l4len, ph);
      s = s ? s : 0xffff;
      l4[6] = s >> 8, l4[7] = s & 0xff;
    } else if (ip[9] == 1 && l4len >= 4) {
      l4[2] = l4[3] = 0;
      uint16_t s = Cksum(l4, l4len);
      l4[2] = s >> 8, l4[3] = s & 0xff;
    }
  }
  ip[2] = len >> 8, ip[3] = len & 0xff;
  ip[10] = ip[11] = 0;
  uint16_t s = Cksum(ip, hl);
  ip[10] = s >> 8, ip[11] = s & 0xff;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static Target *t = Setup();
  if (size < 1 || size > 65535)
    return 0;
  unsigned mode = data[0];
  std::vector<unsigned char> f;
  const unsigned char peer[6] = {0x02, 0x0f, 0, 0, 0, 2};
  if ((mode & 3) == 0) {
    f.assign(data + 1, data + size);
    if ((mode & 4) && f.size() >= 6)
      std::memcpy(&f[0], t->mac, 6);
  } else {
    f.resize(14);
    std::memcpy(&f[0], t->mac, 6);
    std::memcpy(&f[6], peer, 6);
    f[12] = 0x08;
    f[13] = (mode & 3) == 2 ? 0x06 : 0x00;
    size_t skip = (mode & 3) == 3 ? 2 : 1;
    if (size > skip)
      f.insert(f.end(), data + skip, data + size);
    if ((mode & 3) == 3 && f.size() >= 34) {
      unsigned off = data[1] & 0x1f;
      f[14 + 6] = 0x20 | (unsigned char)(off >> 8);
      f[14 + 7] = (unsigned char)off;
    }
    if ((mode & 3) != 2 && (mode & 8))
      FixIp(f, 14, mode & 16);
  }
  if (f.empty())
    return 0;
  bsd_if_inject(t->st, "vw0", f.data(), (unsigned)f.size());
  char buf[2048];
  while (bsd_recv(t->udp, buf, sizeof(buf), BSD_MSG_DONTWAIT) >= 0)
    ;
  while (bsd_recv(t->raw, buf, sizeof(buf), BSD_MSG_DONTWAIT) >= 0)
    ;
  // Reassembly (64 datagrams x 64 fragments) and ARP hold queues bound
  // what the stack may keep; far beyond that is a leak.
  if (bsd_mbufs_inuse() > 20000) {
    fprintf(stderr, "fuzz_stack: %lu mbufs in use\n", bsd_mbufs_inuse());
    abort();
  }
  return 0;
}
