// The checks other than lock order: each triggered, with its text and JSON.
#include "witness_test_util.h"

#include <thread>

using namespace wtest;

static void hold(witness_lock *W, unsigned Op, const char *File, int Line) {
  witness_checkorder(W, Op, File, Line);
  witness_acquired(W, Op, File, Line);
}

TEST_F(WitnessTest, DuplicateClassWithoutDupok) {
  Mtx A1("dup_a", 0, WITNESS_KIND_SLEEP_MUTEX, "one");
  Mtx A2("dup_a", 0, WITNESS_KIND_SLEEP_MUTEX, "two");
  Mtx D1("dupok_a", WITNESS_F_DUPOK), D2("dupok_a", WITNESS_F_DUPOK);
  D1.lock();
  D2.lock();
  D2.unlock();
  D1.unlock();
  EXPECT_EQ(witness_report_count(-1), 0u);
  A1.lock("u.c", 1);
  A2.lock("u.c", 2);
  A2.unlock();
  A1.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_DUPLICATE), 1u);
  EXPECT_TRUE(has(E, "acquiring duplicate lock of same type \"dup_a\" (first "
                     "\"dup_a\" (one) [sleep] locked @ u.c:1) @ u.c:2"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"duplicate\"")) << J[0];
  EXPECT_TRUE(has(J[0], "\"lock\":{\"class\":\"dup_a\",\"instance\":\"two\""))
      << J[0];
}

TEST_F(WitnessTest, SleepableLockUnderSpinMutex) {
  Mtx S("ss_spin", 0, WITNESS_KIND_SPIN_MUTEX), M("ss_sleep");
  S.lock("s.c", 1);
  M.lock("s.c", 2);
  M.unlock();
  S.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_SPIN_SLEEP), 1u);
  EXPECT_TRUE(has(E, "sleepable lock \"ss_sleep\" [sleep] acquired while "
                     "holding spin mutex \"ss_spin\" [spin] locked @ s.c:1"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"spin-sleep\"")) << J[0];
  EXPECT_TRUE(has(J[0], "\"site\":\"s.c:2\"")) << J[0];
}

TEST_F(WitnessTest, RecursionOnNonRecursableLock) {
  witness_lock R, N;
  witness_init(&R, "rec_ok", nullptr, WITNESS_KIND_SLEEP_MUTEX,
               WITNESS_F_RECURSE);
  witness_init(&N, "rec_no", nullptr, WITNESS_KIND_SLEEP_MUTEX, 0);
  hold(&R, WITNESS_OP_EXCLUSIVE, "r.c", 1);
  hold(&R, WITNESS_OP_EXCLUSIVE, "r.c", 2);
  witness_assert(&R, WA_LOCKED | WA_RECURSED, "r.c", 3);
  witness_released(&R, WITNESS_OP_EXCLUSIVE, "r.c", 4);
  witness_assert(&R, WA_LOCKED | WA_NOTRECURSED, "r.c", 5);
  witness_released(&R, WITNESS_OP_EXCLUSIVE, "r.c", 6);
  EXPECT_EQ(witness_report_count(-1), 0u);
  hold(&N, WITNESS_OP_EXCLUSIVE, "r.c", 10);
  witness_checkorder(&N, WITNESS_OP_EXCLUSIVE, "r.c", 11);
  witness_released(&N, WITNESS_OP_EXCLUSIVE, "r.c", 12);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_RECURSE), 1u);
  EXPECT_TRUE(has(E, "recursed on non-recursive lock \"rec_no\" [sleep] first "
                     "locked @ r.c:10 @ r.c:11"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"recurse\"")) << J[0];
}

TEST_F(WitnessTest, SharedExclusiveMismatchesUpgradesDowngrades) {
  witness_lock Rw, Sx;
  witness_init(&Rw, "mm_rw", nullptr, WITNESS_KIND_RW, 0);
  witness_init(&Sx, "mm_sx", nullptr, WITNESS_KIND_SX, 0);
  // Good upgrade and downgrade.
  hold(&Sx, WITNESS_OP_SHARED, "m.c", 1);
  witness_upgraded(&Sx, "m.c", 2);
  witness_assert(&Sx, WA_XLOCKED, "m.c", 3);
  witness_downgraded(&Sx, "m.c", 4);
  witness_assert(&Sx, WA_SLOCKED, "m.c", 5);
  witness_released(&Sx, WITNESS_OP_SHARED, "m.c", 6);
  EXPECT_EQ(witness_report_count(-1), 0u);
  // Exclusive request on a lock this thread holds shared.
  hold(&Rw, WITNESS_OP_SHARED, "m.c", 10);
  witness_checkorder(&Rw, WITNESS_OP_EXCLUSIVE, "m.c", 11);
  // Exclusive unlock of a lock held shared.
  witness_released(&Rw, WITNESS_OP_EXCLUSIVE, "m.c", 12);
  // Bad upgrade (not held) and bad downgrade (held shared).
  witness_upgraded(&Rw, "m.c", 13);
  hold(&Sx, WITNESS_OP_SHARED, "m.c", 14);
  witness_downgraded(&Sx, "m.c", 15);
  witness_released(&Sx, 0, "m.c", 16);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_MISMATCH), 4u) << E;
  EXPECT_TRUE(
      has(E, "exclusive lock of \"mm_rw\" [rw] held shared @ m.c:10 @ m.c:11"))
      << E;
  EXPECT_TRUE(has(
      E, "exclusive unlock of \"mm_rw\" [rw] held shared @ m.c:10 @ m.c:12"))
      << E;
  EXPECT_TRUE(has(E, "upgrade of \"mm_rw\" [rw] not held @ m.c:13")) << E;
  EXPECT_TRUE(
      has(E, "downgrade of \"mm_sx\" [sx] not held exclusively @ m.c:15"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 4u);
  for (const std::string &L : J)
    EXPECT_TRUE(has(L, "\"check\":\"mismatch\"")) << L;
}

