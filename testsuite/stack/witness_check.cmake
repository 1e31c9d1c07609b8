# ctest's last stack test (cmake -P): witness-check over the lock graph of
# every stack test process of this run, against the declared order.  A new
# reversal fails it; witness-check's output names both acquisition sites.
#
# In: WITNESS_CHECK ORDER GRAPHS (directory of *.graph) DOT (output)
#     or RESET=1 GRAPHS: empty the directory (the fixture's setup)

if(RESET)
  file(REMOVE_RECURSE ${GRAPHS})
  file(MAKE_DIRECTORY ${GRAPHS})
  return()
endif()

file(GLOB _graphs ${GRAPHS}/*.graph)
list(LENGTH _graphs _n)
if(_n EQUAL 0)
  message(FATAL_ERROR "stack.witness_check: no lock graph in ${GRAPHS}: "
    "the stack tests did not run in this ctest invocation, or witness did "
    "not write WITNESS_GRAPH (built without MPSAFE_WITNESS?)")
endif()
list(SORT _graphs)
execute_process(
  COMMAND ${WITNESS_CHECK} --order ${ORDER} --dot ${DOT} ${_graphs}
  RESULT_VARIABLE _rc
  OUTPUT_VARIABLE _out
  ERROR_VARIABLE _out)
message("${_out}")
message("stack.witness_check: ${_n} graph(s) in ${GRAPHS}; lock graph: ${DOT}")
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "witness-check failed (exit ${_rc}) against ${ORDER}")
endif()
