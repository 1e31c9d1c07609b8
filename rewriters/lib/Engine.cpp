//===- Engine.cpp - run the rewrites over every TU, merge, output ---------===//

#include "Rewrite.h"
#include "TUContext.h"

#include "mpsafe/FrontDoor.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Format/Format.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/PPCallbacks.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Tooling/Core/Replacement.h"
#include "clang/Tooling/ReplacementsYaml.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/YAMLTraits.h"

using namespace clang;
using llvm::StringRef;

namespace mpsafe {
namespace rewrite {
namespace {

/// What one TU hands back to the merge.
struct TUResult {
  ParseResult Parse;
  std::string MainFile;
  std::vector<Edit> Edits;
  std::vector<Finding> Sites;
  std::map<std::string, std::string> Contents; ///< edited files' bytes
  std::set<std::string> Project;
  std::set<std::string> Functions;
  std::map<std::string, std::string> DefinedIn; ///< name -> canonical file
  /// Struct tag -> canonical file of its definition.
  std::map<std::string, std::string> StructIn;
  std::map<std::string, std::set<unsigned>> RaiseLines;
  std::vector<LockUse> LockUses;
  std::vector<FunctionNode> Graph;
  std::vector<HeldSection> Held;
};

/// Include positions, conditional depth, include guards, skipped branches
/// and defined macro names.
class Facts : public PPCallbacks {
public:
  Facts(TUContext &C, SourceManager &SM) : C(C), SM(SM) {}

  void InclusionDirective(SourceLocation HashLoc, const Token &, StringRef,
                          bool, CharSourceRange FilenameRange,
                          const FileEntry *, StringRef, StringRef,
                          const clang::Module *,
                          SrcMgr::CharacteristicKind) override {
    if (HashLoc.isMacroID())
      return;
    auto D = SM.getDecomposedLoc(SM.getExpansionLoc(FilenameRange.getEnd()));
    StringRef Buf = SM.getBufferData(D.first);
    size_t NL = Buf.find('\n', D.second);
    unsigned After = NL == StringRef::npos ? Buf.size() : NL + 1;
    unsigned Depth = Depths[D.first];
    auto It = BestDepth.find(D.first);
    FileFacts &F = C.facts(D.first);
    // Only the leading block counts: an include after a declaration
    // (net/if_var.h includes more after its structs) is not where the
    // headers a new field needs may go.
    unsigned Hash = SM.getDecomposedLoc(HashLoc).second;
    unsigned &Prev = BlockEnd[D.first];
    if (Closed.count(D.first) ||
        (Prev <= Hash && !onlyDirectives(Buf.slice(Prev, Hash)))) {
      Closed.insert(D.first);
      return;
    }
    Prev = After;
    if (It == BestDepth.end() || Depth <= It->second) {
      BestDepth[D.first] = Depth;
      F.AfterIncludes = After;
      F.HasIncludes = true;
    }
  }
  void If(SourceLocation Loc, SourceRange, ConditionValueKind) override {
    ++Depths[SM.getFileID(Loc)];
  }
  void Ifdef(SourceLocation Loc, const Token &,
             const MacroDefinition &) override {
    ++Depths[SM.getFileID(Loc)];
  }
  void Ifndef(SourceLocation Loc, const Token &Name,
              const MacroDefinition &) override {
    FileID FID = SM.getFileID(Loc);
    if (!Depths[FID] && !Guard.count(FID))
      Guard[FID] = Name.getIdentifierInfo()->getName().str();
    ++Depths[FID];
  }
  void Endif(SourceLocation Loc, SourceLocation) override {
    unsigned &D = Depths[SM.getFileID(Loc)];
    if (D)
      --D;
  }
  void MacroDefined(const Token &Name, const MacroDirective *MD) override {
    StringRef N = Name.getIdentifierInfo()->getName();
    C.Macros.insert(N.str());
    SourceLocation L = Name.getLocation();
    if (L.isInvalid() || !SM.getFileID(L).isValid() || L.isMacroID())
      return;
    FileID FID = SM.getFileID(L);
    auto G = Guard.find(FID);
    if (G != Guard.end() && G->second == N && !GuardDone.count(FID)) {
      GuardDone.insert(FID);
      auto D = SM.getDecomposedLoc(L);
      StringRef Buf = SM.getBufferData(D.first);
      size_t NL = Buf.find('\n', D.second);
      C.facts(FID).AfterGuard = NL == StringRef::npos ? Buf.size() : NL + 1;
    }
  }
  void SourceRangeSkipped(SourceRange R, SourceLocation) override {
    auto B = SM.getDecomposedLoc(R.getBegin());
    auto E = SM.getDecomposedLoc(R.getEnd());
    if (B.first == E.first)
      C.Skipped.push_back({B.first, B.second, E.second});
  }

private:
  TUContext &C;
  SourceManager &SM;
  std::map<FileID, unsigned> Depths, BestDepth, BlockEnd;
  std::map<FileID, std::string> Guard;
  std::set<FileID> GuardDone, Closed;

