//===- Facts.h - what mpsafe-scan learns from one translation unit -*- C++ -*-//
//
// Facts are the per-TU result of the extractor: plain data, serialisable to
// JSON, so they can be cached by content hash, written by a shard and merged
// later. Rules turn the merged facts of all TUs into findings.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_SCAN_FACTS_H
#define MPSAFE_SCAN_FACTS_H

#include "mpsafe/Report.h"
#include "llvm/Support/JSON.h"
#include <string>
#include <vector>

namespace mpsafe {
namespace scan {

/// A paired spl section: a raise saved in Var and its splx() through Var.
struct SectionFact {
  std::string Function, Level, Var;
  Location Raise;
  std::vector<Location> Lowers; ///< every splx() that closes it
  unsigned Depth = 0;           ///< 0 = outermost
  std::string Outer;            ///< level of the enclosing section, if any
};

/// A local spl defect or a cross-function event found by the dataflow.
struct SplEventFact {
  /// unbalanced | never-raised | out-of-order | raise-escapes |
  /// lowered-in-callee | lowers-foreign
  std::string Kind;
  std::string Function, Level, Var, Other; ///< Other: callee, other var...
  Location Loc, Related;
};

/// tsleep/msleep/mtx_sleep/wakeup/wakeup_one/sbwait/pause sites.
struct SleepFact {
  std::string Function, Kind, Channel, Wmesg, Timeout, Interlock, Level;
  bool IsWakeup = false, Pcatch = false, InLoop = false;
  std::vector<std::string> Held; ///< mutexes held (shapes), Giant excluded
  Location Loc;
};

/// One read or write of a global (Global is its key: name, or
/// "file.c:name" for a file-static).
struct AccessFact {
  std::string Global, Path, Function, Kind, Level;
  bool ValueUsed = false; ///< ++/-- whose value is used (refcount idiom)
  Location Loc;
};

struct GlobalFact {
  std::string Key, Name, Type;
  bool Static = false, Pointer = false, ListHead = false, Vnet = false;
  Location Loc;
};

/// A struct field touched inside an spl section.
struct FieldFact {
  std::string Struct, Field, Function, Level;
  bool Write = false;
  Location Loc;
};

/// A call site (call graph edge). WaitOk: an allocation that may sleep.
struct CallFact {
  std::string Caller, Callee, Level;
  bool WaitOk = false;
  std::vector<std::string> Held;
  Location Loc;
};

struct FunctionFact {
  std::string Key, Name;
  Location Loc;
};

struct TUFacts {
  std::string File;
  std::vector<FunctionFact> Functions;
  std::vector<SectionFact> Sections;
  std::vector<SplEventFact> SplEvents;
  std::vector<SleepFact> Sleeps;
  std::vector<GlobalFact> Globals;
  std::vector<AccessFact> Accesses;
  std::vector<FieldFact> Fields;
  std::vector<CallFact> Calls;
};

llvm::json::Value toJSON(const TUFacts &F);
bool fromJSON(const llvm::json::Value &V, TUFacts &F, llvm::json::Path P);

/// Access kinds, as stored in AccessFact::Kind.
namespace access {
constexpr const char *Read = "read";
constexpr const char *Inc = "inc";       // ++, --
constexpr const char *AddSub = "addsub"; // +=, -=
constexpr const char *Or = "or";         // |=
constexpr const char *And = "and";       // &=
constexpr const char *Assign = "assign"; // = and other compound forms
constexpr const char *Addr = "addr";     // &x, array decay, passed by ref
} // namespace access

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_SCAN_FACTS_H
