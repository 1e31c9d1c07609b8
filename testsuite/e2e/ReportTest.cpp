// mpsafe-report on a small fixture tree (fixtures/report): what the page
// says, that nothing from source reaches it unescaped, the reversal with
// both stacks, the Markdown twin, bad input, and the page rendered in
// headless Chromium.
#include "E2eUtil.h"
#include <gtest/gtest.h>

using namespace e2e;

namespace {

const std::string Tool = MPSAFE_REPORT_BIN;
const std::string Fx = MPSAFE_E2E_FIXTURES "/report";

class ReportTest : public ::testing::Test {
protected:
  void SetUp() override {
    Dir = tempDir("report");
    ASSERT_FALSE(Dir.empty());
  }
  void TearDown() override { run("rm -rf " + quote(Dir)); }

  /// The full report of the fixture; Html and Md hold the two outputs.
  Result full(const std::string &Extra = "") {
    Result R = run("cd " + quote(Fx) + " && " + quote(Tool) +
                " --scan scan.json --rewrite rewrite.json --plan plan.yaml"
                " --rewrite-diff rewrite.diff --patches patches --order order"
                " -o " + quote(Dir + "/r.html") + " " + Extra +
                " a.graph b.graph");
    Html = readFile(Dir + "/r.html");
    Md = readFile(Dir + "/r.md");
    return R;
  }

