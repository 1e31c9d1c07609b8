/*
 * kt.h - the kern test scenarios, written in C against the stack's kernel
 * headers and driven from GoogleTest.  This header includes nothing, so
 * the C++ side never sees the stack include root.
 *
 * A scenario returns 0 on success; on failure it returns nonzero and
 * kt_error() names the file, line and failed condition.
 */
#ifndef KT_H
#define	KT_H

#ifdef __cplusplus
extern "C" {
#endif

const char *kt_error(void);

#define	KT_SCENARIOS(X)							\
	X(Sleep, NoLostWakeupStress)					\
	X(Sleep, PdropLeavesInterlockReleased)				\
	X(Sleep, TimeoutReturnsEwouldblock)				\
	X(Sleep, PcatchInterruptedWhileAsleep)				\
	X(Sleep, PcatchRestart)						\
	X(Sleep, InterruptPendingBeforeSleep)				\
	X(Sleep, WakeupOneWakesExactlyOne)				\
	X(Sleep, GiantDroppedWhileAsleep)				\
	X(Sleep, GiantAndInterlockRetaken)				\
	X(Sleep, PauseSleepsForTimeout)					\
	X(Sleep, SpinRwAndCondvarInterlocks)				\
	X(Sleep, WakeupWaitsForTheWakersLastMutex)			\
	X(Sleep, InterruptHandlersWakeupsFollowItsReturn)		\
	X(Spl, LevelsRecordedAndRestored)				\
	X(Spl, LowerLevelDoesNotLower)					\
	X(Spl, SplassertPassesWhenRaised)				\
	X(Atomic, SumsExactUnderThreads)				\
	X(Atomic, OperationSemantics)					\
	X(Counter, SumsExactUnderThreads)				\
	X(Refcount, AcquireRelease)					\
	X(Mutex, RecursionAndAsserts)					\
	X(Mutex, ExcludesUnderThreads)					\
	X(Rwlock, ReadersShareTheLock)					\
	X(Rwlock, WriterExcludesReaders)				\
	X(Rwlock, UpgradeDowngrade)					\
	X(Sx, SleepWithSxInterlock)					\
	X(Sx, SharedAndExclusive)					\
	X(Condvar, SignalAndBroadcast)					\
	X(Condvar, ProducerConsumer)					\
	X(Callout, FiresOnce)						\
	X(Callout, StopPreventsRun)					\
	X(Callout, ResetReschedules)					\
	X(Callout, DrainWaitsForRunningHandler)				\
	X(Callout, InitMtxHoldsLockAndStopCancels)			\
	X(Callout, NonMpsafeRunsWithGiant)				\
	X(Callout, ReturnUnlockedHandlerReleases)			\
	X(Clock, ScaleSpeedsUpKernelTime)				\
	X(Clock, ScaleSpeedsUpCallouts)					\
	X(Mbuf, RandomOpsMatchReference)				\
	X(Mbuf, ClusterSharingAndRefcount)				\
	X(Mbuf, PullupShortChainFails)					\
	X(Mbuf, PrependUsesLeadingSpace)				\
	X(Mbuf, ConcurrentAllocFree)					\
	X(Zone, ConcurrentAllocFree)					\
	X(Zone, MaxLimitAndWait)					\
	X(Zone, InitFiniCtorDtor)					\
	X(Malloc, TypeStatistics)					\
	X(Vnet, InstancesHaveSeparateCopies)				\
	X(Vnet, KthreadInheritsCurvnet)					\
	X(Thread, IthreadGiantUnlessMpsafe)				\
	X(Thread, ApplicationThreadGetsStructThread)			\
	X(Subr, HashinitUiomoveStrlcpy)

#define	KT_DECLARE(group, name)	int kt_##group##_##name(void);
KT_SCENARIOS(KT_DECLARE)
#undef KT_DECLARE

/* Misuse scenarios: each must panic (death tests). */
#define	KT_DEATHS(X)							\
	X(SplxNeverRaised, "splx\\(0x5a000700\\): level never raised")	\
	X(SplxNotACookie, "splx\\(0x7\\): not a level returned by spl")	\
	X(SplxOutOfOrder, "splx\\(0x5a00010[0-9]\\): out of order.*scen_death\\.c:[0-9]+") \
	X(SplassertNotRaised, "splassert: thread .* at splnone, splnet wanted @ .*scen_death\\.c:[0-9]+") \
	X(MtxUnlockNotHeld, "mtx_unlock: mutex \"kt_unheld\" not owned by this thread \\(unlocked\\) @ .*scen_death\\.c:[0-9]+") \
	X(MtxUnlockOtherThread, "mtx_unlock: mutex \"kt_other\" not owned by this thread \\(owned by another thread\\)") \
	X(MtxRecurseNonRecursive, "mtx_lock: recursed on non-recursive mutex \"kt_norecurse\" @ .*scen_death\\.c:[0-9]+") \
	X(MtxDestroyHeld, "mtx_destroy: mutex \"kt_held\" is held \\(by this thread\\) @ .*scen_death\\.c:[0-9]+") \
	X(MtxAssertNotOwned, "mutex \"kt_assert\" not owned at .*scen_death\\.c:[0-9]+") \
	X(MtxLockSpinAsSleep, "mtx_lock: spin mutex \"kt_spin\" locked as a sleep mutex") \
	X(MsleepSpinInterlock, "msleep: spin mutex \"kt_spin\" used as the interlock of a sleep \\(\"kt_wait\"\\) @ .*scen_death\\.c:[0-9]+") \
	X(MsleepInterlockNotHeld, "interlock \"kt_notheld\" not held @ .*scen_death\\.c:[0-9]+") \
	X(RwDestroyHeld, "rw_destroy: lock \"kt_rw\" is held \\(shared\\) @ .*scen_death\\.c:[0-9]+") \
	X(RwWunlockNotHeld, "rw_wunlock: lock \"kt_rw\" not exclusively locked by this thread @ .*scen_death\\.c:[0-9]+") \
	X(SxRecurse, "sx_xlock: recursed on non-recursive lock \"kt_sx\" @ .*scen_death\\.c:[0-9]+") \
	X(VnetWithoutCurvnet, "VNET\\(kt_vnet_value\\) used with no curvnet set .*scen_death\\.c:[0-9]+") \
	X(FreeWrongType, "free\\(.*, kt_type_b\\): block was allocated as type kt_type_a") \
	X(RefcountUnderflow, "refcount_release: count .* would go below zero") \
	X(CalloutResetWithoutLock, "callout_reset: callout lock \"kt_co\" not held @ .*scen_death\\.c:[0-9]+")

#define	KT_DECLARE_DEATH(name, re)	void kt_death_##name(void);
KT_DEATHS(KT_DECLARE_DEATH)
#undef KT_DECLARE_DEATH

/*
 * Lock profiling (scen_lprof.c): the workload a profiled child process
 * runs, and the sites (this file, these lines) its profile must name.
 *   hot:     mutex "kt_lprof_hot", two threads, 2 * NITER + ROUNDS * 2
 *            acquisitions, some of them surely contended
 *   cold:    mutex "kt_lprof_cold", one thread, NCOLD acquisitions
 *   trylock: the same mutex, NTRY successful mtx_trylock()s
 *   rw, sx:  rwlock "kt_lprof_rw" and sx "kt_lprof_sx", ROUNDS
 *            acquisitions by a holder (free) and by a waiter (contended)
 */
#define	KT_LPROF_NITER	20000
#define	KT_LPROF_ROUNDS	3
#define	KT_LPROF_NCOLD	100
#define	KT_LPROF_NTRY	10
int	kt_lprof_workload(void);
const char *kt_lprof_file(void);
extern const int kt_lprof_hot_line, kt_lprof_cold_line, kt_lprof_trylock_line;
extern const int kt_lprof_rw_holder_line, kt_lprof_rw_reader_line;
extern const int kt_lprof_sx_holder_line, kt_lprof_sx_waiter_line;

#ifdef __cplusplus
}
#endif

#endif /* !KT_H */
