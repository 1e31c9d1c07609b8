//===- Inputs.cpp - loading scan facts, rewrite reports and diffs ---------===//

#include "Inputs.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

using namespace llvm;

namespace mpsafe {
namespace report {

static Error fail(StringRef Path, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           Path + ": error: " + Msg);
}

static Expected<json::Value> readJson(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return fail(Path, "cannot read: " + Buf.getError().message());
  auto V = json::parse((*Buf)->getBuffer());
  if (!V)
    return fail(Path, "not JSON: " + toString(V.takeError()));
  return std::move(*V);
}

/// The findings array shared by mpsafe-scan and mpsafe-rewrite.
static Error readFindings(StringRef Path, const json::Object &Top,
                          std::vector<Finding> &Out) {
  const json::Array *A = Top.getArray("findings");
  if (!A)
    return fail(Path, "no 'findings' array at the top level");
  unsigned I = 0;
  for (const json::Value &V : *A) {
    const json::Object *O = V.getAsObject();
    if (!O)
      return fail(Path, "findings[" + Twine(I) + "] is not an object");
    Finding F;
    auto Str = [&](StringRef K, std::string &S) {
      if (auto X = O->getString(K))
        S = X->str();
    };
    Str("id", F.Id);
    Str("rule", F.Rule);
    Str("category", F.Category);
    Str("severity", F.Severity);
    Str("file", F.File);
    Str("function", F.Function);
    Str("key", F.Key);
    Str("message", F.Message);
    if (F.Rule.empty() || F.File.empty())
      return fail(Path, "findings[" + Twine(I) + "] lacks 'rule' or 'file'");
    auto L = O->getInteger("line");
    if (!L || *L < 0)
      return fail(Path, "findings[" + Twine(I) + "] lacks a valid 'line'");
    F.Line = unsigned(*L);
    if (auto C = O->getInteger("column"))
      F.Column = unsigned(std::max<int64_t>(*C, 0));
    Out.push_back(std::move(F));
    ++I;
  }
  return Error::success();
}

Expected<ScanFacts> loadScan(StringRef Path) {
  auto V = readJson(Path);
  if (!V)
    return V.takeError();
  const json::Object *Top = V->getAsObject();
  if (!Top)
    return fail(Path, "the top level is not an object");
  ScanFacts S;
  S.Path = Path.str();
  if (Error E = readFindings(Path, *Top, S.Findings))
    return std::move(E);
  if (const json::Object *T = Top->getObject("totals"))
    for (const auto &KV : *T)
      if (auto N = KV.second.getAsInteger())
        S.Totals[KV.first.str()] = *N;
  if (const json::Array *O = Top->getArray("order"))
    for (const json::Value &M : *O)
      if (auto N = M.getAsString())
        S.Order.push_back(N->str());
  return std::move(S);
}

Expected<RewriteLog> loadRewrite(StringRef Path) {
  auto V = readJson(Path);
  if (!V)
    return V.takeError();
  const json::Object *Top = V->getAsObject();
  if (!Top)
    return fail(Path, "the top level is not an object");
  RewriteLog R;
  R.Path = Path.str();
  if (Error E = readFindings(Path, *Top, R.Findings))
    return std::move(E);
  const json::Object *Sum = Top->getObject("rewrite");
  if (!Sum)
    return fail(Path, "no 'rewrite' summary object: is this mpsafe-rewrite's "
                      "--format json report?");
  auto Num = [&](StringRef K) -> unsigned {
    auto N = Sum->getInteger(K);
    return N && *N > 0 ? unsigned(*N) : 0;
  };
  R.Auto = Num("auto");
  R.Assisted = Num("assisted");
  R.Manual = Num("manual");
  R.FilesRewritten = Num("files_rewritten");
  return std::move(R);
}

Expected<DiffStat> loadDiff(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return fail(Path, "cannot read: " + Buf.getError().message());
  DiffStat D;
  D.Path = Path.str();
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (StringRef L : Lines) {
    if (L.startswith("+++ "))
      ++D.Files;
    else if (L.startswith("--- ") || L.startswith("@@"))
      continue;
    else if (L.startswith("+"))
      ++D.Added;
    else if (L.startswith("-"))
      ++D.Removed;
  }
  return D;
}

std::string snippet(StringRef Root, StringRef File, unsigned Line,
                    unsigned Context, unsigned &FirstLine) {
  FirstLine = 0;
  if (Line == 0)
    return "";
  SmallString<256> P;
  if (sys::path::is_absolute(File))
    P = File;
  else {
    P = Root;
    sys::path::append(P, File);
  }
  auto Buf = MemoryBuffer::getFile(P);
  if (!Buf)
    return "";
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  if (Line > Lines.size())
    return "";
  unsigned From = Line > Context ? Line - Context : 1;
  unsigned To = std::min<unsigned>(Line + Context, Lines.size());
  std::string S;
  for (unsigned I = From; I <= To; ++I) {
    S += Lines[I - 1].rtrim("\r").str();
    S += '\n';
  }
  FirstLine = From;
  return S;
}

} // namespace report
} // namespace mpsafe
