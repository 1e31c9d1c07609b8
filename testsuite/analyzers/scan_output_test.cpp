// Output formats: golden text, SARIF and JSON (absolute paths normalised to
// @ROOT@), SARIF 2.1.0 structure, the Markdown summary, deterministic order
// under -j. MPSAFE_UPDATE_GOLDEN=1 rewrites the golden files.
#include "ScanTestUtil.h"
#include <cstdlib>

using namespace scantest;
namespace json = llvm::json;

namespace {

std::vector<std::string> goldenInputs() {
  return {fixtureSrc() + "/sleep/sleeps.c", fixtureSrc() + "/spl/cross.c",
          fixtureSrc() + "/spl/out_of_order.c"};
}

std::string normalized(const std::string &Out) {
  return replaceAll(Out, fixtureSrc(), "@ROOT@");
}

void checkGolden(const std::string &Format, const std::string &Name) {
  std::string W = workDir();
  writeDB(W, goldenInputs());
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "--format", Format});
  ASSERT_EQ(R.Status, 0) << R.Err;
  std::string Got = normalized(R.Out);
  std::string Path = std::string(MPSAFE_GOLDEN) + "/" + Name;
  if (std::getenv("MPSAFE_UPDATE_GOLDEN")) {
    writeFile(Path, Got);
    return;
  }
  std::string Want = readFile(Path);
  ASSERT_FALSE(Want.empty()) << Path << " missing (MPSAFE_UPDATE_GOLDEN=1)";
  EXPECT_EQ(Want, Got) << "golden " << Path;
}

TEST(Golden, Text) { checkGolden("text", "small.txt"); }
TEST(Golden, Sarif) { checkGolden("sarif", "small.sarif"); }
TEST(Golden, Json) { checkGolden("json", "small.json"); }

TEST(Sarif, HasRequiredStructure) {
  std::string W = workDir();
  writeDB(W, goldenInputs());
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "--format", "sarif"});
  ASSERT_EQ(R.Status, 0) << R.Err;
  json::Value V = parseJson(R.Out);
  const json::Object *Top = V.getAsObject();
  ASSERT_TRUE(Top);
  EXPECT_EQ(Top->getString("version"), llvm::StringRef("2.1.0"));
  const json::Object *Run0 = (*Top->getArray("runs"))[0].getAsObject();
  const json::Object *Driver = Run0->getObject("tool")->getObject("driver");
  std::set<std::string> RuleIds;
  for (const json::Value &Rule : *Driver->getArray("rules")) {
    const json::Object *O = Rule.getAsObject();
    RuleIds.insert(O->getString("id")->str());
    EXPECT_FALSE(O->getObject("help")->getString("text")->empty());
    EXPECT_NE(O->getObject("help")->getString("text")->find(
                  "docs/rules/" + O->getString("id")->str() + ".md"),
              llvm::StringRef::npos);
  }
  EXPECT_EQ(RuleIds.size(), 12u);
  const json::Array *Results = Run0->getArray("results");
  ASSERT_TRUE(Results && !Results->empty());
  for (const json::Value &Res : *Results) {
    const json::Object *O = Res.getAsObject();
    EXPECT_TRUE(RuleIds.count(O->getString("ruleId")->str()));
    EXPECT_FALSE(O->getObject("message")->getString("text")->empty());
    const json::Object *Phys =
        (*O->getArray("locations"))[0].getAsObject()->getObject(
            "physicalLocation");
    const json::Object *Art = Phys->getObject("artifactLocation");
    EXPECT_TRUE(Art->getString("uri")->endswith(".c"));
    EXPECT_EQ(Art->getString("uriBaseId"), llvm::StringRef("SRCROOT"));
    EXPECT_GE(*Phys->getObject("region")->getInteger("startLine"), 1);
    EXPECT_GE(*Phys->getObject("region")->getInteger("startColumn"), 1);
  }
  std::string Base = Run0->getObject("originalUriBaseIds")
                         ->getObject("SRCROOT")
                         ->getString("uri")
                         ->str();
  EXPECT_EQ(Base, "file://" + fixtureSrc() + "/");
}

TEST(Markdown, PerModuleSummary) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "--format", "markdown"});
  ASSERT_EQ(R.Status, 0) << R.Err;
  for (const char *S :
       {"# mpsafe-scan report", "## Counts by rule", "## Modules",
        "| ether | 1 |", "## Top shared globals", "`etherstat`",
        "## Cross-module use of globals", "- tcp uses globals of ip",
        "## Suggested migration order (bottom-up)", "## Warnings"})
    EXPECT_NE(R.Out.find(S), std::string::npos) << S << "\n" << R.Out;
  EXPECT_LT(R.Out.find(". ether\n"), R.Out.find(". arp\n"));
}

TEST(Determinism, ParallelOutputEqualsSerial) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  ScanRun A =
      scan({"-p", W, "--no-cache", "--quiet", "--format", "json", "-j", "1"});
  ScanRun B =
      scan({"-p", W, "--no-cache", "--quiet", "--format", "json", "-j", "4"});
  ASSERT_EQ(A.Status, 0) << A.Err;
  EXPECT_EQ(A.Out, B.Out);
}

TEST(Text, CompilerShape) {
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/out_of_order.c"});
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet"});
  ASSERT_EQ(R.Status, 0) << R.Err;
  EXPECT_NE(R.Out.find(fixtureSrc() +
                       "/spl/out_of_order.c:11:2: warning: splx(s) restores"),
            std::string::npos)
      << R.Out;
  EXPECT_NE(R.Out.find("[spl-out-of-order]\n"), std::string::npos);
}

} // namespace
