//===- RewriteHarness.cpp - fixture cases for the rewriter tests ----------===//

#include "RewriteHarness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace rwtest {

const char *rewriteBin() { return MPSAFE_REWRITE_BIN; }
const char *clangBin() { return MPSAFE_TEST_CLANG; }
const char *applyReplacementsBin() { return MPSAFE_TEST_CAR; }
const char *scanBin() { return MPSAFE_SCAN_BIN; }

fs::path fixtures() { return fs::path(MPSAFE_REWRITE_FIXTURES); }

std::vector<std::string> caseNames() {
  std::vector<std::string> Names;
  for (auto &E : fs::directory_iterator(fixtures() / "cases"))
    if (E.is_directory() && fs::exists(E.path() / "plan.yaml") &&
        fs::exists(E.path() / "src"))
      Names.push_back(E.path().filename().string());
  std::sort(Names.begin(), Names.end());
  return Names;
}

std::string readFile(const fs::path &P) {
  std::ifstream In(P, std::ios::binary);
  std::stringstream SS;
  SS << In.rdbuf();
  return SS.str();
}

void writeFile(const fs::path &P, const std::string &Content) {
  fs::create_directories(P.parent_path());
  std::ofstream Out(P, std::ios::binary);
  Out << Content;
}

/// This process's scratch root, removed at exit unless
/// MPSAFE_KEEP_TEST_DIRS is set (to look at a failure).
static fs::path scratchRoot() {
  // Never destroyed: the exit handler still needs it.
  static const fs::path *Root = [] {
    fs::path R = fs::temp_directory_path() /
                 ("mpsafe-rewrite-test-" + std::to_string(getuid())) /
                 std::to_string(getpid());
    fs::remove_all(R);
    fs::create_directories(R);
    if (!getenv("MPSAFE_KEEP_TEST_DIRS"))
      atexit([] {
        std::error_code EC;
        fs::remove_all(scratchRoot(), EC);
      });
    return new fs::path(fs::canonical(R));
  }();
  return *Root;
}

fs::path scratch(const std::string &Name) {
  fs::path D = scratchRoot() / Name;
  fs::remove_all(D);
  fs::create_directories(D);
  return D;
}

static std::string quote(const std::string &S) {
  std::string Out = "\"";
  for (char C : S) {
    if (C == '"' || C == '\\')
      Out += '\\';
    Out += C;
  }
  return Out + "\"";
}

fs::path stackHeaders() {
  fs::path S = fs::path(MPSAFE_STACK_DIR);
  if (fs::exists(S / "sys" / "mutex.h") && fs::exists(S / "sys" / "systm.h"))
    return S;
  return fs::path();
}

Case prepare(const std::string &Name, const std::string &Tag,
             const fs::path &Include) {
  Case C;
  C.Include = Include;
  C.Name = Name;
  C.Dir = scratch(Name + Tag);
  fs::path From = fixtures() / "cases" / Name;
  if (!fs::exists(From))
    From = fixtures() / "trees" / Name;
  fs::copy(From / "plan.yaml", C.Plan());
  fs::copy(From / "src", C.Src(), fs::copy_options::recursive);
  auto &Cmds = C.Commands;
  std::vector<std::string> Files;
  for (auto &E : fs::recursive_directory_iterator(C.Src()))
    if (E.is_regular_file() && E.path().extension() == ".c")
      Files.push_back(fs::relative(E.path(), C.Src()).string());
  std::sort(Files.begin(), Files.end());
  for (const std::string &F : Files)
    Cmds.push_back({F, {}});
  std::ifstream Extra(From / "commands.txt");
  for (std::string Line; std::getline(Extra, Line);) {
    std::istringstream LS(Line);
    std::string F, Flag;
    if (!(LS >> F) || F[0] == '#')
      continue;
    std::vector<std::string> Flags;
    while (LS >> Flag)
      Flags.push_back(Flag);
    Cmds.push_back({F, Flags});
  }
  std::string DB = "[\n";
  for (size_t I = 0; I < Cmds.size(); ++I) {
    std::string File = (C.Src() / Cmds[I].first).string();
    DB += "  {\"directory\": " + quote(C.Src().string()) +
          ", \"file\": " + quote(File) + ", \"arguments\": [\"cc\", \"-c\"";
    for (const std::string &F : Cmds[I].second)
      DB += ", " + quote(F);
    DB += ", " + quote("-I" + C.Src().string()) + ", " +
          quote("-I" + C.Include.string()) + ", " + quote(File) + "]}";
    DB += I + 1 < Cmds.size() ? ",\n" : "\n";
  }
  DB += "]\n";
  writeFile(C.Dir / "compile_commands.json", DB);
  return C;
}

Run run(const std::string &Prog, const std::vector<std::string> &Args) {
  Run R;
  char OutName[] = "/tmp/mpsafe-rw-outXXXXXX";
  char ErrName[] = "/tmp/mpsafe-rw-errXXXXXX";
  int OutFD = mkstemp(OutName), ErrFD = mkstemp(ErrName);
  pid_t Pid = fork();
  if (Pid == 0) {
    dup2(OutFD, 1);
    dup2(ErrFD, 2);
    std::vector<char *> Argv;
    Argv.push_back(const_cast<char *>(Prog.c_str()));
    for (const std::string &A : Args)
      Argv.push_back(const_cast<char *>(A.c_str()));
    Argv.push_back(nullptr);
    execv(Prog.c_str(), Argv.data());
    _exit(127);
  }
  int Status = 0;
  waitpid(Pid, &Status, 0);
  R.Exit = WIFEXITED(Status) ? WEXITSTATUS(Status) : 128 + WTERMSIG(Status);
  close(OutFD);
  close(ErrFD);
  R.Out = readFile(OutName);
  R.Err = readFile(ErrName);
  unlink(OutName);
  unlink(ErrName);
  return R;
}

Run rewrite(const Case &C, const std::vector<std::string> &Args) {
  return rewriteWith(C, C.Plan(), Args);
}

Run rewriteWith(const Case &C, const fs::path &Plan,
                const std::vector<std::string> &Args) {
  std::vector<std::string> All = {"-p",          C.Dir.string(), "--plan",
                                  Plan.string(), "-j",           "1"};
  All.insert(All.end(), Args.begin(), Args.end());
  return run(rewriteBin(), All);
}

std::map<std::string, std::string> snapshot(const fs::path &Root) {
  std::map<std::string, std::string> M;
  for (auto &E : fs::recursive_directory_iterator(Root))
    if (E.is_regular_file())
      M[fs::relative(E.path(), Root).string()] = readFile(E.path());
  return M;
}

std::map<std::string, std::string> expectedTree(const std::string &Name) {
  fs::path From = fixtures() / "cases" / Name;
  auto M = snapshot(From / "src");
  if (fs::exists(From / "expected"))
    for (auto &KV : snapshot(From / "expected"))
      M[KV.first] = KV.second;
  return M;
}

std::string syntaxCheck(const Case &C) {
  std::string Failures;
  for (auto &Cmd : C.Commands) {
    std::vector<std::string> Args = {"-fsyntax-only",
                                     "-Werror=implicit-function-declaration",
                                     "-Werror=incompatible-pointer-types"};
    Args.insert(Args.end(), Cmd.second.begin(), Cmd.second.end());
    Args.push_back("-I" + C.Src().string());
    Args.push_back("-I" + C.Include.string());
    Args.push_back((C.Src() / Cmd.first).string());
    Run R = run(clangBin(), Args);
    if (R.Exit != 0)
      Failures += Cmd.first + ":\n" + R.Err;
  }
  return Failures;
}

} // namespace rwtest
