// The migrated stack, built from the rewriter's output and the reviewed
// patches (stack/mp/mp.cmake), runs the two-stack demo with witness in
// fail mode against the declared order; witness-check over the graphs of
// every run finds no reversal. stackdemo-mp is a build dependency of this
// test, so the build itself rewrites and compiles the MP stack.
#include "E2eUtil.h"
#include <gtest/gtest.h>

using namespace e2e;

namespace {

const std::string Build = MPSAFE_BUILD_DIR;
const std::string Order = MPSAFE_STACK_DIR "/lock-order";

TEST(MpWitness, DemoRunsCleanUnderWitnessWithTheDeclaredOrder) {
  ASSERT_TRUE(exists(Build + "/bin/stackdemo-mp"));
  std::string Dir = tempDir("mp-witness");
  ASSERT_FALSE(Dir.empty());
  for (int I = 0; I < 2; ++I) {
    Result R = run("WITNESS_FAIL=1 WITNESS_ORDER=" + quote(Order) +
                   " WITNESS_GRAPH=" + quote(Dir + "/demo-%p.graph") +
                   " timeout 60 " + quote(Build + "/bin/stackdemo-mp"));
    ASSERT_EQ(R.Status, 0) << R.Out;
    EXPECT_NE(R.Out.find("--- 5/5 ping replies, 5/5 udp echoes ---"),
              std::string::npos) << R.Out;
    EXPECT_NE(R.Out.find("witness: 0 report(s)"), std::string::npos) << R.Out;
  }

  // The plan's locks were really taken, in the declared order.
  Result G = run("cat " + quote(Dir) + "/demo-*.graph");
  for (const char *Class : {"\tso\n", "\tpcbinfo\n", "\troute\n", "\tarp\n",
                            "\tifnet\n", "\tnetisr\n"})
    EXPECT_NE(G.Out.find(Class), std::string::npos) << "no class" << Class;
  EXPECT_NE(G.Out.find("\tso\tifnet\n"), std::string::npos)
      << "no observed so -> ifnet edge (send path)";

  Result C = run(quote(Build + "/bin/witness-check") + " --order " +
                 quote(Order) + " " + quote(Dir) + "/demo-*.graph");
  EXPECT_EQ(C.Status, 0) << C.Out;
  EXPECT_NE(C.Out.find("0 new reversal(s)"), std::string::npos) << C.Out;
  run("rm -rf " + quote(Dir));
}

} // namespace
