//===- hooks.cc - the lock hooks and their fast path ------------*- C++ -*-===//
//
// Each thread keeps its held locks in acquisition order and, in each
// entry, a hash of the held class chain up to it (as lockdep does).
// Acquiring a lock costs, in order of preference:
//  - inline in witness.h (witness_fast_*): a compare, when the top held
//    entry remembers this class as validated on top of it;
//  - here: a hash and one lock-free probe of the set of validated chains;
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
#include <cstring>
#include <iterator>
#include <pthread.h>

namespace witness {

/// The sentinel of a thread not set up (or torn down): nothing held and
/// nothing validated, so every inline fast path falls through to here.
static witness_held NotSetUp;

} // namespace witness

extern "C" {
__thread witness_thread witness_td
    __attribute__((tls_model("initial-exec"))) = {0, 0, 0, &witness::NotSetUp,
                                                  0, 0, {}};
}

namespace witness {

static pthread_key_t ExitKey;
static pthread_once_t ExitKeyOnce = PTHREAD_ONCE_INIT;

static void threadDestructor(void *) {
  ThreadState *T = &witness_td;
  if (T->wt_n)
    witness_thread_exit();
  Held *Mem = T->wt_held;
  T->wt_held = &NotSetUp;
  T->wt_cap = 0;
  T->wt_n = 0;
  free(Mem);
}

static void makeExitKey() { pthread_key_create(&ExitKey, threadDestructor); }

uint64_t chainNext(uint64_t H, const Class *C, bool Tried) {
  uint64_t X = H ^ ((uint64_t(C->Id) << 1 | Tried) + 0x9e3779b97f4a7c15ULL);
  X ^= X >> 31;
  X *= 0xbf58476d1ce4e5b9ULL;
  X ^= X >> 29;
  return X ? X : 1;
}

static __attribute__((noinline)) ThreadState *setUpThread() {
  State &S = state();
  ThreadState *T = &witness_td;
  unsigned Cap = unsigned(S.Cap[CapHeld].load());
  auto *Mem = static_cast<Held *>(calloc(Cap + 1, sizeof(Held)));
  if (!Mem)
    return T; // stays not set up: every lock goes untracked
  for (unsigned I = 0; I <= Cap; ++I)
    Mem[I].wh_chain = ChainRoot; // [0]: nothing held; others: no cache
  T->wt_held = Mem;
  T->wt_n = 0;
  T->wt_cap = Cap;
  T->wt_tid = currentTid();
  pthread_once(&ExitKeyOnce, makeExitKey);
  pthread_setspecific(ExitKey, T);
  return T;
}

ThreadState *threadState() {
  ThreadState *T = &witness_td;
  if (T->wt_held != &NotSetUp)
    return T;
  return setUpThread();
}

static int findHeld(const ThreadState *T, const witness_lock *L) {
  const Held *H = heldList(T);
  for (int I = int(T->wt_n) - 1; I >= 0; --I)
    if (H[I].wh_lock == L)
      return I;
  return -1;
}

/// Sets the chain hash of a (new or moved) held entry; its cache belonged
/// to the chain it had.
static void setChain(Held &H, uint64_t Chain) {
  if (H.wh_chain != Chain) {
    H.wh_chain = Chain;
    H.wh_nextok = nullptr;
  }
}

/// Removes held entry I (0-based) and rehashes the chain above it.
static void removeHeld(ThreadState *T, unsigned I) {
  Held *H = heldList(T);
  --T->wt_bucket[bucketOf(H[I].wh_lock)];
  for (unsigned J = I; J + 1 < T->wt_n; ++J)
    H[J] = H[J + 1];
  --T->wt_n;
  // wt_held[J] is the entry below H[J].
  for (unsigned J = I; J < T->wt_n; ++J)
    setChain(H[J],
             chainNext(T->wt_held[J].wh_chain, classOf(H[J]), triedOf(H[J])));
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
  Held *HL = heldList(T);
  // Which edges this acquisition adds: from each held lock back to and
  // including the most recent one not taken by a try-lock.
  int Stop = int(T->wt_n) - 1;
  while (Stop > 0 && triedOf(HL[Stop]))
    --Stop;
  bool Unknown = false;
  for (int I = int(T->wt_n) - 1; I >= Stop; --I) {
    const Held &H = HL[I];
    if (classOf(H) == C) {
      if (!(H.wh_lock->w_flags & WITNESS_F_DUPOK) ||
          !(L->w_flags & WITNESS_F_DUPOK))
        reportLock(WITNESS_CHECK_DUPLICATE, L,
                   "acquiring duplicate lock of same type \"" + C->Name +
                       "\" (first " + name(H.wh_lock) + " locked @ " +
                       siteOf(H.wh_file, H.wh_line) + ")",
                   File, Line, T);
      continue;
    }
    if (!S.KnownEdges.contains(edgeKey(classOf(H)->Id, C->Id)))
      Unknown = true;
  }
  if (!C->Spin()) {
    for (unsigned I = 0; I < T->wt_n; ++I)
      if (classOf(HL[I])->Spin()) {
        reportLock(WITNESS_CHECK_SPIN_SLEEP, L,
                   "sleepable lock " + name(L) +
                       " acquired while holding spin "
                       "mutex " +
                       name(HL[I].wh_lock) + " locked @ " +
                       siteOf(HL[I].wh_file, HL[I].wh_line),
                   File, Line, T);
        break;
      }
  }
  bool Complete = true;
  S.SlowAcquisitions.fetch_add(1, std::memory_order_relaxed);
  if (Unknown) {
    Guard G(S.Mu);
    for (int I = int(T->wt_n) - 1; I >= Stop; --I)
      if (classOf(HL[I]) != C && !addEdge(S, T, HL[I], L, File, Line))
        Complete = false;
  }
  if (Complete) {
    {
      Guard G(S.ChainMu);
      S.Chains.insert(Hash, size_t(1) << 22);
    }
    Held &Top = T->wt_held[T->wt_n];
    Top.wh_nextok = C;
    Top.wh_nexthash = Hash;
  }
}

/// checkorder on a lock the thread already holds (entry I).
static __attribute__((noinline)) void
checkHeldAgain(ThreadState *T, witness_lock *L, int I, unsigned Op,
               const char *File, int Line) {
  Held &H = heldList(T)[I];
  unsigned Mode = modeOf(H);
  if (modeOf(Op) == WITNESS_OP_EXCLUSIVE && Mode == WITNESS_OP_SHARED)
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "exclusive lock of " + name(L) + " held shared @ " +
                   siteOf(H.wh_file, H.wh_line),
               File, Line, T, "xs");
  else if (modeOf(Op) == WITNESS_OP_SHARED && Mode == WITNESS_OP_EXCLUSIVE &&
           !(L->w_flags & WITNESS_F_RECURSE))
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "shared lock of " + name(L) + " held exclusively @ " +
                   siteOf(H.wh_file, H.wh_line),
               File, Line, T, "sx");
  else if (!(L->w_flags & WITNESS_F_RECURSE))
    reportLock(WITNESS_CHECK_RECURSE, L,
               "recursed on non-recursive lock " + name(L) +
                   " first locked @ " + siteOf(H.wh_file, H.wh_line),
               File, Line, T);
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
  if (!L->w_class)
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I >= 0) {
    const Held &H = heldList(T)[I];
    reportLock(WITNESS_CHECK_DESTROY_HELD, L,
               "destroying lock " + name(L) + " while held (locked @ " +
                   siteOf(H.wh_file, H.wh_line) + ")",
               File, Line, T);
    removeHeld(T, unsigned(I));
  }
  L->w_class = nullptr;
}

