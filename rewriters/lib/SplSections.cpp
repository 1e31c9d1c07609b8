//===- SplSections.cpp - spl sections to locks, tsleep to msleep ----------===//
//
// For each function: find the spl sections (a raise "s = splnet();" paired
// through its variable with "splx(s);"), follow them through the body's
// structure (branches, loops, switch, labels and every jump) and rewrite a
// section to lock/unlock of the lock the plan maps it to:
//
//   * the raise becomes the acquire, each splx the release;
//   * every return, goto, break or continue that leaves the section with
//     the level raised gets a release in front of it;
//   * tsleep inside the section becomes msleep with the section's lock as
//     interlock (PDROP when the section ends right after the sleep);
//   * a section nested in one with the same lock folds into it;
//   * the level variable, then unused, is removed.
//
// A section whose shape is not understood (ends on one branch only, raised
// in a loop and not lowered there, spelled inside a macro, re-raised...) is
// a manual site with the reason; none of its statements are edited.
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/Support/GlobPattern.h"

using namespace clang;

namespace mpsafe {
namespace rewrite {
namespace {

const char *RuleSection = "rewrite-spl-section";
const char *RuleSleep = "rewrite-sleep";
const char *RuleIfdef = "rewrite-ifdef";
/// The interlock parameter a sleep wrapper gets.
const char *WrapperParam = "interlock";

bool isWrapper(const plan::Plan &P, llvm::StringRef Name) {
  return llvm::is_contained(P.Sleep.Wrappers, Name);
}

/// The wrapper already takes its interlock (a second run): its last
/// parameter is a pointer to the profile's mutex type.
bool hasInterlock(const FunctionDecl *F, const plan::Profile &Prof) {
  if (!F->getNumParams())
    return false;
  QualType T = F->getParamDecl(F->getNumParams() - 1)->getType();
  return T->isPointerType() &&
         T->getPointeeType().getUnqualifiedType().getAsString() ==
             Prof.LockType[0];
}

/// spl<level>: splnet, splimp, splbio, ... but not splx, splassert, spl0.
bool isLevelName(llvm::StringRef N) {
  if (!N.startswith("spl") || N.size() < 4 || N == "splx" || N == "spl0" ||
      N.startswith("splassert"))
    return false;
  return llvm::all_of(N.drop_front(3), [](char C) {
    return islower((unsigned char)C) || isdigit((unsigned char)C);
  });
}

struct Touch {
  std::string Struct, Base;
  bool Arrow;
};

struct Sleep {
  const CallExpr *Call;
  const Stmt *PDropLower; ///< the splx that PDROP replaces, or null
};

struct Section {
  unsigned Id = 0;
  const VarDecl *Var = nullptr;
  const Stmt *Raise = nullptr;
  std::string Level;
  std::vector<const Stmt *> Lowers;
  std::vector<const Stmt *> Exits;
  std::vector<Sleep> Sleeps;
  std::vector<const CallExpr *> WrapperCalls; ///< calls of sleep wrappers
  /// Direct calls made while the section is held (the lock-hazard checks).
  std::vector<const CallExpr *> Calls;
  std::vector<Touch> Touched;
  std::vector<unsigned> Enclosing;
  std::vector<std::string> Notes;
  std::string Manual; ///< reason, when not rewritten
  unsigned ExtentBegin = 0, ExtentEnd = 0;
  const plan::Lock *L = nullptr;
  std::string LockExpr;
  std::string Object; ///< field lock: the expression whose lock it takes
  bool Folded = false;
  bool Dropped = false; ///< the plan drops it: no lock at all
  std::string DropNote;
  bool FallsOffEnd = false;
  std::string InMacro; ///< rewritten at this macro's definition
};

struct State {
  std::vector<unsigned> Open;
  bool Dead = false;
};

class FunctionRewriter {
public:
  FunctionRewriter(TUContext &C, const FunctionDecl *FD)
      : C(C), FD(FD), Body(cast<CompoundStmt>(FD->getBody())) {}

  void run() {
    prescan(Body);
    noteRaises();
    if (Raises.empty() && Lowers.empty() && Sleeps.empty() &&
        WrapperCalls.empty())
      return;
    computeExtents();
    State St;
    walk(Body, St);
    if (!St.Dead)
      for (unsigned Id : St.Open)
        Secs[Id].FallsOffEnd = true;
    mergeClasses();
    for (Section &S : Secs)
      resolve(S);
    for (Section &S : Secs)
      checkEditable(S);
    settleClasses();
    fold();
    emit();
    removeVariables();
    reportSkippedBranches();
  }

  /// A function of a module this stage leaves alone: only where its
  /// sections are raised, for the check of the plan's sites.
  void collectRaises() {
    prescan(Body);
    noteRaises();
  }

private:
  TUContext &C;
  const FunctionDecl *FD;
  const CompoundStmt *Body;
  std::vector<Section> Secs;
  // Prescan: every raise and lower statement, in source order.
  std::vector<std::pair<const Stmt *, const VarDecl *>> Raises, Lowers;
  std::vector<const CallExpr *> Sleeps;
  std::vector<const CallExpr *> WrapperCalls, FreeWrapperCalls;
  std::map<const VarDecl *, const DeclStmt *> VarDecls;
  std::map<const VarDecl *, unsigned> Refs;
  std::set<const Stmt *> SeenStmts; ///< raise/lower statements
  // Walk state.
  struct Scope {
    unsigned Depth;
    bool IsLoop;
  };
  std::vector<Scope> Scopes;
  std::map<const LabelDecl *, std::vector<unsigned>> AtLabel;
  std::map<const LabelDecl *, std::vector<std::vector<unsigned>>> Forward;
  const Stmt *Next = nullptr; ///< statement after the current one
  std::map<const Stmt *, unsigned> RaiseExtent;
  std::set<const VarDecl *> KeepVar;
  std::vector<std::pair<const Stmt *, std::string>> BadSpl;
  std::vector<const CallExpr *> FreeSleeps;
  unsigned CurNeed = NeedLock; ///< headers the section being emitted needs
  /// Scanning a return value: the rewrite unlocks before the return, so
  /// its calls run after the section.
  bool InReturn = false;

  /// Records the file and line of each raise, as a site names them.
  void noteRaises() {
    for (auto &R : Raises) {
      SourceLocation RL = C.SM.getExpansionLoc(R.first->getBeginLoc());
      std::string Rel = C.relPath(C.SM.getFileID(RL));
      if (!Rel.empty())
        C.RaiseLines[Rel].insert(C.SM.getSpellingLineNumber(RL));
    }
  }

  unsigned offsetOf(SourceLocation L) const {
    return C.SM.getFileOffset(C.SM.getExpansionLoc(L));
  }

  /// Some macro expanding at Loc (innermost to outermost) is Name, and
  /// Loc is where that expansion starts.
  bool macroChainHas(SourceLocation L, llvm::StringRef Name) const {
    while (L.isMacroID()) {
      if (C.SM.isMacroArgExpansion(L))
        return false;
      if (Lexer::getImmediateMacroName(L, C.SM, C.LO) == Name)
        return true;
      L = C.SM.getImmediateExpansionRange(L).getBegin();
    }
    return false;
  }

  std::string raiseLevel(const Expr *E) const {
    E = E->IgnoreParenImpCasts();
    if (auto *CE = dyn_cast<CallExpr>(E))
      if (const FunctionDecl *F = CE->getDirectCallee())
        if (F->getIdentifier() && isLevelName(F->getName()) &&
            CE->getNumArgs() == 0)
          return F->getName().str();
    SourceLocation L = E->getBeginLoc();
    while (L.isMacroID()) {
      if (C.SM.isMacroArgExpansion(L)) {
        L = C.SM.getImmediateSpellingLoc(L);
        continue;
      }
      llvm::StringRef N = Lexer::getImmediateMacroName(L, C.SM, C.LO);
      if (isLevelName(N))
        return N.str();
      L = C.SM.getImmediateExpansionRange(L).getBegin();
    }
    return "";
  }

