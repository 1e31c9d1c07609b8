//===- RefusalTest.cpp - what mpsafe-rewrite refuses, and its options -----===//
//
// Refusals leave every file byte-identical: a bad plan (unknown lock, bad
// YAML, unknown function or stage) stops before anything is written, a
// file that fails to parse is never written, overlapping edits leave their
// file untouched and are reported as file:line:col. Also: stages, a header
// reached through a symlink, and the report formats.
//
//===----------------------------------------------------------------------===//

#include "RewriteHarness.h"

#include "llvm/Support/JSON.h"
#include <gtest/gtest.h>

using namespace rwtest;

namespace {

bool contains(const std::string &S, const std::string &Sub) {
  return S.find(Sub) != std::string::npos;
}

/// Replaces Plan's text; returns the case.
Case withPlan(const std::string &Name, const std::string &Plan) {
  Case C = prepare(Name, "-plan");
  writeFile(C.Plan(), Plan);
  return C;
}

void expectUsageErrorNothingWritten(const Case &C, const std::string &Msg) {
  auto Before = snapshot(C.Src());
  for (const char *Mode : {"--in-place", "--dry-run"}) {
    rwtest::Run R = rewrite(C, {Mode});
    EXPECT_EQ(R.Exit, 3) << R.Err;
    EXPECT_TRUE(contains(R.Err, Msg)) << R.Err;
    EXPECT_TRUE(contains(R.Err, "nothing written")) << R.Err;
    EXPECT_EQ(R.Out, "");
  }
  EXPECT_EQ(Before, snapshot(C.Src()));
}

TEST(Refusal, UnknownLockInPlanNamesPlanLine) {
  Case C =
      withPlan("sections", "version: 1\nroot: src\nlocks:\n  - name: ip_mtx\n"
                           "rules:\n  - lock: ip_mtx\n  - lock: ipx_mtx\n");
  expectUsageErrorNothingWritten(
      C, C.Plan().string() + ":7: error: rule names unknown lock 'ipx_mtx'");
}

TEST(Refusal, BadYamlNamesLineAndColumn) {
  Case C = withPlan("sections", "version: 1\nroot: src\nlocks:\n  - name: a\n"
                                "   kind: mutex\n");
  expectUsageErrorNothingWritten(C, C.Plan().string() + ":5:");
}

TEST(Refusal, UnknownFunctionInPlan) {
  Case C =
      withPlan("sections", "version: 1\nroot: src\nlocks:\n  - name: ip_mtx\n"
                           "    init_in: ip_setup\nrules:\n  - lock: ip_mtx\n");
  expectUsageErrorNothingWritten(
      C,
      C.Plan().string() + ":4: error: unknown function 'ip_setup' in init_in");
}

TEST(Refusal, UnknownStage) {
  Case C = prepare("stages");
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "tcp"});
  EXPECT_EQ(R.Exit, 3);
  EXPECT_TRUE(contains(R.Err, "--stage tcp: no such stage")) << R.Err;
  EXPECT_TRUE(contains(R.Err, "stages: ether, inet")) << R.Err;
  EXPECT_EQ(Before, snapshot(C.Src()));
}

TEST(Refusal, MissingCompileDatabase) {
  Case C = prepare("stages");
  std::filesystem::remove(C.Dir / "compile_commands.json");
  rwtest::Run R = rewrite(C, {"--in-place"});
  EXPECT_EQ(R.Exit, 3);
  EXPECT_TRUE(contains(R.Err, "compile_commands.json")) << R.Err;
}

TEST(Refusal, ParseFailureWritesNothing) {
  Case C = prepare("parse");
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewrite(C, {"--in-place"});
  EXPECT_EQ(R.Exit, 2) << R.Err;
  EXPECT_TRUE(contains(R.Err, "broken.c: error: failed to parse; not written"))
      << R.Err;
  EXPECT_TRUE(contains(R.Err, "broken.c:24:")) << R.Err; // the first error
  EXPECT_EQ(Before, snapshot(C.Src()));
  // Nor does the diff offer anything for it.
  rwtest::Run D = rewrite(C, {"--dry-run"});
  EXPECT_EQ(D.Exit, 2);
  EXPECT_EQ(D.Out, "");
}

