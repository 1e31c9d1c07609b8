//===- PlanTest.cpp - the plan library: read, validate, write -------------===//

#include "mpsafe/Plan.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <gtest/gtest.h>

using namespace mpsafe::plan;

namespace {

const char *Full = R"(version: 1
target: freebsd
root: ..
annotations: true
modules:
  - name: ether
    paths: [net/if_ethersubr.c, net/if_ether.c]
locks:
  - name: ip_mtx
    kind: mutex
    witness: ip
    flags: [MTX_DUPOK]
    define_in: netinet/ip_input.c
    declare_in: netinet/ip_var.h
    init_in: ip_init
    destroy_in: ip_destroy
  - name: so_mtx
    scope: field
    struct: socket
    init_in: soalloc
    destroy_in: sofree
  - name: rt_lock
    kind: rw
rules:
  - lock: ip_mtx
    module: netinet
    level: splnet
  - lock: so_mtx
    struct: socket
  - lock: rt_lock
    function: rtalloc
    file: "net/route*.c"
sites:
  - file: netinet/ip_input.c
    line: 120
    lock: ip_mtx
  - file: kern/uipc_socket.c
    line: 88
    action: skip
    note: lowered in the callee
counters:
  - variable: ipstat
  - struct: tcpstat
    form: counter
  - struct: ifnet
    fields: [if_ipackets, if_obytes]
refcounts:
  - struct: socket
    field: so_count
sleeps:
  form: mtx_sleep
  pdrop: false
stages:
  - name: ether
    modules: [ether, net]
  - name: ip
    modules: [netinet]
macros:
  - name: IF_LOCKQ
    lock: ip_mtx
)";

std::string errorOf(llvm::StringRef Text) {
  auto P = parsePlan(Text, "plan.yaml");
  if (P)
    return "";
  return llvm::toString(P.takeError());
}

TEST(Plan, ReadsEveryField) {
  auto P = parsePlan(Full, "p.yaml");
  ASSERT_TRUE(!!P) << llvm::toString(P.takeError());
  EXPECT_EQ(P->Root, "..");
  EXPECT_TRUE(P->Annotations);
  ASSERT_EQ(P->Locks.size(), 3u);
  EXPECT_EQ(P->Locks[0].Witness, "ip");
  EXPECT_EQ(P->Locks[0].Flags, std::vector<std::string>{"MTX_DUPOK"});
  EXPECT_EQ(P->Locks[0].Line, 9u);
  EXPECT_EQ(P->Locks[1].Scope, LockScope::Field);
  EXPECT_EQ(P->Locks[1].cName(), "so_mtx");
  EXPECT_EQ(P->Locks[2].Kind, LockKind::RW);
  ASSERT_EQ(P->Rules.size(), 3u);
  EXPECT_EQ(P->Rules[0].When.Level, "splnet");
  EXPECT_EQ(P->Rules[1].When.Struct, "socket");
  EXPECT_EQ(P->Rules[2].When.File, "net/route*.c");
  EXPECT_EQ(P->Sites[1].Action, SiteAction::Skip);
  EXPECT_EQ(P->Counters[1].Form, CounterForm::Counter);
  EXPECT_EQ(P->Counters[2].Struct, "ifnet");
  EXPECT_EQ(P->Counters[2].Fields,
            (std::vector<std::string>{"if_ipackets", "if_obytes"}));
  EXPECT_EQ(P->Refcounts[0].Field, "so_count");
  EXPECT_EQ(P->Sleep.Form, SleepForm::MtxSleep);
  EXPECT_FALSE(P->Sleep.PDrop);
  EXPECT_EQ(P->Macros[0].Name, "IF_LOCKQ");
}

