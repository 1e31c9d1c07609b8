//===- Edits.cpp - merge, conflicts, diff, atomic writes ------------------===//

#include "Edits.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"
#include <algorithm>

namespace mpsafe {
namespace rewrite {

uint64_t contentHash(llvm::StringRef Content) {
  return llvm::xxHash64(Content);
}

void EditSet::add(const std::vector<Edit> &Edits) {
  for (const Edit &E : Edits)
    ByFile[E.File].push_back(E);
}

void EditSet::noteContent(llvm::StringRef File, uint64_t Hash) {
  Hashes[File.str()].insert(Hash);
}

/// Sorts each run of consecutive #include lines, as clang-format's include
/// sorting (run by clang-apply-replacements' cleanup) would.
void sortIncludeRuns(std::vector<std::string> &Lines) {
  for (size_t I = 0; I < Lines.size();) {
    size_t J = I;
    while (J < Lines.size() && llvm::StringRef(Lines[J]).startswith("#include"))
      ++J;
    std::sort(Lines.begin() + I, Lines.begin() + J);
    I = J == I ? I + 1 : J;
  }
}

// Line insertions at one offset from different TUs (one TU needed the
// includes, another also a declaration) become one insertion holding each
// distinct line once, in a stable order.
static void mergeUnions(std::vector<Edit> &V) {
  std::vector<Edit> Out;
  for (size_t I = 0; I < V.size();) {
    size_t J = I + 1;
    if (V[I].Union && V[I].Length == 0)
      while (J < V.size() && V[J].Union && V[J].Length == 0 &&
             V[J].Offset == V[I].Offset)
        ++J;
    if (J == I + 1) {
      Out.push_back(V[I++]);
      continue;
    }
    Edit M = V[I];
    std::vector<std::string> Lines;
    for (size_t K = I; K < J; ++K) {
      llvm::StringRef T = V[K].Text;
      while (!T.empty()) {
        auto P = T.split('\n');
        std::string L = P.first.str();
        if (L.empty() ? (Lines.empty() || !Lines.back().empty())
                      : !llvm::is_contained(Lines, L))
          Lines.push_back(L);
        T = P.second;
      }
    }
    while (!Lines.empty() && Lines.back().empty())
      Lines.pop_back();
    sortIncludeRuns(Lines);
    M.Text.clear();
    for (const std::string &L : Lines)
      M.Text += L + "\n";
    Out.push_back(M);
    I = J;
  }
  V = std::move(Out);
}

void EditSet::finalize() {
  for (auto &KV : ByFile) {
    std::vector<Edit> &V = KV.second;
    std::sort(V.begin(), V.end());
    V.erase(std::unique(V.begin(), V.end()), V.end());
    mergeUnions(V);
    auto H = Hashes.find(KV.first);
    if (H != Hashes.end() && H->second.size() > 1 && !V.empty()) {
      // The file changed while the TUs were parsed: offsets disagree.
      Conflicts.push_back({V.front(), V.front()});
      ConflictedFiles.insert(KV.first);
      continue;
    }
    // Sorted by offset, then length: an insertion sorts before a
    // replacement starting at the same offset and both apply in that order.
    const Edit *Reach = nullptr; // the edit reaching furthest so far
    for (const Edit &E : V) {
      if (Reach) {
        unsigned End = Reach->Offset + Reach->Length;
        bool Overlap = E.Offset < End;
        bool SameInsertion =
            E.Offset == Reach->Offset && Reach->Length == 0 && E.Length == 0;
        bool InsertThenReplace =
            E.Offset == Reach->Offset && Reach->Length == 0;
        if ((Overlap && !InsertThenReplace) || SameInsertion) {
          Conflicts.push_back({*Reach, E});
          ConflictedFiles.insert(KV.first);
        }
      }
      if (!Reach || E.Offset + E.Length >= Reach->Offset + Reach->Length)
        Reach = &E;
    }
  }
}

std::vector<std::string> EditSet::files() const {
  std::vector<std::string> Out;
  for (const auto &KV : ByFile)
    if (!KV.second.empty() && !ConflictedFiles.count(KV.first))
      Out.push_back(KV.first);
  return Out;
}

const std::vector<Edit> &EditSet::editsOf(llvm::StringRef File) const {
  static const std::vector<Edit> None;
  auto It = ByFile.find(File.str());
  return It == ByFile.end() ? None : It->second;
}

void EditSet::exclude(llvm::StringRef File) { ByFile.erase(File.str()); }

std::string applyEdits(llvm::StringRef Code, const std::vector<Edit> &Edits) {
  std::string Out;
  Out.reserve(Code.size() + 256);
  unsigned Pos = 0;
  for (const Edit &E : Edits) {
    Out.append(Code.data() + Pos, E.Offset - Pos);
    Out += E.Text;
    Pos = E.Offset + E.Length;
  }
  Out.append(Code.data() + Pos, Code.size() - Pos);
  return Out;
}

static std::vector<llvm::StringRef> splitLines(llvm::StringRef S) {
  std::vector<llvm::StringRef> L;
  while (!S.empty()) {
    size_t N = S.find('\n');
    if (N == llvm::StringRef::npos) {
      L.push_back(S);
      break;
    }
    L.push_back(S.take_front(N + 1));
    S = S.drop_front(N + 1);
  }
  return L;
}

namespace {
enum class Op { Keep, Del, Add };
}

// Myers' O(ND) shortest edit script over lines, with the V array of every
// step kept for the backtrack (D is small: a rewrite touches few lines).
static std::vector<std::pair<Op, unsigned>>
diffLines(const std::vector<llvm::StringRef> &A,
          const std::vector<llvm::StringRef> &B) {
  int N = A.size(), M = B.size(), Max = N + M;
  std::vector<std::vector<int>> Trace;
  std::vector<int> V(2 * Max + 2, 0);
  int Off = Max + 1;
  int FoundD = -1;
  for (int D = 0; D <= Max && FoundD < 0; ++D) {
    Trace.push_back(V);
    for (int K = -D; K <= D; K += 2) {
      int X = (K == -D || (K != D && V[Off + K - 1] < V[Off + K + 1]))
                  ? V[Off + K + 1]
                  : V[Off + K - 1] + 1;
      int Y = X - K;
      while (X < N && Y < M && A[X] == B[Y])
        ++X, ++Y;
      V[Off + K] = X;
      if (X >= N && Y >= M) {
        FoundD = D;
        break;
      }
    }
  }
  std::vector<std::pair<Op, unsigned>> Script; // reversed
  int X = N, Y = M;
  for (int D = FoundD; D > 0; --D) {
    const std::vector<int> &PV = Trace[D];
    int K = X - Y;
    int PrevK = (K == -D || (K != D && PV[Off + K - 1] < PV[Off + K + 1]))
                    ? K + 1
                    : K - 1;
    int PX = PV[Off + PrevK], PY = PX - PrevK;
    while (X > PX && Y > PY)
      Script.push_back({Op::Keep, (unsigned)--X}), --Y;
    if (X == PX)
      Script.push_back({Op::Add, (unsigned)--Y});
    else
      Script.push_back({Op::Del, (unsigned)--X});
  }
  while (X > 0 && Y > 0)
    Script.push_back({Op::Keep, (unsigned)--X}), --Y;
  std::reverse(Script.begin(), Script.end());
  return Script;
}

void writeUnifiedDiff(llvm::raw_ostream &OS, llvm::StringRef OldLabel,
                      llvm::StringRef NewLabel, llvm::StringRef Old,
                      llvm::StringRef New) {
  if (Old == New)
    return;
  std::vector<llvm::StringRef> A = splitLines(Old), B = splitLines(New);
  auto Script = diffLines(A, B);
  OS << "--- " << OldLabel << "\n+++ " << NewLabel << "\n";
  const unsigned Ctx = 3;
  size_t I = 0, E = Script.size();
  // Old/new line number before each script entry.
  std::vector<unsigned> OldAt(E + 1), NewAt(E + 1);
  for (size_t J = 0, O = 0, Nn = 0; J <= E; ++J) {
    OldAt[J] = O;
    NewAt[J] = Nn;
    if (J < E) {
      if (Script[J].first != Op::Add)
        ++O;
      if (Script[J].first != Op::Del)
        ++Nn;
    }
  }
  auto Line = [&](size_t J) {
    return Script[J].first == Op::Add ? B[Script[J].second]
                                      : A[Script[J].second];
  };
  while (I < E) {
    while (I < E && Script[I].first == Op::Keep)
      ++I;
    if (I == E)
      break;
    size_t Start = I >= Ctx ? I - Ctx : 0;
    // Extend the hunk while the next change is within 2*Ctx keeps.
    size_t End = I;
    while (true) {
      while (End < E && Script[End].first != Op::Keep)
        ++End;
      size_t Next = End;
      while (Next < E && Script[Next].first == Op::Keep)
        ++Next;
      if (Next < E && Next - End <= 2 * Ctx) {
        End = Next;
        continue;
      }
      End = std::min(E, End + Ctx);
      break;
    }
    unsigned OldLen = OldAt[End] - OldAt[Start],
             NewLen = NewAt[End] - NewAt[Start];
    OS << "@@ -" << (OldLen ? OldAt[Start] + 1 : OldAt[Start]) << "," << OldLen
       << " +" << (NewLen ? NewAt[Start] + 1 : NewAt[Start]) << "," << NewLen
       << " @@\n";
    for (size_t J = Start; J < End; ++J) {
      char C = Script[J].first == Op::Keep  ? ' '
               : Script[J].first == Op::Del ? '-'
                                            : '+';
      llvm::StringRef L = Line(J);
      OS << C << L;
      if (!L.endswith("\n"))
        OS << "\n\\ No newline at end of file\n";
    }
    I = End;
  }
}

llvm::Error writeAtomically(llvm::StringRef Path, llvm::StringRef Content,
                            bool CreateDirs) {
  llvm::StringRef Dir = llvm::sys::path::parent_path(Path);
  if (CreateDirs && !Dir.empty())
    if (std::error_code EC = llvm::sys::fs::create_directories(Dir))
      return llvm::createStringError(EC, "%s: cannot create directory: %s",
                                     Dir.str().c_str(), EC.message().c_str());
  llvm::SmallString<256> Model(Dir.empty() ? "." : Dir);
  llvm::sys::path::append(Model, "." + llvm::sys::path::filename(Path) +
                                     ".mpsafe-%%%%%%");
  int FD;
  llvm::SmallString<256> Tmp;
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Tmp))
    return llvm::createStringError(EC, "%s: cannot create temporary file: %s",
                                   Path.str().c_str(), EC.message().c_str());
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    OS << Content;
    OS.close();
    if (OS.has_error()) {
      llvm::sys::fs::remove(Tmp);
      return llvm::createStringError(OS.error(), "%s: write failed: %s",
                                     Path.str().c_str(),
                                     OS.error().message().c_str());
    }
  }
  llvm::sys::fs::file_status St;
  if (!llvm::sys::fs::status(Path, St))
    llvm::sys::fs::setPermissions(Tmp, St.permissions());
  if (std::error_code EC = llvm::sys::fs::rename(Tmp, Path)) {
    llvm::sys::fs::remove(Tmp);
    return llvm::createStringError(EC, "%s: cannot replace: %s",
                                   Path.str().c_str(), EC.message().c_str());
  }
  return llvm::Error::success();
}

} // namespace rewrite
} // namespace mpsafe
