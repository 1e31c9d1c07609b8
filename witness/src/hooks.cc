//===- hooks.cc - the lock hooks and their fast path ------------*- C++ -*-===//
//
// Each thread keeps its held locks in acquisition order and, beside them,
// a hash of the held class chain (as lockdep does). Acquiring a lock costs,
// in order of preference:
//  - nothing but a compare when the top held entry remembers this class as
//    validated on top of it;
//  - a hash and one lock-free probe of the set of validated chains;
//  - a lock-free probe of the known-edge set per held lock;
//  - the global lock, only for an edge never seen: cycle search, stack.
// Whether the lock is already held (recursion) is answered by a per-thread
// bucket count before any scan of the held list.
//
//===----------------------------------------------------------------------===//
#include "internal.h"
#include "report.h"

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <pthread.h>

namespace witness {

static __thread ThreadState *Current __attribute__((tls_model("initial-exec")));
static pthread_key_t ExitKey;
static pthread_once_t ExitKeyOnce = PTHREAD_ONCE_INIT;

static void threadDestructor(void *P) {
  ThreadState *T = static_cast<ThreadState *>(P);
  if (T->N)
    witness_thread_exit();
  Current = nullptr;
  free(T->Locks);
  free(T->Chain);
  delete T;
}

static void makeExitKey() { pthread_key_create(&ExitKey, threadDestructor); }

uint64_t chainNext(uint64_t H, const Class *C, bool Tried) {
  uint64_t X = H ^ ((uint64_t(C->Id) << 1 | Tried) + 0x9e3779b97f4a7c15ULL);
  X ^= X >> 31;
  X *= 0xbf58476d1ce4e5b9ULL;
  X ^= X >> 29;
  return X ? X : 1;
}

static __attribute__((noinline)) ThreadState *newThreadState() {
  State &S = state();
  auto *T = new ThreadState;
  T->Cap = unsigned(S.Cap[CapHeld].load());
  T->Locks = static_cast<Held *>(calloc(T->Cap, sizeof(Held)));
  T->Chain = static_cast<uint64_t *>(calloc(T->Cap + 1, sizeof(uint64_t)));
  T->Chain[0] = ChainRoot;
  T->Tid = currentTid();
  Current = T;
  pthread_once(&ExitKeyOnce, makeExitKey);
  pthread_setspecific(ExitKey, T);
  return T;
}

ThreadState *threadState() {
  if (ThreadState *T = Current)
    return T;
  return newThreadState();
}

/// The class of a checked lock; NULL for untracked and NOWITNESS locks
/// (witness_init leaves their class NULL).
static Class *classOf(const witness_lock *L) {
  return L ? static_cast<Class *>(L->w_class) : nullptr;
}

static int findHeld(const ThreadState *T, const witness_lock *L) {
  for (int I = int(T->N) - 1; I >= 0; --I)
    if (T->Locks[I].Lock == L)
      return I;
  return -1;
}

static void rehash(ThreadState *T, unsigned From) {
  for (unsigned I = From; I < T->N; ++I) {
    T->Chain[I + 1] =
        chainNext(T->Chain[I], T->Locks[I].Cls, T->Locks[I].Tried);
    T->Locks[I].NextOk = nullptr;
  }
}

static unsigned modeOf(unsigned Op) {
  return (Op & WITNESS_OP_SHARED) ? WITNESS_OP_SHARED : WITNESS_OP_EXCLUSIVE;
}

/// Reports a check about one lock at one site, with the stack and the
/// held-lock list; skipped early when ignored or already reported.
static void reportLock(witness_check Check, const witness_lock *L,
                       const std::string &Headline, const char *File, int Line,
                       const ThreadState *T, const std::string &Extra = "") {
  Class *C = static_cast<Class *>(L->w_class);
  std::string Site = siteOf(File, Line);
  std::string Key = (C ? C->Name : "?") + "|" + Site + "|" + Extra;
  if (!wanted(state(), Check, Key))
    return; // ignored or already reported: skip the stack walk
  Report R(Check, Key, Headline + " @ " + Site);
  R.rawField("lock", Report::lockJson(C, L->w_name, Site, 0));
  R.field("site", Site);
  std::vector<void *> Stack;
  captureStack(Stack, 3);
  R.line("stack:");
  std::string J = "[";
  bool First = true;
  for (const std::string &F : symbolize(Stack)) {
    R.line("    " + F);
    J += (First ? "" : ",") + jsonString(F);
    First = false;
  }
  R.rawField("stack", J + "]");
  R.heldLocks(T);
  emit(state(), R);
}

static std::string name(const witness_lock *L) {
  return Report::lockText(static_cast<Class *>(L->w_class), L->w_name);
}

/// Order checks for acquiring L (class C, chain hash Hash) on top of T's
/// held chain when the chain is not known to be valid.
static __attribute__((noinline)) void
checkOrderSlow(ThreadState *T, witness_lock *L, Class *C, uint64_t Hash,
               const char *File, int Line) {
  State &S = state();
  // Which edges this acquisition adds: from each held lock back to and
  // including the most recent one not taken by a try-lock.
  int Stop = int(T->N) - 1;
  while (Stop > 0 && T->Locks[Stop].Tried)
    --Stop;
  bool Unknown = false;
  for (int I = int(T->N) - 1; I >= Stop; --I) {
    const Held &H = T->Locks[I];
    if (H.Cls == C) {
      if (!(H.Lock->w_flags & WITNESS_F_DUPOK) ||
          !(L->w_flags & WITNESS_F_DUPOK))
        reportLock(WITNESS_CHECK_DUPLICATE, L,
                   "acquiring duplicate lock of same type \"" + C->Name +
                       "\" (first " + name(H.Lock) + " locked @ " +
                       siteOf(H.File, H.Line) + ")",
                   File, Line, T);
      continue;
    }
    if (!S.KnownEdges.contains(edgeKey(H.Cls->Id, C->Id)))
      Unknown = true;
  }
  if (T->SpinHeld && !C->Spin()) {
    for (unsigned I = 0; I < T->N; ++I)
      if (T->Locks[I].Cls->Spin()) {
        reportLock(WITNESS_CHECK_SPIN_SLEEP, L,
                   "sleepable lock " + name(L) +
                       " acquired while holding spin "
                       "mutex " +
                       name(T->Locks[I].Lock) + " locked @ " +
                       siteOf(T->Locks[I].File, T->Locks[I].Line),
                   File, Line, T);
        break;
      }
  }
  bool Complete = true;
  S.SlowAcquisitions.fetch_add(1, std::memory_order_relaxed);
  if (Unknown) {
    Guard G(S.Mu);
    for (int I = int(T->N) - 1; I >= Stop; --I)
      if (T->Locks[I].Cls != C && !addEdge(S, T, T->Locks[I], L, File, Line))
        Complete = false;
  }
  if (Complete) {
    {
      Guard G(S.ChainMu);
      S.Chains.insert(Hash, size_t(1) << 22);
    }
    T->Locks[T->N - 1].NextOk = C;
    T->Locks[T->N - 1].NextOkHash = Hash;
  }
}

/// checkorder on a lock the thread already holds (index I).
static __attribute__((noinline)) void
checkHeldAgain(ThreadState *T, witness_lock *L, int I, unsigned Op,
               const char *File, int Line) {
  Held &H = T->Locks[I];
  if (modeOf(Op) == WITNESS_OP_EXCLUSIVE && H.Mode == WITNESS_OP_SHARED)
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "exclusive lock of " + name(L) + " held shared @ " +
                   siteOf(H.File, H.Line),
               File, Line, T, "xs");
  else if (modeOf(Op) == WITNESS_OP_SHARED && H.Mode == WITNESS_OP_EXCLUSIVE &&
           !(L->w_flags & WITNESS_F_RECURSE))
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "shared lock of " + name(L) + " held exclusively @ " +
                   siteOf(H.File, H.Line),
               File, Line, T, "sx");
  else if (!(L->w_flags & WITNESS_F_RECURSE))
    reportLock(WITNESS_CHECK_RECURSE, L,
               "recursed on non-recursive lock " + name(L) +
                   " first locked @ " + siteOf(H.File, H.Line),
               File, Line, T);
  T->PendLock = nullptr;
}