TEST(Refusal, ConflictReportedAsFileLineColumnFileUntouched) {
  Case C = prepare("conflict");
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewrite(C, {"--in-place"});
  EXPECT_EQ(R.Exit, 2) << R.Err;
  std::string Q = (C.Src() / "net/q.c").string();
  EXPECT_TRUE(contains(R.Err, Q + ":21:2: error: conflicting edits at " + Q +
                                  ":21:2 and 21:2; the file is left untouched"))
      << R.Err;
  EXPECT_TRUE(contains(R.Err, "manual: not written (conflicting edits"))
      << R.Err;
  EXPECT_EQ(Before, snapshot(C.Src()));
  fs::path Fixes = C.Dir / "fixes.yaml";
  rewrite(C, {"--export-fixes", Fixes.string()});
  EXPECT_FALSE(contains(readFile(Fixes), "q.c")) << readFile(Fixes);
}

// Rules by function and file glob, per-site overrides, lock kinds.
TEST(Rules, FunctionFileSiteAndKinds) {
  Case C = withPlan("sections", R"(version: 1
root: src
locks:
  - name: ip_mtx
    define_in: netinet/ip_input.c
  - name: wait_mtx
    kind: spin
    define_in: netinet/ip_input.c
  - name: kr_lock
    kind: rw
    define_in: netinet/ip_input.c
rules:
  - lock: wait_mtx
    function: ip_wait
  - lock: kr_lock
    function: ip_kr
  - lock: ip_mtx
    file: "netinet/ip_*.c"
sites:
  - file: netinet/ip_input.c
    line: 33
    action: skip
    note: done by hand
  - file: netinet/ip_input.c
    line: 149
    lock: kr_lock
)");
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string In = readFile(C.Src() / "netinet/ip_input.c");
  std::string Var = readFile(C.Src() / "netinet/ip_var.h");
  // The skipped site stays, with the plan's line and note.
  EXPECT_TRUE(contains(In, "\ts = splnet();\n\t/* link it first */")) << In;
  EXPECT_TRUE(contains(R.Err, "the plan skips this site (" + C.Plan().string() +
                                  ":20): done by hand"))
      << R.Err;
  // A spin mutex cannot be slept on: ip_wait stays, manual.
  EXPECT_TRUE(contains(In, "error = tsleep(&ipq_head")) << In;
  EXPECT_TRUE(contains(R.Err, "lock 'wait_mtx' is a spin lock, which cannot be "
                              "held across a sleep"))
      << R.Err;
  // By function, and a site override: an rw lock, rw_sleep.
  EXPECT_TRUE(contains(In, "\trw_wlock(&kr_lock);\n\n\tq->len = n;")) << In;
  EXPECT_TRUE(contains(In, "rw_sleep(&ip_pending, &kr_lock, PZERO | PDROP"))
      << In;
  // The file glob does not take the header.
  EXPECT_TRUE(contains(Var, "s = splnet();")) << Var;
  EXPECT_TRUE(contains(R.Err, "no rule of the plan maps this splnet section in "
                              "ipq_empty()"))
      << R.Err;
  EXPECT_TRUE(contains(In, "\tmtx_lock(&ip_mtx);\n\tif (ipq_head == NULL) {"))
      << In;
}

