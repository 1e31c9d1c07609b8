//===- Report.cpp - findings and their text/SARIF/JSON/Markdown form ------===//

#include "mpsafe/Report.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA1.h"
#include <algorithm>
#include <map>

using llvm::StringRef;
namespace json = llvm::json;

namespace mpsafe {

StringRef severityName(Severity S) {
  switch (S) {
  case Severity::Note:
    return "note";
  case Severity::Warning:
    return "warning";
  case Severity::Error:
    return "error";
  }
  return "warning";
}

llvm::Expected<Format> parseFormat(StringRef Name) {
  if (Name == "text")
    return Format::Text;
  if (Name == "sarif")
    return Format::Sarif;
  if (Name == "json")
    return Format::Json;
  if (Name == "markdown" || Name == "md")
    return Format::Markdown;
  return usageError("--format: unknown format '" + Name +
                    "' (expected text, sarif, json or markdown)");
}

std::string relativePath(StringRef File, StringRef Root) {
  if (Root.empty() || Root == "/")
    return File.str();
  if (File.startswith(Root) && File.size() > Root.size() &&
      File[Root.size()] == '/')
    return File.drop_front(Root.size() + 1).str();
  return File.str();
}

static std::string hashHex(StringRef Data) {
  auto H = llvm::SHA1::hash(llvm::arrayRefFromStringRef(Data));
  return llvm::toHex(H, /*LowerCase=*/true);
}

void assignIds(Report &R) {
  std::stable_sort(R.Findings.begin(), R.Findings.end(),
                   [](const Finding &A, const Finding &B) {
                     return std::tie(A.Loc.File, A.Loc.Line, A.Loc.Column,
                                     A.RuleId, A.Message) <
                            std::tie(B.Loc.File, B.Loc.Line, B.Loc.Column,
                                     B.RuleId, B.Message);
                   });
  std::map<std::string, unsigned> Seen;
  for (Finding &F : R.Findings) {
    std::string Base =
        hashHex(F.RuleId + '\0' + relativePath(F.Loc.File, R.Root) + '\0' +
                F.Function + '\0' + F.Key)
            .substr(0, 16);
    unsigned N = Seen[Base]++;
    F.Id = N ? Base + "." + std::to_string(N) : Base;
  }
  std::sort(R.Failures.begin(), R.Failures.end(),
            [](const ParseResult &A, const ParseResult &B) {
              return A.File < B.File;
            });
}

llvm::Expected<std::set<std::string>> readBaseline(StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  if (!Buf)
    return usageError(Path +
                      ": cannot read baseline: " + Buf.getError().message());
  auto V = json::parse((*Buf)->getBuffer());
  if (!V)
    return usageError(
        Path + ": malformed baseline JSON: " + llvm::toString(V.takeError()));
  std::set<std::string> Ids;
  const json::Array *A = V->getAsArray();
  if (!A)
    if (const json::Object *O = V->getAsObject())
      A = O->getArray("findings");
  if (!A)
    return usageError(Path + ": a baseline is a JSON report (--format json) "
                             "or an array of finding ids");
  for (const json::Value &E : *A) {
    if (auto S = E.getAsString())
      Ids.insert(S->str());
    else if (const json::Object *O = E.getAsObject())
      if (auto Id = O->getString("id"))
        Ids.insert(Id->str());
  }
  return Ids;
}

unsigned applyBaseline(Report &R, const std::set<std::string> &Ids) {
  unsigned New = 0;
  for (Finding &F : R.Findings) {
    F.InBaseline = Ids.count(F.Id) != 0;
    if (!F.InBaseline && F.Level != Severity::Note)
      ++New;
  }
  return New;
}

//===----------------------------------------------------------------------===//
// Text
//===----------------------------------------------------------------------===//

void writeText(const Report &R, llvm::raw_ostream &OS) {
  for (const ParseResult &P : R.Failures) {
    OS << P.File << ": error: failed to parse; analysed without it\n";
    for (const std::string &E : P.Errors)
      OS << "  " << E << "\n";
  }
  for (const Finding &F : R.Findings) {
    OS << F.Loc.File << ":" << F.Loc.Line << ":" << F.Loc.Column << ": "
       << severityName(F.Level) << ": " << F.Message << " [" << F.RuleId
       << "]\n";
    for (const auto &Rel : F.Related)
      OS << Rel.first.File << ":" << Rel.first.Line << ":" << Rel.first.Column
         << ": note: " << Rel.second << "\n";
  }
}

//===----------------------------------------------------------------------===//
// SARIF 2.1.0
//===----------------------------------------------------------------------===//

static std::string sarifLevel(Severity S) { return severityName(S).str(); }

// SARIF is streamed (json::OStream), not built as a DOM: a large scan has
// hundreds of thousands of results.
static void sarifLocation(json::OStream &J, const Location &L, StringRef Root,
                          StringRef Message = "") {
  J.object([&] {
    J.attributeObject("physicalLocation", [&] {
      J.attributeObject("artifactLocation", [&] {
        std::string Rel = relativePath(L.File, Root);
        if (Rel != L.File) {
          J.attribute("uri", Rel);
          J.attribute("uriBaseId", "SRCROOT");
        } else {
          J.attribute("uri", "file://" + L.File);
        }
      });
      J.attributeObject("region", [&] {
        J.attribute("startLine", std::max(1u, L.Line));
        if (L.Column)
          J.attribute("startColumn", L.Column);
      });
    });
    if (!Message.empty())
      J.attributeObject("message", [&] { J.attribute("text", Message); });
  });
}

void writeSarif(const Report &R, llvm::raw_ostream &OS) {
  std::map<std::string, size_t> RuleIndex;
  for (const RuleInfo &RI : R.Rules)
    RuleIndex.emplace(RI.Id, RuleIndex.size());
  json::OStream J(OS, 2);
  J.object([&] {
    J.attribute("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
    J.attribute("version", "2.1.0");
    J.attributeArray("runs", [&] {
      J.object([&] {
        J.attributeObject("tool", [&] {
          J.attributeObject("driver", [&] {
            J.attribute("name", R.Tool);
            J.attribute("version", R.Version);
            J.attributeArray("rules", [&] {
              for (const RuleInfo &RI : R.Rules)
                J.object([&] {
                  // SARIF wants helpUri absolute: the help text names the
                  // rule's page instead.
                  std::string Help = RI.Help;
                  if (!RI.HelpUri.empty())
                    Help += " See " + RI.HelpUri + ".";
                  J.attribute("id", RI.Id);
                  J.attributeObject("shortDescription",
                                    [&] { J.attribute("text", RI.Summary); });
                  J.attributeObject("fullDescription",
                                    [&] { J.attribute("text", RI.Help); });
                  J.attributeObject("help", [&] { J.attribute("text", Help); });
                  J.attributeObject("defaultConfiguration", [&] {
                    J.attribute("level", sarifLevel(RI.Default));
                  });
                });
            });
          });
        });
        if (!R.Root.empty() && R.Root != "/")
          J.attributeObject("originalUriBaseIds", [&] {
            J.attributeObject("SRCROOT", [&] {
              J.attribute("uri", "file://" + R.Root + "/");
            });
          });
        J.attributeArray("invocations", [&] {
          J.object([&] {
            J.attribute("executionSuccessful", R.Failures.empty());
            J.attributeArray("toolExecutionNotifications", [&] {
              for (const ParseResult &P : R.Failures)
                J.object([&] {
                  J.attribute("level", "error");
                  J.attributeObject("message", [&] {
                    J.attribute("text",
                                "failed to parse: " + (P.Errors.empty()
                                                           ? std::string("?")
                                                           : P.Errors.front()));
                  });
                  J.attributeArray("locations", [&] {
                    sarifLocation(J, {P.File, 1, 0}, R.Root);
                  });
                });
            });
          });
        });
        J.attributeArray("results", [&] {
          for (const Finding &F : R.Findings)
            J.object([&] {
              J.attribute("ruleId", F.RuleId);
              auto It = RuleIndex.find(F.RuleId);
              if (It != RuleIndex.end())
                J.attribute("ruleIndex", static_cast<int64_t>(It->second));
              J.attribute("level", sarifLevel(F.Level));
              J.attributeObject("message",
                                [&] { J.attribute("text", F.Message); });
              J.attributeArray("locations",
                               [&] { sarifLocation(J, F.Loc, R.Root); });
              if (!F.Related.empty())
                J.attributeArray("relatedLocations", [&] {
                  for (const auto &RL : F.Related)
                    sarifLocation(J, RL.first, R.Root, RL.second);
                });
              J.attributeObject("partialFingerprints", [&] {
                J.attribute("mpsafeFindingId/v1", F.Id);
              });
              J.attribute("baselineState", F.InBaseline ? "unchanged" : "new");
            });
        });
      });
    });
  });
  OS << "\n";
}

//===----------------------------------------------------------------------===//
// JSON
//===----------------------------------------------------------------------===//

void writeJson(const Report &R, llvm::raw_ostream &OS) {
  json::Array Findings;
  for (const Finding &F : R.Findings) {
    json::Object O{{"id", F.Id},
                   {"rule", F.RuleId},
                   {"severity", severityName(F.Level)},
                   {"file", relativePath(F.Loc.File, R.Root)},
                   {"line", F.Loc.Line},
                   {"column", F.Loc.Column},
                   {"function", F.Function},
                   {"key", F.Key},
                   {"category", F.Category},
                   {"message", F.Message},
                   {"baseline", F.InBaseline}};
    if (!F.Related.empty()) {
      json::Array Rel;
      for (const auto &RL : F.Related)
        Rel.push_back(
            json::Object{{"file", relativePath(RL.first.File, R.Root)},
                         {"line", RL.first.Line},
                         {"column", RL.first.Column},
                         {"message", RL.second}});
      O["related"] = std::move(Rel);
    }
    Findings.push_back(std::move(O));
  }
  json::Array Failures;
  for (const ParseResult &P : R.Failures) {
    json::Array Errs;
    for (const std::string &E : P.Errors)
      Errs.push_back(E);
    Failures.push_back(json::Object{{"file", relativePath(P.File, R.Root)},
                                    {"errors", std::move(Errs)}});
  }
  json::Object Top{{"tool", R.Tool},
                   {"version", R.Version},
                   {"root", R.Root},
                   {"findings", std::move(Findings)},
                   {"failures", std::move(Failures)}};
  for (const auto &KV : R.JsonExtra)
    Top[KV.first] = KV.second;
  OS << llvm::formatv("{0:2}", json::Value(std::move(Top))) << "\n";
}

//===----------------------------------------------------------------------===//
// Markdown
//===----------------------------------------------------------------------===//

static std::string mdEscape(StringRef S) {
  std::string Out;
  for (char C : S) {
    if (C == '|' || C == '`' || C == '*' || C == '_')
      Out += '\\';
    Out += C;
  }
  return Out;
}

void writeMarkdown(const Report &R, llvm::raw_ostream &OS) {
  OS << "# " << R.Tool << " report\n\n";
  unsigned Counts[3] = {0, 0, 0};
  std::map<std::string, std::map<std::string, unsigned>> ByCat;
  std::set<std::string> RuleIds;
  for (const Finding &F : R.Findings) {
    ++Counts[static_cast<int>(F.Level)];
    std::string Cat = F.Category.empty() ? "(none)" : F.Category;
    ++ByCat[Cat][F.RuleId];
    RuleIds.insert(F.RuleId);
  }
  OS << "- findings: " << R.Findings.size() << " (" << Counts[2] << " errors, "
     << Counts[1] << " warnings, " << Counts[0] << " notes)\n";
  OS << "- files that failed to parse: " << R.Failures.size() << "\n\n";
  if (!ByCat.empty()) {
    OS << "## Counts by rule\n\n| | ";
    for (const std::string &Id : RuleIds)
      OS << "`" << Id << "` | ";
    OS << "total |\n|---|";
    for (size_t I = 0; I <= RuleIds.size(); ++I)
      OS << "---:|";
    OS << "\n";
    for (const auto &C : ByCat) {
      unsigned Total = 0;
      OS << "| " << mdEscape(C.first) << " | ";
      for (const std::string &Id : RuleIds) {
        auto It = C.second.find(Id);
        unsigned N = It == C.second.end() ? 0 : It->second;
        Total += N;
        OS << N << " | ";
      }
      OS << Total << " |\n";
    }
    OS << "\n";
  }
  if (!R.Failures.empty()) {
    OS << "## Files that failed to parse\n\n";
    for (const ParseResult &P : R.Failures)
      OS << "- `" << relativePath(P.File, R.Root)
         << "`: " << mdEscape(P.Errors.empty() ? "?" : P.Errors.front())
         << "\n";
    OS << "\n";
  }
  OS << R.MarkdownExtra;
  std::map<std::string, std::vector<const Finding *>> Listed;
  for (const Finding &F : R.Findings)
    if (F.Level != Severity::Note)
      Listed[F.Category.empty() ? "(none)" : F.Category].push_back(&F);
  if (!Listed.empty()) {
    OS << "## Warnings\n\n";
    for (const auto &C : Listed) {
      OS << "### " << mdEscape(C.first) << "\n\n";
      size_t Shown = 0;
      for (const Finding *F : C.second) {
        if (++Shown > 100) {
          OS << "- ... " << (C.second.size() - 100) << " more\n";
          break;
        }
        OS << "- `" << relativePath(F->Loc.File, R.Root) << ":" << F->Loc.Line
           << "` " << mdEscape(F->Message) << " (`" << F->RuleId << "`"
           << (F->InBaseline ? ", baseline" : "") << ")\n";
      }
      OS << "\n";
    }
  }
}

void writeReport(const Report &R, Format F, llvm::raw_ostream &OS) {
  switch (F) {
  case Format::Text:
    return writeText(R, OS);
  case Format::Sarif:
    return writeSarif(R, OS);
  case Format::Json:
    return writeJson(R, OS);
  case Format::Markdown:
    return writeMarkdown(R, OS);
  }
}

llvm::Error
writeFileAtomically(StringRef Path,
                    llvm::function_ref<void(llvm::raw_ostream &)> Write) {
  if (Path.empty() || Path == "-") {
    Write(llvm::outs());
    llvm::outs().flush();
    return llvm::Error::success();
  }
  // Only a regular file (or a new one) is replaced by rename: renaming
  // over /dev/null or a FIFO would replace the device itself.
  llvm::sys::fs::file_status St;
  if (!llvm::sys::fs::status(Path, St) &&
      St.type() != llvm::sys::fs::file_type::regular_file) {
    std::error_code EC;
    llvm::raw_fd_ostream OS(Path, EC, llvm::sys::fs::OF_None);
    if (EC)
      return usageError(Path + ": cannot write: " + EC.message());
    Write(OS);
    return llvm::Error::success();
  }
  std::string Model = (Path + ".tmp-%%%%%%").str();
  llvm::Error E = llvm::writeFileAtomically(
      Model, Path, [&](llvm::raw_ostream &OS) -> llvm::Error {
        Write(OS);
        return llvm::Error::success();
      });
  if (E)
    return usageError(Path + ": cannot write: " + llvm::toString(std::move(E)));
  return llvm::Error::success();
}

} // namespace mpsafe
