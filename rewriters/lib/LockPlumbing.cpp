//===- LockPlumbing.cpp - lock definitions, fields, init, includes --------===//
//
// What the rewritten sections need to compile: the global lock defined in
// the file the plan names (with its init in the named function, or a
// MTX_SYSINIT), an extern declaration where it is used but not declared,
// the field of a per-object lock in its struct with init and destroy in
// the named functions, and the profile's headers where lock, atomic,
// counter or refcount calls were added. Every insertion checks the TU
// first, so a second run adds nothing.
//
//===----------------------------------------------------------------------===//

#include "TUContext.h"

#include "clang/AST/RecursiveASTVisitor.h"

using namespace clang;

namespace mpsafe {
namespace rewrite {
namespace {

const char *RuleDecl = "rewrite-lock-decl";

std::string lockType(const TUContext &C, const plan::Lock &L) {
  return C.Prof.LockType[static_cast<unsigned>(L.Kind)];
}

std::string initCall(const TUContext &C, const plan::Lock &L,
                     const std::string &Expr) {
  unsigned K = static_cast<unsigned>(L.Kind);
  std::string Name = L.Witness.empty() ? L.Name : L.Witness;
  std::string Call =
      std::string(C.Prof.InitCall[K]) + "(" + Expr + ", \"" + Name + "\"";
  if (L.Kind == plan::LockKind::Mutex || L.Kind == plan::LockKind::SpinMutex) {
    std::string Flags =
        L.Kind == plan::LockKind::Mutex ? "MTX_DEF" : "MTX_SPIN";
    for (const std::string &F : L.Flags)
      Flags += " | " + F;
    Call += ", NULL, " + Flags;
  }
  return Call + ")";
}

std::string destroyCall(const TUContext &C, const plan::Lock &L,
                        const std::string &Expr) {
  return std::string(C.Prof.DestroyCall[static_cast<unsigned>(L.Kind)]) + "(" +
         Expr + ")";
}

class Plumber {
public:
  explicit Plumber(TUContext &C) : C(C) {}

  void run() {
    collectFunctions();
    for (const plan::Lock &L : C.P.Locks) {
      if (L.Scope == plan::LockScope::Global)
        globalLock(L);
      else
        fieldLock(L);
    }
    includes();
    flush();
  }

private:
  TUContext &C;
  std::map<std::string, const FunctionDecl *> Functions;
  std::map<std::string, const RecordDecl *> Records;
  /// Text to insert after the includes of each file, in order.
  std::map<FileID, std::string> Decls;
  unsigned CurNeed = NeedLock; ///< headers of the lock being placed

  void collectFunctions() {
    for (Decl *D : C.Ctx.getTranslationUnitDecl()->decls()) {
      if (auto *FD = dyn_cast<FunctionDecl>(D))
        if (FD->doesThisDeclarationHaveABody() && FD->getIdentifier())
          Functions[FD->getName().str()] = FD;
      if (auto *RD = dyn_cast<RecordDecl>(D))
        if (RD->isThisDeclarationADefinition() && RD->getIdentifier())
          Records[RD->getName().str()] = RD;
    }
  }

  FileID fileOf(const Decl *D) const {
    return C.SM.getFileID(C.SM.getExpansionLoc(D->getBeginLoc()));
  }

  /// A per-instance lock's accessor: "#define V_name VNET(name)".
  std::string vnetAccessor(const plan::Lock &L) const {
    return "#define\t" + L.globalRef() + "\t" + C.Prof.VnetAccess + "(" +
           L.Name + ")\n";
  }

