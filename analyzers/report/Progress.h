//===- Progress.h - the report's model --------------------------*- C++ -*-===//
//
// Joins the scan's findings with the rewrite's outcome: for each
// subsystem (plan module) and each plan stage, how many spl sections,
// sleeps and statistics updates there were and how many were migrated;
// the auto/assisted/manual split with the reasons; the line count of the
// rewrite against the reviewed patches.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REPORT_PROGRESS_H
#define MPSAFE_REPORT_PROGRESS_H

#include "Inputs.h"
#include "LockGraph.h"
#include <map>
#include <string>
#include <vector>

namespace mpsafe {
namespace plan {
struct Plan;
}
namespace report {

/// Found and migrated, for one kind of legacy construct.
struct Tally {
  unsigned Found = 0, Migrated = 0;
  unsigned remaining() const { return Found > Migrated ? Found - Migrated : 0; }
};

struct Row {
  std::string Name;
  Tally Sections, Sleeps, Globals;
};

/// One reason and how many sites it covers, with one example site.
struct Reason {
  std::string Category, Text;
  unsigned Count = 0;
  const Finding *Example = nullptr;
};

struct Report {
  std::string Title;
  std::string Root; ///< where snippets are read from
  const ScanFacts *Scan = nullptr;
  const RewriteLog *Rewrite = nullptr;
  std::vector<DiffStat> RewriteDiffs, Patches;
  const LockGraph *Locks = nullptr;
  std::vector<Reversal> Reversals;
  std::string Svg;      ///< the lock hierarchy, or empty
  std::string SvgError; ///< why there is no SVG

  std::vector<Row> Modules, Stages;
  Row Total;
  std::vector<Reason> Reasons;
  /// The scan findings to list: warnings first, then the notes of the rules
  /// that name a migration site (spl sections, sleeps).
  std::vector<const Finding *> Listed;

  unsigned rewriteLines() const;
  unsigned patchLines() const;
};

/// Builds the model. Plan may be null: modules are then directories.
Report buildReport(const ScanFacts *Scan, const RewriteLog *Rewrite,
                   const plan::Plan *Plan);

/// The five-line summary the pipeline prints (no trailing newline).
std::string summaryLines(const Report &R);

} // namespace report
} // namespace mpsafe

#endif // MPSAFE_REPORT_PROGRESS_H
