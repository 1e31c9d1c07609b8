// Host isolation: no global symbol defined by the stack libraries may
// share its name with a symbol exported by libc (docs/internals.md, "Host
// isolation").  The libraries come from the build; libc is the one this
// test runs with (found through dladdr on one of its functions).
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>

#include "kern_symbols_libs.h"

namespace {

std::set<std::string> symbols(const std::string &cmd) {
  std::set<std::string> out;
  FILE *p = popen(cmd.c_str(), "r");
  if (p == nullptr)
    return out;
  char line[4096];
  while (fgets(line, sizeof(line), p) != nullptr) {
    std::istringstream in(line);
    std::string a, b, c;
    in >> a >> b >> c;
    // "addr type name" for defined symbols.
    if (c.empty())
      continue;
    std::string name = c.substr(0, c.find('@'));
    if (b == "T" || b == "D" || b == "B" || b == "R" || b == "C" ||
        b == "V" || b == "W" || b == "i" || b == "u")
      out.insert(name);
  }
  pclose(p);
  return out;
}

std::string libcPath() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void *>(&fopen), &info) == 0 ||
      info.dli_fname == nullptr)
    return "";
  return info.dli_fname;
}

} // namespace

TEST(HostIsolation, NoStackSymbolClashesWithLibc) {
  std::string libc = libcPath();
  ASSERT_FALSE(libc.empty());
  std::set<std::string> libcSyms =
      symbols(std::string(MPSAFE_NM) + " -D --defined-only " + libc);
  ASSERT_GT(libcSyms.size(), 1000u) << "could not read " << libc;
  ASSERT_TRUE(libcSyms.count("malloc") && libcSyms.count("mtx_init"));

  std::istringstream libs(MPSAFE_STACK_LIBS);
  std::string lib;
  int checked = 0;
  while (std::getline(libs, lib, '|')) {
    std::set<std::string> mine =
        symbols(std::string(MPSAFE_NM) + " --defined-only " + lib);
    ASSERT_GT(mine.size(), 10u) << "could not read " << lib;
    for (const std::string &s : mine)
      EXPECT_EQ(0u, libcSyms.count(s))
          << lib << " defines \"" << s << "\", which libc also defines";
    ++checked;
  }
  EXPECT_GE(checked, 1);
}
