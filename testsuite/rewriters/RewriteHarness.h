//===- RewriteHarness.h - run mpsafe-rewrite on a fixture case --*- C++ -*-===//
//
// A case is testsuite/rewriters/fixtures/cases/NAME (or trees/NAME, the
// trees of the refusal and option tests): plan.yaml, src/ (the
// legacy "before" tree), expected/ (the "after" files that change; the
// rest must stay as in src/), and optionally commands.txt (extra compile
// commands: "relpath.c -DFLAG ..." per line). prepare() copies plan and
// src to a fresh directory and writes its compile_commands.json, with the
// fixture kernel headers (fixtures/include) on the include path.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_TEST_REWRITE_HARNESS_H
#define MPSAFE_TEST_REWRITE_HARNESS_H

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace rwtest {

namespace fs = std::filesystem;

struct Run {
  int Exit = -1;
  std::string Out, Err;
};

/// A private copy of one case.
struct Case {
  std::string Name;
  fs::path Dir; ///< holds plan.yaml, src/, compile_commands.json
  /// The compile commands: file relative to src/ and its extra flags.
  std::vector<std::pair<std::string, std::vector<std::string>>> Commands;
  fs::path Src() const { return Dir / "src"; }
  fs::path Plan() const { return Dir / "plan.yaml"; }
  /// The kernel headers the case is compiled against.
  fs::path Include;
};

fs::path fixtures();
std::vector<std::string> caseNames();
Case prepare(const std::string &Name, const std::string &Tag = "",
             const fs::path &Include = fixtures() / "include");
/// The reference stack's kernel headers (stack/), "" when absent.
fs::path stackHeaders();
/// A fresh directory for one test (removed at the next prepare of it).
fs::path scratch(const std::string &Name);

/// Runs a program; stdout and stderr are captured.
Run run(const std::string &Prog, const std::vector<std::string> &Args);
/// mpsafe-rewrite -p DIR --plan DIR/plan.yaml ARGS...
Run rewrite(const Case &C, const std::vector<std::string> &Args);
/// Same, with another plan.
Run rewriteWith(const Case &C, const fs::path &Plan,
                const std::vector<std::string> &Args);

/// Every regular file under Root, by relative path, with its bytes.
std::map<std::string, std::string> snapshot(const fs::path &Root);
/// What src/ must hold after the rewrite: src with expected/ laid over it.
std::map<std::string, std::string> expectedTree(const std::string &Name);
std::string readFile(const fs::path &P);
void writeFile(const fs::path &P, const std::string &Content);

/// clang -fsyntax-only on every .c file under the case's src/; returns the
/// diagnostics of the failures ("" when all compile).
std::string syntaxCheck(const Case &C);

const char *rewriteBin();
const char *clangBin();
const char *applyReplacementsBin(); ///< "" when not installed
const char *scanBin();              ///< "" when mpsafe-scan is not built

} // namespace rwtest

#endif
