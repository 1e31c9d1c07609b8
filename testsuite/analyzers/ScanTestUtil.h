// Helpers for the mpsafe-scan tests: a fresh work directory per test, a
// compile DB generated at test time (absolute paths), running the tool and
// reading its JSON.
#ifndef TESTSUITE_ANALYZERS_SCANTESTUTIL_H
#define TESTSUITE_ANALYZERS_SCANTESTUTIL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace scantest {

inline std::string fixtures() { return MPSAFE_FIXTURES; }
inline std::string fixtureSrc() { return fixtures() + "/src"; }

inline std::string readFile(const std::string &Path) {
  auto B = llvm::MemoryBuffer::getFile(Path);
  return B ? (*B)->getBuffer().str() : std::string();
}

inline void writeFile(const std::string &Path, llvm::StringRef Text) {
  llvm::sys::fs::create_directories(llvm::sys::path::parent_path(Path));
  std::error_code EC;
  llvm::raw_fd_ostream OS(Path, EC);
  ASSERT_FALSE(EC) << Path << ": " << EC.message();
  OS << Text;
}

/// A fresh directory named after the running test.
inline std::string workDir() {
  const auto *I = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string Name = std::string(I->test_suite_name()) + "." + I->name();
  for (char &C : Name)
    if (C == '/')
      C = '_';
  std::string D = std::string(MPSAFE_TEST_WORK) + "/" + Name;
  llvm::sys::fs::remove_directories(D);
  llvm::sys::fs::create_directories(D);
  return D;
}

/// Every fixture source, sorted.
inline std::vector<std::string>
fixtureFiles(const std::string &Dir = fixtureSrc()) {
  std::vector<std::string> Out;
  std::error_code EC;
  for (llvm::sys::fs::recursive_directory_iterator It(Dir, EC), End;
       It != End && !EC; It.increment(EC))
    if (llvm::StringRef(It->path()).endswith(".c"))
      Out.push_back(It->path());
  std::sort(Out.begin(), Out.end());
  return Out;
}

/// compile_commands.json in DbDir for Files, with a GCC-style command line.
inline void writeDB(const std::string &DbDir,
                    const std::vector<std::string> &Files,
                    const std::vector<std::string> &Extra = {},
                    const std::string &Include = fixtures() + "/include") {
  llvm::json::Array A;
  for (const std::string &F : Files) {
    llvm::json::Array Args{"gcc",          "-c",        "-std=gnu11",
                           "-I" + Include, "-D_KERNEL", "-O2"};
    for (const std::string &E : Extra)
      Args.push_back(E);
    Args.push_back("-o");
    Args.push_back(F + ".o");
    Args.push_back(F);
    A.push_back(llvm::json::Object{
        {"directory", DbDir}, {"file", F}, {"arguments", std::move(Args)}});
  }
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << llvm::formatv("{0:2}", llvm::json::Value(std::move(A)));
  OS.flush();
  writeFile(DbDir + "/compile_commands.json", S);
}

struct ScanRun {
  int Status = -1;
  std::string Out, Err;
};

/// Runs mpsafe-scan with Args; stdout and stderr captured.
inline ScanRun scan(const std::vector<std::string> &Args) {
  ScanRun R;
  llvm::SmallString<128> OutF, ErrF;
  llvm::sys::fs::createTemporaryFile("scan-out", "txt", OutF);
  llvm::sys::fs::createTemporaryFile("scan-err", "txt", ErrF);
  std::vector<llvm::StringRef> Argv{MPSAFE_SCAN_BIN};
  for (const std::string &A : Args)
    Argv.push_back(A);
  llvm::Optional<llvm::StringRef> Redir[] = {
      llvm::StringRef(""), llvm::StringRef(OutF), llvm::StringRef(ErrF)};
  std::string Msg;
  R.Status = llvm::sys::ExecuteAndWait(MPSAFE_SCAN_BIN, Argv, llvm::None, Redir,
                                       /*SecondsToWait=*/120, 0, &Msg);
  R.Out = readFile(std::string(OutF));
  R.Err = readFile(std::string(ErrF)) + Msg;
  llvm::sys::fs::remove(OutF);
  llvm::sys::fs::remove(ErrF);
  return R;
}

inline llvm::json::Value parseJson(const std::string &Text) {
  auto V = llvm::json::parse(Text);
  if (!V) {
    ADD_FAILURE() << "bad JSON: " << llvm::toString(V.takeError()) << "\n"
                  << Text.substr(0, 500);
    return nullptr;
  }
  return std::move(*V);
}

/// Replaces every occurrence of From in S by To.
inline std::string replaceAll(std::string S, const std::string &From,
                              const std::string &To) {
  for (size_t P = 0; (P = S.find(From, P)) != std::string::npos; P += To.size())
    S.replace(P, From.size(), To);
  return S;
}

} // namespace scantest

#endif
