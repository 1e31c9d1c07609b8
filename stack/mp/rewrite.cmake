# cmake -P script behind mp.cmake: rewrite the stack into OUT_DIR, then
# apply the reviewed patches.  The new tree is built beside OUT_DIR and
# renamed over it at the end, so a failed step never leaves a tree that
# looks complete.
#
# In: REWRITER BUILD_DIR PLAN STAGE SRC_DIR OUT_DIR SOURCES PATCHES

set(_tmp ${OUT_DIR}.new)
file(REMOVE_RECURSE ${_tmp})
file(MAKE_DIRECTORY ${_tmp})

set(_files "")
foreach(_s IN LISTS SOURCES)
  list(APPEND _files ${SRC_DIR}/${_s})
endforeach()

set(_stage_args "")
if(NOT STAGE STREQUAL "")
  set(_stage_args --stage ${STAGE})
endif()

execute_process(
  COMMAND ${REWRITER} -p ${BUILD_DIR} --plan ${PLAN} ${_stage_args}
    --out-dir ${_tmp} --format json -o ${_tmp}/rewrite.json ${_files}
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _err)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "mpsafe-rewrite failed (exit ${_rc}) on ${PLAN}:\n${_out}${_err}\n"
    "the report is in ${_tmp}/rewrite.json")
endif()

# A source the plan leaves untouched is still part of the MP stack.
foreach(_s IN LISTS SOURCES)
  if(NOT EXISTS ${_tmp}/${_s})
    get_filename_component(_d ${_tmp}/${_s} DIRECTORY)
    file(MAKE_DIRECTORY ${_d})
    file(COPY ${SRC_DIR}/${_s} DESTINATION ${_d})
  endif()
endforeach()

find_program(_patch patch)
list(SORT PATCHES)
set(_applied "")
set(_skipped "")
foreach(_p IN LISTS PATCHES)
  # A patch belongs to the stage that migrates its files: at an earlier
  # stage every file it names is still the legacy one, and it is skipped.
  # A patch with one migrated file must apply.
  file(STRINGS ${_p} _targets REGEX "^\\+\\+\\+ ")
  set(_migrated FALSE)
  foreach(_t IN LISTS _targets)
    string(REGEX REPLACE "^\\+\\+\\+ b/([^\t ]+).*" "\\1" _t "${_t}")
    if(NOT EXISTS ${_tmp}/${_t})
      # A header the rewriter left alone: the build reads stack/'s.
    elseif(NOT EXISTS ${SRC_DIR}/${_t})
      set(_migrated TRUE)
    else()
      file(SHA256 ${SRC_DIR}/${_t} _old)
      file(SHA256 ${_tmp}/${_t} _new)
      if(NOT _old STREQUAL _new)
        set(_migrated TRUE)
      endif()
    endif()
  endforeach()
  if(NOT _migrated)
    get_filename_component(_n ${_p} NAME)
    list(APPEND _skipped ${_n})
    message(STATUS "stack/mp: ${_n} skipped: stage ${STAGE} leaves its files as they were")
    continue()
  endif()
  if(NOT _patch)
    message(FATAL_ERROR "patch(1) is needed to apply ${_p}")
  endif()
  execute_process(
    COMMAND ${_patch} -p1 --forward --batch --no-backup-if-mismatch
      -d ${_tmp} -i ${_p}
    RESULT_VARIABLE _rc
    OUTPUT_VARIABLE _out
    ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "stack/mp: ${_p} does not apply to the rewritten tree:\n"
      "${_out}${_err}the rewriter's output changed: refresh the patch (MIGRATION.md)")
  endif()
  get_filename_component(_n ${_p} NAME)
  list(APPEND _applied ${_n})
endforeach()
file(GLOB_RECURSE _rejects ${_tmp}/*.rej ${_tmp}/*.orig)
if(_rejects)
  file(REMOVE ${_rejects})
endif()
string(REPLACE ";" "\n" _applied "${_applied}")
file(WRITE ${_tmp}/patches-applied.txt "${_applied}\n")
string(REPLACE ";" "\n" _skipped "${_skipped}")
file(WRITE ${_tmp}/patches-skipped.txt "${_skipped}\n")

file(REMOVE_RECURSE ${OUT_DIR})
file(RENAME ${_tmp} ${OUT_DIR})
