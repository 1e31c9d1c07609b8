//===- LockHazardTest.cpp - calls in a section that reach its lock --------===//
//
// The fixture trees/lock_hazards holds small copies of the shapes the MP
// build of the reference stack found at run time, which the rewriter now
// reports before anything runs:
//
//   * netinet/tcp_timer.c: tcp_timer_keep() drops the connection inside its
//     section; tcp_drop -> tcp_close -> tcp_discardcb (t_mtx's destroy_in,
//     in another file) frees the tcpcb whose lock the section holds;
//   * kern/uipc_socket.c: soclose_listener() aborts its queued connections
//     inside its section; soabort -> sofree -> sorflush takes so_mtx of the
//     child (a second lock of class so) and sodealloc destroys the child's;
//   * soconnect() calls sodisconnect(), which raises the level again: the
//     same so_mtx recursed.
//
// The fixed shapes beside them (tcp_timer_rexmt, soclose_fixed: the call
// after splx) and a call through a function pointer report nothing.
//
//===----------------------------------------------------------------------===//

#include "RewriteHarness.h"

#include "llvm/Support/JSON.h"
#include <gtest/gtest.h>

using namespace rwtest;

namespace {

bool contains(const std::string &S, const std::string &Sub) {
  return S.find(Sub) != std::string::npos;
}

struct Hazard {
  std::string Rule, Category, File, Function, Message;
  int64_t Line = 0;
};

struct Result {
  rwtest::Run R;
  std::vector<Hazard> Hazards;
  llvm::json::Object Counts; ///< rewrite.lock_hazards
  std::string Report;        ///< the JSON text
};

/// Rewrites the case in place with a JSON report; the lock-hazard findings.
Result rewriteCase(const Case &C) {
  Result Out;
  fs::path Json = C.Dir / "report.json";
  Out.R = rewrite(C, {"--in-place", "--format", "json", "-o", Json.string()});
  Out.Report = readFile(Json);
  auto J = llvm::json::parse(Out.Report);
  if (!J) {
    llvm::consumeError(J.takeError());
    return Out;
  }
  const llvm::json::Object *Top = J->getAsObject();
  if (const llvm::json::Array *Fs = Top->getArray("findings"))
    for (const llvm::json::Value &V : *Fs) {
      const llvm::json::Object *O = V.getAsObject();
      std::string Rule = O->getString("rule").getValueOr("").str();
      if (Rule != "rewrite-destroy-under-lock" && Rule != "rewrite-nested-lock")
        continue;
      Hazard H;
      H.Rule = Rule;
      H.Category = O->getString("category").getValueOr("").str();
      H.File = O->getString("file").getValueOr("").str();
      H.Function = O->getString("function").getValueOr("").str();
      H.Message = O->getString("message").getValueOr("").str();
      H.Line = O->getInteger("line").getValueOr(0);
      Out.Hazards.push_back(H);
    }
  if (const llvm::json::Object *Rw = Top->getObject("rewrite"))
    if (const llvm::json::Object *LH = Rw->getObject("lock_hazards"))
      Out.Counts = *LH;
  return Out;
}

std::vector<Hazard> of(const Result &R, const std::string &Rule,
                       const std::string &Function) {
  std::vector<Hazard> Out;
  for (const Hazard &H : R.Hazards)
    if (H.Rule == Rule && H.Function == Function)
      Out.push_back(H);
  return Out;
}

std::string dump(const Result &R) {
  std::string S;
  for (const Hazard &H : R.Hazards)
    S += H.File + ":" + std::to_string(H.Line) + " [" + H.Rule + "] " +
         H.Message + "\n";
  return S;
}

int64_t count(const Result &R, const char *Key) {
  return R.Counts.getInteger(Key).getValueOr(-1);
}

TEST(LockHazard, ATimerThatClosesInItsSectionDestroysTheLockItHolds) {
  Case C = prepare("lock_hazards", "-timer");
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  auto Hs = of(R, "rewrite-destroy-under-lock", "tcp_timer_keep");
  ASSERT_EQ(Hs.size(), 1u) << dump(R);
  const Hazard &H = Hs[0];
  EXPECT_EQ(H.Category, "manual");
  EXPECT_EQ(H.File, "netinet/tcp_timer.c");
  EXPECT_EQ(H.Line, 20); // the tcp_drop() call, inside the section
  // Across files: the chain ends in tcp_subr.c's tcp_discardcb.
  EXPECT_TRUE(contains(
      H.Message, "(tcp_timer_keep -> tcp_drop -> tcp_close -> tcp_discardcb)"))
      << H.Message;
  EXPECT_TRUE(contains(H.Message, "section raised at line 18")) << H.Message;
  EXPECT_TRUE(contains(H.Message, "on the locked object")) << H.Message;
  // The section is still rewritten: the finding asks a person to look.
  EXPECT_TRUE(contains(readFile(C.Src() / "netinet/tcp_timer.c"),
                       "mtx_lock(&tp->t_mtx);"));
}

TEST(LockHazard, CallsAfterTheUnlockOrThroughPointersAreNotInTheSection) {
  Case C = prepare("lock_hazards", "-clean");
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  ASSERT_FALSE(R.Hazards.empty()) << "the checks did not run";
  for (const Hazard &H : R.Hazards) {
    EXPECT_NE(H.Function, "tcp_timer_rexmt") << H.Message; // drops after splx
    EXPECT_NE(H.Function, "soclose_fixed") << H.Message;   // aborts after splx
    EXPECT_NE(H.Function, "soabort_proto") << H.Message;   // (*so->so_abort)
  }
}

TEST(LockHazard, AListenerAbortingItsQueueInItsSectionNestsTwoSocketLocks) {
  Case C = prepare("lock_hazards", "-listener");
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  auto Nested = of(R, "rewrite-nested-lock", "soclose_listener");
  ASSERT_EQ(Nested.size(), 1u) << dump(R);
  EXPECT_EQ(Nested[0].Category, "manual");
  EXPECT_EQ(Nested[0].Line, 70); // soabort(sp)
  EXPECT_TRUE(contains(Nested[0].Message,
                       "(soclose_listener -> soabort -> sofree -> sorflush)"))
      << Nested[0].Message;
  EXPECT_TRUE(contains(Nested[0].Message, "possibly another struct socket"))
      << Nested[0].Message;
  EXPECT_TRUE(contains(Nested[0].Message, "duplicate lock of same type"))
      << Nested[0].Message;
  // sofree() also frees the child: a lock of the class destroyed, not the
  // one held (sp is not so).
  auto Destroy = of(R, "rewrite-destroy-under-lock", "soclose_listener");
  ASSERT_EQ(Destroy.size(), 1u) << dump(R);
  EXPECT_TRUE(contains(Destroy[0].Message, "sodealloc()"))
      << Destroy[0].Message;
  EXPECT_TRUE(contains(Destroy[0].Message, "possibly another struct socket"))
      << Destroy[0].Message;
}

TEST(LockHazard, ACalleeThatRaisesAgainRecursesTheSameLock) {
  Case C = prepare("lock_hazards", "-recurse");
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  auto Hs = of(R, "rewrite-nested-lock", "soconnect");
  ASSERT_EQ(Hs.size(), 1u) << dump(R);
  EXPECT_TRUE(contains(Hs[0].Message, "(soconnect -> sodisconnect)"))
      << Hs[0].Message;
  EXPECT_TRUE(contains(Hs[0].Message, "of the same object again"))
      << Hs[0].Message;
  EXPECT_EQ(count(R, "destroy-under-lock"), 2) << dump(R);
  EXPECT_EQ(count(R, "nested-lock"), 2) << dump(R);
  EXPECT_EQ(count(R, "reviewed"), 0);
}

TEST(LockHazard, AReviewedSiteIsAssistedWithItsNote) {
  Case C = prepare("lock_hazards", "-reviewed");
  std::string Plan = readFile(C.Plan());
  Plan += R"(sites:
  - file: netinet/tcp_timer.c
    line: 18
    reviewed: [destroy-under-lock]
    note: "tcp_drop hands the locked tcpcb over and unlocks it"
)";
  writeFile(C.Plan(), Plan);
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  auto Hs = of(R, "rewrite-destroy-under-lock", "tcp_timer_keep");
  ASSERT_EQ(Hs.size(), 1u) << dump(R);
  EXPECT_EQ(Hs[0].Category, "assisted");
  EXPECT_TRUE(contains(Hs[0].Message, "reviewed (" + C.Plan().string() +
                                          ":25): tcp_drop hands the locked"))
      << Hs[0].Message;
  // The site names no lock: the rules still map the section, and the
  // section itself stays auto (the note is about its calls).
  EXPECT_TRUE(contains(readFile(C.Src() / "netinet/tcp_timer.c"),
                       "mtx_lock(&tp->t_mtx);"));
  size_t Auto = 0;
  for (size_t P = 0;
       (P = R.Report.find("auto: splnet section -> mtx_lock(&tp->t_mtx)", P)) !=
       std::string::npos;
       ++P)
    ++Auto;
  EXPECT_EQ(Auto, 2u) << R.Report; // tcp_timer_keep's and tcp_timer_rexmt's
  EXPECT_EQ(count(R, "destroy-under-lock"), 1); // soclose_listener's
  EXPECT_EQ(count(R, "reviewed"), 1);
  // The acknowledgment covers only the check it names.
  for (const Hazard &H : R.Hazards)
    if (H.Function != "tcp_timer_keep")
      EXPECT_EQ(H.Category, "manual") << H.Message;
}

