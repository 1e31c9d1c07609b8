//===- GiantMarks.cpp - migrated modules leave Giant ----------------------===//
//
// A module that migrates stops running under Giant: its protocol switch
// entries get PR_MPSAFE in pr_flags (an entry naming routines without a
// pr_flags initializer gets one), its interfaces lose IFF_NEEDSGIANT,
// and the netisr handlers it registers (netisr_register(num, handler, inq,
// flags)) get NETISR_MPSAFE in their flags, and its callouts created
// without a lock (callout_init(c, 0)) become callout_init(c, CALLOUT_MPSAFE).
// Modules of later stages keep all of them, so every stage builds and runs.
// The engine drops these marks again for a module that still has manual
// sections or sleeps (it must stay under Giant), and a mark that vouches
// for a routine (a netisr or callout handler, a protocol's entry points)
// whose module stays under Giant.
//
// A callout's handlers are those that callout_reset() arms on the same
// callout in the file: the same variable or the same structure field
// (array elements and the callout's address ignored: &tp->t_timer[i] and
// &tp->t_timer[which] name one). A handler named through a table of
// function pointers vouches for every function of the table's initializer.
// A callout no callout_reset() of its file arms, or armed with a handler
// that names no function (callout_schedule, a parameter), keeps Giant,
// reported.
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/RecursiveASTVisitor.h"

#include <map>

using namespace clang;

