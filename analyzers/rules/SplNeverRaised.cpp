//===- SplNeverRaised.cpp - rule spl-never-raised
//---------------------------===//
//
// splx() of a local variable that no spl*() call saved into, at all or on
// the path that reaches it (a double splx).

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SplNeverRaised : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "spl-never-raised", Severity::Warning,
        "splx() of a variable that holds no raised level",
        "The variable passed to splx() was never assigned the result of an "
        "spl*() call in this function, or not on the path that reaches this "
        "splx() (for example a second splx of the same variable). The "
        "restored level is garbage; under a mutex this is an unlock of a "
        "lock not held.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents) {
        if (E.Kind != "never-raised")
          continue;
        std::string Msg = "splx(" + E.Var + ") in '" + displayName(E.Function) +
                          "': '" + E.Var + "' ";
        Msg += E.Other == "path"
                   ? "holds no raised level on some path to here (already "
                     "restored, or raised only on another branch)"
                   : "was never assigned an spl*() level";
        Out.push_back(make(Ctx, E.Loc, E.Function, E.Var, Msg));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSplNeverRaised() {
  return std::make_unique<SplNeverRaised>();
}
} // namespace scan
} // namespace mpsafe
