// Helpers shared by the end-to-end tests: run a command, read a file, make
// a fresh temporary directory.
#ifndef MPSAFE_E2E_UTIL_H
#define MPSAFE_E2E_UTIL_H

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace e2e {

struct Result {
  int Status = -1;   // exit status, or -1 when it did not exit normally
  std::string Out;   // stdout and stderr together
};

inline std::string quote(const std::string &S) {
  std::string Q = "'";
  for (char C : S) {
    if (C == '\'')
      Q += "'\\''";
    else
      Q += C;
  }
  return Q + "'";
}

inline std::string readFile(const std::string &Path) {
  std::ifstream In(Path, std::ios::binary);
  std::stringstream SS;
  SS << In.rdbuf();
  return SS.str();
}

inline bool exists(const std::string &Path) {
  struct stat St;
  return ::stat(Path.c_str(), &St) == 0;
}

inline Result run(const std::string &Cmd) {
  Result R;
  std::string Full = "(" + Cmd + ") 2>&1";
  FILE *P = ::popen(Full.c_str(), "r");
  if (!P)
    return R;
  char Buf[4096];
  size_t N;
  while ((N = fread(Buf, 1, sizeof Buf, P)) > 0)
    R.Out.append(Buf, N);
  int St = ::pclose(P);
  if (WIFEXITED(St))
    R.Status = WEXITSTATUS(St);
  return R;
}

inline std::string tempDir(const std::string &Tag) {
  const char *Base = std::getenv("TMPDIR");
  std::string T = std::string(Base && *Base ? Base : "/tmp") + "/mpsafe-" +
                  Tag + "-XXXXXX";
  if (!::mkdtemp(&T[0]))
    return "";
  return T;
}

inline size_t count(const std::string &Hay, const std::string &Needle) {
  size_t N = 0;
  for (size_t At = Hay.find(Needle); At != std::string::npos;
       At = Hay.find(Needle, At + 1))
    ++N;
  return N;
}

} // namespace e2e

#endif // MPSAFE_E2E_UTIL_H
