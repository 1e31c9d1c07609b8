//===- config.cc - witness state, configuration, exit -----------*- C++ -*-===//
//
// The process-wide State, its initialization from the environment, the
// configuration half of the C API, and the work done at exit (graph dump,
// summary, fail mode).
//
//===----------------------------------------------------------------------===//
#include "internal.h"
#include "report.h"
#include "symbolize.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <execinfo.h>
#include <fcntl.h>
#include <fstream>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace witness {

void SpinLock::lock() {
  while (Flag.exchange(true, std::memory_order_acquire))
    while (Flag.load(std::memory_order_relaxed))
      sched_yield();
}

AtomicSet::Table *AtomicSet::makeTable(size_t Size) {
  auto *T = new Table;
  T->Mask = Size - 1;
  T->Slots.reset(new std::atomic<uint64_t>[Size]);
  for (size_t I = 0; I < Size; ++I)
    T->Slots[I].store(0, std::memory_order_relaxed);
  return T;
}

AtomicSet::AtomicSet() : Current(makeTable(1024)) {}

static size_t slotOf(uint64_t Key, size_t Mask) {
  Key ^= Key >> 33;
  Key *= 0xff51afd7ed558ccdULL;
  Key ^= Key >> 33;
  return Key & Mask;
}

bool AtomicSet::contains(uint64_t Key) const {
  const Table *T = Current.load(std::memory_order_acquire);
  for (size_t I = slotOf(Key, T->Mask);; I = (I + 1) & T->Mask) {
    uint64_t K = T->Slots[I].load(std::memory_order_acquire);
    if (K == Key)
      return true;
    if (K == 0)
      return false;
  }
}

bool AtomicSet::insert(uint64_t Key, size_t Limit) {
  if (contains(Key))
    return true;
  if (Count >= Limit)
    return false;
  Table *T = Current.load(std::memory_order_relaxed);
  if ((Count + 1) * 2 > T->Mask + 1) {
    // Grow: readers keep probing the old table until they see the new one,
    // so it is never freed.
    Table *N = makeTable((T->Mask + 1) * 2);
    for (size_t I = 0; I <= T->Mask; ++I) {
      uint64_t K = T->Slots[I].load(std::memory_order_relaxed);
      if (!K)
        continue;
      size_t J = slotOf(K, N->Mask);
      while (N->Slots[J].load(std::memory_order_relaxed))
        J = (J + 1) & N->Mask;
      N->Slots[J].store(K, std::memory_order_relaxed);
    }
    Current.store(N, std::memory_order_release);
    T = N;
  }
  size_t I = slotOf(Key, T->Mask);
  while (T->Slots[I].load(std::memory_order_relaxed))
    I = (I + 1) & T->Mask;
  T->Slots[I].store(Key, std::memory_order_release);
  ++Count;
  return true;
}

void AtomicSet::clear() {
  Current.store(makeTable(1024), std::memory_order_release);
  Count = 0;
}

long currentTid() { return syscall(SYS_gettid); }

void captureStack(std::vector<void *> &Out, int Skip) {
  void *Frames[32];
  int N = backtrace(Frames, 32);
  for (int I = Skip; I < N; ++I)
    Out.push_back(Frames[I]);
}

std::vector<std::string> symbolize(const std::vector<void *> &Stack) {
  std::vector<std::string> Out;
  for (void *Pc : Stack) {
    std::string F = frameName(Pc);
    // Leading frames inside witness itself say nothing to the reader.
    if (Out.empty() && (F.find(":witness_") != std::string::npos ||
                        F.find(":witness::") != std::string::npos ||
                        F.find("libwitness_preload.so") == 0))
      continue;
    Out.push_back(F);
  }
  return Out;
}

static const char *const CheckNames[WITNESS_CHECK_COUNT] = {
    "order",     "declared", "duplicate", "spin-sleep",
    "recurse",   "mismatch", "not-held",  "destroy-held",
    "exit-held", "sleep",    "assert",    "exhausted"};

static const char *const CapNames[CapCount] = {"classes", "edges", "stacks",
                                               "held"};
static const unsigned long CapDefaults[CapCount] = {4096, 65536, 65536, 64};

static void atExit();

static bool parseList(const char *Spec, const char *What,
                      bool (*Apply)(const std::string &, const std::string &)) {
  std::string S(Spec);
  size_t Pos = 0;
  while (Pos <= S.size()) {
    size_t End = S.find(',', Pos);
    if (End == std::string::npos)
      End = S.size();
    std::string Item = S.substr(Pos, End - Pos);
    Pos = End + 1;
    if (Item.empty())
      continue;
    size_t Eq = Item.find('=');
    if (Eq == std::string::npos ||
        !Apply(Item.substr(0, Eq), Item.substr(Eq + 1))) {
      fprintf(stderr, "witness: bad %s item '%s' in '%s'\n", What, Item.c_str(),
              Spec);
      return false;
    }
  }
  return true;
}

