//===- report.h - one witness report, text and JSON -------------*- C++ -*-===//
#ifndef WITNESS_SRC_REPORT_H
#define WITNESS_SRC_REPORT_H

#include "internal.h"

#include <string>
#include <vector>

namespace witness {

std::string jsonString(const std::string &S);

/// False when a report of Check with Key would be dropped (policy ignore
/// or already reported), so that callers can skip building it.
bool wanted(State &S, witness_check Check, const std::string &Key);

/// A report under construction: a headline, indented detail lines for
/// stderr, and the fields of its JSON object. emit() adds check, policy,
/// pid and tid, applies the policy and deduplicates on Key.
class Report {
public:
  Report(witness_check Check, std::string Key, std::string Headline)
      : Check(Check), Key(std::move(Key)), Headline(std::move(Headline)) {}

  void line(const std::string &Text) { Lines.push_back(Text); }
  void field(const char *Name, const std::string &Value) {
    rawField(Name, jsonString(Value));
  }
  void rawField(const char *Name, const std::string &Json) {
    Fields += ",\"" + std::string(Name) + "\":" + Json;
  }
  /// Describes one lock: text line and JSON object {class,instance,kind,site}.
  static std::string lockJson(const Class *C, const char *Instance,
                              const std::string &Site, unsigned Mode);
  static std::string lockText(const Class *C, const char *Instance);
  /// Adds the thread's held locks ("held" in JSON).
  void heldLocks(const ThreadState *T);

  witness_check Check;
  std::string Key;
  std::string Headline;
  std::vector<std::string> Lines;
  std::string Fields;
};

} // namespace witness

#endif // WITNESS_SRC_REPORT_H
