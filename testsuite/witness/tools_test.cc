// witness-run and witness-check, run as the commands users and CI run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct Result {
  int Status;
  std::string Out, Err;
};

class ToolsTest : public ::testing::Test {
protected:
  void SetUp() override {
    Dir = ::testing::TempDir() + "witness-tools-" + std::to_string(getpid()) +
          "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ASSERT_EQ(
        system(("rm -rf '" + Dir + "' && mkdir -p '" + Dir + "'").c_str()), 0);
  }
  void TearDown() override {
    if (!HasFailure())
      (void)system(("rm -rf '" + Dir + "'").c_str());
  }
  std::string path(const std::string &Name) const { return Dir + "/" + Name; }
  void write(const std::string &Name, const std::string &Text) const {
    std::ofstream(path(Name)) << Text;
  }
  static std::string read(const std::string &Path) {
    std::ifstream In(Path);
    std::stringstream S;
    S << In.rdbuf();
    return S.str();
  }
  /// Runs a shell command line; stdout and stderr are captured.
  Result run(const std::string &Cmd) const {
    std::string O = path("stdout"), E = path("stderr");
    int St = system((Cmd + " >'" + O + "' 2>'" + E + "'").c_str());
    return {WIFEXITED(St) ? WEXITSTATUS(St) : -1, read(O), read(E)};
  }
  std::string Dir;
};

bool has(const std::string &H, const std::string &N) {
  return H.find(N) != std::string::npos;
}

const std::string RunTool = WITNESS_RUN, Check = WITNESS_CHECK,
                  Abba = FIXTURE_ABBA, GraphFixture = FIXTURE_GRAPH;

TEST_F(ToolsTest, WitnessRunCatchesAbBaInAPlainPthreadProgram) {
  Result R = run(RunTool + " --json " + path("r.jsonl") + " --graph " +
                 path("g.txt") + " --fail -- " + Abba + " abba");
  EXPECT_EQ(R.Status, 1) << R.Err;
  EXPECT_TRUE(has(R.Out, "counter 2")) << R.Out; // the program ran normally
  // Static locks are named by their symbol in the fixture's binary.
  EXPECT_TRUE(has(R.Err,
                  "lock order reversal: acquiring \"fixture_abba:lock_a\" "
                  "while holding \"fixture_abba:lock_b\""))
      << R.Err;
  EXPECT_TRUE(has(R.Err, "fixture_abba:take_two+0x")) << R.Err; // sites
  EXPECT_TRUE(has(R.Err, "witness-run: 1 report(s)")) << R.Err;
  // After the program: the source line of each site, from debug info.
  // take_two() takes its second lock on line 36 of the fixture.
  EXPECT_TRUE(has(R.Err, "witness-run: source lines of the code the reports "
                         "name:"))
      << R.Err;
  EXPECT_TRUE(has(R.Err, "fixture_abba.c:36\n")) << R.Err;
  std::string J = read(path("r.jsonl"));
  EXPECT_TRUE(has(J, "\"check\":\"order\"")) << J;
  EXPECT_TRUE(has(J, "\"class\":\"fixture_abba:lock_a\"")) << J;
  std::string G = read(path("g.txt"));
  EXPECT_TRUE(has(G, "witness-graph\t1\n")) << G;
  EXPECT_TRUE(has(G, "\tsleep\tfixture_abba:lock_a\n")) << G;
}

TEST_F(ToolsTest, WitnessRunNoSourceLeavesTheLinesOut) {
  Result R = run(RunTool + " --no-source -- " + Abba + " abba");
  EXPECT_TRUE(has(R.Err, "lock order reversal")) << R.Err;
  EXPECT_FALSE(has(R.Err, "source lines")) << R.Err;
  EXPECT_FALSE(has(R.Err, "fixture_abba.c:")) << R.Err;
}

