// The CI gate of the stack tests (stack.witness_check, the script
// testsuite/stack/witness_check.cmake that ctest runs after every stack
// test): over graphs written in the witness graph format, against the
// repository's declared order, a new reversal fails the gate and its
// output names both acquisition sites; a clean set passes; an empty set is
// an error, never a silent pass.
#include "E2eUtil.h"
#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

using namespace e2e;

namespace {

const std::string Script = MPSAFE_GATE_SCRIPT;
const std::string Order = MPSAFE_STACK_DIR "/lock-order";

struct Edge {
  const char *From, *To, *FromSite, *ToSite;
};

// One process's graph file with the given edges (classes all sleep mutexes).
void writeGraph(const std::string &Path, int Pid,
                std::initializer_list<Edge> Edges) {
  std::vector<std::string> Names;
  auto Id = [&](const char *N) {
    for (size_t I = 0; I < Names.size(); ++I)
      if (Names[I] == N)
        return I;
    Names.push_back(N);
    return Names.size() - 1;
  };
  std::string Body;
  for (const Edge &E : Edges) {
    size_t F = Id(E.From), T = Id(E.To);
    Body += "edge\t" + std::to_string(F) + "\t" + std::to_string(T) +
            "\t-\t" + E.FromSite + "\t" + E.ToSite + "\t" + E.From + "\t" +
            E.To + "\n";
  }
  std::string Head = "witness-graph\t1\nprocess\t" + std::to_string(Pid) +
                     "\tgate_test\n";
  for (size_t I = 0; I < Names.size(); ++I)
    Head += "class\t" + std::to_string(I) + "\tsleep\t" + Names[I] + "\n";
  std::ofstream(Path) << Head << Body;
}

Result gate(const std::string &Dir) {
  return run(quote(MPSAFE_CMAKE) + " -DWITNESS_CHECK=" + quote(MPSAFE_WITNESS_CHECK) +
             " -DORDER=" + quote(Order) + " -DGRAPHS=" + quote(Dir) +
             " -DDOT=" + quote(Dir + "/locks.dot") + " -P " + quote(Script));
}

class Gate : public ::testing::Test {
protected:
  void SetUp() override {
    Dir = tempDir("gate");
    ASSERT_FALSE(Dir.empty());
  }
  void TearDown() override { run("rm -rf " + quote(Dir)); }
  std::string Dir;
};

TEST_F(Gate, DeclaredOrderPasses) {
  writeGraph(Dir + "/1.graph", 1,
             {{"so", "pcbinfo", "kern/uipc_socket.c:10", "netinet/in_pcb.c:20"},
              {"pcbinfo", "ifnet", "netinet/in_pcb.c:21", "net/if.c:30"}});
  writeGraph(Dir + "/2.graph", 2,
             {{"so", "route", "kern/uipc_socket.c:11", "net/route.c:40"}});
  Result R = gate(Dir);
  EXPECT_EQ(R.Status, 0) << R.Out;
  EXPECT_NE(R.Out.find("0 new reversal(s)"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("2 graph(s)"), std::string::npos) << R.Out;
}

TEST_F(Gate, EdgeAgainstTheDeclaredOrderFailsNamingBothSites) {
  writeGraph(Dir + "/1.graph", 1,
             {{"so", "pcbinfo", "kern/uipc_socket.c:10", "netinet/in_pcb.c:20"}});
  writeGraph(Dir + "/2.graph", 2,
             {{"ifnet", "so", "net/if.c:57", "kern/uipc_socket.c:283"}});
  Result R = gate(Dir);
  EXPECT_NE(R.Status, 0) << R.Out;
  EXPECT_NE(R.Out.find("net/if.c:57"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("kern/uipc_socket.c:283"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("1 new reversal(s)"), std::string::npos) << R.Out;
}

TEST_F(Gate, CycleAcrossTwoProcessesFailsNamingBothSites) {
  // Neither lock pair is in the declared order; each process alone is
  // fine, together they deadlock.
  writeGraph(Dir + "/1.graph", 1,
             {{"fdtbl", "callout", "kern/kern_descrip.c:5", "kern/kern_timeout.c:6"}});
  writeGraph(Dir + "/2.graph", 2,
             {{"callout", "fdtbl", "kern/kern_timeout.c:7", "kern/kern_descrip.c:8"}});
  Result R = gate(Dir);
  EXPECT_NE(R.Status, 0) << R.Out;
  for (const char *Site : {"kern/kern_descrip.c:5", "kern/kern_timeout.c:6",
                           "kern/kern_timeout.c:7", "kern/kern_descrip.c:8"})
    EXPECT_NE(R.Out.find(Site), std::string::npos) << Site << "\n" << R.Out;
}

TEST_F(Gate, NoGraphsIsAnErrorNotAPass) {
  Result R = gate(Dir);
  EXPECT_NE(R.Status, 0) << R.Out;
  EXPECT_NE(R.Out.find("no lock graph"), std::string::npos) << R.Out;
}

TEST_F(Gate, MalformedGraphFailsNamingTheFile) {
  std::ofstream(Dir + "/bad.graph") << "witness-graph\t1\nbogus\n";
  Result R = gate(Dir);
  EXPECT_NE(R.Status, 0) << R.Out;
  EXPECT_NE(R.Out.find("bad.graph"), std::string::npos) << R.Out;
}

} // namespace