/// acquired() when checkorder did not prepare it: a try-lock, a recursion,
/// a full held list.
static __attribute__((noinline)) void acquiredSlow(ThreadState *T,
                                                   witness_lock *L, Class *C,
                                                   unsigned Op,
                                                   const char *File, int Line) {
  int I = findHeld(T, L);
  if (I >= 0) {
    ++T->Locks[I].Recurse;
    return;
  }
  if (T->N >= T->Cap) {
    ++T->Overflow;
    T->PendLock = nullptr;
    exhausted(state(), CapHeld,
              "locks beyond it are not tracked in their thread (those "
              "held are still checked)");
    return;
  }
  bool Tried = (Op & WITNESS_OP_TRY) != 0;
  T->Locks[T->N] = Held{L, C, File, Line, modeOf(Op), Tried, 0, nullptr, 0};
  T->Chain[T->N + 1] = chainNext(T->Chain[T->N], C, Tried);
  T->PendLock = nullptr;
  ++T->N;
  ++T->Bucket[bucketOf(L)];
  if (C->Spin())
    ++T->SpinHeld;
}

static __attribute__((noinline)) void releasedSlow(ThreadState *T,
                                                   witness_lock *L, Class *C,
                                                   unsigned Op,
                                                   const char *File, int Line) {
  int I = findHeld(T, L);
  if (I < 0) {
    if (T->Overflow) {
      --T->Overflow;
      return;
    }
    reportLock(WITNESS_CHECK_NOT_HELD, L, "unlock of " + name(L) + " not held",
               File, Line, T);
    return;
  }
  Held &H = T->Locks[I];
  if (Op && modeOf(Op) != H.Mode)
    reportLock(
        WITNESS_CHECK_MISMATCH, L,
        std::string(modeOf(Op) == WITNESS_OP_SHARED ? "shared" : "exclusive") +
            " unlock of " + name(L) + " held " +
            (H.Mode == WITNESS_OP_SHARED ? "shared" : "exclusively") + " @ " +
            siteOf(H.File, H.Line),
        File, Line, T, "unlock");
  if (H.Recurse) {
    --H.Recurse;
    return;
  }
  if (C->Spin())
    --T->SpinHeld;
  --T->Bucket[bucketOf(L)];
  for (unsigned J = unsigned(I); J + 1 < T->N; ++J)
    T->Locks[J] = T->Locks[J + 1];
  --T->N;
  rehash(T, unsigned(I));
}

} // namespace witness

