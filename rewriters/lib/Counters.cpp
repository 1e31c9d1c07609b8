//===- Counters.cpp - statistics to atomic(9)/counter(9), refcount(9) -----===//
//
// CounterRewriter: "ipstat.ips_total++", "V_tcpstat.tcps_sndbyte += len"
// on a global the plan lists become atomic_add_<width>(&x.f, n) (or
// counter_u64_add(x.f, n) where the field already is a counter_u64_t);
// so do updates of the counter fields a plan lists for a struct, in any
// object ("ifp->if_ipackets++" for struct ifnet's if_ipackets).
// RefcountRewriter: "p->f++" -> refcount_acquire(&p->f),
// "--p->f == 0" -> refcount_release(&p->f), "p->f = n" -> refcount_init,
// a plain read "p->f" -> refcount_load(&p->f) (the updates are atomic: a
// plain read beside them would be a data race).
// Sites whose value is used, or that are spelled inside a macro, are
// manual sites naming the reason.
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/ParentMapContext.h"
#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace mpsafe {
namespace rewrite {
namespace {

const char *RuleCounter = "rewrite-counter";
const char *RuleRefcount = "rewrite-refcount";

/// The global a member access chain starts from ("ipstat" for
/// ipstat.ips_total and for V_ipstat.ips_total, whose VNET expansion names
/// vnet_entry_ipstat).
const VarDecl *baseGlobal(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  while (true) {
    if (auto *ME = dyn_cast<MemberExpr>(E)) {
      if (ME->isArrow())
        break;
      E = ME->getBase()->IgnoreParenImpCasts();
      continue;
    }
    break;
  }
  // Through VNET(): the expansion dereferences a cast of an address that
  // names the vnet_entry_ global (beside curvnet and friends): prefer that,
  // else the one global of struct type in the subtree.
  std::vector<const VarDecl *> Globals;
  std::function<void(const Stmt *)> Find = [&](const Stmt *S) {
    if (!S)
      return;
    if (auto *DR = dyn_cast<DeclRefExpr>(S))
      if (auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
        if (VD->hasGlobalStorage() && !VD->isStaticLocal())
          Globals.push_back(VD);
    for (const Stmt *Ch : S->children())
      Find(Ch);
  };
  Find(E);
  for (const VarDecl *VD : Globals)
    if (VD->getName().startswith("vnet_entry_"))
      return VD;
  const VarDecl *Found = nullptr;
  for (const VarDecl *VD : Globals)
    if (VD->getType()->isRecordType()) {
      if (Found && Found != VD)
        return nullptr;
      Found = VD;
    }
  return Found;
}

std::string globalName(const VarDecl *VD) {
  llvm::StringRef N = VD->getName();
  N.consume_front("vnet_entry_");
  return N.str();
}

bool valueUnused(ASTContext &Ctx, const Expr *E) {
  DynTypedNodeList P = Ctx.getParents(*E);
  if (P.empty())
    return false;
  if (P[0].get<Expr>()) {
    if (auto *CE = P[0].get<CStyleCastExpr>())
      return CE->getType()->isVoidType();
    if (auto *PE = P[0].get<ParenExpr>())
      return valueUnused(Ctx, PE);
    return false;
  }
  if (auto *F = P[0].get<ForStmt>())
    return F->getInc() == E;
  return P[0].get<Stmt>() != nullptr;
}

/// atomic(9) width suffix for a field type: int, long, 32 or 64.
std::string atomicWidth(ASTContext &Ctx, QualType T) {
  // A fixed-width typedef keeps its width whatever it maps to here.
  for (QualType U = T; const auto *TT = U->getAs<TypedefType>();
       U = TT->desugar()) {
    llvm::StringRef N = TT->getDecl()->getName();
    if (N == "uint64_t" || N == "u_int64_t" || N == "int64_t")
      return "64";
    if (N == "uint32_t" || N == "u_int32_t" || N == "int32_t")
      return "32";
  }
  T = T.getCanonicalType();
  if (!T->isIntegerType())
    return "";
  if (T->isSpecificBuiltinType(BuiltinType::Int) ||
      T->isSpecificBuiltinType(BuiltinType::UInt))
    return "int";
  if (T->isSpecificBuiltinType(BuiltinType::Long) ||
      T->isSpecificBuiltinType(BuiltinType::ULong))
    return "long";
  uint64_t W = Ctx.getTypeSize(T);
  if (W == 32 || W == 64)
    return std::to_string(W);
  return "";
}

class CounterVisitor : public RecursiveASTVisitor<CounterVisitor> {
public:
  explicit CounterVisitor(TUContext &C) : C(C) {}

  bool VisitUnaryOperator(UnaryOperator *U) {
    if (U->isIncrementDecrementOp())
      consider(U, U->getSubExpr(), nullptr, U->isIncrementOp());
    return true;
  }
  bool VisitCompoundAssignOperator(CompoundAssignOperator *CA) {
    if (CA->getOpcode() == BO_AddAssign || CA->getOpcode() == BO_SubAssign)
      consider(CA, CA->getLHS(), CA->getRHS(), CA->getOpcode() == BO_AddAssign);
    return true;
  }

private:
  TUContext &C;

  const plan::Counter *planned(const VarDecl *VD) const {
    std::string Name = globalName(VD);
    QualType T = VD->getType();
    std::string Tag;
    if (const RecordType *RT = T->getAs<RecordType>())
      if (RT->getDecl()->getIdentifier())
        Tag = RT->getDecl()->getName().str();
    for (const plan::Counter &Ct : C.P.Counters)
      if ((!Ct.Variable.empty() && Ct.Variable == Name) ||
          (!Ct.Struct.empty() && Ct.Fields.empty() && Ct.Struct == Tag))
        return &Ct;
    return nullptr;
  }

  /// A field a plan entry lists as a counter of its struct.
  const plan::Counter *plannedField(const MemberExpr *ME) const {
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD || !FD->getParent()->getIdentifier())
      return nullptr;
    llvm::StringRef Tag = FD->getParent()->getName();
    for (const plan::Counter &Ct : C.P.Counters)
      if (!Ct.Fields.empty() && Ct.Struct == Tag &&
          llvm::is_contained(Ct.Fields, FD->getName()))
        return &Ct;
    return nullptr;
  }

  void consider(const Expr *Op, const Expr *Target, const Expr *Amount,
                bool Add) {
    // A field (ipstat.ips_total) or an element of an array field
    // (icmpstat.icps_inhist[type]): the update's type is the target's.
    const Expr *T = Target->IgnoreParens();
    auto *ME = dyn_cast<MemberExpr>(T);
    if (auto *AS = dyn_cast<ArraySubscriptExpr>(T))
      ME = dyn_cast<MemberExpr>(AS->getBase()->IgnoreParenImpCasts());
    if (!ME)
      return;
    QualType TargetType = Target->getType();
    // The counter's owner, for the messages: "ipstat", "struct ifnet".
    std::string Owner;
    const plan::Counter *Ct = plannedField(ME);
    if (Ct) {
      Owner = "struct " + Ct->Struct;
    } else {
      const VarDecl *VD = baseGlobal(ME);
      if (!VD || !(Ct = planned(VD)))
        return;
      Owner = globalName(VD);
    }
    SourceLocation Loc = Op->getBeginLoc();
    FileID FID = C.SM.getFileID(C.SM.getFileLoc(Loc));
    if (!C.editable(FID))
      return;
    std::string Field = ME->getMemberDecl()->getName().str();
    if (!valueUnused(C.Ctx, Op)) {
      C.site(Loc, RuleCounter, Manual,
             "update of counter " + Owner + "." + Field +
                 " is used as a value; rewrite it by hand",
             "", Field);
      return;
    }
    std::string TargetText = C.text(Target->getSourceRange());
    std::string AmountText = Amount ? C.text(Amount->getSourceRange()) : "1";
    auto Range =
        C.fileRange(CharSourceRange::getTokenRange(Op->getSourceRange()));
    std::string InMacro;
    if (TargetText.empty() || AmountText.empty() || !Range) {
      // Spelled in the body of a macro the plan lists (TCPSTAT_INC):
      // rewrite the definition once, with the body's own spelling.
      std::string M = C.macroAt(Loc);
      auto Listed = llvm::any_of(
          C.P.Macros, [&](const plan::Macro &PM) { return PM.Name == M; });
      auto Def = [&](const Expr *X) {
        auto R = C.macroDefRange(X->getSourceRange(), M);
        return R ? C.SM.getBufferData(R->first)
                       .slice(R->second.first, R->second.second)
                       .str()
                 : std::string();
      };
      if (Listed) {
        Range = C.macroDefRange(Op->getSourceRange(), M);
        TargetText = Def(Target);
        AmountText = Amount ? Def(Amount) : "1";
        if (Range)
          FID = Range->first;
        InMacro = M;
      }
    }
    if (TargetText.empty() || AmountText.empty() || !Range) {
      std::string M = C.macroAt(Loc);
      C.site(Loc, RuleCounter, Manual,
             "update of counter " + Owner + "." + Field +
                 " is inside an expansion of macro " + M +
                 "; rewrite the macro's definition by hand",
             "", Field);
      return;
    }
    std::string Call;
    if (Ct->Form == plan::CounterForm::Counter) {
      std::string TypeName = TargetType.getAsString();
      if (TypeName != C.Prof.CounterType) {
        C.site(Loc, RuleCounter, Manual,
               "counter(9) needs field " + Field + " to be " +
                   C.Prof.CounterType + " (it is " + TypeName +
                   "); convert the struct or use form: atomic",
               "", Field);
        return;
      }
      Call = std::string(C.Prof.CounterAdd) + "(" + TargetText + ", " +
             (Add ? "" : "-") + AmountText + ")";
      C.facts(FID).Needs |= NeedCounter;
    } else {
      std::string W = atomicWidth(C.Ctx, TargetType);
      if (W.empty()) {
        C.site(Loc, RuleCounter, Manual,
               "counter field " + Field + " has type " +
                   TargetType.getAsString() +
                   ", which atomic(9) has no "
                   "operation for",
               "", Field);
        return;
      }
      Call = std::string(Add ? C.Prof.AtomicAddPrefix
                             : C.Prof.AtomicSubtractPrefix) +
             W + "(&" + TargetText + ", " + AmountText + ")";
      C.facts(FID).Needs |= NeedAtomic;
    }
    C.replace(Range->first, Range->second.first,
              Range->second.second - Range->second.first, Call);
    C.site(
        Loc, RuleCounter, Auto,
        "counter " + Owner + "." + Field + " -> " + Call +
            (InMacro.empty() ? "" : " in the definition of macro " + InMacro),
        "", Field);
  }
};

class RefcountVisitor : public RecursiveASTVisitor<RefcountVisitor> {
public:
  explicit RefcountVisitor(TUContext &C) : C(C) {}