TEST(Stages, OnlyTheStagesModulesAreMigrated) {
  Case C = prepare("stages");
  auto Before = snapshot(C.Src());
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto After = snapshot(C.Src());
  EXPECT_TRUE(contains(After["net/if.c"], "mtx_lock(&if_mtx);"));
  EXPECT_EQ(Before["netinet/ip.c"], After["netinet/ip.c"]);
  // Stages are cumulative: inet brings netinet, net is already done.
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto Last = snapshot(C.Src());
  EXPECT_TRUE(contains(Last["netinet/ip.c"], "mtx_lock(&ip_mtx);"));
  EXPECT_EQ(After["net/if.c"], Last["net/if.c"]);
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Stages, MigratedModulesLeaveGiant) {
  Case C = prepare("stages", "-giant");
  ASSERT_EQ(rewrite(C, {"--in-place", "--stage", "ether"}).Exit, 0);
  auto Ether = snapshot(C.Src());
  EXPECT_TRUE(contains(Ether["net/if.c"], "ifp->if_flags = IFF_UP;\n"))
      << Ether["net/if.c"];
  EXPECT_FALSE(contains(Ether["netinet/ip.c"], "| PR_MPSAFE"));
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto Inet = snapshot(C.Src());
  EXPECT_TRUE(
      contains(Inet["netinet/ip.c"], ".pr_flags =\tPR_ATOMIC | PR_MPSAFE,"))
      << Inet["netinet/ip.c"];
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Stages, ModuleWithManualSitesAndLaterStagesKeepGiant) {
  Case C = prepare("stages", "-keepgiant");
  // A sleep outside any section: net keeps Giant, and so does netinet,
  // the stage built on it.
  std::string If = readFile(C.Src() / "net/if.c");
  writeFile(C.Src() / "net/if.c",
            If + "\nvoid\nif_nap(void)\n{\n\n\ttsleep(&if_count, 0, "
                 "\"ifnap\", 1);\n}\n");
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto After = snapshot(C.Src());
  EXPECT_TRUE(contains(After["net/if.c"], "IFF_NEEDSGIANT;"));
  EXPECT_FALSE(contains(After["netinet/ip.c"], "PR_MPSAFE,"));
  EXPECT_TRUE(contains(After["netinet/ip.c"], "mtx_lock(&ip_mtx);"));
  EXPECT_TRUE(contains(R.Err, "module net stays under Giant (not marked "
                              "MPSAFE): 1 of its sites are manual"))
      << R.Err;
  EXPECT_TRUE(contains(R.Err, "module netinet stays under Giant (not marked "
                              "MPSAFE): an earlier stage stays under Giant"))
      << R.Err;
}

