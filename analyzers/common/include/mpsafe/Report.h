//===- Report.h - findings and their text/SARIF/JSON/Markdown form -*- C++ -*-//
//
// The Finding/Location model shared by mpsafe-scan and mpsafe-rewrite, with
// stable ids (for --baseline) and the four writers.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REPORT_H
#define MPSAFE_REPORT_H

#include "mpsafe/FrontDoor.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mpsafe {

enum class Severity { Note, Warning, Error };
llvm::StringRef severityName(Severity S); // "note", "warning", "error"

struct Location {
  std::string File; ///< absolute path
  unsigned Line = 0, Column = 0;
};

struct Finding {
  std::string RuleId;
  Severity Level = Severity::Warning;
  std::string Message;
  Location Loc;
  /// What identifies the finding independently of line numbers: the
  /// enclosing function and a rule-specific key (variable, channel...).
  std::string Function;
  std::string Key;
  /// Free-form grouping (a module for mpsafe-scan; auto/assisted/manual
  /// for mpsafe-rewrite).
  std::string Category;
  std::vector<std::pair<Location, std::string>> Related;
  /// Set by assignIds()/applyBaseline().
  std::string Id;
  bool InBaseline = false;
};

struct RuleInfo {
  std::string Id;
  std::string Summary; ///< one line
  std::string Help;    ///< a paragraph: why, and what to do
  Severity Default = Severity::Warning;
  std::string HelpUri; ///< docs/rules/<id>.md relative to the repository
};

struct Report {
  std::string Tool = "mpsafe";
  std::string Version = "0.1";
  std::string Root; ///< paths in output are relative to it when under it
  std::vector<RuleInfo> Rules;
  std::vector<Finding> Findings;
  std::vector<ParseResult> Failures; ///< files that did not parse
  /// Extra Markdown (already formatted) appended after the standard
  /// sections of the Markdown writer.
  std::string MarkdownExtra;
  /// Extra members of the JSON writer's top-level object (tool facts).
  llvm::json::Object JsonExtra;
};

enum class Format { Text, Sarif, Json, Markdown };
llvm::Expected<Format> parseFormat(llvm::StringRef Name);

/// Path of File relative to Root when under it, else File unchanged.
std::string relativePath(llvm::StringRef File, llvm::StringRef Root);

/// Sorts findings (file, line, column, rule, message) and gives each a
/// stable id: a hash of rule, relative file, function and key, plus an
/// ordinal among findings sharing those.
void assignIds(Report &R);

/// Reads the ids of a baseline file: a JSON report written with
/// --format json (its findings[].id), or a JSON array of id strings.
llvm::Expected<std::set<std::string>> readBaseline(llvm::StringRef Path);
/// Marks the findings present in the baseline; returns how many warnings
/// or errors are new.
unsigned applyBaseline(Report &R, const std::set<std::string> &Ids);

void writeText(const Report &R, llvm::raw_ostream &OS);
void writeSarif(const Report &R, llvm::raw_ostream &OS);
void writeJson(const Report &R, llvm::raw_ostream &OS);
void writeMarkdown(const Report &R, llvm::raw_ostream &OS);
void writeReport(const Report &R, Format F, llvm::raw_ostream &OS);

/// Writes to Path atomically (temporary file + rename), or to stdout for
/// "" or "-". Errors name the file.
llvm::Error
writeFileAtomically(llvm::StringRef Path,
                    llvm::function_ref<void(llvm::raw_ostream &)> Write);

} // namespace mpsafe

#endif // MPSAFE_REPORT_H
