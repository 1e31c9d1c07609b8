//===- LockGraph.cpp - merging witness graphs, finding reversals ----------===//

#include "LockGraph.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <functional>
#include <set>

using namespace llvm;

namespace mpsafe {
namespace report {

static Error fail(StringRef Path, unsigned Line, const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           Path + ":" + Twine(Line) + ": error: " + Msg);
}

/// A field of the graph format: `-` is empty, \t \n \\ are escapes.
static std::string unescape(StringRef F) {
  if (F == "-")
    return "";
  std::string S;
  for (size_t I = 0; I < F.size(); ++I) {
    if (F[I] == '\\' && I + 1 < F.size()) {
      char C = F[++I];
      S += C == 't' ? '\t' : C == 'n' ? '\n' : C;
    } else {
      S += F[I];
    }
  }
  return S;
}

unsigned LockGraph::classId(const std::string &Name, const std::string &Kind) {
  auto It = ClassIds.find({Name, Kind});
  if (It != ClassIds.end())
    return It->second;
  Classes.push_back({Name, Kind});
  ClassIds[{Name, Kind}] = Classes.size() - 1;
  return Classes.size() - 1;
}

/// A class named by an order file: the kind of a class of that name seen
/// in a graph, else a sleep mutex (the stack's locks are).
unsigned LockGraph::classByName(const std::string &Name) {
  for (unsigned I = 0; I < Classes.size(); ++I)
    if (Classes[I].Name == Name)
      return I;
  return classId(Name, "sleep");
}

LockEdge &LockGraph::edge(unsigned From, unsigned To, bool &Created) {
  auto It = EdgeIds.find({From, To});
  Created = It == EdgeIds.end();
  if (!Created)
    return Edges[It->second];
  Edges.emplace_back();
  Edges.back().From = From;
  Edges.back().To = To;
  EdgeIds[{From, To}] = Edges.size() - 1;
  return Edges.back();
}

Error LockGraph::addGraphFile(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return fail(Path, 0, "cannot read: " + Buf.getError().message());
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  static const char *const Kinds[] = {"spin", "sleep", "rw", "sx"};
  std::map<std::string, unsigned> Local; // file class id -> merged id
  std::string Program;
  LockEdge *Last = nullptr;
  bool Header = false;
  unsigned GraphIndex = Files;
  for (unsigned N = 0; N < Lines.size(); ++N) {
    StringRef L = Lines[N].rtrim("\r");
    unsigned LineNo = N + 1;
    if (L.empty() || L.startswith("#"))
      continue;
    SmallVector<StringRef, 8> F;
    L.split(F, '\t');
    if (!Header) {
      if (F.size() != 2 || F[0] != "witness-graph")
        return fail(Path, LineNo, "not a witness graph (expected the "
                                  "'witness-graph<TAB>1' header)");
      if (F[1] != "1")
        return fail(Path, LineNo, "unsupported graph version '" + F[1] + "'");
      Header = true;
      continue;
    }
    auto Want = [&](size_t Count) -> Error {
      if (F.size() == Count)
        return Error::success();
      return fail(Path, LineNo,
                  "'" + F[0] + "' record has " + Twine(F.size()) +
                      " fields, expected " + Twine(Count));
    };
    if (F[0] == "process") {
      if (Error E = Want(3))
        return E;
      Program = unescape(F[2]);
    } else if (F[0] == "class") {
      if (Error E = Want(4))
        return E;
      if (!is_contained(Kinds, F[2]))
        return fail(Path, LineNo, "unknown lock kind '" + F[2] + "'");
      if (Local.count(F[1].str()))
        return fail(Path, LineNo, "duplicate class id " + F[1]);
      Local[F[1].str()] = classId(unescape(F[3]), F[2].str());
    } else if (F[0] == "edge") {
      if (Error E = Want(8))
        return E;
      auto A = Local.find(F[1].str()), B = Local.find(F[2].str());
      if (A == Local.end() || B == Local.end())
        return fail(Path, LineNo, "edge names an undefined class");
      bool Declared = false, Reported = false;
      if (F[3] != "-") {
        SmallVector<StringRef, 2> Flags;
        F[3].split(Flags, ',');
        for (StringRef Fl : Flags) {
          if (Fl == "declared")
            Declared = true;
          else if (Fl == "reversal")
            Reported = true;
          else
            return fail(Path, LineNo, "unknown edge flag '" + Fl + "'");
        }
      }
      bool Created;
      LockEdge &E = edge(A->second, B->second, Created);
      E.Declared |= Declared;
      E.Reported |= Reported;
      if (!Declared && !E.Observed) {
        E.Observed = true;
        E.FromSite = unescape(F[4]);
        E.ToSite = unescape(F[5]);
        E.FromInstance = unescape(F[6]);
        E.ToInstance = unescape(F[7]);
        E.Graph = Path.str();
        E.Program = Program;
        Last = &E;
      } else {
        Last = nullptr; // stacks of later sightings are not kept
      }
      if (!Declared && !is_contained(E.InGraphs, GraphIndex))
        E.InGraphs.push_back(GraphIndex);
    } else if (F[0] == "frame") {
      if (Error E = Want(2))
        return E;
      if (Last)
        Last->Stack.push_back(unescape(F[1]));
      // A frame after an edge whose stack we already have is fine; a frame
      // before any edge is not.
      else if (Edges.empty())
        return fail(Path, LineNo, "'frame' record with no edge before it");
    } else {
      return fail(Path, LineNo, "unknown record type '" + F[0] + "'");
    }
  }
  if (!Header)
    return fail(Path, 1, "empty file (expected a witness graph)");
  ++Files;
  return Error::success();
}

Error LockGraph::addOrderFile(StringRef Path) {
  auto Buf = MemoryBuffer::getFile(Path);
  if (!Buf)
    return fail(Path, 0, "cannot read: " + Buf.getError().message());
  SmallVector<StringRef, 0> Lines;
  (*Buf)->getBuffer().split(Lines, '\n');
  for (unsigned N = 0; N < Lines.size(); ++N) {
    StringRef L = Lines[N].split('#').first.trim();
    if (L.empty())
      continue;
    SmallVector<StringRef, 8> Names;
    L.split(Names, "->");
    if (Names.size() < 2)
      return fail(Path, N + 1, "a chain needs at least two classes: 'a -> b'");
    for (StringRef &Nm : Names) {
      Nm = Nm.trim();
      if (Nm.empty())
        return fail(Path, N + 1, "empty class name in the chain");
    }
    for (size_t I = 0; I + 1 < Names.size(); ++I) {
      bool Created;
      unsigned A = classByName(Names[I].str()), B = classByName(Names[I + 1].str());
      edge(A, B, Created).Declared = true;
    }
  }
  return Error::success();
}

std::vector<Reversal> LockGraph::reversals() const {
  // Tarjan's strongly connected components over every edge.
  unsigned N = Classes.size();
  std::vector<std::vector<unsigned>> Out(N);
  for (const LockEdge &E : Edges)
    Out[E.From].push_back(E.To);
  std::vector<int> Index(N, -1), Low(N, 0), Comp(N, -1);
  std::vector<bool> OnStack(N, false);
  std::vector<unsigned> Stack;
  int Next = 0, Comps = 0;
  std::function<void(unsigned)> Visit = [&](unsigned V) {
    Index[V] = Low[V] = Next++;
    Stack.push_back(V);
    OnStack[V] = true;
    for (unsigned W : Out[V]) {
      if (Index[W] < 0) {
        Visit(W);
        Low[V] = std::min(Low[V], Low[W]);
      } else if (OnStack[W]) {
        Low[V] = std::min(Low[V], Index[W]);
      }
    }
    if (Low[V] == Index[V]) {
      unsigned W;
      do {
        W = Stack.back();
        Stack.pop_back();
        OnStack[W] = false;
        Comp[W] = Comps;
      } while (W != V);
      ++Comps;
    }
  };
  for (unsigned V = 0; V < N; ++V)
    if (Index[V] < 0)
      Visit(V);

  std::vector<Reversal> R(Comps);
  for (unsigned V = 0; V < N; ++V)
    R[Comp[V]].Classes.push_back(V);
  for (unsigned I = 0; I < Edges.size(); ++I) {
    const LockEdge &E = Edges[I];
    if (Comp[E.From] == Comp[E.To])
      R[Comp[E.From]].Edges.push_back(I);
  }
  std::vector<Reversal> Found;
  for (Reversal &C : R) {
    bool SelfLoop = !C.Edges.empty();
    if (C.Classes.size() < 2 && !SelfLoop)
      continue;
    // A cycle made only of declared edges is a contradiction the order
    // file's reader refuses; here at least one edge must be observed.
    if (none_of(C.Edges, [&](unsigned I) { return Edges[I].Observed; }))
      continue;
    std::set<unsigned> Common;
    bool First = true;
    for (unsigned I : C.Edges) {
      const LockEdge &E = Edges[I];
      if (!E.Observed)
        continue;
      std::set<unsigned> G(E.InGraphs.begin(), E.InGraphs.end());
      if (First)
        Common = G;
      else {
        std::set<unsigned> Keep;
        for (unsigned X : Common)
          if (G.count(X))
            Keep.insert(X);
        Common.swap(Keep);
      }
      First = false;
    }
    C.CrossProcess = Common.empty();
    Found.push_back(std::move(C));
  }
  return Found;
}

static std::string dotQuote(StringRef S) {
  std::string Q = "\"";
  for (char C : S) {
    if (C == '"' || C == '\\')
      Q += '\\';
    if (C == '\n')
      Q += "\\n";
    else
      Q += C;
  }
  return Q + "\"";
}

std::string LockGraph::dot() const {
  std::set<unsigned> InCycle;
  for (const Reversal &R : reversals())
    for (unsigned E : R.Edges)
      InCycle.insert(E);
  std::string S;
  raw_string_ostream OS(S);
  OS << "digraph locks {\n  rankdir=TB;\n"
     << "  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n"
     << "  edge [fontname=\"Helvetica\", fontsize=10];\n";
  for (unsigned I = 0; I < Classes.size(); ++I)
    OS << "  c" << I << " [label=" << dotQuote(Classes[I].Name + "\n[" +
                                               Classes[I].Kind + "]")
       << "];\n";
  for (unsigned I = 0; I < Edges.size(); ++I) {
    const LockEdge &E = Edges[I];
    OS << "  c" << E.From << " -> c" << E.To << " [";
    if (!E.Observed)
      OS << "style=dashed, color=gray40";
    else if (InCycle.count(I))
      OS << "color=red, penwidth=2";
    else
      OS << "color=black";
    OS << "];\n";
  }
  OS << "}\n";
  return OS.str();
}

Expected<std::string> renderSvg(StringRef Dot) {
  auto Exe = sys::findProgramByName("dot");
  if (!Exe)
    return createStringError(inconvertibleErrorCode(),
                             "graphviz 'dot' not found in PATH");
  SmallString<128> In, OutP;
  if (std::error_code EC = sys::fs::createTemporaryFile("mpsafe-locks", "dot", In))
    return createStringError(EC, "cannot create a temporary file");
  if (std::error_code EC = sys::fs::createTemporaryFile("mpsafe-locks", "svg", OutP))
    return createStringError(EC, "cannot create a temporary file");
  {
    std::error_code EC;
    raw_fd_ostream OS(In, EC);
    if (EC)
      return createStringError(EC, "cannot write " + In);
    OS << Dot;
  }
  std::string Err;
  StringRef Args[] = {*Exe, "-Tsvg", In, "-o", OutP};
  int RC = sys::ExecuteAndWait(*Exe, Args, None, {}, 60, 0, &Err);
  auto Buf = MemoryBuffer::getFile(OutP);
  sys::fs::remove(In);
  sys::fs::remove(OutP);
  if (RC != 0 || !Buf)
    return createStringError(inconvertibleErrorCode(),
                             "dot -Tsvg failed (status " + Twine(RC) + ")" +
                                 (Err.empty() ? "" : ": " + Err));
  StringRef Svg = (*Buf)->getBuffer();
  size_t At = Svg.find("<svg");
  if (At == StringRef::npos)
    return createStringError(inconvertibleErrorCode(),
                             "dot -Tsvg wrote no <svg> element");
  return Svg.substr(At).str();
}

} // namespace report
} // namespace mpsafe
