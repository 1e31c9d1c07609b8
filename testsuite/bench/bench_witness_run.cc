// The same small pthread program (bench_lock_workload) run plainly and
// under witness-run; prints the ratio of wall-clock times.
#include "ratio_reporter.h"

#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <vector>

extern char **environ;

namespace {

void runProgram(benchmark::State &St, std::vector<std::string> Args) {
  std::vector<char *> Argv;
  for (std::string &A : Args)
    Argv.push_back(A.data());
  Argv.push_back(nullptr);
  for (auto _ : St) {
    pid_t Pid;
    if (posix_spawn(&Pid, Argv[0], nullptr, nullptr, Argv.data(), environ)) {
      St.SkipWithError("cannot spawn the workload");
      return;
    }
    int Status = 0;
    waitpid(Pid, &Status, 0);
    if (!WIFEXITED(Status) || WEXITSTATUS(Status)) {
      St.SkipWithError("the workload failed");
      return;
    }
  }
}

void BM_Plain(benchmark::State &St) { runProgram(St, {WORKLOAD, "200000"}); }

void BM_WitnessRun(benchmark::State &St) {
  runProgram(St, {WITNESS_RUN, "--fail", "--", WORKLOAD, "200000"});
}

} // namespace

BENCHMARK(BM_Plain)
    ->Name("program/plain")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);
BENCHMARK(BM_WitnessRun)
    ->Name("program/witness-run")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(5);

int main(int Argc, char **Argv) {
  return mpsafe_bench::runWithRatios(
      Argc, Argv,
      {{"program/witness-run/iterations:5/real_time",
        "program/plain/iterations:5/real_time",
        "pthread program under witness-run / plain"}});
}