TEST_F(ToolsTest, WitnessRunPrintsNoSourceLinesWithoutReports) {
  Result R = run(RunTool + " -- " + Abba + " clean");
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_FALSE(has(R.Err, "source lines")) << R.Err;
}

TEST_F(ToolsTest, WitnessRunKeysInitializedLocksByInitSite) {
  Result R = run(RunTool + " -- " + Abba + " init-abba");
  EXPECT_EQ(R.Status, 0) << R.Err; // no --fail: the program's status
  // Both heap locks come from the same pthread_mutex_init call: one class,
  // so nesting them is a duplicate, not an order.
  EXPECT_TRUE(has(R.Err, "acquiring duplicate lock of same type "
                         "\"fixture_abba:make_lock+0x"))
      << R.Err;
}

TEST_F(ToolsTest, WitnessRunChecksADeclaredOrderTheFirstTime) {
  write("order", "fixture_abba:lock_b -> fixture_abba:lock_a\n");
  Result R =
      run(RunTool + " --fail --order " + path("order") + " -- " + Abba + " ab");
  EXPECT_EQ(R.Status, 1) << R.Err;
  EXPECT_TRUE(has(R.Err,
                  "declared order violation: acquiring \"fixture_abba:lock_b\" "
                  "while holding \"fixture_abba:lock_a\""))
      << R.Err;
}

TEST_F(ToolsTest, WitnessRunSeesRwLocksAndConditionWaits) {
  Result R =
      run(RunTool + " --json " + path("r.jsonl") + " -- " + Abba + " rw-cond");
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_TRUE(has(R.Err, "lock order reversal: acquiring \"fixture_abba:rw_x\" "
                         "while holding \"fixture_abba:lock_a\""))
      << R.Err;
  EXPECT_TRUE(has(R.Err, "\"fixture_abba:rw_x\" (0x")) << R.Err;
  EXPECT_TRUE(has(R.Err, "sleeping on \"pthread_cond_timedwait\" with "
                         "\"fixture_abba:lock_b\""))
      << R.Err;
  EXPECT_FALSE(has(R.Err, "with \"fixture_abba:cv_mtx\""))
      << R.Err; // interlock
  std::string J = read(path("r.jsonl"));
  EXPECT_TRUE(has(J, "\"kind\":\"rw\"")) << J;
  EXPECT_TRUE(has(J, "\"check\":\"sleep\"")) << J;
}

TEST_F(ToolsTest, WitnessRunCleanProgramReportsNothing) {
  Result R = run(RunTool + " --fail --graph " + path("g.txt") + " -- " + Abba +
                 " clean");
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_TRUE(has(R.Err, "witness: 0 report(s)")) << R.Err;
  EXPECT_FALSE(has(R.Err, "witness-run:")) << R.Err;
}

TEST_F(ToolsTest, ClassIdentityIsStableAcrossProcesses) {
  ASSERT_EQ(run(RunTool + " --graph " + path("g1.txt") + " -- " + Abba + " ab")
                .Status,
            0);
  ASSERT_EQ(run(RunTool + " --graph " + path("g2.txt") + " -- " + Abba + " ab")
                .Status,
            0);
  // Classes and edges (without the instance names, which are addresses).
  auto Classes = [&](const std::string &F) {
    std::string Out;
    std::istringstream In(read(path(F)));
    for (std::string L; std::getline(In, L);) {
      if (L.rfind("class\t", 0) == 0)
        Out += L + "\n";
      if (L.rfind("edge\t", 0) == 0) {
        size_t Cut = 0;
        for (int I = 0; I < 6; ++I)
          Cut = L.find('\t', Cut + 1);
        Out += L.substr(0, Cut) + "\n";
      }
    }
    return Out;
  };
  EXPECT_FALSE(Classes("g1.txt").empty());
  EXPECT_EQ(Classes("g1.txt"), Classes("g2.txt"));
}

