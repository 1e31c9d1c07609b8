# The migrated (MP) reference stack, generated at build time.
#
# Included at the end of stack/CMakeLists.txt, after MPSAFE_STACK_SOURCES is
# complete.  mpsafe-rewrite applies stack/mpsafe-plan.yaml to the legacy
# sources into ${CMAKE_BINARY_DIR}/stack-mp (--out-dir: the sources are never
# touched), the reviewed patches of stack/mp/patches/ go on top, and
# mpsafe_stack_mp is compiled from that tree with the same source list as
# mpsafe_stack, so every test can link either library.
#
# Each earlier stage S of the plan gets the same treatment in
# ${CMAKE_BINARY_DIR}/stack-mp-S (library mpsafe_stack_mp_S), so that the
# stack suites run on every intermediate migration too (testsuite/stack,
# stage-S.* tests).
#
#   MPSAFE_MP_STAGE           the plan stage mpsafe_stack_mp is built at
#                             (default: the plan's last)
#   MPSAFE_STACK_STAGE_TESTS  also build one MP library per earlier stage
#                             (default ON; never in the TSan tree)
#   MPSAFE_REWRITE_EXE        an mpsafe-rewrite binary to use instead of this
#                             tree's (the TSan tree finds build/bin's itself)
#
# Global property MPSAFE_MP_STAGE_LIBS: "stage=target" for each per-stage
# library, in plan order.

include_guard(GLOBAL)
get_filename_component(_mp_stack ${CMAKE_CURRENT_LIST_DIR} DIRECTORY)
set(MPSAFE_MP_PLAN ${_mp_stack}/mpsafe-plan.yaml)
set(MPSAFE_MP_DIR ${CMAKE_BINARY_DIR}/stack-mp)
set(MPSAFE_MP_STAGE "" CACHE STRING
  "Stage of stack/mpsafe-plan.yaml the MP stack is built at (empty: the last)")
option(MPSAFE_STACK_STAGE_TESTS
  "Build the MP stack at every earlier plan stage and run the stack suites on each" ON)
set_property(GLOBAL PROPERTY MPSAFE_MP_STAGE_LIBS "")

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

# The plan's stages in order: the `- name:` lines under `stages:`.
file(STRINGS ${MPSAFE_MP_PLAN} _mp_lines)
set(_mp_in_stages FALSE)
set(MPSAFE_MP_STAGES "")
foreach(_l IN LISTS _mp_lines)
  if(_l MATCHES "^stages:")
    set(_mp_in_stages TRUE)
  elseif(_l MATCHES "^[a-z]")
    set(_mp_in_stages FALSE)
  elseif(_mp_in_stages AND _l MATCHES "^  - name: *([A-Za-z0-9_.-]+)")
    list(APPEND MPSAFE_MP_STAGES ${CMAKE_MATCH_1})
  endif()
endforeach()
set(MPSAFE_MP_LAST_STAGE "")
if(MPSAFE_MP_STAGES)
  list(GET MPSAFE_MP_STAGES -1 MPSAFE_MP_LAST_STAGE)
endif()
if(MPSAFE_MP_STAGE STREQUAL "")
  set(MPSAFE_MP_STAGE_USED ${MPSAFE_MP_LAST_STAGE})
else()
  set(MPSAFE_MP_STAGE_USED ${MPSAFE_MP_STAGE})
endif()

# Sources relative to stack/ (tcp.cmake appends absolute paths).
set(_mp_sources "")
set(_mp_inputs "")
foreach(_src IN LISTS MPSAFE_STACK_SOURCES)
  if(IS_ABSOLUTE ${_src})
    file(RELATIVE_PATH _src ${_mp_stack} ${_src})
  endif()
  list(APPEND _mp_sources ${_src})
  list(APPEND _mp_inputs ${_mp_stack}/${_src})