  bool VisitUnaryOperator(UnaryOperator *U) {
    if (!U->isIncrementDecrementOp() || !planned(U->getSubExpr()))
      return true;
    if (U->isIncrementOp()) {
      if (valueUnused(C.Ctx, U))
        rewrite(U, U->getSubExpr(), C.Prof.RefAcquire, "", "");
      else
        manual(U, "increment used as a value");
      return true;
    }
    // --p->f == 0 (and 0 == --p->f): the release that frees.
    DynTypedNodeList P = C.Ctx.getParents(*U);
    const Expr *Up = U;
    while (!P.empty() && P[0].get<ParenExpr>()) {
      Up = P[0].get<ParenExpr>();
      P = C.Ctx.getParents(*Up);
    }
    if (U->isPrefix() && !P.empty())
      if (auto *BO = P[0].get<BinaryOperator>())
        if (BO->getOpcode() == BO_EQ) {
          const Expr *Other = BO->getLHS() == Up ? BO->getRHS() : BO->getLHS();
          Expr::EvalResult R;
          if (Other->EvaluateAsInt(R, C.Ctx) && R.Val.getInt() == 0) {
            rewrite(BO, U->getSubExpr(), C.Prof.RefRelease, "", "");
            return true;
          }
        }
    if (valueUnused(C.Ctx, U)) {
      rewrite(U, U->getSubExpr(), C.Prof.RefRelease, "(void)", "");
      return true;
    }
    manual(U, "decrement not compared with 0");
    return true;
  }