using namespace witness;

extern "C" {

void witness_init(struct witness_lock *L, const char *ClassName,
                  const char *InstanceName, enum witness_kind Kind,
                  unsigned Flags) {
  L->w_name = InstanceName ? InstanceName : ClassName;
  L->w_flags = Flags;
  L->w_reserved = 0;
  L->w_class = nullptr;
  if (Flags & WITNESS_F_NOWITNESS)
    return;
  State &S = state();
  Guard G(S.Mu);
  L->w_class = findOrCreateClass(S, ClassName ? ClassName : "?", Kind);
  if (!L->w_class)
    S.UntrackedLocks.fetch_add(1, std::memory_order_relaxed);
}

void witness_destroy(struct witness_lock *L, const char *File, int Line) {
  if (!classOf(L))
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I >= 0) {
    reportLock(WITNESS_CHECK_DESTROY_HELD, L,
               "destroying lock " + name(L) + " while held (locked @ " +
                   siteOf(T->Locks[I].File, T->Locks[I].Line) + ")",
               File, Line, T);
    if (T->Locks[I].Cls->Spin())
      --T->SpinHeld;
    --T->Bucket[bucketOf(L)];
    for (unsigned J = unsigned(I); J + 1 < T->N; ++J)
      T->Locks[J] = T->Locks[J + 1];
    --T->N;
    rehash(T, unsigned(I));
  }
  L->w_class = nullptr;
}

// The three hooks below are the fast path: each handles the common case
// inline and calls out of line for anything else.

void witness_checkorder(struct witness_lock *L, unsigned Op, const char *File,
                        int Line) {
  Class *C = classOf(L);
  if (!C || (Op & WITNESS_OP_TRY))
    return;
  ThreadState *T = threadState();
  unsigned N = T->N;
  if (T->Bucket[bucketOf(L)])
    for (unsigned I = N; I-- > 0;)
      if (T->Locks[I].Lock == L)
        return checkHeldAgain(T, L, int(I), Op, File, Line);
  if (N >= T->Cap) {
    T->PendLock = nullptr;
    return;
  }
  T->PendLock = L;
  if (N == 0) {
    T->PendHash = C->RootHash;
    return;
  }
  Held &Top = T->Locks[N - 1];
  if (Top.NextOk == C) {
    T->PendHash = Top.NextOkHash;
    return;
  }
  uint64_t Hash = chainNext(T->Chain[N], C, false);
  T->PendHash = Hash;
  if (state().Chains.contains(Hash)) {
    Top.NextOk = C;
    Top.NextOkHash = Hash;
    return;
  }
  checkOrderSlow(T, L, C, Hash, File, Line);
}

void witness_acquired(struct witness_lock *L, unsigned Op, const char *File,
                      int Line) {
  Class *C = classOf(L);
  if (!C)
    return;
  ThreadState *T = threadState();
  unsigned N = T->N;
  if (T->PendLock != L || (Op & WITNESS_OP_TRY))
    return acquiredSlow(T, L, C, Op, File, Line);
  Held &H = T->Locks[N];
  H.Lock = L;
  H.Cls = C;
  H.File = File;
  H.Line = Line;
  H.Mode = modeOf(Op);
  H.Tried = false;
  H.Recurse = 0;
  H.NextOk = nullptr;
  T->Chain[N + 1] = T->PendHash;
  T->PendLock = nullptr;
  T->N = N + 1;
  ++T->Bucket[bucketOf(L)];
  if (C->Spin())
    ++T->SpinHeld;
}

