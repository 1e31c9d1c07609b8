//===- report.cc - emitting reports -----------------------------*- C++ -*-===//
//
// A report goes to stderr as text and to the JSON-lines file as one object
// per line, after the policy of its check and deduplication on its key.
//
//===----------------------------------------------------------------------===//
#include "report.h"

#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace witness {

std::string jsonString(const std::string &S) {
  std::string Out = "\"";
  for (unsigned char C : S) {
    switch (C) {
    case '"':
      Out += "\\\"";
      break;
    case '\\':
      Out += "\\\\";
      break;
    case '\n':
      Out += "\\n";
      break;
    case '\t':
      Out += "\\t";
      break;
    default:
      if (C < 0x20) {
        char Buf[8];
        snprintf(Buf, sizeof Buf, "\\u%04x", C);
        Out += Buf;
      } else {
        Out += char(C);
      }
    }
  }
  return Out + "\"";
}

std::string siteOf(const char *File, int Line) {
  if (!File)
    return "?";
  if (Line <= 0) // a code address named by witness_preload
    return File;
  return std::string(File) + ":" + std::to_string(Line);
}

static const char *modeName(unsigned Mode) {
  if (Mode & WITNESS_OP_SHARED)
    return "shared";
  if (Mode & WITNESS_OP_EXCLUSIVE)
    return "exclusive";
  return "";
}

std::string Report::lockText(const Class *C, const char *Instance) {
  std::string S = "\"" + (C ? C->Name : std::string("?")) + "\"";
  if (Instance && C && C->Name != Instance)
    S += " (" + std::string(Instance) + ")";
  if (C)
    S += std::string(" [") + kindName(C->Kind) + "]";
  return S;
}

std::string Report::lockJson(const Class *C, const char *Instance,
                             const std::string &Site, unsigned Mode) {
  std::string J = "{\"class\":" + jsonString(C ? C->Name : "?") +
                  ",\"instance\":" + jsonString(Instance ? Instance : "") +
                  ",\"kind\":" + jsonString(C ? kindName(C->Kind) : "?") +
                  ",\"site\":" + jsonString(Site);
  if (Mode)
    J += ",\"mode\":" + jsonString(modeName(Mode));
  return J + "}";
}

void Report::heldLocks(const ThreadState *T) {
  std::string J = "[";
  if (!T || T->wt_n == 0)
    line("no locks held");
  else
    line("locks held by thread " + std::to_string(T->wt_tid) + ":");
  for (unsigned I = 0; T && I < T->wt_n; ++I) {
    const Held &H = heldList(T)[I];
    std::string Site = siteOf(H.wh_file, H.wh_line);
    std::string L = "  " + std::string(modeName(modeOf(H))) + " " +
                    lockText(classOf(H), H.wh_lock->w_name) + " locked @ " +
                    Site;
    if (recursionOf(H))
      L += " (recursed " + std::to_string(recursionOf(H)) + ")";
    if (triedOf(H))
      L += " (try)";
    line(L);
    J += std::string(I ? "," : "") +
         lockJson(classOf(H), H.wh_lock->w_name, Site, modeOf(H));
  }
  if (T && T->wt_overflow)
    line("  ... and " + std::to_string(T->wt_overflow) +
         " more beyond the held-lock capacity");
  rawField("held", J + "]");
}

static std::string dedupKey(witness_check Check, const std::string &Key) {
  return std::string(witness_check_name(Check)) + "|" + Key;
}

bool wanted(State &S, witness_check Check, const std::string &Key) {
  if (S.Policy[Check].load(std::memory_order_relaxed) == WITNESS_POLICY_IGNORE)
    return false;
  Guard G(S.ReportMu);
  return !S.Seen.count(dedupKey(Check, Key));
}

void emit(State &S, Report &R) {
  int Policy = S.Policy[R.Check].load(std::memory_order_relaxed);
  if (Policy == WITNESS_POLICY_IGNORE)
    return;
  std::string Text, Json;
  {
    Guard G(S.ReportMu);
    if (!S.Seen.insert(dedupKey(R.Check, R.Key)).second)
      return;
    S.Count[R.Check].fetch_add(1, std::memory_order_relaxed);
    const char *PolicyName = Policy == WITNESS_POLICY_ABORT ? "abort" : "warn";
    Text = "witness: " + R.Headline + "\n";
    for (const std::string &L : R.Lines)
      Text += "  " + L + "\n";
    Json =
        "{\"witness\":1,\"check\":" + jsonString(witness_check_name(R.Check)) +
        ",\"policy\":" + jsonString(PolicyName) +
        ",\"pid\":" + std::to_string(getpid()) +
        ",\"tid\":" + std::to_string(currentTid()) +
        ",\"message\":" + jsonString(R.Headline) + R.Fields + "}\n";
    if (S.JsonFd >= 0 &&
        write(S.JsonFd, Json.data(), Json.size()) != ssize_t(Json.size()))
      Text += "  (witness: short write to the JSON report file)\n";
  }
  if (S.Text || Policy == WITNESS_POLICY_ABORT) {
    ssize_t Rc = write(STDERR_FILENO, Text.data(), Text.size());
    (void)Rc;
  }
  if (Policy == WITNESS_POLICY_ABORT) {
    static const char Msg[] = "witness: policy is abort; aborting\n";
    ssize_t Rc = write(STDERR_FILENO, Msg, sizeof Msg - 1);
    (void)Rc;
    abort();
  }
}

void exhausted(State &S, Capacity C, const char *WhatIsLost) {
  if (S.Exhausted[C].exchange(true))
    return;
  std::string Name = capacityName(C);
  Report R(WITNESS_CHECK_EXHAUSTED, Name,
           "CAPACITY EXHAUSTED: " + Name + " (limit " +
               std::to_string(S.Cap[C].load()) + "); " + WhatIsLost +
               "; checking goes on; raise it with WITNESS_CAPACITY=" + Name +
               "=N");
  R.field("capacity", Name);
  R.rawField("limit", std::to_string(S.Cap[C].load()));
  emit(S, R);
}

} // namespace witness
