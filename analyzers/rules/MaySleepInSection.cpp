//===- MaySleepInSection.cpp - rule may-sleep-in-section
//--------------------===//

#include "Rule.h"
#include "llvm/ADT/StringSet.h"

namespace mpsafe {
namespace scan {
namespace {
class MaySleepInSection : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "may-sleep-in-section", Severity::Warning,
        "a call that may sleep inside an spl section",
        "A function that may sleep (it, or something it calls, does tsleep, "
        "msleep, sbwait or an M_WAITOK allocation) is called inside an spl "
        "section. Raising the spl level across a sleep is legal; once the "
        "section becomes a mutex it means sleeping with a mutex held. Move "
        "the call out of the section, use M_NOWAIT, or make the sleep an "
        "msleep() that drops the section's lock.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    static const llvm::StringSet<> Primitive = {"_sleep",       "tsleep",
                                                "msleep",       "mtx_sleep",
                                                "_msleep_spin", "msleep_spin"};
    const auto &May = Ctx.maySleep();
    for (const TUFacts &T : Ctx.tus())
      for (const CallFact &C : T.Calls) {
        if (C.Level.empty() || Primitive.count(C.Callee))
          continue; // direct sleeps: see sleep-site (msleep conversion)
        std::string Why;
        if (C.WaitOk)
          Why = "allocates with M_WAITOK";
        else if (May.count(C.Callee))
          Why = "may sleep: " + Ctx.sleepChain(C.Callee);
        else
          continue;
        Out.push_back(make(Ctx, C.Loc, C.Caller, C.Callee,
                           "call to '" + displayName(C.Callee) + "' inside a " +
                               levelCall(C.Level) + " section " + Why +
                               "; it would sleep holding the section's mutex"));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeMaySleepInSection() {
  return std::make_unique<MaySleepInSection>();
}
} // namespace scan
} // namespace mpsafe
