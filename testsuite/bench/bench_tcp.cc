// TCP benchmarks.
//
// Over the virtual wire between two stack instances in this process:
// bulk throughput of one connection and connections per second, each
// against the same work done by Linux TCP over the host loopback in the
// same run.
//
// Over TAP (root with network namespaces only; skipped otherwise): curl
// in a namespace downloading a file from bsdnetd's HTTP server, against
// curl downloading the same file from a Linux HTTP server over a veth
// pair between two namespaces.
#include "bsdnet.h"
#include "ratio_reporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr size_t kBulkBytes = 16u << 20;
constexpr int kConnsPerIter = 100;

// --- the stack: two instances on a virtual wire -------------------------

struct Wire {
  bsd_stack *a, *b;
  Wire() {
    a = bsd_stack_create("bench-a");
    b = bsd_stack_create("bench-b");
    bsd_impair imp{};
    bsd_vwire_create(a, "vw0", b, "vw0", &imp);
    bsd_if_addr(a, "vw0", "10.0.0.1", 24);
    bsd_if_addr(b, "vw0", "10.0.0.2", 24);
  }
  ~Wire() {
    bsd_stack_destroy(a);
    bsd_stack_destroy(b);
  }
};

bsd_sockaddr_in bsdAddr(const char *ip, unsigned short port) {
  bsd_sockaddr_in sin{};
  sin.sin_len = sizeof(sin);
  sin.sin_family = BSD_AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = ip ? inet_addr(ip) : 0;
  return sin;
}

int bsdListen(bsd_stack *st, unsigned short port) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  int one = 1;
  bsd_setsockopt(s, BSD_SOL_SOCKET, BSD_SO_REUSEADDR, &one, sizeof(one));
  bsd_sockaddr_in sin = bsdAddr(nullptr, port);
  bsd_bind(s, (bsd_sockaddr *)&sin, sizeof(sin));
  bsd_listen(s, 128);
  return s;
}

int bsdConnect(bsd_stack *st, unsigned short port) {
  bsd_stack_use(st);
  int s = bsd_socket(BSD_AF_INET, BSD_SOCK_STREAM, 0);
  bsd_sockaddr_in sin = bsdAddr("10.0.0.2", port);
  if (bsd_connect(s, (bsd_sockaddr *)&sin, sizeof(sin)) != 0) {
    bsd_close(s);
    return -1;
  }
  return s;
}

void BM_StackBulk(benchmark::State &state) {
  Wire w;
  int ls = bsdListen(w.b, 6001);
  int c = bsdConnect(w.a, 6001);
  bsd_stack_use(w.b);
  int s = bsd_accept(ls, nullptr, nullptr);
  if (c < 0 || s < 0) {
    state.SkipWithError("stack connection failed");
    return;
  }
  std::vector<char> buf(65536, 'x');
  for (auto _ : state) {
    std::thread rx([&] {
      std::vector<char> in(65536);
      size_t got = 0;
      while (got < kBulkBytes) {
        long n = bsd_recv(s, in.data(), in.size(), 0);
        if (n <= 0)
          break;
        got += static_cast<size_t>(n);
      }
    });
    for (size_t sent = 0; sent < kBulkBytes;) {
      long n = bsd_send(c, buf.data(), buf.size(), 0);
      if (n <= 0)
        break;
      sent += static_cast<size_t>(n);
    }
    rx.join();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          kBulkBytes);
  bsd_close(c);
  bsd_close(s);
  bsd_close(ls);
}

void BM_StackConnect(benchmark::State &state) {
  Wire w;
  int ls = bsdListen(w.b, 6002);
  std::atomic<bool> stop{false};
  std::thread acceptor([&] {
    bsd_stack_use(w.b);
    while (!stop) {
      bsd_pollfd p{ls, BSD_POLLIN, 0};
      if (bsd_poll(&p, 1, 50) <= 0)
        continue;
      int s = bsd_accept(ls, nullptr, nullptr);
      if (s >= 0)
        bsd_close(s);
    }
  });
  for (auto _ : state) {
    for (int i = 0; i < kConnsPerIter; i++) {
      int c = bsdConnect(w.a, 6002);
      if (c < 0) {
        state.SkipWithError("connect failed");
        break;
      }
      bsd_close(c);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          kConnsPerIter);
  stop = true;
  acceptor.join();
  bsd_close(ls);
}

// --- Linux over the host loopback, same work -------------------------------

int hostListen(unsigned short *port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, (sockaddr *)&sin, sizeof(sin));
  socklen_t len = sizeof(sin);
  getsockname(s, (sockaddr *)&sin, &len);
  *port = ntohs(sin.sin_port);
  listen(s, 128);
  return s;
}

int hostConnect(unsigned short port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, (sockaddr *)&sin, sizeof(sin)) != 0) {
    close(s);
    return -1;
  }
  return s;
}

void BM_LinuxLoopbackBulk(benchmark::State &state) {
  unsigned short port;
  int ls = hostListen(&port);
  int c = hostConnect(port);
  int s = accept(ls, nullptr, nullptr);
  std::vector<char> buf(65536, 'x');
  for (auto _ : state) {
    std::thread rx([&] {
      std::vector<char> in(65536);
      size_t got = 0;
      while (got < kBulkBytes) {
        ssize_t n = recv(s, in.data(), in.size(), 0);
        if (n <= 0)
          break;
        got += static_cast<size_t>(n);
      }
    });
    for (size_t sent = 0; sent < kBulkBytes;) {
      ssize_t n = send(c, buf.data(), buf.size(), 0);
      if (n <= 0)
        break;
      sent += static_cast<size_t>(n);
    }
    rx.join();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          kBulkBytes);
  close(c);
  close(s);
  close(ls);
}