namespace mpsafe {
namespace rewrite {
namespace {

const char *RuleGiant = "rewrite-giant";

/// What names the callout an expression points at: the variable or the
/// structure field holding it ("" when neither shows).
std::string calloutKey(const Expr *E) {
  for (;;) {
    E = E->IgnoreParenCasts();
    if (auto *UO = dyn_cast<UnaryOperator>(E)) {
      if (UO->getOpcode() == UO_AddrOf || UO->getOpcode() == UO_Deref) {
        E = UO->getSubExpr();
        continue;
      }
      return "";
    }
    if (auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
      E = AS->getBase();
      continue;
    }
    break;
  }
  if (auto *ME = dyn_cast<MemberExpr>(E))
    return "field " + ME->getMemberDecl()->getName().str();
  if (auto *DRE = dyn_cast<DeclRefExpr>(E))
    return "var " + DRE->getDecl()->getName().str();
  // Behind a macro (VNET(n) is pointer arithmetic on &vnet_entry_n): the
  // global variable it names.
  struct Globals : RecursiveASTVisitor<Globals> {
    std::string Name;
    bool VisitDeclRefExpr(DeclRefExpr *DRE) {
      if (auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
        if (VD->hasGlobalStorage() && VD->getIdentifier() && Name.empty())
          Name = VD->getName().str();
      return true;
    }
  } G;
  G.TraverseStmt(const_cast<Expr *>(E));
  return G.Name.empty() ? "" : "var " + G.Name;
}

/// The callouts callout_reset() arms in one file, with the functions their
/// handlers name.
struct ArmedCallouts : RecursiveASTVisitor<ArmedCallouts> {
  struct Armed {
    std::vector<std::string> Handlers;
    bool Unknown = false; ///< a handler that names no function
  };
  std::map<std::string, Armed> ByKey;
  Armed All;

  bool VisitCallExpr(CallExpr *CE) {
    const FunctionDecl *FD = CE->getDirectCallee();
    if (!FD || !FD->getIdentifier() ||
        (FD->getName() != "callout_reset" &&
         FD->getName() != "_callout_reset") ||
        CE->getNumArgs() < 4)
      return true;
    std::vector<std::string> Names = handlerNames(CE->getArg(2));
    for (Armed *A : {&ByKey[calloutKey(CE->getArg(0))], &All}) {
      if (Names.empty())
        A->Unknown = true;
      A->Handlers.insert(A->Handlers.end(), Names.begin(), Names.end());
    }
    return true;
  }

  /// The functions a handler expression names: directly, or through a
  /// global table of function pointers (tcp_timer_func[which]).
  static std::vector<std::string> handlerNames(const Expr *E) {
    struct Refs : RecursiveASTVisitor<Refs> {
      std::vector<std::string> Names;
      bool VisitDeclRefExpr(DeclRefExpr *DRE) {
        const ValueDecl *D = DRE->getDecl();
        if (!D->getIdentifier())
          return true;
        if (isa<FunctionDecl>(D)) {
          Names.push_back(D->getName().str());
        } else if (auto *VD = dyn_cast<VarDecl>(D)) {
          if (!VD->hasGlobalStorage())
            return true;
          const VarDecl *Def = VD->getDefinition();
          if (Def && Def->getInit()) {
            Names.push_back(VD->getName().str());
            TraverseStmt(const_cast<Expr *>(Def->getInit()));
          }
        }
        return true;
      }
    } V;
    V.TraverseStmt(const_cast<Expr *>(E));
    return V.Names;
  }
};

class MarkVisitor : public RecursiveASTVisitor<MarkVisitor> {
public:
  MarkVisitor(TUContext &C, const ArmedCallouts &Armed) : C(C), Armed(Armed) {}

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
      if (I >= ILE->getNumInits() ||
          isa<ImplicitValueInitExpr>(ILE->getInit(I))) {
        // No pr_flags at all (IP's entry in in_proto.c: a timer, a drain,
        // no socket calls): Giant is taken around its routines all the
        // same, so the field is added, holding the flag alone.
        addFlags(Visited, ILE, F);
        return true;
      }
      const Expr *Init = ILE->getInit(I);
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
    if (FD && FD->getIdentifier() && FD->getName() == "callout_init" &&
        CE->getNumArgs() == 2)
      return calloutInit(CE);
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
  const ArmedCallouts &Armed;

  /// callout_init(c, 0): the callout thread takes Giant around its
  /// handler. It becomes CALLOUT_MPSAFE, vouching for the handlers armed
  /// on it.
  bool calloutInit(CallExpr *CE) {
    const Expr *Flag = CE->getArg(1);
    auto R =
        C.fileRange(CharSourceRange::getTokenRange(Flag->getSourceRange()));
    if (!R)
      return true; // spelled in a macro: not ours to edit
    std::string T = C.text(Flag->getSourceRange());
    auto *IL = dyn_cast<IntegerLiteral>(Flag->IgnoreParenImpCasts());
    if (T != "0" || !IL || IL->getValue() != 0)
      return true; // already MP-safe (or a flag we do not know)
    std::string Key = calloutKey(CE->getArg(0));
    const ArmedCallouts::Armed *A = nullptr;
    auto It = Armed.ByKey.find(Key);
    if (!Key.empty() && It != Armed.ByKey.end())
      A = &It->second;
    else if (!Armed.All.Handlers.empty() || Armed.All.Unknown)
      A = &Armed.All; // armed elsewhere in the file: vouch for them all
    if (!A || A->Unknown) {
      C.site(Flag->getBeginLoc(), RuleGiant, Manual,
             A ? "callout stays under Giant: a callout_reset() of this file "
                 "arms it with a handler that names no function"
               : "callout stays under Giant: no callout_reset() of this "
                 "file names its handler");
      return true;
    }
    if (!mark(R->first, R->second.first, R->second.second - R->second.first,
              "CALLOUT_MPSAFE"))
      return true;
    std::vector<std::string> Deps = A->Handlers;
    llvm::sort(Deps);
    Deps.erase(std::unique(Deps.begin(), Deps.end()), Deps.end());
    C.Edits.back().GiantDeps = Deps;
    C.site(Flag->getBeginLoc(), RuleGiant, Auto,
           "callout created CALLOUT_MPSAFE (its module and its handlers' "
           "migrate)");
    return true;
  }

  /// A protocol entry without pr_flags gets `.pr_flags = PR_MPSAFE,`
  /// when it names a routine that runs under Giant for want of the flag
  /// (an entry naming no function is a placeholder, left alone). The
  /// field goes before the first initializer of a later field (or after
  /// the last one), on a line of its own in the layout of that
  /// initializer's line, or inline when the entry is written on one
  /// line. Only a designated initializer can take a field anywhere; a
  /// positional one is reported.
  void addFlags(InitListExpr *Syn, const InitListExpr *Sem,
                const FieldDecl *Flags) {
    if (!namesFunction(Sem))
      return;
    if (Syn == Sem && Sem->getSyntacticForm())
      Syn = Sem->getSyntacticForm();
    const DesignatedInitExpr *Next = nullptr, *Last = nullptr;
    for (Expr *E : Syn->inits()) {
      auto *D = dyn_cast<DesignatedInitExpr>(E);
      const FieldDecl *FD = nullptr;
      if (D && D->size() >= 1 && D->getDesignator(0)->isFieldDesignator())
        FD = D->getDesignator(0)->getField();
      if (!FD) {
        C.site(E->getBeginLoc(), RuleGiant, Manual,
               "protocol entry without pr_flags stays under Giant: its "
               "initializer is not designated, so the field cannot be "
               "added; add pr_flags (0) to it");
        return;
      }
      if (!Next && FD->getFieldIndex() > Flags->getFieldIndex())
        Next = D;
      Last = D;
    }
    if (!Last)
      return;
    const DesignatedInitExpr *At = Next ? Next : Last;
    auto R = C.fileRange(CharSourceRange::getTokenRange(At->getSourceRange()));
    auto Eq = C.fileRange(CharSourceRange::getCharRange(
        At->getEqualOrColonLoc(), At->getInit()->getBeginLoc()));
    if (!R || !Eq || Eq->first != R->first || At->usesGNUSyntax())
      return; // spelled in a macro: not ours to edit
    llvm::StringRef Buf = C.SM.getBufferData(R->first);
    unsigned B = R->second.first, E = R->second.second;
    // The layout of At's line: its indentation, and what follows '='.
    size_t LS = Buf.rfind('\n', B ? B - 1 : 0);
    LS = (B == 0 || LS == llvm::StringRef::npos) ? 0 : LS + 1;
    llvm::StringRef Indent = Buf.slice(LS, B);
    bool OwnLine = Indent.find_first_not_of(" \t") == llvm::StringRef::npos;
    llvm::StringRef Sep = Buf.slice(Eq->second.first + 1, Eq->second.second);
    if (Sep.empty() || Sep.find_first_not_of(" \t") != llvm::StringRef::npos)
      Sep = " ";
    std::string Field =
        "." + Flags->getName().str() + " =" + Sep.str() + "PR_MPSAFE";
    unsigned Off;
    std::string Text;
    if (Next) {
      Off = OwnLine ? LS : B;
      Text = OwnLine ? Indent.str() + Field + ",\n" : Field + ", ";
    } else {
      // After the last initializer, past its comma if it has one.
      unsigned P = E;
      while (P < Buf.size() && (Buf[P] == ' ' || Buf[P] == '\t'))
        ++P;
      bool Comma = P < Buf.size() && Buf[P] == ',';
      Off = Comma ? P + 1 : E;
      Text = (Comma ? "" : ",") +
             (OwnLine ? "\n" + Indent.str() + Field + (Comma ? "," : "")
                      : " " + Field);
    }
    if (!mark(R->first, Off, 0, Text))
      return;
    C.Edits.back().GiantDeps = entryPoints(Sem);
    C.site(At->getBeginLoc(), RuleGiant, Auto,
           "protocol entry given pr_flags PR_MPSAFE (it had no pr_flags; its "
           "module migrates)");
  }

  /// Whether an entry names a function (pr_input, pr_slowtimo, ...).
  static bool namesFunction(const InitListExpr *ILE) {
    struct Refs : RecursiveASTVisitor<Refs> {
      bool Found = false;
      bool VisitDeclRefExpr(DeclRefExpr *DRE) {
        Found = Found || isa<FunctionDecl>(DRE->getDecl());
        return !Found;
      }
    } V;
    V.TraverseStmt(const_cast<InitListExpr *>(ILE));
    return V.Found;
  }

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
  if (!C.P.MarkMpsafe)
    return;
  ArmedCallouts Armed;
  Armed.TraverseDecl(C.Ctx.getTranslationUnitDecl());
  MarkVisitor(C, Armed).TraverseDecl(C.Ctx.getTranslationUnitDecl());
}

} // namespace rewrite
} // namespace mpsafe
