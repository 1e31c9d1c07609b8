//===- Rewrite.h - the mpsafe-rewrite engine --------------------*- C++ -*-===//
//
// computeRewrite() parses every selected TU through the shared front door,
// runs the plan's rewrites on each, and merges the edits once (EditSet).
// The outputs (diff, in place, out-dir, clang-apply-replacements YAML)
// consume the merged set; none of them writes a file that failed to parse
// or that has conflicting edits.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REWRITE_REWRITE_H
#define MPSAFE_REWRITE_REWRITE_H

#include "Edits.h"
#include "mpsafe/Plan.h"
#include "mpsafe/Report.h"
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mpsafe {
namespace rewrite {

struct Options {
  std::string BuildDir;
  std::string PlanPath;
  std::vector<std::string> Files; ///< empty: every file of the database
  std::string Stage;
  unsigned Jobs = 0;
  std::vector<std::string> ExtraArgs;
  bool FormatEdits = false;
};

struct Outcome {
  plan::Plan Plan;
  std::string Root;                          ///< canonical
  EditSet Edits;                             ///< merged, finalized
  std::map<std::string, std::string> Source; ///< file -> bytes as parsed
  std::set<std::string> ProjectFiles;        ///< files under Root the TUs read
  std::set<std::string> Unwritable;          ///< failed to parse
  Report Rep;                                ///< classified sites, conflicts
  int Status = 0;                            ///< ExitCode
  /// The rewritten bytes of every file with edits that may be written.
  std::map<std::string, std::string> Rewritten;
  /// The edits behind Rewritten (after --format-edits).
  std::map<std::string, std::vector<Edit>> Final;
};

/// Runs the rewrite. Errors (bad plan, bad database, unknown stage or plan
/// function, a site on no spl raise, a lock used at a stage before the
/// module defining it migrates) are usage errors: nothing was or may be
/// written.
llvm::Expected<Outcome> computeRewrite(const Options &O);

/// Outputs. Each returns a message for every file it could not write.
void printDiff(const Outcome &R, llvm::raw_ostream &OS);
std::vector<std::string> writeInPlace(const Outcome &R);
std::vector<std::string> writeOutDir(const Outcome &R, llvm::StringRef Dir);
llvm::Error exportFixes(const Outcome &R, llvm::StringRef Path);

} // namespace rewrite
} // namespace mpsafe

#endif // MPSAFE_REWRITE_REWRITE_H