TEST(LockHazard, AReviewNeedsANoteAndAKnownCheck) {
  Case C = prepare("lock_hazards", "-badreview");
  std::string Base = readFile(C.Plan());
  writeFile(C.Plan(), Base + R"(sites:
  - file: netinet/tcp_timer.c
    line: 18
    reviewed: [destroy-under-lock, lock-order]
)");
  rwtest::Run R = rewrite(C, {"--check-plan"});
  EXPECT_EQ(R.Exit, 3);
  EXPECT_TRUE(contains(R.Err, "reviews unknown check 'lock-order'")) << R.Err;
  EXPECT_TRUE(contains(R.Err, "has no 'note'")) << R.Err;
}

TEST(LockHazard, RecursionAllowedByTheLockFlagsIsNotReported) {
  Case C = prepare("lock_hazards", "-recursable");
  std::string Plan = readFile(C.Plan());
  Plan.replace(Plan.find("    witness: so\n"), 16,
               "    witness: so\n    flags: [MTX_RECURSE]\n");
  writeFile(C.Plan(), Plan);
  Result R = rewriteCase(C);
  ASSERT_EQ(R.R.Exit, 0) << R.R.Err;
  EXPECT_TRUE(of(R, "rewrite-nested-lock", "soconnect").empty()) << dump(R);
  // Another object of the class is still two locks at once.
  EXPECT_EQ(of(R, "rewrite-nested-lock", "soclose_listener").size(), 1u)
      << dump(R);
}

TEST(LockHazard, AStageThatLeavesTheCalleeAloneHasNoHazard) {
  // Only kern migrates: tcp_timer.c keeps its spl, so no t_mtx is held.
  Case C = prepare("lock_hazards", "-stage");
  std::string Plan = readFile(C.Plan());
  Plan += R"(stages:
  - name: sockets
    modules: [kern, sys]
  - name: tcp
    modules: [netinet]
)";
  writeFile(C.Plan(), Plan);
  fs::path Json = C.Dir / "report.json";
  rwtest::Run Run = rewrite(
      C, {"--stage", "sockets", "--format", "json", "-o", Json.string()});
  ASSERT_EQ(Run.Exit, 0) << Run.Err;
  std::string Report = readFile(Json);
  EXPECT_FALSE(contains(Report, "tcp_timer_keep")) << Report;
  EXPECT_TRUE(contains(Report, "soclose_listener -> soabort")) << Report;
}

} // namespace