endforeach()
file(GLOB _mp_patches CONFIGURE_DEPENDS ${_mp_stack}/mp/patches/*.patch)
file(GLOB_RECURSE _mp_headers ${_mp_stack}/sys/*.h
  ${_mp_stack}/net/*.h ${_mp_stack}/netinet/*.h
  ${_mp_stack}/machine/*.h)

# mpsafe_stack_mp_stage(<stage> <target> <dir>): the stack migrated at plan
# stage <stage> (cumulative; "" = the plan's own default) into <dir>, the
# patches that belong to it applied (stack/mp/rewrite.cmake), compiled into
# the static library <target> (EXCLUDE_FROM_ALL: built when a test links
# it).  <target>_sources is the generation step alone.
function(mpsafe_stack_mp_stage stage target dir)
  set(_outputs "")
  foreach(_src IN LISTS _mp_sources)
    list(APPEND _outputs ${dir}/${_src})
  endforeach()
  add_custom_command(
    OUTPUT ${_outputs} ${dir}/rewrite.json
    COMMAND ${CMAKE_COMMAND}
      -DREWRITER=${_mp_rewriter}
      -DBUILD_DIR=${CMAKE_BINARY_DIR}
      -DPLAN=${MPSAFE_MP_PLAN}
      -DSTAGE=${stage}
      -DSRC_DIR=${_mp_stack}
      -DOUT_DIR=${dir}
      "-DSOURCES=${_mp_sources}"
      "-DPATCHES=${_mp_patches}"
      -P ${_mp_stack}/mp/rewrite.cmake
    DEPENDS ${_mp_rewriter_dep} ${MPSAFE_MP_PLAN} ${_mp_inputs} ${_mp_headers}
      ${_mp_patches} ${_mp_stack}/mp/rewrite.cmake
    COMMENT "mpsafe-rewrite: migrating the stack (stage ${stage}) into ${dir}"
    VERBATIM)
  add_custom_target(${target}_sources DEPENDS ${_outputs})

  # Built on demand (scripts/pipeline.sh, tests that link it): a stack
  # change that breaks the rewrite must not break everyone's build; the e2e
  # stage test catches it.
  add_library(${target} STATIC EXCLUDE_FROM_ALL ${_outputs}
    $<TARGET_OBJECTS:mpsafe_stack_host>)
  add_dependencies(${target} ${target}_sources)
  # The rewritten headers first; stack/ supplies the ones left as they were.
  target_include_directories(${target} BEFORE PRIVATE ${dir})
  target_link_libraries(${target} PRIVATE mpsafe_stack_headers)
  target_link_libraries(${target} PUBLIC mpsafe_kern Threads::Threads)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${_mp_stack}/include>)
  target_compile_options(${target} PRIVATE ${MPSAFE_STACK_C_OPTIONS})
  target_compile_definitions(${target} PUBLIC MPSAFE_STACK_MP)
  # The whole plan applied: what only the last stage gives (IP's netisr
  # handler MP-safe, so input runs in the interfaces' threads) is tested.
  if(stage STREQUAL MPSAFE_MP_LAST_STAGE)
    target_compile_definitions(${target} PUBLIC MPSAFE_STACK_MP_LAST)
  endif()
  if(INET_TCP)
    target_compile_definitions(${target} PRIVATE INET_TCP)
  endif()
endfunction()

mpsafe_stack_mp_stage("${MPSAFE_MP_STAGE_USED}" mpsafe_stack_mp ${MPSAFE_MP_DIR})

# Every stage before the last, for the stage-S.* stack tests.  Not in the
# ThreadSanitizer tree: the TSan job runs the final stage only.
if(MPSAFE_STACK_STAGE_TESTS AND NOT MPSAFE_TSAN)
  set(_mp_stage_libs "")
  foreach(_s IN LISTS MPSAFE_MP_STAGES)
    if(_s STREQUAL MPSAFE_MP_LAST_STAGE)
      continue()
    endif()
    string(MAKE_C_IDENTIFIER ${_s} _id)
    mpsafe_stack_mp_stage(${_s} mpsafe_stack_mp_${_id}
      ${CMAKE_BINARY_DIR}/stack-mp-${_s})
    list(APPEND _mp_stage_libs "${_s}=mpsafe_stack_mp_${_id}")
  endforeach()
  set_property(GLOBAL PROPERTY MPSAFE_MP_STAGE_LIBS "${_mp_stage_libs}")
endif()

# The demo on the MP stack: the pipeline's workload under witness.
if(EXISTS ${_mp_stack}/usr.sbin/stackdemo/stackdemo.c)
  add_executable(stackdemo-mp EXCLUDE_FROM_ALL ${_mp_stack}/usr.sbin/stackdemo/stackdemo.c)
  target_link_libraries(stackdemo-mp PRIVATE mpsafe_stack_mp)
  target_compile_definitions(stackdemo-mp PRIVATE _GNU_SOURCE)
  target_compile_options(stackdemo-mp PRIVATE -Wall -Wextra)
endif()
