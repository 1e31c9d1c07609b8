//===- ScanMain.cpp - mpsafe-scan
//---------------------------------------------===//
//
// mpsafe-scan -p BUILD_DIR [FILES...] [--format text|sarif|json|markdown|facts]
//             [-o FILE] [--baseline FILE] [--fail-on-new] [-j N]
//             [--extra-arg ARG] [--shard I/N] [--cache-dir DIR | --no-cache]
// mpsafe-scan --merge FACTS... [--format ...]
//
// Exit status: 0 ran clean, 1 new findings under --fail-on-new, 2 some files
// failed to parse (the rest was analysed), 3 usage error. See docs/scan.md.
//
//===----------------------------------------------------------------------===//

#include "../rules/Rule.h"
#include "Cache.h"
#include "Extractor.h"
#include "ScanContext.h"
#include "Summary.h"
#include "mpsafe/FrontDoor.h"
#ifdef MPSAFE_HAVE_PLAN
#include "DraftPlan.h"
#endif
#include "mpsafe/Report.h"
#include "clang/Frontend/FrontendAction.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <atomic>

using namespace mpsafe;
using namespace mpsafe::scan;
namespace cl = llvm::cl;
namespace json = llvm::json;

static cl::OptionCategory Cat("mpsafe-scan options");
static cl::opt<std::string>
    BuildDir("p", cl::desc("Build directory holding compile_commands.json"),
             cl::value_desc("BUILD_DIR"), cl::cat(Cat));
static cl::list<std::string> Files(cl::Positional, cl::desc("[FILES...]"),
                                   cl::cat(Cat));
static cl::opt<std::string>
    FormatName("format",
               cl::desc("text, sarif, json, markdown or facts (default text)"),
               cl::init("text"), cl::cat(Cat));
