// The kern scenarios (C, scen_*.c) as GoogleTest tests: one TEST per
// scenario, named Group.Name.  A failing scenario reports the file, line
// and condition that failed.
#include <gtest/gtest.h>

#include "kt.h"

#define KT_TEST(group, name)                                                  \
  TEST(group, name) { EXPECT_EQ(0, kt_##group##_##name()) << kt_error(); }
KT_SCENARIOS(KT_TEST)
#undef KT_TEST
