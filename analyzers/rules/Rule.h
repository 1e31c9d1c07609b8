//===- Rule.h - one mpsafe-scan rule ------------------------------*- C++
//-*-===//
//
// A rule turns the merged facts of a scan into findings. Each rule is one
// class in this directory, with a page in docs/rules/<id>.md and fixtures
// in testsuite/analyzers/fixtures/<id>/.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_RULES_RULE_H
#define MPSAFE_RULES_RULE_H

#include "../scan/ScanContext.h"
#include "mpsafe/Report.h"
#include <memory>
#include <vector>

namespace mpsafe {
namespace scan {

/// Strips "ROOT/" from every path inside a key.
inline std::string relativeKeys(const ScanContext &Ctx, std::string S) {
  std::string Prefix = Ctx.root() + "/";
  if (Ctx.root().empty() || Ctx.root() == "/")
    return S;
  for (size_t P; (P = S.find(Prefix)) != std::string::npos;)
    S.erase(P, Prefix.size());
  return S;
}

/// "f" for the key "/path/file.c:f" of a file-static function.
inline std::string displayName(const std::string &Key) {
  size_t P = Key.rfind(':');
  return P == std::string::npos ? Key : Key.substr(P + 1);
}

class Rule {
public:
  virtual ~Rule() = default;
  virtual RuleInfo info() const = 0;
  virtual void check(const ScanContext &Ctx,
                     std::vector<Finding> &Out) const = 0;

protected:
  /// A finding of this rule at L, in the module of L's file.
  Finding make(const ScanContext &Ctx, const Location &L, std::string Function,
               std::string Key, std::string Message) const {
    RuleInfo I = info();
    Finding F;
    F.RuleId = I.Id;
    F.Level = I.Default;
    F.Loc = L;
    // Keys of file-static things carry an absolute path: make it relative
    // so finding ids do not depend on where the tree is checked out.
    F.Function = relativeKeys(Ctx, Function);
    F.Key = relativeKeys(Ctx, Key);
    F.Message = std::move(Message);
    F.Category = Ctx.moduleOf(L.File);
    return F;
  }
  static RuleInfo describe(const char *Id, Severity S, const char *Summary,
                           const char *Help) {
    return RuleInfo{Id, Summary, Help, S,
                    std::string("docs/rules/") + Id + ".md"};
  }
};

/// Every rule, in a fixed order.
std::vector<std::unique_ptr<Rule>> allRules();

/// "splnet()" for "splnet".
inline std::string levelCall(const std::string &L) { return L + "()"; }
inline std::string lineOf(const Location &L) { return std::to_string(L.Line); }

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_RULES_RULE_H
