//===- Rules.cpp - the list of mpsafe-scan rules
//----------------------------===//

#include "Rule.h"

namespace mpsafe {
namespace scan {

std::unique_ptr<Rule> makeSplSection();
std::unique_ptr<Rule> makeSplUnbalanced();
std::unique_ptr<Rule> makeSplNeverRaised();
std::unique_ptr<Rule> makeSplOutOfOrder();
std::unique_ptr<Rule> makeSplCrossFunction();
std::unique_ptr<Rule> makeSleepSite();
std::unique_ptr<Rule> makeSleepNoRecheck();
std::unique_ptr<Rule> makeSleepUnmatched();
std::unique_ptr<Rule> makeSharedGlobal();
std::unique_ptr<Rule> makeSectionFields();
std::unique_ptr<Rule> makeMaySleepInSection();
std::unique_ptr<Rule> makeSleepHoldingMutex();

std::vector<std::unique_ptr<Rule>> allRules() {
  std::vector<std::unique_ptr<Rule>> R;
  R.push_back(makeSplSection());
  R.push_back(makeSplUnbalanced());
  R.push_back(makeSplNeverRaised());
  R.push_back(makeSplOutOfOrder());
  R.push_back(makeSplCrossFunction());
  R.push_back(makeSleepSite());
  R.push_back(makeSleepNoRecheck());
  R.push_back(makeSleepUnmatched());
  R.push_back(makeSharedGlobal());
  R.push_back(makeSectionFields());
  R.push_back(makeMaySleepInSection());
  R.push_back(makeSleepHoldingMutex());
  return R;
}

} // namespace scan
} // namespace mpsafe