// The out-of-line hooks: the whole of each check. The inline fast paths
// in witness.h handle the steady state and call these for the rest.

void witness_checkorder(struct witness_lock *L, unsigned Op, const char *File,
                        int Line) {
  ++witness_td.wt_hookcalls;
  Class *C = static_cast<Class *>(L->w_class);
  if (!C || (Op & WITNESS_OP_TRY))
    return;
  ThreadState *T = threadState();
  unsigned N = T->wt_n;
  if (T->wt_bucket[bucketOf(L)]) {
    int I = findHeld(T, L);
    if (I >= 0)
      return checkHeldAgain(T, L, I, Op, File, Line);
  }
  if (N >= T->wt_cap)
    return;
  Held &Top = T->wt_held[N];
  if (Top.wh_nextok == C)
    return;
  uint64_t Hash = chainNext(Top.wh_chain, C, false);
  // One class alone is a valid chain: it adds no edge.
  if (N == 0 || state().Chains.contains(Hash)) {
    Top.wh_nextok = C;
    Top.wh_nexthash = Hash;
    return;
  }
  checkOrderSlow(T, L, C, Hash, File, Line);
}

void witness_acquired(struct witness_lock *L, unsigned Op, const char *File,
                      int Line) {
  ++witness_td.wt_hookcalls;
  Class *C = static_cast<Class *>(L->w_class);
  if (!C)
    return;
  ThreadState *T = threadState();
  if (T->wt_bucket[bucketOf(L)]) {
    int I = findHeld(T, L);
    if (I >= 0) {
      heldList(T)[I].wh_state += 1u << WITNESS_HS_RSHIFT;
      return;
    }
  }
  unsigned N = T->wt_n;
  if (N >= T->wt_cap) {
    ++T->wt_overflow;
    exhausted(state(), CapHeld,
              "locks beyond it are not tracked in their thread (those "
              "held are still checked)");
    return;
  }
  bool Tried = (Op & WITNESS_OP_TRY) != 0;
  const Held &Top = T->wt_held[N];
  Held &H = T->wt_held[N + 1];
  setChain(H, !Tried && Top.wh_nextok == C ? Top.wh_nexthash
                                           : chainNext(Top.wh_chain, C, Tried));
  H.wh_lock = L;
  H.wh_class = C;
  H.wh_file = File;
  H.wh_line = Line;
  H.wh_state = modeOf(Op) | (Tried ? WITNESS_HS_TRIED : 0);
  T->wt_n = N + 1;
  ++T->wt_bucket[bucketOf(L)];
}

