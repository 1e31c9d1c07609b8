// Cost of witness on the lock fast path.
//
// Each lock is a small wrapper over a pthread primitive with the witness
// hooks either compiled out (off: a plain wrapper, what a build without
// MPSAFE_WITNESS runs) or on through the inline fast path of witness.h
// (on: what sys/lock.h uses), plus the mutex through the out-of-line hooks
// (on_call: the plain C API). "depth" is how many other locks, of other
// classes and in a validated order, are held around the measured pair.
// The ratios printed at the end compare on with off at the same depth.
#include "ratio_reporter.h"
#include "witness.h"

#include <pthread.h>
#include <string>

namespace {

// The wrappers are inlined in every variant, so that the ratios compare
// the hooks alone, not the compiler's inlining choices.
#define BENCH_INLINE __attribute__((always_inline))

enum Hooks { Off, Inline, Call };

template <int How> struct Mutex {
  pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
  witness_lock W{};
  explicit Mutex(const char *Class,
                 witness_kind Kind = WITNESS_KIND_SLEEP_MUTEX) {
    if (How != Off)
      witness_init(&W, Class, nullptr, Kind, 0);
  }
  BENCH_INLINE void lock() {
    if (How == Inline)
      witness_fast_checkorder(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    else if (How == Call)
      witness_checkorder(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    pthread_mutex_lock(&M);
    if (How == Inline)
      witness_fast_acquired(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    else if (How == Call)
      witness_acquired(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
  }
  BENCH_INLINE void unlock() {
    if (How == Inline)
      witness_fast_released(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    else if (How == Call)
      witness_released(&W, WITNESS_OP_EXCLUSIVE, __FILE__, __LINE__);
    pthread_mutex_unlock(&M);
  }
};

template <bool On> struct RwRead {
  pthread_rwlock_t L = PTHREAD_RWLOCK_INITIALIZER;
  witness_lock W{};
  explicit RwRead(const char *Class, witness_kind Kind) {
    if (On)
      witness_init(&W, Class, nullptr, Kind, 0);
  }
  BENCH_INLINE void lock() {
    if (On)
      witness_fast_checkorder(&W, WITNESS_OP_SHARED, __FILE__, __LINE__);
    pthread_rwlock_rdlock(&L);
    if (On)
      witness_fast_acquired(&W, WITNESS_OP_SHARED, __FILE__, __LINE__);
  }
  BENCH_INLINE void unlock() {
    if (On)
      witness_fast_released(&W, WITNESS_OP_SHARED, __FILE__, __LINE__);
    pthread_rwlock_unlock(&L);
  }
};

const char *const Outer[8] = {"bench_o0", "bench_o1", "bench_o2", "bench_o3",
                              "bench_o4", "bench_o5", "bench_o6", "bench_o7"};

/// Holds `Depth` outer locks (in order) around the measured loop.
template <int How, typename Lock>
void pairAtDepth(benchmark::State &St, Lock &L) {
  static Mutex<How> *Held[8];
  int Depth = int(St.range(0));
  for (int I = 0; I < Depth; ++I) {
    if (!Held[I])
      Held[I] = new Mutex<How>(Outer[I]);
    Held[I]->lock();
  }
  unsigned long Calls = witness_hook_calls();
  for (auto _ : St) {
    L.lock();
    L.unlock();
  }
  // Out-of-line hook calls per pair: 0 when the inline path covers it.
  St.counters["hook_calls"] = benchmark::Counter(
      double(witness_hook_calls() - Calls) / double(St.iterations()));
  for (int I = Depth - 1; I >= 0; --I)
    Held[I]->unlock();
}

void BM_RawMutex(benchmark::State &St) {
  pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
  for (auto _ : St) {
    pthread_mutex_lock(&M);
    pthread_mutex_unlock(&M);
  }
}

template <int How> void BM_Mutex(benchmark::State &St) {
  static Mutex<How> L("bench_mtx");
  pairAtDepth<How>(St, L);
}

template <bool On> void BM_RwRead(benchmark::State &St) {
  static RwRead<On> L("bench_rw", WITNESS_KIND_RW);
  pairAtDepth<On ? Inline : Off>(St, L);
}

template <bool On> void BM_SxRead(benchmark::State &St) {
  static RwRead<On> L("bench_sx", WITNESS_KIND_SX);
  pairAtDepth<On ? Inline : Off>(St, L);
}

void BM_RawRwRead(benchmark::State &St) {
  static pthread_rwlock_t L = PTHREAD_RWLOCK_INITIALIZER;
  for (auto _ : St) {
    pthread_rwlock_rdlock(&L);
    pthread_rwlock_unlock(&L);
  }
}

// Two threads on one lock.
void BM_RawMutexContended(benchmark::State &St) {
  static pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
  for (auto _ : St) {
    pthread_mutex_lock(&M);
    pthread_mutex_unlock(&M);
  }
}

template <int How> void BM_MutexContended(benchmark::State &St) {
  static Mutex<How> L("bench_contended");
  for (auto _ : St) {
    L.lock();
    L.unlock();
  }
}

template <bool On> void BM_RwReadContended(benchmark::State &St) {
  static RwRead<On> L("bench_rw_contended", WITNESS_KIND_RW);
  for (auto _ : St) {
    L.lock();
    L.unlock();
  }
}

} // namespace

BENCHMARK(BM_RawMutex)->Name("mutex/raw");
BENCHMARK(BM_Mutex<Off>)
    ->Name("mutex/off")
    ->ArgName("depth")
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8);
BENCHMARK(BM_Mutex<Inline>)
    ->Name("mutex/on")
    ->ArgName("depth")
    ->Arg(0)
    ->Arg(1)
    ->Arg(4)
    ->Arg(8);
BENCHMARK(BM_Mutex<Call>)
    ->Name("mutex/on_call")
    ->ArgName("depth")
    ->Arg(1)
    ->Arg(8);
BENCHMARK(BM_RawRwRead)->Name("rw_read/raw");
BENCHMARK(BM_RwRead<false>)
    ->Name("rw_read/off")
    ->ArgName("depth")
    ->Arg(1)
    ->Arg(8);
BENCHMARK(BM_RwRead<true>)
    ->Name("rw_read/on")
    ->ArgName("depth")
    ->Arg(1)
    ->Arg(8);
BENCHMARK(BM_SxRead<false>)
    ->Name("sx_read/off")
    ->ArgName("depth")
    ->Arg(1)
    ->Arg(8);
BENCHMARK(BM_SxRead<true>)
    ->Name("sx_read/on")
    ->ArgName("depth")
    ->Arg(1)
    ->Arg(8);
BENCHMARK(BM_RawMutexContended)
    ->Name("mutex_contended/raw")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_MutexContended<Off>)
    ->Name("mutex_contended/off")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_MutexContended<Inline>)
    ->Name("mutex_contended/on")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_RwReadContended<false>)
    ->Name("rw_read_contended/off")
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_RwReadContended<true>)
    ->Name("rw_read_contended/on")
    ->Threads(2)
    ->UseRealTime();

