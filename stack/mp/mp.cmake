# The migrated (MP) reference stack, generated at build time.
#
# Included at the end of stack/CMakeLists.txt, after MPSAFE_STACK_SOURCES is
# complete.  mpsafe-rewrite applies stack/mpsafe-plan.yaml to the legacy
# sources into ${CMAKE_BINARY_DIR}/stack-mp (--out-dir: the sources are never
# touched), the reviewed patches of stack/mp/patches/ go on top, and
# mpsafe_stack_mp is compiled from that tree with the same source list as
# mpsafe_stack, so every test can link either library.
#
#   MPSAFE_MP_STAGE      the plan stage to build (default: the plan's last)
#   MPSAFE_REWRITE_EXE   an mpsafe-rewrite binary to use instead of this
#                        tree's (the TSan tree finds build/bin's itself)

include_guard(GLOBAL)
get_filename_component(_mp_stack ${CMAKE_CURRENT_LIST_DIR} DIRECTORY)
set(MPSAFE_MP_PLAN ${_mp_stack}/mpsafe-plan.yaml)
set(MPSAFE_MP_DIR ${CMAKE_BINARY_DIR}/stack-mp)
set(MPSAFE_MP_STAGE "" CACHE STRING
  "Stage of stack/mpsafe-plan.yaml the MP stack is built at (empty: the last)")

# The rewriter: one named by MPSAFE_REWRITE_EXE, else this tree's target,
# else the main tree's binary (the TSan tree lives in build/tsan).
set(_mp_rewriter "")
set(_mp_rewriter_dep "")
if(NOT MPSAFE_REWRITE_EXE AND NOT Clang_FOUND)
  get_filename_component(_mp_parent ${CMAKE_BINARY_DIR} DIRECTORY)
  find_program(MPSAFE_REWRITE_EXE mpsafe-rewrite
    HINTS ${_mp_parent}/bin NO_DEFAULT_PATH)
endif()
if(MPSAFE_REWRITE_EXE)
  set(_mp_rewriter ${MPSAFE_REWRITE_EXE})
  set(_mp_rewriter_dep ${MPSAFE_REWRITE_EXE})
elseif(Clang_FOUND)
  set(_mp_rewriter $<TARGET_FILE:mpsafe-rewrite>)
  set(_mp_rewriter_dep mpsafe-rewrite)
endif()

if(_mp_rewriter STREQUAL "")
  message(STATUS "mpsafe: no mpsafe-rewrite in this tree; mpsafe_stack_mp skipped")
  return()
endif()

if(MPSAFE_MP_STAGE STREQUAL "")
  # The last `- name:` under `stages:` in the plan.
  file(STRINGS ${MPSAFE_MP_PLAN} _mp_lines)
  set(_mp_in_stages FALSE)
  foreach(_l IN LISTS _mp_lines)
    if(_l MATCHES "^stages:")
      set(_mp_in_stages TRUE)
    elseif(_l MATCHES "^[a-z]")
      set(_mp_in_stages FALSE)
    elseif(_mp_in_stages AND _l MATCHES "^  - name: *([A-Za-z0-9_.-]+)")
      set(MPSAFE_MP_STAGE_USED ${CMAKE_MATCH_1})
    endif()
  endforeach()
else()
  set(MPSAFE_MP_STAGE_USED ${MPSAFE_MP_STAGE})
endif()

# Sources relative to stack/ (tcp.cmake appends absolute paths).
set(_mp_sources "")
set(_mp_inputs "")
set(_mp_outputs "")
foreach(_src IN LISTS MPSAFE_STACK_SOURCES)
  if(IS_ABSOLUTE ${_src})
    file(RELATIVE_PATH _src ${_mp_stack} ${_src})
  endif()
  list(APPEND _mp_sources ${_src})
  list(APPEND _mp_inputs ${_mp_stack}/${_src})
  list(APPEND _mp_outputs ${MPSAFE_MP_DIR}/${_src})
endforeach()
file(GLOB _mp_patches CONFIGURE_DEPENDS ${_mp_stack}/mp/patches/*.patch)
file(GLOB_RECURSE _mp_headers ${_mp_stack}/sys/*.h
  ${_mp_stack}/net/*.h ${_mp_stack}/netinet/*.h
  ${_mp_stack}/machine/*.h)

add_custom_command(
  OUTPUT ${_mp_outputs} ${MPSAFE_MP_DIR}/rewrite.json
  COMMAND ${CMAKE_COMMAND}
    -DREWRITER=${_mp_rewriter}
    -DBUILD_DIR=${CMAKE_BINARY_DIR}
    -DPLAN=${MPSAFE_MP_PLAN}
    -DSTAGE=${MPSAFE_MP_STAGE_USED}
    -DSRC_DIR=${_mp_stack}
    -DOUT_DIR=${MPSAFE_MP_DIR}
    "-DSOURCES=${_mp_sources}"
    "-DPATCHES=${_mp_patches}"
    -P ${_mp_stack}/mp/rewrite.cmake
  DEPENDS ${_mp_rewriter_dep} ${MPSAFE_MP_PLAN} ${_mp_inputs} ${_mp_headers}
    ${_mp_patches} ${_mp_stack}/mp/rewrite.cmake
  COMMENT "mpsafe-rewrite: migrating the stack (stage ${MPSAFE_MP_STAGE_USED})"
  VERBATIM)
add_custom_target(mpsafe_stack_mp_sources DEPENDS ${_mp_outputs})

# Built on demand (scripts/pipeline.sh, tests that link it): a stack change
# that breaks the rewrite must not break everyone's build; the e2e stage
# test catches it.
add_library(mpsafe_stack_mp STATIC EXCLUDE_FROM_ALL ${_mp_outputs}
  $<TARGET_OBJECTS:mpsafe_stack_host>)
add_dependencies(mpsafe_stack_mp mpsafe_stack_mp_sources)
# The rewritten headers first; stack/ supplies the ones left as they were.
target_include_directories(mpsafe_stack_mp BEFORE PRIVATE ${MPSAFE_MP_DIR})
target_link_libraries(mpsafe_stack_mp PRIVATE mpsafe_stack_headers)
target_link_libraries(mpsafe_stack_mp PUBLIC mpsafe_kern Threads::Threads)
target_include_directories(mpsafe_stack_mp PUBLIC
  $<BUILD_INTERFACE:${_mp_stack}/include>)
target_compile_options(mpsafe_stack_mp PRIVATE ${MPSAFE_STACK_C_OPTIONS})
target_compile_definitions(mpsafe_stack_mp PUBLIC MPSAFE_STACK_MP)
if(INET_TCP)
  target_compile_definitions(mpsafe_stack_mp PRIVATE INET_TCP)
endif()

# The demo on the MP stack: the pipeline's workload under witness.
if(EXISTS ${_mp_stack}/usr.sbin/stackdemo/stackdemo.c)
  add_executable(stackdemo-mp EXCLUDE_FROM_ALL ${_mp_stack}/usr.sbin/stackdemo/stackdemo.c)
  target_link_libraries(stackdemo-mp PRIVATE mpsafe_stack_mp)
  target_compile_definitions(stackdemo-mp PRIVATE _GNU_SOURCE)
  target_compile_options(stackdemo-mp PRIVATE -Wall -Wextra)
endif()
