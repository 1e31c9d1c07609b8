//===- HtmlWriter.cpp - the report as one offline HTML page --------------===//

#include "Writers.h"
#include "llvm/ADT/StringExtras.h"

using namespace llvm;

namespace mpsafe {
namespace report {

std::string htmlEscape(StringRef S) {
  std::string O;
  O.reserve(S.size());
  for (char C : S) {
    switch (C) {
    case '&': O += "&amp;"; break;
    case '<': O += "&lt;"; break;
    case '>': O += "&gt;"; break;
    case '"': O += "&quot;"; break;
    case '\'': O += "&#39;"; break;
    default: O += C;
    }
  }
  return O;
}

namespace {

const char *const Style = R"css(
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 72em;
       color: #1d2330; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: .2em; }
h2 { font-size: 1.25em; border-bottom: 1px solid #ccd; padding-bottom: .2em;
     margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #d5d8e0; padding: .25em .6em; text-align: left;
         vertical-align: top; }
th { background: #f1f3f7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; width: 8em; height: .7em; background: #e4e7ee;
       border-radius: .35em; overflow: hidden; vertical-align: middle; }
.bar span { display: block; height: 100%; background: #3a8d4f; }
pre { background: #f6f7f9; border: 1px solid #e1e4ea; padding: .5em;
      overflow-x: auto; font-size: 12.5px; margin: .3em 0 .8em; }
pre .hit { background: #fff2b3; display: inline-block; width: 100%; }
.loc { font-family: ui-monospace, monospace; color: #3b4a6b; }
.sev-warning { color: #a4500a; font-weight: 600; }
.cat-manual { color: #a31515; font-weight: 600; }
.cat-assisted { color: #8a6d00; font-weight: 600; }
.summary li { font-family: ui-monospace, monospace; }
.svg { overflow-x: auto; border: 1px solid #e1e4ea; padding: .5em; }
.ok { color: #2d7a3e; font-weight: 600; }
.bad { color: #a31515; font-weight: 600; }
details { margin: .3em 0; }
summary { cursor: pointer; }
)css";

class HtmlWriter {
public:
  HtmlWriter(raw_ostream &OS, const Report &R) : OS(OS), R(R) {}

  void write() {
    OS << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<title>" << htmlEscape(R.Title) << "</title>\n<style>" << Style
       << "</style>\n</head>\n<body>\n";
    OS << "<h1>" << htmlEscape(R.Title) << "</h1>\n";
    summary();
    progress("Progress by stage", "stage", R.Stages, "stages");
    progress("Progress by subsystem", "subsystem", R.Modules, "subsystems");
    rewriteSplit();
    lockHierarchy();
    reversals();
    findings();
    OS << "</body>\n</html>\n";
  }

private:
  void summary() {
    OS << "<section id=\"summary\"><h2>Summary</h2>\n<ul class=\"summary\">\n";
    std::string Lines = summaryLines(R);
    for (StringRef L : split(Lines, '\n'))
      OS << "<li>" << htmlEscape(L) << "</li>\n";
    OS << "</ul>\n<p>Inputs:";
    if (R.Scan)
      OS << " scan <span class=\"loc\">" << htmlEscape(R.Scan->Path) << "</span>;";
    if (R.Rewrite)
      OS << " rewrite <span class=\"loc\">" << htmlEscape(R.Rewrite->Path)
         << "</span>;";
    if (R.Locks)
      OS << " " << R.Locks->Files << " witness graph(s);";
    OS << " " << R.Patches.size() << " reviewed patch(es).</p>\n</section>\n";
  }

  void cell(const Tally &T) {
    unsigned W = T.Found ? (T.Migrated * 100) / T.Found : 0;
    OS << "<td class=\"n\">" << T.Migrated << " / " << T.Found
       << "</td><td class=\"n\">" << T.remaining() << "</td><td>"
       << "<span class=\"bar\"><span style=\"width:" << W
       << "%\"></span></span></td>";
  }

  void progress(StringRef Title, StringRef What, const std::vector<Row> &Rows,
                StringRef Id) {
    OS << "<section id=\"" << Id << "\"><h2>" << Title << "</h2>\n";
    if (Rows.empty()) {
      OS << "<p>No " << What << " data (no scan facts"
         << (What == "stage" ? " or no stages in the plan" : "") << ").</p>\n";
      OS << "</section>\n";
      return;
    }
    OS << "<table>\n<tr><th rowspan=\"2\">" << What
       << "</th><th colspan=\"3\">spl sections</th><th colspan=\"3\">sleeps "
          "(tsleep)</th><th colspan=\"3\">shared globals (statistics made "
          "atomic)</th></tr>\n<tr>";
    for (int I = 0; I < 3; ++I)
      OS << "<th>migrated</th><th>remaining</th><th></th>";
    OS << "</tr>\n";
    for (const Row &Rw : Rows) {
      OS << "<tr><td>" << htmlEscape(Rw.Name) << "</td>";
      cell(Rw.Sections);
      cell(Rw.Sleeps);
      cell(Rw.Globals);
      OS << "</tr>\n";
    }
    OS << "<tr><th>total</th>";
    cell(R.Total.Sections);
    cell(R.Total.Sleeps);
    cell(R.Total.Globals);
    OS << "</tr>\n</table>\n</section>\n";
  }

  void code(StringRef File, unsigned Line) {
    unsigned First;
    std::string S = snippet(R.Root, File, Line, 2, First);
    if (S.empty())
      return;
    OS << "<pre>";
    unsigned N = First;
    for (StringRef L : split(StringRef(S).rtrim('\n'), '\n')) {
      std::string Num = utostr(N);
      std::string Pad(Num.size() < 5 ? 5 - Num.size() : 0, ' ');
      if (N == Line)
        OS << "<span class=\"hit\">";
      OS << Pad << Num << "  " << htmlEscape(L);
      if (N == Line)
        OS << "</span>";
      OS << "\n";
      ++N;
    }
    OS << "</pre>\n";
  }

  static std::string loc(const Finding &F) {
    return F.File + ":" + utostr(F.Line) +
           (F.Column ? ":" + utostr(F.Column) : "");
  }

  void rewriteSplit() {
    OS << "<section id=\"rewrite\"><h2>Rewrite: auto, assisted, manual</h2>\n";
    if (!R.Rewrite) {
      OS << "<p>No rewrite report given.</p></section>\n";
      return;
    }
    const RewriteLog &W = *R.Rewrite;
    OS << "<table><tr><th>auto</th><th>assisted</th><th>manual</th><th>files "
          "rewritten</th><th>lines changed by the rewriter</th><th>lines "
          "changed by reviewed patches</th></tr>\n<tr><td class=\"n\">"
       << W.Auto << "</td><td class=\"n\">" << W.Assisted
       << "</td><td class=\"n\">" << W.Manual << "</td><td class=\"n\">"
       << W.FilesRewritten << "</td><td class=\"n\">" << R.rewriteLines()
       << "</td><td class=\"n\">" << R.patchLines() << "</td></tr></table>\n";
    if (!R.Patches.empty()) {
      OS << "<p>Reviewed patches applied after the rewrite:</p><ul>\n";
      for (const DiffStat &D : R.Patches)
        OS << "<li><span class=\"loc\">" << htmlEscape(D.Path) << "</span>: +"
           << D.Added << " -" << D.Removed << "</li>\n";
      OS << "</ul>\n";
    }
    if (R.Reasons.empty()) {
      OS << "<p class=\"ok\">Every site was rewritten automatically.</p>\n";
    } else {
      OS << "<h3>Why the rest is not automatic</h3>\n<table><tr><th>kind</th>"
            "<th>sites</th><th>reason</th><th>example</th></tr>\n";
      for (const Reason &Rs : R.Reasons)
        OS << "<tr><td class=\"cat-" << htmlEscape(Rs.Category) << "\">"
           << htmlEscape(Rs.Category) << "</td><td class=\"n\">" << Rs.Count
           << "</td><td>" << htmlEscape(Rs.Text) << "</td><td class=\"loc\">"
           << htmlEscape(loc(*Rs.Example)) << "</td></tr>\n";
      OS << "</table>\n";
      OS << "<details><summary>Every manual and assisted site</summary>\n";
      for (const Finding &F : W.Findings) {
        if (F.Category != "manual" && F.Category != "assisted")
          continue;
        OS << "<p><span class=\"cat-" << htmlEscape(F.Category) << "\">"
           << htmlEscape(F.Category) << "</span> <span class=\"loc\">"
           << htmlEscape(loc(F)) << "</span> " << htmlEscape(F.Message)
           << "</p>\n";
        code(F.File, F.Line);
      }
      OS << "</details>\n";
    }
    OS << "</section>\n";
  }

  void lockHierarchy() {
    OS << "<section id=\"locks\"><h2>Lock hierarchy</h2>\n";
    if (!R.Locks) {
      OS << "<p>No witness graphs or declared order given.</p></section>\n";
      return;
    }
    OS << "<p>" << R.Locks->Classes.size() << " lock classes from "
       << R.Locks->Files
       << " graph(s). Solid: observed at run time; dashed: declared only; "
          "red: part of a reversal.</p>\n";
    if (!R.Svg.empty())
      OS << "<div class=\"svg\">" << R.Svg << "</div>\n";
    else
      OS << "<p>No drawing: " << htmlEscape(R.SvgError) << "</p>\n";
    OS << "<details><summary>Edges</summary><table><tr><th>held</th><th>then "
          "acquired</th><th>sites</th><th>kind</th></tr>\n";
    for (const LockEdge &E : R.Locks->Edges)
      OS << "<tr><td>" << htmlEscape(R.Locks->Classes[E.From].Name)
         << "</td><td>" << htmlEscape(R.Locks->Classes[E.To].Name)
         << "</td><td class=\"loc\">" << htmlEscape(E.FromSite) << " &rarr; "
         << htmlEscape(E.ToSite) << "</td><td>"
         << (E.Observed ? (E.Declared ? "observed, declared" : "observed")
                        : "declared")
         << "</td></tr>\n";
    OS << "</table></details>\n</section>\n";
  }

  void reversals() {
    OS << "<section id=\"reversals\"><h2>Lock-order reversals</h2>\n";
    if (!R.Locks) {
      OS << "<p>No witness graphs given.</p></section>\n";
      return;
    }
    if (R.Reversals.empty()) {
      OS << "<p class=\"ok\">No reversal in the union of " << R.Locks->Files
         << " graph(s).</p></section>\n";
      return;
    }
    unsigned N = 0;
    for (const Reversal &Rv : R.Reversals) {
      OS << "<h3 class=\"bad\">Reversal " << ++N << ": ";
      for (size_t I = 0; I < Rv.Classes.size(); ++I)
        OS << (I ? ", " : "") << "&quot;"
           << htmlEscape(R.Locks->Classes[Rv.Classes[I]].Name) << "&quot;";
      OS << (Rv.CrossProcess ? " (cross-process: no single run saw it)" : "")
         << "</h3>\n";
      for (unsigned I : Rv.Edges) {
        const LockEdge &E = R.Locks->Edges[I];
        OS << "<p><b>&quot;" << htmlEscape(R.Locks->Classes[E.From].Name)
           << "&quot; &rarr; &quot;" << htmlEscape(R.Locks->Classes[E.To].Name)
           << "&quot;</b> ";
        if (!E.Observed) {
          OS << "(declared order)</p>\n";
          continue;
        }
        OS << "<span class=\"loc\">" << htmlEscape(E.FromSite) << " &rarr; "
           << htmlEscape(E.ToSite) << "</span>, first seen in "
           << htmlEscape(E.Program.empty() ? E.Graph : E.Program) << "</p>\n";
        OS << "<pre>";
        if (E.Stack.empty())
          OS << "(no stack saved)\n";
        for (const std::string &Fr : E.Stack)
          OS << htmlEscape(Fr) << "\n";
        OS << "</pre>\n";
      }
    }
    OS << "</section>\n";
  }

  void findings() {
    OS << "<section id=\"findings\"><h2>Findings</h2>\n";
    if (!R.Scan) {
      OS << "<p>No scan facts given.</p></section>\n";
      return;
    }
    std::string Rule;
    bool Open = false;
    for (const Finding *F : R.Listed) {
      std::string Group = F->Severity + " " + F->Rule;
      if (Group != Rule) {
        if (Open)
          OS << "</details>\n";
        unsigned Count = 0;
        for (const Finding *G : R.Listed)
          Count += (G->Severity + " " + G->Rule) == Group;
        OS << "<details" << (F->Severity == "warning" ? " open" : "")
           << "><summary><span class=\"sev-" << htmlEscape(F->Severity)
           << "\">" << htmlEscape(F->Severity) << "</span> "
           << htmlEscape(F->Rule) << " (" << Count << ")</summary>\n";
        Rule = Group;
        Open = true;
      }
      OS << "<p><span class=\"loc\">" << htmlEscape(loc(*F)) << "</span>"
         << (F->Function.empty() ? "" : " in <code>" + htmlEscape(F->Function) +
                                            "</code>")
         << ": " << htmlEscape(F->Message) << "</p>\n";
      code(F->File, F->Line);
    }
    if (Open)
      OS << "</details>\n";
    OS << "</section>\n";
  }

  static std::vector<StringRef> split(StringRef S, char C) {
    SmallVector<StringRef, 8> V;
    S.split(V, C);
    return {V.begin(), V.end()};
  }

  raw_ostream &OS;
  const Report &R;
};

} // namespace

void writeHtml(raw_ostream &OS, const Report &R) { HtmlWriter(OS, R).write(); }

} // namespace report
} // namespace mpsafe
