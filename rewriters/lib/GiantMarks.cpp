//===- GiantMarks.cpp - migrated modules leave Giant ----------------------===//
//
// A module that migrates stops running under Giant: its protocol switch
// entries get PR_MPSAFE in pr_flags, its interfaces lose IFF_NEEDSGIANT,
// and the netisr handlers it registers (netisr_register(num, handler, inq,
// flags)) get NETISR_MPSAFE in their flags. Modules of later stages keep both, so every stage builds
// and runs. The engine drops these marks again for a module that still has
// manual sections or sleeps (it must stay under Giant).
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace mpsafe {
namespace rewrite {
namespace {

const char *RuleGiant = "rewrite-giant";

class MarkVisitor : public RecursiveASTVisitor<MarkVisitor> {
public:
  explicit MarkVisitor(TUContext &C) : C(C) {}

  bool VisitInitListExpr(InitListExpr *Visited) {
    // The visitor sees the syntactic form; fields are indexed in the
    // semantic one.
    InitListExpr *ILE = Visited->isSemanticForm() || !Visited->getSemanticForm()
                            ? Visited
                            : Visited->getSemanticForm();
    const RecordType *RT = ILE->getType()->getAs<RecordType>();
    if (!RT || !RT->getDecl()->getIdentifier() ||
        RT->getDecl()->getName() != "protosw")
      return true;
    for (const FieldDecl *F : RT->getDecl()->fields()) {
      if (F->getName() != "pr_flags")
        continue;
      unsigned I = F->getFieldIndex();
      if (I >= ILE->getNumInits())
        return true;
      const Expr *Init = ILE->getInit(I);
      if (isa<ImplicitValueInitExpr>(Init))
        return true; // no flags: not a socket protocol entry
      std::string T = C.text(Init->getSourceRange());
      auto R =
          C.fileRange(CharSourceRange::getTokenRange(Init->getSourceRange()));
      if (T.empty() || !R || T.find("PR_MPSAFE") != std::string::npos)
        return true;
      if (mark(R->first, R->second.second, 0, " | PR_MPSAFE")) {
        C.Edits.back().GiantDeps = entryPoints(ILE);
        C.site(Init->getBeginLoc(), RuleGiant, Auto,
               "protocol entry marked PR_MPSAFE (its module migrates)");
      }
    }
    return true;
  }

  /// netisr_register(num, handler, queue, flags): the handler runs without
  /// Giant once its module (and the handler's) leaves it.
  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD || !FD->getIdentifier() || FD->getName() != "netisr_register" ||
        CE->getNumArgs() != 4)
      return true;
    const Expr *Flags = CE->getArg(3);
    auto R =
        C.fileRange(CharSourceRange::getTokenRange(Flags->getSourceRange()));
    if (!R)
      return true; // spelled in a macro: not ours to edit
    std::string T = C.text(Flags->getSourceRange());
    if (T.empty() || T.find("NETISR_MPSAFE") != std::string::npos)
      return true;
    bool Zero = false;
    if (auto *IL = dyn_cast<IntegerLiteral>(Flags->IgnoreParenImpCasts()))
      Zero = IL->getValue() == 0 && T == "0";
    bool Marked =
        Zero ? mark(R->first, R->second.first,
                    R->second.second - R->second.first, "NETISR_MPSAFE")
             : mark(R->first, R->second.second, 0, " | NETISR_MPSAFE");
    if (!Marked)
      return true;
    // The handler vouches for itself: the mark stays only when the module
    // defining it leaves Giant too.
    std::vector<std::string> Deps;
    if (auto *DRE =
            dyn_cast<DeclRefExpr>(CE->getArg(1)->IgnoreParenCasts()))
      if (DRE->getDecl()->getIdentifier())
        Deps.push_back(DRE->getDecl()->getName().str());
    C.Edits.back().GiantDeps = Deps;
    C.site(Flags->getBeginLoc(), RuleGiant, Auto,
           "netisr handler registered NETISR_MPSAFE (its module migrates)");
    return true;
  }

  bool VisitBinaryOperator(BinaryOperator *BO) {
    if (!BO->isAssignmentOp())
      return true;
    auto *ME = dyn_cast<MemberExpr>(BO->getLHS()->IgnoreParenImpCasts());
    if (!ME || ME->getMemberDecl()->getName() != "if_flags")
      return true;
    auto R = C.fileRange(
        CharSourceRange::getTokenRange(BO->getRHS()->getSourceRange()));
    if (!R)
      return true;
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    unsigned B = R->second.first, E = R->second.second;
    llvm::StringRef Rhs = Buf.slice(B, E);
    size_t P = Rhs.find("IFF_NEEDSGIANT");
    if (P == llvm::StringRef::npos)
      return true;
    unsigned At = B + P, End = At + strlen("IFF_NEEDSGIANT");
    auto Space = [](char Ch) { return Ch == ' ' || Ch == '\t' || Ch == '\n'; };
    unsigned From = At, To = End;
    // "... | IFF_NEEDSGIANT": drop it with the '|' before it.
    unsigned L = At;
    while (L > B && Space(Buf[L - 1]))
      --L;
    if (L > B && Buf[L - 1] == '|') {
      From = L - 1;
      while (From > B && Space(Buf[From - 1]))
        --From;
    } else {
      // "IFF_NEEDSGIANT | ...", or alone.
      unsigned N = End;
      while (N < E && Space(Buf[N]))
        ++N;
      if (N < E && Buf[N] == '|') {
        To = N + 1;
        while (To < E && Space(Buf[To]))
          ++To;
      } else if (BO->getOpcode() == BO_Assign) {
        if (mark(R->first, At, End - At, "0"))
          report(BO);
        return true;
      } else {
        return true; // "|= IFF_NEEDSGIANT" alone: leave it, reported
      }
    }
    if (mark(R->first, From, To - From, ""))
      report(BO);
    return true;
  }

private:
  TUContext &C;

  /// The functions and global variables an entry names (pr_input,
  /// &udp_usrreqs, ...): the entry is MPSAFE only if they are.
  static std::vector<std::string> entryPoints(const InitListExpr *ILE) {
    struct Refs : RecursiveASTVisitor<Refs> {
      std::vector<std::string> Names;
      bool VisitDeclRefExpr(DeclRefExpr *DRE) {
        const ValueDecl *D = DRE->getDecl();
        bool Global = isa<FunctionDecl>(D);
        if (auto *VD = dyn_cast<VarDecl>(D))
          Global = VD->hasGlobalStorage();
        if (Global && D->getIdentifier())
          Names.push_back(D->getName().str());
        return true;
      }
    } V;
    V.TraverseStmt(const_cast<InitListExpr *>(ILE));
    llvm::sort(V.Names);
    V.Names.erase(std::unique(V.Names.begin(), V.Names.end()), V.Names.end());
    return V.Names;
  }

  bool mark(FileID FID, unsigned Off, unsigned Len, llvm::StringRef Text) {
    if (!C.replace(FID, Off, Len, Text))
      return false;
    C.Edits.back().GiantMark = true;
    return true;
  }

  void report(const BinaryOperator *BO) {
    C.site(BO->getBeginLoc(), RuleGiant, Auto,
           "interface no longer IFF_NEEDSGIANT (its module migrates)");
  }
};

} // namespace

void GiantMarkRewriter::run(TUContext &C) {
  if (C.P.MarkMpsafe)
    MarkVisitor(C).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

} // namespace rewrite
} // namespace mpsafe
