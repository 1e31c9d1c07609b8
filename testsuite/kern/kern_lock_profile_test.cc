// Lock profiling (docs/kern.md, "Lock profiling"): MPSAFE_LOCK_PROFILE,
// read at startup, makes the process write its lock profile at exit.
//
// Each test runs the workload of scen_lprof.c in a child process: a
// threadsafe death test re-executes this binary, so the child starts with
// the environment the test set, and exits normally.  The test then reads
// the profile the child wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kt.h"

namespace {

struct Row {
  unsigned long long contended = 0, acquisitions = 0, waitNs = 0;
  std::string lock, site;
};

struct Profile {
  bool ok = false; // read and well-formed
  std::string error;
  std::vector<Row> sites; // in file order
  std::vector<Row> locks; // the per-lock totals
};

bool parseCount(const std::string &s, unsigned long long *v) {
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos)
    return false;
  *v = std::stoull(s);
  return true;
}

Profile parse(const std::string &text) {
  Profile p;
  std::istringstream in(text);
  std::string line;
  bool perLock = false;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (line.rfind("# mpsafe lock profile 1,", 0) != 0) {
        p.error = "bad first line: " + line;
        return p;
      }
      continue;
    }
    if (line == "# per lock") {
      perLock = true;
      continue;
    }
    if (!line.empty() && line[0] == '#')
      continue;
    std::vector<std::string> f;
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, '\t'))
      f.push_back(field);
    Row r;
    if (f.size() != 5 || !parseCount(f[0], &r.contended) ||
        !parseCount(f[1], &r.acquisitions) || !parseCount(f[2], &r.waitNs)) {
      p.error = "bad line " + std::to_string(n) + ": " + line;
      return p;
    }
    r.lock = f[3];
    r.site = f[4];
    (perLock ? p.locks : p.sites).push_back(r);
  }
  p.ok = perLock;
  if (!p.ok)
    p.error = "no \"# per lock\" section";
  return p;
}

std::string readFile(const std::string &path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

bool exists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

std::string site(int line) {
  return std::string(kt_lprof_file()) + ":" + std::to_string(line);
}

const Row *findSite(const Profile &p, const std::string &lock, int line) {
  for (const Row &r : p.sites)
    if (r.lock == lock && r.site == site(line))
      return &r;
  return nullptr;
}

const Row *findLock(const Profile &p, const std::string &lock) {
  for (const Row &r : p.locks)
    if (r.lock == lock)
      return &r;
  return nullptr;
}

// In the child: run the workload and exit (the profile is written then).
void workloadAndExit() {
  int rc = kt_lprof_workload();
  if (rc != 0)
    fprintf(stderr, "workload failed: %s\n", kt_error());
  exit(rc);
}

class LockProfile : public ::testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    // The child re-runs SetUp: it must use the parent's directory.
    if (const char *d = getenv("KT_LPROF_DIR")) {
      dir_ = d;
      return;
    }
    dir_ = ::testing::TempDir() + "lprof." + std::to_string(getpid());
    std::string cmd = "rm -rf '" + dir_ + "' && mkdir -p '" + dir_ + "'";
    ASSERT_EQ(0, system(cmd.c_str()));
    setenv("KT_LPROF_DIR", dir_.c_str(), 1);
  }
  void TearDown() override {
    unsetenv("MPSAFE_LOCK_PROFILE");
    unsetenv("KT_LPROF_DIR");
    std::string cmd = "rm -rf '" + dir_ + "'";
    (void)system(cmd.c_str());
  }

  // Runs the workload in a child started with MPSAFE_LOCK_PROFILE=value
  // (nullptr: unset); returns the profile at path.
  Profile profileOf(const char *value, const std::string &path) {
    if (value != nullptr)
      setenv("MPSAFE_LOCK_PROFILE", value, 1);
    else
      unsetenv("MPSAFE_LOCK_PROFILE");
    EXPECT_EXIT(workloadAndExit(), ::testing::ExitedWithCode(0), "");
    unsetenv("MPSAFE_LOCK_PROFILE");
    Profile p = parse(readFile(path));
    return p;
  }

  std::string dir_;
};