  std::string Dir, Html, Md;
};

TEST_F(ReportTest, ProgressPerStageAndSubsystem) {
  Result R = full("--summary");
  ASSERT_EQ(R.Status, 0) << R.Out;
  // Three spl sections: one rewritten (evil.c:5), one manual (evil.c:9),
  // one in a module of a later stage the rewrite has not reached.
  EXPECT_NE(R.Out.find("spl sections: 1 of 3 migrated (33%), 2 remaining"),
            std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("sleeps: 0 of 1 tsleep"), std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("rewrite: 2 auto, 0 assisted, 2 manual sites in 1 files"),
            std::string::npos) << R.Out;
  // 6 changed lines in the rewrite's diff, 5 in the reviewed patch.
  EXPECT_NE(R.Out.find("changed lines: 6 by the rewriter, 5 by reviewed "
                       "patches (55% automatic)"),
            std::string::npos) << R.Out;
  EXPECT_NE(R.Out.find("witness: 2 graph(s), 3 lock classes, 1 reversal(s)"),
            std::string::npos) << R.Out;
  // Five lines, no more.
  EXPECT_EQ(count(R.Out, "\n"), 5u) << R.Out;

  // Stage "low" (module link): 1 of 2 sections, the counter global made
  // atomic; stage "high" (module proto): nothing migrated yet.
  EXPECT_NE(Html.find("<tr><td>low</td><td class=\"n\">1 / 2</td><td "
                      "class=\"n\">1</td>"),
            std::string::npos);
  EXPECT_NE(Html.find("<tr><td>high</td><td class=\"n\">0 / 1</td>"),
            std::string::npos);
  EXPECT_NE(Html.find("<tr><td>link</td>"), std::string::npos);
  EXPECT_NE(Html.find("<tr><td>proto</td>"), std::string::npos);
  EXPECT_NE(Md.find("| low | 1 / 2 | 1 | 0 / 1 | 1 | 1 / 1 | 0 |"),
            std::string::npos) << Md;
}

TEST_F(ReportTest, ManualSitesCarryTheirReasonAndSnippet) {
  ASSERT_EQ(full().Status, 0);
  EXPECT_NE(Html.find("the level is raised in a loop and not restored in it"),
            std::string::npos);
  EXPECT_NE(Html.find("net/evil.c:9:2"), std::string::npos);
  // The snippet of evil.c:9 with its line numbers and the hit marked.
  EXPECT_NE(Html.find("<span class=\"hit\">    9  \ts = splimp();</span>"),
            std::string::npos);
  EXPECT_NE(Html.find("0001-fixture.patch</span>: +3 -2"), std::string::npos);
}

TEST_F(ReportTest, EverythingFromSourceIsEscaped) {
  ASSERT_EQ(full().Status, 0);
  // The page has no script at all, so any "<script" would be from source.
  EXPECT_EQ(Html.find("<script"), std::string::npos);
  EXPECT_EQ(Html.find("<img"), std::string::npos);
  EXPECT_EQ(Html.find("<b>sic"), std::string::npos);
  EXPECT_EQ(Html.find("ifq<x>"), std::string::npos);
  EXPECT_NE(Html.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; "
                      "&amp; friends"),
            std::string::npos);
  EXPECT_NE(Html.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
  // Markdown: messages escaped; snippets only inside code fences.
  EXPECT_EQ(Md.find("<img"), std::string::npos);
  EXPECT_NE(Md.find("&lt;img src=x onerror=alert(1)&gt;"), std::string::npos);
}

TEST_F(ReportTest, ReversalShowsBothStacks) {
  ASSERT_EQ(full().Status, 0);
  // so -> inp in one process, inp -> so in another: neither saw the cycle.
  EXPECT_NE(Html.find("Reversal 1: &quot;so&quot;, &quot;inp&quot; "
                      "(cross-process"),
            std::string::npos);
  EXPECT_NE(Html.find("sock_test:sosend+0x10 (sock_test+0x4010)"),
            std::string::npos);
  EXPECT_NE(Html.find("tcp_test:tcp_input+0x20 (tcp_test+0x5020)"),
            std::string::npos);
  EXPECT_NE(Html.find("uipc_socket.c:812 &rarr; tcp_usrreq.c:140"),
            std::string::npos);
  EXPECT_NE(Html.find("tcp_input.c:77 &rarr; uipc_sockbuf.c:90"),
            std::string::npos);
  EXPECT_NE(Md.find("### Reversal 1: so inp (cross-process)"), std::string::npos)
      << Md;
}

TEST_F(ReportTest, NoReversalWithoutTheSecondGraph) {
  Result R = run(quote(Tool) + " --order " + quote(Fx + "/order") + " " +
              quote(Fx + "/a.graph") + " -o " + quote(Dir + "/r.html"));
  ASSERT_EQ(R.Status, 0) << R.Out;
  std::string H = readFile(Dir + "/r.html");
  EXPECT_NE(H.find("No reversal in the union of 1 graph(s)."), std::string::npos);
  EXPECT_EQ(H.find("Reversal 1"), std::string::npos);
}

TEST_F(ReportTest, LockHierarchyIsAnInlineSvg) {
  if (run("command -v dot").Status != 0)
    GTEST_SKIP() << "graphviz 'dot' is not installed (scripts/deps.sh installs it)";
  ASSERT_EQ(full().Status, 0);
  size_t At = Html.find("<div class=\"svg\"><svg");
  ASSERT_NE(At, std::string::npos);
  EXPECT_EQ(Html.find("<?xml"), std::string::npos);
  // dot escapes the hostile class name inside the drawing too.
  EXPECT_NE(Html.find("ifq&lt;x&gt;", At), std::string::npos);
  // The reversal's edges are drawn red.
  EXPECT_NE(Html.find("stroke=\"red\"", At), std::string::npos);
}

TEST_F(ReportTest, BadInputNamesTheFileAndLine) {
  Result R = run(quote(Tool) + " " + quote(Fx + "/bad.graph") + " -o " +
              quote(Dir + "/r.html"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_NE(R.Out.find("bad.graph:3: error: unknown lock kind 'bogus'"),
            std::string::npos) << R.Out;
  EXPECT_FALSE(exists(Dir + "/r.html"));

  std::ofstream(Dir + "/broken.json") << "{\"findings\": [";
  R = run(quote(Tool) + " --scan " + quote(Dir + "/broken.json") + " -o " +
          quote(Dir + "/r.html"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_NE(R.Out.find("broken.json: error: not JSON"), std::string::npos) << R.Out;

  std::ofstream(Dir + "/shape.json") << "{\"findings\": [{\"rule\": \"x\"}]}";
  R = run(quote(Tool) + " --rewrite " + quote(Dir + "/shape.json") + " -o " +
          quote(Dir + "/r.html"));
  EXPECT_EQ(R.Status, 2);
  EXPECT_NE(R.Out.find("shape.json: error: findings[0] lacks 'rule' or 'file'"),
            std::string::npos) << R.Out;

  R = run(quote(Tool) + " -o " + quote(Dir + "/r.html"));
  EXPECT_EQ(R.Status, 3);
  EXPECT_NE(R.Out.find("nothing to report"), std::string::npos);
}

TEST_F(ReportTest, RendersInHeadlessChromium) {
  const std::string Chromium = "/usr/bin/chromium";
  if (!exists(Chromium))
    GTEST_SKIP() << "Chromium is not installed at " << Chromium
                 << " (scripts/deps.sh installs Debian's chromium package)";
  ASSERT_EQ(full().Status, 0);
  const std::string Art = MPSAFE_E2E_ARTIFACTS;
  run("mkdir -p " + quote(Art));
  const std::string Shot = Art + "/report.png";
  run("rm -f " + quote(Shot));
  std::string Flags = " --headless --no-sandbox --disable-gpu --disable-quic"
                      " --no-first-run --disable-background-networking"
                      " --disable-component-update --disable-sync"
                      " --enable-logging=stderr --v=0";
  std::string Url = "file://" + Dir + "/r.html";

  Result Dom = run("timeout 120 " + Chromium + Flags + " --user-data-dir=" +
                quote(Dir + "/profile-dom") + " --dump-dom " + quote(Url) +
                " 2>" + quote(Dir + "/dom.log"));
  ASSERT_EQ(Dom.Status, 0) << readFile(Dir + "/dom.log");
  // The browser built the page: headings, tables, the drawing.
  EXPECT_NE(Dom.Out.find("<h2>Lock-order reversals</h2>"), std::string::npos);
  EXPECT_NE(Dom.Out.find("<h2>Progress by stage</h2>"), std::string::npos);
  EXPECT_NE(Dom.Out.find("Reversal 1"), std::string::npos);
  // The hostile snippet is text in the DOM, not an element.
  EXPECT_EQ(Dom.Out.find("<script"), std::string::npos);
  EXPECT_EQ(Dom.Out.find("<img"), std::string::npos);
  EXPECT_NE(Dom.Out.find("&lt;script&gt;alert(\"pwned\")&lt;/script&gt;"),
            std::string::npos);

  Result Pic = run("timeout 120 " + Chromium + Flags + " --user-data-dir=" +
                quote(Dir + "/profile-shot") +
                " --window-size=1280,2400 --screenshot=" + quote(Shot) + " " +
                quote(Url) + " 2>" + quote(Dir + "/shot.log"));
  ASSERT_EQ(Pic.Status, 0) << readFile(Dir + "/shot.log");
  std::string Png = readFile(Shot);
  ASSERT_GT(Png.size(), 1000u) << "no screenshot at " << Shot;
  EXPECT_EQ(Png.compare(1, 3, "PNG"), 0);

  // No message from the page's console (errors would be logged as CONSOLE).
  for (const char *Log : {"/dom.log", "/shot.log"}) {
    std::string L = readFile(Dir + Log);
    EXPECT_EQ(L.find("CONSOLE"), std::string::npos) << L;
    EXPECT_EQ(L.find("Uncaught"), std::string::npos) << L;
  }
  // Keep the page beside its screenshot for people to open.
  run("cp " + quote(Dir + "/r.html") + " " + quote(Dir + "/r.md") + " " +
      quote(Art));
}

} // namespace
