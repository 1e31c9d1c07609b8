//===- Extractor.h - per-TU fact extraction -----------------------*- C++
//-*-===//
//
// One pass per translation unit: for every function defined in the main
// file, a path-sensitive dataflow over Clang's CFG tracks the stack of
// raised spl levels (saved variable, level, raise site) and the mutexes
// held; the events it meets (raise, splx, spl0, lock, unlock, sleeps,
// wakeups, calls, global and field accesses) become TUFacts.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_SCAN_EXTRACTOR_H
#define MPSAFE_SCAN_EXTRACTOR_H

#include "Facts.h"
#include <memory>
#include <string>
#include <vector>

namespace clang {
class FrontendAction;
} // namespace clang

namespace mpsafe {
namespace scan {

/// An action that fills Out with the facts of the TU and Deps with every
/// file the preprocessor read (absolute paths, main file first).
std::unique_ptr<clang::FrontendAction>
makeExtractAction(TUFacts &Out, std::vector<std::string> &Deps);

/// Name classification shared with the rules.
bool isSplRaiseName(llvm::StringRef Name);

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_SCAN_EXTRACTOR_H
