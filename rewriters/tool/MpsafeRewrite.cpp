//===- MpsafeRewrite.cpp - mpsafe-rewrite: apply a migration plan ---------===//
//
//   mpsafe-rewrite -p BUILD_DIR --plan FILE [FILES...]
//       [--dry-run | --in-place | --out-dir DIR | --export-fixes FILE |
//        --check-plan]
//       [--stage NAME] [--format-edits] [-j N]
//       [--format text|sarif|json|markdown] [-o REPORT] [--extra-arg ARG]
//
// See docs/rewrite.md. Exit status: 0 done, 2 some files not written (parse
// failure or conflicting edits; the rest was written), 3 usage error
// (nothing written).
//
//===----------------------------------------------------------------------===//

#include "Rewrite.h"

#include "mpsafe/FrontDoor.h"
#include "mpsafe/Report.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mpsafe;

static cl::OptionCategory Cat("mpsafe-rewrite options");
static cl::opt<std::string>
    BuildDir("p", cl::desc("build directory holding compile_commands.json"),
             cl::value_desc("BUILD_DIR"), cl::cat(Cat));
static cl::opt<std::string>
    PlanFile("plan", cl::desc("the migration plan (docs/plan.md)"),
             cl::value_desc("FILE"), cl::cat(Cat));
static cl::list<std::string> Files(cl::Positional, cl::desc("[FILES...]"),
                                   cl::cat(Cat));
static cl::opt<bool>
    DryRun("dry-run", cl::desc("print a unified diff (default)"), cl::cat(Cat));
static cl::opt<bool> InPlace("in-place", cl::desc("rewrite the files"),
                             cl::cat(Cat));
static cl::opt<std::string>
    OutDir("out-dir", cl::desc("write the rewritten tree under DIR"),
           cl::value_desc("DIR"), cl::cat(Cat));
static cl::opt<std::string>
    ExportFixes("export-fixes", cl::desc("write clang-apply-replacements YAML"),
                cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<bool> CheckPlan(
    "check-plan",
    cl::desc("check the plan against the code (sites, stages of the locks) "
             "and write nothing"),
    cl::cat(Cat));
static cl::opt<std::string>
    Stage("stage",
          cl::desc("migrate the modules of the plan's stages up to NAME"),
          cl::value_desc("NAME"), cl::cat(Cat));
static cl::opt<bool> FormatEdits("format-edits",
                                 cl::desc("clang-format the edited lines"),
                                 cl::cat(Cat));
static cl::opt<unsigned>
    Jobs("j", cl::desc("parallel translation units (0: one per core)"),
         cl::init(0), cl::Prefix, cl::cat(Cat));
static cl::opt<std::string>
    ReportFormat("format", cl::desc("report format: text|sarif|json|markdown"),
                 cl::init("text"), cl::cat(Cat));
static cl::opt<std::string>
    ReportFile("o", cl::desc("write the report here (default: stderr)"),
               cl::value_desc("FILE"), cl::cat(Cat));
static cl::list<std::string>
    ExtraArgs("extra-arg", cl::desc("extra compiler argument"), cl::cat(Cat));

static int usage(const Twine &Msg) {
  errs() << "mpsafe-rewrite: " << Msg << "\n";
  return ExitUsage;
}

int main(int argc, char **argv) {
  InitLLVM X(argc, argv);
  cl::HideUnrelatedOptions(Cat);
  if (!cl::ParseCommandLineOptions(
          argc, argv, "mpsafe-rewrite: apply a migration plan\n", &errs()))
    return ExitUsage;
  int Modes = DryRun + InPlace + !OutDir.empty() + !ExportFixes.empty() +
              CheckPlan;
  if (Modes > 1)
    return usage("--dry-run, --in-place, --out-dir, --export-fixes and "
                 "--check-plan are exclusive");
  auto Fmt = parseFormat(ReportFormat);
  if (!Fmt)
    return usage(toString(Fmt.takeError()));

  rewrite::Options O;
  O.BuildDir = BuildDir;
  O.PlanPath = PlanFile;
  O.Files.assign(Files.begin(), Files.end());
  O.Stage = Stage;
  O.Jobs = Jobs;
  O.ExtraArgs.assign(ExtraArgs.begin(), ExtraArgs.end());
  O.FormatEdits = FormatEdits;
  auto R = rewrite::computeRewrite(O);
  if (!R) {
    errs() << toString(R.takeError()) << "\n";
    errs() << "mpsafe-rewrite: nothing written\n";
    return ExitUsage;
  }

  if (CheckPlan) {
    // The plan errors (sites, lock stages) made computeRewrite fail above;
    // here the plan applies. The report still goes where -o says.
    if (!ReportFile.empty() && ReportFile != "-")
      if (Error E = writeFileAtomically(ReportFile, [&](raw_ostream &OS) {
            writeReport(R->Rep, *Fmt, OS);
          })) {
        errs() << "mpsafe-rewrite: " << toString(std::move(E)) << "\n";
        return ExitParseFailure;
      }
    for (const ParseResult &F : R->Rep.Failures)
      errs() << F.File << ": error: failed to parse\n";
    outs() << "mpsafe-rewrite: plan " << PlanFile << " checked"
           << (Stage.empty() ? std::string(" (every stage)")
                             : " (stages up to " + Stage + ")")
           << ": " << R->Plan.Sites.size() << " sites, "
           << R->Plan.Locks.size() << " locks; nothing written\n";
    return R->Status;
  }

  std::vector<std::string> Errs;
  if (InPlace)
    Errs = rewrite::writeInPlace(*R);
  else if (!OutDir.empty())
    Errs = rewrite::writeOutDir(*R, OutDir);
  else if (!ExportFixes.empty()) {
    if (Error E = rewrite::exportFixes(*R, ExportFixes))
      Errs.push_back(toString(std::move(E)));
  } else
    rewrite::printDiff(*R, outs());
  outs().flush();

  if (ReportFile.empty() || ReportFile == "-") {
    writeReport(R->Rep, *Fmt, errs());
  } else if (Error E = writeFileAtomically(ReportFile, [&](raw_ostream &OS) {
               writeReport(R->Rep, *Fmt, OS);
             })) {
    Errs.push_back(toString(std::move(E)));
  }
  for (const ParseResult &F : R->Rep.Failures) {
    errs() << F.File << ": error: failed to parse; not written\n";
    for (const std::string &E : F.Errors)
      errs() << "  " << E << "\n";
  }
  for (const std::string &E : Errs)
    errs() << "mpsafe-rewrite: " << E << "\n";
  if (!Errs.empty())
    return ExitParseFailure;
  return R->Status;
}
