//===- Extractor.cpp - per-TU fact extraction
//-------------------------------===//

#include "Extractor.h"
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Analysis/CFG.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Path.h"
#include <deque>
#include <map>
#include <set>

using namespace clang;
using llvm::StringRef;

namespace mpsafe {
namespace scan {

bool isSplRaiseName(StringRef N) {
  if (!N.startswith("spl") || N.size() < 4)
    return false;
  static const llvm::StringSet<> NotRaise = {
      "splx",     "spl0",     "splassert", "spllevel",
      "spldepth", "splcheck", "splhist"};
  if (NotRaise.count(N))
    return false;
  for (char C : N.drop_front(3))
    if (!(islower(static_cast<unsigned char>(C)) ||
          isdigit(static_cast<unsigned char>(C))))
      return false;
  return true;
}

namespace {

const llvm::StringSet<> SleepNames = {
    "tsleep", "msleep",       "mtx_sleep", "msleep_spin",
    "_sleep", "_msleep_spin", "pause",     "kern_pause",
    "sbwait", "wakeup",       "wakeup_one"};
const llvm::StringSet<> LockNames = {
    "mtx_lock",        "mtx_lock_spin", "mtx_lock_flags",
    "_mtx_lock_flags", "__mtx_lock",    "rw_wlock",
    "rw_rlock",        "sx_xlock",      "sx_slock"};
const llvm::StringSet<> UnlockNames = {
    "mtx_unlock",   "mtx_unlock_spin", "mtx_unlock_flags", "_mtx_unlock_flags",
    "__mtx_unlock", "rw_wunlock",      "rw_runlock",       "rw_unlock",
    "sx_xunlock",   "sx_sunlock",      "sx_unlock"};

constexpr unsigned MaxStates = 16, MaxDepth = 8;

/// Helpers bound to one TU.
class TUContext {
public:
  TUContext(ASTContext &Ctx) : Ctx(Ctx), SM(Ctx.getSourceManager()) {}

  ASTContext &Ctx;
  SourceManager &SM;

  Location loc(SourceLocation L) {
    Location Out;
    if (L.isInvalid())
      return Out;
    SourceLocation E = SM.getExpansionLoc(L);
    FileID FID = SM.getFileID(E);
    Out.File = fileName(FID);
    Out.Line = SM.getExpansionLineNumber(E);
    Out.Column = SM.getExpansionColumnNumber(E);
    return Out;
  }

  std::string fileName(FileID FID) {
    auto It = Names.find(FID);
    if (It != Names.end())
      return It->second;
    std::string N;
    if (const FileEntry *FE = SM.getFileEntryForID(FID)) {
      N = FE->tryGetRealPathName().str();
      if (N.empty())
        N = FE->getName().str();
    }
    Names[FID] = N;
    return N;
  }

  std::string mainFile() { return fileName(SM.getMainFileID()); }

  /// Macro names whose expansion produced L, innermost first.
  std::vector<StringRef> macroChain(SourceLocation L) {
    std::vector<StringRef> Out;
    for (unsigned Guard = 0; L.isMacroID() && Guard < 32; ++Guard) {
      StringRef N = Lexer::getImmediateMacroName(L, SM, Ctx.getLangOpts());
      if (!N.empty() && (Out.empty() || Out.back() != N))
        Out.push_back(N);
      L = SM.getImmediateMacroCallerLoc(L);
    }
    return Out;
  }

  /// Does any token of E come from a macro (or name a declaration) in Names?
  bool mentions(const Expr *E, const llvm::StringSet<> &Set) {
    if (!E)
      return false;
    bool Found = false;
    std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || Found)
        return;
      for (StringRef N : macroChain(S->getBeginLoc()))
        if (Set.count(N))
          Found = true;
      if (const auto *D = dyn_cast<DeclRefExpr>(S))
        if (Set.count(D->getDecl()->getName()))
          Found = true;
      for (const Stmt *C : S->children())
        Walk(C);
    };
    Walk(E);
    return Found;
  }

  static const Expr *strip(const Expr *E) {
    for (;;) {
      if (!E)
        return E;
      const Expr *N = E->IgnoreParenCasts();
      if (const auto *G = dyn_cast<GenericSelectionExpr>(N))
        N = G->getResultExpr();
      if (N == E)
        return E;
      E = N;
    }
  }