static bool applyPolicy(const std::string &Check, const std::string &Value) {
  int P;
  if (Value == "ignore")
    P = WITNESS_POLICY_IGNORE;
  else if (Value == "warn")
    P = WITNESS_POLICY_WARN;
  else if (Value == "abort")
    P = WITNESS_POLICY_ABORT;
  else
    return false;
  bool Found = false;
  for (int I = 0; I < WITNESS_CHECK_COUNT; ++I)
    if (Check == "all" || Check == CheckNames[I]) {
      state().Policy[I].store(P);
      Found = true;
    }
  return Found;
}

static bool applyCapacity(const std::string &Name, const std::string &Value) {
  char *End;
  errno = 0;
  unsigned long V = strtoul(Value.c_str(), &End, 10);
  if (Value.empty() || *End || errno || V == 0)
    return false;
  for (int I = 0; I < CapCount; ++I)
    if (Name == CapNames[I]) {
      state().Cap[I].store(V);
      return true;
    }
  return false;
}

static State *Instance;

// A child must not inherit a witness lock held by another thread.
static void beforeFork() {
  // The order of witness_reset(): Mu, ReportMu, ChainMu.
  Instance->Mu.lock();
  Instance->ReportMu.lock();
  Instance->ChainMu.lock();
}

static void afterFork() {
  Instance->ChainMu.unlock();
  Instance->ReportMu.unlock();
  Instance->Mu.unlock();
}

static void initFromEnvironment(State &S) {
  if (const char *V = getenv("WITNESS_POLICY"))
    parseList(V, "WITNESS_POLICY", applyPolicy);
  if (const char *V = getenv("WITNESS_CAPACITY"))
    parseList(V, "WITNESS_CAPACITY", applyCapacity);
  if (const char *V = getenv("WITNESS_JSON"); V && *V)
    witness_set_json_file(V);
  if (const char *V = getenv("WITNESS_GRAPH"); V && *V) {
    Guard G(S.Mu);
    S.GraphPath = V;
  }
  if (const char *V = getenv("WITNESS_FAIL"); V && *V && strcmp(V, "0")) {
    S.FailMode = true;
    int St = atoi(V);
    S.FailStatus = St > 1 && St < 256 ? St : 1;
  }
  if (const char *V = getenv("WITNESS_SUMMARY"))
    S.Summary = strcmp(V, "0") != 0;
  if (const char *V = getenv("WITNESS_TEXT"))
    S.Text = strcmp(V, "0") != 0;
  if (const char *V = getenv("WITNESS_ORDER"); V && *V) {
    // Several files separated by ':'.
    std::string L(V);
    size_t Pos = 0;
    while (Pos <= L.size()) {
      size_t End = L.find(':', Pos);
      if (End == std::string::npos)
        End = L.size();
      if (End > Pos)
        witness_load_order_file(L.substr(Pos, End - Pos).c_str());
      Pos = End + 1;
    }
  }
}

std::atomic<State *> ReadyState{nullptr};

State &initState() {
  static std::atomic<int> Phase{0}; // 0 none, 1 building, 2 ready
  if (Phase.load(std::memory_order_acquire) == 2)
    return *Instance;
  int Expected = 0;
  if (Phase.compare_exchange_strong(Expected, 1, std::memory_order_acq_rel)) {
    Instance = new State;
    for (int I = 0; I < WITNESS_CHECK_COUNT; ++I) {
      Instance->Policy[I].store(WITNESS_POLICY_WARN);
      Instance->Count[I].store(0);
    }
    for (int I = 0; I < CapCount; ++I) {
      Instance->Cap[I].store(CapDefaults[I]);
      Instance->Exhausted[I].store(false);
    }
    Phase.store(2, std::memory_order_release);
    ReadyState.store(Instance, std::memory_order_release);
    // The environment is read after publishing so that the configuration
    // functions it calls can use state().
    initFromEnvironment(*Instance);
    // The first backtrace() loads the unwinder; do it now, outside any
    // witness lock, rather than under Mu when the first edge is saved.
    std::vector<void *> Warm;
    captureStack(Warm, 0);
    pthread_atfork(beforeFork, afterFork, afterFork);
    atexit(atExit);
    return *Instance;
  }
  while (Phase.load(std::memory_order_acquire) != 2)
    sched_yield();
  return *Instance;
}

static void atExit() {
  State &S = state();
  std::string Graph;
  {
    Guard G(S.Mu);
    Graph = S.GraphPath;
  }
  if (!Graph.empty())
    dumpGraph(S, Graph.c_str());
  if (S.Summary)
    witness_print_summary();
  if (S.FailMode && witness_report_count(-1) > 0) {
    fflush(nullptr);
    _exit(S.FailStatus);
  }
}

} // namespace witness

using namespace witness;