void witness_released(struct witness_lock *L, unsigned Op, const char *File,
                      int Line) {
  Class *C = classOf(L);
  if (!C)
    return;
  ThreadState *T = threadState();
  unsigned N = T->N;
  if (N == 0 || T->Locks[N - 1].Lock != L || T->Locks[N - 1].Recurse ||
      (Op && modeOf(Op) != T->Locks[N - 1].Mode))
    return releasedSlow(T, L, C, Op, File, Line);
  if (C->Spin())
    --T->SpinHeld;
  T->N = N - 1;
  --T->Bucket[bucketOf(L)];
}

void witness_upgraded(struct witness_lock *L, const char *File, int Line) {
  if (!classOf(L))
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I < 0 || T->Locks[I].Mode != WITNESS_OP_SHARED) {
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "upgrade of " + name(L) +
                   (I < 0 ? " not held" : " not held shared"),
               File, Line, T, "upgrade");
    return;
  }
  T->Locks[I].Mode = WITNESS_OP_EXCLUSIVE;
}

void witness_downgraded(struct witness_lock *L, const char *File, int Line) {
  if (!classOf(L))
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I < 0 || T->Locks[I].Mode != WITNESS_OP_EXCLUSIVE ||
      T->Locks[I].Recurse) {
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "downgrade of " + name(L) +
                   (I < 0                 ? " not held"
                    : T->Locks[I].Recurse ? " recursed"
                                          : " not held exclusively"),
               File, Line, T, "downgrade");
    return;
  }
  T->Locks[I].Mode = WITNESS_OP_SHARED;
}

void witness_sleep(const struct witness_lock *Interlock, const char *Wmesg,
                   const char *File, int Line) {
  ThreadState *T = threadState();
  for (unsigned I = 0; I < T->N; ++I) {
    const Held &H = T->Locks[I];
    // sx locks are sleepable by design (sx(9)): they may be held across a
    // sleep, as in FreeBSD.
    if (H.Lock == Interlock || H.Cls->Giant() || H.Cls->Kind == WITNESS_KIND_SX)
      continue;
    reportLock(WITNESS_CHECK_SLEEP, H.Lock,
               "sleeping on \"" + std::string(Wmesg ? Wmesg : "?") +
                   "\" with " + name(H.Lock) + " held (locked @ " +
                   siteOf(H.File, H.Line) + ")",
               File, Line, T);
  }
}

void witness_assert(const struct witness_lock *L, int What, const char *File,
                    int Line) {
  if (!classOf(L))
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  const Held *H = I >= 0 ? &T->Locks[I] : nullptr;
  std::string Fail;
  if ((What & WA_UNLOCKED) && H)
    Fail = "locked @ " + siteOf(H->File, H->Line);
  else if (What & (WA_LOCKED | WA_SLOCKED | WA_XLOCKED)) {
    bool WantS = What & WA_SLOCKED, WantX = What & WA_XLOCKED;
    if (!H)
      Fail = "not locked";
    else if (WantS && !WantX && H->Mode == WITNESS_OP_EXCLUSIVE)
      Fail = "exclusively locked @ " + siteOf(H->File, H->Line);
    else if (WantX && !WantS && H->Mode == WITNESS_OP_SHARED)
      Fail =
          "not exclusively locked (shared @ " + siteOf(H->File, H->Line) + ")";
  }
  if (Fail.empty() && (What & WA_RECURSED) && (!H || !H->Recurse))
    Fail = "not recursed";
  if (Fail.empty() && (What & WA_NOTRECURSED) && H && H->Recurse)
    Fail = "recursed";
  if (!Fail.empty())
    reportLock(WITNESS_CHECK_ASSERT, L,
               "assertion failed: lock " + name(L) + " " + Fail, File, Line, T,
               std::to_string(What));
}

void witness_thread_exit(void) {
  ThreadState *T = Current;
  if (!T || T->N == 0)
    return;
  Held &First = T->Locks[0];
  reportLock(WITNESS_CHECK_EXIT_HELD, First.Lock,
             "thread " + std::to_string(T->Tid) + " exiting with " +
                 std::to_string(T->N) + " lock(s) held, first " +
                 name(First.Lock) + " locked @ " +
                 siteOf(First.File, First.Line),
             First.File, First.Line, T);
  T->N = 0;
  T->SpinHeld = 0;
  T->Overflow = 0;
  std::fill(std::begin(T->Bucket), std::end(T->Bucket), 0);
}

} // extern "C"
