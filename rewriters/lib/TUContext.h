//===- TUContext.h - what every rewrite sees of one translation unit -*- C++
//-*-//
//
// Internal to the rewrite engine. A TUContext wraps the AST of one TU with
// the plan, the target profile and the collected output: edits (in
// canonical file coordinates) and classified sites. Each rewrite is a
// class with a run(TUContext &) entry point (SplSections.cpp, Counters.cpp,
// LockPlumbing.cpp).
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REWRITE_TUCONTEXT_H
#define MPSAFE_REWRITE_TUCONTEXT_H

#include "Edits.h"
#include "mpsafe/Plan.h"
#include "mpsafe/Report.h"
#include "clang/AST/ASTContext.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include <map>
#include <set>

namespace mpsafe {
namespace rewrite {

/// Site classes of the rewrite report (Finding::Category).
inline constexpr const char *Auto = "auto";
inline constexpr const char *Assisted = "assisted";
inline constexpr const char *Manual = "manual";

/// Facilities whose headers a file may need after the rewrite.
enum Need : unsigned {
  NeedLock = 1, ///< mutex(9)
  NeedAtomic = 2,
  NeedCounter = 4,
  NeedRefcount = 8,
  NeedRW = 16,
  NeedSX = 32,
  NeedVnet = 64, ///< VNET_DEFINE/VNET_DECLARE of a per-instance lock
};

/// The Need bit of a lock kind's calls.
inline unsigned needFor(plan::LockKind K) {
  return K == plan::LockKind::RW   ? NeedRW
         : K == plan::LockKind::SX ? NeedSX
                                   : NeedLock;
}

/// Per-file facts the plumbing needs: where the includes end, what the
/// file got from the rewrites.
struct FileFacts {
  unsigned AfterIncludes = 0; ///< offset just past the last #include line
  bool HasIncludes = false;
  unsigned AfterGuard = 0;         ///< offset past "#define GUARD" of a header
  unsigned Needs = 0;              ///< Need bits
  std::set<std::string> LocksUsed; ///< global locks referenced by edits
};

/// A section the plan maps to a lock, and the plan entry that did: what
/// the stage check (a lock used before its module migrates) works from.
struct LockUse {
  std::string Lock;
  std::string File; ///< root-relative file of the raise
  unsigned Line = 0;
  std::string Entry; ///< "site", "rule" or "macro"
  unsigned PlanLine = 0;
};

/// A direct call of a function (LockHazards.cpp): a call graph edge.
struct CallSite {
  std::string Callee; ///< functionKey() of the callee
  std::string CalleeName;
  /// Per argument: the caller's parameter it passes on as is, or -1.
  std::vector<int> ArgParam;
  /// In a held section: the argument naming the section's object, or -1.
  int ObjArg = -1;
  std::string File; ///< canonical; the expansion's place
  unsigned Line = 0, Column = 0;
};

/// A function defined under the root, with its direct calls.
struct FunctionNode {
  std::string Key, Name, File;
  unsigned Line = 0;
  bool Migrated = false; ///< in a module this run migrates
  /// Per parameter: the struct tag it points to, "" otherwise.
  std::vector<std::string> ParamStruct;
  std::vector<CallSite> Calls;
};

/// A section rewritten to a lock: what it calls while held (a caller) and
/// which lock of which object it takes (a callee's section).
struct HeldSection {
  std::string Function, FunctionName; ///< key, name
  std::string Lock;
  /// Field lock: the object's expression, and the parameter it is (-1:
  /// not a parameter).
  std::string Object;
  int ObjParam = -1;
  std::string File, Rel; ///< the raise: canonical, root-relative
  unsigned Line = 0, Column = 0;
  std::vector<CallSite> Calls;
};

struct SkippedRange {
  clang::FileID File;
  unsigned Begin, End; ///< offsets
};

class TUContext {
public:
  TUContext(clang::ASTContext &Ctx, const plan::Plan &P,
            const plan::Profile &Prof, llvm::StringRef Root,
            const std::set<std::string> *Modules)
      : Ctx(Ctx), SM(Ctx.getSourceManager()), LO(Ctx.getLangOpts()), P(P),
        Prof(Prof), Root(Root), Modules(Modules) {}

  clang::ASTContext &Ctx;
  clang::SourceManager &SM;
  const clang::LangOptions &LO;
  const plan::Plan &P;
  const plan::Profile &Prof;
  std::string Root;
  const std::set<std::string> *Modules; ///< migrated modules; null = all

