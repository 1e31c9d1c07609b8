// A program linked with libwitness that takes two instrumented locks in the
// order its argument names ("ab" or "ba") and exits; its graph is written
// through WITNESS_GRAPH. Two runs with opposite orders see no cycle each.
#include "witness.h"

#include <cstring>

static void take(witness_lock *W, const char *File, int Line) {
  witness_checkorder(W, WITNESS_OP_EXCLUSIVE, File, Line);
  witness_acquired(W, WITNESS_OP_EXCLUSIVE, File, Line);
}

int main(int Argc, char **Argv) {
  witness_lock A, B;
  witness_init(&A, "merge_a", nullptr, WITNESS_KIND_SLEEP_MUTEX, 0);
  witness_init(&B, "merge_b", nullptr, WITNESS_KIND_SLEEP_MUTEX, 0);
  bool Ab = Argc > 1 && strcmp(Argv[1], "ab") == 0;
  witness_lock *First = Ab ? &A : &B, *Second = Ab ? &B : &A;
  take(First, Ab ? "proc_ab.c" : "proc_ba.c", 10);
  take(Second, Ab ? "proc_ab.c" : "proc_ba.c", 11);
  witness_released(Second, 0, "x.c", 12);
  witness_released(First, 0, "x.c", 13);
  return witness_report_count(-1) ? 1 : 0;
}
