// Scale features: the facts cache (a re-scan parses only what changed),
// --shard + --merge giving the same report as one scan, baselines with
// stable ids and --fail-on-new.
#include "ScanTestUtil.h"
#include "mpsafe/FrontDoor.h"
#include <set>

using namespace scantest;
namespace json = llvm::json;

namespace {

/// Copies a few fixtures (and the headers) into W so a test can edit them.
std::vector<std::string> copyTree(const std::string &W) {
  std::vector<std::string> Out;
  for (const char *F : {"spl/cross.c", "spl/sections.c", "sleep/sleeps.c"}) {
    std::string Dst = W + "/src/" + F;
    writeFile(Dst, readFile(fixtureSrc() + "/" + F));
    Out.push_back(Dst);
  }
  for (const char *H : {"sys/param.h", "sys/systm.h"})
    writeFile(W + "/include/" + H, readFile(fixtures() + "/include/" + H));
  return Out;
}

std::string counts(const ScanRun &R) {
  size_t P = R.Err.find(" parsed, ");
  if (P == std::string::npos)
    return "?";
  size_t B = R.Err.rfind('(', P);
  size_t E = R.Err.find(" cached", P);
  return R.Err.substr(B + 1, E - B - 1);
}

TEST(Cache, RescanParsesOnlyWhatChanged) {
  std::string W = workDir();
  std::vector<std::string> Files = copyTree(W);
  writeDB(W + "/build", Files, {}, W + "/include");
  std::vector<std::string> Args = {"-p", W + "/build", "--format", "json"};
  ScanRun Cold = scan(Args);
  ASSERT_EQ(Cold.Status, 0) << Cold.Err;
  EXPECT_EQ(counts(Cold), "3 parsed, 0");
  ScanRun Warm = scan(Args);
  EXPECT_EQ(counts(Warm), "0 parsed, 3");
  EXPECT_EQ(Cold.Out, Warm.Out); // cached facts give the same report

  // A new mtime alone changes nothing: the key is content.
  writeFile(Files[1], readFile(Files[1]));
  EXPECT_EQ(counts(scan(Args)), "0 parsed, 3");

  // Editing one file re-parses that file only, and its facts are fresh.
  writeFile(Files[0], readFile(Files[0]) +
                          "\nvoid\nleak_it(void)\n{\n\tint s = splnet();\n}\n");
  ScanRun Edited = scan(Args);
  EXPECT_EQ(counts(Edited), "1 parsed, 2");
  EXPECT_NE(Edited.Out.find("leak_it"), std::string::npos);

  // A header every file includes: everything is parsed again.
  writeFile(W + "/include/sys/systm.h",
            readFile(W + "/include/sys/systm.h") + "\n/* touched */\n");
  EXPECT_EQ(counts(scan(Args)), "3 parsed, 0");

  // Different flags are a different entry.
  writeDB(W + "/build", Files, {"-DVARIANT"}, W + "/include");
  EXPECT_EQ(counts(scan(Args)), "3 parsed, 0");

  EXPECT_EQ(counts(scan({"-p", W + "/build", "--no-cache"})), "3 parsed, 0");
}

json::Array findingsOf(const std::string &Text) {
  json::Value V = parseJson(Text);
  const json::Object *O = V.getAsObject();
  return O && O->getArray("findings") ? *O->getArray("findings")
                                      : json::Array();
}

TEST(Shard, ShardsMergeToTheFullReport) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  ScanRun Full = scan({"-p", W, "--no-cache", "--quiet", "--format", "json"});
  ASSERT_EQ(Full.Status, 0) << Full.Err;
  std::vector<std::string> Merge = {"--merge", "--quiet", "--format", "json"};
  size_t Tus = 0;
  for (int I = 1; I <= 3; ++I) {
    std::string Out = W + "/shard" + std::to_string(I) + ".json";
    ScanRun S =
        scan({"-p", W, "--no-cache", "--quiet", "--shard",
              std::to_string(I) + "/3", "--format", "facts", "-o", Out});
    ASSERT_EQ(S.Status, 0) << S.Err;
    json::Value V = parseJson(readFile(Out));
    Tus += V.getAsObject()->getArray("tus")->size();
    Merge.push_back(Out);
  }
  EXPECT_EQ(Tus, fixtureFiles().size()); // each file in exactly one shard
  ScanRun M = scan(Merge);
  ASSERT_EQ(M.Status, 0) << M.Err;
  EXPECT_EQ(M.Out, Full.Out);
  // Cross-TU results (unmatched wakeups, may-sleep chains) need the merge:
  // a single shard alone would not give them all.
  EXPECT_NE(findingsOf(M.Out).size(), 0u);
}

TEST(Shard, MergeRejectsNonFactsFiles) {
  std::string W = workDir();
  writeFile(W + "/x.json", "{\"findings\": []}");
  ScanRun R = scan({"--merge", W + "/x.json"});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_NE(R.Err.find(W + "/x.json: not a facts file"), std::string::npos)
      << R.Err;
}

TEST(Baseline, FailOnNewOnlyForNewFindings) {
  std::string W = workDir();
  std::vector<std::string> Files = copyTree(W);
  writeDB(W + "/build", Files, {}, W + "/include");
  std::string Base = W + "/baseline.json";
  ScanRun B = scan({"-p", W + "/build", "--no-cache", "--quiet", "--format",
                    "json", "-o", Base});
  ASSERT_EQ(B.Status, 0) << B.Err;
  std::vector<std::string> Check = {"-p",           W + "/build", "--no-cache",
                                    "--quiet",      "--baseline", Base,
                                    "--fail-on-new"};
  EXPECT_EQ(scan(Check).Status, mpsafe::ExitClean);

  // Shifting every line keeps the ids: still nothing new.
  writeFile(Files[0],
            "/*\n * a new header comment\n */\n\n" + readFile(Files[0]));
  ScanRun Shifted = scan(Check);
  EXPECT_EQ(Shifted.Status, mpsafe::ExitClean) << Shifted.Out;

  // A new defect is new.
  writeFile(Files[2], readFile(Files[2]) +
                          "\nvoid\nbad_exit(int e)\n{\n\tint s = splbio();\n"
                          "\tif (e)\n\t\treturn;\n\tsplx(s);\n}\n");
  ScanRun New = scan(Check);
  EXPECT_EQ(New.Status, mpsafe::ExitNewFindings);
  ScanRun J = scan({"-p", W + "/build", "--no-cache", "--quiet", "--baseline",
                    Base, "--format", "json"});
  unsigned Fresh = 0;
  for (const json::Value &F : findingsOf(J.Out))
    if (!*F.getAsObject()->getBoolean("baseline") &&
        F.getAsObject()->getString("severity") != llvm::StringRef("note")) {
      ++Fresh;
      EXPECT_EQ(F.getAsObject()->getString("rule"),
                llvm::StringRef("spl-unbalanced"));
    }
  EXPECT_EQ(Fresh, 1u);
}

TEST(Baseline, IdsAreStableAndUnique) {
  std::string W = workDir();
  writeDB(W, fixtureFiles());
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "--format", "json"});
  std::set<std::string> Ids;
  size_t N = 0;
  for (const json::Value &F : findingsOf(R.Out)) {
    Ids.insert(F.getAsObject()->getString("id")->str());
    ++N;
  }
  EXPECT_EQ(Ids.size(), N);
  // Ids do not depend on where the tree lives: none contains a path.
  EXPECT_EQ(R.Out.find("\"function\": \"/"), std::string::npos);
}

} // namespace