TEST_F(WitnessTest, UnlockOfLockNotHeld) {
  Mtx A("nh_a");
  witness_released(&A.W, WITNESS_OP_EXCLUSIVE, "n.c", 3);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_NOT_HELD), 1u);
  EXPECT_TRUE(has(E, "unlock of \"nh_a\" [sleep] not held @ n.c:3")) << E;
  EXPECT_TRUE(has(E, "no locks held")) << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"not-held\"")) << J[0];
  EXPECT_TRUE(has(J[0], "\"held\":[]")) << J[0];
}

TEST_F(WitnessTest, DestroyingAHeldLock) {
  witness_lock W;
  witness_init(&W, "dh_a", "inst", WITNESS_KIND_SLEEP_MUTEX, 0);
  hold(&W, WITNESS_OP_EXCLUSIVE, "x.c", 1);
  witness_destroy(&W, "x.c", 2);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_DESTROY_HELD), 1u);
  EXPECT_TRUE(has(E, "destroying lock \"dh_a\" (inst) [sleep] while held "
                     "(locked @ x.c:1) @ x.c:2"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"destroy-held\"")) << J[0];
  EXPECT_EQ(W.w_class, nullptr);
}

TEST_F(WitnessTest, LocksHeldAtThreadExit) {
  witness_lock W;
  witness_init(&W, "exit_a", nullptr, WITNESS_KIND_SLEEP_MUTEX, 0);
  // Exit without calling witness_thread_exit(): caught by the thread's
  // destructor.
  std::thread([&] { hold(&W, WITNESS_OP_EXCLUSIVE, "e.c", 5); }).join();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_EXIT_HELD), 1u);
  witness_lock V;
  witness_init(&V, "exit_b", nullptr, WITNESS_KIND_SX, 0);
  std::thread([&] {
    hold(&V, WITNESS_OP_SHARED, "e.c", 9);
    witness_thread_exit();
  }).join();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_EXIT_HELD), 2u);
  EXPECT_TRUE(has(E, "exiting with 1 lock(s) held, first \"exit_a\" [sleep] "
                     "locked @ e.c:5"))
      << E;
  EXPECT_TRUE(has(E, "\"exit_b\" [sx] locked @ e.c:9")) << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 2u);
  EXPECT_TRUE(has(J[1], "\"check\":\"exit-held\"")) << J[1];
}

TEST_F(WitnessTest, SleepingWithALockHeld) {
  Mtx So("sl_so_rcv"), Inter("sl_inter"), Giant("Giant", WITNESS_F_RECURSE);
  RwLock Sx("sl_sx", WITNESS_KIND_SX);
  Giant.lock();
  Sx.wlock();
  Inter.lock();
  witness_sleep(&Inter.W, "sbwait", "sl.c", 1); // interlock, Giant, sx: fine
  EXPECT_EQ(witness_report_count(-1), 0u);
  So.lock("sl.c", 2);
  witness_sleep(&Inter.W, "sbwait", "sl.c", 3);
  So.unlock();
  Inter.unlock();
  Sx.unlock(0);
  Giant.unlock();
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_SLEEP), 1u);
  EXPECT_TRUE(has(E, "sleeping on \"sbwait\" with \"sl_so_rcv\" [sleep] held "
                     "(locked @ sl.c:2) @ sl.c:3"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 1u);
  EXPECT_TRUE(has(J[0], "\"check\":\"sleep\"")) << J[0];
  EXPECT_TRUE(has(J[0], "\"lock\":{\"class\":\"sl_so_rcv\"")) << J[0];
  EXPECT_EQ(countOf(J[0], "\"class\":"), 5u) << J[0]; // lock + 4 held
}

