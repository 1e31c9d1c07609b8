//===- ScanContext.cpp - the merged facts of a whole scan
//-------------------===//

#include "ScanContext.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"
#include <deque>

namespace mpsafe {
namespace scan {

ScanContext::ScanContext(std::vector<TUFacts> InTUs, std::string InRoot,
                         std::vector<std::pair<std::string, std::string>> Map)
    : TUs(std::move(InTUs)), Root(std::move(InRoot)),
      ModuleMap(std::move(Map)) {
  std::sort(TUs.begin(), TUs.end(),
            [](const TUFacts &A, const TUFacts &B) { return A.File < B.File; });
  for (const TUFacts &T : TUs) {
    Modules.insert(moduleOf(T.File));
    for (const FunctionFact &F : T.Functions)
      FunctionFile.emplace(F.Key, F.Loc.File);
  }
  summarizeSleep();
  summarizeGlobals();
  buildOrder();
}

std::string ScanContext::moduleOf(const std::string &File) const {
  std::string Rel = relativePath(File, Root);
  for (const auto &M : ModuleMap)
    if (llvm::StringRef(Rel).startswith(M.first))
      return M.second;
  llvm::StringRef Dir = llvm::sys::path::parent_path(Rel);
  return Dir.empty() ? "." : Dir.str();
}

std::string ScanContext::moduleOfFunction(const std::string &Key) const {
  auto It = FunctionFile.find(Key);
  return It == FunctionFile.end() ? "" : moduleOf(It->second);
}

void ScanContext::summarizeSleep() {
  // Seeds: functions that sleep directly or allocate with M_WAITOK.
  std::map<std::string, std::vector<std::string>> Callers;
  std::deque<std::string> Work;
  auto Seed = [&](const std::string &Fn, const std::string &Why) {
    if (SleepVia.emplace(Fn, Why).second)
      Work.push_back(Fn);
  };
  for (const TUFacts &T : TUs) {
    for (const SleepFact &S : T.Sleeps)
      if (!S.IsWakeup)
        Seed(S.Function, S.Kind);
    for (const CallFact &C : T.Calls) {
      Callers[C.Callee].push_back(C.Caller);
      if (C.WaitOk)
        Seed(C.Caller, C.Callee + "(M_WAITOK)");
    }
  }
  // Well-known kernel functions that sleep, when their bodies are not part
  // of the scan.
  for (const char *K : {"sbwait", "sblock", "uiomove", "kern_pause"})
    if (!FunctionFile.count(K) && Callers.count(K))
      Seed(K, K);
  while (!Work.empty()) {
    std::string F = Work.front();
    Work.pop_front();
    auto It = Callers.find(F);
    if (It == Callers.end())
      continue;
    for (const std::string &C : It->second)
      Seed(C, F);
  }
}

static std::string shortName(const std::string &Key) {
  size_t P = Key.rfind(':');
  return P == std::string::npos ? Key : Key.substr(P + 1);
}

std::string ScanContext::sleepChain(const std::string &Key) const {
  std::string Out = shortName(Key);
  std::string Cur = Key;
  std::set<std::string> Seen{Key};
  for (unsigned I = 0; I < 16; ++I) {
    auto It = SleepVia.find(Cur);
    if (It == SleepVia.end() || It->second == Cur)
      break;
    Out += " -> " + shortName(It->second);
    if (!Seen.insert(It->second).second)
      break;
    Cur = It->second;
  }
  return Out;
}

void ScanContext::summarizeGlobals() {
  for (const TUFacts &T : TUs)
    for (const GlobalFact &G : T.Globals) {
      GlobalSummary &S = Globals[G.Key];
      if (!S.Def) {
        S.Def = &G;
        S.Module = moduleOf(G.Loc.File);
      }
    }
  for (const TUFacts &T : TUs)
    for (const AccessFact &A : T.Accesses) {
      auto It = Globals.find(A.Global);
      if (It == Globals.end())
        continue; // defined outside the scanned code (libc, headers)
      GlobalSummary &S = It->second;
      S.Accesses.push_back(&A);
      S.Functions.insert(A.Function);
      std::string M = moduleOf(A.Loc.File);
      S.Modules.insert(M);
      if (A.Kind == access::Read)
        ++S.Reads;
      else if (A.Kind != access::Addr)
        ++S.Writes;
      if (!A.Level.empty())
        ++S.InSection;
      if (M != S.Module)
        Graph[M].insert(S.Module);
    }
  for (auto &KV : Globals) {
    GlobalSummary &S = KV.second;
    bool AllCount = S.Writes > 0, AllFlag = S.Writes > 0, Used = false;
    for (const AccessFact *A : S.Accesses) {
      if (A->Kind == access::Read || A->Kind == access::Addr)
        continue;
      if (A->Kind != access::Inc && A->Kind != access::AddSub)
        AllCount = false;
      if (A->Kind != access::Or && A->Kind != access::And)
        AllFlag = false;
      if (A->ValueUsed)
        Used = true;
    }
    llvm::StringRef Name = S.Def->Name;
    if (llvm::StringRef(S.Def->Type).contains("struct mtx"))
      S.Class = "lock";
    else if (S.Def->ListHead || S.Def->Pointer)
      S.Class = "list";
    else if (AllCount && (Used || Name.contains("ref")))
      S.Class = "refcount";
    else if (AllCount)
      S.Class = "counter"; // address taken only to export or zero it
    else if (AllFlag)
      S.Class = "flag";
    else
      S.Class = "plain";
  }
}

void ScanContext::buildOrder() {
  // Kahn's algorithm over "user -> owner" edges, owners first; ties and
  // cycles broken by name so the order is deterministic.
  std::map<std::string, std::set<std::string>> Pending;
  for (const std::string &M : Modules)
    Pending[M];
  for (const auto &KV : Graph)
    for (const std::string &Owner : KV.second)
      if (Modules.count(KV.first) && Modules.count(Owner))
        Pending[KV.first].insert(Owner);
  while (!Pending.empty()) {
    std::string Pick;
    for (const auto &KV : Pending)
      if (KV.second.empty()) {
        Pick = KV.first;
        break;
      }
    if (Pick.empty()) {
      size_t Best = SIZE_MAX;
      for (const auto &KV : Pending)
        if (KV.second.size() < Best) {
          Best = KV.second.size();
          Pick = KV.first;
        }
    }
    Order.push_back(Pick);
    Pending.erase(Pick);
    for (auto &KV : Pending)
      KV.second.erase(Pick);
  }
}

} // namespace scan
} // namespace mpsafe
