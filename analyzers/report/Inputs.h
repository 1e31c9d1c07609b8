//===- Inputs.h - what mpsafe-report reads ----------------------*- C++ -*-===//
//
// The report is built from files other tools wrote: mpsafe-scan's JSON
// facts, mpsafe-rewrite's JSON report, unified diffs (the rewrite's and the
// reviewed patches'), witness graphs and a declared order. Each loader
// returns an llvm::Error naming the file (and line, where the format has
// lines) when the input is not what its tool writes.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REPORT_INPUTS_H
#define MPSAFE_REPORT_INPUTS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mpsafe {
namespace report {

/// One finding of mpsafe-scan or mpsafe-rewrite (their JSON shape).
struct Finding {
  std::string Id, Rule, Category, Severity, File, Function, Key, Message;
  unsigned Line = 0, Column = 0;
};

/// mpsafe-scan --format json.
struct ScanFacts {
  std::string Path;
  std::vector<Finding> Findings;
  std::map<std::string, int64_t> Totals;
  std::vector<std::string> Order; ///< suggested bottom-up module order
};

/// mpsafe-rewrite --format json.
struct RewriteLog {
  std::string Path;
  std::vector<Finding> Findings;
  unsigned Auto = 0, Assisted = 0, Manual = 0, FilesRewritten = 0;
};

/// A unified diff, counted: the lines it adds and removes, per file.
struct DiffStat {
  std::string Path;
  unsigned Files = 0, Added = 0, Removed = 0;
  unsigned changed() const { return Added + Removed; }
};

llvm::Expected<ScanFacts> loadScan(llvm::StringRef Path);
llvm::Expected<RewriteLog> loadRewrite(llvm::StringRef Path);
llvm::Expected<DiffStat> loadDiff(llvm::StringRef Path);

/// Lines [Line - Context, Line + Context] of Root/File, or "" when the file
/// cannot be read (a report of an older tree must still render).
std::string snippet(llvm::StringRef Root, llvm::StringRef File, unsigned Line,
                    unsigned Context, unsigned &FirstLine);

} // namespace report
} // namespace mpsafe

#endif // MPSAFE_REPORT_INPUTS_H
