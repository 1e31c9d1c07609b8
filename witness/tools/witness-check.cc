//===- witness-check.cc - merge witness graphs, find reversals --*- C++ -*-===//
//
// witness-check [--order FILE] [--baseline FILE] [--dot FILE] [--json] GRAPH...
//
// Merges the order graphs dumped by many processes (classes match by name
// and kind), finds every cycle of the union, including those no single
// process saw, checks the union against a declared order, and subtracts a
// baseline of known reversals. Exit status: 0 nothing new, 1 new
// reversals, 2 bad input or usage.
//
//===----------------------------------------------------------------------===//
#include "graphfile.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

using namespace witness;

namespace {

struct MergedEdge {
  unsigned From = 0, To = 0;
  bool Declared = true; // only declared, never observed
  std::string FromSite, ToSite;
  std::set<size_t> Graphs; // which inputs observed it
};

struct Merged {
  std::vector<std::pair<std::string, std::string>> Nodes; // name, kind
  std::map<std::pair<std::string, std::string>, unsigned> NodeId;
  std::map<std::pair<unsigned, unsigned>, MergedEdge> Edges;
  std::vector<std::vector<unsigned>> Out;

  unsigned node(const std::string &Name, const std::string &Kind) {
    auto [It, New] = NodeId.emplace(std::make_pair(Name, Kind), Nodes.size());
    if (New) {
      Nodes.push_back({Name, Kind});
      Out.emplace_back();
    }
    return It->second;
  }
};

/// A reversal: a cycle of the merged graph, or an edge against the
/// declared order.
struct Finding {
  bool Cycle;
  std::vector<unsigned> Nodes; // cycle: n0 -> n1 -> ... -> n0; declared: u, v
  std::vector<std::string> DeclaredPath;
  bool CrossProcess = false;
  std::string Justification; // non-empty when baselined
};

struct Options {
  std::string Order, Baseline, Dot;
  bool Json = false;
  std::vector<std::string> Graphs;
};

[[noreturn]] void usage(const char *Why) {
  fprintf(stderr,
          "witness-check: %s\n"
          "usage: witness-check [--order FILE] [--baseline FILE] [--dot FILE] "
          "[--json] GRAPH...\n",
          Why);
  exit(2);
}

std::string trim(const std::string &S) {
  size_t B = S.find_first_not_of(" \t\r");
  if (B == std::string::npos)
    return "";
  return S.substr(B, S.find_last_not_of(" \t\r") - B + 1);
}

/// "a -> b -> c" into names; empty on error.
std::vector<std::string> parseChain(const std::string &Line) {
  std::vector<std::string> Names;
  size_t Pos = 0;
  for (;;) {
    size_t Arrow = Line.find("->", Pos);
    std::string N = trim(Line.substr(
        Pos, Arrow == std::string::npos ? std::string::npos : Arrow - Pos));
    if (N.empty())
      return {};
    Names.push_back(N);
    if (Arrow == std::string::npos)
      break;
    Pos = Arrow + 2;
  }
  return Names.size() >= 2 ? Names : std::vector<std::string>{};
}

bool readLines(
    const std::string &Path,
    const std::function<bool(int, const std::string &, std::string &)> &Each) {
  std::ifstream In(Path);
  if (!In) {
    fprintf(stderr, "witness-check: %s: cannot open: %s\n", Path.c_str(),
            strerror(errno));
    return false;
  }
  std::string Line, Err;
  for (int No = 1; std::getline(In, Line); ++No) {
    if (trim(Line).empty() || trim(Line)[0] == '#')
      continue;
    if (!Each(No, Line, Err)) {
      fprintf(stderr, "witness-check: %s:%d: %s\n", Path.c_str(), No,
              Err.c_str());
      return false;
    }
  }
  return true;
}

std::string jsonString(const std::string &S) {
  std::string O = "\"";
  for (unsigned char C : S) {
    if (C == '"' || C == '\\')
      O += '\\', O += char(C);
    else if (C < 0x20) {
      char B[8];
      snprintf(B, sizeof B, "\\u%04x", C);
      O += B;
    } else
      O += char(C);
  }
  return O + "\"";
}

std::string dotEscape(const std::string &S) {
  std::string O;
  for (char C : S) {
    if (C == '"' || C == '\\')
      O += '\\';
    O += C;
  }
  return O;
}

std::string keyOf(std::vector<std::string> Names) {
  std::sort(Names.begin(), Names.end());
  Names.erase(std::unique(Names.begin(), Names.end()), Names.end());
  std::string K;
  for (const std::string &N : Names)
    K += N + "\n";
  return K;
}

/// Tarjan's strongly connected components.
std::vector<int> components(const Merged &M) {
  size_t N = M.Nodes.size();
  std::vector<int> Index(N, -1), Low(N, 0), Comp(N, -1);
  std::vector<bool> OnStack(N, false);
  std::vector<unsigned> Stack;
  int Next = 0, NComp = 0;
  std::function<void(unsigned)> Visit = [&](unsigned U) {
    Index[U] = Low[U] = Next++;
    Stack.push_back(U);
    OnStack[U] = true;
    for (unsigned V : M.Out[U]) {
      if (Index[V] < 0) {
        Visit(V);
        Low[U] = std::min(Low[U], Low[V]);
      } else if (OnStack[V]) {
        Low[U] = std::min(Low[U], Index[V]);
      }
    }
    if (Low[U] == Index[U]) {
      unsigned V;
      do {
        V = Stack.back();
        Stack.pop_back();
        OnStack[V] = false;
        Comp[V] = NComp;
      } while (V != U);
      ++NComp;
    }
  };
  for (unsigned U = 0; U < N; ++U)
    if (Index[U] < 0)
      Visit(U);
  return Comp;
}

/// Shortest path From ->* To inside one component.
std::vector<unsigned> pathWithin(const Merged &M, const std::vector<int> &Comp,
                                 unsigned From, unsigned To) {
  std::map<unsigned, unsigned> Parent{{From, From}};
  std::deque<unsigned> Q{From};
  while (!Q.empty()) {
    unsigned U = Q.front();
    Q.pop_front();
    if (U == To) {
      std::vector<unsigned> P;
      for (unsigned V = To; V != From; V = Parent[V])
        P.push_back(V);
      P.push_back(From);
      std::reverse(P.begin(), P.end());
      return P;
    }
    for (unsigned V : M.Out[U])
      if (Comp[V] == Comp[From] && Parent.emplace(V, U).second)
        Q.push_back(V);
  }
  return {};
}

/// The whole run: inputs, the merged graph, the findings, the outputs.
class Checker {
public:
  explicit Checker(Options O) : Opts(std::move(O)) {}

