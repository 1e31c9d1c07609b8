//===- ScanContext.h - the merged facts of a whole scan ----------*- C++
//-*-===//
//
// What the rules see: every TU's facts plus the whole-program views built
// from them (modules, the may-sleep summary over the call graph, global
// classification, the cross-module graph and a bottom-up order).
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_SCAN_SCANCONTEXT_H
#define MPSAFE_SCAN_SCANCONTEXT_H

#include "Facts.h"
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace mpsafe {
namespace scan {

/// How a global is used across the whole scan.
struct GlobalSummary {
  const GlobalFact *Def = nullptr;
  std::string Module;
  std::string Class; ///< counter | flag | refcount | list | plain
  std::vector<const AccessFact *> Accesses;
  std::set<std::string> Functions, Modules; ///< who touches it
  unsigned Reads = 0, Writes = 0, InSection = 0;
};

class ScanContext {
public:
  /// Modules: (path prefix relative to Root, name); first match wins;
  /// otherwise the file's directory relative to Root.
  ScanContext(std::vector<TUFacts> TUs, std::string Root,
              std::vector<std::pair<std::string, std::string>> ModuleMap = {});

  const std::vector<TUFacts> &tus() const { return TUs; }
  const std::string &root() const { return Root; }
  std::string moduleOf(const std::string &File) const;
  std::string moduleOfFunction(const std::string &FunctionKey) const;

  /// Why a function may sleep: the next call on the way to a sleep
  /// ("tsleep", "M_WAITOK allocation" or a callee key); absent when it
  /// cannot sleep as far as the scanned code shows.
  const std::map<std::string, std::string> &maySleep() const {
    return SleepVia;
  }
  /// "f -> g -> tsleep" for a function that may sleep.
  std::string sleepChain(const std::string &FunctionKey) const;

  const std::map<std::string, GlobalSummary> &globals() const {
    return Globals;
  }
  /// Module A -> modules whose globals A touches (A excluded).
  const std::map<std::string, std::set<std::string>> &moduleGraph() const {
    return Graph;
  }
  /// Owners before users: the suggested bottom-up migration order.
  const std::vector<std::string> &order() const { return Order; }
  const std::set<std::string> &modules() const { return Modules; }

private:
  void summarizeSleep();
  void summarizeGlobals();
  void buildOrder();

  std::vector<TUFacts> TUs;
  std::string Root;
  std::vector<std::pair<std::string, std::string>> ModuleMap;
  std::map<std::string, std::string> FunctionFile;
  std::map<std::string, std::string> SleepVia;
  std::map<std::string, GlobalSummary> Globals;
  std::map<std::string, std::set<std::string>> Graph;
  std::set<std::string> Modules;
  std::vector<std::string> Order;
};

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_SCAN_SCANCONTEXT_H