  /// A read of the count that is no update (an assertion, a test).
  bool VisitImplicitCastExpr(ImplicitCastExpr *ICE) {
    if (ICE->getCastKind() != CK_LValueToRValue)
      return true;
    const Expr *Sub = ICE->getSubExpr()->IgnoreParens();
    if (!planned(Sub))
      return true;
    rewrite(Sub, Sub, C.Prof.RefLoad, "", "");
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (BO->getOpcode() != BO_Assign || !planned(BO->getLHS()))
      return true;
    if (!valueUnused(C.Ctx, BO)) {
      manual(BO, "assignment used as a value");
      return true;
    }
    std::string N = C.text(BO->getRHS()->getSourceRange());
    if (N.empty()) {
      manual(BO, "the value assigned is inside a macro");
      return true;
    }
    rewrite(BO, BO->getLHS(), C.Prof.RefInit, "", ", " + N);
    return true;
  }

private:
  TUContext &C;

  const plan::Refcount *planned(const Expr *E) const {
    auto *ME = dyn_cast<MemberExpr>(E->IgnoreParenImpCasts());
    if (!ME)
      return nullptr;
    const auto *FD = dyn_cast<FieldDecl>(ME->getMemberDecl());
    if (!FD || !FD->getParent()->getIdentifier())
      return nullptr;
    for (const plan::Refcount &R : C.P.Refcounts)
      if (R.Struct == FD->getParent()->getName() && R.Field == FD->getName())
        return &R;
    return nullptr;
  }

