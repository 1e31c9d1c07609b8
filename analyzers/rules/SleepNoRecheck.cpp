//===- SleepNoRecheck.cpp - rule sleep-no-recheck
//---------------------------===//

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SleepNoRecheck : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "sleep-no-recheck", Severity::Warning,
        "a sleep not inside a loop that re-checks its condition",
        "A wakeup only says that something changed; another thread may have "
        "consumed it, and with SMP the condition may be false again when the "
        "sleeper runs (or a wakeup may come for another reason). Sleep in a "
        "while loop that re-tests the condition under the interlock.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SleepFact &S : T.Sleeps) {
        if (S.IsWakeup || S.InLoop || S.Kind == "pause" ||
            S.Kind == "kern_pause")
          continue;
        Out.push_back(make(Ctx, S.Loc, S.Function, S.Kind + ":" + S.Channel,
                           S.Kind + "(" + S.Channel + ") in '" +
                               displayName(S.Function) +
                               "' is not inside a loop re-checking its "
                               "condition; a wakeup can be lost or stale"));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSleepNoRecheck() {
  return std::make_unique<SleepNoRecheck>();
}
} // namespace scan
} // namespace mpsafe
