//===- DraftPlan.cpp - mpsafe-scan --emit-plan
//--------------------------------===//

#include "DraftPlan.h"
#include <map>

namespace mpsafe {
namespace scan {

static std::string identifier(const std::string &S) {
  std::string Out;
  for (char C : S)
    Out += isalnum(static_cast<unsigned char>(C)) ? C : '_';
  return Out;
}

plan::Plan
draftPlan(const ScanContext &Ctx,
          const std::vector<std::pair<std::string, std::string>> &Modules) {
  plan::Plan P;
  P.Root = Ctx.root();
  std::map<std::string, plan::Module> ByName;
  for (const auto &M : Modules) {
    plan::Module &PM = ByName[M.second];
    PM.Name = M.second;
    PM.Paths.push_back(M.first);
  }
  for (auto &KV : ByName)
    P.Modules.push_back(KV.second);

  // (module, level) -> first file raising it; TUs are sorted by file.
  std::map<std::pair<std::string, std::string>, std::string> Locks;
  for (const TUFacts &T : Ctx.tus())
    for (const SectionFact &S : T.Sections)
      Locks.emplace(std::make_pair(Ctx.moduleOf(T.File), S.Level),
                    relativePath(T.File, Ctx.root()));
  for (const auto &KV : Locks) {
    plan::Lock L;
    L.Name = identifier(KV.first.first + "_" + KV.first.second) + "_mtx";
    L.DefineIn = KV.second;
    P.Locks.push_back(L);
    plan::Rule R;
    R.Lock = L.Name;
    R.When.Module = KV.first.first;
    R.When.Level = KV.first.second;
    P.Rules.push_back(R);
  }
  for (const auto &KV : Ctx.globals()) {
    const GlobalSummary &G = KV.second;
    if (G.Class != "counter" || G.Def->Type.rfind("struct ", 0) != 0)
      continue;
    plan::Counter C;
    C.Variable = G.Def->Name;
    C.Form = plan::CounterForm::Atomic;
    P.Counters.push_back(C);
  }
  for (const std::string &M : Ctx.order()) {
    plan::Stage S;
    S.Name = M;
    S.Modules.push_back(M);
    P.Stages.push_back(S);
  }
  return P;
}

} // namespace scan
} // namespace mpsafe