  void globalLock(const plan::Lock &L) {
    CurNeed = needFor(L.Kind) | (L.Vnet ? NeedVnet : 0);
    // The functions that set the lock up and tear it down use it too:
    // their files need its declaration.
    for (const std::string *Fn : {&L.InitIn, &L.DestroyIn})
      if (!Fn->empty())
        if (const FunctionDecl *FD = function(*Fn))
          C.facts(fileOf(FD)).LocksUsed.insert(L.Name);
    std::string Name = L.cName();
    // A per-instance lock's storage is vnet_entry_<name> (VNET_DEFINE).
    std::string Storage = L.Vnet ? "vnet_entry_" + Name : Name;
    bool Known = C.Declared.count(Storage) != 0;
    FileID Main = C.SM.getMainFileID();
    bool DefineHere = !L.DefineIn.empty() && C.relPath(Main) == L.DefineIn &&
                      C.editable(Main);
    if (DefineHere && !C.Defined.count(Storage)) {
      std::string T = L.Vnet ? std::string(C.Prof.VnetDefine) + "(" +
                                   lockType(C, L) + ", " + Name + ");\n" +
                                   (Known ? "" : vnetAccessor(L))
                             : lockType(C, L) + " " + Name + ";\n";
      if (!L.Vnet && L.InitIn.empty() &&
          (L.Kind == plan::LockKind::Mutex ||
           L.Kind == plan::LockKind::SpinMutex))
        T += "MTX_SYSINIT(" + Name + ", &" + Name + ", \"" +
             (L.Witness.empty() ? L.Name : L.Witness) + "\", " +
             (L.Kind == plan::LockKind::Mutex ? "MTX_DEF" : "MTX_SPIN") +
             ");\n";
      Decls[Main] += T;
      C.facts(Main).Needs |= CurNeed;
      C.site(C.SM.getComposedLoc(Main, C.facts(Main).AfterIncludes), RuleDecl,
             Auto, "defines lock " + Name, "", Name);
      Known = true;
    }
    for (auto &KV : C.Facts) {
      if (!KV.second.LocksUsed.count(L.Name) || Known)
        continue;
      FileID Where = KV.first;
      if (!L.DeclareIn.empty())
        for (auto &H : C.Facts)
          if (C.relPath(H.first) == L.DeclareIn && C.editable(H.first))
            Where = H.first;
      Decls[Where] +=
          L.Vnet ? std::string(C.Prof.VnetDeclare) + "(" + lockType(C, L) +
                       ", " + Name + ");\n" + vnetAccessor(L)
                 : "extern " + lockType(C, L) + " " + Name + ";\n";
      C.facts(Where).Needs |= CurNeed;
      FileFacts &WF = C.facts(Where);
      C.site(C.SM.getComposedLoc(Where, WF.HasIncludes ? WF.AfterIncludes
                                                       : WF.AfterGuard),
             RuleDecl, Auto, "declares lock " + Name, "", Name);
      Known = true;
    }
    if (!L.InitIn.empty())
      if (const FunctionDecl *FD = function(L.InitIn)) {
        std::string Call = initCall(C, L, "&" + L.globalRef());
        atStart(FD, Call + ";");
      }
    if (!L.DestroyIn.empty())
      if (const FunctionDecl *FD = function(L.DestroyIn))
        atEnd(FD, destroyCall(C, L, "&" + L.globalRef()) + ";");
  }

  const FunctionDecl *function(const std::string &Name) {
    auto It = Functions.find(Name);
    if (It == Functions.end() || !C.editable(fileOf(It->second)))
      return nullptr;
    return It->second;
  }

  static const CompoundStmt *body(const FunctionDecl *FD) {
    return dyn_cast<CompoundStmt>(FD->getBody());
  }

  bool bodyHas(const FunctionDecl *FD, const std::string &Text) const {
    return C.text(FD->getBody()->getSourceRange()).find(Text) !=
           std::string::npos;
  }

  void insertLineBefore(SourceLocation At, const std::string &Indent,
                        const std::string &Text) {
    auto D = C.SM.getDecomposedLoc(C.SM.getExpansionLoc(At));
    llvm::StringRef Buf = C.SM.getBufferData(D.first);
    size_t LS = Buf.rfind('\n', D.second ? D.second - 1 : 0);
    LS = LS == llvm::StringRef::npos ? 0 : LS + 1;
    insertLine(D.first, LS, Indent + Text + "\n");
  }

  /// Whole lines: the lines several locks add at one place (two field
  /// locks initialized in one function) merge into one insertion.
  void insertLine(FileID F, unsigned Offset, const std::string &Line) {
    if (C.replace(F, Offset, 0, Line))
      C.Edits.back().Union = true;
  }

  /// A line before the closing brace of a body, at the end of the line
  /// before the brace: after every statement, including the unlock that
  /// replaces a final splx().
  void insertLineBeforeBrace(SourceLocation RBrac, const std::string &Indent,
                             const std::string &Text) {
    auto D = C.SM.getDecomposedLoc(C.SM.getExpansionLoc(RBrac));
    llvm::StringRef Buf = C.SM.getBufferData(D.first);
    size_t LS = Buf.rfind('\n', D.second);
    LS = LS == llvm::StringRef::npos ? 0 : LS + 1;
    insertLine(D.first, LS, Indent + Text + "\n");
  }

  /// S clears the whole object Obj (bzero(obj, ...), memset(obj, 0, ...)):
  /// a lock initialized before it would be wiped.
  static bool clearsObject(const class Stmt *S, const VarDecl *Obj) {
    auto *CE = dyn_cast<CallExpr>(S);
    if (!Obj || !CE || CE->getNumArgs() < 1 || !CE->getDirectCallee() ||
        !CE->getDirectCallee()->getIdentifier())
      return false;
    llvm::StringRef N = CE->getDirectCallee()->getName();
    if (N != "bzero" && N != "memset" && N != "explicit_bzero" &&
        N != "__builtin_memset")
      return false;
    auto *DR = dyn_cast<DeclRefExpr>(CE->getArg(0)->IgnoreParenImpCasts());
    return DR && DR->getDecl() == Obj;
  }