  std::vector<Edit> Edits;
  std::vector<Finding> Sites;
  std::map<clang::FileID, FileFacts> Facts;
  std::vector<SkippedRange> Skipped;
  std::set<std::string> FunctionsDefined;
  std::set<std::string> Declared; ///< file-scope names declared/defined
  std::set<std::string> Defined;  ///< file-scope variables defined
  std::set<std::string> Macros;   ///< macro names defined in the TU
  /// Lines of every spl raise under the root, by root-relative file, in
  /// migrated modules or not (the plan's sites are checked against them).
  std::map<std::string, std::set<unsigned>> RaiseLines;
  std::vector<LockUse> LockUses;
  /// Call graph facts: every function defined under the root, every
  /// section rewritten to a lock.
  std::vector<FunctionNode> Graph;
  std::vector<HeldSection> Held;

  /// Canonical path of a file, "" for none.
  std::string canonicalPath(clang::FileID FID) const;
  /// Path relative to the root ("" when outside the root).
  std::string relPath(clang::FileID FID) const;
  /// True when the file is under the root and in a migrated module.
  bool editable(clang::FileID FID) const;

  /// The file range of R when it maps to one editable file location.
  llvm::Optional<std::pair<clang::FileID, std::pair<unsigned, unsigned>>>
  fileRange(clang::CharSourceRange R) const;

  /// Adds a replacement of R (a token or char range); false when R does not
  /// map cleanly to an editable file.
  bool replace(clang::CharSourceRange R, llvm::StringRef Text);
  bool replace(clang::FileID FID, unsigned Offset, unsigned Length,
               llvm::StringRef Text);
  bool insert(clang::SourceLocation Loc, llvm::StringRef Text);

  /// Source text of a range, "" when it does not map to a file.
  std::string text(clang::SourceRange R) const;
  /// Text of a statement's line before it, when that is only whitespace.
  std::string indentOf(clang::SourceLocation Loc) const;
  /// Statement range extended over its ';' (if any); when the statement is
  /// alone on its line(s) and Whole is set, over the line and its newline.
  llvm::Optional<std::pair<clang::FileID, std::pair<unsigned, unsigned>>>
  statementRange(const clang::Stmt *S, bool Whole) const;

  /// The outermost macro whose expansion holds Loc, "" for none.
  std::string macroAt(clang::SourceLocation Loc) const;
  /// Where, in the #define of macro M, the tokens of R are written (both
  /// ends in M's body, editable), as a file range; None otherwise.
  llvm::Optional<std::pair<clang::FileID, std::pair<unsigned, unsigned>>>
  macroDefRange(clang::SourceRange R, llvm::StringRef M) const;

  /// Records a classified site.
  void site(clang::SourceLocation Loc, llvm::StringRef Rule,
            llvm::StringRef Category, const llvm::Twine &Message,
            llvm::StringRef Function = "", llvm::StringRef Key = "");

  /// The first plan rule or site override mapping a section, or a reason
  /// it is not mapped.
  FileFacts &facts(clang::FileID FID) { return Facts[FID]; }
};

/// The rewrites, one class each; run() walks the whole TU.
class SplSectionRewriter {
public:
  static void run(TUContext &C);
};
class CounterRewriter {
public:
  static void run(TUContext &C);
};
class RefcountRewriter {
public:
  static void run(TUContext &C);
};
/// PR_MPSAFE on protocol entries and no IFF_NEEDSGIANT on interfaces of
/// the migrated modules.
class GiantMarkRewriter {
public:
  static void run(TUContext &C);
};
/// Lock definitions, declarations, struct fields, init/destroy calls and
/// the includes the other rewrites need; runs last.
class LockPlumbing {
public:
  static void run(TUContext &C);
};

/// The call graph: a node for every function defined under the root.
class CallGraphCollector {
public:
  static void run(TUContext &C);
};

/// The call graph's name of a function: its name, or FILE:NAME when static.
std::string functionKey(const TUContext &C, const clang::FunctionDecl *F);
/// The edge of a direct call made in Caller; false through a pointer.
bool callSite(const TUContext &C, const clang::FunctionDecl *Caller,
              const clang::CallExpr *CE, CallSite &Out);
/// The argument of CE that names the variable Object, or -1.
int objectArg(const clang::CallExpr *CE, llvm::StringRef Object);

extern const char *RuleDestroyUnderLock;
extern const char *RuleNestedLock;

/// Unreviewed hazards by check, and the reviewed ones.
struct LockHazardCounts {
  unsigned Destroy = 0, Nested = 0, Reviewed = 0;
};

/// destroy-under-lock and nested-lock over the merged call graph
/// (docs/rewrite.md): one finding per call in a section, manual, or
/// assisted where a plan site marks it reviewed.
std::vector<Finding> findLockHazards(const plan::Plan &P,
                                     const std::string &Root,
                                     const std::vector<FunctionNode> &Graph,
                                     const std::vector<HeldSection> &Held,
                                     LockHazardCounts &Counts);

/// "mtx_lock(&m);" style call text for the profile.
std::string lockCall(const plan::Profile &Prof, const plan::Lock &L,
                     llvm::StringRef LockExpr, bool Acquire);

} // namespace rewrite
} // namespace mpsafe

#endif // MPSAFE_REWRITE_TUCONTEXT_H
