// Capacities: when one runs out witness says so loudly and keeps checking
// what fits. Also the graph dump, read back by the witness-check reader.
#include "graphfile.h"
#include "witness_test_util.h"

#include <thread>

using namespace wtest;

class CapacityTest : public WitnessTest {
protected:
  void TearDown() override {
    witness_set_capacities("classes=4096,edges=65536,stacks=65536,held=64");
    WitnessTest::TearDown();
  }
};

TEST_F(CapacityTest, EdgesExhaustedStillFindsCycles) {
  Mtx A("cap_a"), B("cap_b"), C("cap_c"), D("cap_d");
  witness_set_capacity(WITNESS_CAP_EDGES, witness_usage(WITNESS_CAP_EDGES) + 2);
  A.lock();
  B.lock();
  B.unlock();
  A.unlock();
  B.lock();
  C.lock();
  C.unlock();
  B.unlock();
  EXPECT_EQ(witness_report_count(-1), 0u);
  C.lock();
  D.lock();
  D.unlock();
  C.unlock(); // no room for c -> d
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_EXHAUSTED), 1u);
  C.lock();
  A.lock();
  A.unlock();
  C.unlock(); // cycle still found
  std::string E = err();
  EXPECT_TRUE(has(E, "CAPACITY EXHAUSTED: edges (limit")) << E;
  EXPECT_TRUE(has(E, "checking goes on")) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_TRUE(has(E, "established order cap_a -> cap_b -> cap_c")) << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 2u);
  EXPECT_TRUE(has(J[0], "\"check\":\"exhausted\",")) << J[0];
  EXPECT_TRUE(has(J[0], "\"capacity\":\"edges\"")) << J[0];
  testing::internal::CaptureStderr();
  witness_print_summary();
  std::string Sum = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(has(Sum, "CAPACITY EXHAUSTED: edges")) << Sum;
}

TEST_F(CapacityTest, HeldLocksBeyondCapacityKeepTheRestChecked) {
  witness_set_capacity(WITNESS_CAP_HELD, 2);
  Mtx A("held_a"), B("held_b"), C("held_c");
  std::thread([&] { // a new thread gets the new capacity
    A.lock();
    B.lock();
    C.lock();   // not tracked
    C.unlock(); // not reported as not held
    B.unlock();
    A.unlock();
    B.lock();
    A.lock();
    A.unlock();
    B.unlock(); // still checked
  })
      .join();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_EXHAUSTED), 1u) << E;
  EXPECT_TRUE(has(E, "CAPACITY EXHAUSTED: held (limit 2)")) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_NOT_HELD), 0u) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
}

TEST_F(CapacityTest, ClassesAndStacksExhausted) {
  Mtx A("cls_a"), B("cls_b"), P("cls_p"), Q("cls_q");
  P.lock();
  Q.lock();
  Q.unlock();
  P.unlock(); // one stack in use
  witness_set_capacity(WITNESS_CAP_CLASSES, witness_usage(WITNESS_CAP_CLASSES));
  witness_set_capacity(WITNESS_CAP_STACKS, witness_usage(WITNESS_CAP_STACKS));
  Mtx X("cls_new");
  EXPECT_EQ(X.W.w_class, nullptr);
  X.lock();
  X.unlock();
  A.lock();
  B.lock();
  B.unlock();
  A.unlock(); // edge without stack
  B.lock();
  A.lock();
  A.unlock();
  B.unlock();
  std::string E = err();
  EXPECT_TRUE(has(E, "CAPACITY EXHAUSTED: classes")) << E;
  EXPECT_TRUE(has(E, "CAPACITY EXHAUSTED: stacks")) << E;
  EXPECT_TRUE(has(E, "(no stack saved)")) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_EXHAUSTED), 2u) << E;
  EXPECT_EQ(witness_set_capacities("edges=0"), -1);
  EXPECT_EQ(witness_set_capacities("edges=12x"), -1);
}

TEST_F(CapacityTest, GraphDumpReadsBack) {
  ASSERT_EQ(witness_declare_order("gd_a -> gd_z"), 0);
  Mtx A("gd_a", 0, WITNESS_KIND_SLEEP_MUTEX, "inst\twith tab");
  Mtx Z("gd_z", 0, WITNESS_KIND_SX);
  RwLock R("gd_r");
  A.lock("g.c", 1);
  R.wlock("g.c", 2);
  R.unlock(0);
  A.unlock();
  R.rlock("g.c", 3);
  A.lock("g.c", 4);
  A.unlock();
  R.unlock(0);
  err();
  std::string Path = ::testing::TempDir() + "witness-graph-%p.txt";
  ASSERT_EQ(witness_dump_graph(Path.c_str()), 0);
  std::string Real = ::testing::TempDir() + "witness-graph-" +
                     std::to_string(getpid()) + ".txt";
  witness::GraphFile G;
  std::string Err;
  ASSERT_TRUE(witness::readGraphFile(Real, G, Err)) << Err;
  unlink(Real.c_str());
  EXPECT_EQ(G.Pid, getpid());
  std::map<std::string, unsigned> Id;
  for (auto &[I, C] : G.Classes)
    Id[C.Name] = I;
  ASSERT_TRUE(Id.count("gd_a") && Id.count("gd_r") && Id.count("gd_z"));
  EXPECT_EQ(G.Classes[Id["gd_z"]].Kind, "sx");
  bool Declared = false, Learned = false, Reversal = false;
  for (const auto &E : G.Edges) {
    if (E.From == Id["gd_a"] && E.To == Id["gd_z"])
      Declared = E.Declared;
    if (E.From == Id["gd_a"] && E.To == Id["gd_r"]) {
      Learned = !E.Reversal && E.FromSite == "g.c:1" && E.ToSite == "g.c:2" &&
                E.FromInstance == "inst\twith tab" && !E.Frames.empty();
    }
    if (E.From == Id["gd_r"] && E.To == Id["gd_a"])
      Reversal = E.Reversal;
  }
  EXPECT_TRUE(Declared);
  EXPECT_TRUE(Learned);
  EXPECT_TRUE(Reversal);
}

TEST(JsonSyntaxTest, TheCheckerOfReportLinesRejectsBadJson) {
  using wtest::JsonSyntax;
  EXPECT_TRUE(JsonSyntax::valid(
      "{\"a\":[1,-2.5e3,true,null,\"x\\\"\\u00e9\"],\"b\":{}}"));
  EXPECT_FALSE(JsonSyntax::valid("{\"a\":1,}"));
  EXPECT_FALSE(JsonSyntax::valid("{\"a\":\"tab\there\"}"));
  EXPECT_FALSE(JsonSyntax::valid("{\"a\":1}{"));
  EXPECT_FALSE(JsonSyntax::valid("{\"a\" 1}"));
}
