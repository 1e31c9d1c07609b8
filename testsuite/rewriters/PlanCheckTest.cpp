//===- PlanCheckTest.cpp - the plan checked against the code ---------------===//
//
// Two mistakes that used to pass silently are errors, both under
// --check-plan and when rewriting (nothing written):
//
//   * a site (file + line) that names no spl raise in its file: the plan
//     entry is named, with the nearest raises of the file as a hint;
//   * a lock used at a stage (a rule, site or macro maps a section of a
//     file migrated at that stage to it) whose definition lives in a module
//     that migrates only later, or never: the lock, the stage, the file and
//     the module are named.
//
// The fixture is trees/stages: net/if.c (module net, stage ether) raises at
// line 27, netinet/ip.c (module netinet, stage inet) at line 34.
//
//===----------------------------------------------------------------------===//

#include "RewriteHarness.h"

#include <gtest/gtest.h>

using namespace rwtest;

namespace {

bool contains(const std::string &S, const std::string &Sub) {
  return S.find(Sub) != std::string::npos;
}

Case withPlan(const std::string &Tag, const std::string &Plan) {
  Case C = prepare("stages", Tag);
  writeFile(C.Plan(), Plan);
  return C;
}

const char *Head = R"(version: 1
root: src
locks:
  - name: if_mtx
    define_in: net/if.c
  - name: ip_mtx
    define_in: netinet/ip.c
stages:
  - name: ether
    modules: [net]
  - name: inet
    modules: [netinet]
)";

/// Exit 3 with Msg on stderr, nothing written, for each way of running.
void expectPlanError(const Case &C, const std::vector<std::string> &Extra,
                     const std::vector<std::string> &Msgs) {
  auto Before = snapshot(C.Src());
  for (const char *Mode : {"--check-plan", "--in-place", "--dry-run"}) {
    std::vector<std::string> Args = {Mode};
    Args.insert(Args.end(), Extra.begin(), Extra.end());
    rwtest::Run R = rewrite(C, Args);
    EXPECT_EQ(R.Exit, 3) << Mode << "\n" << R.Err;
    for (const std::string &M : Msgs)
      EXPECT_TRUE(contains(R.Err, M)) << Mode << ": want '" << M << "' in\n"
                                      << R.Err;
    EXPECT_TRUE(contains(R.Err, "nothing written")) << R.Err;
    EXPECT_EQ(R.Out, "") << Mode;
  }
  EXPECT_EQ(Before, snapshot(C.Src()));
}

TEST(PlanCheck, ASiteOnItsSectionPassesAndNothingIsWritten) {
  Case C = withPlan("-siteok", std::string(Head) + R"(rules:
  - lock: ip_mtx
    module: netinet
sites:
  - file: net/if.c
    line: 27
    lock: if_mtx
)");
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewrite(C, {"--check-plan"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(R.Out, "checked (every stage)")) << R.Out;
  EXPECT_EQ(Before, snapshot(C.Src()));
  // And the site does map the section.
  R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(readFile(C.Src() / "net/if.c"), "mtx_lock(&if_mtx);"));
}

TEST(PlanCheck, ASiteOnNoSectionNamesTheEntryAndTheNearestSections) {
  // Line 26 is the line above the raise: an edit moved the section.
  Case C = withPlan("-siteoff", std::string(Head) + R"(rules:
  - lock: ip_mtx
    module: netinet
sites:
  - file: net/if.c
    line: 26
    lock: if_mtx
)");
  expectPlanError(C, {},
                  {C.Plan().string() + ":17: error: site net/if.c:26",
                   "matches no spl section (lock if_mtx)",
                   "raised at line 27"});
}

TEST(PlanCheck, ASiteIsCheckedInAModuleTheStageLeavesAlone) {
  // netinet/ip.c migrates at inet; at ether its site is still wrong.
  Case C = withPlan("-sitelater", std::string(Head) + R"(rules:
  - lock: if_mtx
    module: net
sites:
  - file: netinet/ip.c
    line: 40
    action: drop
)");
  expectPlanError(C, {"--stage", "ether"},
                  {C.Plan().string() + ":17: error: site netinet/ip.c:40",
                   "(action drop)", "raised at line 34"});
}

