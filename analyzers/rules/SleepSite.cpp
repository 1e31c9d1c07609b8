//===- SleepSite.cpp - rule sleep-site
//--------------------------------------===//
//
// Inventory: every sleep and wakeup with channel, wmesg, PCATCH, timeout,
// interlock and the spl section around it.

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SleepSite : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "sleep-site", Severity::Note, "a sleep or wakeup site",
        "Each tsleep/msleep/mtx_sleep/pause/sbwait and wakeup/wakeup_one "
        "call, with its channel (as an expression shape), wait message, "
        "PCATCH, timeout and the spl section around it. A tsleep inside a "
        "section becomes msleep() with the section's lock as interlock.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SleepFact &S : T.Sleeps) {
        std::string Msg = S.Kind + "(";
        if (!S.Channel.empty())
          Msg += S.Channel;
        Msg += ")";
        if (!S.IsWakeup) {
          if (!S.Wmesg.empty())
            Msg += " wmesg \"" + S.Wmesg + "\"";
          Msg += S.Pcatch ? ", PCATCH" : ", no PCATCH";
          Msg += S.Timeout.empty() || S.Timeout == "0"
                     ? ", no timeout"
                     : ", timeout " + S.Timeout;
          if (!S.Interlock.empty())
            Msg += ", interlock " + S.Interlock;
        }
        Msg += S.Level.empty()
                   ? ", outside spl sections"
                   : ", inside a " + levelCall(S.Level) + " section";
        if (!S.IsWakeup && !S.Level.empty() && S.Interlock.empty())
          Msg += ": convert to msleep() on the section's lock";
        Out.push_back(
            make(Ctx, S.Loc, S.Function, S.Kind + ":" + S.Channel, Msg));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSleepSite() { return std::make_unique<SleepSite>(); }
} // namespace scan
} // namespace mpsafe