  /// The variable behind a FreeBSD VNET access: VNET(x) is a dereference of
  /// an address computed from &vnet_entry_x, all inside one expansion.
  static const VarDecl *vnetVar(const Expr *E) {
    E = strip(E);
    const auto *U = dyn_cast_or_null<UnaryOperator>(E);
    if (!U || U->getOpcode() != UO_Deref || !U->getBeginLoc().isMacroID())
      return nullptr;
    const VarDecl *Found = nullptr;
    std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || Found)
        return;
      if (const auto *D = dyn_cast<DeclRefExpr>(S))
        if (const auto *V = dyn_cast<VarDecl>(D->getDecl()))
          if (V->getName().startswith("vnet_entry_"))
            Found = V;
      for (const Stmt *C : S->children())
        Walk(C);
    };
    Walk(U->getSubExpr());
    return Found;
  }

  static std::string globalName(const VarDecl *V) {
    StringRef N = V->getName();
    if (N.startswith("vnet_entry_"))
      N = N.drop_front(strlen("vnet_entry_"));
    return N.str();
  }

  /// Identity of a global across TUs: its name, or "file:name" when it is
  /// file-static, "file:function.name" for a function-static.
  std::string globalKey(const VarDecl *V) {
    V = V->getCanonicalDecl();
    std::string Name = globalName(V);
    if (V->isStaticLocal()) {
      std::string Fn;
      if (const auto *F = dyn_cast<FunctionDecl>(V->getDeclContext()))
        Fn = F->getName().str();
      return loc(V->getLocation()).File + ":" + Fn + "." + Name;
    }
    if (!V->isExternallyVisible())
      return loc(V->getLocation()).File + ":" + Name;
    return Name;
  }

  std::string functionKey(const FunctionDecl *F) {
    if (F->isExternallyVisible())
      return F->getName().str();
    return mainFile() + ":" + F->getName().str();
  }

  /// A channel, lock or variable as a shape: locals and parameters become
  /// their type, so wakeup(&so->so_timeo) matches tsleep(&so2->so_timeo).
  std::string shape(const Expr *E) {
    E = strip(E);
    if (!E)
      return "";
    if (const VarDecl *V = vnetVar(E))
      return globalName(V);
    if (const auto *D = dyn_cast<DeclRefExpr>(E)) {
      const ValueDecl *VD = D->getDecl();
      if (const auto *V = dyn_cast<VarDecl>(VD))
        if (!V->hasGlobalStorage())
          return "<" +
                 V->getType()
                     .getCanonicalType()
                     .getUnqualifiedType()
                     .getAsString() +
                 ">";
      if (const auto *V = dyn_cast<VarDecl>(VD))
        return globalName(V);
      return VD->getName().str();
    }
    if (const auto *M = dyn_cast<MemberExpr>(E)) {
      // A member of an object reached through a local or a parameter is
      // named by its struct type: &so->so_rcv.sb_cc, &sb->sb_cc and
      // &(&so->so_rcv)->sb_cc are all "&<struct sockbuf>.sb_cc".
      std::string Base = shape(M->getBase());
      std::string Field = M->getMemberDecl()->getName().str();
      if (Base.find('<') != std::string::npos)
        if (const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl()))
          return "<struct " + FD->getParent()->getName().str() + ">." + Field;
      return Base + (M->isArrow() ? "->" : ".") + Field;
    }
    if (const auto *U = dyn_cast<UnaryOperator>(E)) {
      if (U->getOpcode() == UO_AddrOf)
        return "&" + shape(U->getSubExpr());
      if (U->getOpcode() == UO_Deref)
        return "*" + shape(U->getSubExpr());
    }
    if (const auto *A = dyn_cast<ArraySubscriptExpr>(E))
      return shape(A->getBase()) + "[]";
    if (const auto *I = dyn_cast<IntegerLiteral>(E))
      return llvm::toString(I->getValue(), 10, false);
    if (const auto *S = dyn_cast<StringLiteral>(E))
      return "\"" + S->getString().str() + "\"";
    if (const auto *C = dyn_cast<CallExpr>(E))
      if (const FunctionDecl *F = C->getDirectCallee())
        return F->getName().str() + "()";
    if (const auto *B = dyn_cast<BinaryOperator>(E))
      return shape(B->getLHS()) + B->getOpcodeStr().str() + shape(B->getRHS());
    return "?";
  }

  std::string text(const Expr *E) {
    if (!E)
      return "";
    E = strip(E);
    if (const auto *S = dyn_cast<StringLiteral>(E))
      return S->getString().str();
    Expr::EvalResult R;
    if (!E->isValueDependent() && E->EvaluateAsInt(R, Ctx))
      return llvm::toString(R.Val.getInt(), 10);
    return shape(E);
  }

private:
  llvm::DenseMap<FileID, std::string> Names;
};

//===----------------------------------------------------------------------===//
// Per-function dataflow
//===----------------------------------------------------------------------===//

struct Frame {
  std::string Var, Level;
  Location Raise;
  bool Local = true;
  bool operator==(const Frame &O) const {
    return Var == O.Var && Level == O.Level && Raise.Line == O.Raise.Line &&
           Raise.Column == O.Raise.Column;
  }
};

struct State {
  std::vector<Frame> Stack;
  std::vector<std::string> Held;
  bool operator==(const State &O) const {
    return Stack == O.Stack && Held == O.Held;
  }
};

struct Event {
  enum Kind { None, Raise, Lower, LowerAll, Lock, Unlock, Call } K = None;
  std::string Var, Level;
  bool Local = true;
  Location Loc;
  std::vector<std::string> ArgVars; // Call: local variables passed
  std::string Callee;
};

struct Info {
  std::string Level;
  std::vector<std::string> Held;
};

class FunctionAnalyzer {
public:
  FunctionAnalyzer(TUContext &T, const FunctionDecl *F, TUFacts &Out)
      : T(T), F(F), Out(Out), PM(F->getBody()) {
    Name = T.functionKey(F);
  }

  void run() {
    CFG::BuildOptions BO;
    BO.setAllAlwaysAdd();
    Cfg = CFG::buildCFG(F, F->getBody(), &T.Ctx, BO);
    if (Cfg) {
      collectEvents();
      solve();
    }
    visitBody();
  }

private:
  TUContext &T;
  const FunctionDecl *F;
  TUFacts &Out;
  ParentMap PM;
  std::string Name;
  std::unique_ptr<CFG> Cfg;
  llvm::DenseMap<const Stmt *, Event> Events;
  llvm::DenseMap<const Stmt *, Info> Infos;
  std::set<std::string> RaisedVars;   // assigned a raise somewhere here
  std::set<std::string> ReturnedVars; // `return v;`
  std::map<std::pair<unsigned, unsigned>, size_t> SectionAt;
  std::set<std::string> Reported;
  std::set<std::string> FieldsSeen;
  llvm::DenseMap<const Stmt *, const CFGBlock *> BlockOf;

