//===- witness-run.cc - run a program under the witness interposer -*- C++
//-*-===//
//
// witness-run [--json FILE] [--graph FILE] [--order FILE] [--policy SPEC]
//             [--fail] [--no-source] -- PROG [ARGS...]
//
// Runs PROG with libwitness_preload.so in LD_PRELOAD. Reports go to stderr
// and, with --json, to FILE (one JSON object per line); the learned graph
// is written to --graph at exit ("%p" in the name becomes the pid, for
// programs that fork). Exit status: PROG's, or with --fail 1 when witness
// reported anything (PROG's own status when that is already non-zero).
//
// The reports name code as "module:symbol+0xN (module+0xOFFSET)". When
// there were reports, witness-run then prints the source line of each such
// address from the module's debug information (llvm-symbolizer, or
// addr2line), unless --no-source. That is done here, after PROG ended:
// running a symbolizer inside PROG, from a lock hook, could block on the
// very locks PROG holds.
//
//===----------------------------------------------------------------------===//
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#ifndef WITNESS_PRELOAD_PATH
#define WITNESS_PRELOAD_PATH ""
#endif

namespace {

[[noreturn]] void usage(const std::string &Why) {
  fprintf(stderr,
          "witness-run: %s\n"
          "usage: witness-run [--json FILE] [--graph FILE] [--order FILE] "
          "[--policy SPEC] [--fail] [--no-source] -- PROG [ARGS...]\n",
          Why.c_str());
  exit(2);
}

bool exists(const std::string &P) {
  struct stat St;
  return stat(P.c_str(), &St) == 0 && S_ISREG(St.st_mode);
}

/// Next to witness-run, in ../lib, or where the build put it.
std::string findPreload() {
  if (const char *E = getenv("WITNESS_PRELOAD"); E && *E)
    return E;
  char Buf[4096];
  ssize_t N = readlink("/proc/self/exe", Buf, sizeof Buf - 1);
  if (N > 0) {
    Buf[N] = 0;
    std::string Dir(Buf);
    Dir.resize(Dir.rfind('/'));
    for (const char *Rel :
         {"/libwitness_preload.so", "/../lib/libwitness_preload.so"})
      if (exists(Dir + Rel))
        return Dir + Rel;
  }
  if (exists(WITNESS_PRELOAD_PATH))
    return WITNESS_PRELOAD_PATH;
  return "";
}

size_t countReports(const std::string &Path) {
  std::ifstream In(Path);
  size_t N = 0;
  for (std::string L; std::getline(In, L);)
    if (L.find("\"witness\":1") != std::string::npos)
      ++N;
  return N;
}

std::string shellQuote(const std::string &S) {
  std::string Out = "'";
  for (char C : S)
    Out += C == '\'' ? std::string("'\\''") : std::string(1, C);
  return Out + "'";
}

/// The first of the symbolizers that is installed, looked up once: its
/// command line for Path, to which the addresses are appended; one output
/// line each. Empty when there is none.
std::string symbolizerFor(const std::string &Path) {
  static const std::string Tool = [] {
    for (const char *T :
         {"llvm-symbolizer-14", "llvm-symbolizer", "addr2line"})
      if (system((std::string("command -v ") + T + " >/dev/null 2>&1")
                     .c_str()) == 0)
        return std::string(T);
    return std::string();
  }();
  if (Tool.empty())
    return "";
  if (Tool == "addr2line")
    return "addr2line -e " + shellQuote(Path);
  return Tool + " --obj=" + shellQuote(Path) +
         " --output-style=GNU --no-inlines --functions=none";
}

/// After the reports: "module+0xOFFSET  file:line" for each code address
/// they name, from the objects the process listed in Modules.
void printSourceLines(const std::string &Reports, const std::string &Modules) {
  std::map<std::string, std::string> PathOf;
  {
    std::ifstream In(Modules);
    for (std::string L; std::getline(In, L);) {
      size_t Tab = L.find('\t');
      if (Tab != std::string::npos)
        PathOf.emplace(L.substr(0, Tab), L.substr(Tab + 1));
    }
  }
  std::map<std::string, std::set<unsigned long>> Wanted;
  {
    std::ifstream In(Reports);
    std::stringstream SS;
    SS << In.rdbuf();
    std::string Text = SS.str();
    static const std::regex Frame("\\(([^ ()\"]+)\\+0x([0-9a-f]+)\\)");
    for (auto It = std::sregex_iterator(Text.begin(), Text.end(), Frame);
         It != std::sregex_iterator(); ++It)
      if (PathOf.count((*It)[1]))
        Wanted[(*It)[1]].insert(std::stoul((*It)[2], nullptr, 16));
  }
  std::vector<std::string> Lines;
  for (auto &[Module, Offsets] : Wanted) {
    std::string Cmd = symbolizerFor(PathOf[Module]);
    if (Cmd.empty())
      break;
    // A return address: the call it returns from is the byte before.
    for (unsigned long Off : Offsets)
      Cmd += " 0x" + [](unsigned long V) {
        char B[32];
        snprintf(B, sizeof B, "%lx", V ? V - 1 : 0);
        return std::string(B);
      }(Off);
    FILE *P = popen((Cmd + " 2>/dev/null").c_str(), "r");
    if (!P)
      continue;
    char Buf[4096];
    for (unsigned long Off : Offsets) {
      if (!fgets(Buf, sizeof Buf, P))
        break;
      std::string Where(Buf);
      while (!Where.empty() && (Where.back() == '\n' || Where.back() == '\r'))
        Where.pop_back();
      if (Where.empty() || Where.compare(0, 2, "??") == 0)
        continue;
      char Name[64];
      snprintf(Name, sizeof Name, "+0x%lx", Off);
      Lines.push_back("  " + Module + Name + "  " + Where);
    }
    pclose(P);
  }
  if (Lines.empty())
    return;
  fprintf(stderr, "witness-run: source lines of the code the reports name:\n");
  for (const std::string &L : Lines)
    fprintf(stderr, "%s\n", L.c_str());
}

} // namespace