static cl::opt<std::string>
    OutFile("o", cl::desc("Write the report here (default stdout)"),
            cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<std::string>
    Baseline("baseline", cl::desc("Findings of this JSON report are known"),
             cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<bool>
    FailOnNew("fail-on-new",
              cl::desc("Exit 1 when a warning is not in the baseline"),
              cl::cat(Cat));
static cl::opt<unsigned> Jobs("j", cl::desc("Parallel jobs (0 = one per core)"),
                              cl::init(0), cl::Prefix, cl::cat(Cat));
static cl::list<std::string>
    ExtraArgs("extra-arg",
              cl::desc("Append this argument to every compile command"),
              cl::cat(Cat));
static cl::opt<std::string>
    Shard("shard", cl::desc("Scan only shard I of N (1-based), e.g. 2/8"),
          cl::value_desc("I/N"), cl::cat(Cat));
static cl::opt<bool> Merge(
    "merge",
    cl::desc("Positional arguments are facts files (--format facts) to merge"),
    cl::cat(Cat));
static cl::opt<std::string>
    CacheDir("cache-dir",
             cl::desc("Facts cache (default BUILD_DIR/.mpsafe-scan-cache)"),
             cl::cat(Cat));
static cl::opt<bool>
    NoCache("no-cache", cl::desc("Parse every file; read and write no cache"),
            cl::cat(Cat));
static cl::opt<std::string>
    RootOpt("root",
            cl::desc("Paths in reports are relative to this directory "
                     "(default: the deepest directory holding every file of "
                     "the compile DB)"),
            cl::cat(Cat));
static cl::list<std::string>
    ModuleOpt("module",
              cl::desc("PREFIX=NAME: files under PREFIX (relative to the root) "
                       "form module NAME (default: one module per directory)"),
              cl::cat(Cat));
static cl::opt<std::string>
    EmitPlan("emit-plan", cl::desc("Write a draft migration plan (YAML) here"),
             cl::value_desc("FILE"), cl::cat(Cat));
static cl::opt<bool> Quiet("quiet", cl::desc("No summary line on stderr"),
                           cl::cat(Cat));

namespace {

struct Inputs {
  std::vector<TUFacts> TUs;
  std::vector<ParseResult> Failures;
  std::string Root;
  unsigned Parsed = 0, Cached = 0;
};

[[noreturn]] void usage(const llvm::Twine &Msg) {
  llvm::errs() << "mpsafe-scan: error: " << Msg << "\n";
  std::exit(ExitUsage);
}

void usage(llvm::Error E) { usage(llvm::toString(std::move(E))); }

json::Value factsFile(const Inputs &In) {
  json::Array TUs, Failures;
  for (const TUFacts &T : In.TUs)
    TUs.push_back(toJSON(T));
  for (const ParseResult &P : In.Failures) {
    json::Array Errs;
    for (const std::string &E : P.Errors)
      Errs.push_back(E);
    Failures.push_back(
        json::Object{{"file", P.File}, {"errors", std::move(Errs)}});
  }
  return json::Object{{"mpsafe_scan_facts", 1},
                      {"root", In.Root},
                      {"tus", std::move(TUs)},
                      {"failures", std::move(Failures)}};
}

void readFactsFile(const std::string &Path, Inputs &In) {
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf)
    usage(Path + ": cannot read: " + Buf.getError().message());
  auto V = json::parse((*Buf)->getBuffer());
  if (!V)
    usage(Path + ": malformed JSON: " + llvm::toString(V.takeError()));
  const json::Object *O = V->getAsObject();
  if (!O || !O->getInteger("mpsafe_scan_facts"))
    usage(Path + ": not a facts file (write one with --format facts)");
  if (In.Root.empty())
    if (auto R = O->getString("root"))
      In.Root = R->str();
  if (const json::Array *A = O->getArray("tus"))
    for (size_t I = 0; I < A->size(); ++I) {
      TUFacts T;
      json::Path::Root R("tus");
      if (!fromJSON((*A)[I], T, R))
        usage(Path + ": tus[" + llvm::Twine(I) +
              "]: " + llvm::toString(R.getError()));
      In.TUs.push_back(std::move(T));
    }
  if (const json::Array *A = O->getArray("failures"))
    for (const json::Value &E : *A)
      if (const json::Object *F = E.getAsObject()) {
        ParseResult P;
        if (auto File = F->getString("file"))
          P.File = File->str();
        if (const json::Array *Errs = F->getArray("errors"))
          for (const json::Value &X : *Errs)
            if (auto S = X.getAsString())
              P.Errors.push_back(S->str());
        In.Failures.push_back(std::move(P));
      }
}

void scanFiles(Inputs &In) {
  auto DBOr = CompileDB::load(BuildDir);
  if (!DBOr)
    usage(DBOr.takeError());
  std::unique_ptr<CompileDB> DB = std::move(*DBOr);
  for (const std::string &W : DB->warnings())
    llvm::errs() << "mpsafe-scan: warning: " << W << "\n";
  auto Sel = DB->select(Files);
  if (!Sel)
    usage(Sel.takeError());
  std::vector<std::string> Selected = std::move(*Sel);
  if (!Shard.empty()) {
    unsigned I = 0, N = 0;
    llvm::StringRef A, B;
    std::tie(A, B) = llvm::StringRef(Shard).split('/');
    if (A.getAsInteger(10, I) || B.getAsInteger(10, N) || N == 0 || I == 0 ||
        I > N)
      usage("--shard: expected I/N with 1 <= I <= N, got '" + Shard + "'");
    std::vector<std::string> Mine;
    for (size_t K = 0; K < Selected.size(); ++K)
      if (K % N == I - 1)
        Mine.push_back(Selected[K]);
    Selected = std::move(Mine);
  }
  In.Root = RootOpt.empty() ? DB->commonRoot() : std::string(RootOpt);
  std::string Why;
  std::string ResourceDir = findResourceDir(&Why);
  if (ResourceDir.empty())
    usage(Why);
  auto Adjust = makeArgumentsAdjuster(ExtraArgs, ResourceDir);
  std::string Dir = CacheDir;
  if (Dir.empty()) {
    llvm::SmallString<256> D(llvm::sys::path::parent_path(DB->path()));
    llvm::sys::path::append(D, ".mpsafe-scan-cache");
    Dir = std::string(D);
  }
  FactsCache Cache(NoCache ? std::string() : Dir);

  std::vector<TUFacts> Facts(Selected.size());
  std::vector<ParseResult> Results(Selected.size());
  std::atomic<unsigned> Parsed{0}, Cached{0};
  parallelFor(Selected.size(), Jobs, /*Progress=*/true, [&](size_t I) {
    std::vector<clang::tooling::CompileCommand> Cmds =
        DB->getCompileCommands(Selected[I]);
    const clang::tooling::CompileCommand &Cmd = Cmds.front();
    std::vector<std::string> Args = Adjust(Cmd.CommandLine, Cmd.Filename);
    Args.push_back(Cmd.Directory);
    if (Cache.lookup(Cmd.Filename, Args, Facts[I])) {
      Results[I].File = Cmd.Filename;
      Results[I].Ok = true;
      ++Cached;
      return;
    }
    std::vector<std::string> Deps;
    Results[I] = runAction(Cmd, Adjust, makeExtractAction(Facts[I], Deps));
    ++Parsed;
    if (Results[I].Ok)
      Cache.store(Cmd.Filename, Args, Deps, Facts[I]);
  });
  for (size_t I = 0; I < Selected.size(); ++I) {
    if (Results[I].Ok)
      In.TUs.push_back(std::move(Facts[I]));
    else
      In.Failures.push_back(std::move(Results[I]));
  }
  In.Parsed = Parsed;
  In.Cached = Cached;
}

} // namespace

int main(int argc, char **argv) {
  cl::HideUnrelatedOptions(Cat);
  if (!cl::ParseCommandLineOptions(
          argc, argv,
          "mpsafe-scan: find spl sections, sleeps and shared globals\n\n"
          "Exit status: 0 clean, 1 new findings (--fail-on-new), 2 some "
          "files failed to parse, 3 usage error.\n",
          &llvm::errs()))
    return ExitUsage;

  bool FactsOut = FormatName == "facts";
  Format Fmt = Format::Text;
  if (!FactsOut) {
    auto F = parseFormat(FormatName);
    if (!F)
      usage(F.takeError());
    Fmt = *F;
  }
  std::vector<std::pair<std::string, std::string>> Modules;
  for (const std::string &M : ModuleOpt) {
    auto KV = llvm::StringRef(M).split('=');
    if (KV.second.empty())
      usage("--module: expected PREFIX=NAME, got '" + M + "'");
    Modules.emplace_back(KV.first.str(), KV.second.str());
  }
  std::set<std::string> BaselineIds;
  if (!Baseline.empty()) {
    auto B = readBaseline(Baseline);
    if (!B)
      usage(B.takeError());
    BaselineIds = std::move(*B);
  }
  if (FailOnNew && Baseline.empty())
    usage("--fail-on-new needs --baseline FILE");
#ifndef MPSAFE_HAVE_PLAN
  if (!EmitPlan.empty())
    usage("--emit-plan: not available in this build (the plan library "
          "mpsafe_plan was not found)");
#endif

  Inputs In;
  if (Merge) {
    if (Files.empty())
      usage("--merge: name the facts files to merge");
    for (const std::string &F : Files)
      readFactsFile(F, In);
    if (!RootOpt.empty())
      In.Root = RootOpt;
  } else {
    if (BuildDir.empty())
      usage("no build directory: pass -p BUILD_DIR (the directory holding "
            "compile_commands.json)");
    scanFiles(In);
  }

  int Status = In.Failures.empty() ? ExitClean : ExitParseFailure;
  if (FactsOut) {
    if (auto E = writeFileAtomically(OutFile, [&](llvm::raw_ostream &OS) {
          OS << factsFile(In) << "\n";
        }))
      usage(std::move(E));
    return Status;
  }

  unsigned NTUs = In.TUs.size();
  ScanContext Ctx(std::move(In.TUs), In.Root, Modules);
  Report R;
  R.Tool = "mpsafe-scan";
  R.Root = In.Root;
  R.Failures = In.Failures;
  for (const auto &Rule : allRules()) {
    R.Rules.push_back(Rule->info());
    Rule->check(Ctx, R.Findings);
  }
  assignIds(R);
  unsigned New = applyBaseline(R, BaselineIds);
  if (Fmt == Format::Markdown)
    R.MarkdownExtra = markdownSummary(Ctx);
  if (Fmt == Format::Json)
    R.JsonExtra = jsonSummary(Ctx);
  if (auto E = writeFileAtomically(
          OutFile, [&](llvm::raw_ostream &OS) { writeReport(R, Fmt, OS); }))
    usage(std::move(E));

#ifdef MPSAFE_HAVE_PLAN
  if (!EmitPlan.empty()) {
    plan::Plan P = draftPlan(Ctx, Modules);
    if (llvm::Error E = plan::validatePlan(P))
      usage("--emit-plan: the draft plan does not validate: " +
            llvm::toString(std::move(E)));
    if (llvm::Error E = plan::writePlanFile(EmitPlan, P))
      usage(EmitPlan + ": " + llvm::toString(std::move(E)));
  }
#endif

  unsigned Warn = 0, Notes = 0;
  for (const Finding &F : R.Findings)
    ++(F.Level == Severity::Note ? Notes : Warn);
  if (!Quiet) {
    llvm::errs() << "mpsafe-scan: " << NTUs + R.Failures.size() << " files ("
                 << In.Parsed << " parsed, " << In.Cached << " cached), "
                 << R.Failures.size() << " failed to parse; " << Warn
                 << " warnings (" << New << " new), " << Notes << " notes\n";
    for (const ParseResult &P : R.Failures)
      llvm::errs() << "mpsafe-scan: " << P.File << ": failed to parse: "
                   << (P.Errors.empty() ? "?" : P.Errors.front()) << "\n";
  }
  if (Status == ExitClean && FailOnNew && New > 0)
    Status = ExitNewFindings;
  // Like clang's -disable-free: the facts of a large tree take a while to
  // free, and the process is about to end anyway.
  llvm::outs().flush();
  llvm::errs().flush();
  std::_Exit(Status);
}