extern "C" {

const char *witness_check_name(enum witness_check Check) {
  return unsigned(Check) < WITNESS_CHECK_COUNT ? CheckNames[Check] : "?";
}

void witness_set_policy(enum witness_check Check, enum witness_policy P) {
  if (unsigned(Check) < WITNESS_CHECK_COUNT)
    state().Policy[Check].store(P);
}

int witness_set_policies(const char *Spec) {
  return parseList(Spec, "policy", applyPolicy) ? 0 : -1;
}

void witness_set_fail_mode(int On, int Status) {
  State &S = state();
  S.FailMode = On != 0;
  S.FailStatus = Status > 0 && Status < 256 ? Status : 1;
}

int witness_set_json_file(const char *Path) {
  State &S = state();
  Guard G(S.ReportMu);
  if (S.JsonFd >= 0)
    close(S.JsonFd);
  S.JsonFd = -1;
  if (!Path)
    return 0;
  S.JsonFd = open(Path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (S.JsonFd < 0) {
    fprintf(stderr, "witness: cannot open JSON report file %s: %s\n", Path,
            strerror(errno));
    return -1;
  }
  return 0;
}

void witness_set_graph_file(const char *Path) {
  State &S = state();
  Guard G(S.Mu);
  S.GraphPath = Path ? Path : "";
}

int witness_load_order_file(const char *Path) {
  std::ifstream In(Path);
  if (!In) {
    fprintf(stderr, "witness: %s: cannot open order file: %s\n", Path,
            strerror(errno));
    return -1;
  }
  State &S = state();
  std::string Line, Err;
  int Rc = 0;
  for (int No = 1; std::getline(In, Line); ++No) {
    size_t Hash = Line.find('#');
    if (Hash != std::string::npos)
      Line.resize(Hash);
    if (Line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    Guard G(S.Mu);
    if (declareChain(S, Line, Err)) {
      fprintf(stderr, "witness: %s:%d: %s\n", Path, No, Err.c_str());
      Rc = -1;
    }
  }
  return Rc;
}

int witness_declare_order(const char *Chain) {
  State &S = state();
  std::string Err;
  Guard G(S.Mu);
  if (declareChain(S, Chain ? Chain : "", Err)) {
    fprintf(stderr, "witness: declared order '%s': %s\n", Chain ? Chain : "",
            Err.c_str());
    return -1;
  }
  return 0;
}

void witness_set_capacity(enum witness_capacity Cap, unsigned long Value) {
  if (unsigned(Cap) < CapCount && Value > 0)
    state().Cap[Cap].store(Value);
}

int witness_set_capacities(const char *Spec) {
  return parseList(Spec, "capacity", applyCapacity) ? 0 : -1;
}

unsigned long witness_capacity(enum witness_capacity Cap) {
  return unsigned(Cap) < CapCount ? state().Cap[Cap].load() : 0;
}

unsigned long witness_usage(enum witness_capacity Cap) {
  State &S = state();
  switch (Cap) {
  case WITNESS_CAP_HELD:
    return threadState()->wt_n;
  case WITNESS_CAP_CLASSES: {
    Guard G(S.Mu);
    return S.Classes.size();
  }
  case WITNESS_CAP_EDGES: {
    Guard G(S.Mu);
    return S.Edges.size();
  }
  case WITNESS_CAP_STACKS: {
    Guard G(S.Mu);
    return S.StacksUsed;
  }
  default:
    return 0;
  }
}

unsigned long witness_slow_acquisitions(void) {
  return state().SlowAcquisitions.load(std::memory_order_relaxed);
}

unsigned long witness_report_count(int Check) {
  State &S = state();
  if (Check >= 0)
    return Check < WITNESS_CHECK_COUNT ? S.Count[Check].load() : 0;
  unsigned long N = 0;
  for (int I = 0; I < WITNESS_CHECK_COUNT; ++I)
    N += S.Count[I].load();
  return N;
}

void witness_print_summary(void) {
  State &S = state();
  std::string Line =
      "witness: " + std::to_string(witness_report_count(-1)) + " report(s)";
  std::string Per;
  for (int I = 0; I < WITNESS_CHECK_COUNT; ++I)
    if (unsigned long N = S.Count[I].load())
      Per += std::string(Per.empty() ? "" : ", ") + CheckNames[I] + " " +
             std::to_string(N);
  if (!Per.empty())
    Line += " (" + Per + ")";
  {
    Guard G(S.Mu);
    Line += "; " + std::to_string(S.Classes.size()) + " classes, " +
            std::to_string(S.Edges.size()) + " edges, " +
            std::to_string(S.StacksUsed) + " stacks";
  }
  if (unsigned long U = S.UntrackedLocks.load())
    Line += "; " + std::to_string(U) + " untracked locks";
  std::string Ex;
  for (int I = 0; I < CapCount; ++I)
    if (S.Exhausted[I].load())
      Ex += std::string(Ex.empty() ? "" : ",") + CapNames[I];
  if (!Ex.empty())
    Line += "; CAPACITY EXHAUSTED: " + Ex + " (raise WITNESS_CAPACITY)";
  fprintf(stderr, "%s\n", Line.c_str());
}

} // extern "C"

namespace witness {
const char *capacityName(Capacity C) { return CapNames[C]; }
} // namespace witness
