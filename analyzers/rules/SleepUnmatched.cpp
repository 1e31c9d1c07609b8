//===- SleepUnmatched.cpp - rule sleep-unmatched
//----------------------------===//
//
// Sleep channels no wakeup names, and wakeup channels no sleeper waits on,
// matched by the shape of the channel expression across the whole scan.

#include "Rule.h"
#include <set>

namespace mpsafe {
namespace scan {
namespace {
class SleepUnmatched : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "sleep-unmatched", Severity::Warning,
        "a sleep channel nobody wakes up, or a wakeup nobody waits for",
        "Channels are compared by expression shape (locals and parameters "
        "by type, so tsleep(&so->so_timeo) matches wakeup(&so2->so_timeo)). "
        "A sleeper with no wakeup sleeps until its timeout or a signal; a "
        "wakeup with no sleeper is dead code or a channel typo. Both often "
        "hide a lost-wakeup bug after migration.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    std::set<std::string> Sleeps, Wakes;
    for (const TUFacts &T : Ctx.tus())
      for (const SleepFact &S : T.Sleeps)
        if (!S.Channel.empty() && S.Kind != "sbwait")
          (S.IsWakeup ? Wakes : Sleeps).insert(S.Channel);
    for (const TUFacts &T : Ctx.tus())
      for (const SleepFact &S : T.Sleeps) {
        if (S.Channel.empty() || S.Kind == "sbwait" || S.Channel == "?")
          continue;
        if (S.IsWakeup && !Sleeps.count(S.Channel))
          Out.push_back(make(Ctx, S.Loc, S.Function, "wakeup:" + S.Channel,
                             S.Kind + "(" + S.Channel +
                                 "): no sleep on this channel in the scanned "
                                 "code"));
        else if (!S.IsWakeup && !Wakes.count(S.Channel))
          Out.push_back(make(Ctx, S.Loc, S.Function, "sleep:" + S.Channel,
                             S.Kind + "(" + S.Channel +
                                 "): no wakeup on this channel in the "
                                 "scanned code"));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSleepUnmatched() {
  return std::make_unique<SleepUnmatched>();
}
} // namespace scan
} // namespace mpsafe