  /// Is S on a cycle of the CFG (a loop, including one made of gotos)?
  bool inCycle(const Stmt *S) {
    auto It = BlockOf.find(S);
    if (It == BlockOf.end())
      return false;
    const CFGBlock *Start = It->second;
    std::vector<const CFGBlock *> Work;
    std::set<unsigned> Seen;
    auto Push = [&](const CFGBlock *B) {
      for (const CFGBlock::AdjacentBlock &A : B->succs())
        if (const CFGBlock *N = A.getReachableBlock())
          Work.push_back(N);
    };
    Push(Start);
    while (!Work.empty()) {
      const CFGBlock *B = Work.back();
      Work.pop_back();
      if (B == Start)
        return true;
      if (Seen.insert(B->getBlockID()).second)
        Push(B);
    }
    return false;
  }

  /// `return (tsleep(...));`: a wrapper (sbwait, cv_wait) whose callers
  /// re-check the condition.
  bool returnedDirectly(const Stmt *S) {
    const Stmt *P = PM.getParent(S);
    while (P && (isa<ParenExpr>(P) || isa<CastExpr>(P)))
      P = PM.getParent(P);
    return P && isa<ReturnStmt>(P);
  }

  //===--- event collection ---------------------------------------------===//

  /// The level named by a raise expression, or "".
  std::string raiseLevel(const Expr *RHS) {
    RHS = TUContext::strip(RHS);
    if (!RHS)
      return "";
    std::vector<StringRef> Chain = T.macroChain(RHS->getBeginLoc());
    for (auto It = Chain.rbegin(); It != Chain.rend(); ++It)
      if (isSplRaiseName(*It))
        return It->str();
    if (const auto *C = dyn_cast<CallExpr>(RHS))
      if (const FunctionDecl *FD = C->getDirectCallee())
        if (isSplRaiseName(FD->getName()))
          return FD->getName().str();
    return "";
  }

  bool isLocalVar(const Expr *E) {
    E = TUContext::strip(E);
    if (const auto *D = dyn_cast_or_null<DeclRefExpr>(E))
      if (const auto *V = dyn_cast<VarDecl>(D->getDecl()))
        return !V->hasGlobalStorage() && !isa<ParmVarDecl>(V);
    return false;
  }

  /// Names an element stands for, outermost macro first, callee last.
  std::vector<StringRef> callNames(const CallExpr *C) {
    std::vector<StringRef> Chain = T.macroChain(C->getBeginLoc());
    std::vector<StringRef> Out(Chain.rbegin(), Chain.rend());
    if (const FunctionDecl *FD = C->getDirectCallee())
      Out.push_back(FD->getName());
    return Out;
  }