TEST_F(WitnessTest, AssertionsOfEveryKind) {
  witness_lock W;
  witness_init(&W, "as_rw", nullptr, WITNESS_KIND_RW, WITNESS_F_RECURSE);
  witness_assert(&W, WA_UNLOCKED, "a.c", 1);
  hold(&W, WITNESS_OP_SHARED, "a.c", 2);
  witness_assert(&W, WA_LOCKED, "a.c", 3);
  witness_assert(&W, WA_SLOCKED, "a.c", 4);
  witness_assert(&W, WA_NOTRECURSED, "a.c", 5);
  EXPECT_EQ(witness_report_count(-1), 0u);
  witness_assert(&W, WA_XLOCKED, "a.c", 6);
  witness_assert(&W, WA_UNLOCKED, "a.c", 7);
  witness_assert(&W, WA_RECURSED, "a.c", 8);
  hold(&W, WITNESS_OP_SHARED, "a.c", 9);
  witness_assert(&W, WA_NOTRECURSED, "a.c", 10);
  witness_released(&W, 0, "a.c", 11);
  witness_released(&W, 0, "a.c", 12);
  witness_assert(&W, WA_LOCKED, "a.c", 13);
  witness_assert(&W, WA_SLOCKED, "a.c", 14);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_ASSERT), 6u) << E;
  EXPECT_TRUE(has(E, "assertion failed: lock \"as_rw\" [rw] not exclusively "
                     "locked (shared @ a.c:2) @ a.c:6"))
      << E;
  EXPECT_TRUE(
      has(E, "assertion failed: lock \"as_rw\" [rw] locked @ a.c:2 @ a.c:7"))
      << E;
  EXPECT_TRUE(
      has(E, "assertion failed: lock \"as_rw\" [rw] not recursed @ a.c:8"))
      << E;
  EXPECT_TRUE(has(E, "assertion failed: lock \"as_rw\" [rw] recursed @ a.c:10"))
      << E;
  EXPECT_TRUE(
      has(E, "assertion failed: lock \"as_rw\" [rw] not locked @ a.c:13"))
      << E;
  EXPECT_TRUE(
      has(E, "assertion failed: lock \"as_rw\" [rw] not locked @ a.c:14"))
      << E;
  auto J = jsonLines();
  ASSERT_EQ(J.size(), 6u);
  EXPECT_TRUE(has(J[0], "\"check\":\"assert\"")) << J[0];
}

TEST_F(WitnessTest, IgnorePolicySilencesOneCheckOnly) {
  ASSERT_EQ(witness_set_policies("sleep=ignore"), 0);
  EXPECT_EQ(witness_set_policies("sleep=maybe"), -1);
  EXPECT_EQ(witness_set_policies("nosuchcheck=warn"), -1);
  Mtx A("pol_a");
  A.lock();
  witness_sleep(nullptr, "pause", "p.c", 1);
  A.unlock();
  witness_released(&A.W, WITNESS_OP_EXCLUSIVE, "p.c", 2);
  std::string E = err();
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_SLEEP), 0u);
  EXPECT_EQ(witness_report_count(WITNESS_CHECK_NOT_HELD), 1u);
  EXPECT_TRUE(has(E, "bad policy item 'sleep=maybe'")) << E;
}

TEST_F(WitnessTest, NowitnessLocksAreNotChecked) {
  Mtx A("now_a", WITNESS_F_NOWITNESS), B("now_b");
  B.lock();
  A.lock();
  A.unlock();
  B.unlock();
  A.lock();
  B.lock();
  B.unlock();
  A.unlock();
  witness_released(&A.W, WITNESS_OP_EXCLUSIVE, "n.c", 1);
  err();
  EXPECT_EQ(witness_report_count(-1), 0u);
}

#if !defined(__SANITIZE_THREAD__) && !__has_feature(thread_sanitizer)
static void reverseWithAbortPolicy() {
  witness_set_policies("order=abort");
  Mtx A("death_a");
  Mtx B("death_b");
  A.lock();
  B.lock();
  B.unlock();
  A.unlock();
  B.lock();
  A.lock();
}

TEST_F(WitnessTest, AbortPolicyDies) {
  err();
  EXPECT_DEATH(reverseWithAbortPolicy(),
               "lock order reversal: acquiring \"death_a\" while holding "
               "\"death_b\"(.|\n)*policy is abort");
  EXPECT_DEATH(
      {
        witness_set_policy(WITNESS_CHECK_SLEEP, WITNESS_POLICY_ABORT);
        Mtx A("death_s");
        A.lock();
        witness_sleep(nullptr, "zzz", "z.c", 1);
      },
      "sleeping on \"zzz\"");
}

TEST_F(WitnessTest, FailModeExitStatus) {
  err();
  EXPECT_EXIT(
      {
        witness_set_fail_mode(1, 3);
        Mtx F("fail_a");
        witness_released(&F.W, WITNESS_OP_EXCLUSIVE, "f.c", 1);
        exit(0);
      },
      ::testing::ExitedWithCode(3),
      "witness: 1 report\\(s\\) \\(not-held 1\\)");
  EXPECT_EXIT(
      {
        witness_set_fail_mode(1, 3);
        exit(0);
      },
      ::testing::ExitedWithCode(0), "witness: 0 report");
}
#endif