  /// Text holds only blank lines, comments and preprocessor directives.
  static bool onlyDirectives(StringRef Text) {
    bool InComment = false, LineStart = true, InDirective = false;
    for (size_t I = 0; I < Text.size(); ++I) {
      char Ch = Text[I];
      if (InComment) {
        if (Ch == '*' && I + 1 < Text.size() && Text[I + 1] == '/') {
          InComment = false;
          ++I;
        }
        continue;
      }
      if (Ch == '/' && I + 1 < Text.size() && Text[I + 1] == '*') {
        InComment = true;
        ++I;
        continue;
      }
      if (Ch == '/' && I + 1 < Text.size() && Text[I + 1] == '/') {
        size_t NL = Text.find('\n', I);
        if (NL == StringRef::npos)
          return true;
        I = NL - 1;
        continue;
      }
      if (Ch == '\\' && I + 1 < Text.size() && Text[I + 1] == '\n') {
        ++I; // a continued line stays what it was
        continue;
      }
      if (Ch == '\n') {
        LineStart = true;
        InDirective = false;
        continue;
      }
      if (Ch == ' ' || Ch == '\t' || Ch == '\r' || Ch == '\f')
        continue;
      if (LineStart && Ch == '#')
        InDirective = true;
      else if (!InDirective)
        return false;
      LineStart = false;
    }
    return true;
  }
};

struct Shared {
  const plan::Plan *P;
  const plan::Profile *Prof;
  std::string Root;
  const std::set<std::string> *Modules;
};

class Consumer : public ASTConsumer {
public:
  Consumer(std::unique_ptr<TUContext> &Slot, TUResult &Out)
      : Slot(Slot), Out(Out) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    TUContext &C = *Slot;
    SourceManager &SM = Ctx.getSourceManager();
    for (Decl *D : Ctx.getTranslationUnitDecl()->decls())
      if (auto *ND = dyn_cast<NamedDecl>(D))
        if (ND->getIdentifier()) {
          C.Declared.insert(ND->getName().str());
          bool Def = false;
          if (auto *VD = dyn_cast<VarDecl>(ND))
            if (VD->isThisDeclarationADefinition() !=
                VarDecl::DeclarationOnly) {
              C.Defined.insert(VD->getName().str());
              Def = VD->isThisDeclarationADefinition() == VarDecl::Definition;
            }
          if (auto *FD = dyn_cast<FunctionDecl>(ND))
            if (FD->doesThisDeclarationHaveABody()) {
              Out.Functions.insert(FD->getName().str());
              Def = true;
            }
          if (Def) {
            FileID FID = SM.getFileID(SM.getExpansionLoc(ND->getLocation()));
            if (FID.isValid())
              Out.DefinedIn[ND->getName().str()] = C.canonicalPath(FID);
          }
          if (auto *RD = dyn_cast<RecordDecl>(ND))
            if (RD->isThisDeclarationADefinition()) {
              FileID FID =
                  SM.getFileID(SM.getExpansionLoc(RD->getLocation()));
              if (FID.isValid())
                Out.StructIn.emplace(RD->getName().str(),
                                     C.canonicalPath(FID));
            }
        }
    SplSectionRewriter::run(C);
    CallGraphCollector::run(C);
    CounterRewriter::run(C);
    RefcountRewriter::run(C);
    GiantMarkRewriter::run(C);
    LockPlumbing::run(C);
    Out.Edits = std::move(C.Edits);
    Out.Sites = std::move(C.Sites);
    Out.RaiseLines = std::move(C.RaiseLines);
    Out.LockUses = std::move(C.LockUses);
    Out.Graph = std::move(C.Graph);
    Out.Held = std::move(C.Held);
    Out.MainFile = C.canonicalPath(SM.getMainFileID());
    for (auto It = SM.fileinfo_begin(); It != SM.fileinfo_end(); ++It) {
      llvm::SmallString<256> Real;
      StringRef RP = It->first->tryGetRealPathName();
      std::string Path = RP.empty() ? It->first->getName().str() : RP.str();
      if (StringRef(Path).startswith(C.Root + "/"))
        Out.Project.insert(Path);
    }
    for (const Edit &E : Out.Edits)
      if (!Out.Contents.count(E.File)) {
        auto FE = Ctx.getSourceManager().getFileManager().getFile(E.File);
        if (FE) {
          FileID FID = SM.translateFile(*FE);
          if (FID.isValid())
            Out.Contents[E.File] = SM.getBufferData(FID).str();
        }
      }
  }

private:
  std::unique_ptr<TUContext> &Slot;
  TUResult &Out;
};

class Action : public ASTFrontendAction {
public:
  Action(const Shared &S, TUResult &Out) : S(S), Out(Out) {}

  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 StringRef) override {
    Ctx = std::make_unique<TUContext>(CI.getASTContext(), *S.P, *S.Prof, S.Root,
                                      S.Modules);
    CI.getPreprocessor().addPPCallbacks(
        std::make_unique<Facts>(*Ctx, CI.getSourceManager()));
    return std::make_unique<Consumer>(Ctx, Out);
  }

private:
  const Shared &S;
  TUResult &Out;
  std::unique_ptr<TUContext> Ctx;
};

std::string canonical(StringRef Path) {
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(Path, Real))
    return Path.str();
  return std::string(Real);
}

