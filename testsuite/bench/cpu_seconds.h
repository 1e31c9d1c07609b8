// CPU seconds (user + system) of this process and its children: the
// benchmarks that run tools measure CPU time, not wall time, because the
// machine running them is often shared.
#ifndef MPSAFE_BENCH_CPU_SECONDS_H
#define MPSAFE_BENCH_CPU_SECONDS_H

#include <initializer_list>
#include <sys/resource.h>

inline double cpuSeconds() {
  double T = 0;
  for (int Who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    struct rusage U;
    getrusage(Who, &U);
    T += U.ru_utime.tv_sec + U.ru_utime.tv_usec / 1e6 + U.ru_stime.tv_sec +
         U.ru_stime.tv_usec / 1e6;
  }
  return T;
}

#endif
