// A Google Benchmark console reporter that, after the usual table, prints
// the ratio of each benchmark to its baseline measured in the same run.
// Pairs are given as (numerator name, baseline name, label).
#ifndef TESTSUITE_BENCH_RATIO_REPORTER_H
#define TESTSUITE_BENCH_RATIO_REPORTER_H

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace mpsafe_bench {

class RatioReporter : public benchmark::ConsoleReporter {
public:
  struct Pair {
    std::string Num, Base, Label;
  };
  explicit RatioReporter(std::vector<Pair> Pairs) : Pairs(std::move(Pairs)) {}

  void ReportRuns(const std::vector<Run> &Runs) override {
    // With --benchmark_repetitions the fastest repetition is kept: on a
    // shared machine it is the one least disturbed by other load.
    for (const Run &R : Runs) {
      if (R.run_type != Run::RT_Iteration || R.iterations == 0)
        continue;
      double T = R.GetAdjustedRealTime();
      auto [It, New] = Ns.emplace(R.run_name.str(), T);
      if (!New && T < It->second)
        It->second = T;
    }
    ConsoleReporter::ReportRuns(Runs);
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    printf("\nratios (real time, same run, fastest repetition):\n");
    for (const Pair &P : Pairs) {
      auto N = Ns.find(P.Num), B = Ns.find(P.Base);
      if (N == Ns.end() || B == Ns.end() || B->second <= 0) {
        printf("  %-44s n/a (not run)\n", P.Label.c_str());
        continue;
      }
      printf("  %-44s %6.2fx  (%.1f vs %.1f)\n", P.Label.c_str(),
             N->second / B->second, N->second, B->second);
    }
    fflush(stdout);
  }

private:
  std::vector<Pair> Pairs;
  std::map<std::string, double> Ns;
};

/// main() body: runs the registered benchmarks with the ratio reporter.
inline int runWithRatios(int Argc, char **Argv,
                         std::vector<RatioReporter::Pair> Pairs) {
  benchmark::Initialize(&Argc, Argv);
  if (benchmark::ReportUnrecognizedArguments(Argc, Argv))
    return 1;
  RatioReporter R(std::move(Pairs));
  benchmark::RunSpecifiedBenchmarks(&R);
  benchmark::Shutdown();
  return 0;
}

} // namespace mpsafe_bench

#endif