void BM_LinuxLoopbackConnect(benchmark::State &state) {
  unsigned short port;
  int ls = hostListen(&port);
  std::thread acceptor([&] {
    for (;;) {
      int s = accept(ls, nullptr, nullptr);
      if (s < 0)
        break;
      close(s);
    }
  });
  for (auto _ : state) {
    for (int i = 0; i < kConnsPerIter; i++) {
      int c = hostConnect(port);
      if (c < 0) {
        state.SkipWithError("connect failed");
        break;
      }
      close(c);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) *
                          kConnsPerIter);
  shutdown(ls, SHUT_RDWR);
  close(ls);
  acceptor.join();
}

// --- curl over TAP against Linux over veth ---------------------------------

// The script that sets up the namespaces and times one download; prints
// the seconds taken.  BSDNETD is the daemon; MODE is "tap" or "veth".
const char *kTapScript = R"SH(
set -e
mode=$1; bsdnetd=$2; dir=$3; size=$4
ns=mpsafe-bench-$$
cleanup() { kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true;
            ip netns del $ns 2>/dev/null || true; ip netns del $ns-s 2>/dev/null || true; }
trap cleanup EXIT
ip netns add $ns
ip -n $ns link set lo up
if [ "$mode" = tap ]; then
  ip netns exec $ns ip tuntap add dev tap0 mode tap
  ip -n $ns addr add 10.9.0.1/24 dev tap0
  ip -n $ns link set tap0 up
  ip netns exec $ns "$bsdnetd" --tap tap0 --addr 10.9.0.2/24 --http-root "$dir" >/dev/null 2>&1 &
  pid=$!
else
  ip netns add $ns-s
  ip link add veth0 netns $ns type veth peer name veth1 netns $ns-s
  ip -n $ns addr add 10.9.0.1/24 dev veth0
  ip -n $ns-s addr add 10.9.0.2/24 dev veth1
  ip -n $ns link set veth0 up
  ip -n $ns-s link set veth1 up
  ip -n $ns-s link set lo up
  ip netns exec $ns-s python3 -m http.server 80 --bind 10.9.0.2 --directory "$dir" >/dev/null 2>&1 &
  pid=$!
fi
for i in $(seq 100); do
  ip netns exec $ns curl -s -o /dev/null --max-time 1 http://10.9.0.2/ping.txt && break
  sleep 0.1
done
ip netns exec $ns curl -s -o /dev/null --max-time 60 -w '%{time_total}\n' http://10.9.0.2/blob.bin
)SH";

std::string gDir;

bool prepareTapBench(benchmark::State &state) {
  if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK) != 0 ||
      system("command -v curl >/dev/null && command -v python3 >/dev/null"
             " && ip netns list >/dev/null 2>&1") != 0) {
    state.SkipWithError("needs root, /dev/net/tun, netns, curl, python3");
    return false;
  }
  if (access(BSDNETD, X_OK) != 0) {
    state.SkipWithError("bsdnetd not built");
    return false;
  }
  if (gDir.empty()) {
    char tmpl[] = "/tmp/mpsafe-bench-XXXXXX";
    if (!mkdtemp(tmpl)) {
      state.SkipWithError("mkdtemp failed");
      return false;
    }
    gDir = tmpl;
    std::string cmd = "head -c 33554432 /dev/urandom > " + gDir +
                      "/blob.bin && echo pong > " + gDir + "/ping.txt && cat > " +
                      gDir + "/run.sh <<'EOF'\n" + kTapScript + "\nEOF";
    if (system(cmd.c_str()) != 0) {
      state.SkipWithError("could not write the test files");
      return false;
    }
  }
  return true;
}

void runDownload(benchmark::State &state, const char *mode) {
  if (!prepareTapBench(state))
    return;
  for (auto _ : state) {
    std::string cmd = "sh " + gDir + "/run.sh " + mode + " " BSDNETD " " +
                      gDir + " 33554432";
    FILE *p = popen(cmd.c_str(), "r");
    double secs = 0;
    if (!p || fscanf(p, "%lf", &secs) != 1 || secs <= 0) {
      if (p)
        pclose(p);
      state.SkipWithError("download failed");
      return;
    }
    pclose(p);
    state.SetIterationTime(secs);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          (32 << 20));
}

void BM_CurlOverTap(benchmark::State &state) { runDownload(state, "tap"); }
void BM_CurlLinuxVeth(benchmark::State &state) { runDownload(state, "veth"); }

} // namespace

BENCHMARK(BM_StackBulk)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LinuxLoopbackBulk)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_StackConnect)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_LinuxLoopbackConnect)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CurlOverTap)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);
BENCHMARK(BM_CurlLinuxVeth)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(3);

int main(int argc, char **argv) {
  return mpsafe_bench::runWithRatios(
      argc, argv,
      {{"BM_StackBulk/real_time", "BM_LinuxLoopbackBulk/real_time",
        "stack bulk 16 MB vs Linux loopback (time)"},
       {"BM_StackConnect/real_time", "BM_LinuxLoopbackConnect/real_time",
        "stack 100 connects vs Linux loopback (time)"},
       {"BM_CurlOverTap/iterations:3/manual_time",
        "BM_CurlLinuxVeth/iterations:3/manual_time",
        "curl 32 MB over TAP vs Linux veth (time)"}});
}