llvm::Error planError(const plan::Plan &P, unsigned Line,
                      const llvm::Twine &Msg) {
  return usageError(P.Path + ":" + llvm::Twine(Line) + ": error: " + Msg);
}

std::vector<RuleInfo> ruleInfos() {
  auto R = [](const char *Id, const char *Sum, const char *Help) {
    RuleInfo I;
    I.Id = Id;
    I.Summary = Sum;
    I.Help = Help;
    I.HelpUri = "docs/rewrite.md";
    return I;
  };
  return {
      R("rewrite-spl-section", "spl section to lock/unlock",
        "An spl section (s = splnet(); ... splx(s);) rewritten to the lock "
        "the plan maps it to, with an unlock on every early exit."),
      R("rewrite-sleep", "tsleep to msleep with the section's lock",
        "tsleep inside a section sleeps with the section's lock as "
        "interlock; outside any section it is left and reported."),
      R("rewrite-counter", "statistics update to atomic(9)/counter(9)",
        "x.f++ / x.f += n on a planned statistics global."),
      R("rewrite-refcount", "reference count to refcount(9)",
        "++/--/= on a planned reference count field."),
      R("rewrite-lock-decl", "lock definition, declaration, field, init",
        "What the rewritten code needs to compile and run."),
      R("rewrite-ifdef", "spl code in a branch not compiled",
        "A conditional branch no compile command enables holds spl or "
        "tsleep code; it is not rewritten."),
      R("rewrite-giant", "module leaves Giant",
        "Protocol entries of a migrated module get PR_MPSAFE and its "
        "interfaces lose IFF_NEEDSGIANT; a module with manual sites keeps "
        "Giant."),
      R("rewrite-destroy-under-lock", "a call in a section frees its lock",
        "A call inside a section mapped to a lock reaches (through project "
        "functions, across files) the lock's destroy_in: the mutex would "
        "be destroyed while held. Move the call after the unlock, or mark "
        "the site reviewed in the plan."),
      R("rewrite-nested-lock", "a call in a section takes its lock's class",
        "A call inside a section reaches a function whose section takes a "
        "lock of the same class: the same object (a non-recursive mutex "
        "recursed) or another one (two locks of one class at once). Move "
        "the call out of the section, or mark the site reviewed."),
      R("rewrite-conflict", "overlapping edits",
        "Two edits of one file overlap; the file is left untouched."),
  };
}

/// The fallback when the tree has no .clang-format: close to style(9)
/// (tabs of 8, 4-column continuation, function braces on their own line,
/// return type on its own line, includes left in their order).
format::FormatStyle styleNine() {
  format::FormatStyle S = format::getLLVMStyle(format::FormatStyle::LK_Cpp);
  S.IndentWidth = 8;
  S.TabWidth = 8;
  S.UseTab = format::FormatStyle::UT_Always;
  S.ContinuationIndentWidth = 4;
  S.ColumnLimit = 80;
  S.BreakBeforeBraces = format::FormatStyle::BS_Linux;
  S.AlwaysBreakAfterReturnType = format::FormatStyle::RTBS_TopLevelDefinitions;
  S.AlignAfterOpenBracket = format::FormatStyle::BAS_DontAlign;
  S.AllowShortIfStatementsOnASingleLine = format::FormatStyle::SIS_Never;
  S.AllowShortFunctionsOnASingleLine = format::FormatStyle::SFS_None;
  S.IndentCaseLabels = false;
  S.SortIncludes = format::FormatStyle::SI_Never;
  S.SpaceBeforeParens = format::FormatStyle::SBPO_ControlStatements;
  return S;
}

/// clang-format the edited lines (--format-edits); the edits unchanged
/// when the file's replacements cannot be formatted.
std::vector<Edit> formatEdits(StringRef File, StringRef Code,
                              const std::vector<Edit> &Edits) {
  tooling::Replacements Reps;
  for (const Edit &E : Edits)
    if (llvm::Error Err =
            Reps.add(tooling::Replacement(File, E.Offset, E.Length, E.Text))) {
      llvm::consumeError(std::move(Err));
      return Edits;
    }
  auto Style = format::getStyle("file", File, "none", Code);
  if (!Style) {
    llvm::consumeError(Style.takeError());
    return Edits;
  }
  if (Style->DisableFormat)
    *Style = styleNine();
  auto Formatted = format::formatReplacements(Code, Reps, *Style);
  if (!Formatted) {
    llvm::consumeError(Formatted.takeError());
    return Edits;
  }
  std::vector<Edit> Out;
  for (const tooling::Replacement &R : *Formatted) {
    Edit E;
    E.File = File.str();
    E.Offset = R.getOffset();
    E.Length = R.getLength();
    E.Text = R.getReplacementText().str();
    Out.push_back(E);
  }
  std::sort(Out.begin(), Out.end());
  return Out;
}

