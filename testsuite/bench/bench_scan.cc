// mpsafe-scan speed on the reference stack, against clang -fsyntax-only over
// the same compile DB, and a warm re-scan after editing one file against a
// cold scan. Works on a copy of stack/ (the edit never touches the tree).
//
//   build/bench/bench_scan            (needs build/compile_commands.json)
#include "../../analyzers/scan/Extractor.h"
#include "mpsafe/FrontDoor.h"
#include "cpu_seconds.h"
#include "ratio_reporter.h"
#include "clang/Frontend/FrontendActions.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <benchmark/benchmark.h>
#include <cstdio>

namespace {

struct Tree {
  std::string Dir;                // temporary copy: Dir/stack, Dir/build
  std::vector<std::string> Files; // copied .c files in the DB
  std::vector<std::vector<std::string>> Commands; // adjusted, per file
  std::string Error;
};

std::string replaceAll(std::string S, const std::string &From,
                       const std::string &To) {
  for (size_t P = 0; (P = S.find(From, P)) != std::string::npos; P += To.size())
    S.replace(P, From.size(), To);
  return S;
}

/// Copies stack/ and the stack's entries of the build's compile DB.
Tree &tree() {
  static Tree T = [] {
    Tree T;
    llvm::SmallString<128> D;
    llvm::sys::fs::createUniqueDirectory("mpsafe-bench-scan", D);
    T.Dir = std::string(D);
    std::string Src = std::string(MPSAFE_SOURCE_DIR) + "/stack";
    std::string Copy = T.Dir + "/stack";
    std::string Cmd = "cp -r '" + Src + "' '" + Copy + "'";
    if (std::system(Cmd.c_str()) != 0) {
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
    llvm::json::Array Out;
    for (const llvm::json::Value &E : *V->getAsArray()) {
      const llvm::json::Object *O = E.getAsObject();
      auto File = O->getString("file");
      if (!File || !File->startswith(Src + "/") || !File->endswith(".c") ||
          File->contains("/host/"))
        continue;
      std::string Copied = replaceAll(File->str(), Src + "/", Copy + "/");
      if (std::find(T.Files.begin(), T.Files.end(), Copied) != T.Files.end())
        continue; // a file built by several targets: scanned once
      std::string Text;
      llvm::raw_string_ostream OS(Text);
      OS << E;
      OS.flush();
      Text = replaceAll(Text, Src + "/", Copy + "/");
      auto NV = llvm::json::parse(Text);
      T.Files.push_back(Copied);
      Out.push_back(std::move(*NV));
    }
    std::string DB;
    llvm::raw_string_ostream OS(DB);
    OS << llvm::json::Value(std::move(Out));
    OS.flush();
    llvm::sys::fs::create_directories(T.Dir + "/build");
    std::error_code EC;
    llvm::raw_fd_ostream F(T.Dir + "/build/compile_commands.json", EC);
    F << DB;
    F.close();
    auto Loaded = mpsafe::CompileDB::load(T.Dir + "/build");
    if (!Loaded) {
      T.Error = llvm::toString(Loaded.takeError());
      return T;
    }
    auto Adjust = mpsafe::makeArgumentsAdjuster({}, mpsafe::findResourceDir());
    for (const std::string &File : T.Files) {
      auto Cmds = (*Loaded)->getCompileCommands(File);
      std::vector<std::string> Args = Adjust(Cmds.front().CommandLine, File);
      Args[0] = MPSAFE_CLANG;
      T.Commands.push_back(Args);
    }
    if (T.Files.empty())
      T.Error = "the compile DB has no stack files";
    return T;
  }();
  return T;
}

/// Runs Body once per iteration, reporting its CPU time as the time.
template <typename F> void timed(benchmark::State &S, F Body) {
  for (auto _ : S) {
    double T0 = cpuSeconds();
    Body();
    S.SetIterationTime(cpuSeconds() - T0);
  }
}

int spawn(const std::vector<std::string> &Args) {
  std::vector<llvm::StringRef> Argv(Args.begin(), Args.end());
  llvm::Optional<llvm::StringRef> Redir[] = {
      llvm::StringRef(""), llvm::StringRef(""), llvm::StringRef("")};
  return llvm::sys::ExecuteAndWait(Args[0], Argv, llvm::None, Redir);
}

bool ready(benchmark::State &S) {
  if (!tree().Error.empty()) {
    S.SkipWithError(tree().Error.c_str());
    return false;
  }
  return true;
}

void clang_syntax_only(benchmark::State &S) {
  if (!ready(S))
    return;
  timed(S, [] {
    for (const auto &Cmd : tree().Commands)
      spawn(Cmd);
  });
  S.counters["files"] = tree().Files.size();
}

void scan_cold_j1(benchmark::State &S) {
  if (!ready(S))
    return;
  timed(S, [] {
    spawn({MPSAFE_SCAN_BIN, "-p", tree().Dir + "/build", "--no-cache", "-j1",
           "--quiet", "--format", "sarif", "-o", tree().Dir + "/out.sarif"});
  });
}

void scan_warm_one_edited(benchmark::State &S) {
  if (!ready(S))
    return;
  std::vector<std::string> Args = {
      MPSAFE_SCAN_BIN, "-p",      tree().Dir + "/build",
      "-j1",           "--quiet", "--format",
      "sarif",         "-o",      tree().Dir + "/out.sarif"};
  spawn(Args); // fill the cache
  const std::string &Victim = tree().Files.front();
  unsigned N = 0;
  for (auto _ : S) {
    std::error_code EC;
    llvm::raw_fd_ostream F(Victim, EC, llvm::sys::fs::OF_Append);
    F << "\n/* edit " << ++N << " */\n";
    F.close();
    double T0 = cpuSeconds();
    spawn(Args);
    S.SetIterationTime(cpuSeconds() - T0);
  }
}

// In process, without process start-up: the analysis' own overhead.
void inproc_syntax_only(benchmark::State &S) {
  if (!ready(S))
    return;
  auto DB = mpsafe::CompileDB::load(tree().Dir + "/build");
  auto Adjust = mpsafe::makeArgumentsAdjuster({}, mpsafe::findResourceDir());
  timed(S, [&] {
    for (const std::string &F : tree().Files)
      mpsafe::runAction((*DB)->getCompileCommands(F).front(), Adjust,
                        std::make_unique<clang::SyntaxOnlyAction>());
  });
}

void inproc_extract(benchmark::State &S) {
  if (!ready(S))
    return;
  auto DB = mpsafe::CompileDB::load(tree().Dir + "/build");
  auto Adjust = mpsafe::makeArgumentsAdjuster({}, mpsafe::findResourceDir());
  timed(S, [&] {
    for (const std::string &F : tree().Files) {
      mpsafe::scan::TUFacts Facts;
      std::vector<std::string> Deps;
      mpsafe::runAction((*DB)->getCompileCommands(F).front(), Adjust,
                        mpsafe::scan::makeExtractAction(Facts, Deps));
    }
  });
}

} // namespace

BENCHMARK(clang_syntax_only)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();
BENCHMARK(scan_cold_j1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();
BENCHMARK(scan_warm_one_edited)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();
BENCHMARK(inproc_syntax_only)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();
BENCHMARK(inproc_extract)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseManualTime();

int main(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  mpsafe_bench::RatioReporter R({
      {"scan_cold_j1/iterations:3/manual_time",
       "clang_syntax_only/iterations:3/manual_time",
       "scan -j1 / clang -fsyntax-only (goal <= 1.3)"},
      {"inproc_extract/iterations:3/manual_time",
       "inproc_syntax_only/iterations:3/manual_time",
       "extract / syntax-only, in process"},
      {"scan_warm_one_edited/iterations:3/manual_time",
       "scan_cold_j1/iterations:3/manual_time",
       "warm, one file edited / cold (goal < 0.10)"},
  });
  benchmark::RunSpecifiedBenchmarks(&R);
  std::string Cmd = "rm -rf '" + tree().Dir + "'";
  if (!tree().Dir.empty())
    (void)std::system(Cmd.c_str());
  return 0;
}