void witness_released(struct witness_lock *L, unsigned Op, const char *File,
                      int Line) {
  ++witness_td.wt_hookcalls;
  Class *C = static_cast<Class *>(L->w_class);
  if (!C)
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I < 0) {
    if (T->wt_overflow) {
      --T->wt_overflow;
      return;
    }
    reportLock(WITNESS_CHECK_NOT_HELD, L, "unlock of " + name(L) + " not held",
               File, Line, T);
    return;
  }
  Held &H = heldList(T)[I];
  if (Op && modeOf(Op) != modeOf(H))
    reportLock(
        WITNESS_CHECK_MISMATCH, L,
        std::string(modeOf(Op) == WITNESS_OP_SHARED ? "shared" : "exclusive") +
            " unlock of " + name(L) + " held " +
            (modeOf(H) == WITNESS_OP_SHARED ? "shared" : "exclusively") +
            " @ " + siteOf(H.wh_file, H.wh_line),
        File, Line, T, "unlock");
  if (recursionOf(H)) {
    H.wh_state -= 1u << WITNESS_HS_RSHIFT;
    return;
  }
  removeHeld(T, unsigned(I));
}

unsigned long witness_hook_calls(void) { return witness_td.wt_hookcalls; }

/// Sets the mode bits of a held entry, keeping try and recursion.
static void setMode(Held &H, unsigned Mode) {
  H.wh_state = (H.wh_state & ~unsigned(WITNESS_HS_MODE)) | Mode;
}

void witness_upgraded(struct witness_lock *L, const char *File, int Line) {
  if (!L->w_class)
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I < 0 || modeOf(heldList(T)[I]) != WITNESS_OP_SHARED) {
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "upgrade of " + name(L) +
                   (I < 0 ? " not held" : " not held shared"),
               File, Line, T, "upgrade");
    return;
  }
  setMode(heldList(T)[I], WITNESS_OP_EXCLUSIVE);
}