  static const VarDecl *localVar(const Expr *E) {
    if (auto *DR = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
      if (auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (VD->hasLocalStorage() && !isa<ParmVarDecl>(VD))
          return VD;
    return nullptr;
  }

  bool isRaise(const Stmt *S, const VarDecl *&V, std::string &Level) const {
    if (auto *DS = dyn_cast<DeclStmt>(S)) {
      if (!DS->isSingleDecl())
        return false;
      auto *VD = dyn_cast<VarDecl>(DS->getSingleDecl());
      if (!VD || !VD->getInit())
        return false;
      Level = raiseLevel(VD->getInit());
      V = VD;
      return !Level.empty();
    }
    auto *E = dyn_cast<Expr>(S);
    if (!E)
      return false;
    auto *BO = dyn_cast<BinaryOperator>(E->IgnoreParens());
    if (!BO || BO->getOpcode() != BO_Assign)
      return false;
    Level = raiseLevel(BO->getRHS());
    V = localVar(BO->getLHS());
    return !Level.empty() && V;
  }

  /// splx(v) as a call or a macro; V is the local variable restored.
  bool isLower(const Stmt *S, const VarDecl *&V) const {
    auto *E = dyn_cast<Expr>(S);
    if (!E)
      return false;
    E = E->IgnoreParenCasts();
    bool Named = false;
    if (auto *CE = dyn_cast<CallExpr>(E))
      if (const FunctionDecl *F = CE->getDirectCallee())
        Named = F->getIdentifier() && F->getName() == "splx";
    if (!Named && E->getBeginLoc().isMacroID())
      Named = macroChainHas(E->getBeginLoc(), "splx");
    if (!Named)
      return false;
    V = nullptr;
    std::function<void(const Stmt *)> Find = [&](const Stmt *X) {
      if (!X || V)
        return;
      if (auto *Ex = dyn_cast<Expr>(X))
        if (const VarDecl *VD = localVar(Ex)) {
          V = VD;
          return;
        }
      for (const Stmt *Ch : X->children())
        Find(Ch);
    };
    Find(E);
    return V != nullptr;
  }

  /// tsleep(chan, pri, wmesg, timo): a call of a function tsleep, or the
  /// outermost call of an expansion of a macro tsleep (FreeBSD-style
  /// headers define it over _sleep()).
  bool isSleepCall(const CallExpr *CE) const {
    SourceLocation L = CE->getBeginLoc();
    if (L.isMacroID()) {
      SourceLocation Start;
      if (C.SM.isMacroArgExpansion(L) ||
          !Lexer::isAtStartOfMacroExpansion(L, C.SM, C.LO, &Start) ||
          Lexer::getImmediateMacroName(L, C.SM, C.LO) != "tsleep")
        return false;
      return true;
    }
    const FunctionDecl *F = CE->getDirectCallee();
    return F && F->getIdentifier() && F->getName() == "tsleep" &&
           CE->getNumArgs() == 4;
  }

  /// A call of a function the plan lists under sleeps: wrappers.
  bool isWrapperCall(const CallExpr *CE) const {
    const FunctionDecl *F = CE->getDirectCallee();
    return F && F->getIdentifier() && isWrapper(C.P, F->getName()) &&
           !hasInterlock(F, C.Prof);
  }

  // Source-order inventory of raises, lowers, sleeps and variable refs.
  void prescan(const Stmt *S) {
    if (!S)
      return;
    const VarDecl *V;
    std::string Level;
    if (isRaise(S, V, Level)) {
      Raises.push_back({S, V});
      SeenStmts.insert(S);
    } else if (isLower(S, V)) {
      Lowers.push_back({S, V});
      SeenStmts.insert(S);
    }
    if (auto *DS = dyn_cast<DeclStmt>(S))
      for (const Decl *D : DS->decls())
        if (auto *VD = dyn_cast<VarDecl>(D))
          VarDecls[VD] = DS;
    if (auto *DR = dyn_cast<DeclRefExpr>(S))
      if (auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        ++Refs[VD];
    if (auto *CE = dyn_cast<CallExpr>(S)) {
      if (isSleepCall(CE))
        Sleeps.push_back(CE);
      if (isWrapperCall(CE))
        WrapperCalls.push_back(CE);
    }
    for (const Stmt *Ch : S->children())
      prescan(Ch);
  }

  // The extent of a raise: up to the last splx of its variable in the
  // function. A forward goto to a label inside it keeps the section open
  // (the code at the label restores the level); paths that disagree about
  // that meet at the label and make the section manual.
  void computeExtents() {
    for (auto &R : Raises) {
      unsigned B = offsetOf(R.first->getBeginLoc());
      unsigned End = B;
      for (auto &L : Lowers) {
        unsigned O = offsetOf(L.first->getBeginLoc());
        if (L.second == R.second && O > B)
          End = std::max(End, O);
      }
      RaiseExtent[R.first] = End;
    }
  }

  void manual(std::vector<unsigned> Ids, const std::string &Why) {
    for (unsigned Id : Ids)
      if (Secs[Id].Manual.empty())
        Secs[Id].Manual = Why;
  }

  static std::vector<unsigned> symDiff(const std::vector<unsigned> &A,
                                       const std::vector<unsigned> &B) {
    std::vector<unsigned> Out;
    for (unsigned X : A)
      if (!llvm::is_contained(B, X))
        Out.push_back(X);
    for (unsigned X : B)
      if (!llvm::is_contained(A, X))
        Out.push_back(X);
    return Out;
  }

  /// Two sets of open sections with the same variables and levels, in the
  /// same order, hold the same locks: a loop that lowers and raises again
  /// ends as it began.
  /// When they are, the sections at each position become one class: a
  /// splx reached from either is the end of both.
  bool same(const std::vector<unsigned> &A, const std::vector<unsigned> &B) {
    if (A.size() != B.size())
      return false;
    for (size_t I = 0; I < A.size(); ++I)
      if (Secs[A[I]].Var != Secs[B[I]].Var ||
          Secs[A[I]].Level != Secs[B[I]].Level)
        return false;
    for (size_t I = 0; I < A.size(); ++I)
      unite(A[I], B[I]);
    return true;
  }

  std::vector<unsigned> Parent;
  unsigned find(unsigned X) {
    while (Parent[X] != X)
      X = Parent[X] = Parent[Parent[X]];
    return X;
  }
  void unite(unsigned A, unsigned B) {
    A = find(A);
    B = find(B);
    if (A != B)
      Parent[std::max(A, B)] = std::min(A, B);
  }

  /// Members of a class share their splx statements; a class is rewritten
  /// whole, to one lock, or not at all.
  void mergeClasses() {
    std::map<unsigned, std::vector<unsigned>> Classes;
    for (unsigned I = 0; I < Secs.size(); ++I)
      Classes[find(I)].push_back(I);
    for (auto &KV : Classes) {
      if (KV.second.size() < 2)
        continue;
      std::vector<const Stmt *> Lows;
      for (unsigned I : KV.second)
        for (const Stmt *L : Secs[I].Lowers)
          if (!llvm::is_contained(Lows, L))
            Lows.push_back(L);
      for (unsigned I : KV.second)
        Secs[I].Lowers = Lows;
    }
    Classes_ = std::move(Classes);
  }
  void settleClasses() {
    for (auto &KV : Classes_) {
      std::string Why;
      for (unsigned I : KV.second) {
        if (!Secs[I].Manual.empty() && Why.empty())
          Why = Secs[I].Manual;
        if (Secs[I].LockExpr != Secs[KV.second.front()].LockExpr && Why.empty())
          Why =
              "sections that meet at a branch or label map to different locks";
      }
      if (!Why.empty())
        for (unsigned I : KV.second)
          if (Secs[I].Manual.empty())
            Secs[I].Manual =
                "it meets the section at line " +
                std::to_string(C.SM.getExpansionLineNumber(
                    Secs[KV.second.front()].Raise->getBeginLoc())) +
                ", which is not rewritten: " + Why;
    }
  }
  std::map<unsigned, std::vector<unsigned>> Classes_;

  void join(State &St, const State &T, const State &E) {
    if (T.Dead) {
      St = E;
    } else if (E.Dead || same(T.Open, E.Open)) {
      St = T;
    } else {
      manual(symDiff(T.Open, E.Open),
             "the section ends on one branch of a condition only");
      St = T;
    }
  }

  void exitSections(const Stmt *Jump, State &St, unsigned FromDepth) {
    // Innermost first: release in reverse order of acquisition.
    for (size_t I = St.Open.size(); I > FromDepth; --I)
      Secs[St.Open[I - 1]].Exits.push_back(Jump);
  }

  void walk(const Stmt *S, State &St) {
    if (!S)
      return;
    switch (S->getStmtClass()) {
    case Stmt::CompoundStmtClass: {
      auto *CS = cast<CompoundStmt>(S);
      const Stmt *SavedNext = Next;
      for (auto It = CS->body_begin(), E = CS->body_end(); It != E; ++It) {
        Next = std::next(It) == E ? nullptr : *std::next(It);
        walk(*It, St);
      }
      Next = SavedNext;
      return;
    }
    case Stmt::IfStmtClass: {
      auto *If = cast<IfStmt>(S);
      scan(If->getCond(), St);
      State T = St, E = St;
      const Stmt *SavedNext = Next;
      Next = nullptr;
      walk(If->getThen(), T);
      walk(If->getElse(), E);
      Next = SavedNext;
      join(St, T, E);
      return;
    }
    case Stmt::WhileStmtClass:
    case Stmt::ForStmtClass:
    case Stmt::DoStmtClass: {
      const Stmt *LoopBody;
      if (auto *W = dyn_cast<WhileStmt>(S)) {
        scan(W->getCond(), St);
        LoopBody = W->getBody();
      } else if (auto *F = dyn_cast<ForStmt>(S)) {
        walk(F->getInit(), St);
        scan(F->getCond(), St);
        scan(F->getInc(), St);
        LoopBody = F->getBody();
      } else {
        auto *D = cast<DoStmt>(S);
        scan(D->getCond(), St);
        LoopBody = D->getBody();
        // do { ... } while (0), the macro idiom, runs once: a block.
        Expr::EvalResult R;
        if (D->getCond()->EvaluateAsInt(R, C.Ctx) && R.Val.getInt() == 0) {
          Scopes.push_back({(unsigned)St.Open.size(), true});
          walk(LoopBody, St);
          Scopes.pop_back();
          return;
        }
      }
      Scopes.push_back({(unsigned)St.Open.size(), true});
      State B = St;
      const Stmt *SavedNext = Next;
      Next = nullptr;
      walk(LoopBody, B);
      Next = SavedNext;
      Scopes.pop_back();
      if (!B.Dead && !same(B.Open, St.Open))
        manual(symDiff(B.Open, St.Open),
               "the level is raised in a loop and not restored in it");
      return;
    }
    case Stmt::SwitchStmtClass: {
      auto *Sw = cast<SwitchStmt>(S);
      scan(Sw->getCond(), St);
      Scopes.push_back({(unsigned)St.Open.size(), false});
      SwitchEntry.push_back(St);
      State B = St;
      walk(Sw->getBody(), B);
      SwitchEntry.pop_back();
      Scopes.pop_back();
      if (!B.Dead && !same(B.Open, St.Open))
        manual(symDiff(B.Open, St.Open),
               "the section ends inside one case of a switch only");
      return;
    }
    case Stmt::CaseStmtClass:
    case Stmt::DefaultStmtClass: {
      auto *SC = cast<SwitchCase>(S);
      if (!SwitchEntry.empty()) {
        const State &Entry = SwitchEntry.back();
        if (!St.Dead && !same(St.Open, Entry.Open))
          manual(symDiff(St.Open, Entry.Open),
                 "the section falls through into the next case");
        St = Entry;
      }
      walk(SC->getSubStmt(), St);
      return;
    }
    case Stmt::LabelStmtClass: {
      auto *LS = cast<LabelStmt>(S);
      std::vector<std::vector<unsigned>> In = Forward[LS->getDecl()];
      if (!St.Dead)
        In.push_back(St.Open);
      if (In.empty()) {
        St = State();
      } else {
        for (auto &O : In)
          if (!same(O, In.front()))
            manual(symDiff(O, In.front()),
                   std::string("paths reaching label '") + LS->getName() +
                       "' hold different sections");
        St.Open = In.front();
        St.Dead = false;
      }
      AtLabel[LS->getDecl()] = St.Open;
      walk(LS->getSubStmt(), St);
      return;
    }
    case Stmt::ReturnStmtClass:
      InReturn = true;
      scan(cast<ReturnStmt>(S)->getRetValue(), St);
      InReturn = false;
      exitSections(S, St, 0);
      St.Dead = true;
      return;
    case Stmt::BreakStmtClass:
    case Stmt::ContinueStmtClass: {
      bool Cont = isa<ContinueStmt>(S);
      unsigned Depth = 0;
      for (size_t I = Scopes.size(); I > 0; --I)
        if (!Cont || Scopes[I - 1].IsLoop) {
          Depth = Scopes[I - 1].Depth;
          break;
        }
      exitSections(S, St, std::min<size_t>(Depth, St.Open.size()));
      St.Dead = true;
      return;
    }
    case Stmt::GotoStmtClass: {
      const LabelDecl *LD = cast<GotoStmt>(S)->getLabel();
      auto Seen = AtLabel.find(LD);
      std::vector<unsigned> Stay;
      if (Seen != AtLabel.end()) {
        // Backward: what the label did not hold is left.
        for (unsigned Id : St.Open)
          if (llvm::is_contained(Seen->second, Id))
            Stay.push_back(Id);
          else
            Secs[Id].Exits.push_back(S);
      } else {
        unsigned LO =
            LD->getStmt() ? offsetOf(LD->getStmt()->getBeginLoc()) : 0;
        for (size_t I = St.Open.size(); I > 0; --I) {
          const Section &Sec = Secs[St.Open[I - 1]];
          if (LO > Sec.ExtentBegin && LO <= Sec.ExtentEnd)
            continue;
          Secs[St.Open[I - 1]].Exits.push_back(S);
        }
        for (unsigned Id : St.Open) {
          const Section &Sec = Secs[Id];
          if (LO > Sec.ExtentBegin && LO <= Sec.ExtentEnd)
            Stay.push_back(Id);
        }
        Forward[LD].push_back(Stay);
      }
      St.Dead = true;
      return;
    }
    default:
      break;
    }
    leaf(S, St);
  }

  std::vector<State> SwitchEntry;

  void leaf(const Stmt *S, State &St) {
    const VarDecl *V = nullptr;
    std::string Level;
    if (isRaise(S, V, Level)) {
      Section Sec;
      Sec.Id = Secs.size();
      Sec.Var = V;
      Sec.Raise = S;
      Sec.Level = Level;
      Sec.Enclosing = St.Open;
      Sec.ExtentBegin = offsetOf(S->getBeginLoc());
      Sec.ExtentEnd = RaiseExtent[S];
      for (unsigned Id : St.Open)
        if (Secs[Id].Var == V)
          manual({Id}, "the level variable is raised again before splx");
      Secs.push_back(Sec);
      Parent.push_back(Sec.Id);
      St.Open.push_back(Sec.Id);
      if (auto *DS = dyn_cast<DeclStmt>(S))
        scan(cast<VarDecl>(DS->getSingleDecl())->getInit(), St, true);
      return;
    }
    if (isLower(S, V)) {
      for (size_t I = St.Open.size(); I > 0; --I) {
        Section &Sec = Secs[St.Open[I - 1]];
        if (Sec.Var != V)
          continue;
        Sec.Lowers.push_back(S);
        if (I != St.Open.size())
          Sec.Notes.push_back("levels were restored out of order");
        St.Open.erase(St.Open.begin() + (I - 1));
        return;
      }
      // Reached with the level already restored: harmless for spl, a
      // double unlock for a mutex. The section is left to a person.
      for (size_t I = Secs.size(); I > 0; --I)
        if (Secs[I - 1].Var == V &&
            Secs[I - 1].ExtentBegin < offsetOf(S->getBeginLoc())) {
          manual({Secs[I - 1].Id},
                 "splx(" + V->getName().str() + ") at line " +
                     std::to_string(
                         C.SM.getExpansionLineNumber(S->getBeginLoc())) +
                     " can run after the level was already restored");
          return;
        }
      BadSpl.push_back({S, "splx(" + V->getName().str() +
                               ") restores a level not raised in this "
                               "function (raised by a caller?)"});
      KeepVar.insert(V);
      return;
    }
    scan(S, St);
  }

  // Expressions: sleeps, struct fields touched, spl calls in odd places.
  void scan(const Stmt *S, State &St, bool InRaise = false) {
    if (!S)
      return;
    if (auto *CE = dyn_cast<CallExpr>(S)) {
      if (!InRaise && !InReturn && !St.Open.empty() && !isSleepCall(CE))
        if (const FunctionDecl *F = CE->getDirectCallee())
          if (F->getIdentifier() && !isLevelName(F->getName()) &&
              F->getName() != "splx")
            for (unsigned Id : St.Open)
              Secs[Id].Calls.push_back(CE);
      if (isWrapperCall(CE)) {
        if (St.Open.empty())
          FreeWrapperCalls.push_back(CE);
        else
          Secs[St.Open.back()].WrapperCalls.push_back(CE);
      }
      if (isSleepCall(CE)) {
        if (St.Open.empty()) {
          FreeSleeps.push_back(CE);
        } else {
          Sleep Sl{CE, nullptr};
          const VarDecl *V;
          Section &Sec = Secs[St.Open.back()];
          if (Next && isLower(Next, V) && V == Sec.Var && C.P.Sleep.PDrop &&
              isTopLevelIn(CE))
            Sl.PDropLower = Next;
          Sec.Sleeps.push_back(Sl);
        }
      } else if (!InRaise) {
        const FunctionDecl *F = CE->getDirectCallee();
        if (F && F->getIdentifier() &&
            (isLevelName(F->getName()) || F->getName() == "splx"))
          BadSpl.push_back({CE, F->getName().str() +
                                    "() used inside an expression; only "
                                    "'s = spl<level>();' and 'splx(s);' "
                                    "statements are rewritten"});
      }
    }
    if (auto *ME = dyn_cast<MemberExpr>(S)) {
      const Expr *Base = ME->getBase()->IgnoreParenImpCasts();
      QualType T = Base->getType();
      if (ME->isArrow() && T->isPointerType())
        T = T->getPointeeType();
      if (const RecordType *RT = T->getAs<RecordType>()) {
        const RecordDecl *RD = RT->getDecl();
        if (RD->getIdentifier() && isa<DeclRefExpr>(Base))
          for (unsigned Id : St.Open) {
            Section &Sec = Secs[Id];
            std::string Tag = RD->getName().str();
            std::string BaseText = C.text(Base->getSourceRange());
            bool Have = llvm::any_of(Sec.Touched, [&](const Touch &X) {
              return X.Struct == Tag && X.Base == BaseText;
            });
            if (!Have && !BaseText.empty())
              Sec.Touched.push_back({Tag, BaseText, ME->isArrow()});
          }
      }
    }
    for (const Stmt *Ch : S->children())
      scan(Ch, St, InRaise);
  }

  /// The sleep is the statement itself or its right-hand side.
  bool isTopLevelIn(const CallExpr *CE) const {
    DynTypedNodeList Parents = C.Ctx.getParents(*CE);
    if (Parents.empty())
      return false;
    if (Parents[0].get<CompoundStmt>())
      return true;
    if (auto *BO = Parents[0].get<BinaryOperator>())
      if (BO->getOpcode() == BO_Assign) {
        DynTypedNodeList GP = C.Ctx.getParents(*BO);
        return !GP.empty() && GP[0].get<CompoundStmt>();
      }
    return false;
  }

  void resolve(Section &S) {
    if (!S.Manual.empty())
      return;
    SourceLocation RL = C.SM.getExpansionLoc(S.Raise->getBeginLoc());
    FileID FID = C.SM.getFileID(RL);
    std::string Rel = C.relPath(FID);
    unsigned Line = C.SM.getSpellingLineNumber(RL);
    std::string Lock, Struct, Object;
    const char *Entry = "";
    unsigned EntryLine = 0;
    if (S.Raise->getBeginLoc().isMacroID()) {
      std::string M = C.macroAt(S.Raise->getBeginLoc());
      for (const plan::Macro &PM : C.P.Macros)
        if (PM.Name == M && macroBody(S.Raise)) {
          S.InMacro = M;
          Lock = PM.Lock;
          Entry = "macro";
          EntryLine = PM.Line;
        }
    }
    for (const plan::Site &Si : C.P.Sites)
      if (Si.File == Rel && Si.SiteLine == Line) {
        if (Si.Action == plan::SiteAction::Skip) {
          S.Manual = "the plan skips this site (" + C.P.Path + ":" +
                     std::to_string(Si.Line) + ")" +
                     (Si.Note.empty() ? "" : ": " + Si.Note);
          return;
        }
        if (Si.Action == plan::SiteAction::Drop) {
          S.Dropped = true;
          S.DropNote = "dropped by the plan (" + C.P.Path + ":" +
                       std::to_string(Si.Line) + ")" +
                       (Si.Note.empty() ? "" : ": " + Si.Note);
          return;
        }
        if (Si.Lock.empty() && Si.Object.empty() && !Si.Reviewed.empty())
          break; // only acknowledges lock hazards: the rules map it
        Lock = Si.Lock;
        Object = Si.Object;
        Entry = "site";
        EntryLine = Si.Line;
        if (!Si.Note.empty())
          S.Notes.push_back(Si.Note);
        break;
      }
    if (Lock.empty() && S.InMacro.empty()) {
      std::string Module = plan::moduleOf(C.P, Rel);
      for (const plan::Rule &R : C.P.Rules) {
        const plan::Match &M = R.When;
        if (!M.Function.empty() && M.Function != FD->getName())
          continue;
        if (!M.Level.empty() && M.Level != S.Level)
          continue;
        if (!M.Module.empty() && M.Module != Module)
          continue;
        if (!M.File.empty()) {
          auto G = llvm::GlobPattern::create(M.File);
          if (!G) {
            llvm::consumeError(G.takeError());
            continue;
          }
          if (!G->match(Rel))
            continue;
        }
        if (!M.Struct.empty() && llvm::none_of(S.Touched, [&](const Touch &T) {
              return T.Struct == M.Struct;
            }))
          continue;
        Lock = R.Lock;
        Struct = M.Struct;
        Entry = "rule";
        EntryLine = R.Line;
        break;
      }
    }
    if (Lock.empty()) {
      S.Manual = "no rule of the plan maps this " + S.Level + " section in " +
                 FD->getName().str() + "()";
      return;
    }
    S.L = C.P.findLock(Lock);
    if (!S.L) {
      S.Manual = "unknown lock '" + Lock + "'";
      return;
    }
    C.LockUses.push_back({S.L->Name, Rel, Line, Entry, EntryLine});
    if (S.L->Scope == plan::LockScope::Global) {
      S.LockExpr = "&" + S.L->globalRef();
      return;
    }
    if (!S.InMacro.empty()) {
      S.Manual = "macro " + S.InMacro + " maps to lock '" + S.L->Name +
                 "', which lives in a struct; a macro body needs a global lock";
      return;
    }
    if (!Object.empty()) {
      // The plan names the object: a section that reaches it only
      // through calls (sorflush(so) flushes so's buffer in callees).
      S.LockExpr = "&" + Object + "->" + S.L->cName();
      S.Object = Object;
      return;
    }
    if (Struct.empty())
      Struct = S.L->Struct;
    std::vector<const Touch *> Objs;
    for (const Touch &T : S.Touched)
      if (T.Struct == Struct)
        Objs.push_back(&T);
    if (Objs.empty()) {
      S.Manual = "lock '" + S.L->Name + "' lives in struct " + Struct +
                 " but the section touches no struct " + Struct;
      return;
    }
    if (Objs.size() > 1)
      S.Notes.push_back("the section touches several struct " + Struct +
                        " objects; " + Objs.front()->Base + "'s lock is used");
    S.LockExpr = "&" + Objs.front()->Base + (Objs.front()->Arrow ? "->" : ".") +
                 S.L->cName();
    S.Object = Objs.front()->Base;
  }

  bool stmtEditable(const Stmt *S, std::string &Why) const {
    auto R = C.statementRange(S, false);
    if (R && C.editable(R->first))
      return true;
    std::string M = C.macroAt(S->getBeginLoc());
    if (M.empty())
      M = C.macroAt(S->getEndLoc());
    Why = M.empty() ? "the statement does not map to one place in a file"
                    : "the statement is inside an expansion of macro " + M +
                          "; rewrite the macro by hand, or list it under "
                          "'macros' in the plan";
    return false;
  }

  void checkEditable(Section &S) {
    if (!S.Manual.empty())
      return;
    if (isa<DeclStmt>(S.Raise)) {
      // "int s = splnet();" goes away whole: only if s has no other use.
      unsigned Lowered = 0;
      for (const Section &O : Secs)
        if (O.Var == S.Var)
          Lowered += O.Lowers.size();
      unsigned Raised = 0;
      for (auto &R : Raises)
        if (R.second == S.Var && !isa<DeclStmt>(R.first))
          ++Raised;
      if (Refs[S.Var] != Lowered + Raised || KeepVar.count(S.Var)) {
        S.Manual = "the level variable is declared by the raise and used "
                   "elsewhere";
        return;
      }
    }
    if (S.Lowers.empty()) {
      S.Manual = "the level is never restored in " + FD->getName().str() +
                 "() (restored by a caller or callee?)";
      return;
    }
    // Raise and splx statements: at their place, or in the definition of
    // a macro the plan lists. Exits and sleeps: at their place.
    std::string Why;
    auto Editable = [&](const Stmt *X) {
      if (inPlanMacro(X))
        return true;
      return stmtEditable(X, Why);
    };
    bool Ok = Editable(S.Raise);
    for (const Stmt *L : S.Lowers)
      Ok = Ok && Editable(L);
    for (const Stmt *J : S.Exits)
      Ok = Ok && stmtEditable(J, Why);
    if (!S.Sleeps.empty() && S.Dropped) {
      S.Manual = "the section sleeps and the plan drops it: no lock to pass "
                 "as interlock";
      return;
    }
    if (!S.Sleeps.empty() && S.L &&
        !C.Prof.LockSleep[static_cast<unsigned>(S.L->Kind)]) {
      S.Manual = "the section sleeps, and lock '" + S.L->Name + "' is a " +
                 plan::lockKindName(S.L->Kind) +
                 " lock, which cannot be held across a sleep";
      return;
    }
    for (const Sleep &Sl : S.Sleeps)
      if (Ok && !sleepEditable(Sl.Call)) {
        Ok = false;
        std::string M = C.macroAt(Sl.Call->getBeginLoc());
        Why = "tsleep in the section is spelled inside macro " + M;
      }
    if (!Ok)
      S.Manual = Why;
  }

  // A section nested in a rewritten one with the same lock folds into it:
  // a mutex must not be taken twice.
  void fold() {
    for (Section &S : Secs) {
      if (!S.Manual.empty())
        continue;
      for (unsigned Id : S.Enclosing) {
        const Section &O = Secs[Id];
        if (S.Dropped)
          break;
        if (O.Manual.empty() && O.L == S.L && O.LockExpr == S.LockExpr) {
          S.Folded = true;
          S.Notes.push_back("nested in the section at line " +
                            std::to_string(C.SM.getExpansionLineNumber(
                                O.Raise->getBeginLoc())) +
                            " under the same lock; folded into it");
          break;
        }
      }
      if (!S.Folded)
        for (unsigned Id : S.Enclosing)
          if (Secs[Id].Manual.empty() && Secs[Id].L && S.L)
            S.Notes.push_back("taken while " + Secs[Id].LockExpr.substr(1) +
                              " is held: declare this lock order");
    }
  }

  /// The statement is spelled in the body of a macro the plan lists, and
  /// can be edited there.
  bool inPlanMacro(const Stmt *S) const {
    if (!S->getBeginLoc().isMacroID())
      return false;
    std::string M = C.macroAt(S->getBeginLoc());
    return llvm::any_of(C.P.Macros,
                        [&](const plan::Macro &PM) { return PM.Name == M; }) &&
           macroBody(S);
  }

  /// Where, in the definition of macro M, the token at Loc is written
  /// (climbing out of macros M's body uses, such as splx()).
  SourceLocation inMacro(SourceLocation Loc, llvm::StringRef M,
                         bool End) const {
    while (Loc.isMacroID()) {
      if (C.SM.isMacroArgExpansion(Loc)) {
        Loc = C.SM.getImmediateSpellingLoc(Loc);
        continue;
      }
      if (Lexer::getImmediateMacroName(Loc, C.SM, C.LO) == M)
        return C.SM.getSpellingLoc(Loc);
      CharSourceRange R = C.SM.getImmediateExpansionRange(Loc);
      Loc = End ? R.getEnd() : R.getBegin();
    }
    return SourceLocation();
  }

  /// The range of a statement spelled in a macro's definition, with its
  /// ';', when both ends are in the #define's file.
  llvm::Optional<std::pair<FileID, std::pair<unsigned, unsigned>>>
  macroBody(const Stmt *S) const {
    if (!S->getBeginLoc().isMacroID())
      return llvm::None;
    std::string M = C.macroAt(S->getBeginLoc());
    SourceLocation B = inMacro(S->getBeginLoc(), M, false);
    SourceLocation E = inMacro(S->getEndLoc(), M, true);
    if (B.isInvalid() || E.isInvalid() || B.isMacroID() || E.isMacroID())
      return llvm::None;
    auto R = C.fileRange(CharSourceRange::getTokenRange(B, E));
    if (!R || !C.editable(R->first))
      return llvm::None;
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    unsigned End = R->second.second;
    while (End < Buf.size() && (Buf[End] == ' ' || Buf[End] == '\t'))
      ++End;
    if (End < Buf.size() && Buf[End] == ';')
      R->second.second = End + 1;
    return R;
  }

  void replaceStmt(const Stmt *S, const std::string &Text,
                   bool InMacro = false) {
    if (InMacro)
      if (auto M = macroBody(S)) {
        // Keep the continuation backslash in its column.
        llvm::StringRef Buf = C.SM.getBufferData(M->first);
        unsigned E = M->second.second, W = E;
        while (W < Buf.size() && (Buf[W] == ' ' || Buf[W] == '\t'))
          ++W;
        std::string Pad;
        if (W < Buf.size() && Buf[W] == '\\' && W > E) {
          auto Col = [&](unsigned Off, unsigned From, llvm::StringRef T) {
            unsigned V = From;
            for (char Ch : T)
              V = Ch == '\t' ? (V / 8 + 1) * 8 : V + 1;
            (void)Off;
            return V;
          };
          size_t LS = Buf.rfind('\n', M->second.first);
          LS = LS == llvm::StringRef::npos ? 0 : LS + 1;
          unsigned Target = Col(0, 0, Buf.slice(LS, W));
          unsigned V = Col(0, 0, Buf.slice(LS, M->second.first).str() + Text);
          while ((V / 8 + 1) * 8 <= Target) {
            Pad += '\t';
            V = (V / 8 + 1) * 8;
          }
          if (Pad.empty())
            Pad = " ";
          C.replace(M->first, M->second.first, W - M->second.first, Text + Pad);
        } else {
          C.replace(M->first, M->second.first,
                    M->second.second - M->second.first, Text);
        }
        C.facts(M->first).Needs |= CurNeed;
        return;
      }
    auto R = C.statementRange(S, Text.empty());
    if (R)
      C.replace(R->first, R->second.first, R->second.second - R->second.first,
                Text);
  }

  bool simpleReturn(const ReturnStmt *R) const {
    const Expr *V = R->getRetValue();
    if (!V)
      return true;
    V = V->IgnoreParenImpCasts();
    if (isa<IntegerLiteral>(V) || isa<CharacterLiteral>(V))
      return true;
    if (auto *DR = dyn_cast<DeclRefExpr>(V))
      return isa<EnumConstantDecl>(DR->getDecl()) ||
             (isa<VarDecl>(DR->getDecl()) &&
              cast<VarDecl>(DR->getDecl())->hasLocalStorage());
    return V->getBeginLoc().isMacroID() && V->isIntegerConstantExpr(C.Ctx);
  }

  void emit() {
    std::map<const Stmt *, std::vector<std::string>> ExitText;
    std::vector<const Stmt *> ExitOrder;
    for (Section &S : Secs) {
      if (!S.Manual.empty()) {
        C.site(S.Raise->getBeginLoc(), RuleSection, Manual,
               S.Level + " section not rewritten: " + S.Manual, FD->getName(),
               S.Var->getName());
        KeepVar.insert(S.Var);
        for (const Sleep &Sl : S.Sleeps)
          C.site(Sl.Call->getBeginLoc(), RuleSleep, Manual,
                 "tsleep left: its section is not rewritten", FD->getName());
        for (const CallExpr *W : S.WrapperCalls)
          wrapperCall(W, "", "its section is not rewritten");
        continue;
      }
      if (S.Dropped) {
        replaceStmt(S.Raise, "", inPlanMacro(S.Raise));
        for (const Stmt *L : S.Lowers)
          replaceStmt(L, "", inPlanMacro(L));
        for (const CallExpr *W : S.WrapperCalls)
          wrapperCall(W, "", "its section is dropped");
        C.site(S.Raise->getBeginLoc(), RuleSection, Auto,
               S.Level + " section removed, no lock taken: " + S.DropNote,
               FD->getName(), S.Var->getName());
        continue;
      }
      CurNeed = needFor(S.L->Kind);
      std::string Acq = lockCall(C.Prof, *S.L, S.LockExpr, true) + ";";
      std::string Rel = lockCall(C.Prof, *S.L, S.LockExpr, false) + ";";
      if (S.Folded) {
        replaceStmt(S.Raise, "", inPlanMacro(S.Raise));
        for (const Stmt *L : S.Lowers)
          replaceStmt(L, "", inPlanMacro(L));
      } else {
        replaceStmt(S.Raise, Acq, inPlanMacro(S.Raise));
        for (const Stmt *L : S.Lowers) {
          bool Dropped = llvm::any_of(
              S.Sleeps, [&](const Sleep &Sl) { return Sl.PDropLower == L; });
          replaceStmt(L, Dropped ? "" : Rel, inPlanMacro(L));
          if (!inPlanMacro(L))
            C.facts(C.SM.getFileID(C.SM.getExpansionLoc(L->getBeginLoc())))
                .Needs |= CurNeed;
        }
        for (const Stmt *J : S.Exits) {
          if (!ExitText.count(J))
            ExitOrder.push_back(J);
          ExitText[J].push_back(Rel);
          if (auto *R = dyn_cast<ReturnStmt>(J))
            if (!simpleReturn(R))
              S.Notes.push_back("the value returned at line " +
                                std::to_string(C.SM.getExpansionLineNumber(
                                    J->getBeginLoc())) +
                                " is computed after the inserted unlock");
        }
        if (S.FallsOffEnd)
          insertAtEnd(Rel);
        // The file holding the lock calls: the macro's for a definition.
        FileID Home =
            C.SM.getFileID(C.SM.getExpansionLoc(S.Raise->getBeginLoc()));
        if (inPlanMacro(S.Raise))
          Home = macroBody(S.Raise)->first;
        C.facts(Home).Needs |= CurNeed;
        if (S.L->Scope == plan::LockScope::Global)
          C.facts(Home).LocksUsed.insert(S.L->Name);
      }
      for (const Sleep &Sl : S.Sleeps)
        emitSleep(S, Sl);
      for (const CallExpr *W : S.WrapperCalls)
        wrapperCall(W, S.LockExpr, "");
      std::string Msg =
          S.Level + " section -> " + Acq.substr(0, Acq.size() - 1);
      if (!S.InMacro.empty())
        Msg += " in the definition of macro " + S.InMacro;
      if (S.Folded)
        Msg = S.Level + " section folded into the enclosing " +
              S.LockExpr.substr(1) + " section";
      if (!S.Exits.empty() && !S.Folded)
        Msg += ", unlocked on " + std::to_string(S.Exits.size()) +
               " early exit" + (S.Exits.size() > 1 ? "s" : "");
      for (const std::string &N : S.Notes)
        Msg += "; " + N;
      C.site(S.Raise->getBeginLoc(), RuleSection,
             S.Notes.empty() && !S.FallsOffEnd ? Auto : Assisted, Msg,
             FD->getName(), S.Var->getName());
      if (!S.Folded)
        noteHeld(S);
    }
    for (const Stmt *J : ExitOrder)
      insertBefore(J, ExitText[J]);
    for (const CallExpr *W : FreeWrapperCalls)
      wrapperCall(W, "", "it is called outside any spl section");
    if (isWrapper(C.P, FD->getName()) && wrapperDefinition())
      FreeSleeps.clear();
    for (const CallExpr *CE : FreeSleeps)
      C.site(CE->getBeginLoc(), RuleSleep, Manual,
             "tsleep outside any spl section left as is: no lock to pass as "
             "interlock (check the condition it waits for)",
             FD->getName());
    for (auto &B : BadSpl)
      C.site(B.first->getBeginLoc(), RuleSection, Manual, B.second,
             FD->getName());
  }

  /// The offsets of the top-level commas of a call's argument list, and of
  /// its '(' (first element), in Buf[B, E).
  static std::vector<unsigned> argCommas(llvm::StringRef Buf, unsigned B,
                                         unsigned E) {
    std::vector<unsigned> Out;
    int Depth = 0;
    for (unsigned I = B; I < E; ++I) {
      char Ch = Buf[I];
      if (Ch == '"' || Ch == '\'') {
        for (++I; I < E && Buf[I] != Ch; ++I)
          if (Buf[I] == '\\')
            ++I;
        continue;
      }
      if (Ch == '(' || Ch == '[' || Ch == '{') {
        if (Ch == '(' && Depth == 0)
          Out.push_back(I);
        ++Depth;
      } else if (Ch == ')' || Ch == ']' || Ch == '}') {
        --Depth;
      } else if (Ch == ',' && Depth == 1) {
        Out.push_back(I);
      }
    }
    return Out;
  }

  bool sleepEditable(const CallExpr *CE) const {
    auto R = C.fileRange(CharSourceRange::getTokenRange(CE->getSourceRange()));
    if (!R || !C.editable(R->first))
      return false;
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    return Buf.substr(R->second.first).startswith("tsleep") &&
           argCommas(Buf, R->second.first, R->second.second).size() == 4;
  }

  /// A call of a sleep wrapper gets the interlock as a last argument: the
  /// section's lock, or NULL (a manual site saying Why) when it has none.
  void wrapperCall(const CallExpr *CE, const std::string &LockExpr,
                   const std::string &Why) {
    const FunctionDecl *F = CE->getDirectCallee();
    SourceLocation RP = CE->getRParenLoc();
    if (RP.isMacroID() || !C.editable(C.SM.getFileID(RP))) {
      C.site(CE->getBeginLoc(), RuleSleep, Manual,
             "call of sleep wrapper " + F->getName().str() +
                 " is spelled inside a macro; pass the interlock by hand",
             FD->getName());
      return;
    }
    std::string Arg = LockExpr.empty() ? "NULL" : LockExpr;
    C.insert(RP, (CE->getNumArgs() ? ", " : "") + Arg);
    if (LockExpr.empty())
      C.site(CE->getBeginLoc(), RuleSleep, Manual,
             "sleep wrapper " + F->getName().str() +
                 " gets a NULL interlock: " + Why +
                 " (check the condition it waits for)",
             FD->getName());
    else
      C.site(CE->getBeginLoc(), RuleSleep, Auto,
             "sleep wrapper " + F->getName().str() + " -> interlock " +
                 LockExpr.substr(1),
             FD->getName());
  }

  /// This function is a sleep wrapper: it gets the interlock parameter
  /// and its tsleeps become msleeps on it. False (and nothing edited)
  /// when a sleep or the parameter list cannot be edited.
  bool wrapperDefinition() {
    FunctionTypeLoc TL = FD->getFunctionTypeLoc();
    if (!TL || FreeSleeps.empty() || FD->getNumParams() == 0 ||
        hasInterlock(FD, C.Prof))
      return false;
    SourceLocation RP = TL.getRParenLoc();
    if (RP.isMacroID() || !C.editable(C.SM.getFileID(RP)))
      return false;
    for (const CallExpr *CE : FreeSleeps)
      if (!sleepEditable(CE))
        return false;
    const char *Name = C.P.Sleep.Form == plan::SleepForm::MSleep
                           ? C.Prof.MSleep
                           : C.Prof.MtxSleep;
    C.insert(RP, std::string(", ") + C.Prof.LockType[0] + " *" + WrapperParam);
    C.facts(C.SM.getFileID(RP)).Needs |= NeedLock;
    for (const CallExpr *CE : FreeSleeps) {
      auto R =
          C.fileRange(CharSourceRange::getTokenRange(CE->getSourceRange()));
      llvm::StringRef Buf = C.SM.getBufferData(R->first);
      std::vector<unsigned> Commas =
          argCommas(Buf, R->second.first, R->second.second);
      C.replace(R->first, R->second.first, strlen("tsleep"), Name);
      C.replace(R->first, Commas[1], 0, std::string(", ") + WrapperParam);
      C.site(CE->getBeginLoc(), RuleSleep, Auto,
             std::string("sleep wrapper ") + FD->getName().str() +
                 ": tsleep -> " + Name +
                 " with the caller's interlock (new "
                 "parameter " +
                 WrapperParam + ")",
             FD->getName());
    }
    return true;
  }

  void emitSleep(const Section &S, const Sleep &Sl) {
    const CallExpr *CE = Sl.Call;
    bool PDrop = Sl.PDropLower && !S.Folded;
    const char *Name = C.P.Sleep.Form == plan::SleepForm::MSleep
                           ? C.Prof.MSleep
                           : C.Prof.MtxSleep;
    if (S.L->Kind != plan::LockKind::Mutex)
      Name = C.Prof.LockSleep[static_cast<unsigned>(S.L->Kind)];
    auto R = C.fileRange(CharSourceRange::getTokenRange(CE->getSourceRange()));
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    std::vector<unsigned> Commas =
        argCommas(Buf, R->second.first, R->second.second);
    C.replace(R->first, R->second.first, strlen("tsleep"), Name);
    C.replace(R->first, Commas[1], 0, ", " + S.LockExpr);
    if (PDrop)
      C.replace(R->first, Commas[2], 0, std::string(" | ") + C.Prof.PDrop);
    C.site(CE->getBeginLoc(), RuleSleep, Auto,
           std::string("tsleep -> ") + Name + " with interlock " +
               S.LockExpr.substr(1) + (PDrop ? " and PDROP" : ""),
           FD->getName());
  }

  /// A section rewritten to a lock, for the lock-hazard checks: the calls
  /// it makes holding the lock, and the lock it takes for its callers.
  void noteHeld(const Section &S) {
    HeldSection H;
    H.Function = functionKey(C, FD);
    H.FunctionName = FD->getName().str();
    H.Lock = S.L->Name;
    H.Object = S.Object;
    if (S.L->Scope == plan::LockScope::Field)
      for (unsigned I = 0; I < FD->getNumParams(); ++I)
        if (FD->getParamDecl(I)->getName() == S.Object)
          H.ObjParam = I;
    SourceLocation RL = C.SM.getExpansionLoc(S.Raise->getBeginLoc());
    FileID FID = C.SM.getFileID(RL);
    H.File = C.canonicalPath(FID);
    H.Rel = C.relPath(FID);
    H.Line = C.SM.getSpellingLineNumber(RL);
    H.Column = C.SM.getSpellingColumnNumber(RL);
    for (const CallExpr *CE : S.Calls) {
      CallSite CS;
      if (!callSite(C, FD, CE, CS))
        continue;
      if (S.L->Scope == plan::LockScope::Field)
        CS.ObjArg = objectArg(CE, S.Object);
      H.Calls.push_back(std::move(CS));
    }
    C.Held.push_back(std::move(H));
  }

  /// Unlocks in front of a jump: on their own line when the jump is in a
  /// block, else with braces around the jump.
  void insertBefore(const Stmt *J, const std::vector<std::string> &Texts) {
    std::string Joined;
    DynTypedNodeList Parents = C.Ctx.getParents(*J);
    bool InBlock = !Parents.empty() && (Parents[0].get<CompoundStmt>() ||
                                        Parents[0].get<LabelStmt>() ||
                                        Parents[0].get<SwitchCase>());
    auto R = C.statementRange(J, false);
    if (!R)
      return;
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    unsigned B = R->second.first;
    size_t LS = Buf.rfind('\n', B ? B - 1 : 0);
    LS = (B == 0 || LS == llvm::StringRef::npos) ? 0 : LS + 1;
    bool OwnLine =
        Buf.slice(LS, B).find_first_not_of(" \t") == llvm::StringRef::npos &&
        !Parents.empty() && Parents[0].get<CompoundStmt>();
    std::string Indent = C.indentOf(J->getBeginLoc());
    if (InBlock) {
      for (const std::string &T : Texts)
        Joined += OwnLine ? T + "\n" + Indent : T + " ";
      C.replace(R->first, B, 0, Joined);
      return;
    }
    // The jump is the body of an if/else/loop: give it braces. On its own
    // line, style(9) braces: "if (x) {", the unlock and the jump, "}".
    unsigned P = LS;
    while (P > 0 &&
           (Buf[P - 1] == ' ' || Buf[P - 1] == '\t' || Buf[P - 1] == '\n'))
      --P;
    bool Clean =
        Buf.slice(LS, B).find_first_not_of(" \t") == llvm::StringRef::npos &&
        P > 0 && (Buf[P - 1] == ')' || Buf.slice(0, P).endswith("else"));
    if (Clean) {
      const Stmt *Parent = Parents.empty() ? nullptr : Parents[0].get<Stmt>();
      std::string Outer = Parent ? C.indentOf(Parent->getBeginLoc()) : "";
      if (auto *If = dyn_cast_or_null<IfStmt>(Parent))
        if (If->getElse() == J)
          Outer = C.indentOf(If->getElseLoc());
      // A comment closing the jump's line stays with the jump.
      unsigned End = R->second.second;
      size_t NL = Buf.find('\n', End);
      llvm::StringRef Rest =
          Buf.slice(End, NL == llvm::StringRef::npos ? Buf.size() : NL).rtrim();
      llvm::StringRef Trim = Rest.ltrim();
      if ((Trim.startswith("/*") && Trim.endswith("*/") &&
           Trim.find("*/") == Trim.size() - 2) ||
          Trim.startswith("//"))
        End += Rest.size();
      std::string Body = " {\n";
      for (const std::string &T : Texts)
        Body += Indent + T + "\n";
      Body += Indent + Buf.slice(B, End).str() + "\n" + Outer + "}";
      C.replace(R->first, P, End - P, Body);
      return;
    }
    Joined = "{ ";
    for (const std::string &T : Texts)
      Joined += T + " ";
    C.replace(R->first, B, 0, Joined);
    C.replace(R->first, R->second.second, 0, " }");
  }

  void insertAtEnd(const std::string &Text) {
    SourceLocation RB = Body->getRBracLoc();
    if (RB.isMacroID())
      return;
    auto D = C.SM.getDecomposedLoc(RB);
    llvm::StringRef Buf = C.SM.getBufferData(D.first);
    size_t LS = Buf.rfind('\n', D.second ? D.second - 1 : 0);
    LS = LS == llvm::StringRef::npos ? 0 : LS + 1;
    C.replace(D.first, LS, 0, "\t" + Text + "\n");
  }

  // The level variable goes when every use was a raise or splx rewritten.
  void removeVariables() {
    // The raise and splx statements rewritten, per variable: a splx where
    // two sections meet (at a label, after a branch) counts once.
    std::map<const VarDecl *, std::set<const Stmt *>> Rewritten;
    std::set<const VarDecl *> Vars;
    for (const Section &S : Secs) {
      Vars.insert(S.Var);
      if (!S.Manual.empty())
        continue;
      Rewritten[S.Var].insert(S.Raise);
      Rewritten[S.Var].insert(S.Lowers.begin(), S.Lowers.end());
    }
    std::map<const DeclStmt *, std::set<const VarDecl *>> Drop;
    for (const VarDecl *V : Vars) {
      if (KeepVar.count(V) || mentionedInSkipped(V->getName()))
        continue;
      if (Refs[V] != Rewritten[V].size())
        continue;
      auto It = VarDecls.find(V);
      if (It == VarDecls.end())
        continue;
      const DeclStmt *DS = It->second;
      if (llvm::any_of(Raises, [&](auto &R) { return R.first == DS; }))
        continue; // "int s = splnet();" became the lock call itself
      Drop[DS].insert(V);
    }
    for (auto &KV : Drop) {
      if (KV.first->isSingleDecl() ||
          KV.second.size() == (size_t)std::distance(KV.first->decl_begin(),
                                                    KV.first->decl_end()))
        replaceStmt(KV.first, "");
      else
        removeDeclarators(KV.first, KV.second);
    }
  }

  /// "int s, error;" -> "int error;": the declarators are the top-level
  /// comma-separated pieces after the type; the kept ones are re-joined.
  void removeDeclarators(const DeclStmt *DS,
                         const std::set<const VarDecl *> &Gone) {
    auto R = C.statementRange(DS, false);
    auto First = C.fileRange(CharSourceRange::getTokenRange(
        cast<VarDecl>(*DS->decl_begin())->getLocation()));
    if (!R || !First || First->first != R->first)
      return;
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    unsigned B = First->second.first;
    while (B > R->second.first && llvm::StringRef("*( \t").contains(Buf[B - 1]))
      --B;
    while (B < First->second.first && (Buf[B] == ' ' || Buf[B] == '\t'))
      ++B;
    unsigned E = R->second.second;
    if (E > B && Buf[E - 1] == ';')
      --E;
    std::vector<std::string> Pieces;
    int Depth = 0;
    unsigned Start = B;
    for (unsigned I = B; I <= E; ++I) {
      char Ch = I < E ? Buf[I] : ',';
      if (Ch == '(' || Ch == '[' || Ch == '{')
        ++Depth;
      else if (Ch == ')' || Ch == ']' || Ch == '}')
        --Depth;
      else if (Ch == ',' && Depth == 0) {
        Pieces.push_back(Buf.slice(Start, I).trim().str());
        Start = I + 1;
      }
    }
    std::vector<const VarDecl *> Ds;
    for (const Decl *D : DS->decls())
      Ds.push_back(cast<VarDecl>(D));
    if (Pieces.size() != Ds.size())
      return;
    std::string Kept;
    for (size_t I = 0; I < Ds.size(); ++I)
      if (!Gone.count(Ds[I]))
        Kept += (Kept.empty() ? "" : ", ") + Pieces[I];
    C.replace(R->first, B, E - B, Kept);
  }

  bool mentionedInSkipped(llvm::StringRef Var) const {
    auto BR =
        C.fileRange(CharSourceRange::getTokenRange(Body->getSourceRange()));
    if (!BR)
      return true;
    for (const SkippedRange &SR : C.Skipped) {
      if (SR.File != BR->first || SR.Begin < BR->second.first ||
          SR.End > BR->second.second)
        continue;
      llvm::StringRef T = C.SM.getBufferData(SR.File).slice(SR.Begin, SR.End);
      for (size_t P = T.find(Var); P != llvm::StringRef::npos;
           P = T.find(Var, P + 1)) {
        bool Left =
            P == 0 || !(isalnum((unsigned char)T[P - 1]) || T[P - 1] == '_');
        size_t E = P + Var.size();
        bool Right =
            E >= T.size() || !(isalnum((unsigned char)T[E]) || T[E] == '_');
        if (Left && Right)
          return true;
      }
    }
    return false;
  }

  void reportSkippedBranches() {
    auto BR =
        C.fileRange(CharSourceRange::getTokenRange(Body->getSourceRange()));
    if (!BR)
      return;
    for (const SkippedRange &SR : C.Skipped) {
      if (SR.File != BR->first || SR.Begin < BR->second.first ||
          SR.End > BR->second.second)
        continue;
      llvm::StringRef T = C.SM.getBufferData(SR.File).slice(SR.Begin, SR.End);
      if (!T.contains("spl") && !T.contains("tsleep"))
        continue;
      C.site(C.SM.getComposedLoc(SR.File, SR.Begin), RuleIfdef, Manual,
             "spl or tsleep code in a conditional branch this configuration "
             "does not compile is not rewritten; add a compile command "
             "that enables it",
             FD->getName(),
             std::to_string(SR.Begin) + "-" + std::to_string(SR.End));
    }
  }
};

class Visitor : public RecursiveASTVisitor<Visitor> {
public:
  explicit Visitor(TUContext &C) : C(C) {}
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() && FD->getIdentifier() &&
        isWrapper(C.P, FD->getName()))
      wrapperPrototype(FD);
    if (!FD->doesThisDeclarationHaveABody() || !FD->getIdentifier() ||
        !isa<CompoundStmt>(FD->getBody()))
      return true;
    SourceLocation L = C.SM.getExpansionLoc(FD->getBeginLoc());
    if (!C.editable(C.SM.getFileID(L))) {
      if (!C.relPath(C.SM.getFileID(L)).empty())
        FunctionRewriter(C, FD).collectRaises();
      return true;
    }
    FunctionRewriter(C, FD).run();
    return true;
  }

private:
  TUContext &C;

  /// A prototype of a sleep wrapper gets the interlock parameter too.
  void wrapperPrototype(const FunctionDecl *FD) {
    FunctionTypeLoc TL = FD->getFunctionTypeLoc();
    if (!TL || FD->getNumParams() == 0 || hasInterlock(FD, C.Prof))
      return;
    SourceLocation RP = TL.getRParenLoc();
    if (RP.isMacroID() || !C.editable(C.SM.getFileID(RP)))
      return;
    bool Named = FD->getParamDecl(FD->getNumParams() - 1)->getIdentifier();
    C.insert(RP, std::string(", ") + C.Prof.LockType[0] + " *" +
                     (Named ? WrapperParam : ""));
    C.facts(C.SM.getFileID(RP)).Needs |= NeedLock;
  }
};

} // namespace

void SplSectionRewriter::run(TUContext &C) {
  Visitor(C).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

} // namespace rewrite
} // namespace mpsafe
