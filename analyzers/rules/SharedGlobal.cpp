//===- SharedGlobal.cpp - rule shared-global
//--------------------------------===//
//
// Inventory: every global and file-static with its classification and who
// touches it, at its definition.

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SharedGlobal : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "shared-global", Severity::Note,
        "a global or file-static variable and how it is shared",
        "Each global, file-static and function-static variable with its "
        "accesses (function, file, line, read or write, spl level; see the "
        "JSON output) and a classification: counter (only ++, --, +=, -= "
        "and reads: atomic(9) or counter(9)), flag (|= and &=: atomic "
        "set/clear), refcount (refcount(9)), list (a list head or pointer: "
        "protect with the owner's lock) or plain.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const auto &KV : Ctx.globals()) {
      const GlobalSummary &S = KV.second;
      std::string Msg = "'" + S.Def->Name + "' (" + S.Class + ", " +
                        S.Def->Type + (S.Def->Vnet ? ", VNET" : "") +
                        "): " + std::to_string(S.Reads) + " reads, " +
                        std::to_string(S.Writes) + " writes in " +
                        std::to_string(S.Functions.size()) + " functions";
      if (S.InSection)
        Msg += ", " + std::to_string(S.InSection) + " inside spl sections";
      if (S.Modules.size() > 1 ||
          (S.Modules.size() == 1 && !S.Modules.count(S.Module))) {
        Msg += "; used by modules";
        for (const std::string &M : S.Modules)
          Msg += " " + M;
      }
      Out.push_back(make(Ctx, S.Def->Loc, "", S.Def->Key, Msg));
    }
  }
};
} // namespace
std::unique_ptr<Rule> makeSharedGlobal() {
  return std::make_unique<SharedGlobal>();
}
} // namespace scan
} // namespace mpsafe