  void atStart(const FunctionDecl *FD, const std::string &Stmt,
               const VarDecl *Obj = nullptr) {
    const CompoundStmt *B = body(FD);
    if (!B || bodyHas(FD, Stmt))
      return;
    // After the declarations, and after the last statement that clears
    // the object the lock lives in.
    const class Stmt *First = nullptr;
    for (const class Stmt *S : B->body()) {
      if (clearsObject(S, Obj))
        First = nullptr;
      else if (!First && !isa<DeclStmt>(S))
        First = S;
    }
    if (First)
      insertLineBefore(First->getBeginLoc(), C.indentOf(First->getBeginLoc()),
                       Stmt);
    else
      insertLineBefore(B->getRBracLoc(), "\t", Stmt);
    C.facts(fileOf(FD)).Needs |= CurNeed;
    C.site(FD->getLocation(), RuleDecl, Auto,
           "initializes the lock in " + FD->getName().str() + "(): " + Stmt,
           FD->getName());
  }

  void atEnd(const FunctionDecl *FD, const std::string &Stmt,
             const char *Verb = "destroys") {
    const CompoundStmt *B = body(FD);
    if (!B || bodyHas(FD, Stmt))
      return;
    const class Stmt *Last = B->body_empty() ? nullptr : B->body_back();
    if (Last && isa<ReturnStmt>(Last))
      insertLineBefore(Last->getBeginLoc(), C.indentOf(Last->getBeginLoc()),
                       Stmt);
    else
      insertLineBeforeBrace(B->getRBracLoc(), "\t", Stmt);
    C.facts(fileOf(FD)).Needs |= CurNeed;
    C.site(FD->getLocation(), RuleDecl, Auto,
           std::string(Verb) + " the lock in " + FD->getName().str() +
               "(): " + Stmt,
           FD->getName());
  }

  /// The variable or parameter of type "struct Tag *" that a function
  /// returns (init) or receives (destroy).
  static const VarDecl *objectOf(const FunctionDecl *FD, llvm::StringRef Tag,
                                 bool Returned) {
    auto IsObj = [&](const ValueDecl *VD) {
      QualType T = VD->getType();
      if (!T->isPointerType())
        return false;
      const RecordType *RT = T->getPointeeType()->getAs<RecordType>();
      return RT && RT->getDecl()->getIdentifier() &&
             RT->getDecl()->getName() == Tag;
    };
    if (Returned) {
      if (auto *B = dyn_cast<CompoundStmt>(FD->getBody()))
        if (!B->body_empty())
          if (auto *R = dyn_cast<ReturnStmt>(B->body_back()))
            if (R->getRetValue())
              if (auto *DR = dyn_cast<DeclRefExpr>(
                      R->getRetValue()->IgnoreParenImpCasts()))
                if (auto *VD = dyn_cast<VarDecl>(DR->getDecl()))
                  if (IsObj(VD))
                    return VD;
    }
    for (const ParmVarDecl *P : FD->parameters())
      if (IsObj(P))
        return P;
    return nullptr;
  }