TEST(Plan, WriteThenReadGivesTheSamePlan) {
  auto P = parsePlan(Full, "p.yaml");
  ASSERT_TRUE(!!P);
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  writePlan(OS, *P);
  OS.flush();
  auto Q = parsePlan(Out, "q.yaml");
  ASSERT_TRUE(!!Q) << llvm::toString(Q.takeError()) << "\n" << Out;
  std::string Again;
  llvm::raw_string_ostream OS2(Again);
  writePlan(OS2, *Q);
  OS2.flush();
  EXPECT_EQ(Out, Again);
  EXPECT_EQ(Q->Locks.size(), P->Locks.size());
  EXPECT_EQ(Q->Locks[1].Struct, "socket");
  EXPECT_EQ(Q->Sites[1].Note, "lowered in the callee");
  EXPECT_EQ(Q->Sleep.Form, SleepForm::MtxSleep);
  EXPECT_EQ(Q->Stages[1].Modules, std::vector<std::string>{"netinet"});
}

TEST(Plan, DefaultsAreOmittedAndFilledBack) {
  Plan P;
  Lock L;
  L.Name = "netinet_splnet_mtx";
  L.DefineIn = "netinet/ip_input.c";
  P.Locks.push_back(L);
  Rule R;
  R.Lock = L.Name;
  R.When.Module = "netinet";
  R.When.Level = "splnet";
  P.Rules.push_back(R);
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  writePlan(OS, P);
  OS.flush();
  EXPECT_EQ(Out.find("kind:"), std::string::npos) << Out;
  auto Q = parsePlan(Out, "draft.yaml");
  ASSERT_TRUE(!!Q) << llvm::toString(Q.takeError());
  EXPECT_EQ(Q->Target, "freebsd");
  EXPECT_EQ(Q->Locks[0].Kind, LockKind::Mutex);
  EXPECT_TRUE(Q->Sleep.PDrop);
}

TEST(Plan, UnknownLockNamesThePlanLine) {
  std::string E = errorOf("version: 1\nlocks:\n  - name: a\nrules:\n"
                          "  - lock: a\n  - lock: nosuch\n    level: splnet\n");
  EXPECT_NE(E.find("plan.yaml:6: error: rule names unknown lock 'nosuch'"),
            std::string::npos)
      << E;
}

TEST(Plan, BadYamlNamesLineAndColumn) {
  std::string E = errorOf("version: 1\nlocks:\n  - name: [unclosed\n");
  EXPECT_NE(E.find("plan.yaml:"), std::string::npos) << E;
  EXPECT_NE(E.find(": error: "), std::string::npos) << E;
  EXPECT_EQ(E.find("plan.yaml:1:"), std::string::npos) << E;
}

TEST(Plan, UnknownKeyIsAnError) {
  std::string E = errorOf("version: 1\nlocks:\n  - name: a\n    knd: spin\n");
  EXPECT_NE(E.find("plan.yaml:4:5: error: unknown key 'knd'"),
            std::string::npos)
      << E;
}

TEST(Plan, BadEnumValueIsAnError) {
  std::string E =
      errorOf("version: 1\nlocks:\n  - name: a\n    kind: spinny\n");
  EXPECT_NE(E.find("plan.yaml:4:11: error: unknown enumerated scalar"),
            std::string::npos)
      << E;
}

TEST(Plan, MissingVersionAndEmptyPlan) {
  EXPECT_NE(errorOf("locks: []\n").find("missing required key 'version'"),
            std::string::npos);
  EXPECT_NE(errorOf("\n").find("plan.yaml:1:1: error: the plan is empty"),
            std::string::npos);
}

TEST(Plan, SemanticErrorsAreAllListed) {
  std::string E = errorOf("version: 1\ntarget: plan9\nlocks:\n  - name: a\n"
                          "  - name: a\n  - name: b\n    scope: field\n"
                          "macros:\n  - name: M\n    lock: c\n");
  EXPECT_NE(E.find("unknown target 'plan9'"), std::string::npos) << E;
  EXPECT_NE(E.find("plan.yaml:5: error: lock 'a' is defined twice"),
            std::string::npos)
      << E;
  EXPECT_NE(
      E.find("plan.yaml:6: error: lock 'b' has scope field but no 'struct'"),
      std::string::npos)
      << E;
  EXPECT_NE(E.find("plan.yaml:9: error: macro names unknown lock 'c'"),
            std::string::npos)
      << E;
}

