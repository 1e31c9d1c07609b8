//===- Edits.h - source edits merged across TUs, applied atomically -*- C++
//-*-//
//
// Every rewrite produces Edits against a file's bytes as Clang read them.
// EditSet merges the edits of all translation units once: files are keyed
// by canonical (real) path, identical edits collapse, overlapping ones are
// a conflict that leaves the whole file untouched. The merged set is then
// printed as a unified diff, written in place or under another directory
// (temporary file + rename), or exported for clang-apply-replacements.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REWRITE_EDITS_H
#define MPSAFE_REWRITE_EDITS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mpsafe {
namespace rewrite {

struct Edit {
  std::string File;              ///< canonical absolute path
  unsigned Offset = 0;           ///< byte offset in the file as parsed
  unsigned Length = 0;           ///< bytes replaced (0: insertion)
  std::string Text;              ///< replacement
  unsigned Line = 0, Column = 0; ///< of Offset, for messages
  /// An insertion of whole lines (includes, declarations) that merges with
  /// other such insertions at the same offset instead of conflicting.
  bool Union = false;
  /// A PR_MPSAFE / IFF_NEEDSGIANT mark, dropped for a module that keeps
  /// manual sites.
  bool GiantMark = false;
  /// For a GiantMark: the functions and variables it vouches for (a
  /// protocol entry's input and user-request routines); the mark stays
  /// only when the modules defining them leave Giant too.
  std::vector<std::string> GiantDeps;
  bool operator<(const Edit &O) const {
    return std::tie(File, Offset, Length, Text) <
           std::tie(O.File, O.Offset, O.Length, O.Text);
  }
  bool operator==(const Edit &O) const {
    return File == O.File && Offset == O.Offset && Length == O.Length &&
           Text == O.Text;
  }
};

/// Two edits that cannot both apply.
struct Conflict {
  Edit A, B;
};

class EditSet {
public:
  /// Adds the edits of one TU. Hash identifies the file content the edits
  /// were computed against (a file that changed between TUs is a conflict).
  void add(const std::vector<Edit> &Edits);
  void noteContent(llvm::StringRef File, uint64_t Hash);

  /// Sorts, removes duplicates and finds conflicts. Call once, after add().
  void finalize();

  /// Files with edits and no conflict, sorted.
  std::vector<std::string> files() const;
  const std::vector<Edit> &editsOf(llvm::StringRef File) const;
  const std::vector<Conflict> &conflicts() const { return Conflicts; }
  bool conflicted(llvm::StringRef File) const {
    return ConflictedFiles.count(File.str()) != 0;
  }
  /// Drops every edit of File (a file whose TU failed to parse).
  void exclude(llvm::StringRef File);

private:
  std::map<std::string, std::vector<Edit>> ByFile;
  std::map<std::string, std::set<uint64_t>> Hashes;
  std::vector<Conflict> Conflicts;
  std::set<std::string> ConflictedFiles;
};

/// Sorts each run of consecutive "#include" lines.
void sortIncludeRuns(std::vector<std::string> &Lines);

/// Applies sorted, non-overlapping edits to Code.
std::string applyEdits(llvm::StringRef Code, const std::vector<Edit> &Edits);

/// A unified diff (3 lines of context) of Old to New, with the given labels.
void writeUnifiedDiff(llvm::raw_ostream &OS, llvm::StringRef OldLabel,
                      llvm::StringRef NewLabel, llvm::StringRef Old,
                      llvm::StringRef New);

/// Writes Content to Path through a temporary file in the same directory
/// and a rename, keeping the old file's permissions; creates parent
/// directories when asked.
llvm::Error writeAtomically(llvm::StringRef Path, llvm::StringRef Content,
                            bool CreateDirs = false);

/// 64-bit content hash used to check that all TUs saw the same bytes.
uint64_t contentHash(llvm::StringRef Content);

} // namespace rewrite
} // namespace mpsafe

#endif // MPSAFE_REWRITE_EDITS_H
