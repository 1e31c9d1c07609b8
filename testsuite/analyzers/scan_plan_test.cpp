// --emit-plan: the draft is a plan mpsafe-rewrite's reader accepts as is,
// with one lock per module and level, counters and bottom-up stages.
#include "ScanTestUtil.h"
#include "mpsafe/Plan.h"

using namespace scantest;

namespace {

TEST(EmitPlan, DraftReadsBackAndMapsEverySection) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  std::string PlanFile = W + "/draft-plan.yaml";
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "--emit-plan", PlanFile});
  ASSERT_EQ(R.Status, 0) << R.Err;
  auto P = mpsafe::plan::readPlan(PlanFile);
  ASSERT_TRUE(static_cast<bool>(P)) << llvm::toString(P.takeError());
  const mpsafe::plan::Lock *L = P->findLock("spl_splnet_mtx");
  ASSERT_TRUE(L);
  EXPECT_EQ(L->DefineIn, "spl/cross.c"); // first file of spl/ raising splnet
  bool Rule = false;
  for (const auto &Ru : P->Rules)
    Rule |= Ru.Lock == "spl_splnet_mtx" && Ru.When.Module == "spl" &&
            Ru.When.Level == "splnet";
  EXPECT_TRUE(Rule);
  EXPECT_EQ(P->Locks.size(), 11u); // (module, level) pairs of the fixtures
  ASSERT_EQ(P->Counters.size(), 1u);
  EXPECT_EQ(P->Counters[0].Variable, "etherstat");
  std::vector<std::string> Stages;
  for (const auto &S : P->Stages)
    Stages.push_back(S.Name);
  auto Pos = [&](const char *N) {
    return std::find(Stages.begin(), Stages.end(), N) - Stages.begin();
  };
  EXPECT_LT(Pos("ether"), Pos("arp"));
  EXPECT_LT(Pos("ip"), Pos("tcp"));
}

} // namespace
