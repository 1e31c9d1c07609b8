//===- LockGraph.h - witness graphs merged for the report -------*- C++ -*-===//
//
// Reads witness graph files (docs/witness-graph-format.md) and a declared
// order file (docs/witness.md), merges them by class (name, kind), finds the
// reversals of the union (every strongly connected set of classes) and
// draws the hierarchy with graphviz.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_REPORT_LOCKGRAPH_H
#define MPSAFE_REPORT_LOCKGRAPH_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace mpsafe {
namespace report {

struct LockClass {
  std::string Name, Kind;
};

struct LockEdge {
  unsigned From = 0, To = 0;       ///< indexes into LockGraph::Classes
  bool Observed = false;           ///< seen at run time (not only declared)
  bool Declared = false;           ///< in a declared order
  bool Reported = false;           ///< flagged `reversal` by witness
  std::string FromSite, ToSite;    ///< first acquisition sites
  std::string FromInstance, ToInstance;
  std::string Graph;               ///< the file it was first seen in
  std::string Program;             ///< the process that wrote that file
  std::vector<std::string> Stack;  ///< saved stack, innermost first
  std::vector<unsigned> InGraphs;  ///< every graph file (by order read) with it
};

/// A cycle of the merged graph: its classes and every edge between them.
struct Reversal {
  std::vector<unsigned> Classes;
  std::vector<unsigned> Edges;     ///< indexes into LockGraph::Edges
  bool CrossProcess = false;       ///< no single graph holds all its edges
};

class LockGraph {
public:
  /// Merges one graph file; errors name the file and line.
  llvm::Error addGraphFile(llvm::StringRef Path);
  /// Adds the chains of an order file as declared edges (sleep locks).
  llvm::Error addOrderFile(llvm::StringRef Path);

  std::vector<Reversal> reversals() const;
  /// Graphviz source: observed edges solid, declared-only dashed, edges of
  /// a reversal red.
  std::string dot() const;

  std::vector<LockClass> Classes;
  std::vector<LockEdge> Edges;
  unsigned Files = 0;

private:
  unsigned classId(const std::string &Name, const std::string &Kind);
  unsigned classByName(const std::string &Name);
  LockEdge &edge(unsigned From, unsigned To, bool &Created);

  std::map<std::pair<std::string, std::string>, unsigned> ClassIds;
  std::map<std::pair<unsigned, unsigned>, unsigned> EdgeIds;
};

/// Runs `dot -Tsvg` on Dot; the <svg> element alone (no XML prolog) or an
/// error saying why (graphviz missing, dot failed).
llvm::Expected<std::string> renderSvg(llvm::StringRef Dot);

} // namespace report
} // namespace mpsafe

#endif // MPSAFE_REPORT_LOCKGRAPH_H
