//===- Summary.cpp - per-module Markdown and JSON summaries
//-----------------===//

#include "Summary.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>

namespace json = llvm::json;

namespace mpsafe {
namespace scan {

namespace {
struct ModuleCounts {
  unsigned Files = 0, Functions = 0, Sections = 0, Sleeps = 0, Wakeups = 0,
           Globals = 0;
};
} // namespace

static std::map<std::string, ModuleCounts>
countModules(const ScanContext &Ctx) {
  std::map<std::string, ModuleCounts> M;
  for (const std::string &Mod : Ctx.modules())
    M[Mod];
  for (const TUFacts &T : Ctx.tus()) {
    ModuleCounts &C = M[Ctx.moduleOf(T.File)];
    ++C.Files;
    C.Functions += T.Functions.size();
    C.Sections += T.Sections.size();
    for (const SleepFact &S : T.Sleeps)
      ++(S.IsWakeup ? C.Wakeups : C.Sleeps);
    C.Globals += T.Globals.size();
  }
  return M;
}

/// Globals ranked by how widely they are shared.
static std::vector<const GlobalSummary *> ranked(const ScanContext &Ctx) {
  std::vector<const GlobalSummary *> V;
  for (const auto &KV : Ctx.globals())
    if (!KV.second.Accesses.empty())
      V.push_back(&KV.second);
  std::stable_sort(
      V.begin(), V.end(), [](const GlobalSummary *A, const GlobalSummary *B) {
        return std::make_tuple(A->Modules.size(), A->Functions.size(),
                               A->Accesses.size()) >
               std::make_tuple(B->Modules.size(), B->Functions.size(),
                               B->Accesses.size());
      });
  return V;
}

std::string markdownSummary(const ScanContext &Ctx) {
  std::string Out;
  llvm::raw_string_ostream OS(Out);
  OS << "## Modules\n\n| module | files | functions | spl sections | sleeps "
        "| wakeups | globals |\n|---|---:|---:|---:|---:|---:|---:|\n";
  for (const auto &KV : countModules(Ctx))
    OS << "| " << KV.first << " | " << KV.second.Files << " | "
       << KV.second.Functions << " | " << KV.second.Sections << " | "
       << KV.second.Sleeps << " | " << KV.second.Wakeups << " | "
       << KV.second.Globals << " |\n";
  OS << "\n## Top shared globals\n\n| global | module | class | used by "
        "modules | functions | accesses | in sections |\n"
        "|---|---|---|---|---:|---:|---:|\n";
  unsigned N = 0;
  for (const GlobalSummary *G : ranked(Ctx)) {
    if (++N > 20)
      break;
    std::string Mods;
    for (const std::string &M : G->Modules)
      Mods += (Mods.empty() ? "" : ", ") + M;
    OS << "| `" << G->Def->Name << "` | " << G->Module << " | " << G->Class
       << " | " << Mods << " | " << G->Functions.size() << " | "
       << G->Accesses.size() << " | " << G->InSection << " |\n";
  }
  OS << "\n## Cross-module use of globals\n\n";
  if (Ctx.moduleGraph().empty())
    OS << "No module touches another module's globals.\n";
  for (const auto &KV : Ctx.moduleGraph()) {
    OS << "- " << KV.first << " uses globals of";
    for (const std::string &M : KV.second)
      OS << " " << M;
    OS << "\n";
  }
  OS << "\n## Suggested migration order (bottom-up)\n\n";
  unsigned I = 0;
  for (const std::string &M : Ctx.order())
    OS << ++I << ". " << M << "\n";
  OS << "\n";
  OS.flush();
  return Out;
}

/// Keys of file-static things hold absolute paths; reports show them
/// relative to the root.
static std::string relKey(const ScanContext &Ctx, std::string S) {
  if (Ctx.root().empty() || Ctx.root() == "/")
    return S;
  std::string Prefix = Ctx.root() + "/";
  for (size_t P; (P = S.find(Prefix)) != std::string::npos;)
    S.erase(P, Prefix.size());
  return S;
}

json::Object jsonSummary(const ScanContext &Ctx) {
  unsigned Files = 0, Functions = 0, Sections = 0, Sleeps = 0, Wakeups = 0,
           Accesses = 0, Calls = 0;
  for (const TUFacts &T : Ctx.tus()) {
    ++Files;
    Functions += T.Functions.size();
    Sections += T.Sections.size();
    for (const SleepFact &S : T.Sleeps)
      ++(S.IsWakeup ? Wakeups : Sleeps);
    Accesses += T.Accesses.size();
    Calls += T.Calls.size();
  }
  json::Array Modules;
  for (const auto &KV : countModules(Ctx)) {
    json::Array Uses;
    auto It = Ctx.moduleGraph().find(KV.first);
    if (It != Ctx.moduleGraph().end())
      for (const std::string &M : It->second)
        Uses.push_back(M);
    Modules.push_back(json::Object{{"name", KV.first},
                                   {"files", KV.second.Files},
                                   {"functions", KV.second.Functions},
                                   {"sections", KV.second.Sections},
                                   {"sleeps", KV.second.Sleeps},
                                   {"wakeups", KV.second.Wakeups},
                                   {"globals", KV.second.Globals},
                                   {"uses_globals_of", std::move(Uses)}});
  }
  json::Array Globals;
  for (const auto &KV : Ctx.globals()) {
    const GlobalSummary &G = KV.second;
    json::Array Acc;
    for (const AccessFact *A : G.Accesses)
      Acc.push_back(json::Object{
          {"function", relKey(Ctx, A->Function)},
          {"file", relativePath(A->Loc.File, Ctx.root())},
          {"line", A->Loc.Line},
          {"path", A->Path},
          {"kind", A->Kind},
          {"write", A->Kind != access::Read && A->Kind != access::Addr},
          {"level", A->Level}});
    Globals.push_back(json::Object{{"key", relKey(Ctx, KV.first)},
                                   {"name", G.Def->Name},
                                   {"module", G.Module},
                                   {"class", G.Class},
                                   {"type", G.Def->Type},
                                   {"vnet", G.Def->Vnet},
                                   {"static", G.Def->Static},
                                   {"accesses", std::move(Acc)}});
  }
  json::Array Order;
  for (const std::string &M : Ctx.order())
    Order.push_back(M);
  return json::Object{{"totals", json::Object{{"files", Files},
                                              {"functions", Functions},
                                              {"sections", Sections},
                                              {"sleeps", Sleeps},
                                              {"wakeups", Wakeups},
                                              {"globals", Ctx.globals().size()},
                                              {"accesses", Accesses},
                                              {"calls", Calls}}},
                      {"modules", std::move(Modules)},
                      {"globals", std::move(Globals)},
                      {"order", std::move(Order)}};
}

} // namespace scan
} // namespace mpsafe
