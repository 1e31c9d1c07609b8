// The scaling benchmark of the migration: the same workload (N TCP streams
// and N UDP flows between two stacks on the virtual wire, N application
// threads per side) on the legacy and the MP build of the stack, with 1, 2
// and 4 threads.  The two builds define the same symbols, so each runs in
// its own process (bench_scaling_worker.c built twice); this program runs
// them in turn, best of --reps runs each, and prints throughput, the curve
// against one thread and the MP/legacy ratio measured in the same run.
//
//   bench_scaling [--seconds S] [--reps R] [--threads 1,2,4] [--proto both|udp|tcp]
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Sample {
  bool Failed = false;
  double Secs = 0;
  unsigned long TcpBytes = 0, UdpDgrams = 0, UdpBytes = 0;
  double mbps() const {
    return Secs > 0 ? (TcpBytes + UdpBytes) / Secs / 1e6 : 0;
  }
};

bool runWorker(const std::string &Exe, int Threads, double Secs,
               const std::string &Proto, Sample &S) {
  std::string Cmd = Exe + " -t " + std::to_string(Threads) + " -s " +
                    std::to_string(Secs) + " -p " + Proto + " 2>&1";
  FILE *P = popen(Cmd.c_str(), "r");
  if (!P)
    return false;
  char Line[512];
  std::string Out;
  while (fgets(Line, sizeof Line, P))
    Out += Line;
  int St = pclose(P);
  int T = 0;
  if (St != 0 ||
      sscanf(Out.c_str(),
             "threads=%d seconds=%lf tcp_bytes=%lu udp_dgrams=%lu udp_bytes=%lu",
             &T, &S.Secs, &S.TcpBytes, &S.UdpDgrams, &S.UdpBytes) != 5) {
    fprintf(stderr, "bench_scaling: %s failed:\n%s", Cmd.c_str(), Out.c_str());
    return false;
  }
  return true;
}

} // namespace

int main(int Argc, char **Argv) {
  double Secs = 1.5;
  int Reps = 3;
  std::string Proto = "both";
  std::vector<int> Threads = {1, 2, 4};
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Next = [&]() -> const char * {
      if (I + 1 >= Argc) {
        fprintf(stderr, "bench_scaling: %s needs a value\n", A.c_str());
        exit(2);
      }
      return Argv[++I];
    };
    if (A == "--seconds")
      Secs = atof(Next());
    else if (A == "--reps")
      Reps = atoi(Next());
    else if (A == "--proto")
      Proto = Next();
    else if (A == "--threads") {
      Threads.clear();
      std::stringstream SS(Next());
      std::string T;
      while (std::getline(SS, T, ','))
        Threads.push_back(atoi(T.c_str()));
    } else {
      fprintf(stderr,
              "usage: bench_scaling [--seconds S] [--reps R] "
              "[--threads 1,2,4] [--proto both|udp|tcp]\n");
      return 2;
    }
  }
  if (Secs <= 0 || Reps < 1 || Threads.empty()) {
    fprintf(stderr, "bench_scaling: --seconds and --reps must be positive\n");
    return 2;
  }

  const std::vector<std::pair<std::string, std::string>> Builds = {
      {"legacy", BENCH_SCALING_LEGACY}, {"mp", BENCH_SCALING_MP}};
  std::map<std::pair<std::string, int>, Sample> Best;
  printf("scaling: %s; per N: N app threads per stack, N TCP streams, N UDP "
         "flows; %.1fs per run, best of %d, %u CPU(s)\n",
         Proto.c_str(), Secs, Reps,
         std::thread::hardware_concurrency());
  // Interleave the builds so that load changes on the machine hit both.
  for (int T : Threads)
    for (int R = 0; R < Reps; ++R)
      for (const auto &B : Builds) {
        Sample S;
        Sample &Cur = Best[{B.first, T}];
        if (!runWorker(B.second, T, Secs, Proto, S))
          Cur.Failed = true; // shown as FAILED; the other figures stand
        else if (S.mbps() > Cur.mbps())
          Cur = S;
      }

  printf("\n%-8s %3s %12s %12s %12s %9s\n", "build", "N", "MB/s", "TCP MB/s",
         "UDP dgram/s", "vs N=1");
  for (const auto &B : Builds)
    for (int T : Threads) {
      const Sample &S = Best[{B.first, T}];
      const Sample &One = Best[{B.first, Threads.front()}];
      if (S.Failed && S.Secs == 0) {
        printf("%-8s %3d %12s  (the workload failed: output above)\n",
               B.first.c_str(), T, "FAILED");
        continue;
      }
      printf("%-8s %3d %12.1f %12.1f %12.0f %8.2fx\n", B.first.c_str(), T,
             S.mbps(), S.TcpBytes / S.Secs / 1e6, S.UdpDgrams / S.Secs,
             One.mbps() > 0 ? S.mbps() / One.mbps() : 0.0);
    }
  printf("\nratios (MP / legacy, same run):\n");
  for (int T : Threads) {
    const Sample &M = Best[{"mp", T}], &L = Best[{"legacy", T}];
    if (M.Secs == 0 || L.Secs == 0) {
      printf("  N=%d     n/a  (a build failed)\n", T);
      continue;
    }
    printf("  N=%d  %6.2fx  (%.1f vs %.1f MB/s)\n", T,
           L.mbps() > 0 ? M.mbps() / L.mbps() : 0.0, M.mbps(), L.mbps());
  }
  for (const auto &KV : Best)
    if (KV.second.Failed)
      return 1;
  return 0;
}