  void collectEvents() {
    // Macro expansions of splx() already turned into an event, by the
    // location of the expansion: an expansion yields one event.
    std::map<unsigned, const Stmt *> SplxDone;
    std::map<unsigned, std::pair<const Expr *, unsigned>> SplxArgs;
    for (const CFGBlock *B : *Cfg) {
      for (const CFGElement &E : *B)
        if (auto CS = E.getAs<CFGStmt>())
          BlockOf[CS->getStmt()] = B;
      for (const CFGElement &E : *B) {
        auto CS = E.getAs<CFGStmt>();
        if (!CS)
          continue;
        const Stmt *S = CS->getStmt();
        // Raises saved into a variable.
        const Expr *LHS = nullptr, *RHS = nullptr;
        std::string VarName;
        bool Local = true;
        if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
          if (BO->getOpcode() == BO_Assign) {
            LHS = BO->getLHS();
            RHS = BO->getRHS();
            VarName = T.shape(LHS);
            Local = isLocalVar(LHS);
          }
        } else if (const auto *DS = dyn_cast<DeclStmt>(S)) {
          if (DS->isSingleDecl())
            if (const auto *V = dyn_cast<VarDecl>(DS->getSingleDecl()))
              if (V->hasInit()) {
                RHS = V->getInit();
                VarName = V->getName().str();
                Local = !V->hasGlobalStorage();
              }
        }
        if (RHS) {
          std::string L = raiseLevel(RHS);
          if (!L.empty()) {
            if (const auto *D = dyn_cast_or_null<DeclRefExpr>(
                    LHS ? TUContext::strip(LHS) : nullptr))
              VarName = D->getDecl()->getName().str();
            Event Ev;
            Ev.K = Event::Raise;
            Ev.Var = VarName;
            Ev.Level = L;
            Ev.Local = Local;
            Ev.Loc = T.loc(TUContext::strip(RHS)->getBeginLoc());
            Events[S] = Ev;
            RaisedVars.insert(VarName);
            continue;
          }
        }
        if (const auto *R = dyn_cast<ReturnStmt>(S))
          if (const auto *D = dyn_cast_or_null<DeclRefExpr>(
                  TUContext::strip(R->getRetValue())))
            ReturnedVars.insert(D->getDecl()->getName().str());
        if (const auto *C = dyn_cast<CallExpr>(S)) {
          collectCall(C, SplxDone);
          continue;
        }
        // splx() as a macro over something that is not a call (inline
        // asm): the widest argument expression of the expansion.
        if (const auto *X = dyn_cast<Expr>(S)) {
          SourceLocation BL = X->getBeginLoc();
          if (!BL.isMacroID() || !T.SM.isMacroArgExpansion(BL))
            continue;
          std::vector<StringRef> Chain = T.macroChain(BL);
          if (Chain.empty() || Chain.front() != "splx")
            continue;
          unsigned Key = T.SM.getExpansionLoc(BL).getRawEncoding();
          SourceLocation SB = T.SM.getSpellingLoc(BL),
                         SE = T.SM.getSpellingLoc(X->getEndLoc());
          unsigned Width = T.SM.getFileOffset(SE) - T.SM.getFileOffset(SB) + 1;
          auto &Best = SplxArgs[Key];
          if (!Best.first || Width > Best.second)
            Best = {X, Width};
        }
      }
    }
    for (auto &KV : SplxArgs) {
      if (SplxDone.count(KV.first))
        continue;
      const Expr *A = KV.second.first;
      Event Ev;
      Ev.K = Event::Lower;
      Ev.Var = varOf(A);
      Ev.Local = isLocalVar(A) || RaisedVars.count(Ev.Var);
      Ev.Loc = T.loc(A->getBeginLoc());
      Events[A] = Ev;
    }
  }

  std::string varOf(const Expr *A) {
    const Expr *S = TUContext::strip(A);
    if (const auto *D = dyn_cast_or_null<DeclRefExpr>(S))
      return D->getDecl()->getName().str();
    return T.shape(A);
  }

  void collectCall(const CallExpr *C, std::map<unsigned, const Stmt *> &Done) {
    std::vector<StringRef> Names = callNames(C);
    unsigned Key = T.SM.getExpansionLoc(C->getBeginLoc()).getRawEncoding();
    Event Ev;
    Ev.Loc = T.loc(C->getBeginLoc());
    for (StringRef N : Names) {
      if (N == "splx" && C->getNumArgs() >= 1) {
        Ev.K = Event::Lower;
        Ev.Var = varOf(C->getArg(0));
        Ev.Local = isLocalVar(C->getArg(0));
        Done[Key] = C;
        break;
      }
      if (N == "spl0") {
        Ev.K = Event::LowerAll;
        break;
      }
      if (LockNames.count(N) && C->getNumArgs() >= 1) {
        Ev.K = Event::Lock;
        Ev.Var = T.shape(C->getArg(0));
        break;
      }
      if (UnlockNames.count(N) && C->getNumArgs() >= 1) {
        Ev.K = Event::Unlock;
        Ev.Var = T.shape(C->getArg(0));
        break;
      }
    }
    if (Ev.K == Event::None) {
      Ev.K = Event::Call;
      if (const FunctionDecl *FD = C->getDirectCallee())
        Ev.Callee = T.functionKey(FD);
      for (const Expr *A : C->arguments())
        if (isLocalVar(A))
          Ev.ArgVars.push_back(varOf(A));
    }
    Events[C] = Ev;
  }

  //===--- dataflow -----------------------------------------------------===//

  void note(SplEventFact E) {
    std::string K = E.Kind + "|" + E.Var + "|" + std::to_string(E.Loc.Line) +
                    ":" + std::to_string(E.Loc.Column);
    if (!Reported.insert(K).second)
      return;
    E.Function = Name;
    Out.SplEvents.push_back(std::move(E));
  }

  void apply(State &St, const Stmt *S, bool Record) {
    auto It = Events.find(S);
    if (It != Events.end()) {
      const Event &Ev = It->second;
      switch (Ev.K) {
      case Event::Raise: {
        if (St.Stack.size() >= MaxDepth)
          break;
        if (Record) {
          auto Key = std::make_pair(Ev.Loc.Line, Ev.Loc.Column);
          if (!SectionAt.count(Key)) {
            SectionFact SF;
            SF.Function = Name;
            SF.Level = Ev.Level;
            SF.Var = Ev.Var;
            SF.Raise = Ev.Loc;
            SF.Depth = St.Stack.size();
            if (!St.Stack.empty())
              SF.Outer = St.Stack.back().Level;
            SectionAt[Key] = Out.Sections.size();
            Out.Sections.push_back(SF);
          }
        }
        Frame Fr{Ev.Var, Ev.Level, Ev.Loc, Ev.Local};
        St.Stack.push_back(Fr);
        break;
      }
      case Event::Lower: {
        int Idx = -1;
        for (int I = static_cast<int>(St.Stack.size()) - 1; I >= 0; --I)
          if (St.Stack[I].Var == Ev.Var) {
            Idx = I;
            break;
          }
        if (Idx < 0) {
          if (Record) {
            SplEventFact E;
            E.Var = Ev.Var;
            E.Loc = Ev.Loc;
            if (RaisedVars.count(Ev.Var)) {
              E.Kind = "never-raised";
              E.Other = "path";
            } else if (Ev.Local) {
              E.Kind = "never-raised";
            } else {
              E.Kind = "lowers-foreign";
            }
            note(E);
          }
          break;
        }
        const Frame Fr = St.Stack[Idx];
        if (Record) {
          auto SIt = SectionAt.find({Fr.Raise.Line, Fr.Raise.Column});
          if (SIt != SectionAt.end()) {
            auto &Lows = Out.Sections[SIt->second].Lowers;
            bool Have = false;
            for (const Location &L : Lows)
              Have |= L.Line == Ev.Loc.Line && L.Column == Ev.Loc.Column;
            if (!Have)
              Lows.push_back(Ev.Loc);
          }
          if (Idx + 1 != static_cast<int>(St.Stack.size())) {
            const Frame &Top = St.Stack.back();
            SplEventFact E;
            E.Kind = "out-of-order";
            E.Var = Fr.Var;
            E.Level = Fr.Level;
            E.Other = Top.Level + " saved in '" + Top.Var + "'";
            E.Loc = Ev.Loc;
            E.Related = Top.Raise;
            note(E);
          }
        }
        St.Stack.erase(St.Stack.begin() + Idx);
        break;
      }
      case Event::LowerAll:
        St.Stack.clear();
        break;
      case Event::Lock:
        if (std::find(St.Held.begin(), St.Held.end(), Ev.Var) == St.Held.end())
          St.Held.push_back(Ev.Var);
        break;
      case Event::Unlock:
        St.Held.erase(std::remove(St.Held.begin(), St.Held.end(), Ev.Var),
                      St.Held.end());
        break;
      case Event::Call:
        for (const std::string &V : Ev.ArgVars) {
          for (size_t I = 0; I < St.Stack.size(); ++I) {
            if (St.Stack[I].Var != V)
              continue;
            if (Record) {
              SplEventFact E;
              E.Kind = "lowered-in-callee";
              E.Var = V;
              E.Level = St.Stack[I].Level;
              E.Other = Ev.Callee;
              E.Loc = Ev.Loc;
              E.Related = St.Stack[I].Raise;
              note(E);
            }
            St.Stack.erase(St.Stack.begin() + I);
            break;
          }
        }
        break;
      case Event::None:
        break;
      }
    }
    if (Record) {
      Info &I = Infos[S];
      if (!St.Stack.empty() && I.Level.empty())
        I.Level = St.Stack.back().Level;
      for (const std::string &H : St.Held)
        if (std::find(I.Held.begin(), I.Held.end(), H) == I.Held.end())
          I.Held.push_back(H);
    }
  }

  void atExit(const CFGBlock *B, const State &St) {
    if (St.Stack.empty())
      return;
    Location Where = T.loc(F->getBody()->getEndLoc());
    const ReturnStmt *Ret = nullptr;
    for (const CFGElement &E : *B)
      if (auto CS = E.getAs<CFGStmt>()) {
        if (const auto *R = dyn_cast<ReturnStmt>(CS->getStmt()))
          Ret = R;
        if (const auto *C = dyn_cast<CallExpr>(CS->getStmt()))
          if (const FunctionDecl *FD = C->getDirectCallee())
            if (FD->isNoReturn())
              return; // panic() and friends never return
      }
    if (Ret)
      Where = T.loc(Ret->getBeginLoc());
    for (const Frame &Fr : St.Stack) {
      SplEventFact E;
      E.Var = Fr.Var;
      E.Level = Fr.Level;
      E.Loc = Where;
      E.Related = Fr.Raise;
      E.Kind = (Fr.Local && !ReturnedVars.count(Fr.Var)) ? "unbalanced"
                                                         : "raise-escapes";
      if (E.Kind == "raise-escapes") {
        E.Loc = Fr.Raise;
        E.Other = Fr.Local ? "returned" : "stored";
      }
      note(E);
    }
  }

  void solve() {
    unsigned N = Cfg->getNumBlockIDs();
    std::vector<std::vector<State>> In(N);
    std::deque<const CFGBlock *> Work;
    std::vector<bool> Queued(N, false);
    const CFGBlock &Entry = Cfg->getEntry();
    In[Entry.getBlockID()].push_back(State());
    Work.push_back(&Entry);
    Queued[Entry.getBlockID()] = true;
    unsigned Steps = 0;
    while (!Work.empty() && ++Steps < 20000) {
      const CFGBlock *B = Work.front();
      Work.pop_front();
      Queued[B->getBlockID()] = false;
      for (const State &S0 : In[B->getBlockID()]) {
        State St = S0;
        for (const CFGElement &E : *B)
          if (auto CS = E.getAs<CFGStmt>())
            apply(St, CS->getStmt(), false);
        for (const CFGBlock::AdjacentBlock &Succ : B->succs()) {
          const CFGBlock *SB = Succ.getReachableBlock();
          if (!SB)
            continue;
          auto &Dst = In[SB->getBlockID()];
          if (std::find(Dst.begin(), Dst.end(), St) != Dst.end() ||
              Dst.size() >= MaxStates)
            continue;
          Dst.push_back(St);
          if (!Queued[SB->getBlockID()]) {
            Queued[SB->getBlockID()] = true;
            Work.push_back(SB);
          }
        }
      }
    }
    // Final pass: record facts with the converged states, in block order
    // so that output does not depend on the worklist.
    const CFGBlock &Exit = Cfg->getExit();
    for (unsigned Id = N; Id-- > 0;) {
      const CFGBlock *B = nullptr;
      for (const CFGBlock *C : *Cfg)
        if (C->getBlockID() == Id)
          B = C;
      if (!B)
        continue;
      bool ToExit = false;
      for (const CFGBlock::AdjacentBlock &Succ : B->succs())
        if (Succ.getReachableBlock() == &Exit)
          ToExit = true;
      for (const State &S0 : In[Id]) {
        State St = S0;
        for (const CFGElement &E : *B)
          if (auto CS = E.getAs<CFGStmt>())
            apply(St, CS->getStmt(), true);
        if (ToExit)
          atExit(B, St);
      }
    }
  }

  //===--- accesses, sleeps, calls, fields ------------------------------===//

  Info infoAt(const Stmt *S) {
    for (unsigned Guard = 0; S && Guard < 64; ++Guard) {
      auto It = Infos.find(S);
      if (It != Infos.end())
        return It->second;
      S = PM.getParent(S);
    }
    return Info();
  }

  const Stmt *parentOf(const Stmt *S) {
    const Stmt *P = PM.getParent(S);
    while (P && (isa<ParenExpr>(P) ||
                 (isa<ImplicitCastExpr>(P) &&
                  cast<ImplicitCastExpr>(P)->getCastKind() == CK_NoOp)))
      P = PM.getParent(P);
    return P;
  }

  bool valueUsed(const Stmt *E) {
    const Stmt *P = parentOf(E);
    if (!P || isa<CompoundStmt>(P) || isa<ForStmt>(P) || isa<LabelStmt>(P) ||
        isa<IfStmt>(P) && cast<IfStmt>(P)->getCond() != E)
      return false;
    if (const auto *C = dyn_cast<CStyleCastExpr>(P))
      return !C->getType()->isVoidType();
    if (const auto *B = dyn_cast<BinaryOperator>(P))
      if (B->getOpcode() == BO_Comma && B->getLHS() == E)
        return false;
    return isa<Expr>(P) || isa<ReturnStmt>(P) || isa<IfStmt>(P) ||
           isa<WhileStmt>(P) || isa<DoStmt>(P);
  }

  void recordAccess(const VarDecl *V, const Expr *LV) {
    AccessFact A;
    A.Global = T.globalKey(V);
    A.Path = TUContext::globalName(V);
    A.Function = Name;
    A.Loc = T.loc(LV->getBeginLoc());
    const Expr *Cur = LV;
    for (;;) {
      const Stmt *P = parentOf(Cur);
      if (const auto *M = dyn_cast_or_null<MemberExpr>(P)) {
        if (!M->isArrow() && M->getBase()->IgnoreParens() == Cur) {
          A.Path += "." + M->getMemberDecl()->getName().str();
          Cur = M;
          continue;
        }
      }
      if (const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(P))
        if (IC->getCastKind() == CK_ArrayToPointerDecay)
          if (const auto *AS =
                  dyn_cast_or_null<ArraySubscriptExpr>(parentOf(IC)))
            if (AS->getBase()->IgnoreParenImpCasts() == Cur->IgnoreParens()) {
              A.Path += "[]";
              Cur = AS;
              continue;
            }
      break;
    }
    const Stmt *P = parentOf(Cur);
    A.Kind = access::Read;
    if (const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(P)) {
      if (IC->getCastKind() == CK_ArrayToPointerDecay ||
          IC->getCastKind() == CK_FunctionToPointerDecay)
        A.Kind = access::Addr;
    } else if (const auto *U = dyn_cast_or_null<UnaryOperator>(P)) {
      if (U->isIncrementDecrementOp()) {
        A.Kind = access::Inc;
        A.ValueUsed = valueUsed(U);
      } else if (U->getOpcode() == UO_AddrOf) {
        A.Kind = access::Addr;
      }
    } else if (const auto *CA = dyn_cast_or_null<CompoundAssignOperator>(P)) {
      if (CA->getLHS()->IgnoreParens() == Cur->IgnoreParens()) {
        switch (CA->getOpcode()) {
        case BO_AddAssign:
        case BO_SubAssign:
          A.Kind = access::AddSub;
          break;
        case BO_OrAssign:
          A.Kind = access::Or;
          break;
        case BO_AndAssign:
          A.Kind = access::And;
          break;
        default:
          A.Kind = access::Assign;
        }
      }
    } else if (const auto *B = dyn_cast_or_null<BinaryOperator>(P)) {
      if (B->getOpcode() == BO_Assign &&
          B->getLHS()->IgnoreParens() == Cur->IgnoreParens())
        A.Kind = access::Assign;
    }
    A.Level = infoAt(LV).Level;
    Out.Accesses.push_back(std::move(A));
  }

  /// FreeBSD's msleep passes &(mtx)->lock_object; name the mutex itself.
  static std::string lockShape(std::string S) {
    StringRef R(S);
    if (R.startswith("&") && R.endswith("->lock_object"))
      return R.drop_front(1).drop_back(strlen("->lock_object")).str();
    if (R.startswith("&") && R.endswith(".lock_object"))
      return R.drop_back(strlen(".lock_object")).str();
    return S;
  }

  void recordSleep(const CallExpr *C) {
    std::vector<StringRef> Names = callNames(C);
    StringRef Kind;
    for (StringRef N : Names)
      if (SleepNames.count(N)) {
        Kind = N;
        break;
      }
    if (Kind.empty())
      return;
    const FunctionDecl *FD = C->getDirectCallee();
    StringRef Callee = FD ? FD->getName() : Kind;
    auto Arg = [&](unsigned I) -> const Expr * {
      return I < C->getNumArgs() ? C->getArg(I) : nullptr;
    };
    // Argument positions by the function actually called.
    int Chan = 0, Lock = -1, Pri = -1, Wmesg = -1, Timo = -1;
    if (Callee == "tsleep")
      Pri = 1, Wmesg = 2, Timo = 3;
    else if (Callee == "msleep" || Callee == "mtx_sleep" || Callee == "_sleep")
      Lock = 1, Pri = 2, Wmesg = 3, Timo = 4;
    else if (Callee == "msleep_spin" || Callee == "_msleep_spin")
      Lock = 1, Wmesg = 2, Timo = 3;
    else if (Callee == "pause" || Callee == "kern_pause")
      Chan = -1, Wmesg = 0, Timo = 1;
    SleepFact S;
    S.Function = Name;
    S.Kind = Kind.str();
    S.IsWakeup = Kind == "wakeup" || Kind == "wakeup_one";
    if (Kind == "pause" || Kind == "kern_pause")
      Chan = -1; // a timed pause: no channel to match
    if (Chan >= 0)
      S.Channel = T.shape(Arg(Chan));
    if (Lock >= 0 && Arg(Lock) &&
        !TUContext::strip(Arg(Lock))->isNullPointerConstant(
            T.Ctx, Expr::NPC_ValueDependentIsNotNull))
      S.Interlock = lockShape(T.shape(Arg(Lock)));
    if (Wmesg >= 0)
      S.Wmesg = T.text(Arg(Wmesg));
    if (Timo >= 0)
      S.Timeout = T.text(Arg(Timo));
    static const llvm::StringSet<> Pcatch = {"PCATCH"};
    S.Pcatch = Pri >= 0 && T.mentions(Arg(Pri), Pcatch);
    for (const Stmt *P = PM.getParent(C); P; P = PM.getParent(P)) {
      if (isa<WhileStmt>(P) || isa<ForStmt>(P))
        S.InLoop = true;
      if (const auto *D = dyn_cast<DoStmt>(P)) {
        Expr::EvalResult R;
        bool Once = D->getCond()->EvaluateAsInt(R, T.Ctx) &&
                    R.Val.getInt() == 0; // do { } while (0) of a macro
        if (!Once)
          S.InLoop = true;
      }
    }
    if (!S.InLoop && (inCycle(C) || returnedDirectly(C)))
      S.InLoop = true;
    Info I = infoAt(C);
    S.Level = I.Level;
    for (const std::string &H : I.Held)
      if (H != S.Interlock && H != "&Giant")
        S.Held.push_back(H);
    S.Loc = T.loc(C->getBeginLoc());
    Out.Sleeps.push_back(std::move(S));
  }

  void recordCall(const CallExpr *C) {
    const FunctionDecl *FD = C->getDirectCallee();
    if (!FD)
      return;
    CallFact CF;
    CF.Caller = Name;
    CF.Callee = T.functionKey(FD);
    static const llvm::StringSet<> Wait = {"M_WAITOK", "M_WAIT", "M_TRYWAIT"};
    for (const Expr *A : C->arguments())
      if (T.mentions(A, Wait))
        CF.WaitOk = true;
    Info I = infoAt(C);
    CF.Level = I.Level;
    for (const std::string &H : I.Held)
      if (H != "&Giant")
        CF.Held.push_back(H);
    CF.Loc = T.loc(C->getBeginLoc());
    Out.Calls.push_back(std::move(CF));
  }

  void recordField(const MemberExpr *M) {
    Info I = infoAt(M);
    if (I.Level.empty())
      return;
    const Expr *Base = TUContext::strip(M->getBase());
    if (TUContext::vnetVar(Base))
      return;
    if (const auto *D = dyn_cast_or_null<DeclRefExpr>(Base))
      if (const auto *V = dyn_cast<VarDecl>(D->getDecl()))
        if (V->hasGlobalStorage())
          return; // a global's member: counted as a global access
    for (StringRef N : T.macroChain(M->getBeginLoc()))
      if (N.startswith("VNET") || N.startswith("_VNET") || N == "curvnet")
        return; // the machinery of a VNET access, not a field of the code
    const auto *FD = dyn_cast<FieldDecl>(M->getMemberDecl());
    if (!FD)
      return;
    const RecordDecl *RD = FD->getParent();
    FieldFact Fld;
    Fld.Struct = RD->getName().str();
    if (Fld.Struct.empty())
      if (const TypedefNameDecl *TD = RD->getTypedefNameForAnonDecl())
        Fld.Struct = TD->getName().str();
    if (Fld.Struct.empty())
      Fld.Struct = "(anonymous)";
    Fld.Field = FD->getName().str();
    Fld.Function = Name;
    Fld.Level = I.Level;
    const Expr *Cur = M;
    for (;;) {
      const Stmt *P = parentOf(Cur);
      if (const auto *PM2 = dyn_cast_or_null<MemberExpr>(P))
        if (!PM2->isArrow()) {
          Cur = PM2;
          continue;
        }
      if (const auto *U = dyn_cast_or_null<UnaryOperator>(P))
        Fld.Write = U->isIncrementDecrementOp();
      else if (const auto *B = dyn_cast_or_null<BinaryOperator>(P))
        Fld.Write = B->isAssignmentOp() &&
                    B->getLHS()->IgnoreParens() == Cur->IgnoreParens();
      break;
    }
    // One fact per function, field, level and direction: the rule counts
    // functions, and the cache stays small.
    std::string Key = Fld.Struct + "." + Fld.Field + "|" + Fld.Level +
                      (Fld.Write ? "|w" : "|r");
    if (!FieldsSeen.insert(Key).second)
      return;
    Fld.Loc = T.loc(M->getMemberLoc());
    Out.Fields.push_back(std::move(Fld));
  }

  class BodyVisitor : public RecursiveASTVisitor<BodyVisitor> {
  public:
    explicit BodyVisitor(FunctionAnalyzer &A) : A(A) {}
    bool VisitDeclRefExpr(DeclRefExpr *D) {
      const auto *V = dyn_cast<VarDecl>(D->getDecl());
      if (!V || !V->hasGlobalStorage() || isa<ParmVarDecl>(V))
        return true;
      const Expr *LV = D;
      if (V->getName().startswith("vnet_entry_")) {
        // Climb to the dereference that VNET(x) expands to.
        const Stmt *Cur = D;
        for (unsigned Guard = 0; Guard < 16; ++Guard) {
          const Stmt *P = A.PM.getParent(Cur);
          if (!P)
            break;
          if (TUContext::vnetVar(dyn_cast<Expr>(P)) == V) {
            LV = cast<Expr>(P);
            break;
          }
          Cur = P;
        }
      }
      A.recordAccess(V, LV);
      return true;
    }
    bool VisitCallExpr(CallExpr *C) {
      A.recordSleep(C);
      A.recordCall(C);
      return true;
    }
    bool VisitMemberExpr(MemberExpr *M) {
      A.recordField(M);
      return true;
    }

  private:
    FunctionAnalyzer &A;
  };

  void visitBody() {
    FunctionFact FF;
    FF.Key = Name;
    FF.Name = F->getName().str();
    FF.Loc = T.loc(F->getLocation());
    Out.Functions.push_back(FF);
    BodyVisitor V(*this);
    V.TraverseStmt(F->getBody());
  }
};

