// Interoperation with the Linux stack: bsdnetd on a TAP device inside a
// network namespace that the test creates (and deletes), Linux sending
// ICMP echo and UDP to it, and the pcap bsdnetd writes checked by
// tshark.  Nothing leaves the namespace.  Skipped, with the reason,
// where /dev/net/tun or network namespaces are not available.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

const char kHostAddr[] = "192.168.77.1";
const char kStackAddr[] = "192.168.77.2";

int Sh(const std::string &cmd) {
  int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string Capture(const std::string &cmd) {
  std::string out;
  FILE *p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
    out.append(buf, n);
  pclose(p);
  return out;
}

bool HaveProgram(const char *name) {
  return Sh(std::string("command -v ") + name) == 0;
}

// Run fn in a child process that has entered the namespace; its result
// is the child's exit status (0: success).
template <class Fn> int InNamespace(const std::string &ns, Fn fn) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(("/run/netns/" + ns).c_str(), O_RDONLY);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
      _exit(100);
    _exit(fn());
  }
  int st = 0;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 200;
}

uint16_t Cksum(const unsigned char *p, size_t n) {
  uint32_t acc = 0;
  for (size_t i = 0; i + 1 < n; i += 2)
    acc += p[i] << 8 | p[i + 1];
  if (n & 1)
    acc += p[n - 1] << 8;
  while (acc >> 16)
    acc = (acc & 0xffff) + (acc >> 16);
  return htons((uint16_t)~acc);
}

class Interop : public ::testing::Test {
protected:
  void SetUp() override {
    if (geteuid() != 0)
      GTEST_SKIP() << "needs root for network namespaces and TAP devices";
    if (access("/dev/net/tun", R_OK | W_OK) != 0)
      GTEST_SKIP() << "/dev/net/tun is not available";
    if (!HaveProgram("ip"))
      GTEST_SKIP() << "iproute2 (ip) is not installed";
    static int seq;
    ns_ = "mpsafe-" + std::to_string(getpid()) + "-" + std::to_string(++seq);
    if (Sh("ip netns add " + ns_) != 0)
      GTEST_SKIP() << "cannot create a network namespace (ip netns add)";
    created_ = true;
    tap_ = "bsdtap0";
    ASSERT_EQ(0, Sh(Exec() + "ip link set lo up"));
    ASSERT_EQ(0, Sh(Exec() + "ip tuntap add dev " + tap_ + " mode tap"));
    ASSERT_EQ(0, Sh(Exec() + "ip addr add " + kHostAddr + "/24 dev " + tap_));
    ASSERT_EQ(0, Sh(Exec() + "ip link set " + tap_ + " up"));
    pcap_ = "/tmp/" + ns_ + ".pcap";
  }

  void TearDown() override {
    StopDaemon();
    if (created_)
      Sh("ip netns del " + ns_);
    if (!pcap_.empty())
      unlink(pcap_.c_str());
  }

  std::string Exec() const { return "ip netns exec " + ns_ + " "; }

