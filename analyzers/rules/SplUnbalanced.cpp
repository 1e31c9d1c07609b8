//===- SplUnbalanced.cpp - rule spl-unbalanced
//------------------------------===//
//
// A path (return, goto, break, falling off the end) that leaves a function
// with an spl level it raised still in effect.

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SplUnbalanced : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "spl-unbalanced", Severity::Warning,
        "a path leaves the function with the spl level raised",
        "Some path out of the function (an early return, a goto to an exit "
        "label, a break out of the loop that held the splx) does not restore "
        "the level saved in the variable. Under a mutex this path would "
        "return with the lock held. Restore the level on every path, usually "
        "with one exit label.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents) {
        if (E.Kind != "unbalanced")
          continue;
        Finding F =
            make(Ctx, E.Loc, E.Function, E.Level + ":" + E.Var,
                 "'" + displayName(E.Function) + "' can leave here with " +
                     levelCall(E.Level) + " from line " + lineOf(E.Related) +
                     " still raised (saved in '" + E.Var + "')");
        F.Related.push_back({E.Related, "raised here"});
        Out.push_back(std::move(F));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSplUnbalanced() {
  return std::make_unique<SplUnbalanced>();
}
} // namespace scan
} // namespace mpsafe
