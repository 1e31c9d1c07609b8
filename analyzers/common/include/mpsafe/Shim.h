//===- Shim.h - the few LLVM API differences between 14 and newer -*- C++ -*-//
//
// mpsafe is built against Debian's LLVM/Clang 14. The handful of APIs that
// changed later are reached through here, so a newer LLVM only needs this
// header edited.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_SHIM_H
#define MPSAFE_SHIM_H

#include "clang/Config/config.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Program.h"

#ifndef CLANG_RESOURCE_DIR
#define CLANG_RESOURCE_DIR ""
#endif

namespace mpsafe {
namespace shim {

#if LLVM_VERSION_MAJOR >= 16
using OptionalStringRef = std::optional<llvm::StringRef>;
inline constexpr auto None = std::nullopt;
#else
using OptionalStringRef = llvm::Optional<llvm::StringRef>;
inline constexpr auto None = llvm::None;
#endif

/// Runs Prog with Argv, stdout to OutFile, stderr discarded.
inline int runToFile(llvm::StringRef Prog, llvm::ArrayRef<llvm::StringRef> Argv,
                     llvm::StringRef OutFile) {
  OptionalStringRef Redir[] = {None, OutFile, llvm::StringRef("")};
  return llvm::sys::ExecuteAndWait(Prog, Argv, None, Redir);
}

} // namespace shim
} // namespace mpsafe

#endif // MPSAFE_SHIM_H
