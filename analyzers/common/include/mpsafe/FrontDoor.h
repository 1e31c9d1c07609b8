//===- FrontDoor.h - compile DB, flags, resource dir, TU runner -*- C++ -*-===//
//
// The front door shared by mpsafe-scan and mpsafe-rewrite: everything a
// Clang tool needs between "here is a build directory" and "here is an AST":
//
//   * loading compile_commands.json with errors that name the file (and the
//     line/column of malformed JSON); bad entries are skipped with a warning,
//     so a partial database still works;
//   * selecting files (none = all; an unknown file is a usage error);
//   * finding Clang's resource directory without help;
//   * dropping GCC-only flags clang rejects, adding --extra-arg;
//   * running a FrontendAction over many TUs in parallel, capturing each
//     TU's parse errors instead of printing them or stopping.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_FRONTDOOR_H
#define MPSAFE_FRONTDOOR_H

#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CompilationDatabase.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace clang {
class FrontendAction;
} // namespace clang

namespace mpsafe {

/// Exit status convention of every mpsafe tool (see docs/scan.md).
enum ExitCode : int {
  ExitClean = 0,        ///< ran, nothing new (or no --fail-on-new)
  ExitNewFindings = 1,  ///< --fail-on-new and a finding not in the baseline
  ExitParseFailure = 2, ///< some files failed to parse; the rest was analysed
  ExitUsage = 3,        ///< bad command line, compile DB or file selection
};

/// A usage-level error (exit status 3): message is complete and names the
/// file or option at fault.
llvm::Error usageError(const llvm::Twine &Msg);

/// A compilation database read leniently from compile_commands.json.
class CompileDB : public clang::tooling::CompilationDatabase {
public:
  /// Loads BuildDir/compile_commands.json (or the file itself when BuildDir
  /// names a .json file). Errors name the file; malformed JSON names the
  /// line and column. Entries lacking a field are skipped, each with a
  /// message in warnings().
  static llvm::Expected<std::unique_ptr<CompileDB>>
  load(llvm::StringRef BuildDir);

  std::vector<clang::tooling::CompileCommand>
  getCompileCommands(llvm::StringRef FilePath) const override;
  std::vector<std::string> getAllFiles() const override;
  std::vector<clang::tooling::CompileCommand>
  getAllCompileCommands() const override;

  const std::string &path() const { return Path; }
  const std::vector<std::string> &warnings() const { return Warnings; }

  /// Resolves user-named files against the database: an absolute or
  /// cwd-relative path, or a unique trailing path ("netinet/ip_input.c").
  /// No names means every file. Unknown or ambiguous names are an error
  /// listing them all.
  llvm::Expected<std::vector<std::string>>
  select(llvm::ArrayRef<std::string> Names) const;

  /// The deepest directory containing every file of the database; findings
  /// use paths relative to it so ids are stable across checkouts.
  std::string commonRoot() const;

private:
  std::string Path;
  std::vector<clang::tooling::CompileCommand> Commands; // sorted by file
  std::vector<std::string> Warnings;
};

/// Clang's resource directory (holding include/stddef.h) for the Clang this
/// tool was built against; empty with Error set when none is found.
/// MPSAFE_CLANG_RESOURCE_DIR in the environment overrides the search.
std::string findResourceDir(std::string *Error = nullptr);

/// True for an argument that clang's driver rejects or that only GCC
/// understands (-fconserve-stack, -mindirect-branch=..., -fno-tree-*, ...).
bool isGccOnlyFlag(llvm::StringRef Arg);

/// Front-door adjustment of one command line: drop output/dependency flags
/// and GCC-only flags, drop -Werror (warnings never fail a scan), force
/// -fsyntax-only, add -resource-dir and the extra arguments.
clang::tooling::ArgumentsAdjuster
makeArgumentsAdjuster(llvm::ArrayRef<std::string> ExtraArgs,
                      llvm::StringRef ResourceDir);

/// The outcome of parsing one translation unit.
struct ParseResult {
  std::string File;
  bool Ok = false;                 ///< parsed without errors, action ran
  std::vector<std::string> Errors; ///< first errors, "file:line:col: msg"
};

/// Runs one FrontendAction on one compile command (already adjusted or
/// not: Adjust is applied here). Diagnostics are captured, never printed.
/// Safe to call from several threads at once.
ParseResult runAction(const clang::tooling::CompileCommand &Cmd,
                      const clang::tooling::ArgumentsAdjuster &Adjust,
                      std::unique_ptr<clang::FrontendAction> Action);

/// Calls Body(I) for I in [0, N) on Jobs threads (0 = one per core).
/// When Progress is set and stderr is a terminal, a one-line counter is
/// redrawn there. Callers write results into slot I, so output order does
/// not depend on scheduling.
void parallelFor(size_t N, unsigned Jobs, bool Progress,
                 const std::function<void(size_t)> &Body);

} // namespace mpsafe

#endif // MPSAFE_FRONTDOOR_H