/// A plan site must name the line of an spl raise in its file (as parsed
/// by some TU); otherwise it would silently match nothing and its section
/// fall back to the rules. The hint names the nearest raises of the file.
std::vector<std::string> checkSites(const plan::Plan &P,
                                    const std::string &Root,
                                    const std::vector<TUResult> &Results) {
  std::map<std::string, std::set<unsigned>> Raises;
  std::set<std::string> Parsed; ///< root-relative files some TU read
  for (const TUResult &T : Results) {
    if (!T.Parse.Ok)
      continue;
    for (auto &KV : T.RaiseLines)
      Raises[KV.first].insert(KV.second.begin(), KV.second.end());
    for (const std::string &F : T.Project)
      Parsed.insert(relativePath(F, Root));
  }
  std::vector<std::string> Errs;
  for (const plan::Site &Si : P.Sites) {
    std::string Where = P.Path + ":" + std::to_string(Si.Line) +
                        ": error: site " + Si.File + ":" +
                        std::to_string(Si.SiteLine);
    llvm::SmallString<256> Abs(Root);
    llvm::sys::path::append(Abs, Si.File);
    if (!llvm::sys::fs::exists(Abs)) {
      Errs.push_back(Where + ": no such file under the plan root " + Root);
      continue;
    }
    if (!Parsed.count(Si.File))
      continue; // not part of this run: nothing to check it against
    const std::set<unsigned> &Lines = Raises[Si.File];
    // No raise left at all: the file is migrated already (a second run on
    // the output); nothing can fall back to the rules there.
    if (Lines.empty() || Lines.count(Si.SiteLine))
      continue;
    std::string Hint;
    {
      auto After = Lines.lower_bound(Si.SiteLine);
      std::vector<unsigned> Near;
      if (After != Lines.begin())
        Near.push_back(*std::prev(After));
      if (After != Lines.end())
        Near.push_back(*After);
      Hint = "the nearest spl section";
      Hint += Near.size() > 1 ? "s of the file are raised at lines " +
                                    std::to_string(Near[0]) + " and " +
                                    std::to_string(Near[1])
                              : " of the file is raised at line " +
                                    std::to_string(Near[0]);
      Hint += "; did an edit above it move the section?";
    }
    Errs.push_back(Where + " matches no spl section (" +
                   (Si.Action == plan::SiteAction::Drop   ? "action drop"
                    : Si.Action == plan::SiteAction::Skip ? "action skip"
                                                          : "lock " + Si.Lock) +
                   "): " + Hint);
  }
  return Errs;
}

/// A section migrated at a stage takes its lock, so the lock's definition
/// must be written at that stage too: the module holding define_in and
/// declare_in (a global lock) or the struct's definition (a field lock)
/// must migrate at that stage or earlier, or the stage does not link (or
/// the struct has no lock field). Checked for every stage up to StageName
/// ("" = all), from the sections the plan mapped.
std::vector<std::string> checkLockStages(const plan::Plan &P,
                                         const std::string &Root,
                                         const std::string &StageName,
                                         const std::vector<TUResult> &Results) {
  std::vector<std::string> Errs;
  if (P.Stages.empty())
    return Errs;
  // The first stage (index) migrating each module.
  std::map<std::string, size_t> First;
  for (size_t I = 0; I < P.Stages.size(); ++I)
    for (const std::string &M : P.Stages[I].Modules)
      First.emplace(M, I);
  size_t Limit = P.Stages.size() - 1;
  for (size_t I = 0; I < P.Stages.size(); ++I)
    if (P.Stages[I].Name == StageName)
      Limit = I;
  std::map<std::string, std::string> StructIn;
  for (const TUResult &T : Results)
    for (auto &KV : T.StructIn)
      StructIn.emplace(KV.first, relativePath(KV.second, Root));
  auto StageOf = [&](const std::string &Module) -> size_t {
    auto It = First.find(Module);
    return It == First.end() ? P.Stages.size() : It->second;
  };
  // Every use once, in file order, so that errors come out the same way
  // whatever order the TUs ran in.
  std::vector<LockUse> Uses;
  for (const TUResult &T : Results)
    if (T.Parse.Ok)
      Uses.insert(Uses.end(), T.LockUses.begin(), T.LockUses.end());
  std::sort(Uses.begin(), Uses.end(), [](const LockUse &A, const LockUse &B) {
    return std::tie(A.File, A.Line, A.Lock) < std::tie(B.File, B.Line, B.Lock);
  });
  std::set<std::tuple<std::string, std::string, std::string>> Seen;
  {
    for (const LockUse &U : Uses) {
      const plan::Lock *L = P.findLock(U.Lock);
      if (!L)
        continue;
      size_t UseStage = StageOf(plan::moduleOf(P, U.File));
      if (UseStage > Limit)
        continue; // migrated at no stage checked here
      // What the lock's definition needs, and where it lives.
      std::vector<std::pair<std::string, std::string>> Defs;
      if (L->Scope == plan::LockScope::Global) {
        if (!L->DefineIn.empty())
          Defs.push_back({"its definition (define_in " + L->DefineIn + ")",
                          L->DefineIn});
        if (!L->DeclareIn.empty())
          Defs.push_back({"its declaration (declare_in " + L->DeclareIn + ")",
                          L->DeclareIn});
      } else {
        auto It = StructIn.find(L->Struct);
        if (It != StructIn.end() && !llvm::sys::path::is_absolute(It->second))
          Defs.push_back({"its field's struct " + L->Struct + " (defined in " +
                              It->second + ")",
                          It->second});
      }
      // One error per module that comes too late, naming what it holds.
      std::map<std::string, std::string> Late; ///< module -> what
      for (auto &D : Defs) {
        std::string DefModule = plan::moduleOf(P, D.second);
        if (StageOf(DefModule) > UseStage)
          Late[DefModule] += (Late[DefModule].empty() ? "" : " and ") + D.first;
      }
      for (auto &KV : Late) {
        const std::string &DefModule = KV.first;
        size_t DefStage = StageOf(DefModule);
        if (!Seen.insert({L->Name, U.File, DefModule}).second)
          continue;
        const std::string &StName = P.Stages[UseStage].Name;
        Errs.push_back(
            P.Path + ":" + std::to_string(U.PlanLine) + ": error: lock '" +
            L->Name + "' is used at stage '" + StName + "' (this " + U.Entry +
            " maps the section at " + U.File + ":" + std::to_string(U.Line) +
            " to it), but " + KV.second + " " +
            (KV.second.find(" and ") != std::string::npos ? "belong"
                                                           : "belongs") +
            " to module '" + DefModule + "', which " +
            (DefStage < P.Stages.size()
                 ? "migrates only at the later stage '" +
                       P.Stages[DefStage].Name + "'"
                 : std::string("no stage migrates")) +
            ": migrate module '" + DefModule + "' at stage '" + StName +
            "' or earlier, or map the section to another lock (lock '" +
            L->Name + "' at " + P.Path + ":" + std::to_string(L->Line) + ")");
      }
    }
  }
  return Errs;
}

} // namespace