TEST_F(ToolsTest, TwoProcessMergeFindsACycleNeitherSaw) {
  // In-process witness through WITNESS_GRAPH, as every stack test does.
  Result A =
      run("WITNESS_GRAPH=" + path("ab.txt") + " " + GraphFixture + " ab");
  Result B =
      run("WITNESS_GRAPH=" + path("ba.txt") + " " + GraphFixture + " ba");
  ASSERT_EQ(A.Status, 0) << A.Err;
  ASSERT_EQ(B.Status, 0) << B.Err;
  EXPECT_EQ(run(Check + " " + path("ab.txt")).Status, 0);
  EXPECT_EQ(run(Check + " " + path("ba.txt")).Status, 0);
  Result R = run(Check + " --dot " + path("g.dot") + " " + path("ab.txt") +
                 " " + path("ba.txt"));
  EXPECT_EQ(R.Status, 1) << R.Out << R.Err;
  EXPECT_TRUE(has(R.Out, "NEW cross-process lock order reversal: ")) << R.Out;
  EXPECT_TRUE(
      has(R.Out, "\"merge_a\" @ proc_ab.c:10 -> \"merge_b\" @ proc_ab.c:11"))
      << R.Out;
  EXPECT_TRUE(
      has(R.Out, "\"merge_b\" @ proc_ba.c:10 -> \"merge_a\" @ proc_ba.c:11"))
      << R.Out;
  EXPECT_TRUE(has(R.Out, "no single process saw this cycle")) << R.Out;
  EXPECT_TRUE(has(R.Err, "1 new reversal(s), 0 baselined")) << R.Err;
  std::string Dot = read(path("g.dot"));
  EXPECT_TRUE(has(Dot, "digraph witness")) << Dot;
  EXPECT_TRUE(has(Dot, "color=red")) << Dot;
  Result J = run(Check + " --json " + path("ab.txt") + " " + path("ba.txt"));
  EXPECT_EQ(J.Status, 1);
  EXPECT_TRUE(has(J.Out, "{\"type\":\"cycle\",\"classes\":[")) << J.Out;
  EXPECT_TRUE(has(J.Out, "\"cross_process\":true,\"new\":true")) << J.Out;
}

TEST_F(ToolsTest, ForkedProcessesDumpOneGraphEachAndMerge) {
  Result R = run(RunTool + " --fail --graph " + path("g.%p") + " -- " + Abba +
                 " fork");
  EXPECT_EQ(R.Status, 0) << R.Err; // neither process saw a cycle
  std::vector<std::string> Graphs;
  Result Ls = run("ls " + Dir);
  std::istringstream In(Ls.Out);
  for (std::string F; std::getline(In, F);)
    if (F.rfind("g.", 0) == 0)
      Graphs.push_back(path(F));
  ASSERT_EQ(Graphs.size(), 2u) << Ls.Out;
  R = run(Check + " " + Graphs[0] + " " + Graphs[1]);
  EXPECT_EQ(R.Status, 1) << R.Out << R.Err;
  EXPECT_TRUE(has(R.Out, "NEW cross-process lock order reversal")) << R.Out;
  EXPECT_TRUE(has(R.Out, "fixture_abba:lock_a")) << R.Out;
}

TEST_F(ToolsTest, WitnessCheckBaselineAndDeclaredOrder) {
  run("WITNESS_GRAPH=" + path("ab.txt") + " " + GraphFixture + " ab");
  run("WITNESS_GRAPH=" + path("ba.txt") + " " + GraphFixture + " ba");
  write("baseline",
        "# known\nmerge_b -> merge_a | teardown path, never concurrent\n");
  Result R = run(Check + " --baseline " + path("baseline") + " " +
                 path("ab.txt") + " " + path("ba.txt"));
  EXPECT_EQ(R.Status, 0) << R.Out << R.Err;
  EXPECT_TRUE(has(R.Out, "known cross-process lock order reversal")) << R.Out;
  EXPECT_TRUE(has(R.Out, "baseline: teardown path, never concurrent")) << R.Out;
  // A single graph against a declared order.
  write("order", "merge_b -> merge_a\n");
  Result O = run(Check + " --order " + path("order") + " " + path("ab.txt"));
  EXPECT_EQ(O.Status, 1) << O.Out << O.Err;
  EXPECT_TRUE(has(O.Out, "NEW declared order violation: merge_a -> merge_b "
                         "(declared merge_b -> merge_a)"))
      << O.Out;
}

