# TCP (issue 5), included by stack/CMakeLists.txt: the sources join
# mpsafe_stack, and INET_TCP turns on TCP's protosw entry in in_proto.c.
list(APPEND MPSAFE_TCP_SOURCES
  ${CMAKE_CURRENT_LIST_DIR}/tcp_input.c
  ${CMAKE_CURRENT_LIST_DIR}/tcp_output.c
  ${CMAKE_CURRENT_LIST_DIR}/tcp_reass.c
  ${CMAKE_CURRENT_LIST_DIR}/tcp_subr.c
  ${CMAKE_CURRENT_LIST_DIR}/tcp_timer.c
  ${CMAKE_CURRENT_LIST_DIR}/tcp_usrreq.c
)
set(INET_TCP ON)
