//===- GoldenTest.cpp - before/after goldens, idempotence, round trips ----===//
//
// For every case under fixtures/cases (one per rewrite: sections, sleeps,
// counters, refcounts, field locks, macros, #ifdef branches, shared
// headers): --in-place turns src/ into exactly expected/ (files not in
// expected/ stay byte-identical), the result compiles with clang
// -fsyntax-only against the fixture MP headers, a second run changes
// nothing, clang-apply-replacements on --export-fixes gives the same tree,
// --out-dir writes the same tree elsewhere and leaves the input alone, and
// --dry-run prints a diff without writing.
//
// MPSAFE_UPDATE_GOLDEN=1 rewrites expected/ from the current output (review
// the diff before committing it).
//
//===----------------------------------------------------------------------===//

#include "RewriteHarness.h"

#include <gtest/gtest.h>

using namespace rwtest;

namespace {

class Golden : public ::testing::TestWithParam<std::string> {};

void expectTree(const std::map<std::string, std::string> &Want,
                const std::map<std::string, std::string> &Got,
                const std::string &What) {
  for (auto &KV : Want) {
    auto It = Got.find(KV.first);
    ASSERT_NE(It, Got.end()) << What << ": missing " << KV.first;
    EXPECT_EQ(KV.second, It->second) << What << ": " << KV.first << " differs";
  }
  for (auto &KV : Got)
    EXPECT_TRUE(Want.count(KV.first))
        << What << ": unexpected file " << KV.first;
}

TEST_P(Golden, InPlaceMatchesExpected) {
  Case C = prepare(GetParam());
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_LE(R.Exit, 0) << R.Err;
  auto Got = snapshot(C.Src());
  if (getenv("MPSAFE_UPDATE_GOLDEN")) {
    fs::path Exp = fixtures() / "cases" / GetParam() / "expected";
    auto Before = snapshot(fixtures() / "cases" / GetParam() / "src");
    fs::remove_all(Exp);
    fs::create_directories(Exp);
    for (auto &KV : Got)
      if (Before[KV.first] != KV.second)
        writeFile(Exp / KV.first, KV.second);
  }
  expectTree(expectedTree(GetParam()), Got, "--in-place");
  auto Before = snapshot(fixtures() / "cases" / GetParam() / "src");
  EXPECT_NE(Before, Got) << "the case rewrites nothing";
}

TEST_P(Golden, OutputCompiles) {
  Case C = prepare(GetParam());
  ASSERT_EQ(rewrite(C, {"--in-place"}).Exit, 0);
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST_P(Golden, SecondRunChangesNothing) {
  Case C = prepare(GetParam());
  ASSERT_EQ(rewrite(C, {"--in-place"}).Exit, 0);
  auto Once = snapshot(C.Src());
  rwtest::Run Diff = rewrite(C, {"--dry-run"});
  EXPECT_EQ(Diff.Exit, 0) << Diff.Err;
  EXPECT_EQ(Diff.Out, "") << "a second run would still edit";
  ASSERT_EQ(rewrite(C, {"--in-place"}).Exit, 0);
  EXPECT_EQ(Once, snapshot(C.Src()));
}

TEST_P(Golden, DryRunPrintsDiffAndWritesNothing) {
  Case C = prepare(GetParam());
  auto Before = snapshot(C.Dir);
  rwtest::Run R = rewrite(C, {});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_NE(R.Out.find("--- a/"), std::string::npos);
  EXPECT_NE(R.Out.find("\n@@ -"), std::string::npos);
  EXPECT_EQ(Before, snapshot(C.Dir));
}

TEST_P(Golden, ClangApplyReplacementsEqualsInPlace) {
  if (!*applyReplacementsBin())
    GTEST_SKIP() << "clang-apply-replacements not installed";
  Case A = prepare(GetParam(), "-inplace");
  Case B = prepare(GetParam(), "-fixes");
  ASSERT_EQ(rewrite(A, {"--in-place"}).Exit, 0);
  fs::path Fixes = B.Dir / "fixes";
  fs::create_directories(Fixes);
  rwtest::Run E =
      rewrite(B, {"--export-fixes", (Fixes / "rewrite.yaml").string()});
  ASSERT_EQ(E.Exit, 0) << E.Err;
  rwtest::Run Apply = run(applyReplacementsBin(), {Fixes.string()});
  ASSERT_EQ(Apply.Exit, 0) << Apply.Out << Apply.Err;
  EXPECT_EQ(snapshot(A.Src()), snapshot(B.Src()));
}

TEST_P(Golden, OutDirHoldsRewrittenTreeInputUntouched) {
  Case C = prepare(GetParam());
  auto Before = snapshot(C.Src());
  fs::path Out = C.Dir / "out";
  rwtest::Run R = rewrite(C, {"--out-dir", Out.string()});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  EXPECT_EQ(Before, snapshot(C.Src()));
  // Every source and project header the TUs read, rewritten or not.
  expectTree(expectedTree(GetParam()), snapshot(Out), "--out-dir");
}

// The same rewrite against the reference stack's MP kernel headers
// (mutex(9), atomic(9), counter(9), refcount(9), msleep; tsleep and splx
// are macros there): same output, and it compiles.
TEST_P(Golden, SameOutputCompilesAgainstStackHeaders) {
  if (stackHeaders().empty())
    GTEST_SKIP() << "stack/sys/mutex.h not there yet";
  Case C = prepare(GetParam(), "-stack", stackHeaders());
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  expectTree(expectedTree(GetParam()), snapshot(C.Src()), "stack headers");
  EXPECT_EQ(syntaxCheck(C), "");
}

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(caseNames()),
                         [](const auto &Info) { return Info.param; });

} // namespace
