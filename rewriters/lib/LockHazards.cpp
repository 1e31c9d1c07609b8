//===- LockHazards.cpp - calls in a section that reach its lock again -----===//
//
// An spl section may call anything: raising the level again in a callee,
// or freeing the object whose level it raised, was harmless. Once the
// section holds a mutex, two call shapes are bugs no single function
// shows:
//
//   destroy-under-lock  a call in the section reaches the function the
//                       plan names as the lock's destroy_in: the mutex is
//                       destroyed while held (and unlocked after the free);
//   nested-lock         a call in the section reaches a function whose own
//                       section takes a lock of the same class: the same
//                       object (a non-recursive mutex recursed) or another
//                       object of the class (two locks of one witness class
//                       held at once, in no declared order).
//
// Every TU records a node per function defined under the root (its direct
// calls, and which of its parameters each call passes on as is) and every
// section it rewrites (its lock, the parameter whose lock it takes, the
// calls made while it is held). After all TUs, findLockHazards() searches
// the merged graph breadth-first from each call in a section, following a
// parameter through the calls to tell the same object from another one.
// Calls through function pointers have no edge.
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/STLExtras.h"
#include <deque>

using namespace clang;

namespace mpsafe {
namespace rewrite {

const char *RuleDestroyUnderLock = "rewrite-destroy-under-lock";
const char *RuleNestedLock = "rewrite-nested-lock";

std::string functionKey(const TUContext &C, const FunctionDecl *F) {
  if (const FunctionDecl *Def = F->getDefinition())
    F = Def;
  std::string Name = F->getName().str();
  if (F->isExternallyVisible())
    return Name;
  // A static function is one per file: name it with its file.
  FileID FID = C.SM.getFileID(C.SM.getExpansionLoc(F->getLocation()));
  return C.canonicalPath(FID) + ":" + Name;
}

namespace {

/// The caller's parameter an argument passes on unchanged, -1 otherwise.
int paramOf(const FunctionDecl *Caller, const Expr *Arg) {
  auto *DR = dyn_cast<DeclRefExpr>(Arg->IgnoreParenImpCasts());
  if (!DR)
    return -1;
  auto *PV = dyn_cast<ParmVarDecl>(DR->getDecl());
  if (!PV)
    return -1;
  for (unsigned I = 0; I < Caller->getNumParams(); ++I)
    if (Caller->getParamDecl(I) == PV)
      return I;
  return -1;
}

} // namespace

bool callSite(const TUContext &C, const FunctionDecl *Caller,
              const CallExpr *CE, CallSite &Out) {
  const FunctionDecl *F = CE->getDirectCallee();
  if (!F || !F->getIdentifier())
    return false; // through a pointer: not followed
  Out.Callee = functionKey(C, F);
  Out.CalleeName = F->getName().str();
  Out.ArgParam.clear();
  for (const Expr *A : CE->arguments())
    Out.ArgParam.push_back(paramOf(Caller, A));
  SourceLocation L = C.SM.getExpansionLoc(CE->getBeginLoc());
  Out.File = C.canonicalPath(C.SM.getFileID(L));
  Out.Line = C.SM.getSpellingLineNumber(L);
  Out.Column = C.SM.getSpellingColumnNumber(L);
  return true;
}

int objectArg(const CallExpr *CE, llvm::StringRef Object) {
  if (Object.empty())
    return -1;
  unsigned I = 0;
  for (const Expr *A : CE->arguments()) {
    if (auto *DR = dyn_cast<DeclRefExpr>(A->IgnoreParenImpCasts()))
      if (DR->getDecl()->getName() == Object)
        return I;
    ++I;
  }
  return -1;
}

namespace {

/// Every call in a body, in source order.
void collectCalls(const Stmt *S, std::vector<const CallExpr *> &Out) {
  if (!S)
    return;
  if (auto *CE = dyn_cast<CallExpr>(S))
    Out.push_back(CE);
  for (const Stmt *Ch : S->children())
    collectCalls(Ch, Out);
}

class GraphVisitor : public RecursiveASTVisitor<GraphVisitor> {
public:
  explicit GraphVisitor(TUContext &C) : C(C) {}
  bool VisitFunctionDecl(FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || !FD->getIdentifier())
      return true;
    FileID FID = C.SM.getFileID(C.SM.getExpansionLoc(FD->getLocation()));
    if (C.relPath(FID).empty())
      return true; // outside the project: no node
    FunctionNode N;
    N.Key = functionKey(C, FD);
    N.Name = FD->getName().str();
    N.File = C.canonicalPath(FID);
    N.Line = C.SM.getExpansionLineNumber(FD->getLocation());
    N.Migrated = C.editable(FID);
    for (const ParmVarDecl *PV : FD->parameters()) {
      std::string Tag;
      QualType T = PV->getType();
      if (T->isPointerType())
        if (const RecordType *RT = T->getPointeeType()->getAs<RecordType>())
          if (RT->getDecl()->getIdentifier())
            Tag = RT->getDecl()->getName().str();
      N.ParamStruct.push_back(Tag);
    }
    std::vector<const CallExpr *> Calls;
    collectCalls(FD->getBody(), Calls);
    for (const CallExpr *CE : Calls) {
      CallSite CS;
      if (callSite(C, FD, CE, CS))
        N.Calls.push_back(std::move(CS));
    }
    C.Graph.push_back(std::move(N));
    return true;
  }

private:
  TUContext &C;
};

} // namespace

void CallGraphCollector::run(TUContext &C) {
  GraphVisitor(C).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

namespace {

std::string lockClass(const plan::Lock &L) {
  return L.Witness.empty() ? L.Name : L.Witness;
}

bool hasFlag(const plan::Lock &L, llvm::StringRef F) {
  return llvm::is_contained(L.Flags, F);
}

/// One state of the search: a function, and which of its parameters holds
/// the locked object (-1: none known).
using State = std::pair<const FunctionNode *, int>;

struct Hit {
  bool Found = false;
  bool Same = false;
  std::vector<const CallSite *> Chain; ///< calls from the section on
  const FunctionNode *Target = nullptr;
  const HeldSection *TargetSection = nullptr; ///< nested-lock
};

std::string rel(const std::string &F, const std::string &Root) {
  return relativePath(F, Root);
}

} // namespace

std::vector<Finding> findLockHazards(const plan::Plan &P,
                                     const std::string &Root,
                                     const std::vector<FunctionNode> &Graph,
                                     const std::vector<HeldSection> &Held,
                                     LockHazardCounts &Counts) {
  std::vector<Finding> Out;
  // The graph, once per function (a header's static function is seen by
  // every TU that includes it).
  std::map<std::string, const FunctionNode *> Nodes;
  for (const FunctionNode &N : Graph)
    Nodes.emplace(N.Key, &N);
  std::map<std::string, std::vector<const HeldSection *>> SectionsOf;
  std::vector<const HeldSection *> Unique;
  {
    std::set<std::tuple<std::string, unsigned, unsigned, std::string>> Seen;
    for (const HeldSection &H : Held)
      if (Seen.insert({H.File, H.Line, H.Column, H.Lock}).second) {
        Unique.push_back(&H);
        SectionsOf[H.Function].push_back(&H);
      }
  }
  std::sort(Unique.begin(), Unique.end(),
            [](const HeldSection *A, const HeldSection *B) {
              return std::tie(A->File, A->Line, A->Column) <
                     std::tie(B->File, B->Line, B->Column);
            });

  for (const HeldSection *H : Unique) {
    const plan::Lock *L = P.findLock(H->Lock);
    if (!L)
      continue;
    bool Global = L->Scope == plan::LockScope::Global;
    std::string Cls = lockClass(*L);
    std::set<std::tuple<std::string, unsigned, unsigned>> CallsSeen;
    for (const CallSite &Start : H->Calls) {
      if (!CallsSeen.insert({Start.File, Start.Line, Start.Column}).second)
        continue;
      auto First = Nodes.find(Start.Callee);
      if (First == Nodes.end())
        continue;
      Hit Destroy, Nested;
      std::map<State, std::pair<State, const CallSite *>> From;
      std::deque<State> Queue;
      State S0{First->second, Global ? -1 : Start.ObjArg};
      From[S0] = {State{nullptr, -1}, &Start};
      Queue.push_back(S0);
      auto Chain = [&](State S) {
        std::vector<const CallSite *> C;
        while (S.first) {
          auto &Prev = From[S];
          C.push_back(Prev.second);
          S = Prev.first;
        }
        std::reverse(C.begin(), C.end());
        return C;
      };
      while (!Queue.empty() && !(Destroy.Same && Nested.Same)) {
        State S = Queue.front();
        Queue.pop_front();
        const FunctionNode *N = S.first;
        // The lock's destroy_in, where this stage writes the destroy.
        if (!L->DestroyIn.empty() && N->Name == L->DestroyIn && N->Migrated) {
          bool Same = Global;
          if (!Global && S.second >= 0 && S.second < (int)N->ParamStruct.size())
            Same = N->ParamStruct[S.second] == L->Struct;
          if (!Destroy.Found || (Same && !Destroy.Same)) {
            Destroy.Found = true;
            Destroy.Same = Same;
            Destroy.Chain = Chain(S);
            Destroy.Target = N;
          }
        }
        auto Secs = SectionsOf.find(N->Key);
        if (Secs != SectionsOf.end())
          for (const HeldSection *T : Secs->second) {
            const plan::Lock *TL = P.findLock(T->Lock);
            if (!TL || lockClass(*TL) != Cls)
              continue;
            bool Same =
                T->Lock == H->Lock &&
                (Global || (T->ObjParam >= 0 && T->ObjParam == S.second));
            if (Same ? hasFlag(*L, "MTX_RECURSE") : hasFlag(*L, "MTX_DUPOK"))
              continue; // the plan declares this nesting allowed
            if (!Nested.Found || (Same && !Nested.Same)) {
              Nested.Found = true;
              Nested.Same = Same;
              Nested.Chain = Chain(S);
              Nested.Target = N;
              Nested.TargetSection = T;
            }
          }
        for (const CallSite &E : N->Calls) {
          auto It = Nodes.find(E.Callee);
          if (It == Nodes.end())
            continue;
          int Next = -1;
          if (S.second >= 0)
            for (size_t K = 0; K < E.ArgParam.size(); ++K)
              if (E.ArgParam[K] == S.second) {
                Next = K;
                break;
              }
          State T{It->second, Next};
          if (From.emplace(T, std::make_pair(S, &E)).second)
            Queue.push_back(T);
        }
      }

      auto Report = [&](const Hit &X, const char *Check, const char *RuleId) {
        if (!X.Found)
          return;
        std::string Path = H->FunctionName;
        for (const CallSite *C : X.Chain)
          Path += " -> " + C->CalleeName;
        std::string Object =
            Global ? L->globalRef()
                   : "&" + H->Object + "->" + L->cName();
        std::string Msg = Start.CalleeName + "() called in the " +
                          H->FunctionName + "() section raised at line " +
                          std::to_string(H->Line) + ", which holds " + Object +
                          ", reaches ";
        if (X.TargetSection) {
          const HeldSection *T = X.TargetSection;
          std::string Where =
              rel(T->File, Root) + ":" + std::to_string(T->Line);
          Msg += T->FunctionName + "(), whose section at " + Where + " takes " +
                 T->Lock;
          if (X.Same)
            Msg += " of the same object again: a non-recursive mutex is "
                   "recursed";
          else if (T->Lock != H->Lock)
            Msg += ", another lock of class '" + Cls +
                   "': two locks of one class held at once (witness: "
                   "duplicate lock of same type)";
          else
            Msg += " of possibly another struct " + L->Struct +
                   ": two locks of class '" + Cls +
                   "' held at once, in no declared order (witness: "
                   "duplicate lock of same type)";
        } else {
          Msg += X.Target->Name + "(), where the plan destroys lock " +
                 L->Name + " (destroy_in)";
          Msg += X.Same ? ", on the locked object: the mutex is destroyed "
                          "while held, and the unlock runs after the free"
                        : ", on possibly another struct " + L->Struct +
                              ": check that it is never the locked one";
        }
        Msg += " (" + Path + ")";
        // Reviewed in the plan: a person decided this one is safe.
        const plan::Site *Ack = nullptr;
        for (const plan::Site &Si : P.Sites)
          if (Si.File == H->Rel && Si.SiteLine == H->Line &&
              llvm::is_contained(Si.Reviewed, Check))
            Ack = &Si;
        Finding F;
        F.RuleId = RuleId;
        F.Loc = {Start.File, Start.Line, Start.Column};
        F.Function = H->FunctionName;
        F.Key =
            std::string(Check) + ":" + X.Target->Name + ":" + H->FunctionName;
        if (Ack) {
          F.Category = Assisted;
          F.Level = Severity::Note;
          F.Message = "assisted: " + Msg + "; reviewed (" + P.Path + ":" +
                      std::to_string(Ack->Line) + "): " + Ack->Note;
          ++Counts.Reviewed;
        } else {
          F.Category = Manual;
          F.Level = Severity::Warning;
          F.Message = "manual: " + Msg +
                      "; move the call out of the section, or mark the "
                      "site reviewed in the plan (reviewed: [" +
                      Check + "])";
          ++(X.TargetSection ? Counts.Nested : Counts.Destroy);
        }
        F.Related.push_back({{H->File, H->Line, H->Column},
                             "section raised here, holding " + Object});
        for (size_t I = 1; I < X.Chain.size(); ++I) {
          const CallSite *C = X.Chain[I];
          F.Related.push_back(
              {{C->File, C->Line, C->Column}, "calls " + C->CalleeName});
        }
        if (X.TargetSection)
          F.Related.push_back({{X.TargetSection->File, X.TargetSection->Line,
                                X.TargetSection->Column},
                               "takes " + X.TargetSection->Lock + " here"});
        else
          F.Related.push_back({{X.Target->File, X.Target->Line, 1},
                               "destroy_in of " + L->Name});
        Out.push_back(std::move(F));
      };
      Report(Destroy, "destroy-under-lock", RuleDestroyUnderLock);
      Report(Nested, "nested-lock", RuleNestedLock);
    }
  }
  return Out;
}

} // namespace rewrite
} // namespace mpsafe
