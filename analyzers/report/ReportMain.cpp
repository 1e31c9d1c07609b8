//===- ReportMain.cpp - mpsafe-report -------------------------------------===//
//
// mpsafe-report --scan FACTS.json --rewrite REWRITE.json [--plan PLAN]
//   [--rewrite-diff DIFF] [--patches DIR] [--order FILE] [--root DIR]
//   -o REPORT.html [--markdown REPORT.md] [--summary] [GRAPH...]
//
// Exit status: 0 written, 2 bad input (the file and why), 3 usage error.
// docs/report.md describes the page.
//
//===----------------------------------------------------------------------===//

#include "Inputs.h"
#include "LockGraph.h"
#include "Progress.h"
#include "Writers.h"
#include "mpsafe/Plan.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <functional>
#include <memory>

using namespace llvm;
using namespace mpsafe;
using namespace mpsafe::report;

static cl::OptionCategory Cat("mpsafe-report options");
static cl::opt<std::string> ScanPath("scan", cl::desc("mpsafe-scan --format json facts"),
                                     cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string> RewritePath("rewrite",
                                        cl::desc("mpsafe-rewrite --format json report"),
                                        cl::value_desc("FILE"), cl::cat(Cat));
static cl::list<std::string> RewriteDiffs(
    "rewrite-diff", cl::desc("the rewrite as a unified diff (mpsafe-rewrite --dry-run)"),
    cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string> PatchDir("patches",
                                     cl::desc("directory of reviewed *.patch files"),
                                     cl::value_desc("DIR"), cl::cat(Cat));
static cl::opt<std::string> PlanPath("plan", cl::desc("the migration plan (stages, modules)"),
                                     cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string> OrderPath("order", cl::desc("declared lock order file"),
                                      cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string> Root("root",
                                 cl::desc("source root for snippets (default: the plan's root)"),
                                 cl::value_desc("DIR"), cl::cat(Cat));
static cl::opt<std::string> Output("o", cl::desc("the HTML page to write"),
                                   cl::value_desc("FILE"), cl::Required, cl::cat(Cat));
static cl::opt<std::string> MdOutput("markdown",
                                     cl::desc("the Markdown twin (default: the page's name with .md)"),
                                     cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string> Title("title", cl::desc("page title"),
                                  cl::init("mpsafe migration report"), cl::cat(Cat));
static cl::opt<bool> Summary("summary", cl::desc("print the five-line summary on stdout"),
                             cl::cat(Cat));
static cl::list<std::string> Graphs(cl::Positional, cl::desc("[GRAPH...]"), cl::cat(Cat));

static int badInput(Error E) {
  // Messages already read "FILE[:LINE]: error: why".
  errs() << toString(std::move(E)) << "\n";
  return 2;
}

/// Writes through a temporary file renamed into place: a reader never sees
/// half a page.
static Error writeAtomically(StringRef Path,
                             const std::function<void(raw_ostream &)> &Body) {
  SmallString<256> Tmp(Path);
  Tmp += ".tmp";
  {
    std::error_code EC;
    raw_fd_ostream OS(Tmp, EC);
    if (EC)
      return createStringError(EC, Path + ": cannot write: " + EC.message());
    Body(OS);
    OS.close();
    if (OS.has_error())
      return createStringError(OS.error(), Path + ": write failed");
  }
  if (std::error_code EC = sys::fs::rename(Tmp, Path))
    return createStringError(EC, Path + ": cannot rename into place");
  return Error::success();
}

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(Cat);
  if (!cl::ParseCommandLineOptions(argc, argv,
                                   "mpsafe-report: the migration report as HTML and Markdown\n\n"
                                   "Exit status: 0 written, 2 bad input, 3 usage error.\n",
                                   &errs()))
    return 3;
  if (ScanPath.empty() && RewritePath.empty() && Graphs.empty()) {
    errs() << "mpsafe-report: nothing to report: give --scan, --rewrite or "
              "witness graphs\n";
    return 3;
  }

  std::unique_ptr<ScanFacts> Scan;
  std::unique_ptr<RewriteLog> Rewrite;
  std::unique_ptr<plan::Plan> Plan;
  if (!ScanPath.empty()) {
    auto S = loadScan(ScanPath);
    if (!S)
      return badInput(S.takeError());
    Scan = std::make_unique<ScanFacts>(std::move(*S));
  }
  if (!RewritePath.empty()) {
    auto W = loadRewrite(RewritePath);
    if (!W)
      return badInput(W.takeError());
    Rewrite = std::make_unique<RewriteLog>(std::move(*W));
  }
  if (!PlanPath.empty()) {
    auto P = plan::readPlan(PlanPath);
    if (!P)
      return badInput(P.takeError());
    Plan = std::make_unique<plan::Plan>(std::move(*P));
  }

  Report R = buildReport(Scan.get(), Rewrite.get(), Plan.get());
  R.Title = Title;
  if (!Root.empty())
    R.Root = Root;
  else if (Plan) {
    SmallString<256> Dir(Plan->Root);
    if (Dir.empty() || !sys::path::is_absolute(Dir)) {
      SmallString<256> Base(sys::path::parent_path(PlanPath));
      sys::path::append(Base, Dir);
      Dir = Base;
    }
    R.Root = std::string(Dir);
  } else {
    R.Root = ".";
  }

  for (const std::string &D : RewriteDiffs) {
    auto S = loadDiff(D);
    if (!S)
      return badInput(S.takeError());
    R.RewriteDiffs.push_back(*S);
  }
  if (!PatchDir.empty()) {
    std::error_code EC;
    std::vector<std::string> Files;
    for (sys::fs::directory_iterator It(PatchDir, EC), End; It != End && !EC;
         It.increment(EC))
      if (StringRef(It->path()).endswith(".patch"))
        Files.push_back(It->path());
    if (EC)
      return badInput(createStringError(EC, PatchDir + ": cannot list: " +
                                                EC.message()));
    std::sort(Files.begin(), Files.end());
    for (const std::string &F : Files) {
      auto S = loadDiff(F);
      if (!S)
        return badInput(S.takeError());
      R.Patches.push_back(*S);
    }
  }

  LockGraph Locks;
  bool HaveLocks = !Graphs.empty() || !OrderPath.empty();
  for (const std::string &G : Graphs)
    if (Error E = Locks.addGraphFile(G))
      return badInput(std::move(E));
  if (!OrderPath.empty())
    if (Error E = Locks.addOrderFile(OrderPath))
      return badInput(std::move(E));
  if (HaveLocks) {
    R.Locks = &Locks;
    R.Reversals = Locks.reversals();
    if (!Locks.Classes.empty()) {
      auto Svg = renderSvg(Locks.dot());
      if (Svg)
        R.Svg = std::move(*Svg);
      else
        R.SvgError = toString(Svg.takeError());
    } else {
      R.SvgError = "no lock classes";
    }
  }

  std::string Md = MdOutput;
  if (Md.empty()) {
    SmallString<256> P(Output);
    sys::path::replace_extension(P, "md");
    Md = std::string(P);
  }
  if (Error E = writeAtomically(Output, [&](raw_ostream &OS) { writeHtml(OS, R); }))
    return badInput(std::move(E));
  if (Error E = writeAtomically(Md, [&](raw_ostream &OS) { writeMarkdown(OS, R); }))
    return badInput(std::move(E));
  if (Summary)
    outs() << summaryLines(R) << "\n";
  return 0;
}