int main(int Argc, char **Argv) {
  std::string Json, Graph, Order, Policy;
  bool Fail = false, Source = true;
  int I = 1;
  for (; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Value = [&](std::string &Out) {
      if (I + 1 >= Argc)
        usage(A + " needs a value");
      Out = Argv[++I];
    };
    if (A == "--") {
      ++I;
      break;
    }
    if (A == "--json")
      Value(Json);
    else if (A == "--graph")
      Value(Graph);
    else if (A == "--order")
      Value(Order);
    else if (A == "--policy")
      Value(Policy);
    else if (A == "--fail")
      Fail = true;
    else if (A == "--no-source")
      Source = false;
    else if (A == "-h" || A == "--help")
      usage("runs PROG with the witness lock-order checker");
    else if (A[0] == '-')
      usage("unknown option " + A);
    else
      break; // PROG without "--"
  }
  if (I >= Argc)
    usage("no program given");
  std::string Preload = findPreload();
  if (Preload.empty()) {
    fprintf(stderr, "witness-run: cannot find libwitness_preload.so (next to "
                    "witness-run, in ../lib, or set WITNESS_PRELOAD)\n");
    return 2;
  }
  if (!Order.empty() && access(Order.c_str(), R_OK) != 0) {
    fprintf(stderr, "witness-run: %s: cannot read order file: %s\n",
            Order.c_str(), strerror(errno));
    return 2;
  }
  // witness-run counts the reports itself, so it always has a JSON file.
  std::string Reports = Json;
  bool Temporary = Reports.empty();
  if (Temporary) {
    char Tmpl[] = "/tmp/witness-run-XXXXXX";
    int Fd = mkstemp(Tmpl);
    if (Fd < 0) {
      fprintf(stderr, "witness-run: cannot create a temporary file: %s\n",
              strerror(errno));
      return 2;
    }
    close(Fd);
    Reports = Tmpl;
  } else {
    // A fresh file per run; several processes of the run append to it.
    FILE *F = fopen(Reports.c_str(), "w");
    if (!F) {
      fprintf(stderr, "witness-run: %s: cannot write: %s\n", Reports.c_str(),
              strerror(errno));
      return 2;
    }
    fclose(F);
  }
  // The objects the process names, for the source lines (always temporary).
  std::string Modules;
  if (Source) {
    char Tmpl[] = "/tmp/witness-run-modules-XXXXXX";
    int Fd = mkstemp(Tmpl);
    if (Fd >= 0) {
      close(Fd);
      Modules = Tmpl;
    }
  }
  std::string LdPreload = Preload;
  if (const char *Old = getenv("LD_PRELOAD"); Old && *Old)
    LdPreload += std::string(":") + Old;

  pid_t Pid = fork();
  if (Pid < 0) {
    fprintf(stderr, "witness-run: fork: %s\n", strerror(errno));
    return 2;
  }
  if (Pid == 0) {
    // The program's environment only: what witness-run runs itself
    // afterwards (the symbolizer) must not run under witness.
    setenv("LD_PRELOAD", LdPreload.c_str(), 1);
    setenv("WITNESS_JSON", Reports.c_str(), 1);
    if (!Modules.empty())
      setenv("WITNESS_MODULES", Modules.c_str(), 1);
    if (!Graph.empty())
      setenv("WITNESS_GRAPH", Graph.c_str(), 1);
    if (!Order.empty())
      setenv("WITNESS_ORDER", Order.c_str(), 1);
    if (!Policy.empty())
      setenv("WITNESS_POLICY", Policy.c_str(), 1);
    unsetenv("WITNESS_FAIL"); // counted here instead
    execvp(Argv[I], Argv + I);
    fprintf(stderr, "witness-run: %s: %s\n", Argv[I], strerror(errno));
    _exit(127);
  }
  // Signals meant for the program reach it through the process group;
  // witness-run waits for it.
  signal(SIGINT, SIG_IGN);
  signal(SIGQUIT, SIG_IGN);
  int St = 0;
  while (waitpid(Pid, &St, 0) < 0 && errno == EINTR) {
  }
  int Status = WIFEXITED(St)     ? WEXITSTATUS(St)
               : WIFSIGNALED(St) ? 128 + WTERMSIG(St)
                                 : 1;
  size_t N = countReports(Reports);
  if (N && !Modules.empty())
    printSourceLines(Reports, Modules);
  if (!Modules.empty())
    unlink(Modules.c_str());
  if (Temporary)
    unlink(Reports.c_str());
  if (N && Fail) {
    fprintf(stderr, "witness-run: %zu report(s) from %s; failing\n", N,
            Argv[I]);
    return Status ? Status : 1;
  }
  return Status;
}
