//===- MarkdownWriter.cpp - the report's Markdown twin -------------------===//

#include "Writers.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace mpsafe {
namespace report {

namespace {

/// Text in a Markdown paragraph or table cell: HTML entities for & < > and
/// backslashes for the characters Markdown would act on.
std::string mdText(StringRef S) {
  std::string O;
  for (char C : S) {
    switch (C) {
    case '&': O += "&amp;"; break;
    case '<': O += "&lt;"; break;
    case '>': O += "&gt;"; break;
    case '|': case '*': case '_': case '`': case '[': case ']': case '\\':
    case '#':
      O += '\\';
      O += C;
      break;
    case '\n': O += ' '; break;
    default: O += C;
    }
  }
  return O;
}

/// A fence longer than any run of backticks inside the block.
std::string fenceFor(StringRef S) {
  size_t Longest = 0, Run = 0;
  for (char C : S) {
    Run = C == '`' ? Run + 1 : 0;
    Longest = std::max(Longest, Run);
  }
  return std::string(std::max<size_t>(3, Longest + 1), '`');
}

std::string cell(const Tally &T) {
  return utostr(T.Migrated) + " / " + utostr(T.Found) + " | " +
         utostr(T.remaining());
}

void table(raw_ostream &OS, StringRef What, const std::vector<Row> &Rows,
           const Row &Total) {
  OS << "| " << What
     << " | spl sections migrated | remaining | sleeps migrated | remaining "
        "| statistics globals made atomic | remaining |\n"
     << "|---|---:|---:|---:|---:|---:|---:|\n";
  for (const Row &Rw : Rows)
    OS << "| " << mdText(Rw.Name) << " | " << cell(Rw.Sections) << " | "
       << cell(Rw.Sleeps) << " | " << cell(Rw.Globals) << " |\n";
  OS << "| **total** | " << cell(Total.Sections) << " | " << cell(Total.Sleeps)
     << " | " << cell(Total.Globals) << " |\n\n";
}

std::string loc(const Finding &F) {
  return F.File + ":" + utostr(F.Line) +
         (F.Column ? ":" + utostr(F.Column) : "");
}

void code(raw_ostream &OS, const Report &R, const Finding &F) {
  unsigned First;
  std::string S = snippet(R.Root, F.File, F.Line, 2, First);
  if (S.empty())
    return;
  std::string Fence = fenceFor(S);
  OS << Fence << "c\n";
  unsigned N = First;
  SmallVector<StringRef, 8> Lines;
  StringRef(S).rtrim('\n').split(Lines, '\n');
  for (StringRef L : Lines) {
    OS << (N == F.Line ? ">" : " ") << format_decimal(N, 5) << "  " << L
       << "\n";
    ++N;
  }
  OS << Fence << "\n\n";
}

} // namespace

void writeMarkdown(raw_ostream &OS, const Report &R) {
  OS << "# " << mdText(R.Title) << "\n\n## Summary\n\n";
  SmallVector<StringRef, 5> Lines;
  std::string Sum = summaryLines(R);
  StringRef(Sum).split(Lines, '\n');
  for (StringRef L : Lines)
    OS << "- " << mdText(L) << "\n";
  OS << "\n## Progress by stage\n\n";
  if (R.Stages.empty())
    OS << "No stage data.\n\n";
  else
    table(OS, "stage", R.Stages, R.Total);
  OS << "## Progress by subsystem\n\n";
  if (R.Modules.empty())
    OS << "No subsystem data.\n\n";
  else
    table(OS, "subsystem", R.Modules, R.Total);

  OS << "## Rewrite: auto, assisted, manual\n\n";
  if (!R.Rewrite) {
    OS << "No rewrite report given.\n\n";
  } else {
    OS << "| auto | assisted | manual | files rewritten | lines by the "
          "rewriter | lines by reviewed patches |\n|---:|---:|---:|---:|---:|"
          "---:|\n| "
       << R.Rewrite->Auto << " | " << R.Rewrite->Assisted << " | "
       << R.Rewrite->Manual << " | " << R.Rewrite->FilesRewritten << " | "
       << R.rewriteLines() << " | " << R.patchLines() << " |\n\n";
    for (const DiffStat &D : R.Patches)
      OS << "- patch `" << D.Path << "`: +" << D.Added << " -" << D.Removed
         << "\n";
    if (!R.Patches.empty())
      OS << "\n";
    if (!R.Reasons.empty()) {
      OS << "| kind | sites | reason | example |\n|---|---:|---|---|\n";
      for (const Reason &Rs : R.Reasons)
        OS << "| " << Rs.Category << " | " << Rs.Count << " | "
           << mdText(Rs.Text) << " | " << mdText(loc(*Rs.Example)) << " |\n";
      OS << "\n";
    }
  }

  OS << "## Lock hierarchy\n\n";
  if (!R.Locks) {
    OS << "No witness graphs or declared order given.\n\n";
  } else {
    OS << R.Locks->Classes.size() << " lock classes from " << R.Locks->Files
       << " graph(s); the drawing is in the HTML page.\n\n"
       << "| held | then acquired | sites | kind |\n|---|---|---|---|\n";
    for (const LockEdge &E : R.Locks->Edges)
      OS << "| " << mdText(R.Locks->Classes[E.From].Name) << " | "
         << mdText(R.Locks->Classes[E.To].Name) << " | "
         << mdText(E.FromSite + " -> " + E.ToSite) << " | "
         << (E.Observed ? (E.Declared ? "observed, declared" : "observed")
                        : "declared")
         << " |\n";
    OS << "\n";
  }

  OS << "## Lock-order reversals\n\n";
  if (R.Locks && R.Reversals.empty())
    OS << "No reversal in the union of " << R.Locks->Files << " graph(s).\n\n";
  unsigned N = 0;
  for (const Reversal &Rv : R.Reversals) {
    OS << "### Reversal " << ++N << ":";
    for (unsigned C : Rv.Classes)
      OS << " " << mdText(R.Locks->Classes[C].Name);
    OS << (Rv.CrossProcess ? " (cross-process)" : "") << "\n\n";
    for (unsigned I : Rv.Edges) {
      const LockEdge &E = R.Locks->Edges[I];
      OS << "- " << mdText(R.Locks->Classes[E.From].Name) << " -> "
         << mdText(R.Locks->Classes[E.To].Name) << ": "
         << (E.Observed ? mdText(E.FromSite + " -> " + E.ToSite)
                        : std::string("declared order"))
         << "\n";
      if (E.Observed) {
        std::string St;
        for (const std::string &F : E.Stack)
          St += F + "\n";
        if (St.empty())
          St = "(no stack saved)\n";
        std::string Fence = fenceFor(St);
        OS << "\n" << Fence << "\n" << St << Fence << "\n";
      }
    }
    OS << "\n";
  }

  OS << "## Findings\n\n";
  if (!R.Scan)
    OS << "No scan facts given.\n";
  for (const Finding *F : R.Listed) {
    OS << "- **" << mdText(F->Severity) << "** `" << F->Rule << "` "
       << mdText(loc(*F)) << ": " << mdText(F->Message) << "\n\n";
    code(OS, R, *F);
  }
}

} // namespace report
} // namespace mpsafe
