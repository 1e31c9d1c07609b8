//===- SleepHoldingMutex.cpp - rule sleep-holding-mutex
//---------------------===//
//
// Migrated code: a sleep (or a call that may sleep) while a mutex other than
// the sleep's interlock is held. Giant is exempt: sleeping drops it.

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SleepHoldingMutex : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "sleep-holding-mutex", Severity::Warning,
        "a sleep while a mutex other than the interlock is held",
        "msleep() drops only its interlock. Any other mutex held across the "
        "sleep blocks every thread that needs it for as long as the sleep "
        "lasts, and witness reports it at run time. Release it first, or "
        "make it the interlock.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    const auto &May = Ctx.maySleep();
    for (const TUFacts &T : Ctx.tus()) {
      for (const SleepFact &S : T.Sleeps) {
        if (S.IsWakeup || S.Held.empty())
          continue;
        Out.push_back(make(
            Ctx, S.Loc, S.Function, S.Kind + ":" + S.Held[0],
            S.Kind + "(" + S.Channel + ") sleeps holding " + S.Held[0] +
                (S.Interlock.empty() ? std::string(" (no interlock)")
                                     : " (interlock is " + S.Interlock + ")")));
      }
      for (const CallFact &C : T.Calls) {
        if (C.Held.empty() || (!C.WaitOk && !May.count(C.Callee)))
          continue;
        if (C.Callee == "_sleep" || C.Callee == "_msleep_spin")
          continue; // the sleep itself, above
        Out.push_back(make(Ctx, C.Loc, C.Caller, C.Callee + ":" + C.Held[0],
                           "call to '" + displayName(C.Callee) +
                               "' may sleep (" +
                               (C.WaitOk ? std::string("M_WAITOK")
                                         : Ctx.sleepChain(C.Callee)) +
                               ") while holding " + C.Held[0]));
      }
    }
  }
};
} // namespace
std::unique_ptr<Rule> makeSleepHoldingMutex() {
  return std::make_unique<SleepHoldingMutex>();
}
} // namespace scan
} // namespace mpsafe
