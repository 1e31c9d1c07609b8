//===- graph.cc - lock classes and the order graph --------------*- C++ -*-===//
//
// Classes are identified by name and kind. The graph holds an edge A -> B
// when B was acquired while A was held, plus the declared orders between
// classes that exist. It stays acyclic: an edge that would close a cycle is
// reported and recorded as a reversal, outside the adjacency lists. Only a
// new edge is searched (one BFS from its head), so the cost of learning an
// order is proportional to the part of the graph it can reach.
//
//===----------------------------------------------------------------------===//
#include "internal.h"
#include "report.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <unistd.h>

namespace witness {

const char *kindName(witness_kind K) {
  switch (K) {
  case WITNESS_KIND_SPIN_MUTEX:
    return "spin";
  case WITNESS_KIND_SLEEP_MUTEX:
    return "sleep";
  case WITNESS_KIND_RW:
    return "rw";
  case WITNESS_KIND_SX:
    return "sx";
  }
  return "?";
}

static void addDeclaredEdge(State &S, Class *From, Class *To);

Class *findOrCreateClass(State &S, const std::string &Name, witness_kind K) {
  auto It = S.ClassByKey.find({Name, int(K)});
  if (It != S.ClassByKey.end())
    return It->second;
  if (S.Classes.size() >= S.Cap[CapClasses].load()) {
    exhausted(S, CapClasses,
              "locks of new classes are not tracked (all other locks are)");
    return nullptr;
  }
  auto C = std::make_unique<Class>();
  C->Id = uint32_t(S.Classes.size());
  C->Kind = K;
  C->Name = Name;
  Class *P = C.get();
  S.Classes.push_back(std::move(C));
  S.ClassByKey[{Name, int(K)}] = P;
  seedDeclared(S, P);
  return P;
}

static std::vector<Class *> classesNamed(State &S, const std::string &Name) {
  std::vector<Class *> Out;
  for (int K = WITNESS_KIND_SPIN_MUTEX; K <= WITNESS_KIND_SX; ++K) {
    auto It = S.ClassByKey.find({Name, K});
    if (It != S.ClassByKey.end())
      Out.push_back(It->second);
  }
  return Out;
}

/// BFS from class From to class To over Class::Out; fills Path with the
/// class ids From, ..., To.
static bool findPath(State &S, uint32_t From, uint32_t To,
                     std::vector<uint32_t> &Path) {
  size_t N = S.Classes.size();
  if (S.Mark.size() < N) {
    S.Mark.resize(N, 0);
    S.Parent.resize(N, 0);
  }
  if (++S.Epoch == 0) {
    std::fill(S.Mark.begin(), S.Mark.end(), 0);
    S.Epoch = 1;
  }
  std::deque<uint32_t> Queue{From};
  S.Mark[From] = S.Epoch;
  while (!Queue.empty()) {
    uint32_t U = Queue.front();
    Queue.pop_front();
    if (U == To) {
      for (uint32_t V = To; V != From; V = S.Parent[V])
        Path.push_back(V);
      Path.push_back(From);
      std::reverse(Path.begin(), Path.end());
      return true;
    }
    for (uint32_t V : S.Classes[U]->Out)
      if (S.Mark[V] != S.Epoch) {
        S.Mark[V] = S.Epoch;
        S.Parent[V] = U;
        Queue.push_back(V);
      }
  }
  return false;
}

/// BFS over the declared order by name; Path gets From, ..., To.
static bool declaredPath(State &S, const std::string &From,
                         const std::string &To,
                         std::vector<std::string> &Path) {
  std::map<std::string, std::string> Parent{{From, ""}};
  std::deque<std::string> Queue{From};
  while (!Queue.empty()) {
    std::string U = Queue.front();
    Queue.pop_front();
    if (U == To) {
      for (std::string V = To; V != From; V = Parent[V])
        Path.push_back(V);
      Path.push_back(From);
      std::reverse(Path.begin(), Path.end());
      return true;
    }
    auto It = S.Declared.find(U);
    if (It == S.Declared.end())
      continue;
    for (const std::string &V : It->second)
      if (Parent.emplace(V, U).second)
        Queue.push_back(V);
  }
  return false;
}

static bool recordEdge(State &S, Edge E) {
  if (S.Edges.size() >= S.Cap[CapEdges].load()) {
    exhausted(S, CapEdges,
              "new edges are still checked for cycles but not recorded");
    return false;
  }
  if (!(E.Flags & EDGE_DECLARED)) {
    if (S.StacksUsed < S.Cap[CapStacks].load()) {
      captureStack(E.Stack, 3);
      ++S.StacksUsed;
    } else {
      exhausted(S, CapStacks, "new edges are recorded without their stack");
    }
  }
  uint64_t Key = edgeKey(E.From, E.To);
  if (!(E.Flags & EDGE_REVERSAL))
    S.Classes[E.From]->Out.push_back(E.To);
  S.Edges.emplace(Key, std::move(E));
  S.KnownEdges.insert(Key, SIZE_MAX);
  return true;
}

static void addDeclaredEdge(State &S, Class *From, Class *To) {
  if (From == To || S.KnownEdges.contains(edgeKey(From->Id, To->Id)))
    return;
  std::vector<uint32_t> Path;
  if (findPath(S, To->Id, From->Id, Path))
    return; // observed before the declaration; the next use reports it
  Edge E;
  E.From = From->Id;
  E.To = To->Id;
  E.Flags = EDGE_DECLARED;
  recordEdge(S, std::move(E));
}

void seedDeclared(State &S, Class *C) {
  auto It = S.Declared.find(C->Name);
  if (It != S.Declared.end())
    for (const std::string &Succ : It->second)
      for (Class *T : classesNamed(S, Succ))
        addDeclaredEdge(S, C, T);
  for (auto &[Pred, Succs] : S.Declared)
    if (Succs.count(C->Name))
      for (Class *F : classesNamed(S, Pred))
        addDeclaredEdge(S, F, C);
}

int declareChain(State &S, const std::string &Chain, std::string &Err) {
  std::vector<std::string> Names;
  size_t Pos = 0;
  for (;;) {
    size_t Arrow = Chain.find("->", Pos);
    std::string Name = Chain.substr(
        Pos, Arrow == std::string::npos ? std::string::npos : Arrow - Pos);
    size_t B = Name.find_first_not_of(" \t\r\n");
    size_t E = Name.find_last_not_of(" \t\r\n");
    if (B == std::string::npos) {
      Err = "empty class name in order chain (expected \"a -> b -> c\")";
      return -1;
    }
    Names.push_back(Name.substr(B, E - B + 1));
    if (Arrow == std::string::npos)
      break;
    Pos = Arrow + 2;
  }
  if (Names.size() < 2) {
    Err = "an order chain needs at least two class names joined by \"->\"";
    return -1;
  }
  for (size_t I = 0; I + 1 < Names.size(); ++I) {
    std::vector<std::string> Path;
    if (Names[I] == Names[I + 1] ||
        declaredPath(S, Names[I + 1], Names[I], Path)) {
      Err = "\"" + Names[I] + " -> " + Names[I + 1] +
            "\" contradicts the order already declared";
      return -1;
    }
    S.Declared[Names[I]].insert(Names[I + 1]);
  }
  for (size_t I = 0; I + 1 < Names.size(); ++I)
    for (Class *F : classesNamed(S, Names[I]))
      for (Class *T : classesNamed(S, Names[I + 1]))
        addDeclaredEdge(S, F, T);
  return 0;
}

static std::string cycleKey(std::vector<uint32_t> Ids) {
  std::sort(Ids.begin(), Ids.end());
  Ids.erase(std::unique(Ids.begin(), Ids.end()), Ids.end());
  std::string K;
  for (uint32_t I : Ids)
    K += std::to_string(I) + ",";
  return K;
}

static std::string stackJson(const std::vector<void *> &Stack) {
  std::string J = "[";
  bool First = true;
  for (const std::string &F : symbolize(Stack)) {
    J += (First ? "" : ",") + jsonString(F);
    First = false;
  }
  return J + "]";
}

static void stackLines(Report &R, const std::vector<void *> &Stack) {
  if (Stack.empty()) {
    R.line("      (no stack saved)");
    return;
  }
  for (const std::string &F : symbolize(Stack))
    R.line("      " + F);
}

/// Reports a cycle: Path is To, ..., From over recorded edges; the new edge
/// From -> To closes it.
static void reportCycle(State &S, ThreadState *T, const Held &H,
                        witness_lock *L, const char *File, int Line,
                        const std::vector<uint32_t> &Path) {
  Class *From = classOf(H), *To = static_cast<Class *>(L->w_class);
  std::string Order;
  for (uint32_t Id : Path)
    Order += (Order.empty() ? "" : " -> ") + S.Classes[Id]->Name;
  std::string Here = siteOf(File, Line),
              HeldSite = siteOf(H.wh_file, H.wh_line);
  Report R(WITNESS_CHECK_ORDER, cycleKey(Path),
           "lock order reversal: acquiring \"" + To->Name +
               "\" while holding \"" + From->Name + "\"; established order " +
               Order);
  R.line("1st " + Report::lockText(From, H.wh_lock->w_name) + " locked @ " +
         HeldSite);
  R.line("2nd " + Report::lockText(To, L->w_name) + " acquiring @ " + Here);
  R.rawField("lock", Report::lockJson(To, L->w_name, Here, 0));
  R.rawField("other",
             Report::lockJson(From, H.wh_lock->w_name, HeldSite, modeOf(H)));
  R.line("cycle of " + std::to_string(Path.size()) +
         " locks, each edge with its acquisition sites and first stack:");
  std::string Cycle = "[";
  for (size_t I = 0; I + 1 < Path.size(); ++I) {
    const Edge &E = S.Edges.at(edgeKey(Path[I], Path[I + 1]));
    Class *A = S.Classes[E.From].get(), *B = S.Classes[E.To].get();
    std::string How = (E.Flags & EDGE_DECLARED)
                          ? "declared order"
                          : "first seen in thread " + std::to_string(E.Tid);
    R.line("  \"" + A->Name + "\" @ " + E.FromSite + " -> \"" + B->Name +
           "\" @ " + E.ToSite + " (" + How + ")");
    stackLines(R, E.Stack);
    Cycle += std::string(I ? "," : "") + "{\"from\":" + jsonString(A->Name) +
             ",\"to\":" + jsonString(B->Name) +
             ",\"from_instance\":" + jsonString(E.FromInstance) +
             ",\"to_instance\":" + jsonString(E.ToInstance) +
             ",\"from_site\":" + jsonString(E.FromSite) +
             ",\"to_site\":" + jsonString(E.ToSite) +
             ",\"declared\":" + ((E.Flags & EDGE_DECLARED) ? "true" : "false") +
             ",\"tid\":" + std::to_string(E.Tid) +
             ",\"stack\":" + stackJson(E.Stack) + "}";
  }
  std::vector<void *> Now;
  captureStack(Now, 3);
  R.line("  \"" + From->Name + "\" @ " + HeldSite + " -> \"" + To->Name +
         "\" @ " + Here + " (now, thread " + std::to_string(T->wt_tid) + ")");
  stackLines(R, Now);
  Cycle += ",{\"from\":" + jsonString(From->Name) +
           ",\"to\":" + jsonString(To->Name) + ",\"from_instance\":" +
           jsonString(H.wh_lock->w_name ? H.wh_lock->w_name : "") +
           ",\"to_instance\":" + jsonString(L->w_name ? L->w_name : "") +
           ",\"from_site\":" + jsonString(HeldSite) +
           ",\"to_site\":" + jsonString(Here) +
           ",\"declared\":false,\"tid\":" + std::to_string(T->wt_tid) +
           ",\"current\":true,\"stack\":" + stackJson(Now) + "}]";
  R.rawField("cycle", Cycle);
  R.heldLocks(T);
  // The scenario: this thread and one thread per recorded edge.
  std::vector<std::string> Steps;
  Steps.push_back("thread 1 (this one) holds \"" + From->Name +
                  "\" and waits for \"" + To->Name + "\"");
  for (size_t I = 0; I + 1 < Path.size(); ++I)
    Steps.push_back("thread " + std::to_string(I + 2) + " holds \"" +
                    S.Classes[Path[I]]->Name + "\" and waits for \"" +
                    S.Classes[Path[I + 1]]->Name + "\"");
  Steps.push_back("each thread waits for a lock the next one holds: deadlock");
  R.line("how it deadlocks:");
  std::string J = "[";
  for (size_t I = 0; I < Steps.size(); ++I) {
    R.line("  " + Steps[I]);
    J += std::string(I ? "," : "") + jsonString(Steps[I]);
  }
  R.rawField("scenario", J + "]");
  emit(S, R);
}

static void reportDeclared(State &S, ThreadState *T, const Held &H,
                           witness_lock *L, const char *File, int Line,
                           const std::vector<std::string> &Path) {
  Class *From = classOf(H), *To = static_cast<Class *>(L->w_class);
  std::string Order, J = "[";
  for (size_t I = 0; I < Path.size(); ++I) {
    Order += (I ? " -> " : "") + Path[I];
    J += std::string(I ? "," : "") + jsonString(Path[I]);
  }
  std::string Here = siteOf(File, Line),
              HeldSite = siteOf(H.wh_file, H.wh_line);
  std::string Key =
      std::min(From->Name, To->Name) + "|" + std::max(From->Name, To->Name);
  Report R(WITNESS_CHECK_DECLARED, Key,
           "declared order violation: acquiring \"" + To->Name +
               "\" while holding \"" + From->Name + "\"; declared order " +
               Order);
  R.line("1st " + Report::lockText(From, H.wh_lock->w_name) + " locked @ " +
         HeldSite);
  R.line("2nd " + Report::lockText(To, L->w_name) + " acquiring @ " + Here);
  R.rawField("lock", Report::lockJson(To, L->w_name, Here, 0));
  R.rawField("other",
             Report::lockJson(From, H.wh_lock->w_name, HeldSite, modeOf(H)));
  R.rawField("declared", J + "]");
  std::vector<void *> Now;
  captureStack(Now, 3);
  R.line("stack:");
  stackLines(R, Now);
  R.rawField("stack", stackJson(Now));
  R.heldLocks(T);
  std::string S1 = "thread 1 (this one) holds \"" + From->Name +
                   "\" and waits for \"" + To->Name + "\"";
  std::string S2 = "thread 2 follows the declared order: holds \"" + To->Name +
                   "\" and waits for \"" + From->Name + "\"";
  R.line("how it deadlocks:");
  R.line("  " + S1);
  R.line("  " + S2);
  R.rawField("scenario", "[" + jsonString(S1) + "," + jsonString(S2) + "]");
  emit(S, R);
}

bool addEdge(State &S, ThreadState *T, const Held &H, witness_lock *L,
             const char *File, int Line) {
  Class *From = classOf(H), *To = static_cast<Class *>(L->w_class);
  if (S.KnownEdges.contains(edgeKey(From->Id, To->Id)))
    return true;
  Edge E;
  E.From = From->Id;
  E.To = To->Id;
  E.FromInstance = H.wh_lock->w_name ? H.wh_lock->w_name : "";
  E.ToInstance = L->w_name ? L->w_name : "";
  E.FromSite = siteOf(H.wh_file, H.wh_line);
  E.ToSite = siteOf(File, Line);
  E.Tid = T->wt_tid;
  std::vector<std::string> Declared;
  std::vector<uint32_t> Path;
  if (declaredPath(S, To->Name, From->Name, Declared)) {
    reportDeclared(S, T, H, L, File, Line, Declared);
    E.Flags = EDGE_REVERSAL;
  } else if (findPath(S, To->Id, From->Id, Path)) {
    reportCycle(S, T, H, L, File, Line, Path);
    E.Flags = EDGE_REVERSAL;
  }
  return recordEdge(S, std::move(E));
}

static std::string escapeField(const std::string &S) {
  std::string Out;
  for (char C : S) {
    if (C == '\t')
      Out += "\\t";
    else if (C == '\n')
      Out += "\\n";
    else if (C == '\\')
      Out += "\\\\";
    else
      Out += C;
  }
  return Out.empty() ? "-" : Out;
}

int dumpGraph(State &S, const char *Path) {
  std::string Name;
  for (const char *P = Path; *P; ++P) {
    if (P[0] == '%' && P[1] == 'p') {
      Name += std::to_string(getpid());
      ++P;
    } else {
      Name += *P;
    }
  }
  std::string Tmp = Name + ".tmp" + std::to_string(getpid());
  FILE *F = fopen(Tmp.c_str(), "w");
  if (!F) {
    fprintf(stderr, "witness: cannot write graph %s: %s\n", Tmp.c_str(),
            strerror(errno));
    return -1;
  }
  Guard G(S.Mu);
  fprintf(F, "witness-graph\t1\n");
  fprintf(F, "process\t%d\t%s\n", int(getpid()),
          escapeField(program_invocation_name).c_str());
  for (const auto &C : S.Classes)
    fprintf(F, "class\t%u\t%s\t%s\n", C->Id, kindName(C->Kind),
            escapeField(C->Name).c_str());
  // Sorted, so that dumps of identical runs are identical.
  std::vector<const Edge *> Sorted;
  for (const auto &KV : S.Edges)
    Sorted.push_back(&KV.second);
  std::sort(Sorted.begin(), Sorted.end(), [](const Edge *A, const Edge *B) {
    return std::make_pair(A->From, A->To) < std::make_pair(B->From, B->To);
  });
  for (const Edge *E : Sorted) {
    std::string Flags;
    if (E->Flags & EDGE_DECLARED)
      Flags = "declared";
    if (E->Flags & EDGE_REVERSAL)
      Flags += std::string(Flags.empty() ? "" : ",") + "reversal";
    fprintf(F, "edge\t%u\t%u\t%s\t%s\t%s\t%s\t%s\n", E->From, E->To,
            Flags.empty() ? "-" : Flags.c_str(),
            escapeField(E->FromSite).c_str(), escapeField(E->ToSite).c_str(),
            escapeField(E->FromInstance).c_str(),
            escapeField(E->ToInstance).c_str());
    for (const std::string &Fr : symbolize(E->Stack))
      fprintf(F, "frame\t%s\n", escapeField(Fr).c_str());
  }
  bool Ok = fflush(F) == 0 && !ferror(F);
  Ok = (fclose(F) == 0) && Ok;
  if (!Ok || rename(Tmp.c_str(), Name.c_str()) != 0) {
    fprintf(stderr, "witness: cannot write graph %s: %s\n", Name.c_str(),
            strerror(errno));
    unlink(Tmp.c_str());
    return -1;
  }
  return 0;
}

} // namespace witness

using namespace witness;

extern "C" int witness_dump_graph(const char *Path) {
  return dumpGraph(state(), Path);
}

extern "C" void witness_reset(void) {
  State &S = state();
  Guard G(S.Mu);
  Guard R(S.ReportMu);
  for (auto &C : S.Classes)
    C->Out.clear();
  S.Edges.clear();
  S.KnownEdges.clear();
  {
    Guard C(S.ChainMu);
    S.Chains.clear();
  }
  S.Declared.clear();
  S.StacksUsed = 0;
  S.Seen.clear();
  for (int I = 0; I < WITNESS_CHECK_COUNT; ++I)
    S.Count[I].store(0);
  for (int I = 0; I < CapCount; ++I)
    S.Exhausted[I].store(false);
  // The caller's validated-chain caches point into the forgotten graph.
  ThreadState *T = threadState();
  for (unsigned I = 0; I <= T->wt_cap; ++I)
    T->wt_held[I].wh_nextok = nullptr;
}