TEST_F(LockProfile, ContendedMutexNamesItsSite) {
  std::string path = dir_ + "/profile";
  Profile p = profileOf(path.c_str(), path);
  ASSERT_TRUE(p.ok) << p.error << "\n" << readFile(path);

  const Row *hot = findSite(p, "kt_lprof_hot", kt_lprof_hot_line);
  ASSERT_NE(nullptr, hot) << "no site " << site(kt_lprof_hot_line) << "\n"
                          << readFile(path);
  EXPECT_GT(hot->contended, 0u);
  EXPECT_GT(hot->waitNs, 0u);
  // Every acquisition counted, none lost between the threads.
  EXPECT_EQ(2u * KT_LPROF_NITER + 2u * KT_LPROF_ROUNDS, hot->acquisitions);
  EXPECT_LE(hot->contended, hot->acquisitions);

  // rwlock and sx: the waiter's sites are contended, the holder's not.
  const Row *rwWait = findSite(p, "kt_lprof_rw", kt_lprof_rw_reader_line);
  const Row *rwHold = findSite(p, "kt_lprof_rw", kt_lprof_rw_holder_line);
  const Row *sxWait = findSite(p, "kt_lprof_sx", kt_lprof_sx_waiter_line);
  const Row *sxHold = findSite(p, "kt_lprof_sx", kt_lprof_sx_holder_line);
  ASSERT_TRUE(rwWait && rwHold && sxWait && sxHold) << readFile(path);
  EXPECT_GT(rwWait->contended, 0u);
  EXPECT_GT(rwWait->waitNs, 0u);
  EXPECT_EQ(unsigned(KT_LPROF_ROUNDS), rwWait->acquisitions);
  EXPECT_EQ(0u, rwHold->contended);
  EXPECT_EQ(unsigned(KT_LPROF_ROUNDS), rwHold->acquisitions);
  EXPECT_GT(sxWait->contended, 0u);
  EXPECT_EQ(unsigned(KT_LPROF_ROUNDS), sxWait->acquisitions);
  EXPECT_EQ(0u, sxHold->contended);

  // Sorted by contended acquisitions, most first.
  for (size_t i = 1; i < p.sites.size(); ++i)
    EXPECT_GE(p.sites[i - 1].contended, p.sites[i].contended) << i;
  for (size_t i = 1; i < p.locks.size(); ++i)
    EXPECT_GE(p.locks[i - 1].contended, p.locks[i].contended) << i;

  // The per-lock total covers the site.
  const Row *hotLock = findLock(p, "kt_lprof_hot");
  ASSERT_NE(nullptr, hotLock);
  EXPECT_EQ("*", hotLock->site);
  EXPECT_GE(hotLock->acquisitions, hot->acquisitions);
  EXPECT_GE(hotLock->contended, hot->contended);
}

TEST_F(LockProfile, UncontendedLockHasAcquisitionsOnly) {
  std::string path = dir_ + "/profile";
  Profile p = profileOf(path.c_str(), path);
  ASSERT_TRUE(p.ok) << p.error << "\n" << readFile(path);

  const Row *cold = findSite(p, "kt_lprof_cold", kt_lprof_cold_line);
  ASSERT_NE(nullptr, cold) << readFile(path);
  EXPECT_EQ(unsigned(KT_LPROF_NCOLD), cold->acquisitions);
  EXPECT_EQ(0u, cold->contended);
  EXPECT_EQ(0u, cold->waitNs);
  const Row *tried = findSite(p, "kt_lprof_cold", kt_lprof_trylock_line);
  ASSERT_NE(nullptr, tried) << readFile(path);
  EXPECT_EQ(unsigned(KT_LPROF_NTRY), tried->acquisitions);
  EXPECT_EQ(0u, tried->contended);
  const Row *coldLock = findLock(p, "kt_lprof_cold");
  ASSERT_NE(nullptr, coldLock);
  EXPECT_EQ(unsigned(KT_LPROF_NCOLD + KT_LPROF_NTRY), coldLock->acquisitions);
  EXPECT_EQ(0u, coldLock->contended);
}

// Unset means off: a child that sets the variable only after startup
// writes nothing.  The same child started with it set does (else this
// test would pass without the capability).
TEST_F(LockProfile, OffUnlessSetAtStartup) {
  std::string path = dir_ + "/late";
  unsetenv("MPSAFE_LOCK_PROFILE");
  EXPECT_EXIT(
      {
        setenv("MPSAFE_LOCK_PROFILE", path.c_str(), 1);
        workloadAndExit();
      },
      ::testing::ExitedWithCode(0),
      ::testing::Not(::testing::HasSubstr("lock profile")));
  EXPECT_FALSE(exists(path)) << readFile(path);

  Profile p = profileOf(path.c_str(), path);
  EXPECT_TRUE(p.ok) << p.error;
  EXPECT_NE(nullptr, findSite(p, "kt_lprof_cold", kt_lprof_cold_line));
}

TEST_F(LockProfile, DashWritesToStderr) {
  setenv("MPSAFE_LOCK_PROFILE", "-", 1);
  std::string hot = "\tkt_lprof_hot\t" + site(kt_lprof_hot_line) + "\n";
  EXPECT_EXIT(workloadAndExit(), ::testing::ExitedWithCode(0),
              ::testing::AllOf(::testing::HasSubstr("# mpsafe lock profile 1,"),
                               ::testing::HasSubstr(hot)));
  EXPECT_FALSE(exists("-"));
}

TEST_F(LockProfile, PercentPIsThePid) {
  std::string pattern = dir_ + "/lprof.%p";
  Profile unused = profileOf(pattern.c_str(), dir_ + "/none");
  (void)unused;
  std::vector<std::string> names;
  if (DIR *d = opendir(dir_.c_str())) {
    while (struct dirent *e = readdir(d))
      if (std::string(e->d_name).rfind("lprof.", 0) == 0)
        names.push_back(e->d_name);
    closedir(d);
  }
  ASSERT_EQ(1u, names.size());
  std::string pid = names[0].substr(6);
  EXPECT_FALSE(pid.empty());
  EXPECT_EQ(std::string::npos, pid.find_first_not_of("0123456789")) << pid;
  EXPECT_NE(std::to_string(getpid()), pid); // the child's, not ours
  Profile p = parse(readFile(dir_ + "/" + names[0]));
  EXPECT_TRUE(p.ok) << p.error;
}

} // namespace
