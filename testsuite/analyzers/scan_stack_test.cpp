// The reference stack, as far as it exists in this build's compile DB:
// every file parses with the build's own flags, and the totals agree with
// the per-module view and the database.
#include "ScanTestUtil.h"
#include <iostream>
#include <set>

using namespace scantest;
namespace json = llvm::json;

namespace {

TEST(ReferenceStack, ScansCleanAndTotalsAddUp) {
  std::string Stack = std::string(MPSAFE_SOURCE_DIR) + "/stack/";
  auto Buf = llvm::MemoryBuffer::getFile(std::string(MPSAFE_BUILD_DIR) +
                                         "/compile_commands.json");
  ASSERT_TRUE(static_cast<bool>(Buf));
  json::Value DB = parseJson((*Buf)->getBuffer().str());
  std::set<std::string> Files;
  for (const json::Value &E : *DB.getAsArray()) {
    llvm::StringRef F = *E.getAsObject()->getString("file");
    // Stack code only: the host shims are plain Linux C.
    if (F.startswith(Stack) && F.endswith(".c") && !F.contains("/host/"))
      Files.insert(F.str());
  }
  if (Files.empty())
    GTEST_SKIP() << "no stack sources in " MPSAFE_BUILD_DIR
                    "/compile_commands.json";
  std::vector<std::string> Args = {"-p",
                                   MPSAFE_BUILD_DIR,
                                   "--no-cache",
                                   "--format",
                                   "json",
                                   "--root",
                                   Stack.substr(0, Stack.size() - 1)};
  Args.insert(Args.end(), Files.begin(), Files.end());
  ScanRun R = scan(Args);
  ASSERT_EQ(R.Status, 0) << R.Err;
  json::Value V = parseJson(R.Out);
  const json::Object *O = V.getAsObject();
  ASSERT_TRUE(O);
  EXPECT_EQ(O->getArray("failures")->size(), 0u);
  const json::Object *T = O->getObject("totals");
  EXPECT_EQ(static_cast<size_t>(*T->getInteger("files")), Files.size());
  int64_t Sections = 0, Sleeps = 0, Wakeups = 0, NFiles = 0;
  std::set<std::string> Modules;
  for (const json::Value &M : *O->getArray("modules")) {
    const json::Object *MO = M.getAsObject();
    Sections += *MO->getInteger("sections");
    Sleeps += *MO->getInteger("sleeps");
    Wakeups += *MO->getInteger("wakeups");
    NFiles += *MO->getInteger("files");
    Modules.insert(MO->getString("name")->str());
  }
  EXPECT_EQ(Sections, *T->getInteger("sections"));
  EXPECT_EQ(Sleeps, *T->getInteger("sleeps"));
  EXPECT_EQ(Wakeups, *T->getInteger("wakeups"));
  EXPECT_EQ(NFiles, *T->getInteger("files"));
  // A legacy stack has sections, sleeps, wakeups and shared globals.
  EXPECT_GT(*T->getInteger("sections"), 0);
  EXPECT_GT(*T->getInteger("sleeps"), 0);
  EXPECT_GT(*T->getInteger("wakeups"), 0);
  EXPECT_GT(*T->getInteger("globals"), 0);
  std::vector<std::string> Order;
  for (const json::Value &M : *O->getArray("order"))
    Order.push_back(M.getAsString()->str());
  EXPECT_EQ(Order.size(), Modules.size());
  auto Pos = [&](const char *M) {
    return std::find(Order.begin(), Order.end(), M) - Order.begin();
  };
  if (Modules.count("kern") && Modules.count("netinet"))
    EXPECT_LT(Pos("kern"), Pos("netinet"));
  // Statistics reached through VNET are per-instance counters.
  for (const json::Value &G : *O->getArray("globals")) {
    const json::Object *GO = G.getAsObject();
    if (GO->getString("name") == llvm::StringRef("ipstat")) {
      EXPECT_EQ(GO->getBoolean("vnet"), true);
      EXPECT_EQ(GO->getString("class"), llvm::StringRef("counter"));
    }
  }
  std::string Totals;
  llvm::raw_string_ostream OS(Totals);
  OS << json::Value(json::Object(*T));
  RecordProperty("totals", OS.str());
  std::cout << "reference stack totals: " << OS.str() << "\n";
}

} // namespace
