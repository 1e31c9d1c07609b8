// Lock-order checks: learned reversals (2 and 3 locks, across threads),
// declared orders, try-locks, deduplication and the steady state.
#include "witness_test_util.h"

#include <algorithm>
#include <thread>

using namespace wtest;

TEST_F(WitnessTest, TwoLockReversalNamesBothLocksSitesStacksAndScenario) {
  Mtx A("ord2_a", 0, WITNESS_KIND_SLEEP_MUTEX, "a0");
  Mtx B("ord2_b", 0, WITNESS_KIND_SLEEP_MUTEX, "b0");
  A.lock("first.c", 10);
  B.lock("first.c", 11);
  B.unlock();
  A.unlock();
  EXPECT_EQ(witness_report_count(-1), 0u);
  B.lock("second.c", 20);
  A.lock("second.c", 21);
  A.unlock();
  B.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u);
  EXPECT_TRUE(has(E, "lock order reversal: acquiring \"ord2_a\" while holding "
                     "\"ord2_b\"; established order ord2_a -> ord2_b"))
      << E;
  EXPECT_TRUE(has(E, "1st \"ord2_b\" (b0) [sleep] locked @ second.c:20")) << E;
  EXPECT_TRUE(has(E, "2nd \"ord2_a\" (a0) [sleep] acquiring @ second.c:21"))
      << E;
  // The recorded edge with its sites, and the current one.
  EXPECT_TRUE(has(E, "\"ord2_a\" @ first.c:10 -> \"ord2_b\" @ first.c:11"))
      << E;
  EXPECT_TRUE(has(E, "\"ord2_b\" @ second.c:20 -> \"ord2_a\" @ second.c:21"))
      << E;
  EXPECT_FALSE(has(E, "(no stack saved)")) << E;
  EXPECT_TRUE(has(E, "locks held by thread")) << E;
  EXPECT_TRUE(has(E, "thread 1 (this one) holds \"ord2_b\" and waits for "
                     "\"ord2_a\""))
      << E;
  EXPECT_TRUE(has(E, "thread 2 holds \"ord2_a\" and waits for \"ord2_b\""))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  const std::string &L = J[0];
  EXPECT_EQ(L.front(), '{');
  EXPECT_EQ(L.back(), '}');
  EXPECT_TRUE(has(L, "\"check\":\"order\"")) << L;
  EXPECT_TRUE(has(L, "\"policy\":\"warn\"")) << L;
  EXPECT_TRUE(has(L, "\"lock\":{\"class\":\"ord2_a\",\"instance\":\"a0\","
                     "\"kind\":\"sleep\",\"site\":\"second.c:21\"}"))
      << L;
  EXPECT_TRUE(has(L, "\"other\":{\"class\":\"ord2_b\",\"instance\":\"b0\","
                     "\"kind\":\"sleep\",\"site\":\"second.c:20\""))
      << L;
  EXPECT_TRUE(has(L, "\"from_site\":\"first.c:10\",\"to_site\":\"first.c:11\""))
      << L;
  EXPECT_EQ(countOf(L, "\"stack\":[\""), 2u) << L; // both edges have stacks
  EXPECT_TRUE(has(L, "\"held\":[{\"class\":\"ord2_b\"")) << L;
  EXPECT_TRUE(has(L, "\"scenario\":[")) << L;
}

TEST_F(WitnessTest, ThreeLockCycleIsFound) {
  Mtx A("ord3_a"), B("ord3_b"), C("ord3_c");
  A.lock("t.c", 1);
  B.lock("t.c", 2);
  B.unlock();
  A.unlock();
  B.lock("t.c", 3);
  C.lock("t.c", 4);
  C.unlock();
  B.unlock();
  EXPECT_EQ(witness_report_count(-1), 0u);
  C.lock("t.c", 5);
  A.lock("t.c", 6);
  A.unlock();
  C.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u);
  EXPECT_TRUE(has(E, "established order ord3_a -> ord3_b -> ord3_c")) << E;
  EXPECT_TRUE(has(E, "cycle of 3 locks")) << E;
  EXPECT_TRUE(has(E, "\"ord3_a\" @ t.c:1 -> \"ord3_b\" @ t.c:2")) << E;
  EXPECT_TRUE(has(E, "\"ord3_b\" @ t.c:3 -> \"ord3_c\" @ t.c:4")) << E;
  EXPECT_TRUE(has(E, "\"ord3_c\" @ t.c:5 -> \"ord3_a\" @ t.c:6")) << E;
  EXPECT_TRUE(has(E, "thread 3 holds \"ord3_b\" and waits for \"ord3_c\""))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_EQ(countOf(J[0], "\"from_site\""), 3u) << J[0];
}

