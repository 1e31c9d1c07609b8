// Every stage of stack/mpsafe-plan.yaml: mpsafe-rewrite accepts the plan at
// that stage, writes the migrated tree, the reviewed patches that belong to
// it apply, and every stack source compiles against the migrated headers.
// Later stages' files are left as they were, so the migration is
// incremental for real.
#include "E2eUtil.h"
#include <gtest/gtest.h>
#include <sstream>
#include <vector>

using namespace e2e;

namespace {

const std::string Stack = MPSAFE_STACK_DIR;
const std::string Plan = Stack + "/mpsafe-plan.yaml";

std::vector<std::string> split(const std::string &S, char C) {
  std::vector<std::string> V;
  std::stringstream SS(S);
  std::string X;
  while (std::getline(SS, X, C))
    if (!X.empty())
      V.push_back(X);
  return V;
}

/// Stage names, in plan order: `  - name: X` lines under `stages:`.
std::vector<std::string> stages() {
  std::vector<std::string> V;
  std::stringstream SS(readFile(Plan));
  std::string L;
  bool In = false;
  while (std::getline(SS, L)) {
    if (L.rfind("stages:", 0) == 0)
      In = true;
    else if (!L.empty() && L[0] != ' ' && L[0] != '#')
      In = false;
    else if (In && L.rfind("  - name:", 0) == 0) {
      std::string N = L.substr(9);
      N.erase(0, N.find_first_not_of(' '));
      V.push_back(N);
    }
  }
  return V;
}

class PlanStage : public ::testing::TestWithParam<std::string> {};

TEST(PlanStages, ThePlanHasTheBottomUpStages) {
  // The socket layer migrates before UDP: UDP's and raw IP's input path
  // delivers in the socket's section (so_mtx).
  std::vector<std::string> Want = {"alloc",  "ifnet", "ip",
                                   "socket", "udp",   "tcp"};
  EXPECT_EQ(stages(), Want);
}

TEST_P(PlanStage, RewritesAndCompiles) {
  const std::string Stage = GetParam();
  std::string Dir = tempDir("stage-" + Stage);
  ASSERT_FALSE(Dir.empty());
  std::vector<std::string> Sources = split(MPSAFE_STACK_SOURCE_LIST, ';');
  ASSERT_FALSE(Sources.empty());
  std::string Files;
  for (const std::string &S : Sources)
    Files += " " + quote(S[0] == '/' ? S : Stack + "/" + S);

  Result R = run(quote(MPSAFE_REWRITE_BIN) + " -p " + quote(MPSAFE_BUILD_DIR) +
                 " --plan " + quote(Plan) + " --stage " + quote(Stage) +
                 " --out-dir " + quote(Dir + "/out") + " --format json -o " +
                 quote(Dir + "/rewrite.json") + Files);
  ASSERT_EQ(R.Status, 0) << R.Out;
  std::string Json = readFile(Dir + "/rewrite.json");
  EXPECT_NE(Json.find("\"category\": \"auto\""), std::string::npos)
      << "stage " << Stage << " rewrote nothing";

  // The reviewed patches that concern this stage's output apply cleanly.
  R = run("for p in " + quote(Stack + "/mp/patches") + "/*.patch; do"
          " [ -e \"$p\" ] || continue;"
          " if patch -p1 --dry-run --batch -s -d " + quote(Dir + "/out") +
          " -i \"$p\" >/dev/null 2>&1; then"
          " patch -p1 --batch -s -d " + quote(Dir + "/out") + " -i \"$p\" || exit 1;"
          " fi; done");
  ASSERT_EQ(R.Status, 0) << R.Out;

  // From stage udp on, the socket layer, IP and UDP have left Giant: UDP's
  // protocol entry is PR_MPSAFE (a manual site anywhere in them would keep
  // it under Giant); TCP's only at its own stage, the last.
  if (Stage == "udp" || Stage == "tcp") {
    std::string Proto = readFile(Dir + "/out/netinet/in_proto.c");
    EXPECT_NE(Proto.find("PR_ATOMIC | PR_ADDR | PR_MPSAFE,\n\t.pr_input =\t\tudp_input"),
              std::string::npos)
        << "stage " << Stage << ": UDP still under Giant\n" << Json;
    if (Stage == "tcp")
      EXPECT_NE(Proto.find("PR_WANTRCVD | PR_MPSAFE"), std::string::npos)
          << "stage tcp: TCP's entry still under Giant\n" << Json;
    else
      EXPECT_EQ(Proto.find("PR_WANTRCVD | PR_MPSAFE"), std::string::npos)
          << "stage " << Stage << ": TCP's entry left Giant before its stage";
  }

  // From stage socket on, IP's and ARP's netisr handlers leave Giant
  // (registered NETISR_MPSAFE, so received packets run in the interfaces'
  // threads); before it, IP needs the socket layer, which still takes Giant.
  {
    std::string IpIn = readFile(Dir + "/out/netinet/ip_input.c");
    std::string Arp = readFile(Dir + "/out/netinet/if_ether.c");
    bool Mpsafe = Stage != "alloc" && Stage != "ifnet" && Stage != "ip";
    EXPECT_EQ(Mpsafe, IpIn.find("netisr_register(NETISR_IP, ip_input, "
                                "&V_ipintrq, NETISR_MPSAFE)") !=
                          std::string::npos)
        << "stage " << Stage;
    EXPECT_EQ(Mpsafe, Arp.find("netisr_register(NETISR_ARP, arpintr, "
                               "&V_arpintrq, NETISR_MPSAFE)") !=
                          std::string::npos)
        << "stage " << Stage;
  }

  // Callouts leave Giant with the modules of their handlers: ARP's timer
  // with IP's and ARP's netisr handlers (stage socket), TCP's timers at
  // TCP's stage only (created CALLOUT_MPSAFE, the callout thread takes no
  // Giant for them).
  {
    std::string Arp = readFile(Dir + "/out/netinet/if_ether.c");
    bool Mpsafe = Stage != "alloc" && Stage != "ifnet" && Stage != "ip";
    EXPECT_EQ(Mpsafe, Arp.find("callout_init(&V_arp_callout, "
                               "CALLOUT_MPSAFE);") != std::string::npos)
        << "stage " << Stage;
    std::string Timer = readFile(Dir + "/out/netinet/tcp_timer.c");
    EXPECT_EQ(Stage == "tcp",
              Timer.find("callout_init(&tp->t_timer[i], CALLOUT_MPSAFE);") !=
                  std::string::npos)
        << "stage " << Stage << ": TCP's timers\n" << Json;
  }

  // IP's entry has no pr_flags in the legacy source: the rewriter gives it
  // the field with PR_MPSAFE once IP leaves Giant (stage socket: IP needs
  // the socket layer), so pfslowtimo() runs ip_slowtimo() without Giant.
  {
    std::string Proto = readFile(Dir + "/out/netinet/in_proto.c");
    ASSERT_FALSE(Proto.empty()) << "stage " << Stage;
    bool Mpsafe = Stage != "alloc" && Stage != "ifnet" && Stage != "ip";
    EXPECT_EQ(Mpsafe,
              Proto.find("\t.pr_protocol =\t\tIPPROTO_IP,\n"
                         "\t.pr_flags =\t\tPR_MPSAFE,\n"
                         "\t.pr_init =\t\tip_init,\n") != std::string::npos)
        << "stage " << Stage << ": IP's entry\n" << Json;
  }

  // TCP is the last stage: before it, its files are untouched.
  if (Stage != "tcp")
    EXPECT_EQ(readFile(Dir + "/out/netinet/tcp_usrreq.c"),
              readFile(Stack + "/netinet/tcp_usrreq.c"));

  std::string Flags = " -fsyntax-only -std=gnu11 -DINET_TCP -DMPSAFE_WITNESS"
                      " -Werror=implicit-function-declaration"
                      " -Werror=incompatible-pointer-types"
                      " -I" + quote(Dir + "/out") + " -I" + quote(Stack) +
                      " -I" + quote(Stack + "/include") + " -I" +
                      quote(MPSAFE_WITNESS_INCLUDE);
  for (const std::string &S : Sources) {
    std::string Rel = S[0] == '/' ? S.substr(Stack.size() + 1) : S;
    std::string Src = Dir + "/out/" + Rel;
    if (!exists(Src))
      Src = Stack + "/" + Rel;
    R = run(quote(MPSAFE_TEST_CC) + Flags + " " + quote(Src));
    EXPECT_EQ(R.Status, 0) << "stage " << Stage << ": " << Rel << "\n" << R.Out;
  }
  run("rm -rf " + quote(Dir));
}

INSTANTIATE_TEST_SUITE_P(Stack, PlanStage, ::testing::ValuesIn(stages()),
                         [](const ::testing::TestParamInfo<std::string> &I) {
                           return I.param;
                         });

} // namespace
