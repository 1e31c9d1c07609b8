//===- Progress.cpp - joining the scan with the rewrite ------------------===//

#include "Progress.h"
#include "mpsafe/Plan.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <set>

using namespace llvm;

namespace mpsafe {
namespace report {

namespace {

using SiteKey = std::pair<std::string, unsigned>;

bool done(const Finding &F) {
  return F.Category == "auto" || F.Category == "assisted";
}

/// The variable a shared-global finding is about ("file.c:name" for a
/// file-static one).
std::string globalName(const Finding &F) {
  StringRef K = F.Key;
  return K.rsplit(':').second.empty() ? K.str() : K.rsplit(':').second.str();
}

/// "manual: splx(s) at line 552 ..." -> "splx(s) at line N ...": sites of
/// one reason group together.
std::string reasonText(StringRef Msg) {
  for (StringRef P : {"manual: ", "assisted: ", "auto: "})
    if (Msg.startswith(P))
      Msg = Msg.drop_front(P.size());
  std::string S;
  for (size_t I = 0; I < Msg.size(); ++I) {
    if (isDigit(Msg[I])) {
      S += 'N';
      while (I + 1 < Msg.size() && isDigit(Msg[I + 1]))
        ++I;
    } else {
      S += Msg[I];
    }
  }
  return S;
}

} // namespace

unsigned Report::rewriteLines() const {
  unsigned N = 0;
  for (const DiffStat &D : RewriteDiffs)
    N += D.changed();
  return N;
}

unsigned Report::patchLines() const {
  unsigned N = 0;
  for (const DiffStat &D : Patches)
    N += D.changed();
  return N;
}

Report buildReport(const ScanFacts *Scan, const RewriteLog *Rewrite,
                   const plan::Plan *Plan) {
  Report R;
  R.Scan = Scan;
  R.Rewrite = Rewrite;

  auto ModuleOf = [&](StringRef File) -> std::string {
    if (Plan)
      return plan::moduleOf(*Plan, File);
    auto Dir = File.split('/');
    return Dir.second.empty() ? "." : Dir.first.str();
  };
  std::map<std::string, std::string> StageOf; // module -> first stage
  std::vector<std::string> StageNames;
  if (Plan)
    for (const plan::Stage &S : Plan->Stages) {
      StageNames.push_back(S.Name);
      for (const std::string &M : S.Modules)
        StageOf.emplace(M, S.Name);
    }
  const std::string NoStage = "(no stage: stays under Giant)";

  // What the rewrite did, by site.
  std::set<SiteKey> SectionsDone, SleepsDone;
  std::set<std::string> CountersDone;
  if (Rewrite)
    for (const Finding &F : Rewrite->Findings) {
      if (!done(F))
        continue;
      if (F.Rule == "rewrite-spl-section")
        SectionsDone.insert({F.File, F.Line});
      else if (F.Rule == "rewrite-sleep")
        SleepsDone.insert({F.File, F.Line});
      else if (F.Rule == "rewrite-counter") {
        // "counter ipstat.ips_total -> ...": the variable before the dot.
        StringRef M = F.Message;
        size_t At = M.find("counter ");
        if (At != StringRef::npos) {
          StringRef V = M.drop_front(At + 8).split('.').first;
          CountersDone.insert(V.str());
        }
      }
    }

  std::map<std::string, Row> ByModule, ByStage;
  auto Count = [&](const Finding &F, Tally Row::*Which, bool Migrated) {
    std::string M = ModuleOf(F.File);
    std::string St = StageOf.count(M) ? StageOf[M] : NoStage;
    for (Row *Rw : {&ByModule[M], &ByStage[St], &R.Total}) {
      ++(Rw->*Which).Found;
      if (Migrated)
        ++(Rw->*Which).Migrated;
    }
    ByModule[M].Name = M;
    ByStage[St].Name = St;
  };
  if (Scan) {
    for (const Finding &F : Scan->Findings) {
      if (F.Rule == "spl-section")
        Count(F, &Row::Sections, SectionsDone.count({F.File, F.Line}) != 0);
      else if (F.Rule == "sleep-site" && StringRef(F.Key).startswith("tsleep"))
        Count(F, &Row::Sleeps, SleepsDone.count({F.File, F.Line}) != 0);
      else if (F.Rule == "shared-global")
        Count(F, &Row::Globals, CountersDone.count(globalName(F)) != 0);
    }
    for (const Finding &F : Scan->Findings)
      R.Listed.push_back(&F);
    std::stable_sort(R.Listed.begin(), R.Listed.end(),
                     [](const Finding *A, const Finding *B) {
                       bool WA = A->Severity == "warning",
                            WB = B->Severity == "warning";
                       if (WA != WB)
                         return WA;
                       return std::tie(A->Rule, A->File, A->Line) <
                              std::tie(B->Rule, B->File, B->Line);
                     });
  }
  R.Total.Name = "total";

  // Modules in the plan's stage order, then the rest by name.
  std::set<std::string> Placed;
  if (Plan)
    for (const plan::Stage &S : Plan->Stages)
      for (const std::string &M : S.Modules)
        if (ByModule.count(M) && Placed.insert(M).second)
          R.Modules.push_back(ByModule[M]);
  for (auto &KV : ByModule)
    if (Placed.insert(KV.first).second)
      R.Modules.push_back(KV.second);
  for (const std::string &S : StageNames) {
    Row Rw = ByStage.count(S) ? ByStage[S] : Row();
    Rw.Name = S;
    R.Stages.push_back(Rw);
  }
  if (ByStage.count(NoStage))
    R.Stages.push_back(ByStage[NoStage]);

  // Why the rest is not automatic.
  if (Rewrite) {
    std::map<std::pair<std::string, std::string>, size_t> Index;
    for (const Finding &F : Rewrite->Findings) {
      if (F.Category != "manual" && F.Category != "assisted")
        continue;
      auto K = std::make_pair(F.Category, reasonText(F.Message));
      auto It = Index.find(K);
      if (It == Index.end()) {
        Index[K] = R.Reasons.size();
        R.Reasons.push_back({F.Category, K.second, 0, &F});
        It = Index.find(K);
      }
      ++R.Reasons[It->second].Count;
    }
    std::stable_sort(R.Reasons.begin(), R.Reasons.end(),
                     [](const Reason &A, const Reason &B) {
                       if (A.Category != B.Category)
                         return A.Category == "manual";
                       return A.Count > B.Count;
                     });
  }
  return R;
}

static std::string pct(unsigned A, unsigned B) {
  if (B == 0)
    return "-";
  return utostr((A * 100 + B / 2) / B) + "%";
}

std::string summaryLines(const Report &R) {
  std::string S;
  raw_string_ostream OS(S);
  OS << "spl sections: " << R.Total.Sections.Migrated << " of "
     << R.Total.Sections.Found << " migrated ("
     << pct(R.Total.Sections.Migrated, R.Total.Sections.Found) << "), "
     << R.Total.Sections.remaining() << " remaining\n";
  OS << "sleeps: " << R.Total.Sleeps.Migrated << " of " << R.Total.Sleeps.Found
     << " tsleep sites now msleep with an interlock, "
     << R.Total.Sleeps.remaining() << " remaining\n";
  if (R.Rewrite)
    OS << "rewrite: " << R.Rewrite->Auto << " auto, " << R.Rewrite->Assisted
       << " assisted, " << R.Rewrite->Manual << " manual sites in "
       << R.Rewrite->FilesRewritten << " files\n";
  else
    OS << "rewrite: no rewrite report given\n";
  unsigned RL = R.rewriteLines(), PL = R.patchLines();
  OS << "changed lines: " << RL << " by the rewriter, " << PL
     << " by reviewed patches (" << pct(RL, RL + PL) << " automatic)\n";
  if (R.Locks)
    OS << "witness: " << R.Locks->Files << " graph(s), "
       << R.Locks->Classes.size() << " lock classes, " << R.Reversals.size()
       << " reversal(s)";
  else
    OS << "witness: no graphs given";
  return OS.str();
}

} // namespace report
} // namespace mpsafe