  void manual(const Expr *E, const std::string &Why) {
    C.site(E->getBeginLoc(), RuleRefcount, Manual,
           "reference count update not rewritten: " + Why);
  }

  void rewrite(const Expr *Whole, const Expr *Target, const char *Fn,
               const std::string &Prefix, const std::string &Extra) {
    FileID FID = C.SM.getFileID(C.SM.getFileLoc(Whole->getBeginLoc()));
    if (!C.editable(FID))
      return;
    std::string T = C.text(Target->getSourceRange());
    auto R =
        C.fileRange(CharSourceRange::getTokenRange(Whole->getSourceRange()));
    if (T.empty() || !R) {
      manual(Whole, "spelled inside an expansion of macro " +
                        C.macroAt(Whole->getBeginLoc()));
      return;
    }
    std::string Call = Prefix + Fn + "(&" + T + Extra + ")";
    C.replace(R->first, R->second.first, R->second.second - R->second.first,
              Call);
    C.facts(FID).Needs |= NeedRefcount;
    QualType FT = Target->getType().getCanonicalType();
    bool UInt = FT->isSpecificBuiltinType(BuiltinType::UInt);
    C.site(Whole->getBeginLoc(), RuleRefcount, UInt ? Auto : Assisted,
           "reference count -> " + Call +
               (UInt ? "" : "; the field should be u_int for refcount(9)"));
  }
};

} // namespace

void CounterRewriter::run(TUContext &C) {
  if (!C.P.Counters.empty())
    CounterVisitor(C).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

void RefcountRewriter::run(TUContext &C) {
  if (!C.P.Refcounts.empty())
    RefcountVisitor(C).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

} // namespace rewrite
} // namespace mpsafe