int main(int Argc, char **Argv) {
  using P = mpsafe_bench::RatioReporter::Pair;
  std::vector<P> Pairs = {
      {"mutex/off/depth:0", "mutex/raw", "mutex, witness compiled out / raw"},
  };
  for (int D : {0, 1, 4, 8})
    Pairs.push_back({"mutex/on/depth:" + std::to_string(D),
                     "mutex/off/depth:" + std::to_string(D),
                     "mutex on/off, depth " + std::to_string(D) +
                         (D == 1   ? " (goal <= 1.5)"
                          : D == 8 ? " (goal <= 2.0)"
                                   : "")});
  for (int D : {1, 8})
    Pairs.push_back(
        {"mutex/on_call/depth:" + std::to_string(D),
         "mutex/off/depth:" + std::to_string(D),
         "mutex out-of-line hooks/off, depth " + std::to_string(D)});
  for (int D : {1, 8}) {
    Pairs.push_back({"rw_read/on/depth:" + std::to_string(D),
                     "rw_read/off/depth:" + std::to_string(D),
                     "rw read on/off, depth " + std::to_string(D)});
    Pairs.push_back({"sx_read/on/depth:" + std::to_string(D),
                     "sx_read/off/depth:" + std::to_string(D),
                     "sx read on/off, depth " + std::to_string(D)});
  }
  Pairs.push_back({"mutex_contended/on/real_time/threads:2",
                   "mutex_contended/off/real_time/threads:2",
                   "mutex contended (2 threads) on/off"});
  Pairs.push_back({"rw_read_contended/on/real_time/threads:2",
                   "rw_read_contended/off/real_time/threads:2",
                   "rw read contended (2 threads) on/off"});
  return mpsafe_bench::runWithRatios(Argc, Argv, Pairs);
}
