//===- internal.h - libwitness internals ------------------------*- C++ -*-===//
//
// Shared state of the checker. The fast paths (inline in witness.h, and
// hooks.cc) read only immutable class fields, the calling thread's
// ThreadState and the two lock-free hash sets; everything else is guarded
// by State::Mu.
//
//===----------------------------------------------------------------------===//
#ifndef WITNESS_SRC_INTERNAL_H
#define WITNESS_SRC_INTERNAL_H

#include "witness.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

namespace witness {

/// Internal lock: a test-and-test-and-set spin lock that yields. Never a
/// pthread mutex, so the LD_PRELOAD interposer cannot see it.
class SpinLock {
public:
  void lock();
  void unlock() { Flag.store(false, std::memory_order_release); }

private:
  std::atomic<bool> Flag{false};
};

class Guard {
public:
  explicit Guard(SpinLock &L) : L(L) { L.lock(); }
  ~Guard() { L.unlock(); }
  Guard(const Guard &) = delete;
  Guard &operator=(const Guard &) = delete;

private:
  SpinLock &L;
};

/// Insert-only set of non-zero 64-bit keys. Lookups take no lock; inserts
/// are serialized by the caller. Growing publishes a new table and leaks
/// the old one, which readers may still be probing.
class AtomicSet {
public:
  AtomicSet();
  bool contains(uint64_t Key) const;
  /// Returns false when the set already holds Limit keys.
  bool insert(uint64_t Key, size_t Limit);
  void clear(); // only when no other thread uses the set
  size_t size() const { return Count; }

private:
  struct Table {
    size_t Mask;
    std::unique_ptr<std::atomic<uint64_t>[]> Slots;
  };
  static Table *makeTable(size_t Size);
  std::atomic<Table *> Current;
  size_t Count = 0;
};

struct Class {
  uint32_t Id;
  witness_kind Kind;
  std::string Name;
  bool Spin() const { return Kind == WITNESS_KIND_SPIN_MUTEX; }
  bool Giant() const { return Name == "Giant"; }
  // Guarded by State::Mu.
  std::vector<uint32_t> Out; // successors: learned and declared edges
};

enum EdgeFlags : unsigned {
  EDGE_DECLARED = 1, // from a declared order, not observed
  EDGE_REVERSAL = 2, // observed, closed a cycle: kept out of Class::Out
};

struct Edge {
  uint32_t From = 0, To = 0;
  unsigned Flags = 0;
  std::string FromInstance, ToInstance;
  std::string FromSite, ToSite; // "file:line" of each acquisition
  long Tid = 0;
  std::vector<void *> Stack; // saved when the edge was first recorded
};

/// One held lock of a thread, and the thread's state: the C layout of
/// witness.h, shared with the inline fast path there.
using Held = witness_held;
using ThreadState = witness_thread;

inline Class *classOf(const Held &H) {
  return static_cast<Class *>(H.wh_class);
}
inline unsigned modeOf(const Held &H) { return H.wh_state & WITNESS_HS_MODE; }
inline bool triedOf(const Held &H) { return H.wh_state & WITNESS_HS_TRIED; }
inline unsigned recursionOf(const Held &H) {
  return H.wh_state >> WITNESS_HS_RSHIFT;
}
/// The held locks of T, oldest first: heldList(T)[0 .. T->wt_n).
inline Held *heldList(ThreadState *T) { return T->wt_held + 1; }
inline const Held *heldList(const ThreadState *T) { return T->wt_held + 1; }

inline unsigned bucketOf(const witness_lock *L) { return witness_bucket(L); }

enum Capacity { CapClasses, CapEdges, CapStacks, CapHeld, CapCount };

struct State {
  SpinLock Mu; // classes, edges, declared orders
  std::vector<std::unique_ptr<Class>> Classes;
  std::map<std::pair<std::string, int>, Class *> ClassByKey;
  std::unordered_map<uint64_t, Edge> Edges;
  AtomicSet KnownEdges; // every edge key in Edges
  AtomicSet Chains;     // validated held-class chains, inserts under ChainMu
  SpinLock ChainMu;
  size_t StacksUsed = 0;
  std::vector<uint32_t> Mark, Parent; // BFS scratch
  uint32_t Epoch = 0;
  // Declared order, by class name.
  std::map<std::string, std::set<std::string>> Declared;

  std::atomic<unsigned long> Cap[CapCount];
  std::atomic<bool> Exhausted[CapCount];
  std::atomic<unsigned long> UntrackedLocks{0};
  std::atomic<unsigned long> SlowAcquisitions{0};

  // Reports.
  SpinLock ReportMu;
  std::set<std::string> Seen; // dedup keys
  std::atomic<int> Policy[WITNESS_CHECK_COUNT];
  std::atomic<unsigned long> Count[WITNESS_CHECK_COUNT];
  int JsonFd = -1;
  std::string GraphPath; // guarded by Mu
  std::atomic<bool> FailMode{false};
  std::atomic<int> FailStatus{1};
  std::atomic<bool> Summary{true};
  std::atomic<bool> Text{true};
};

extern std::atomic<State *> ReadyState;
State &initState(); // once: allocates State, reads the environment
inline State &state() {
  if (State *S = ReadyState.load(std::memory_order_acquire))
    return *S;
  return initState();
}
ThreadState *threadState(); // the caller's, created on first use
long currentTid();

/// Hash of a held chain extended by class C (hooks.cc).
constexpr uint64_t ChainRoot = 0x6a09e667f3bcc909ULL;
uint64_t chainNext(uint64_t H, const Class *C, bool Tried);

inline uint64_t edgeKey(uint32_t From, uint32_t To) {
  return (uint64_t(From) + 1) << 32 | (uint64_t(To) + 1);
}

// graph.cc (callers hold Mu unless noted)
Class *findOrCreateClass(State &S, const std::string &Name, witness_kind K);
/// Records From->To seen with the given held/acquiring locks, checking it
/// against the declared order and for cycles first. Returns true when the
/// edge is now known (recorded or already reported), false when it could
/// not be stored.
bool addEdge(State &S, ThreadState *T, const Held &From, witness_lock *To,
             const char *File, int Line);
void seedDeclared(State &S, Class *C);
int declareChain(State &S, const std::string &Chain, std::string &Err);
int dumpGraph(State &S, const char *Path);
const char *kindName(witness_kind K);

// report.cc
class Report;
void emit(State &S, Report &R);
/// Says loudly, once per capacity, that C ran out and what is given up.
void exhausted(State &S, Capacity C, const char *WhatIsLost);
const char *capacityName(Capacity C);
std::string siteOf(const char *File, int Line);

// config.cc
void captureStack(std::vector<void *> &Out, int Skip);
std::vector<std::string> symbolize(const std::vector<void *> &Stack);

} // namespace witness

#endif // WITNESS_SRC_INTERNAL_H
