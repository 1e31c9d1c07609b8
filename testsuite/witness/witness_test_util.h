// Helpers for the witness tests: small instrumented locks over pthread
// primitives, and access to the JSON-lines report file.
#ifndef TESTSUITE_WITNESS_TEST_UTIL_H
#define TESTSUITE_WITNESS_TEST_UTIL_H

#include "witness.h"

#include <cctype>
#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <pthread.h>
#include <string>
#include <unistd.h>
#include <vector>

namespace wtest {

struct Mtx {
  pthread_mutex_t M = PTHREAD_MUTEX_INITIALIZER;
  witness_lock W;
  explicit Mtx(const char *Class, unsigned Flags = 0,
               witness_kind Kind = WITNESS_KIND_SLEEP_MUTEX,
               const char *Instance = nullptr) {
    witness_init(&W, Class, Instance, Kind, Flags);
  }
  void lock(const char *File = __builtin_FILE(), int Line = __builtin_LINE()) {
    witness_checkorder(&W, WITNESS_OP_EXCLUSIVE, File, Line);
    pthread_mutex_lock(&M);
    witness_acquired(&W, WITNESS_OP_EXCLUSIVE, File, Line);
  }
  bool trylock(const char *File = __builtin_FILE(),
               int Line = __builtin_LINE()) {
    if (pthread_mutex_trylock(&M))
      return false;
    witness_acquired(&W, WITNESS_OP_EXCLUSIVE | WITNESS_OP_TRY, File, Line);
    return true;
  }
  void unlock(const char *File = __builtin_FILE(),
              int Line = __builtin_LINE()) {
    witness_released(&W, WITNESS_OP_EXCLUSIVE, File, Line);
    pthread_mutex_unlock(&M);
  }
};

struct RwLock {
  pthread_rwlock_t L = PTHREAD_RWLOCK_INITIALIZER;
  witness_lock W;
  explicit RwLock(const char *Class, witness_kind Kind = WITNESS_KIND_RW,
                  unsigned Flags = 0) {
    witness_init(&W, Class, nullptr, Kind, Flags);
  }
  void rlock(const char *File = __builtin_FILE(), int Line = __builtin_LINE()) {
    witness_checkorder(&W, WITNESS_OP_SHARED, File, Line);
    pthread_rwlock_rdlock(&L);
    witness_acquired(&W, WITNESS_OP_SHARED, File, Line);
  }
  void wlock(const char *File = __builtin_FILE(), int Line = __builtin_LINE()) {
    witness_checkorder(&W, WITNESS_OP_EXCLUSIVE, File, Line);
    pthread_rwlock_wrlock(&L);
    witness_acquired(&W, WITNESS_OP_EXCLUSIVE, File, Line);
  }
  void unlock(unsigned Op, const char *File = __builtin_FILE(),
              int Line = __builtin_LINE()) {
    witness_released(&W, Op, File, Line);
    pthread_rwlock_unlock(&L);
  }
};

/// A strict JSON syntax check (RFC 8259) of one value filling the text.
class JsonSyntax {
public:
  static bool valid(const std::string &Text) {
    JsonSyntax P(Text);
    return P.value() && (P.ws(), P.Pos == Text.size());
  }

private:
  explicit JsonSyntax(const std::string &T) : T(T) {}
  void ws() {
    while (Pos < T.size() && strchr(" \t\r\n", T[Pos]))
      ++Pos;
  }
  bool eat(char C) {
    ws();
    if (Pos < T.size() && T[Pos] == C) {
      ++Pos;
      return true;
    }
    return false;
  }
  bool literal(const char *L) {
    size_t N = strlen(L);
    if (T.compare(Pos, N, L) != 0)
      return false;
    Pos += N;
    return true;
  }
  bool string() {
    if (!eat('"'))
      return false;
    while (Pos < T.size() && T[Pos] != '"') {
      unsigned char C = T[Pos++];
      if (C < 0x20)
        return false;
      if (C == '\\') {
        if (Pos >= T.size() || !strchr("\"\\/bfnrtu", T[Pos]))
          return false;
        if (T[Pos++] == 'u')
          for (int I = 0; I < 4; ++I)
            if (Pos >= T.size() || !isxdigit((unsigned char)T[Pos++]))
              return false;
      }
    }
    return eat('"');
  }
  bool number() {
    size_t Start = Pos;
    if (Pos < T.size() && T[Pos] == '-')
      ++Pos;
    while (Pos < T.size() &&
           (isdigit((unsigned char)T[Pos]) || strchr(".eE+-", T[Pos])))
      ++Pos;
    return Pos > Start && isdigit((unsigned char)T[Pos - 1]);
  }
  bool value() {
    ws();
    if (Pos >= T.size())
      return false;
    char C = T[Pos];
    if (C == '{') {
      ++Pos;
      if (eat('}'))
        return true;
      do {
        ws();
        if (!string() || !eat(':') || !value())
          return false;
      } while (eat(','));
      return eat('}');
    }
    if (C == '[') {
      ++Pos;
      if (eat(']'))
        return true;
      do
        if (!value())
          return false;
      while (eat(','));
      return eat(']');
    }
    if (C == '"')
      return string();
    if (C == 't')
      return literal("true");
    if (C == 'f')
      return literal("false");
    if (C == 'n')
      return literal("null");
    return number();
  }
  const std::string &T;
  size_t Pos = 0;
};

/// Each test starts from a forgotten graph, warn policies, fail mode off
/// and a fresh JSON file, and captures stderr. These tests trigger reports
/// on purpose: the WITNESS_FAIL=1 that ctest gives every test process
/// (cmake/MpsafeTesting.cmake) is overridden here through the API.
class WitnessTest : public ::testing::Test {
protected:
  void SetUp() override {
    witness_reset();
    witness_set_fail_mode(0, 1);
    witness_set_policies("all=warn");
    Json = ::testing::TempDir() + "witness-" + std::to_string(getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           ".jsonl";
    unlink(Json.c_str());
    ASSERT_EQ(witness_set_json_file(Json.c_str()), 0);
    ::testing::internal::CaptureStderr();
  }
  void TearDown() override {
    if (!Captured)
      ::testing::internal::GetCapturedStderr();
    witness_set_json_file(nullptr);
    unlink(Json.c_str());
  }
  /// Stops capturing; returns what witness printed.
  std::string err() {
    Captured = true;
    Text = ::testing::internal::GetCapturedStderr();
    return Text;
  }
  std::vector<std::string> jsonLines() const {
    std::vector<std::string> Out;
    std::ifstream In(Json);
    for (std::string L; std::getline(In, L);) {
      EXPECT_TRUE(JsonSyntax::valid(L)) << "not one JSON value: " << L;
      Out.push_back(L);
    }
    return Out;
  }
  std::string Json, Text;
  bool Captured = false;
};

inline bool has(const std::string &Hay, const std::string &Needle) {
  return Hay.find(Needle) != std::string::npos;
}

inline size_t countOf(const std::string &Hay, const std::string &Needle) {
  size_t N = 0;
  for (size_t P = Hay.find(Needle); P != std::string::npos;
       P = Hay.find(Needle, P + 1))
    ++N;
  return N;
}

} // namespace wtest

#endif
