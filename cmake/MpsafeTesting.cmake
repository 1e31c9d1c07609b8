# mpsafe_add_gtest(NAME
#     SOURCES src...            test sources
#     LIBS lib...               libraries to link (GTest::gtest_main is added)
#     LABELS label...           ctest labels: kern witness stack tcp analyzers
#                               rewriters e2e net
#     [TSAN]                    also built in the ThreadSanitizer tree, where
#                               its tests get the extra label "tsan"
#     [TIMEOUT seconds])        per-test timeout (default 300)
#
# Each TEST() becomes its own ctest test (gtest_discover_tests, discovered at
# test time so the build never runs test binaries). Every test process runs
# with WITNESS_FAIL=1: it exits non-zero when witness reported anything,
# even if every assertion passed (suites that trigger reports on purpose
# turn it off through witness_set_fail_mode()). WITNESS_GRAPH and the other
# WITNESS_* variables of the calling environment pass through (docs/witness.md).
include(GoogleTest)

function(mpsafe_add_gtest name)
  cmake_parse_arguments(T "TSAN" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(MPSAFE_TSAN AND NOT T_TSAN)
    return()
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set(labels ${T_LABELS})
  set(prefix "")
  if(MPSAFE_TSAN)
    list(APPEND labels tsan)
    set(prefix "tsan.")
  endif()
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock Threads::Threads)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name}
    TEST_PREFIX "${prefix}${name}."
    DISCOVERY_MODE PRE_TEST)
  # gtest_discover_tests flattens list-valued PROPERTIES (two labels, two
  # variables), so the properties are set by a script that ctest runs after
  # the discovered test list (${name}_TESTS) is known.
  set(env "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1" "WITNESS_FAIL=1")
  set(props ${CMAKE_CURRENT_BINARY_DIR}/${name}_properties.cmake)
  file(WRITE ${props}
    "if(${name}_TESTS)\n"
    "  set_tests_properties(\${${name}_TESTS} PROPERTIES\n"
    "    LABELS \"${labels}\" TIMEOUT ${T_TIMEOUT} ENVIRONMENT \"${env}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${props})
endfunction()