  void fieldLock(const plan::Lock &L) {
    CurNeed = needFor(L.Kind);
    std::string Field = L.cName();
    auto RIt = Records.find(L.Struct);
    if (RIt != Records.end() && C.editable(fileOf(RIt->second))) {
      const RecordDecl *RD = RIt->second;
      bool Has = llvm::any_of(RD->fields(), [&](const FieldDecl *F) {
        return F->getName() == Field;
      });
      if (!Has) {
        std::string T = "\t" + lockType(C, L) + "\t" + Field + ";\n";
        insertLineBefore(RD->getBraceRange().getEnd(), "",
                         T.substr(0, T.size() - 1));
        FileID FID = fileOf(RD);
        C.facts(FID).Needs |= CurNeed;
        C.site(RD->getLocation(), RuleDecl, Auto,
               "adds lock field " + Field + " to struct " + L.Struct, "",
               Field);
      }
    }
    if (!L.InitIn.empty())
      if (const FunctionDecl *FD = function(L.InitIn)) {
        if (const VarDecl *O = objectOf(FD, L.Struct, true)) {
          std::string Call =
              initCall(C, L, "&" + O->getName().str() + "->" + Field) + ";";
          if (isa<ParmVarDecl>(O))
            atStart(FD, Call, O);
          else
            atEnd(FD, Call, "initializes");
        } else {
          C.site(FD->getLocation(), RuleDecl, Manual,
                 "no struct " + L.Struct + " * returned or received by " +
                     FD->getName().str() + "(); initialize " + Field +
                     " by hand",
                 FD->getName());
        }
      }
    if (!L.DestroyIn.empty())
      if (const FunctionDecl *FD = function(L.DestroyIn)) {
        const VarDecl *O = objectOf(FD, L.Struct, false);
        if (!O) {
          C.site(FD->getLocation(), RuleDecl, Manual,
                 "no struct " + L.Struct + " * parameter in " +
                     FD->getName().str() + "(); destroy " + Field + " by hand",
                 FD->getName());
          return;
        }
        std::string Call =
            destroyCall(C, L, "&" + O->getName().str() + "->" + Field) + ";";
        // Before the object is freed, else at the end.
        const CompoundStmt *B = body(FD);
        if (!B || bodyHas(FD, Call))
          return;
        for (const Stmt *S : B->body())
          if (auto *CE = dyn_cast<CallExpr>(S))
            if (const FunctionDecl *Callee = CE->getDirectCallee())
              if (Callee->getIdentifier() &&
                  Callee->getName().contains("free")) {
                insertLineBefore(S->getBeginLoc(), C.indentOf(S->getBeginLoc()),
                                 Call);
                C.facts(fileOf(FD)).Needs |= CurNeed;
                C.site(FD->getLocation(), RuleDecl, Auto,
                       "destroys the lock in " + FD->getName().str() +
                           "(): " + Call,
                       FD->getName());
                return;
              }
        atEnd(FD, Call);
      }
  }

  bool known(const char *Name) const {
    return C.Declared.count(Name) || C.Macros.count(Name);
  }

  void includes() {
    for (auto &KV : C.Facts) {
      unsigned N = KV.second.Needs;
      if (!N || !C.editable(KV.first))
        continue;
      std::string Inc;
      if ((N & NeedLock) && !known(C.Prof.LockCall[0]))
        Inc += C.Prof.LockHeaders[0];
      if ((N & NeedRW) && !known(C.Prof.LockCall[2]))
        Inc += C.Prof.LockHeaders[2];
      if ((N & NeedSX) && !known(C.Prof.LockCall[3]))
        Inc += C.Prof.LockHeaders[3];
      if ((N & NeedAtomic) && !known("atomic_add_int"))
        Inc += C.Prof.AtomicHeaders;
      if ((N & NeedCounter) && !known(C.Prof.CounterAdd))
        Inc += C.Prof.CounterHeaders;
      if ((N & NeedRefcount) && !known(C.Prof.RefAcquire))
        Inc += C.Prof.RefcountHeaders;
      // A header must bring VNET_DECLARE itself: whether this TU saw it
      // says nothing of the other TUs that include the header.
      bool Header = KV.first != C.SM.getMainFileID();
      if ((N & NeedVnet) &&
          (Header ? !C.SM.getBufferData(KV.first).contains(
                        llvm::StringRef(C.Prof.VnetHeaders).rtrim())
                  : !known(C.Prof.VnetDefine)))
        Inc += C.Prof.VnetHeaders;
      if (!Inc.empty()) {
        // A block of its own, sorted, after a blank line: include sorting
        // (clang-apply-replacements' cleanup) leaves it as it is.
        std::vector<std::string> Lines;
        for (llvm::StringRef T = Inc; !T.empty();) {
          auto P = T.split('\n');
          Lines.push_back(P.first.str());
          T = P.second;
        }
        sortIncludeRuns(Lines);
        Lines.erase(std::unique(Lines.begin(), Lines.end()), Lines.end());
        Inc = "\n";
        for (const std::string &L : Lines)
          Inc += L + "\n";
      }
      if (!Inc.empty())
        Decls[KV.first] =
            Inc + (Decls.count(KV.first) && !Decls[KV.first].empty()
                       ? "\n" + Decls[KV.first]
                       : "");
      else if (Decls.count(KV.first) && !Decls[KV.first].empty())
        Decls[KV.first] = "\n" + Decls[KV.first];
    }
  }

  void flush() {
    for (auto &KV : Decls) {
      if (KV.second.empty())
        continue;
      FileFacts &F = C.facts(KV.first);
      unsigned At = F.HasIncludes ? F.AfterIncludes : F.AfterGuard;
      if (C.replace(KV.first, At, 0, KV.second))
        C.Edits.back().Union = true;
    }
  }
};

} // namespace

void LockPlumbing::run(TUContext &C) { Plumber(C).run(); }

} // namespace rewrite
} // namespace mpsafe