void witness_downgraded(struct witness_lock *L, const char *File, int Line) {
  if (!L->w_class)
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  if (I < 0 || modeOf(heldList(T)[I]) != WITNESS_OP_EXCLUSIVE ||
      recursionOf(heldList(T)[I])) {
    reportLock(WITNESS_CHECK_MISMATCH, L,
               "downgrade of " + name(L) +
                   (I < 0                         ? " not held"
                    : recursionOf(heldList(T)[I]) ? " recursed"
                                                  : " not held exclusively"),
               File, Line, T, "downgrade");
    return;
  }
  setMode(heldList(T)[I], WITNESS_OP_SHARED);
}

void witness_sleep(const struct witness_lock *Interlock, const char *Wmesg,
                   const char *File, int Line) {
  ThreadState *T = threadState();
  for (unsigned I = 0; I < T->wt_n; ++I) {
    const Held &H = heldList(T)[I];
    // sx locks are sleepable by design (sx(9)): they may be held across a
    // sleep, as in FreeBSD.
    if (H.wh_lock == Interlock || classOf(H)->Giant() ||
        classOf(H)->Kind == WITNESS_KIND_SX)
      continue;
    reportLock(WITNESS_CHECK_SLEEP, H.wh_lock,
               "sleeping on \"" + std::string(Wmesg ? Wmesg : "?") +
                   "\" with " + name(H.wh_lock) + " held (locked @ " +
                   siteOf(H.wh_file, H.wh_line) + ")",
               File, Line, T);
  }
}

void witness_assert(const struct witness_lock *L, int What, const char *File,
                    int Line) {
  if (!L->w_class)
    return;
  ThreadState *T = threadState();
  int I = findHeld(T, L);
  const Held *H = I >= 0 ? &heldList(T)[I] : nullptr;
  std::string Fail;
  if ((What & WA_UNLOCKED) && H)
    Fail = "locked @ " + siteOf(H->wh_file, H->wh_line);
  else if (What & (WA_LOCKED | WA_SLOCKED | WA_XLOCKED)) {
    bool WantS = What & WA_SLOCKED, WantX = What & WA_XLOCKED;
    if (!H)
      Fail = "not locked";
    else if (WantS && !WantX && modeOf(*H) == WITNESS_OP_EXCLUSIVE)
      Fail = "exclusively locked @ " + siteOf(H->wh_file, H->wh_line);
    else if (WantX && !WantS && modeOf(*H) == WITNESS_OP_SHARED)
      Fail = "not exclusively locked (shared @ " +
             siteOf(H->wh_file, H->wh_line) + ")";
  }
  if (Fail.empty() && (What & WA_RECURSED) && (!H || !recursionOf(*H)))
    Fail = "not recursed";
  if (Fail.empty() && (What & WA_NOTRECURSED) && H && recursionOf(*H))
    Fail = "recursed";
  if (!Fail.empty())
    reportLock(WITNESS_CHECK_ASSERT, L,
               "assertion failed: lock " + name(L) + " " + Fail, File, Line, T,
               std::to_string(What));
}

void witness_thread_exit(void) {
  ThreadState *T = &witness_td;
  if (T->wt_n == 0)
    return;
  const Held &First = heldList(T)[0];
  reportLock(WITNESS_CHECK_EXIT_HELD, First.wh_lock,
             "thread " + std::to_string(T->wt_tid) + " exiting with " +
                 std::to_string(T->wt_n) + " lock(s) held, first " +
                 name(First.wh_lock) + " locked @ " +
                 siteOf(First.wh_file, First.wh_line),
             First.wh_file, First.wh_line, T);
  T->wt_n = 0;
  T->wt_overflow = 0;
  std::fill(std::begin(T->wt_bucket), std::end(T->wt_bucket), 0);
}

} // extern "C"