TEST(PlanCheck, ASiteInAFileWithNoSectionsOrNoFile) {
  Case C = withPlan("-sitefile", std::string(Head) + R"(rules:
  - lock: if_mtx
    module: net
sites:
  - file: netinet/nosuch.c
    line: 3
    action: skip
)");
  expectPlanError(C, {},
                  {C.Plan().string() + ":17: error: site netinet/nosuch.c:3",
                   "no such file"});
}

TEST(PlanCheck, ALockDefinedByALaterStageIsAnError) {
  // net's section takes ip_mtx, which netinet/ip.c defines: at stage
  // ether that definition is not written, and the stage does not link.
  Case C = withPlan("-latelock", std::string(Head) + R"(rules:
  - lock: ip_mtx
)");
  std::vector<std::string> Msgs = {
      C.Plan().string() + ":14: error: lock 'ip_mtx' is used at stage 'ether'",
      "the section at net/if.c:27",
      "its definition (define_in netinet/ip.c) belongs to module 'netinet', "
      "which migrates only at the later stage 'inet'"};
  expectPlanError(C, {}, Msgs);
  expectPlanError(C, {"--stage", "ether"}, Msgs);
  // Every stage up to the one asked for is checked: inet includes ether.
  expectPlanError(C, {"--stage", "inet"}, Msgs);
}

TEST(PlanCheck, AFieldLockOfAStructOfALaterStageIsAnError) {
  // struct ifnet is defined in net/if.c; netinet migrates first here.
  Case C = withPlan("-latefield", R"(version: 1
root: src
locks:
  - name: if_lock
    scope: field
    struct: ifnet
  - name: ip_mtx
    define_in: netinet/ip.c
rules:
  - lock: if_lock
    file: netinet/ip.c
  - lock: ip_mtx
stages:
  - name: inet
    modules: [netinet]
  - name: ether
    modules: [net]
)");
  expectPlanError(
      C, {},
      {C.Plan().string() + ":10: error: lock 'if_lock' is used at stage 'inet'",
       "the section at netinet/ip.c:34",
       "its field's struct ifnet (defined in net/if.c) belongs to module "
       "'net', which migrates only at the later stage 'ether'"});
}

TEST(PlanCheck, ALockOfAModuleNoStageMigratesIsAnError) {
  Case C = withPlan("-nostage", R"(version: 1
root: src
locks:
  - name: k_mtx
    define_in: kern/kern_lock.c
rules:
  - lock: k_mtx
stages:
  - name: ether
    modules: [net]
)");
  expectPlanError(
      C, {},
      {"error: lock 'k_mtx' is used at stage 'ether'",
       "belongs to module 'kern', which no stage migrates"});
}

TEST(PlanCheck, AModeOfItsOwn) {
  Case C = prepare("stages", "-mode");
  rwtest::Run R = rewrite(C, {"--check-plan", "--in-place"});
  EXPECT_EQ(R.Exit, 3);
  EXPECT_TRUE(contains(R.Err, "exclusive")) << R.Err;
}

#ifdef MPSAFE_BUILD_DIR
// The reference stack's plan passes, at every stage and at each.
TEST(PlanCheck, TheReferencePlanPasses) {
  fs::path Stack = MPSAFE_STACK_DIR;
  fs::path DB = fs::path(MPSAFE_BUILD_DIR) / "compile_commands.json";
  if (!fs::exists(Stack / "mpsafe-plan.yaml") || !fs::exists(DB))
    GTEST_SKIP() << "no reference stack or compile database";
  std::vector<std::string> Files;
  for (const char *Dir : {"kern", "net", "netinet"})
    for (auto &E : fs::directory_iterator(Stack / Dir))
      if (E.path().extension() == ".c" &&
          readFile(DB).find(fs::canonical(E.path()).string()) !=
              std::string::npos)
        Files.push_back(fs::canonical(E.path()).string());
  ASSERT_FALSE(Files.empty());
  std::vector<std::string> Args = {
      "-p", MPSAFE_BUILD_DIR, "--plan",
      (Stack / "mpsafe-plan.yaml").string(), "--check-plan"};
  Args.insert(Args.end(), Files.begin(), Files.end());
  rwtest::Run R = run(rewriteBin(), Args);
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(R.Out, "checked (every stage)")) << R.Out;
}
#endif

} // namespace
