//===- preload.cc - LD_PRELOAD interposer over pthread locks ----*- C++ -*-===//
//
// libwitness_preload.so defines pthread_mutex_*, pthread_rwlock_* and
// pthread_cond_*wait, forwards each to the next definition (libc) and feeds
// libwitness around it. witness-run puts it in LD_PRELOAD.
//
// Lock classes must be the same in every process of the same binary:
//  - a lock set up by pthread_*_init is keyed by the init call site,
//    "module:function+0xN" (module + offset of the return address);
//  - a statically initialized lock, first seen at its first use, is keyed
//    by its own address as "module:symbol" (module + offset of the global).
// A lock in neither (heap or stack memory never passed to init) has no
// stable identity: it is counted as untracked, never keyed by address.
//
//===----------------------------------------------------------------------===//
#include "internal.h"
#include "symbolize.h"

#include <cstring>
#include <dlfcn.h>
#include <pthread.h>
#include <sys/mman.h>

using namespace witness;

namespace {

template <typename F> F next(const char *Name, const char *Version = nullptr) {
  void *P = Version ? dlvsym(RTLD_NEXT, Name, Version) : nullptr;
  if (!P)
    P = dlsym(RTLD_NEXT, Name);
  return reinterpret_cast<F>(P);
}

struct Real {
  int (*MutexInit)(pthread_mutex_t *, const pthread_mutexattr_t *);
  int (*MutexDestroy)(pthread_mutex_t *);
  int (*MutexLock)(pthread_mutex_t *);
  int (*MutexTrylock)(pthread_mutex_t *);
  int (*MutexTimedlock)(pthread_mutex_t *, const struct timespec *);
  int (*MutexUnlock)(pthread_mutex_t *);
  int (*RwInit)(pthread_rwlock_t *, const pthread_rwlockattr_t *);
  int (*RwDestroy)(pthread_rwlock_t *);
  int (*RwRdlock)(pthread_rwlock_t *);
  int (*RwWrlock)(pthread_rwlock_t *);
  int (*RwTryrdlock)(pthread_rwlock_t *);
  int (*RwTrywrlock)(pthread_rwlock_t *);
  int (*RwUnlock)(pthread_rwlock_t *);
  int (*CondWait)(pthread_cond_t *, pthread_mutex_t *);
  int (*CondTimedwait)(pthread_cond_t *, pthread_mutex_t *,
                       const struct timespec *);
  std::atomic<bool> Ready{false};
};

Real R;
SpinLock ResolveMu;

Real &real() {
  if (R.Ready.load(std::memory_order_acquire))
    return R;
  Guard G(ResolveMu);
  if (!R.Ready.load(std::memory_order_relaxed)) {
    using MI = decltype(R.MutexInit);
    R.MutexInit = next<MI>("pthread_mutex_init");
    R.MutexDestroy = next<decltype(R.MutexDestroy)>("pthread_mutex_destroy");
    R.MutexLock = next<decltype(R.MutexLock)>("pthread_mutex_lock");
    R.MutexTrylock = next<decltype(R.MutexTrylock)>("pthread_mutex_trylock");
    R.MutexTimedlock =
        next<decltype(R.MutexTimedlock)>("pthread_mutex_timedlock");
    R.MutexUnlock = next<decltype(R.MutexUnlock)>("pthread_mutex_unlock");
    R.RwInit = next<decltype(R.RwInit)>("pthread_rwlock_init");
    R.RwDestroy = next<decltype(R.RwDestroy)>("pthread_rwlock_destroy");
    R.RwRdlock = next<decltype(R.RwRdlock)>("pthread_rwlock_rdlock");
    R.RwWrlock = next<decltype(R.RwWrlock)>("pthread_rwlock_wrlock");
    R.RwTryrdlock = next<decltype(R.RwTryrdlock)>("pthread_rwlock_tryrdlock");
    R.RwTrywrlock = next<decltype(R.RwTrywrlock)>("pthread_rwlock_trywrlock");
    R.RwUnlock = next<decltype(R.RwUnlock)>("pthread_rwlock_unlock");
    // The condition variables have an old and a new version in glibc.
    R.CondWait = next<decltype(R.CondWait)>("pthread_cond_wait", "GLIBC_2.3.2");
    R.CondTimedwait = next<decltype(R.CondTimedwait)>("pthread_cond_timedwait",
                                                      "GLIBC_2.3.2");
    R.Ready.store(true, std::memory_order_release);
  }
  return R;
}

/// Set while witness runs on this thread: locks taken inside it (by the
/// unwinder, say) go straight to libc.
__thread int InWitness __attribute__((tls_model("initial-exec")));

struct Scope {
  Scope() { ++InWitness; }
  ~Scope() { --InWitness; }
};

/// Per-lock record, found by the lock's address. Keys are never removed:
/// a destroyed lock's slot is reused when the address is initialized again.
struct Entry {
  std::atomic<uintptr_t> Key;
  std::atomic<int> Ready; // 0 being filled, 1 tracked, 2 untracked
  witness_lock W;
};

constexpr size_t TableSize = size_t(1) << 18;
std::atomic<bool> TableFull{false};

Entry *table() {
  static Entry *T = [] {
    void *P = mmap(nullptr, TableSize * sizeof(Entry), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return P == MAP_FAILED ? nullptr : static_cast<Entry *>(P);
  }();
  return T;
}

size_t slotOf(uintptr_t A) {
  A ^= A >> 17;
  A *= 0x9e3779b97f4a7c15ULL;
  return (A >> 20) & (TableSize - 1);
}

/// Finds the entry of Lock; with Create, claims one (Created tells).
Entry *lookup(const void *Lock, bool Create, bool &Created) {
  Entry *T = table();
  Created = false;
  if (!T)
    return nullptr;
  uintptr_t Key = reinterpret_cast<uintptr_t>(Lock);
  size_t I = slotOf(Key);
  for (size_t Probe = 0; Probe < 64; ++Probe, I = (I + 1) & (TableSize - 1)) {
    uintptr_t K = T[I].Key.load(std::memory_order_acquire);
    if (K == Key) {
      while (T[I].Ready.load(std::memory_order_acquire) == 0)
        sched_yield();
      return &T[I];
    }
    if (K != 0)
      continue;
    if (!Create)
      return nullptr;
    if (T[I].Key.compare_exchange_strong(K, Key, std::memory_order_acq_rel)) {
      Created = true;
      return &T[I];
    }
    if (K == Key) {
      while (T[I].Ready.load(std::memory_order_acquire) == 0)
        sched_yield();
      return &T[I];
    }
  }
  if (!TableFull.exchange(true)) {
    Scope S;
    fprintf(stderr,
            "witness: CAPACITY EXHAUSTED: witness_preload lock table "
            "(%zu locks near one hash slot); further locks there are "
            "untracked\n",
            TableSize);
  }
  return nullptr;
}

const char *intern(const std::string &S) { return strdup(S.c_str()); }

/// Fills a claimed entry: Name is the class name or empty for untracked.
void fill(Entry *E, const std::string &Name, const void *Lock, witness_kind K,
          unsigned Flags) {
  if (Name.empty()) {
    E->W.w_class = nullptr;
    state().UntrackedLocks.fetch_add(1, std::memory_order_relaxed);
    E->Ready.store(2, std::memory_order_release);
    return;
  }
  char Inst[32];
  snprintf(Inst, sizeof Inst, "%p", Lock);
  witness_init(&E->W, Name.c_str(), intern(Inst), K, Flags);
  E->Ready.store(E->W.w_class ? 1 : 2, std::memory_order_release);
}

/// The class name of a lock first seen in use: its symbol if it lives in
/// a loaded object, nothing otherwise.
std::string staticName(const void *Lock) {
  AddressInfo I;
  if (!describeAddress(Lock, I))
    return "";
  return addressName(I);
}

std::string initName(const void *Caller) {
  AddressInfo I;
  if (!describeAddress(Caller, I))
    return "";
  return addressName(I);
}

unsigned mutexFlags(const pthread_mutex_t *M) {
  // PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP and friends set the kind field.
  return (M->__data.__kind & 3) == PTHREAD_MUTEX_RECURSIVE ? WITNESS_F_RECURSE
                                                           : 0;
}

/// The entry of a lock used before (or without) init.
witness_lock *inUse(const void *Lock, witness_kind K, unsigned Flags) {
  bool Created;
  Entry *E = lookup(Lock, true, Created);
  if (!E)
    return nullptr;
  if (Created)
    fill(E, staticName(Lock), Lock, K, Flags);
  return E->Ready.load(std::memory_order_acquire) == 1 ? &E->W : nullptr;
}

void atInit(const void *Lock, const void *Caller, witness_kind K,
            unsigned Flags) {
  bool Created;
  Entry *E = lookup(Lock, true, Created);
  if (!E)
    return;
  if (!Created) {
    // Address reused: a new lock, possibly of another class.
    E->Ready.store(0, std::memory_order_release);
  }
  fill(E, initName(Caller), Lock, K, Flags);
}

/// Call sites are named by code address; names are cached per address.
const char *siteName(const void *Pc) {
  constexpr size_t N = 1 << 14;
  static std::atomic<uintptr_t> Keys[N];
  static std::atomic<const char *> Names[N];
  static SpinLock Mu;
  uintptr_t K = reinterpret_cast<uintptr_t>(Pc);
  size_t I = slotOf(K) & (N - 1);
  for (size_t P = 0; P < 32; ++P, I = (I + 1) & (N - 1)) {
    uintptr_t Cur = Keys[I].load(std::memory_order_acquire);
    if (Cur == K) {
      if (const char *S = Names[I].load(std::memory_order_acquire))
        return S;
      break;
    }
    if (Cur == 0) {
      Guard G(Mu);
      Cur = Keys[I].load(std::memory_order_relaxed);
      if (Cur != 0 && Cur != K)
        continue;
      if (Cur == 0) {
        Names[I].store(intern(frameName(Pc)), std::memory_order_relaxed);
        Keys[I].store(K, std::memory_order_release);
      }
      return Names[I].load(std::memory_order_acquire);
    }
  }
  static const char Unknown[] = "?";
  return Unknown;
}

template <typename Op>
int acquire(witness_lock *W, unsigned Mode, const void *Pc, Op Do) {
  if (!W)
    return Do();
  const char *Site;
  {
    Scope S;
    Site = siteName(Pc);
    witness_fast_checkorder(W, Mode, Site, 0);
  }
  int Rc = Do();
  if (Rc == 0) {
    Scope S;
    witness_fast_acquired(W, Mode, Site, 0);
  }
  return Rc;
}

template <typename Op>
int tryAcquire(witness_lock *W, unsigned Mode, const void *Pc, Op Do) {
  int Rc = Do();
  if (Rc == 0 && W) {
    Scope S;
    witness_acquired(W, Mode | WITNESS_OP_TRY, siteName(Pc), 0);
  }
  return Rc;
}

witness_lock *existing(const void *Lock) {
  bool Created;
  Entry *E = lookup(Lock, false, Created);
  return E && E->Ready.load(std::memory_order_acquire) == 1 ? &E->W : nullptr;
}

} // namespace

#define CALLER __builtin_return_address(0)

extern "C" {

int pthread_mutex_init(pthread_mutex_t *M, const pthread_mutexattr_t *A) {
  int Rc = real().MutexInit(M, A);
  if (Rc == 0 && !InWitness) {
    Scope S;
    int Type = PTHREAD_MUTEX_DEFAULT;
    if (A)
      pthread_mutexattr_gettype(A, &Type);
    atInit(M, CALLER, WITNESS_KIND_SLEEP_MUTEX,
           Type == PTHREAD_MUTEX_RECURSIVE ? WITNESS_F_RECURSE : 0);
  }
  return Rc;
}

int pthread_mutex_destroy(pthread_mutex_t *M) {
  if (!InWitness)
    if (witness_lock *W = existing(M)) {
      Scope S;
      witness_destroy(W, siteName(CALLER), 0);
    }
  return real().MutexDestroy(M);
}

int pthread_mutex_lock(pthread_mutex_t *M) {
  if (InWitness)
    return real().MutexLock(M);
  witness_lock *W;
  {
    Scope S;
    W = inUse(M, WITNESS_KIND_SLEEP_MUTEX, mutexFlags(M));
  }
  return acquire(W, WITNESS_OP_EXCLUSIVE, CALLER,
                 [&] { return real().MutexLock(M); });
}

int pthread_mutex_timedlock(pthread_mutex_t *M, const struct timespec *T) {
  if (InWitness)
    return real().MutexTimedlock(M, T);
  witness_lock *W;
  {
    Scope S;
    W = inUse(M, WITNESS_KIND_SLEEP_MUTEX, mutexFlags(M));
  }
  return acquire(W, WITNESS_OP_EXCLUSIVE, CALLER,
                 [&] { return real().MutexTimedlock(M, T); });
}

int pthread_mutex_trylock(pthread_mutex_t *M) {
  if (InWitness)
    return real().MutexTrylock(M);
  witness_lock *W;
  {
    Scope S;
    W = inUse(M, WITNESS_KIND_SLEEP_MUTEX, mutexFlags(M));
  }
  return tryAcquire(W, WITNESS_OP_EXCLUSIVE, CALLER,
                    [&] { return real().MutexTrylock(M); });
}

int pthread_mutex_unlock(pthread_mutex_t *M) {
  if (!InWitness)
    if (witness_lock *W = existing(M)) {
      Scope S;
      witness_fast_released(W, 0, siteName(CALLER), 0);
    }
  return real().MutexUnlock(M);
}

int pthread_rwlock_init(pthread_rwlock_t *L, const pthread_rwlockattr_t *A) {
  int Rc = real().RwInit(L, A);
  if (Rc == 0 && !InWitness) {
    Scope S;
    atInit(L, CALLER, WITNESS_KIND_RW, 0);
  }
  return Rc;
}

int pthread_rwlock_destroy(pthread_rwlock_t *L) {
  if (!InWitness)
    if (witness_lock *W = existing(L)) {
      Scope S;
      witness_destroy(W, siteName(CALLER), 0);
    }
  return real().RwDestroy(L);
}

int pthread_rwlock_rdlock(pthread_rwlock_t *L) {
  if (InWitness)
    return real().RwRdlock(L);
  witness_lock *W;
  {
    Scope S;
    W = inUse(L, WITNESS_KIND_RW, 0);
  }
  return acquire(W, WITNESS_OP_SHARED, CALLER,
                 [&] { return real().RwRdlock(L); });
}

int pthread_rwlock_wrlock(pthread_rwlock_t *L) {
  if (InWitness)
    return real().RwWrlock(L);
  witness_lock *W;
  {
    Scope S;
    W = inUse(L, WITNESS_KIND_RW, 0);
  }
  return acquire(W, WITNESS_OP_EXCLUSIVE, CALLER,
                 [&] { return real().RwWrlock(L); });
}

int pthread_rwlock_tryrdlock(pthread_rwlock_t *L) {
  if (InWitness)
    return real().RwTryrdlock(L);
  witness_lock *W;
  {
    Scope S;
    W = inUse(L, WITNESS_KIND_RW, 0);
  }
  return tryAcquire(W, WITNESS_OP_SHARED, CALLER,
                    [&] { return real().RwTryrdlock(L); });
}

int pthread_rwlock_trywrlock(pthread_rwlock_t *L) {
  if (InWitness)
    return real().RwTrywrlock(L);
  witness_lock *W;
  {
    Scope S;
    W = inUse(L, WITNESS_KIND_RW, 0);
  }
  return tryAcquire(W, WITNESS_OP_EXCLUSIVE, CALLER,
                    [&] { return real().RwTrywrlock(L); });
}

int pthread_rwlock_unlock(pthread_rwlock_t *L) {
  if (!InWitness)
    if (witness_lock *W = existing(L)) {
      Scope S;
      witness_fast_released(W, 0, siteName(CALLER), 0);
    }
  return real().RwUnlock(L);
}

int pthread_cond_wait(pthread_cond_t *C, pthread_mutex_t *M) {
  if (!InWitness) {
    Scope S;
    witness_sleep(existing(M), "pthread_cond_wait", siteName(CALLER), 0);
  }
  return real().CondWait(C, M);
}

int pthread_cond_timedwait(pthread_cond_t *C, pthread_mutex_t *M,
                           const struct timespec *T) {
  if (!InWitness) {
    Scope S;
    witness_sleep(existing(M), "pthread_cond_timedwait", siteName(CALLER), 0);
  }
  return real().CondTimedwait(C, M, T);
}

} // extern "C"

/// Reads WITNESS_* from the environment before main().
__attribute__((constructor)) static void witnessPreloadInit() {
  Scope S;
  real();
  state();
}
