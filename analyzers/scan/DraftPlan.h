//===- DraftPlan.h - mpsafe-scan --emit-plan ----------------------*- C++
//-*-===//

#ifndef MPSAFE_SCAN_DRAFTPLAN_H
#define MPSAFE_SCAN_DRAFTPLAN_H

#include "ScanContext.h"
#include "mpsafe/Plan.h"

namespace mpsafe {
namespace scan {

/// The draft plan of docs/plan.md ("What mpsafe-scan --emit-plan writes"):
/// one mutex per module and spl level defined in the module's first file
/// raising that level, a module+level rule per lock, statistics structs as
/// atomic counters, default sleeps, and one stage per module in the
/// suggested bottom-up order. Modules is the --module table.
plan::Plan
draftPlan(const ScanContext &Ctx,
          const std::vector<std::pair<std::string, std::string>> &Modules);

} // namespace scan
} // namespace mpsafe

#endif