TEST(Plan, CounterFieldsNeedTheirStruct) {
  std::string E = errorOf("version: 1\ncounters:\n  - variable: ipstat\n"
                          "    fields: [ips_total]\n");
  EXPECT_NE(E.find("plan.yaml:3: error: counter entry with 'fields' needs "
                   "'struct'"),
            std::string::npos)
      << E;
  EXPECT_EQ(errorOf("version: 1\ncounters:\n  - struct: ifnet\n"
                    "    fields: [if_ipackets]\n"),
            "");
}

TEST(Plan, VnetLocksAreGlobalsSetUpPerInstance) {
  std::string E = errorOf("version: 1\nlocks:\n  - name: a\n    vnet: true\n"
                          "  - name: b\n    vnet: true\n    scope: field\n"
                          "    struct: s\n    init_in: f\n");
  EXPECT_NE(E.find("plan.yaml:3: error: lock 'a' has vnet: true but no "
                   "init_in"),
            std::string::npos)
      << E;
  EXPECT_NE(E.find("plan.yaml:5: error: lock 'b' has vnet: true but scope "
                   "field"),
            std::string::npos)
      << E;
  auto P = parsePlan("version: 1\nlocks:\n  - name: arp_mtx\n    vnet: true\n"
                     "    init_in: arp_init\n",
                     "plan.yaml");
  ASSERT_TRUE(!!P) << llvm::toString(P.takeError());
  EXPECT_TRUE(P->Locks[0].Vnet);
  EXPECT_EQ(P->Locks[0].globalRef(), "V_arp_mtx");
}

TEST(Plan, DropSitesNeedsAndLocklessMacros) {
  auto P =
      parsePlan("version: 1\nmodules:\n  - name: ip\n    paths: [netinet]\n"
                "    needs: [socket]\n  - name: socket\n"
                "sites:\n  - file: netinet/ip_output.c\n    line: 7\n"
                "    action: drop\n    note: \"queue locks itself\"\n"
                "macros:\n  - name: TCPSTAT_INC\n",
                "plan.yaml");
  ASSERT_TRUE(!!P) << llvm::toString(P.takeError());
  EXPECT_EQ(P->Sites[0].Action, SiteAction::Drop);
  EXPECT_EQ(P->Modules[0].Needs, std::vector<std::string>{"socket"});
  EXPECT_EQ(P->Macros[0].Lock, "");
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  writePlan(OS, *P);
  OS.flush();
  EXPECT_NE(Out.find("action:          drop"), std::string::npos) << Out;
  EXPECT_NE(Out.find("needs:"), std::string::npos) << Out;
  auto Back = parsePlan(Out, "written.yaml");
  ASSERT_TRUE(!!Back) << llvm::toString(Back.takeError());
  EXPECT_EQ(Back->Sites[0].Action, SiteAction::Drop);
  EXPECT_EQ(Back->Modules[0].Needs, P->Modules[0].Needs);

  auto W = parsePlan("version: 1\nlocks:\n  - name: so_mtx\n    scope: field\n"
                     "    struct: socket\nsites:\n  - file: a.c\n    line: 4\n"
                     "    lock: so_mtx\n    object: so\n"
                     "sleeps:\n  wrappers: [sbwait, sb_lock]\n",
                     "plan.yaml");
  ASSERT_TRUE(!!W) << llvm::toString(W.takeError());
  EXPECT_EQ(W->Sites[0].Object, "so");
  EXPECT_EQ(W->Sleep.Wrappers, (std::vector<std::string>{"sbwait", "sb_lock"}));
  std::string G = errorOf("version: 1\nlocks:\n  - name: g\n"
                          "sites:\n  - file: a.c\n    line: 4\n"
                          "    lock: g\n    object: so\n");
  EXPECT_NE(G.find("plan.yaml:5: error: site a.c:4 names an object but lock "
                   "'g' is global"),
            std::string::npos)
      << G;

  std::string E = errorOf("version: 1\nlocks:\n  - name: a\n"
                          "modules:\n  - name: ip\n    needs: [nowhere]\n"
                          "sites:\n  - file: x.c\n    line: 3\n"
                          "    action: drop\n    lock: a\n");
  EXPECT_NE(E.find("plan.yaml:5: error: module 'ip' needs unknown module "
                   "'nowhere'"),
            std::string::npos)
      << E;
  EXPECT_NE(E.find("plan.yaml:8: error: site x.c:3 names a lock but its "
                   "action takes none"),
            std::string::npos)
      << E;
}

