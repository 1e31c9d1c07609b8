// Per-rule fixtures: every `/* expect: rule ... */` marker in a fixture is a
// finding that must be reported on that line, and nothing else may be: all
// warnings are checked everywhere, and notes of a rule are checked in every
// file that mentions that rule. Files of correct code carry no warning
// marker, so any warning there fails.
#include "ScanTestUtil.h"
#include "llvm/Support/Process.h"
#include <map>
#include <regex>
#include <set>

using namespace scantest;
namespace json = llvm::json;

namespace {

struct Expect {
  std::string File; // relative to fixtures/src
  unsigned Line;
  std::string Rule;
  bool operator<(const Expect &O) const {
    return std::tie(File, Line, Rule) < std::tie(O.File, O.Line, O.Rule);
  }
  bool operator==(const Expect &O) const {
    return File == O.File && Line == O.Line && Rule == O.Rule;
  }
};

std::ostream &operator<<(std::ostream &OS, const Expect &E) {
  return OS << E.File << ":" << E.Line << " [" << E.Rule << "]";
}

/// The JSON report of a scan of every fixture (once per process).
const json::Object &fixtureReport() {
  static json::Value Report = [] {
    // ctest runs each test in its own process, in parallel: one directory
    // per process.
    std::string W = std::string(MPSAFE_TEST_WORK) + "/fixture-report-" +
                    std::to_string(llvm::sys::Process::getProcessId());
    llvm::sys::fs::create_directories(W);
    writeDB(W, fixtureFiles());
    ScanRun R = scan({"-p", W, "--no-cache", "--format", "json", "--quiet"});
    llvm::sys::fs::remove_directories(W);
    EXPECT_EQ(R.Status, 0) << R.Err;
    return parseJson(R.Out);
  }();
  static json::Object Empty;
  const json::Object *O = Report.getAsObject();
  return O ? *O : Empty;
}

class RuleFixtures : public ::testing::TestWithParam<std::string> {};

TEST_P(RuleFixtures, ExpectedFindingsAndNoOthers) {
  const std::string Dir = GetParam();
  const json::Object &R = fixtureReport();
  ASSERT_TRUE(R.getArray("findings"));
  std::vector<std::string> Files = fixtureFiles(fixtureSrc() + "/" + Dir);
  ASSERT_FALSE(Files.empty());
  std::vector<Expect> Want, Got;
  std::regex Marker(R"(/\*\s*expect:([^*]*)\*/)");
  std::map<std::string, std::set<std::string>> Mentioned;
  for (const std::string &F : Files) {
    std::string Rel = F.substr(fixtureSrc().size() + 1);
    std::string Text = readFile(F);
    unsigned Line = 0;
    llvm::SmallVector<llvm::StringRef, 0> Lines;
    llvm::StringRef(Text).split(Lines, '\n');
    for (llvm::StringRef L : Lines) {
      ++Line;
      std::string S = L.str();
      std::smatch M;
      if (!std::regex_search(S, M, Marker))
        continue;
      std::string List = M[1].str();
      llvm::SmallVector<llvm::StringRef, 4> Rules;
      llvm::StringRef(List).split(Rules, ' ', -1, false);
      for (llvm::StringRef Rule : Rules) {
        Want.push_back({Rel, Line, Rule.trim().str()});
        Mentioned[Rel].insert(Rule.trim().str());
      }
    }
  }
  for (const json::Value &V : *R.getArray("findings")) {
    const json::Object *F = V.getAsObject();
    std::string File = F->getString("file")->str();
    if (File.rfind(Dir + "/", 0) != 0)
      continue;
    std::string Rule = F->getString("rule")->str();
    bool Warning = *F->getString("severity") != "note";
    if (!Warning && !Mentioned[File].count(Rule))
      continue;
    Got.push_back({File, static_cast<unsigned>(*F->getInteger("line")), Rule});
  }
  std::sort(Want.begin(), Want.end());
  std::sort(Got.begin(), Got.end());
  EXPECT_EQ(Want, Got);
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RuleFixtures,
                         ::testing::Values("spl", "legacy", "sleep", "maysleep",
                                           "mutex", "fields", "ether", "arp",
                                           "ip", "tcp"),
                         [](const ::testing::TestParamInfo<std::string> &I) {
                           return I.param;
                         });

const json::Object *global(const json::Object &R, llvm::StringRef Key) {
  for (const json::Value &V : *R.getArray("globals"))
    if (V.getAsObject()->getString("key") == Key)
      return V.getAsObject();
  return nullptr;
}

TEST(SharedGlobals, Classification) {
  const json::Object &R = fixtureReport();
  ASSERT_TRUE(R.getArray("globals"));
  std::map<std::string, std::string> Want = {
      {"ether_packets", "counter"},
      {"ether_flags", "flag"},
      {"ether_refs", "refcount"},
      {"ifnet_head", "list"},
      {"ether_mtu", "plain"},
      {"etherstat", "counter"},
      {"sc_mtx", "lock"},
      {"ether/if_ether.c:ether_cached_mtu", "plain"},
      {"ip_total", "counter"}};
  for (const auto &KV : Want) {
    const json::Object *G = global(R, KV.first);
    ASSERT_TRUE(G) << KV.first;
    EXPECT_EQ(G->getString("class")->str(), KV.second) << KV.first;
  }
  EXPECT_EQ(global(R, "etherstat")->getBoolean("vnet"), true);
  EXPECT_EQ(
      global(R, "ether/if_ether.c:ether_cached_mtu")->getBoolean("static"),
      true);
}

TEST(SharedGlobals, AccessesCarryFunctionLineKindAndLevel) {
  const json::Object &R = fixtureReport();
  const json::Object *G = global(R, "etherstat");
  ASSERT_TRUE(G);
  // VNET(etherstat) accesses: two writes in ether/, one read in ip/.
  std::set<std::string> Seen;
  for (const json::Value &V : *G->getArray("accesses")) {
    const json::Object *A = V.getAsObject();
    Seen.insert(
        A->getString("function")->str() + "@" +
        std::to_string(*A->getInteger("line")) + ":" +
        A->getString("kind")->str() + ":" + A->getString("path")->str() + ":" +
        A->getString("level")->str() + (*A->getBoolean("write") ? ":w" : ":r"));
  }
  EXPECT_TRUE(Seen.count("ether_input@38:inc:etherstat.ets_packets:splimp:w"))
      << *Seen.begin();
  EXPECT_TRUE(Seen.count("ether_drop@46:addsub:etherstat.ets_drops::w"));
  EXPECT_TRUE(Seen.count("ip_input@19:read:etherstat.ets_packets::r"));
}

TEST(SharedGlobals, ModuleGraphAndBottomUpOrder) {
  const json::Object &R = fixtureReport();
  std::map<std::string, std::set<std::string>> Uses;
  for (const json::Value &V : *R.getArray("modules")) {
    const json::Object *M = V.getAsObject();
    for (const json::Value &U : *M->getArray("uses_globals_of"))
      Uses[M->getString("name")->str()].insert(U.getAsString()->str());
  }
  EXPECT_EQ(Uses["arp"], std::set<std::string>{"ether"});
  EXPECT_EQ(Uses["ip"], std::set<std::string>{"ether"});
  EXPECT_EQ(Uses["tcp"], std::set<std::string>{"ip"});
  EXPECT_TRUE(Uses["ether"].empty());
  std::vector<std::string> Order;
  for (const json::Value &V : *R.getArray("order"))
    Order.push_back(V.getAsString()->str());
  auto Pos = [&](const char *M) {
    return std::find(Order.begin(), Order.end(), M) - Order.begin();
  };
  // "arp" sorts before "ether" by name, but uses ether's globals.
  EXPECT_LT(Pos("ether"), Pos("arp"));
  EXPECT_LT(Pos("ether"), Pos("ip"));
  EXPECT_LT(Pos("ip"), Pos("tcp"));
  EXPECT_EQ(Order.size(), 10u);
}

TEST(SharedGlobals, ConfigurableModules) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  ScanRun R = scan({"-p", W, "--no-cache", "--format", "json", "--quiet",
                    "--module", "ether/=link", "--module", "arp/=link",
                    "--module", "ip/=inet", "--module", "tcp/=inet"});
  ASSERT_EQ(R.Status, 0) << R.Err;
  json::Value V = parseJson(R.Out);
  std::vector<std::string> Order;
  for (const json::Value &M : *V.getAsObject()->getArray("order"))
    Order.push_back(M.getAsString()->str());
  auto Pos = [&](const char *M) {
    return std::find(Order.begin(), Order.end(), M) - Order.begin();
  };
  ASSERT_LT(Pos("link"), static_cast<long>(Order.size()));
  EXPECT_LT(Pos("link"), Pos("inet"));
  EXPECT_EQ(Order.end(), std::find(Order.begin(), Order.end(), "ether"));
}

TEST(Totals, FixtureTreeCounts) {
  const json::Object &R = fixtureReport();
  const json::Object *T = R.getObject("totals");
  ASSERT_TRUE(T);
  EXPECT_EQ(*T->getInteger("files"), 14);
  EXPECT_EQ(*T->getInteger("wakeups"), 4);
  EXPECT_EQ(*T->getInteger("sleeps"), 8);
  EXPECT_EQ(R.getArray("failures")->size(), 0u);
}

} // namespace
