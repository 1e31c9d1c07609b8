// The inline fast path of witness.h (witness_fast_*), the one sys/lock.h
// uses: it must record the same held list, find the same reversals and
// hand every case it does not cover to the out-of-line hooks, mixed freely
// with them.
#include "witness_test_util.h"

#include <thread>

using namespace wtest;

namespace {

/// A mutex whose hooks are the inline fast path.
struct FastMtx {
  pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
  witness_lock W;
  explicit FastMtx(const char *Class, unsigned Flags = 0,
                   witness_kind Kind = WITNESS_KIND_SLEEP_MUTEX) {
    witness_init(&W, Class, nullptr, Kind, Flags);
  }
  void lock(const char *File = __builtin_FILE(), int Line = __builtin_LINE()) {
    witness_fast_checkorder(&W, WITNESS_OP_EXCLUSIVE, File, Line);
    pthread_mutex_lock(&M);
    witness_fast_acquired(&W, WITNESS_OP_EXCLUSIVE, File, Line);
  }
  /// The witness side of a recursive acquisition (the mutex is held).
  void relock(const char *File, int Line) {
    witness_fast_checkorder(&W, WITNESS_OP_EXCLUSIVE, File, Line);
    witness_fast_acquired(&W, WITNESS_OP_EXCLUSIVE, File, Line);
  }
  void unrelock() { witness_fast_released(&W, 0, __FILE__, __LINE__); }
  bool trylock() {
    if (pthread_mutex_trylock(&M))
      return false;
    witness_fast_acquired(&W, WITNESS_OP_EXCLUSIVE | WITNESS_OP_TRY, __FILE__,
                          __LINE__);
    return true;
  }
  void unlock() {
    witness_fast_released(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    pthread_mutex_unlock(&M);
  }
};

unsigned long held() { return witness_usage(WITNESS_CAP_HELD); }

} // namespace

TEST_F(WitnessTest, FastPathSteadyStateTakesNoSlowPathAndReportsNothing) {
  FastMtx A("fast_a"), B("fast_b"), C("fast_c");
  auto Nest = [&] {
    A.lock();
    B.lock();
    C.lock();
    EXPECT_EQ(held(), 3u);
    C.unlock();
    B.unlock();
    A.unlock();
  };
  Nest(); // learns a -> b -> c, validates the chain
  Nest(); // fills the inline caches
  unsigned long Slow = witness_slow_acquisitions();
  unsigned long Calls = witness_hook_calls();
  for (int I = 0; I < 100000; ++I)
    Nest();
  EXPECT_EQ(witness_slow_acquisitions(), Slow);
  EXPECT_EQ(witness_hook_calls(), Calls); // not one out-of-line call
  EXPECT_EQ(held(), 0u);
  EXPECT_EQ(witness_report_count(-1), 0u) << err();
}

TEST_F(WitnessTest, FastPathFindsAReversalOfAValidatedOrder) {
  FastMtx A("fastrev_a"), B("fastrev_b");
  for (int I = 0; I < 3; ++I) { // validated and cached inline
    A.lock("fr.c", 1);
    B.lock("fr.c", 2);
    B.unlock();
    A.unlock();
  }
  B.lock("fr.c", 10);
  A.lock("fr.c", 11);
  A.unlock();
  B.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ORDER), 1u) << E;
  EXPECT_TRUE(has(E, "\"fastrev_b\" @ fr.c:10 -> \"fastrev_a\" @ fr.c:11"))
      << E;
}

TEST_F(WitnessTest, FastPathHeldListKeepsSitesForReports) {
  FastMtx A("fastsite_a"), B("fastsite_b");
  A.lock("site.c", 41);
  B.lock("site.c", 42);
  witness_sleep(&A.W, "fastwait", "site.c", 43);
  B.unlock();
  A.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_SLEEP), 1u) << E;
  EXPECT_TRUE(has(E, "sleeping on \"fastwait\" with \"fastsite_b\"")) << E;
  EXPECT_TRUE(has(E, "locked @ site.c:41")) << E; // held list: both sites
  EXPECT_TRUE(has(E, "locked @ site.c:42")) << E;
}

TEST_F(WitnessTest, FastPathHandsRecursionTryAndOutOfOrderToTheHooks) {
  FastMtx R("fastmix_r", WITNESS_F_RECURSE), T("fastmix_t"), X("fastmix_x"),
      Y("fastmix_y");
  R.lock();
  R.relock("mix.c", 2); // recursion: the out-of-line hook counts it
  EXPECT_EQ(held(), 1u);
  ASSERT_TRUE(T.trylock());
  X.lock(); // on top of a try-locked entry
  EXPECT_EQ(held(), 3u);
  T.unlock(); // out of order: removed from the middle
  Y.lock();
  EXPECT_EQ(held(), 3u);
  Y.unlock();
  X.unlock();
  R.unrelock();
  EXPECT_EQ(held(), 1u);
  witness_assert(&R.W, WA_LOCKED | WA_NOTRECURSED, "mix.c", 9);
  R.unlock();
  EXPECT_EQ(held(), 0u);
  // The same pattern again now runs from the caches: still consistent.
  R.lock();
  X.lock();
  Y.lock();
  Y.unlock();
  X.unlock();
  R.unlock();
  EXPECT_EQ(held(), 0u);
  EXPECT_EQ(witness_report_count(-1), 0u) << err();
}

TEST_F(WitnessTest, FastPathRecursionOnNonRecursableLockIsReported) {
  FastMtx N("fastrec_n");
  unsigned long Calls = witness_hook_calls();
  N.lock("rec.c", 1);
  EXPECT_GT(witness_hook_calls(), Calls); // a new class: out of line
  N.relock("rec.c", 2);
  N.unrelock();
  N.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_RECURSE), 1u) << E;
  EXPECT_TRUE(has(E, "first locked @ rec.c:1")) << E;
}

TEST_F(WitnessTest, FastPathUnlockInAThreadThatNeverLockedIsReported) {
  FastMtx A("fastfresh_a");
  std::thread([&] {
    // This thread's state was never set up: the inline path must fall
    // through to the hook, which reports, and not touch memory.
    witness_fast_released(&A.W, WITNESS_OP_EXCLUSIVE, "fresh.c", 7);
  }).join();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_NOT_HELD), 1u) << E;
  EXPECT_TRUE(has(E, "unlock of \"fastfresh_a\" [sleep] not held @ fresh.c:7"))
      << E;
}

TEST_F(WitnessTest, FastPathThreadsKeepSeparateHeldLists) {
  FastMtx A("fastthr_a"), B("fastthr_b");
  auto Work = [&] {
    for (int I = 0; I < 20000; ++I) {
      A.lock();
      B.lock();
      B.unlock();
      A.unlock();
    }
    EXPECT_EQ(held(), 0u);
  };
  std::thread T1(Work), T2(Work);
  T1.join();
  T2.join();
  EXPECT_EQ(witness_report_count(-1), 0u) << err();
}