TEST(Stages, EntryLeavesGiantWithTheModuleOfItsRoutines) {
  Case C = prepare("stages", "-entry");
  // A protocol entry in net/if.c (stage ether) whose input routine is
  // ip_bump, defined in netinet/ip.c (stage inet).
  std::string If = readFile(C.Src() / "net/if.c");
  writeFile(C.Src() / "net/if.c",
            If + "\n#define PR_ATOMIC\t0x01\n#define PR_MPSAFE\t0x80\n"
                 "struct protosw {\n\tshort\tpr_flags;\n"
                 "\tvoid\t(*pr_input)(void);\n};\n"
                 "void ip_bump(void);\n"
                 "struct protosw ifsw = {\n\t.pr_flags =\tPR_ATOMIC,\n"
                 "\t.pr_input =\tip_bump,\n};\n");
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto Ether = snapshot(C.Src());
  EXPECT_TRUE(contains(Ether["net/if.c"], "ifp->if_flags = IFF_UP;\n"));
  EXPECT_TRUE(contains(Ether["net/if.c"], ".pr_flags =\tPR_ATOMIC,\n"))
      << Ether["net/if.c"];
  EXPECT_TRUE(contains(R.Err, "entry of ip_bump stays under Giant: module "
                              "netinet does not migrate at this stage"))
      << R.Err;
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto Inet = snapshot(C.Src());
  EXPECT_TRUE(contains(Inet["net/if.c"], ".pr_flags =\tPR_ATOMIC | PR_MPSAFE,"))
      << Inet["net/if.c"];
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Stages, EntryWithoutFlagsGetsThemWhenItLeavesGiant) {
  Case C = prepare("stages", "-noflags");
  // netinet/ip.c's first entry names ip_input and has no pr_flags, as
  // FreeBSD's IP entry has none: Giant is taken around its routines all
  // the same, so leaving Giant adds the field. net/if.c (stage ether)
  // gets three more: one vouching for ip_bump (netinet, stage inet) in a
  // struct where pr_flags is the last field, one on a single line
  // vouching for if_bump (net) without a trailing comma, and one
  // positional.
  std::string If = readFile(C.Src() / "net/if.c");
  writeFile(C.Src() / "net/if.c",
            If + "\n#define PR_MPSAFE\t0x80\n"
                 "struct protosw {\n\tvoid\t(*pr_input)(void);\n"
                 "\tshort\tpr_flags;\n};\n"
                 "void ip_bump(void);\n"
                 "struct protosw ipsw = {\n\t.pr_input =\tip_bump,\n};\n"
                 "struct protosw ifsw = { .pr_input = if_bump };\n"
                 "struct protosw possw = { if_bump };\n");
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Ether = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Ether, "struct protosw ifsw = { .pr_input = if_bump, "
                              ".pr_flags = PR_MPSAFE };"))
      << Ether;
  // A positional initializer cannot take the field: reported, unchanged.
  EXPECT_TRUE(contains(Ether, "struct protosw possw = { if_bump };")) << Ether;
  EXPECT_TRUE(contains(R.Err, "protocol entry without pr_flags stays under "
                              "Giant: its initializer is not designated"))
      << R.Err;
  // ip_bump's module does not migrate yet: no field, and the reason.
  EXPECT_TRUE(contains(Ether, "{\n\t.pr_input =\tip_bump,\n};")) << Ether;
  EXPECT_TRUE(contains(R.Err, "entry of ip_bump stays under Giant: module "
                              "netinet does not migrate at this stage"))
      << R.Err;
  EXPECT_FALSE(contains(readFile(C.Src() / "netinet/ip.c"), "PR_MPSAFE,"));
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Inet = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Inet, "{\n\t.pr_input =\tip_bump,\n"
                             "\t.pr_flags =\tPR_MPSAFE,\n};"))
      << Inet;
  std::string Ip = readFile(C.Src() / "netinet/ip.c");
  EXPECT_TRUE(contains(Ip, "\t.pr_type =\t0,\n\t.pr_flags =\tPR_MPSAFE,\n"
                           "\t.pr_input =\tip_input,\n"))
      << Ip;
  EXPECT_TRUE(contains(Ip, ".pr_flags =\tPR_ATOMIC | PR_MPSAFE,")) << Ip;
  EXPECT_TRUE(contains(R.Err, "protocol entry given pr_flags PR_MPSAFE"))
      << R.Err;
  EXPECT_EQ(syntaxCheck(C), "");
  // A second run finds the flag and adds nothing.
  rwtest::Run Again = rewrite(C, {"--dry-run", "--stage", "inet"});
  EXPECT_EQ(Again.Exit, 0) << Again.Err;
  EXPECT_EQ(Again.Out, "");
}