TEST_F(WitnessTest, CycleLearnedByThreeThreads) {
  Mtx A("thr_a"), B("thr_b"), C("thr_c");
  std::thread([&] {
    A.lock();
    B.lock();
    B.unlock();
    A.unlock();
  }).join();
  std::thread([&] {
    B.lock();
    C.lock();
    C.unlock();
    B.unlock();
  }).join();
  std::thread([&] {
    C.lock();
    A.lock();
    A.unlock();
    C.unlock();
  }).join();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_TRUE(has(E, "first seen in thread")) << E;
}

TEST_F(WitnessTest, LongCycleOfEightLocks) {
  std::vector<std::unique_ptr<Mtx>> L;
  static const char *Names[] = {"long0", "long1", "long2", "long3",
                                "long4", "long5", "long6", "long7"};
  for (const char *N : Names)
    L.push_back(std::make_unique<Mtx>(N));
  for (int I = 0; I + 1 < 8; ++I) {
    L[I]->lock();
    L[I + 1]->lock();
    L[I + 1]->unlock();
    L[I]->unlock();
  }
  EXPECT_EQ(witness_report_count(-1), 0u);
  L[7]->lock();
  L[0]->lock();
  L[0]->unlock();
  L[7]->unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u);
  EXPECT_TRUE(has(E, "cycle of 8 locks")) << E;
}

TEST_F(WitnessTest, DeclaredOrderIsCheckedTheFirstTime) {
  ASSERT_EQ(witness_declare_order("decl_so_rcv -> decl_inp -> decl_ifq"), 0);
  Mtx So("decl_so_rcv"), Ifq("decl_ifq");
  Ifq.lock("d.c", 7);
  So.lock("d.c", 8); // never seen before: so_rcv must come before ifq
  So.unlock();
  Ifq.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_DECLARED), 1u);
  EXPECT_TRUE(has(E,
                  "declared order violation: acquiring \"decl_so_rcv\" while "
                  "holding \"decl_ifq\"; declared order decl_so_rcv -> "
                  "decl_inp -> decl_ifq"))
      << E;
  EXPECT_TRUE(has(E, "1st \"decl_ifq\" [sleep] locked @ d.c:7")) << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"declared\"")) << J[0];
  EXPECT_TRUE(
      has(J[0], "\"declared\":[\"decl_so_rcv\",\"decl_inp\",\"decl_ifq\"]"))
      << J[0];
}

TEST_F(WitnessTest, DeclaredAndLearnedEdgesCloseACycleTogether) {
  ASSERT_EQ(witness_declare_order("mix_a -> mix_b"), 0);
  Mtx A("mix_a"), B("mix_b"), C("mix_c");
  B.lock();
  C.lock();
  C.unlock();
  B.unlock(); // learned b -> c
  C.lock();
  A.lock();
  A.unlock();
  C.unlock(); // c -> a closes a -> b -> c
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_TRUE(has(E, "(declared order)")) << E;
}

TEST_F(WitnessTest, OrderFileIsLoadedAndBadLinesNamed) {
  std::string Path = ::testing::TempDir() + "witness-order-" +
                     std::to_string(getpid()) + ".txt";
  {
    std::ofstream O(Path);
    O << "# the socket layer first\n"
         "ofile_so -> ofile_inp   # trailing comment\n"
         "\n"
         "ofile_inp -> \n";
  }
  EXPECT_EQ(witness_load_order_file(Path.c_str()), -1);
  Mtx So("ofile_so"), Inp("ofile_inp");
  Inp.lock();
  So.lock();
  So.unlock();
  Inp.unlock();
  std::string E = err();
  unlink(Path.c_str());
  EXPECT_TRUE(has(E, Path + ":4: empty class name")) << E;
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_DECLARED), 1u) << E;
  EXPECT_EQ(witness_load_order_file("/nonexistent/order"), -1);
  EXPECT_EQ(witness_declare_order("only_one"), -1);
}

TEST_F(WitnessTest, TryLockAddsNoEdgeIntoItButEdgesOutOfIt) {
  Mtx A("try_a"), B("try_b"), C("try_c");
  A.lock();
  ASSERT_TRUE(B.trylock());
  C.lock(); // edges b -> c and, past the try-lock, a -> c
  C.unlock();
  B.unlock();
  A.unlock();
  B.lock();
  A.lock(); // no a -> b edge was learned: no reversal
  A.unlock();
  B.unlock();
  EXPECT_EQ(witness_report_count(-1), 0u);
  C.lock();
  B.lock(); // reverses b -> c, learned out of the try-lock
  B.unlock();
  C.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_TRUE(has(E, "established order try_b -> try_c")) << E;
}

