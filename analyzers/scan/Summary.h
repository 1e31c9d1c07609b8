//===- Summary.h - per-module Markdown and JSON summaries --------*- C++
//-*-===//

#ifndef MPSAFE_SCAN_SUMMARY_H
#define MPSAFE_SCAN_SUMMARY_H

#include "ScanContext.h"
#include "llvm/Support/JSON.h"
#include <string>

namespace mpsafe {
namespace scan {

/// Per module: counts, top shared globals, the cross-module graph and the
/// suggested bottom-up order.
std::string markdownSummary(const ScanContext &Ctx);

/// The same as JSON members: "totals", "modules", "globals", "order",
/// and the per-access facts of each global.
llvm::json::Object jsonSummary(const ScanContext &Ctx);

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_SCAN_SUMMARY_H
