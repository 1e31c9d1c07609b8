//===- ScanPlanTest.cpp - mpsafe-scan --emit-plan feeds mpsafe-rewrite ----===//
//
// The draft plan mpsafe-scan writes for a tree is accepted by
// mpsafe-rewrite unchanged, the rewrite changes the tree, the result
// compiles, and a second rewrite with the same plan changes nothing.
//
//===----------------------------------------------------------------------===//

#include "RewriteHarness.h"

#include <gtest/gtest.h>

using namespace rwtest;

namespace {

class ScanPlan : public ::testing::TestWithParam<std::string> {};

TEST_P(ScanPlan, DraftPlanAcceptedUnchangedAndCompiles) {
  if (!*scanBin())
    GTEST_SKIP() << "mpsafe-scan is not built";
  Case C = prepare(GetParam(), "-scan");
  fs::path Draft = C.Dir / "draft.yaml";
  rwtest::Run S = run(scanBin(), {"-p", C.Dir.string(), "--no-cache", "--quiet",
                                  "--emit-plan", Draft.string(), "-o",
                                  (C.Dir / "scan.txt").string()});
  ASSERT_TRUE(S.Exit == 0 || S.Exit == 1) << S.Err;
  ASSERT_TRUE(fs::exists(Draft)) << S.Err;
  std::string Plan = readFile(Draft);
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewriteWith(C, Draft, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err << "\n" << Plan;
  EXPECT_EQ(readFile(Draft), Plan) << "the plan file was modified";
  EXPECT_NE(Before, snapshot(C.Src())) << "the draft plan rewrote nothing\n"
                                       << Plan;
  EXPECT_EQ(syntaxCheck(C), "") << Plan;
  rwtest::Run Again = rewriteWith(C, Draft, {"--dry-run"});
  EXPECT_EQ(Again.Out, "");
}

INSTANTIATE_TEST_SUITE_P(Cases, ScanPlan,
                         ::testing::Values("sections", "socket", "ifdef",
                                           "macros", "counters"),
                         [](const auto &Info) { return Info.param; });

} // namespace