llvm::Expected<Outcome> computeRewrite(const Options &O) {
  Outcome R;
  if (O.PlanPath.empty())
    return usageError("no plan: pass --plan FILE (see docs/plan.md)");
  auto P = plan::readPlan(O.PlanPath);
  if (!P)
    return P.takeError();
  R.Plan = std::move(*P);
  const plan::Plan &Plan = R.Plan;
  const plan::Profile *Prof = plan::findProfile(Plan.Target);

  llvm::SmallString<256> Root(llvm::sys::path::parent_path(O.PlanPath));
  if (Root.empty())
    Root = ".";
  if (!Plan.Root.empty()) {
    if (llvm::sys::path::is_absolute(Plan.Root))
      Root = Plan.Root;
    else
      llvm::sys::path::append(Root, Plan.Root);
  }
  R.Root = canonical(Root);
  if (!llvm::sys::fs::is_directory(R.Root))
    return planError(Plan, 1, "root '" + R.Root + "' is not a directory");

  std::set<std::string> Modules;
  bool All = true;
  if (!O.Stage.empty()) {
    if (!Plan.findStage(O.Stage)) {
      std::string Known;
      for (const plan::Stage &S : Plan.Stages)
        Known += (Known.empty() ? "" : ", ") + S.Name;
      return usageError("--stage " + O.Stage + ": no such stage in " +
                        Plan.Path +
                        " (stages: " + (Known.empty() ? "none" : Known) + ")");
    }
    auto M = plan::stageModules(Plan, O.Stage, All);
    Modules.insert(M.begin(), M.end());
  } else {
    All = true;
  }

  auto DB = CompileDB::load(O.BuildDir);
  if (!DB)
    return DB.takeError();
  auto Files = (*DB)->select(O.Files);
  if (!Files)
    return Files.takeError();
  std::vector<tooling::CompileCommand> Cmds;
  for (const std::string &F : *Files) {
    // A whole-database run migrates the plan's tree: a TU outside the root
    // (generated code, such as a migrated copy of the tree, or a test) is
    // not parsed, or it would edit the root's headers from its own view.
    if (O.Files.empty() && relativePath(canonical(F), R.Root) == canonical(F))
      continue;
    for (tooling::CompileCommand &C : (*DB)->getCompileCommands(F))
      Cmds.push_back(std::move(C));
  }

  std::string ResErr;
  std::string ResourceDir = findResourceDir(&ResErr);
  auto Adjust = makeArgumentsAdjuster(O.ExtraArgs, ResourceDir);
  Shared S{&Plan, Prof, R.Root, All ? nullptr : &Modules};
  std::vector<TUResult> Results(Cmds.size());
  parallelFor(Cmds.size(), O.Jobs, /*Progress=*/true, [&](size_t I) {
    Results[I].Parse =
        runAction(Cmds[I], Adjust, std::make_unique<Action>(S, Results[I]));
  });

  // Merge once.
  std::set<std::string> Functions;
  std::set<
      std::tuple<std::string, unsigned, unsigned, std::string, std::string>>
      SeenSites;
  for (TUResult &T : Results) {
    Functions.insert(T.Functions.begin(), T.Functions.end());
    if (!T.Parse.Ok) {
      R.Unwritable.insert(canonical(T.Parse.File));
      R.Rep.Failures.push_back(T.Parse);
      continue;
    }
    for (auto &KV : T.Contents)
      R.Source.emplace(KV.first, KV.second);
    R.ProjectFiles.insert(T.Project.begin(), T.Project.end());
  }
  // Functions the plan names must exist (checked on whole-database runs).
  if (O.Files.empty()) {
    std::vector<std::string> Errs;
    auto Check = [&](const std::string &F, unsigned Line, const char *What) {
      if (!F.empty() && !Functions.count(F))
        Errs.push_back(Plan.Path + ":" + std::to_string(Line) +
                       ": error: unknown function '" + F + "' in " + What +
                       " (no parsed file defines it)");
    };
    for (const plan::Rule &Ru : Plan.Rules)
      Check(Ru.When.Function, Ru.Line, "rule");
    for (const plan::Lock &L : Plan.Locks) {
      Check(L.InitIn, L.Line, "init_in");
      Check(L.DestroyIn, L.Line, "destroy_in");
    }
    if (!Errs.empty()) {
      std::string All;
      for (auto &E : Errs)
        All += (All.empty() ? "" : "\n") + E;
      return usageError(All);
    }
  }
  // The plan's sites and the stages of its locks, against the code.
  {
    std::vector<std::string> Errs = checkSites(Plan, R.Root, Results);
    std::vector<std::string> More =
        checkLockStages(Plan, R.Root, O.Stage, Results);
    Errs.insert(Errs.end(), More.begin(), More.end());
    if (!Errs.empty()) {
      std::string Msg;
      for (auto &E : Errs)
        Msg += (Msg.empty() ? "" : "\n") + E;
      return usageError(Msg);
    }
  }
  // A module with manual sections or sleeps, or a file that failed to
  // parse, stays under Giant: its PR_MPSAFE/IFF_NEEDSGIANT marks go.
  std::map<std::string, unsigned> KeepGiant;
  auto ModuleOfFile = [&](const std::string &F) {
    return plan::moduleOf(Plan, relativePath(F, R.Root));
  };
  for (TUResult &T : Results)
    for (const Finding &F : T.Sites)
      if (F.Category == Manual &&
          (F.RuleId == "rewrite-spl-section" || F.RuleId == "rewrite-sleep" ||
           F.RuleId == "rewrite-ifdef"))
        KeepGiant[ModuleOfFile(F.Loc.File)]++;
  for (const std::string &F : R.Unwritable)
    KeepGiant[ModuleOfFile(F)]++;
  // Stages build on each other (the socket layer under the protocols, the
  // drivers under IP): after a stage that keeps Giant, every later one
  // keeps it too.
  // Where each function and variable is defined, over every TU.
  std::map<std::string, std::string> DefinedIn;
  for (TUResult &T : Results)
    for (auto &KV : T.DefinedIn)
      DefinedIn.emplace(KV.first, KV.second);
  std::map<std::string, std::string> HeldBy; ///< why a module with no
                                             ///< manual site stays
  // Modules the plan itself keeps under Giant (`giant: true`): the
  // reviewer's decision, whatever their sites say.
  for (const plan::Module &PM : Plan.Modules)
    if (PM.Giant && KeepGiant.emplace(PM.Name, 0).second)
      HeldBy[PM.Name] = "the plan keeps it under Giant (giant: true, " +
                        Plan.Path + ":" + std::to_string(PM.Line) + ")";
  bool Held = false;
  for (const plan::Stage &St : Plan.Stages) {
    if (Held)
      for (const std::string &M : St.Modules)
        if (KeepGiant.emplace(M, 0).second)
          HeldBy[M] = "an earlier stage stays under Giant";
    for (const std::string &M : St.Modules)
      Held = Held || KeepGiant.count(M);
  }
  // Modules explicitly needed (plan `needs`): a module leaves Giant only
  // with the modules it needs.
  for (bool Changed = true; Changed;) {
    Changed = false;
    for (const plan::Module &PM : Plan.Modules)
      if (!KeepGiant.count(PM.Name))
        for (const std::string &N : PM.Needs)
          if (KeepGiant.count(N) || (!All && !Modules.count(N))) {
            KeepGiant.emplace(PM.Name, 0);
            HeldBy[PM.Name] = "it needs module " + N + ", which " +
                              (KeepGiant.count(N) ? "stays under Giant"
                                                  : "does not migrate here");
            Changed = true;
            break;
          }
  }
  // Why a Giant mark cannot be made: its module stays, or it vouches for
  // a routine of a module that stays (in_proto.c holds TCP's entry).
  auto Blocker = [&](const Edit &E) -> std::string {
    std::string M = ModuleOfFile(E.File);
    auto K = KeepGiant.find(M);
    if (K != KeepGiant.end())
      return "module " + M + " stays under Giant (not marked MPSAFE): " +
             (K->second ? std::to_string(K->second) + " of its sites are manual"
                        : HeldBy[M]);
    for (const std::string &D : E.GiantDeps) {
      auto It = DefinedIn.find(D);
      if (It == DefinedIn.end())
        continue;
      std::string DM = ModuleOfFile(It->second);
      if (KeepGiant.count(DM))
        return "entry of " + D + " stays under Giant: module " + DM +
               " stays under Giant";
      if (!All && !Modules.count(DM))
        return "entry of " + D + " stays under Giant: module " + DM +
               " does not migrate at this stage";
    }
    return "";
  };
  std::set<std::string> Reported;
  for (TUResult &T : Results) {
    if (!T.Parse.Ok)
      continue;
    std::set<std::pair<std::string, unsigned>> Blocked;
    for (const Edit &E : T.Edits) {
      if (!E.GiantMark)
        continue;
      std::string Why = Blocker(E);
      if (Why.empty())
        continue;
      Blocked.insert({E.File, E.Line});
      std::string Key = Why.substr(0, Why.find(':'));
      if (!Reported.insert(Key).second)
        continue;
      Finding Fd;
      Fd.RuleId = "rewrite-giant";
      Fd.Level = Severity::Warning;
      Fd.Category = Manual;
      Fd.Loc = {E.File, E.Line, E.Column};
      Fd.Message = "manual: " + Why;
      Fd.Key = ModuleOfFile(E.File);
      T.Sites.push_back(Fd);
    }
    T.Edits.erase(
        std::remove_if(T.Edits.begin(), T.Edits.end(),
                       [&](const Edit &E) {
                         return E.GiantMark && Blocked.count({E.File, E.Line});
                       }),
        T.Edits.end());
    T.Sites.erase(std::remove_if(T.Sites.begin(), T.Sites.end(),
                                 [&](const Finding &F) {
                                   return F.RuleId == "rewrite-giant" &&
                                          F.Category == Auto &&
                                          Blocked.count(
                                              {F.Loc.File, F.Loc.Line});
                                 }),
                  T.Sites.end());
    R.Edits.add(T.Edits);
    for (auto &KV : T.Contents)
      R.Edits.noteContent(KV.first, contentHash(KV.second));
  }
  R.Edits.finalize();
  for (const std::string &F : R.Unwritable)
    R.Edits.exclude(F);

  // Sites: de-duplicated across TUs; an #ifdef finding drops when another
  // TU rewrote inside that branch.
  for (TUResult &T : Results) {
    if (!T.Parse.Ok)
      continue;
    for (Finding &F : T.Sites) {
      if (F.RuleId == "rewrite-ifdef") {
        unsigned B = 0, E = 0;
        sscanf(F.Key.c_str(), "%u-%u", &B, &E);
        bool Covered =
            llvm::any_of(R.Edits.editsOf(F.Loc.File), [&](const Edit &Ed) {
              return Ed.Offset >= B && Ed.Offset < E;
            });
        if (Covered)
          continue;
      }
      auto Key = std::make_tuple(F.Loc.File, F.Loc.Line, F.Loc.Column, F.RuleId,
                                 F.Message);
      if (!SeenSites.insert(Key).second)
        continue;
      if (R.Edits.conflicted(F.Loc.File) || R.Unwritable.count(F.Loc.File)) {
        if (F.Category != Manual) {
          F.Category = Manual;
          F.Level = Severity::Warning;
          F.Message = "manual: not written (" +
                      std::string(R.Unwritable.count(F.Loc.File)
                                      ? "the file failed to parse"
                                      : "conflicting edits in the file") +
                      "): " + F.Message;
        }
      }
      R.Rep.Findings.push_back(std::move(F));
    }
  }
  // Calls in a section that reach its lock's destroy_in or a section of
  // the same lock class, over the call graph of every TU.
  LockHazardCounts Hazards;
  {
    std::vector<FunctionNode> Graph;
    std::vector<HeldSection> Held;
    for (TUResult &T : Results) {
      if (!T.Parse.Ok)
        continue;
      std::move(T.Graph.begin(), T.Graph.end(), std::back_inserter(Graph));
      std::move(T.Held.begin(), T.Held.end(), std::back_inserter(Held));
    }
    std::vector<Finding> Found =
        findLockHazards(Plan, R.Root, Graph, Held, Hazards);
    std::move(Found.begin(), Found.end(), std::back_inserter(R.Rep.Findings));
  }
  for (const Conflict &C : R.Edits.conflicts()) {
    Finding F;
    F.RuleId = "rewrite-conflict";
    F.Level = Severity::Error;
    F.Category = Manual;
    F.Loc = {C.B.File, C.B.Line, C.B.Column};
    F.Message = "conflicting edits at " + C.A.File + ":" +
                std::to_string(C.A.Line) + ":" + std::to_string(C.A.Column) +
                " and " + std::to_string(C.B.Line) + ":" +
                std::to_string(C.B.Column) + "; the file is left untouched";
    if (C.A.Offset == C.B.Offset && C.A.Text == C.B.Text)
      F.Message = "the file changed while it was being parsed; it is left "
                  "untouched";
    F.Related.push_back({{C.A.File, C.A.Line, C.A.Column}, "first edit"});
    R.Rep.Findings.push_back(std::move(F));
  }
  R.Rep.Tool = "mpsafe-rewrite";
  R.Rep.Root = R.Root;
  R.Rep.Rules = ruleInfos();
  assignIds(R.Rep);

  for (const std::string &F : R.Edits.files()) {
    auto It = R.Source.find(F);
    if (It == R.Source.end())
      continue;
    std::vector<Edit> Es = R.Edits.editsOf(F);
    if (O.FormatEdits)
      Es = formatEdits(F, It->second, Es);
    R.Rewritten[F] = applyEdits(It->second, Es);
    R.Final[F] = std::move(Es);
  }
  // Counts by class, for the JSON and the summary line.
  llvm::json::Object Counts;
  unsigned NA = 0, NS = 0, NM = 0;
  for (const Finding &F : R.Rep.Findings)
    (F.Category == Auto ? NA : F.Category == Assisted ? NS : NM)++;
  Counts["auto"] = NA;
  Counts["assisted"] = NS;
  Counts["manual"] = NM;
  Counts["files_rewritten"] = (int64_t)R.Rewritten.size();
  Counts["lock_hazards"] = llvm::json::Object{
      {"destroy-under-lock", Hazards.Destroy},
      {"nested-lock", Hazards.Nested},
      {"reviewed", Hazards.Reviewed}};
  R.Rep.JsonExtra["rewrite"] = std::move(Counts);

  R.Status = (!R.Unwritable.empty() || !R.Edits.conflicts().empty())
                 ? ExitParseFailure
                 : ExitClean;
  return R;
}