//===----------------------------------------------------------------------===//
// The TU consumer
//===----------------------------------------------------------------------===//

bool isListHead(QualType T) {
  const RecordType *RT = T->getAs<RecordType>();
  if (!RT)
    return false;
  for (const FieldDecl *F : RT->getDecl()->fields()) {
    StringRef N = F->getName();
    if (N.endswith("_first") || N == "first" || N.endswith("_head"))
      return true;
  }
  return false;
}

class Consumer : public ASTConsumer {
public:
  Consumer(TUFacts &Out, std::vector<std::string> &Deps)
      : Out(Out), Deps(Deps) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    TUContext T(Ctx);
    Out.File = T.mainFile();
    class Finder : public RecursiveASTVisitor<Finder> {
    public:
      Finder(TUContext &T, TUFacts &Out) : T(T), Out(Out) {}
      bool VisitFunctionDecl(FunctionDecl *F) {
        if (F->doesThisDeclarationHaveABody() &&
            T.SM.isInMainFile(T.SM.getExpansionLoc(F->getLocation())))
          FunctionAnalyzer(T, F, Out).run();
        return true;
      }
      bool VisitVarDecl(VarDecl *V) {
        if (!V->hasGlobalStorage() || isa<ParmVarDecl>(V) ||
            V->isThisDeclarationADefinition() == VarDecl::DeclarationOnly ||
            !T.SM.isInMainFile(T.SM.getExpansionLoc(V->getLocation())))
          return true;
        if (V->getDefinition() && V->getDefinition() != V)
          return true; // a tentative definition followed by the real one
        GlobalFact G;
        G.Key = T.globalKey(V);
        G.Name = TUContext::globalName(V);
        G.Type = V->getType().getAsString();
        G.Static = !V->isExternallyVisible() || V->isStaticLocal();
        G.Vnet = V->getName().startswith("vnet_entry_");
        QualType Ty = V->getType();
        G.Pointer = Ty->isPointerType();
        G.ListHead =
            isListHead(Ty) ||
            (Ty->isArrayType() &&
             isListHead(QualType(Ty->getPointeeOrArrayElementType(), 0)));
        G.Loc = T.loc(V->getLocation());
        Out.Globals.push_back(std::move(G));
        return true;
      }