TEST_F(ToolsTest, WitnessCheckBadInputExitsTwoWithFileAndLine) {
  write("bad.txt",
        "witness-graph\t1\nclass\t0\tsleep\ta\nedge\t0\t7\t-\tx\ty\t-\t-\n");
  Result R = run(Check + " " + path("bad.txt"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_TRUE(
      has(R.Err, path("bad.txt") + ":3: edge refers to an undefined class id"))
      << R.Err;
  write("notgraph.txt", "hello\n");
  R = run(Check + " " + path("notgraph.txt"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_TRUE(has(R.Err, path("notgraph.txt") + ":1: not a witness graph"))
      << R.Err;
  write("kind.txt", "witness-graph\t1\nclass\t0\tfast\ta\n");
  R = run(Check + " " + path("kind.txt"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_TRUE(has(R.Err, ":2: unknown lock kind 'fast'")) << R.Err;
  run("WITNESS_GRAPH=" + path("ab.txt") + " " + GraphFixture + " ab");
  write("baseline", "merge_b -> merge_a\n");
  R = run(Check + " --baseline " + path("baseline") + " " + path("ab.txt"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_TRUE(
      has(R.Err, path("baseline") + ":1: baseline entry has no justification"))
      << R.Err;
  R = run(Check + " " + path("missing.txt"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_TRUE(has(R.Err, "missing.txt: cannot open")) << R.Err;
  EXPECT_EQ(run(Check).Status, 2);
  EXPECT_EQ(run(Check + " --bogus x").Status, 2);
}

TEST_F(ToolsTest, EnvironmentConfiguresAnInstrumentedProgram) {
  write("order", "# declared\nmerge_a -> merge_b\n");
  std::string Env = "WITNESS_ORDER=" + path("order") +
                    " WITNESS_JSON=" + path("r.jsonl") + " WITNESS_FAIL=5 ";
  Result R = run(Env + GraphFixture + " ba");
  EXPECT_EQ(R.Status, 5) << R.Err;
  EXPECT_TRUE(has(R.Err,
                  "declared order violation: acquiring \"merge_a\" while "
                  "holding \"merge_b\""))
      << R.Err;
  EXPECT_TRUE(has(read(path("r.jsonl")), "\"check\":\"declared\"")) << R.Err;
  R = run(Env + "WITNESS_POLICY=all=warn,declared=ignore WITNESS_SUMMARY=0 " +
          GraphFixture + " ba");
  EXPECT_EQ(R.Status, 0) << R.Err;
  EXPECT_EQ(R.Err, "");
  R = run("WITNESS_CAPACITY=edges=zero WITNESS_POLICY=bogus " + GraphFixture +
          " ab");
  EXPECT_TRUE(has(R.Err, "witness: bad WITNESS_CAPACITY item 'edges=zero'"))
      << R.Err;
  EXPECT_TRUE(has(R.Err, "witness: bad WITNESS_POLICY item 'bogus'")) << R.Err;
  write("badorder", "a -> -> b\n");
  R = run("WITNESS_ORDER=" + path("badorder") + " " + GraphFixture + " ab");
  EXPECT_TRUE(has(R.Err, path("badorder") + ":1: empty class name")) << R.Err;
}

TEST_F(ToolsTest, WitnessRunUsageErrors) {
  EXPECT_EQ(run(RunTool).Status, 2);
  EXPECT_EQ(run(RunTool + " --order /nonexistent/order -- /bin/true").Status,
            2);
  EXPECT_EQ(run(RunTool + " -- /nonexistent/program").Status, 127);
}

} // namespace
