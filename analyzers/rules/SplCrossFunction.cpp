//===- SplCrossFunction.cpp - rule spl-cross-function
//-----------------------===//
//
// Sections raised in one function and lowered in another: a raise whose
// cookie escapes (returned, stored in a global or through a pointer), a
// cookie handed to a callee, an splx() of a parameter or global.

#include "Rule.h"
#include <set>

namespace mpsafe {
namespace scan {
namespace {
class SplCrossFunction : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "spl-cross-function", Severity::Warning,
        "an spl section raised in one function and lowered in another",
        "The saved level leaves the function that raised it: it is "
        "returned, stored in a global or through a pointer, or passed to a "
        "callee that calls splx(). A lock must then be taken and released "
        "in different functions; the plan has to name the lock for both, "
        "and witness will see the pair only at run time.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    // Functions that receive a cookie from a caller.
    std::set<std::string> HandedTo;
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents)
        if (E.Kind == "lowered-in-callee")
          HandedTo.insert(E.Other);
    std::map<std::string, const SplEventFact *> Escapes;
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents)
        if (E.Kind == "raise-escapes" && E.Other == "stored")
          Escapes.emplace(E.Var, &E);
    for (const TUFacts &T : Ctx.tus())
      for (const SplEventFact &E : T.SplEvents) {
        if (E.Kind == "raise-escapes") {
          Out.push_back(make(Ctx, E.Loc, E.Function, "escapes:" + E.Var,
                             levelCall(E.Level) + " raised in '" +
                                 displayName(E.Function) +
                                 "' is still raised when it returns (saved "
                                 "in '" +
                                 E.Var + "'); another function lowers it"));
        } else if (E.Kind == "lowered-in-callee") {
          Finding F = make(Ctx, E.Loc, E.Function, "callee:" + E.Var,
                           levelCall(E.Level) + " section saved in '" + E.Var +
                               "' is handed to '" + displayName(E.Other) +
                               "', which is expected to lower it");
          F.Related.push_back({E.Related, "raised here"});
          Out.push_back(std::move(F));
        } else if (E.Kind == "lowers-foreign") {
          auto It = Escapes.find(E.Var);
          if (It == Escapes.end() && HandedTo.count(E.Function))
            continue; // reported at the caller that hands the cookie over
          std::string Msg = "splx(" + E.Var + ") in '" +
                            displayName(E.Function) +
                            "' lowers a level raised elsewhere";
          Finding F = make(Ctx, E.Loc, E.Function, "foreign:" + E.Var, "");
          if (It != Escapes.end()) {
            Msg += " (by " + levelCall(It->second->Level) + " in '" +
                   displayName(It->second->Function) + "')";
            F.Related.push_back({It->second->Loc, "raised here"});
          }
          F.Message = Msg;
          Out.push_back(std::move(F));
        }
      }
  }
};
} // namespace
std::unique_ptr<Rule> makeSplCrossFunction() {
  return std::make_unique<SplCrossFunction>();
}
} // namespace scan
} // namespace mpsafe
