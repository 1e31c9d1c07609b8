// Misuse of the kernel APIs ends in panic(): each death test checks the
// message names what was misused and where (file:line).
#include <gtest/gtest.h>

#include "kt.h"

namespace {

class Misuse : public ::testing::Test {
protected:
  void SetUp() override {
    GTEST_FLAG_SET(death_test_style, "threadsafe");
  }
};

} // namespace

#define KT_DEATH_TEST(name, re)                                               \
  TEST_F(Misuse, name) {                                                      \
    EXPECT_DEATH(kt_death_##name(), "panic: .*" re);                     \
  }
KT_DEATHS(KT_DEATH_TEST)
#undef KT_DEATH_TEST
