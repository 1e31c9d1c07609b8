//===- TUContext.cpp - edit and site helpers over one TU ------------------===//

#include "TUContext.h"

#include "clang/AST/Stmt.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace clang;

namespace mpsafe {
namespace rewrite {

std::string TUContext::canonicalPath(FileID FID) const {
  const FileEntry *FE = SM.getFileEntryForID(FID);
  if (!FE)
    return "";
  llvm::StringRef RP = FE->tryGetRealPathName();
  if (!RP.empty())
    return RP.str();
  llvm::SmallString<256> Real;
  if (llvm::sys::fs::real_path(FE->getName(), Real))
    return FE->getName().str();
  return std::string(Real);
}

std::string TUContext::relPath(FileID FID) const {
  std::string Path = canonicalPath(FID);
  llvm::StringRef R(Root);
  if (Path.size() > R.size() + 1 && llvm::StringRef(Path).startswith(R) &&
      Path[R.size()] == '/')
    return Path.substr(R.size() + 1);
  return "";
}

bool TUContext::editable(FileID FID) const {
  std::string Rel = relPath(FID);
  if (Rel.empty())
    return false;
  return !Modules || Modules->count(plan::moduleOf(P, Rel));
}

llvm::Optional<std::pair<FileID, std::pair<unsigned, unsigned>>>
TUContext::fileRange(CharSourceRange R) const {
  CharSourceRange F = Lexer::makeFileCharRange(R, SM, LO);
  if (F.isInvalid())
    return llvm::None;
  auto B = SM.getDecomposedLoc(F.getBegin());
  auto E = SM.getDecomposedLoc(F.getEnd());
  if (B.first != E.first || B.second > E.second)
    return llvm::None;
  return std::make_pair(B.first, std::make_pair(B.second, E.second));
}

bool TUContext::replace(FileID FID, unsigned Offset, unsigned Length,
                        llvm::StringRef Text) {
  if (!editable(FID))
    return false;
  Edit E;
  E.File = canonicalPath(FID);
  E.Offset = Offset;
  E.Length = Length;
  E.Text = Text.str();
  SourceLocation L = SM.getComposedLoc(FID, Offset);
  E.Line = SM.getSpellingLineNumber(L);
  E.Column = SM.getSpellingColumnNumber(L);
  Edits.push_back(std::move(E));
  return true;
}

bool TUContext::replace(CharSourceRange R, llvm::StringRef Text) {
  auto FR = fileRange(R);
  if (!FR)
    return false;
  return replace(FR->first, FR->second.first,
                 FR->second.second - FR->second.first, Text);
}

bool TUContext::insert(SourceLocation Loc, llvm::StringRef Text) {
  if (Loc.isMacroID()) {
    if (!Lexer::isAtStartOfMacroExpansion(Loc, SM, LO, &Loc))
      return false;
    Loc = SM.getExpansionLoc(Loc);
  }
  auto D = SM.getDecomposedLoc(Loc);
  return replace(D.first, D.second, 0, Text);
}

std::string TUContext::text(SourceRange R) const {
  auto FR = fileRange(CharSourceRange::getTokenRange(R));
  if (!FR)
    return "";
  llvm::StringRef Buf = SM.getBufferData(FR->first);
  return Buf.slice(FR->second.first, FR->second.second).str();
}

std::string TUContext::indentOf(SourceLocation Loc) const {
  Loc = SM.getExpansionLoc(Loc);
  auto D = SM.getDecomposedLoc(Loc);
  llvm::StringRef Buf = SM.getBufferData(D.first);
  size_t Start = Buf.rfind('\n', D.second);
  Start = Start == llvm::StringRef::npos ? 0 : Start + 1;
  llvm::StringRef Before = Buf.slice(Start, D.second);
  size_t N = Before.find_first_not_of(" \t");
  return Before.take_front(N == llvm::StringRef::npos ? Before.size() : N)
      .str();
}

llvm::Optional<std::pair<FileID, std::pair<unsigned, unsigned>>>
TUContext::statementRange(const Stmt *S, bool Whole) const {
  auto FR = fileRange(CharSourceRange::getTokenRange(S->getSourceRange()));
  if (!FR)
    return llvm::None;
  llvm::StringRef Buf = SM.getBufferData(FR->first);
  unsigned B = FR->second.first, E = FR->second.second;
  unsigned I = E;
  while (I < Buf.size() && (Buf[I] == ' ' || Buf[I] == '\t'))
    ++I;
  if (I < Buf.size() && Buf[I] == ';' && !isa<CompoundStmt>(S))
    E = I + 1;
  if (Whole) {
    size_t LS = Buf.rfind('\n', B ? B - 1 : 0);
    LS = (B == 0 || LS == llvm::StringRef::npos) ? 0 : LS + 1;
    bool BlankBefore =
        Buf.slice(LS, B).find_first_not_of(" \t") == llvm::StringRef::npos;
    size_t LE = Buf.find('\n', E);
    bool BlankAfter =
        LE != llvm::StringRef::npos &&
        Buf.slice(E, LE).find_first_not_of(" \t") == llvm::StringRef::npos;
    if (BlankBefore && BlankAfter) {
      B = LS;
      E = LE + 1;
    }
  }
  return std::make_pair(FR->first, std::make_pair(B, E));
}

llvm::Optional<std::pair<FileID, std::pair<unsigned, unsigned>>>
TUContext::macroDefRange(SourceRange R, llvm::StringRef M) const {
  // Climb each end out of the macros M's body uses (V_tcpstat) and out of
  // its arguments (to the parameter's place in the body), up to M.
  auto InDef = [&](SourceLocation Loc, bool End) {
    while (Loc.isMacroID()) {
      if (!SM.isMacroArgExpansion(Loc) &&
          Lexer::getImmediateMacroName(Loc, SM, LO) == M)
        return SM.getSpellingLoc(Loc);
      CharSourceRange ER = SM.getImmediateExpansionRange(Loc);
      Loc = End ? ER.getEnd() : ER.getBegin();
    }
    return SourceLocation();
  };
  SourceLocation B = InDef(R.getBegin(), false), E = InDef(R.getEnd(), true);
  if (B.isInvalid() || E.isInvalid())
    return llvm::None;
  auto FR = fileRange(CharSourceRange::getTokenRange(B, E));
  if (!FR || !editable(FR->first))
    return llvm::None;
  return FR;
}

std::string TUContext::macroAt(SourceLocation Loc) const {
  std::string Name;
  while (Loc.isMacroID()) {
    if (SM.isMacroArgExpansion(Loc)) {
      Loc = SM.getImmediateSpellingLoc(Loc);
      continue;
    }
    Name = Lexer::getImmediateMacroName(Loc, SM, LO).str();
    Loc = SM.getImmediateExpansionRange(Loc).getBegin();
  }
  return Name;
}

void TUContext::site(SourceLocation Loc, llvm::StringRef Rule,
                     llvm::StringRef Category, const llvm::Twine &Message,
                     llvm::StringRef Function, llvm::StringRef Key) {
  SourceLocation F = SM.getFileLoc(Loc);
  FileID FID = SM.getFileID(F);
  if (!relPath(FID).size() || !editable(FID))
    return; // outside the root or not migrated in this stage
  Finding Fd;
  Fd.RuleId = Rule.str();
  Fd.Category = Category.str();
  Fd.Level = Category == Manual ? Severity::Warning : Severity::Note;
  Fd.Message = (Category + ": " + Message).str();
  Fd.Loc.File = canonicalPath(FID);
  Fd.Loc.Line = SM.getSpellingLineNumber(F);
  Fd.Loc.Column = SM.getSpellingColumnNumber(F);
  Fd.Function = Function.str();
  Fd.Key = Key.str();
  Sites.push_back(std::move(Fd));
}

std::string lockCall(const plan::Profile &Prof, const plan::Lock &L,
                     llvm::StringRef LockExpr, bool Acquire) {
  unsigned K = static_cast<unsigned>(L.Kind);
  return (llvm::Twine(Acquire ? Prof.LockCall[K] : Prof.UnlockCall[K]) + "(" +
          LockExpr + ")")
      .str();
}

} // namespace rewrite
} // namespace mpsafe