  /// Reads every input; false (after saying why) on bad input.
  bool load();
  void merge();
  void findCycles();
  void checkDeclared();
  /// Prints the findings; returns how many are new (not baselined).
  unsigned report();
  bool writeDot() const;

private:
  bool loadOrder();
  bool loadBaseline();
  std::vector<std::string> declaredPath(const std::string &From,
                                        const std::string &To) const;
  std::string edgeText(unsigned U, unsigned V, std::string &Json) const;
  void print(const Finding &F, const std::vector<std::string> &Names);

  Options Opts;
  std::vector<GraphFile> Files;
  std::map<std::string, std::set<std::string>> Declared;
  std::map<std::string, std::string> Baseline; // class set -> justification
  std::map<std::string, bool> BaselineUsed;
  Merged M;
  std::vector<Finding> Findings;
  std::set<std::string> SeenKeys;
  std::set<std::pair<unsigned, unsigned>> Red; // edges of findings
};

bool Checker::load() {
  Files.resize(Opts.Graphs.size());
  for (size_t I = 0; I < Opts.Graphs.size(); ++I) {
    std::string Err;
    if (!readGraphFile(Opts.Graphs[I], Files[I], Err)) {
      fprintf(stderr, "witness-check: %s\n", Err.c_str());
      return false;
    }
  }
  return loadOrder() && loadBaseline();
}

bool Checker::loadOrder() {
  if (Opts.Order.empty())
    return true;
  return readLines(
      Opts.Order, [&](int, const std::string &Line, std::string &Err) {
        std::vector<std::string> C = parseChain(Line.substr(0, Line.find('#')));
        if (C.empty()) {
          Err = "expected a chain \"a -> b -> c\"";
          return false;
        }
        for (size_t J = 0; J + 1 < C.size(); ++J)
          Declared[C[J]].insert(C[J + 1]);
        return true;
      });
}

bool Checker::loadBaseline() {
  if (Opts.Baseline.empty())
    return true;
  return readLines(Opts.Baseline, [&](int, const std::string &Line,
                                      std::string &Err) {
    size_t Bar = Line.find('|');
    std::string Why =
        Bar == std::string::npos ? "" : trim(Line.substr(Bar + 1));
    std::vector<std::string> C = parseChain(Line.substr(0, Bar));
    if (C.empty()) {
      Err = "expected \"a -> b [-> ...] | justification\"";
      return false;
    }
    if (Why.empty()) {
      Err = "baseline entry has no justification (add \"| why it is safe\")";
      return false;
    }
    Baseline[keyOf(C)] = Why;
    BaselineUsed[keyOf(C)] = false;
    return true;
  });
}

void Checker::merge() {
  for (size_t G = 0; G < Files.size(); ++G) {
    for (const GraphFile::EdgeRec &E : Files[G].Edges) {
      const auto &F = Files[G].Classes.at(E.From);
      const auto &T = Files[G].Classes.at(E.To);
      unsigned U = M.node(F.Name, F.Kind), V = M.node(T.Name, T.Kind);
      MergedEdge Fresh;
      Fresh.From = U;
      Fresh.To = V;
      auto [It, New] = M.Edges.emplace(std::make_pair(U, V), Fresh);
      MergedEdge &ME = It->second;
      if (New)
        M.Out[U].push_back(V);
      if (E.Declared)
        continue;
      if (ME.Declared) { // first observation: keep its sites
        ME.FromSite = E.FromSite;
        ME.ToSite = E.ToSite;
      }
      ME.Declared = false;
      ME.Graphs.insert(G);
    }
  }
}

void Checker::findCycles() {
  // Every cycle lies in one strongly connected component; the shortest
  // cycle through each of its edges is reported once per class set.
  std::vector<int> Comp = components(M);
  for (const auto &[UV, E] : M.Edges) {
    if (Comp[UV.first] != Comp[UV.second] || UV.first == UV.second)
      continue;
    std::vector<unsigned> P = pathWithin(M, Comp, UV.second, UV.first);
    if (P.empty())
      continue;
    std::vector<std::string> Names;
    for (unsigned N : P)
      Names.push_back(M.Nodes[N].first);
    if (!SeenKeys.insert(keyOf(Names)).second)
      continue;
    Finding F;
    F.Cycle = true;
    F.Nodes = P;
    // Cross-process unless one input holds every observed edge of it.
    F.CrossProcess = true;
    for (size_t G = 0; G < Files.size() && F.CrossProcess; ++G) {
      bool All = true;
      for (size_t I = 0; I < P.size() && All; ++I) {
        const MergedEdge &CE = M.Edges.at({P[I], P[(I + 1) % P.size()]});
        All = CE.Declared || CE.Graphs.count(G);
      }
      if (All)
        F.CrossProcess = false;
    }
    Findings.push_back(F);
  }
}

std::vector<std::string> Checker::declaredPath(const std::string &From,
                                               const std::string &To) const {
  std::map<std::string, std::string> Parent{{From, ""}};
  std::deque<std::string> Q{From};
  while (!Q.empty()) {
    std::string U = Q.front();
    Q.pop_front();
    if (U == To) {
      std::vector<std::string> P;
      for (std::string V = To; V != From; V = Parent[V])
        P.push_back(V);
      P.push_back(From);
      std::reverse(P.begin(), P.end());
      return P;
    }
    auto It = Declared.find(U);
    if (It != Declared.end())
      for (const std::string &V : It->second)
        if (Parent.emplace(V, U).second)
          Q.push_back(V);
  }
  return {};
}

void Checker::checkDeclared() {
  for (const auto &[UV, E] : M.Edges) {
    if (E.Declared)
      continue;
    const std::string &U = M.Nodes[UV.first].first;
    const std::string &V = M.Nodes[UV.second].first;
    std::vector<std::string> P = declaredPath(V, U);
    if (P.empty() || !SeenKeys.insert(keyOf({U, V})).second)
      continue;
    Finding F;
    F.Cycle = false;
    F.Nodes = {UV.first, UV.second};
    F.DeclaredPath = P;
    Findings.push_back(F);
  }
}

std::string Checker::edgeText(unsigned U, unsigned V, std::string &Json) const {
  const MergedEdge &E = M.Edges.at({U, V});
  std::string Where, GJ = "[";
  for (size_t G : E.Graphs) {
    Where += (Where.empty() ? "" : ", ") + Files[G].Path + " (pid " +
             std::to_string(Files[G].Pid) + ")";
    GJ += (GJ.size() > 1 ? "," : "") + jsonString(Files[G].Path);
  }
  Json += std::string(Json.size() > 1 ? "," : "") +
          "{\"from\":" + jsonString(M.Nodes[U].first) +
          ",\"to\":" + jsonString(M.Nodes[V].first) +
          ",\"from_site\":" + jsonString(E.FromSite) +
          ",\"to_site\":" + jsonString(E.ToSite) +
          ",\"declared\":" + (E.Declared ? "true" : "false") +
          ",\"graphs\":" + GJ + "]}";
  auto Site = [](const std::string &S) { return S.empty() ? "?" : S; };
  return "  \"" + M.Nodes[U].first + "\" @ " + Site(E.FromSite) + " -> \"" +
         M.Nodes[V].first + "\" @ " + Site(E.ToSite) +
         (E.Declared ? "  [declared order]" : "  [" + Where + "]");
}

void Checker::print(const Finding &F, const std::vector<std::string> &Names) {
  std::string Chain;
  for (const std::string &N : Names)
    Chain += (Chain.empty() ? "" : " -> ") + N;
  if (F.Cycle) {
    Chain += " -> " + Names[0];
  } else {
    std::string D;
    for (const std::string &N : F.DeclaredPath)
      D += (D.empty() ? "" : " -> ") + N;
    Chain += " (declared " + D + ")";
  }
  std::string Head = !F.Cycle         ? "declared order violation"
                     : F.CrossProcess ? "cross-process lock order reversal"
                                      : "lock order reversal";
  std::string Json = "[", Text;
  size_t NEdges = F.Cycle ? F.Nodes.size() : 1;
  for (size_t I = 0; I < NEdges; ++I) {
    unsigned U = F.Nodes[I], V = F.Nodes[(I + 1) % F.Nodes.size()];
    Text += edgeText(U, V, Json) + "\n";
    Red.insert({U, V});
  }
  if (Opts.Json) {
    std::string C = "[";
    for (const std::string &N : Names)
      C += (C.size() > 1 ? "," : "") + jsonString(N);
    printf("{\"type\":%s,\"classes\":%s],\"cross_process\":%s,\"new\":%s,"
           "\"justification\":%s,\"edges\":%s]}\n",
           jsonString(F.Cycle ? "cycle" : "declared").c_str(), C.c_str(),
           F.CrossProcess ? "true" : "false",
           F.Justification.empty() ? "true" : "false",
           jsonString(F.Justification).c_str(), Json.c_str());
    return;
  }
  printf("%s%s: %s\n%s", F.Justification.empty() ? "NEW " : "known ",
         Head.c_str(), Chain.c_str(), Text.c_str());
  if (F.CrossProcess)
    printf("  no single process saw this cycle: each edge comes from the "
           "graph named beside it\n");
  if (!F.Justification.empty())
    printf("  baseline: %s\n", F.Justification.c_str());
}

unsigned Checker::report() {
  unsigned New = 0, Known = 0;
  for (Finding &F : Findings) {
    std::vector<std::string> Names;
    for (unsigned N : F.Nodes)
      Names.push_back(M.Nodes[N].first);
    auto B = Baseline.find(keyOf(Names));
    if (B != Baseline.end()) {
      F.Justification = B->second;
      BaselineUsed[B->first] = true;
      ++Known;
    } else {
      ++New;
    }
    print(F, Names);
  }
  for (const auto &Entry : BaselineUsed) {
    if (Entry.second)
      continue;
    std::string Names = Entry.first;
    std::replace(Names.begin(), Names.end(), '\n', ' ');
    fprintf(stderr, "witness-check: baseline entry no longer seen: %s\n",
            Names.c_str());
  }
  fprintf(stderr,
          "witness-check: %zu graph(s), %zu classes, %zu edges; %u new "
          "reversal(s), %u baselined\n",
          Files.size(), M.Nodes.size(), M.Edges.size(), New, Known);
  return New;
}

bool Checker::writeDot() const {
  if (Opts.Dot.empty())
    return true;
  FILE *D = fopen(Opts.Dot.c_str(), "w");
  if (!D) {
    fprintf(stderr, "witness-check: %s: cannot write: %s\n", Opts.Dot.c_str(),
            strerror(errno));
    return false;
  }
  fprintf(D, "digraph witness {\n  node [shape=box];\n");
  for (size_t I = 0; I < M.Nodes.size(); ++I)
    fprintf(D, "  n%zu [label=\"%s\\n%s\"];\n", I,
            dotEscape(M.Nodes[I].first).c_str(), M.Nodes[I].second.c_str());
  for (const auto &[UV, E] : M.Edges) {
    std::string Attr;
    if (Red.count(UV))
      Attr = "color=red,penwidth=2";
    if (E.Declared)
      Attr += std::string(Attr.empty() ? "" : ",") + "style=dashed";
    if (!Attr.empty())
      Attr = " [" + Attr + "]";
    fprintf(D, "  n%u -> n%u%s;\n", UV.first, UV.second, Attr.c_str());
  }
  fprintf(D, "}\n");
  return fclose(D) == 0;
}

Options parseArgs(int Argc, char **Argv) {
  Options O;
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Value = [&](std::string &Out) {
      if (I + 1 >= Argc)
        usage((A + " needs a file").c_str());
      Out = Argv[++I];
    };
    if (A == "--order")
      Value(O.Order);
    else if (A == "--baseline")
      Value(O.Baseline);
    else if (A == "--dot")
      Value(O.Dot);
    else if (A == "--json")
      O.Json = true;
    else if (A == "-h" || A == "--help")
      usage("merges witness graphs and reports lock order reversals");
    else if (A.size() > 1 && A[0] == '-')
      usage(("unknown option " + A).c_str());
    else
      O.Graphs.push_back(A);
  }
  if (O.Graphs.empty())
    usage("no graph files given");
  return O;
}

} // namespace

int main(int Argc, char **Argv) {
  Checker C(parseArgs(Argc, Argv));
  if (!C.load())
    return 2;
  C.merge();
  C.findCycles();
  C.checkDeclared();
  unsigned New = C.report();
  if (!C.writeDot())
    return 2;
  return New ? 1 : 0;
}