TEST_F(WitnessTest, ReportedOncePerClassCycleAndNeverTurnsOff) {
  Mtx A("dd_a", 0, WITNESS_KIND_SLEEP_MUTEX, "x1");
  Mtx A2("dd_a", 0, WITNESS_KIND_SLEEP_MUTEX, "x2");
  Mtx B("dd_b"), C("dd_c"), D("dd_d");
  A.lock();
  B.lock();
  B.unlock();
  A.unlock();
  for (int I = 0; I < 100; ++I) {
    B.lock();
    (I % 2 ? A : A2).lock();
    (I % 2 ? A : A2).unlock();
    B.unlock();
  }
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u);
  // A later, different cycle is still reported.
  C.lock();
  D.lock();
  D.unlock();
  C.unlock();
  D.lock();
  C.lock();
  C.unlock();
  D.unlock();
  err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 2u);
  EXPECT_EQ(jsonLines().size(), 2u);
}

TEST_F(WitnessTest, CorrectNestedOrderAMillionTimesReportsNothing) {
  Mtx A("mil_a"), B("mil_b"), C("mil_c");
  RwLock R("mil_r");
  for (int I = 0; I < 1000000; ++I) {
    A.lock();
    B.lock();
    if (I & 1) {
      R.rlock();
      R.unlock(WITNESS_OP_SHARED);
    }
    C.lock();
    C.unlock();
    B.unlock();
    A.unlock();
  }
  std::string E = err();
  EXPECT_EQ(witness_report_count(-1), 0u) << E;
  EXPECT_EQ(jsonLines().size(), 0u);
}

TEST_F(WitnessTest, SteadyStateTakesNoInternalLock) {
  Mtx A("steady_a"), B("steady_b"), C("steady_c");
  auto Round = [&] {
    A.lock();
    B.lock();
    C.lock();
    C.unlock();
    B.unlock();
    A.unlock();
  };
  Round(); // learns a -> b -> c
  unsigned long Warm = witness_slow_acquisitions();
  EXPECT_GT(Warm, 0u);
  for (int I = 0; I < 100000; ++I)
    Round();
  err();
  EXPECT_EQ(witness_slow_acquisitions(), Warm);
  // A new chain over known edges is validated once (lock-free edge
  // lookups, then the chain is recorded), then is steady too.
  for (int I = 0; I < 3; ++I) {
    B.lock();
    C.lock();
    C.unlock();
    B.unlock();
  }
  EXPECT_EQ(witness_slow_acquisitions(), Warm + 1);
  for (int I = 0; I < 3; ++I) {
    A.lock();
    C.lock(); // a -> c is a new edge the first time
    C.unlock();
    A.unlock();
  }
  EXPECT_EQ(witness_slow_acquisitions(), Warm + 2);
}

TEST_F(WitnessTest, ConcurrentThreadsInOrderReportNothing) {
  Mtx A("conc_a"), B("conc_b");
  auto Work = [&] {
    for (int I = 0; I < 20000; ++I) {
      A.lock();
      B.lock();
      B.unlock();
      A.unlock();
    }
  };
  std::thread T1(Work), T2(Work);
  T1.join();
  T2.join();
  err();
  EXPECT_EQ(witness_report_count(-1), 0u);
}

TEST_F(WitnessTest, ManyThreadsLearningEdgesConcurrently) {
  // 48 classes taken in index order by 4 threads: about a thousand new
  // edges, learned while other threads probe the lock-free sets as they
  // grow. Nothing is reversed, so nothing is reported.
  constexpr int K = 48;
  std::vector<std::unique_ptr<Mtx>> L;
  std::vector<std::string> Names;
  for (int I = 0; I < K; ++I) {
    Names.push_back("many" + std::to_string(I));
  }
  for (int I = 0; I < K; ++I)
    L.push_back(std::make_unique<Mtx>(Names[I].c_str()));
  auto Work = [&](unsigned Seed) {
    for (int Round = 0; Round < 400; ++Round) {
      Seed = Seed * 1103515245 + 12345;
      int A = int(Seed >> 8) % K;
      int B = int(Seed >> 20) % K;
      int C = int(Seed >> 14) % K;
      int Ix[3] = {A, B, C};
      std::sort(std::begin(Ix), std::end(Ix));
      int N = int(std::unique(std::begin(Ix), std::end(Ix)) - std::begin(Ix));
      for (int I = 0; I < N; ++I)
        L[Ix[I]]->lock();
      for (int I = N; I-- > 0;)
        L[Ix[I]]->unlock();
    }
  };
  std::vector<std::thread> T;
  for (unsigned I = 0; I < 4; ++I)
    T.emplace_back(Work, I * 7919 + 1);
  for (auto &Th : T)
    Th.join();
  std::string E = err();
  EXPECT_EQ(witness_report_count(-1), 0u) << E;
  EXPECT_GT(witness_usage(WITNESS_CAP_EDGES), 300u);
}