    private:
      TUContext &T;
      TUFacts &Out;
    } Find(T, Out);
    Find.TraverseDecl(Ctx.getTranslationUnitDecl());

    SourceManager &SM = Ctx.getSourceManager();
    Deps.clear();
    Deps.push_back(Out.File);
    std::vector<std::string> Rest;
    for (auto It = SM.fileinfo_begin(); It != SM.fileinfo_end(); ++It) {
      std::string P = It->first->tryGetRealPathName().str();
      if (P.empty())
        P = It->first->getName().str();
      if (P != Out.File)
        Rest.push_back(P);
    }
    std::sort(Rest.begin(), Rest.end());
    Rest.erase(std::unique(Rest.begin(), Rest.end()), Rest.end());
    Deps.insert(Deps.end(), Rest.begin(), Rest.end());
  }

private:
  TUFacts &Out;
  std::vector<std::string> &Deps;
};

class Action : public ASTFrontendAction {
public:
  Action(TUFacts &Out, std::vector<std::string> &Deps) : Out(Out), Deps(Deps) {}
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &,
                                                 StringRef) override {
    return std::make_unique<Consumer>(Out, Deps);
  }

private:
  TUFacts &Out;
  std::vector<std::string> &Deps;
};

} // namespace

std::unique_ptr<FrontendAction>
makeExtractAction(TUFacts &Out, std::vector<std::string> &Deps) {
  return std::make_unique<Action>(Out, Deps);
}

} // namespace scan
} // namespace mpsafe