TEST(Plan, ReadPlanNamesAMissingFile) {
  auto P = readPlan("/nonexistent/plan.yaml");
  ASSERT_FALSE(!!P);
  EXPECT_NE(
      llvm::toString(P.takeError()).find("/nonexistent/plan.yaml: error:"),
      std::string::npos);
}

TEST(Plan, ModulesAndCumulativeStages) {
  auto P = parsePlan(Full, "p.yaml");
  ASSERT_TRUE(!!P);
  EXPECT_EQ(moduleOf(*P, "net/if_ether.c"), "ether");
  EXPECT_EQ(moduleOf(*P, "net/if_loop.c"), "net");
  EXPECT_EQ(moduleOf(*P, "netinet/ip_input.c"), "netinet");
  bool All = false;
  auto Ether = stageModules(*P, "ether", All);
  EXPECT_FALSE(All);
  EXPECT_EQ(Ether, (std::vector<std::string>{"ether", "net"}));
  auto Ip = stageModules(*P, "ip", All);
  EXPECT_EQ(Ip, (std::vector<std::string>{"ether", "net", "netinet"}));
  Plan Empty;
  stageModules(Empty, "", All);
  EXPECT_TRUE(All);
}

TEST(Plan, FreeBSDProfileSpellings) {
  const Profile *F = findProfile("freebsd");
  ASSERT_NE(F, nullptr);
  EXPECT_STREQ(F->LockCall[0], "mtx_lock");
  EXPECT_STREQ(F->UnlockCall[2], "rw_wunlock");
  EXPECT_STREQ(F->MSleep, "msleep");
  EXPECT_STREQ(F->RefRelease, "refcount_release");
  EXPECT_EQ(findProfile("nosuch"), nullptr);
}

// Every complete plan shown in docs/plan.md reads; every fragment reads
// once "version: 1" is put in front of it.
TEST(Plan, DocumentationExamplesRead) {
  auto Doc = llvm::MemoryBuffer::getFile(MPSAFE_PLAN_DOC);
  ASSERT_TRUE(!!Doc);
  llvm::StringRef Text = (*Doc)->getBuffer();
  unsigned Blocks = 0;
  for (size_t P = Text.find("```yaml\n"); P != llvm::StringRef::npos;
       P = Text.find("```yaml\n", P + 1)) {
    size_t B = P + 8, E = Text.find("```", B);
    ASSERT_NE(E, llvm::StringRef::npos);
    std::string Yaml = Text.slice(B, E).str();
    if (Yaml.rfind("version:", 0) != 0)
      Yaml = "version: 1\n" + Yaml;
    // Fragments name locks defined in other fragments: declare them.
    if (Yaml.find("\nlocks:") == std::string::npos)
      Yaml += "locks:\n  - name: ip_mtx\n  - name: tcp_mtx\n  - name: so_mtx\n"
              "    scope: field\n    struct: socket\n  - name: ifq_mtx\n";
    auto Pl = parsePlan(Yaml, "docs/plan.md");
    EXPECT_TRUE(!!Pl) << (Pl ? "" : llvm::toString(Pl.takeError())) << "\n"
                      << Yaml;
    ++Blocks;
  }
  EXPECT_GE(Blocks, 6u);
}

} // namespace
