//===- SplOutOfOrder.cpp - rule spl-out-of-order
//----------------------------===//

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SplOutOfOrder : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "spl-out-of-order", Severity::Warning,
        "nested spl levels restored out of order",
        "An outer section is restored while an inner one is still raised: "
        "the inner splx() later raises the level again. Converted to locks, "
        "this is an unlock order that is not the reverse of the lock order. "
        "Restore the innermost level first.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents) {
        if (E.Kind != "out-of-order")
          continue;
        Finding F =
            make(Ctx, E.Loc, E.Function, E.Var,
                 "splx(" + E.Var + ") restores the " + levelCall(E.Level) +
                     " level while " + E.Other + " (raised at line " +
                     lineOf(E.Related) + ") is still in effect");
        F.Related.push_back({E.Related, "inner section raised here"});
        Out.push_back(std::move(F));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSplOutOfOrder() {
  return std::make_unique<SplOutOfOrder>();
}
} // namespace scan
} // namespace mpsafe
