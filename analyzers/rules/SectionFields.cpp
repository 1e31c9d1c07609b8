//===- SectionFields.cpp - rule section-fields
//------------------------------===//
//
// Per struct type, the fields touched inside spl sections: what the lock of
// that object (or the section's lock) will have to protect.

#include "Rule.h"
#include <map>

namespace mpsafe {
namespace scan {
namespace {
class SectionFields : public Rule {
public:
  RuleInfo info() const override {
    return describe(
        "section-fields", Severity::Note,
        "struct fields touched inside spl sections",
        "For each struct type, the fields read or written inside spl "
        "sections, with the levels involved and how many functions read "
        "(r) and write (w) each. Fields of one object touched "
        "under one level are candidates for a per-object lock (the socket "
        "lock, the PCB lock) rather than a global one.");
  }
  void check(const ScanContext &Ctx, std::vector<Finding> &Out) const override {
    struct Use {
      unsigned Reads = 0, Writes = 0;
    };
    struct PerStruct {
      const FieldFact *First = nullptr;
      std::map<std::string, Use> Fields;
      std::set<std::string> Levels;
    };
    std::map<std::string, PerStruct> By;
    for (const TUFacts &T : Ctx.tus())
      for (const FieldFact &F : T.Fields) {
        PerStruct &P = By[F.Struct];
        if (!P.First)
          P.First = &F;
        Use &U = P.Fields[F.Field];
        (F.Write ? U.Writes : U.Reads)++;
        P.Levels.insert(F.Level);
      }
    for (const auto &KV : By) {
      std::string Msg = "struct " + KV.first + " in spl sections (";
      bool First = true;
      for (const std::string &L : KV.second.Levels)
        Msg += (First ? "" : ", ") + levelCall(L), First = false;
      Msg += "):";
      for (const auto &F : KV.second.Fields)
        Msg += " " + F.first + "(" + std::to_string(F.second.Reads) + "r/" +
               std::to_string(F.second.Writes) + "w)";
      Out.push_back(
          make(Ctx, KV.second.First->Loc, "", "struct " + KV.first, Msg));
    }
  }
};
} // namespace
std::unique_ptr<Rule> makeSectionFields() {
  return std::make_unique<SectionFields>();
}
} // namespace scan
} // namespace mpsafe