static std::string rel(const Outcome &R, StringRef F) {
  return relativePath(F, R.Root);
}

void printDiff(const Outcome &R, llvm::raw_ostream &OS) {
  for (const auto &KV : R.Rewritten) {
    std::string Rel = rel(R, KV.first);
    writeUnifiedDiff(OS, "a/" + Rel, "b/" + Rel, R.Source.at(KV.first),
                     KV.second);
  }
}

/// The file still holds the bytes that were parsed.
static bool unchangedOnDisk(const Outcome &R, const std::string &F) {
  auto Buf = llvm::MemoryBuffer::getFile(F, /*IsText=*/false);
  return Buf && (*Buf)->getBuffer() == R.Source.at(F);
}

std::vector<std::string> writeInPlace(const Outcome &R) {
  std::vector<std::string> Errs;
  for (const auto &KV : R.Rewritten) {
    if (!unchangedOnDisk(R, KV.first)) {
      Errs.push_back(KV.first + ": changed on disk since it was parsed; not "
                                "written");
      continue;
    }
    if (llvm::Error E = writeAtomically(KV.first, KV.second))
      Errs.push_back(llvm::toString(std::move(E)));
  }
  return Errs;
}

std::vector<std::string> writeOutDir(const Outcome &R, StringRef Dir) {
  std::vector<std::string> Errs;
  std::set<std::string> Files = R.ProjectFiles;
  for (const auto &KV : R.Rewritten)
    Files.insert(KV.first);
  for (const std::string &F : Files) {
    llvm::SmallString<256> Out(Dir);
    llvm::sys::path::append(Out, rel(R, F));
    if (canonical(Out) == F) {
      Errs.push_back(std::string(Out) +
                     ": --out-dir would overwrite the input");
      continue;
    }
    std::string Content;
    auto It = R.Rewritten.find(F);
    if (It != R.Rewritten.end()) {
      Content = It->second;
    } else {
      auto Buf = llvm::MemoryBuffer::getFile(F, /*IsText=*/false);
      if (!Buf) {
        Errs.push_back(F + ": cannot read: " + Buf.getError().message());
        continue;
      }
      Content = (*Buf)->getBuffer().str();
    }
    if (llvm::Error E = writeAtomically(Out, Content, /*CreateDirs=*/true))
      Errs.push_back(llvm::toString(std::move(E)));
  }
  return Errs;
}

llvm::Error exportFixes(const Outcome &R, StringRef Path) {
  tooling::TranslationUnitReplacements TUR;
  TUR.MainSourceFile = R.Rewritten.empty() ? "" : R.Rewritten.begin()->first;
  for (const auto &KV : R.Rewritten) {
    // clang-apply-replacements orders an insertion and a replacement at
    // one offset its own way: hand it the two as one replacement.
    std::vector<Edit> Merged;
    for (const Edit &E : R.Final.at(KV.first)) {
      if (!Merged.empty() && Merged.back().Length == 0 &&
          Merged.back().Offset == E.Offset) {
        Merged.back().Length = E.Length;
        Merged.back().Text += E.Text;
        continue;
      }
      Merged.push_back(E);
    }
    for (const Edit &E : Merged)
      TUR.Replacements.emplace_back(KV.first, E.Offset, E.Length, E.Text);
  }
  return writeFileAtomically(Path, [&](llvm::raw_ostream &OS) {
    llvm::yaml::Output Y(OS);
    Y << TUR;
  });
}

} // namespace rewrite
} // namespace mpsafe