  // Start bsdnetd in the namespace; wait until it says it started.
  void StartDaemon(const std::vector<std::string> &extra = {}) {
    int outp[2], errp[2];
    ASSERT_EQ(0, pipe(outp));
    ASSERT_EQ(0, pipe(errp));
    std::vector<std::string> args = {"ip",     "netns",  "exec", ns_,
                                     BSDNETD,  "--tap",  tap_,   "--addr",
                                     std::string(kStackAddr) + "/24",
                                     "--pcap", pcap_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = fork();
    if (pid_ == 0) {
      dup2(outp[1], 1);
      dup2(errp[1], 2);
      std::vector<char *> argv;
      for (auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
      argv.push_back(nullptr);
      execvp(argv[0], argv.data());
      _exit(127);
    }
    close(outp[1]);
    close(errp[1]);
    out_ = outp[0];
    err_ = errp[0];
    fcntl(out_, F_SETFL, O_NONBLOCK);
    fcntl(err_, F_SETFL, O_NONBLOCK);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      Drain();
      if (errtext_.find("bsdnetd: started") != std::string::npos)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "bsdnetd did not start: " << errtext_;
  }

  void Drain() {
    char buf[4096];
    ssize_t n;
    while (out_ >= 0 && (n = read(out_, buf, sizeof(buf))) > 0)
      outtext_.append(buf, n);
    while (err_ >= 0 && (n = read(err_, buf, sizeof(buf))) > 0)
      errtext_.append(buf, n);
  }

  // SIGTERM, and the exit status (-1: had to be killed).
  int StopDaemon() {
    if (pid_ <= 0)
      return -1;
    kill(pid_, SIGTERM);
    int st = 0, rc = -1;
    for (int i = 0; i < 500; i++) {
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (rc == -1 && waitpid(pid_, &st, WNOHANG) == 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
    }
    pid_ = -1;
    // Let the pipes drain completely.
    fcntl(out_, F_SETFL, 0);
    fcntl(err_, F_SETFL, 0);
    Drain();
    close(out_);
    close(err_);
    out_ = err_ = -1;
    return rc;
  }

  std::string ns_, tap_, pcap_, outtext_, errtext_;
  bool created_ = false;
  pid_t pid_ = -1;
  int out_ = -1, err_ = -1;
};

TEST_F(Interop, LinuxPingGetsTwentyReplies) {
  StartDaemon();
  if (HaveProgram("ping")) {
    std::string out = Capture(Exec() + "ping -c 20 -i 0.05 -W 2 " +
                              std::string(kStackAddr));
    EXPECT_NE(std::string::npos,
              out.find("20 packets transmitted, 20 received"))
        << out;
  } else {
    // No ping(8) here (iputils-ping): the same with a raw ICMP socket.
    int rc = InNamespace(ns_, [] {
      int s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
      if (s < 0)
        return 1;
      timeval tv = {2, 0};
      setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
      sockaddr_in to = {};
      to.sin_family = AF_INET;
      inet_pton(AF_INET, kStackAddr, &to.sin_addr);
      int replies = 0;
      for (int seq = 0; seq < 20; seq++) {
        unsigned char pkt[64] = {8, 0, 0, 0, 0x77, 0x77, 0, 0};
        pkt[7] = (unsigned char)seq;
        std::memset(pkt + 8, 'a' + seq, sizeof(pkt) - 8);
        uint16_t c = Cksum(pkt, sizeof(pkt));
        std::memcpy(pkt + 2, &c, 2);
        sendto(s, pkt, sizeof(pkt), 0, (sockaddr *)&to, sizeof(to));
        unsigned char r[256];
        ssize_t n;
        while ((n = recv(s, r, sizeof(r), 0)) > 0) {
          int hl = (r[0] & 0xf) * 4;
          if (n == hl + 64 && r[hl] == 0 && r[hl + 7] == seq &&
              std::memcmp(r + hl + 8, pkt + 8, 56) == 0) {
            replies++;
            break;
          }
        }
      }
      return replies == 20 ? 0 : 2;
    });
    EXPECT_EQ(0, rc) << "not all 20 echo requests were answered";
  }
  // Statistics on demand.
  kill(pid_, SIGUSR1);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  Drain();
  EXPECT_NE(std::string::npos, outtext_.find("echo requests received"))
      << outtext_;
  EXPECT_EQ(0, StopDaemon()) << errtext_;
  EXPECT_NE(std::string::npos, errtext_.find("shutting down")) << errtext_;
}

TEST_F(Interop, LinuxUdpEchoedByteForByteIncludingFragments) {
  StartDaemon();
  int rc = InNamespace(ns_, [] {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    if (s < 0)
      return 1;
    timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(7);
    inet_pton(AF_INET, kStackAddr, &to.sin_addr);
    const size_t sizes[] = {1, 100, 1472, 1473, 3000, 8000, 30000, 60000};
    std::vector<unsigned char> out(65536), in(65536);
    int seq = 0;
    for (size_t len : sizes) {
      for (size_t i = 0; i < len; i++)
        out[i] = (unsigned char)(i * 7 + seq * 13 + (i >> 9));
      seq++;
      if (sendto(s, out.data(), len, 0, (sockaddr *)&to, sizeof(to)) !=
          (ssize_t)len)
        return 3;
      ssize_t n = recv(s, in.data(), in.size(), 0);
      if (n != (ssize_t)len || std::memcmp(in.data(), out.data(), len) != 0)
        return 10 + seq;
    }
    return 0;
  });
  EXPECT_EQ(0, rc) << "UDP echo failed (child status " << rc << ")";
  EXPECT_EQ(0, StopDaemon()) << errtext_;
  EXPECT_NE(std::string::npos, outtext_.find("packets reassembled ok"));
}

// bsdnetd's own fault injection (the host kernel has no netem): with
// reordering and duplication both ways, Linux still gets every echo whole.
TEST_F(Interop, UdpEchoThroughInjectedReorderingAndDuplication) {
  StartDaemon({"--reorder", "20%", "--dup", "10", "--seed", "11"});
  int rc = InNamespace(ns_, [] {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(7);
    inet_pton(AF_INET, kStackAddr, &to.sin_addr);
    std::vector<unsigned char> out(20000), in(65536);
    for (int i = 0; i < 20; i++) {
      size_t len = 1000 + i * 900;
      for (size_t j = 0; j < len; j++)
        out[j] = (unsigned char)(j ^ (i * 29));
      if (sendto(s, out.data(), len, 0, (sockaddr *)&to, sizeof(to)) !=
          (ssize_t)len)
        return 1;
      // Duplicated datagrams may echo twice: skip anything else.
      for (;;) {
        ssize_t n = recv(s, in.data(), in.size(), 0);
        if (n < 0)
          return 20 + i;
        if (n == (ssize_t)len && std::memcmp(in.data(), out.data(), len) == 0)
          break;
      }
    }
    return 0;
  });
  EXPECT_EQ(0, rc) << "echo through faults failed (child status " << rc << ")";
  EXPECT_EQ(0, StopDaemon()) << errtext_;
  // The statistics at exit show the injected faults.
  auto at = outtext_.find("delayed by fault injection");
  ASSERT_NE(std::string::npos, at) << outtext_;
  std::string line = outtext_.substr(outtext_.rfind('\n', at) + 1,
                                     at - outtext_.rfind('\n', at));
  EXPECT_EQ(std::string::npos, line.find(" 0 reordered")) << line;
  EXPECT_EQ(std::string::npos, line.find(" 0 duplicated")) << line;
}

TEST_F(Interop, PcapOpensInTsharkWithoutWarnings) {
  if (!HaveProgram("tshark"))
    GTEST_SKIP() << "tshark is not installed";
  StartDaemon();
  int rc = InNamespace(ns_, [] {
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv = {3, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in to = {};
    to.sin_family = AF_INET;
    to.sin_port = htons(7);
    inet_pton(AF_INET, kStackAddr, &to.sin_addr);
    std::vector<char> buf(5000, 'p');
    for (size_t len : {10, 5000}) {
      sendto(s, buf.data(), len, 0, (sockaddr *)&to, sizeof(to));
      if (recv(s, buf.data(), buf.size(), 0) != (ssize_t)len)
        return 1;
    }
    return 0;
  });
  ASSERT_EQ(0, rc);
  ASSERT_EQ(0, StopDaemon()) << errtext_;
  std::string opts = " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE ";
  std::string list = Capture("tshark -n -r " + pcap_ + opts);
  // ARP both ways, the datagrams and their fragments.
  EXPECT_NE(std::string::npos, list.find("ARP")) << list;
  EXPECT_NE(std::string::npos, list.find("UDP")) << list;
  EXPECT_NE(std::string::npos, list.find("Fragmented")) << list;
  std::string detail = Capture("tshark -n -V -r " + pcap_ + opts);
  EXPECT_EQ(std::string::npos, detail.find("Malformed")) << detail;
  EXPECT_EQ(std::string::npos, detail.find("[Checksum Status: Bad]"))
      << detail;
  EXPECT_EQ(std::string::npos, detail.find("incorrect")) << detail;
  EXPECT_NE(std::string::npos, detail.find("[Checksum Status: Good]"));
}

TEST_F(Interop, BadCommandLinesAreRefusedClearly) {
  struct Case {
    std::vector<std::string> args;
    const char *msg;
  } cases[] = {
      {{"--tap", "x", "--addr", "1.2.3.4"}, "no /prefix length"},
      {{"--tap", "x", "--addr", "1.2.3/24"}, "not an IPv4 address"},
      {{"--tap", "x", "--addr", "1.2.3.4/40"}, "--addr"},
      {{"--tap", "x", "--addr", "1.2.3.4/24", "--loss", "150"},
       "not a percentage"},
      {{"--tap", "x", "--addr", "1.2.3.4/24", "--mtu", "100"}, "minimum"},
      {{"--tap", "this-name-is-too-long", "--addr", "1.2.3.4/24"},
       "interface name"},
  };
  for (const Case &c : cases) {
    std::string cmd = BSDNETD;
    for (auto &a : c.args)
      cmd += " '" + a + "'";
    std::string out = Capture("{ " + cmd + "; } 2>&1; echo rc=$?");
    EXPECT_NE(std::string::npos, out.find(c.msg)) << cmd << ": " << out;
    EXPECT_NE(std::string::npos, out.find("rc=2")) << cmd << ": " << out;
  }
}

} // namespace
