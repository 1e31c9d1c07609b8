// mpsafe-rewrite speed on the reference stack against mpsafe-scan over the
// same compile DB (both cold, one job), in the same run. The plan is the
// draft mpsafe-scan --emit-plan writes for the stack. Works on a copy of
// stack/ (--dry-run and --out-dir never touch the tree).
//
//   build/bench/bench_rewrite            (needs build/compile_commands.json)
#include "cpu_seconds.h"
#include "ratio_reporter.h"
#include "llvm/ADT/Optional.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <benchmark/benchmark.h>
#include <cstdlib>

namespace {

struct Tree {
  std::string Dir;  // temporary: Dir/stack (copy), Dir/build (compile DB)
  std::string Plan; // the scan's draft plan
  size_t Files = 0;
  std::string Error;
};

std::string replaceAll(std::string S, const std::string &From,
                       const std::string &To) {
  for (size_t P = 0; (P = S.find(From, P)) != std::string::npos; P += To.size())
    S.replace(P, From.size(), To);
  return S;
}

int spawn(const std::vector<std::string> &Args) {
  std::vector<llvm::StringRef> Argv(Args.begin(), Args.end());
  llvm::Optional<llvm::StringRef> Redir[] = {
      llvm::StringRef(""), llvm::StringRef(""), llvm::StringRef("")};
  return llvm::sys::ExecuteAndWait(Args[0], Argv, llvm::None, Redir);
}

Tree &tree() {
  static Tree T = [] {
    Tree T;
    llvm::SmallString<128> D;
    llvm::sys::fs::createUniqueDirectory("mpsafe-bench-rewrite", D);
    T.Dir = std::string(D);
    std::string Src = std::string(MPSAFE_SOURCE_DIR) + "/stack";
    std::string Copy = T.Dir + "/stack";
    if (std::system(("cp -r '" + Src + "' '" + Copy + "'").c_str()) != 0) {
      T.Error = "cannot copy " + Src;
      return T;
    }
    auto Buf = llvm::MemoryBuffer::getFile(std::string(MPSAFE_BUILD_DIR) +
                                           "/compile_commands.json");
    if (!Buf) {
      T.Error = "no compile_commands.json in " MPSAFE_BUILD_DIR;
      return T;
    }
    auto V = llvm::json::parse((*Buf)->getBuffer());
    if (!V || !V->getAsArray()) {
      T.Error = "bad compile_commands.json";
      return T;
    }
    // The stack's C files, once each (a file built by two targets counts
    // once), host glue left out.
    llvm::json::Array Out;
    std::vector<std::string> Seen;
    for (const llvm::json::Value &E : *V->getAsArray()) {
      const llvm::json::Object *O = E.getAsObject();
      auto File = O ? O->getString("file") : llvm::None;
      if (!File || !File->startswith(Src + "/") || !File->endswith(".c") ||
          File->contains("/host/") ||
          std::find(Seen.begin(), Seen.end(), File->str()) != Seen.end())
        continue;
      Seen.push_back(File->str());
      std::string Text;
      llvm::raw_string_ostream OS(Text);
      OS << E;
      OS.flush();
      auto NV = llvm::json::parse(replaceAll(Text, Src + "/", Copy + "/"));
      Out.push_back(std::move(*NV));
    }
    T.Files = Out.size();
    llvm::sys::fs::create_directories(T.Dir + "/build");
    std::error_code EC;
    llvm::raw_fd_ostream F(T.Dir + "/build/compile_commands.json", EC);
    F << llvm::json::Value(std::move(Out));
    F.close();
    T.Plan = T.Dir + "/draft-plan.yaml";
    spawn({MPSAFE_SCAN_BIN, "-p", T.Dir + "/build", "--no-cache", "--quiet",
           "--emit-plan", T.Plan, "-o", "/dev/null"});
    if (!llvm::sys::fs::exists(T.Plan))
      T.Error = "mpsafe-scan --emit-plan wrote no plan";
    if (!T.Files)
      T.Error = "the compile DB has no stack files";
    return T;
  }();
  return T;
}

template <typename F> void timed(benchmark::State &S, F Body) {
  if (!tree().Error.empty()) {
    S.SkipWithError(tree().Error.c_str());
    return;
  }
  for (auto _ : S) {
    double T0 = cpuSeconds();
    Body();
    S.SetIterationTime(cpuSeconds() - T0);
  }
  S.counters["files"] = tree().Files;
}

void scan_cold_j1(benchmark::State &S) {
  timed(S, [] {
    spawn({MPSAFE_SCAN_BIN, "-p", tree().Dir + "/build", "--no-cache", "-j1",
           "--quiet", "-o", "/dev/null"});
  });
}

void rewrite_dry_run_j1(benchmark::State &S) {
  timed(S, [] {
    spawn({MPSAFE_REWRITE_BIN, "-p", tree().Dir + "/build", "--plan",
           tree().Plan, "-j1", "-o", "/dev/null"});
  });
}

void rewrite_out_dir_j1(benchmark::State &S) {
  timed(S, [] {
    std::string Out = tree().Dir + "/out";
    llvm::sys::fs::remove_directories(Out);
    spawn({MPSAFE_REWRITE_BIN, "-p", tree().Dir + "/build", "--plan",
           tree().Plan, "-j1", "--out-dir", Out, "-o", "/dev/null"});
  });
}

BENCHMARK(scan_cold_j1)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK(rewrite_dry_run_j1)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
BENCHMARK(rewrite_out_dir_j1)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);

} // namespace

int main(int Argc, char **Argv) {
  int Rc = mpsafe_bench::runWithRatios(
      Argc, Argv,
      {{"rewrite_dry_run_j1/iterations:3/manual_time",
        "scan_cold_j1/iterations:3/manual_time",
        "rewrite --dry-run / scan (stack, -j1)"},
       {"rewrite_out_dir_j1/iterations:3/manual_time",
        "scan_cold_j1/iterations:3/manual_time",
        "rewrite --out-dir / scan (stack, -j1)"}});
  if (!tree().Dir.empty())
    llvm::sys::fs::remove_directories(tree().Dir);
  return Rc;
}