TEST(Stages, NetisrHandlerLeavesGiantWithTheModuleOfItsHandler) {
  Case C = prepare("stages", "-netisr");
  // net/if.c (stage ether) registers ip_bump, defined in netinet/ip.c
  // (stage inet), as a netisr handler: it runs without Giant only once
  // netinet migrates too.
  std::string If = readFile(C.Src() / "net/if.c");
  writeFile(C.Src() / "net/if.c",
            If + "\n#define NETISR_MPSAFE\t0x0001\nstruct mbuf;\n"
                 "struct ifqueue {\n\tint\tifq_len;\n};\n"
                 "typedef void netisr_t(struct mbuf *);\n"
                 "void netisr_register(int, netisr_t *, struct ifqueue *, "
                 "int);\nvoid if_input(struct mbuf *);\n"
                 "void ip_bump(void);\nstatic struct ifqueue ifq, ipq;\n"
                 "void\nif_netisr(void)\n{\n\n"
                 "\tnetisr_register(1, if_input, &ifq, 0);\n"
                 "\tnetisr_register(2, (netisr_t *)ip_bump, &ipq, 0);\n}\n");
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Ether = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Ether, "netisr_register(1, if_input, &ifq, "
                              "NETISR_MPSAFE);"))
      << Ether;
  EXPECT_TRUE(
      contains(Ether, "netisr_register(2, (netisr_t *)ip_bump, &ipq, 0);"))
      << Ether;
  EXPECT_TRUE(contains(R.Err, "entry of ip_bump stays under Giant: module "
                              "netinet does not migrate at this stage"))
      << R.Err;
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Inet = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Inet, "netisr_register(2, (netisr_t *)ip_bump, &ipq, "
                             "NETISR_MPSAFE);"))
      << Inet;
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Stages, CalloutLeavesGiantWithTheModulesOfItsHandlers) {
  Case C = prepare("stages", "-callout");
  // net/if.c (stage ether) creates two callouts without a lock: if_tick
  // arms its own handler, ip_tick is armed with ip_bump, defined in
  // netinet/ip.c (stage inet). Each becomes CALLOUT_MPSAFE only once the
  // modules of all its handlers leave Giant.
  std::string If = readFile(C.Src() / "net/if.c");
  writeFile(C.Src() / "net/if.c",
            If + "\n#define CALLOUT_MPSAFE\t0x0008\n"
                 "struct callout {\n\tint\tc_time;\n};\n"
                 "void callout_init(struct callout *, int);\n"
                 "int callout_reset(struct callout *, int, void (*)(void *), "
                 "void *);\nvoid ip_bump(void);\n"
                 "static struct callout if_tick, ip_tick;\n"
                 "static void\nif_ticker(void *arg)\n{\n\n"
                 "\tcallout_reset(&if_tick, 1, if_ticker, arg);\n}\n"
                 "void\nif_timers(void)\n{\n\n"
                 "\tcallout_init(&if_tick, 0);\n"
                 "\tcallout_init(&ip_tick, 0);\n"
                 "\tcallout_reset(&if_tick, 1, if_ticker, 0);\n"
                 "\tcallout_reset(&ip_tick, 1, (void (*)(void *))ip_bump, "
                 "0);\n}\n");
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Ether = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Ether, "callout_init(&if_tick, CALLOUT_MPSAFE);"))
      << Ether;
  EXPECT_TRUE(contains(Ether, "callout_init(&ip_tick, 0);")) << Ether;
  EXPECT_TRUE(contains(R.Err, "entry of ip_bump stays under Giant: module "
                              "netinet does not migrate at this stage"))
      << R.Err;
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  std::string Inet = readFile(C.Src() / "net/if.c");
  EXPECT_TRUE(contains(Inet, "callout_init(&ip_tick, CALLOUT_MPSAFE);"))
      << Inet;
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Stages, ModuleLeavesGiantOnlyWithTheModulesItNeeds) {
  Case C = prepare("stages", "-needs");
  // net needs netinet (as a protocol needs the socket layer that calls it).
  std::string Plan = readFile(C.Dir / "plan.yaml");
  writeFile(C.Dir / "plan.yaml",
            Plan + "modules:\n  - name: net\n    paths: [net]\n"
                   "    needs: [netinet]\n");
  rwtest::Run R = rewrite(C, {"--in-place", "--stage", "ether"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(contains(readFile(C.Src() / "net/if.c"), "IFF_NEEDSGIANT;"));
  EXPECT_TRUE(contains(R.Err, "module net stays under Giant (not marked "
                              "MPSAFE): it needs module netinet, which does "
                              "not migrate here"))
      << R.Err;
  R = rewrite(C, {"--in-place", "--stage", "inet"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(
      contains(readFile(C.Src() / "net/if.c"), "ifp->if_flags = IFF_UP;\n"));
}

TEST(Stages, PlanKeepsAModuleUnderGiant) {
  Case C = prepare("stages", "-giant");
  // net migrates (its sections take their locks) but the plan keeps it
  // under Giant; netinet, the stage built on it, stays there too.
  std::string Plan = readFile(C.Dir / "plan.yaml");
  writeFile(C.Dir / "plan.yaml",
            Plan + "modules:\n  - name: net\n    paths: [net]\n"
                   "    giant: true\n");
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto After = snapshot(C.Src());
  EXPECT_TRUE(contains(After["net/if.c"], "IFF_NEEDSGIANT;")) << After["net/if.c"];
  EXPECT_TRUE(contains(After["net/if.c"], "mtx_lock(")) << After["net/if.c"];
  EXPECT_FALSE(contains(After["netinet/ip.c"], "PR_MPSAFE,"));
  EXPECT_TRUE(contains(After["netinet/ip.c"], "mtx_lock(&ip_mtx);"));
  EXPECT_TRUE(contains(R.Err, "module net stays under Giant (not marked "
                              "MPSAFE): the plan keeps it under Giant "
                              "(giant: true"))
      << R.Err;
  EXPECT_TRUE(contains(R.Err, "module netinet stays under Giant (not marked "
                              "MPSAFE): an earlier stage stays under Giant"))
      << R.Err;
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Merge, WholeDatabaseRunSkipsTUsOutsideTheRoot) {
  Case C = prepare("sections", "-outside");
  // A generated TU outside the plan's root (a migrated copy, say) that
  // includes the root's headers: not part of the plan's tree.
  fs::create_directories(C.Dir / "gen");
  writeFile(C.Dir / "gen/copy.c",
            "#include <netinet/ip_var.h>\nint broken(void) { return }\n");
  auto Q = [](const fs::path &P) { return "\"" + P.string() + "\""; };
  std::string DB = readFile(C.Dir / "compile_commands.json");
  DB.replace(DB.rfind("\n]"), 2,
             ",\n  {\"directory\": " + Q(C.Dir) +
                 ", \"file\": " + Q(C.Dir / "gen/copy.c") +
                 ", \"arguments\": [\"cc\", \"-c\", " +
                 Q("-I" + C.Src().string()) + ", " +
                 Q("-I" + C.Include.string()) + ", " + Q(C.Dir / "gen/copy.c") +
                 "]}\n]");
  writeFile(C.Dir / "compile_commands.json", DB);
  rwtest::Run R = rewrite(C, {"--in-place"});
  EXPECT_EQ(R.Exit, 0) << R.Err;
  EXPECT_FALSE(contains(R.Err, "copy.c")) << R.Err;
  auto Got = snapshot(C.Src());
  for (auto &KV : expectedTree("sections"))
    EXPECT_EQ(KV.second, Got[KV.first]) << KV.first;
}

TEST(Merge, HeaderThroughSymlinkIsEditedOnce) {
  Case C = prepare("sections", "-symlink");
  fs::path Real = C.Src() / "real" / "ip_var.h";
  fs::create_directories(Real.parent_path());
  fs::rename(C.Src() / "netinet/ip_var.h", Real);
  fs::create_symlink("../real/ip_var.h", C.Src() / "netinet/ip_var.h");
  // The second TU reaches the same header by its real path.
  std::string Out = readFile(C.Src() / "netinet/ip_output.c");
  Out.replace(Out.find("<netinet/ip_var.h>"), 18, "\"../real/ip_var.h\"");
  writeFile(C.Src() / "netinet/ip_output.c", Out);
  rwtest::Run R = rewrite(C, {"--in-place"});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  EXPECT_TRUE(fs::is_symlink(C.Src() / "netinet/ip_var.h"));
  auto Want = expectedTree("sections");
  EXPECT_EQ(readFile(Real), Want["netinet/ip_var.h"]);
  EXPECT_EQ(syntaxCheck(C), "");
}

TEST(Report, JsonClassifiesEverySite) {
  Case C = prepare("sections");
  fs::path Out = C.Dir / "report.json";
  rwtest::Run R = rewrite(C, {"--format", "json", "-o", Out.string()});
  ASSERT_EQ(R.Exit, 0) << R.Err;
  auto J = llvm::json::parse(readFile(Out));
  ASSERT_TRUE(!!J) << llvm::toString(J.takeError());
  const llvm::json::Array *Fs = J->getAsObject()->getArray("findings");
  ASSERT_NE(Fs, nullptr);
  std::map<std::string, int> ByClass;
  for (const llvm::json::Value &F : *Fs) {
    const llvm::json::Object *O = F.getAsObject();
    auto Cat = O->getString("category");
    ASSERT_TRUE(Cat.hasValue());
    ByClass[Cat->str()]++;
    EXPECT_TRUE(*Cat == "auto" || *Cat == "assisted" || *Cat == "manual");
  }
  EXPECT_GT(ByClass["auto"], 10);
  EXPECT_EQ(ByClass["assisted"], 2); // nested order, folded section
  EXPECT_EQ(ByClass["manual"], 2);   // tsleep outside, macro body
}

TEST(Report, SarifAndMarkdown) {
  Case C = prepare("sections");
  fs::path Sarif = C.Dir / "r.sarif", Md = C.Dir / "r.md";
  ASSERT_EQ(rewrite(C, {"--format", "sarif", "-o", Sarif.string()}).Exit, 0);
  auto J = llvm::json::parse(readFile(Sarif));
  ASSERT_TRUE(!!J);
  std::string S = readFile(Sarif);
  EXPECT_TRUE(contains(S, "\"ruleId\": \"rewrite-spl-section\"") ||
              contains(S, "\"ruleId\":\"rewrite-spl-section\""));
  ASSERT_EQ(rewrite(C, {"--format", "markdown", "-o", Md.string()}).Exit, 0);
  EXPECT_TRUE(contains(readFile(Md), "rewrite-sleep"));
}

TEST(Options, FormatEditsStillCompilesAndIsIdempotent) {
  Case C = prepare("socket", "-fmt");
  ASSERT_EQ(rewrite(C, {"--in-place", "--format-edits"}).Exit, 0);
  EXPECT_EQ(syntaxCheck(C), "");
  // No .clang-format in the tree: style(9), the long msleep wrapped with a
  // 4-column continuation, tabs kept.
  std::string So = readFile(C.Src() / "kern/uipc_socket.c");
  EXPECT_TRUE(contains(So, "\t\terror = msleep(&so->so_rcv.sb_cc, &so->so_mtx, "
                           "PSOCK | PCATCH,\n\t\t    \"sbwait\", 0);"))
      << So;
  EXPECT_TRUE(contains(So, "\t\t\tmtx_unlock(&so->so_mtx);\n")) << So;
  rwtest::Run D = rewrite(C, {"--dry-run"});
  EXPECT_EQ(D.Out, "");
}

TEST(Options, ParallelRunGivesTheSameDiffAndReport) {
  Case C = prepare("sections", "-jobs");
  auto Run = [&](const char *Jobs) {
    return run(rewriteBin(), {"-p", C.Dir.string(), "--plan", C.Plan().string(),
                              Jobs, "--format", "json"});
  };
  rwtest::Run One = Run("-j1"), Four = Run("-j4");
  EXPECT_EQ(One.Exit, 0);
  EXPECT_NE(One.Out, "");
  EXPECT_EQ(One.Out, Four.Out);
  EXPECT_EQ(One.Err, Four.Err);
}

TEST(Options, ExclusiveModes) {
  Case C = prepare("stages");
  rwtest::Run R = rewrite(C, {"--in-place", "--dry-run"});
  EXPECT_EQ(R.Exit, 3);
  EXPECT_TRUE(contains(R.Err, "exclusive")) << R.Err;
}

} // namespace
