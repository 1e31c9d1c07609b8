//===- SplSection.cpp - rule spl-section
//------------------------------------===//
//
// Inventory: every spl section paired with the splx() calls that close it.

#include "Rule.h"

namespace mpsafe {
namespace scan {
namespace {
class SplSection : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "spl-section", Severity::Note, "an spl section and where it ends",
        "Each spl*() raise saved in a variable, paired with the splx() calls "
        "that restore it through that variable. Under SMP every section "
        "becomes a critical section of some lock: the draft plan maps it to "
        "one lock per module and level unless told better.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    for (const TUFacts &T : Ctx.tus())
      for (const SectionFact &S : T.Sections) {
        std::string Msg = levelCall(S.Level) + " section saved in '" + S.Var +
                          "' in '" + displayName(S.Function) + "'";
        if (S.Lowers.empty()) {
          Msg += ", never lowered here";
        } else {
          Msg += ", lowered at line";
          Msg += S.Lowers.size() > 1 ? "s " : " ";
          for (size_t I = 0; I < S.Lowers.size(); ++I)
            Msg += (I ? ", " : "") + lineOf(S.Lowers[I]);
        }
        if (S.Depth)
          Msg += "; nested in a " + levelCall(S.Outer) + " section (depth " +
                 std::to_string(S.Depth) + ")";
        Out.push_back(
            make(Ctx, S.Raise, S.Function, S.Level + ":" + S.Var, Msg));
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSplSection() {
  return std::make_unique<SplSection>();
}
} // namespace scan
} // namespace mpsafe
