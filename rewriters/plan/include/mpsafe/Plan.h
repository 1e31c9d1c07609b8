//===- Plan.h - the migration plan read and written as YAML ----*- C++ -*-===//
//
// A plan says how legacy synchronization becomes SMP locking: which locks
// exist, which spl sections each lock replaces, how counters, reference
// counts and sleeps are rewritten, and which modules migrate in which stage.
// mpsafe-scan --emit-plan writes a draft plan through writePlan();
// mpsafe-rewrite reads a reviewed one through readPlan(). The schema is
// documented with examples in docs/plan.md.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_PLAN_H
#define MPSAFE_PLAN_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace mpsafe {
namespace plan {

/// The lock primitive a plan lock becomes.
enum class LockKind { Mutex, SpinMutex, RW, SX };

/// Where a lock lives: one global object, or a field of every object of a
/// struct type (the lock of that object, e.g. the socket's).
enum class LockScope { Global, Field };

struct Lock {
  std::string Name; ///< plan name; the C identifier of a global lock
  LockKind Kind = LockKind::Mutex;
  LockScope Scope = LockScope::Global;
  std::string Struct;             ///< Field: struct tag that receives the field
  std::string Field;              ///< Field: member name (default: Name)
  std::string Witness;            ///< name given to mtx_init (default: Name)
  std::vector<std::string> Flags; ///< e.g. MTX_RECURSE, MTX_DUPOK
  std::string DefineIn;  ///< Global: file (root-relative) that defines it
  std::string DeclareIn; ///< Global: header that gets an extern declaration
  std::string InitIn;    ///< function whose body gets the init call
  std::string DestroyIn; ///< function whose body gets the destroy call
  /// Global: one lock per network stack instance (VNET_DEFINE), reached
  /// through the current instance as V_<name>; initialized and destroyed
  /// with each instance (init_in, destroy_in), as the per-instance data
  /// it covers.
  bool Vnet = false;
  unsigned Line = 0; ///< line in the plan file (0 when built in code)

  /// The member name of a Field lock, the C name of a Global one.
  std::string cName() const {
    return Scope == LockScope::Field && !Field.empty() ? Field : Name;
  }
  /// How code names a Global lock: its name, or V_<name> per instance.
  std::string globalRef() const { return Vnet ? "V_" + Name : Name; }
};

/// What a rule matches. Empty members match anything; a rule with several
/// members set matches only when all do. Patterns in File may use * and ?.
struct Match {
  std::string Function; ///< the function containing the section
  std::string File;     ///< root-relative path (glob)
  std::string Module;   ///< module name (see Plan::Modules)
  std::string Struct;   ///< a struct type the section touches
  std::string Level;    ///< spl level: splnet, splimp, ...
};

/// Maps the spl sections it matches to Lock. The first matching rule wins,
/// in plan order.
struct Rule {
  Match When;
  std::string Lock;
  unsigned Line = 0;
};

/// A per-site override: the section raised at File:SiteLine. Rewrite maps
/// it to Lock; Skip leaves it (a manual site); Drop removes the raise and
/// its splx without taking any lock, for a section whose data is protected
/// elsewhere (a reviewed decision: Note says why).
enum class SiteAction { Rewrite, Skip, Drop };
struct Site {
  std::string File;      ///< root-relative path
  unsigned SiteLine = 0; ///< line of the raise (s = splnet();)
  std::string Lock;      ///< lock for this site (Rewrite)
  /// For a field lock: the pointer expression whose lock to take (so),
  /// for a section that reaches its object only through calls.
  std::string Object;
  SiteAction Action = SiteAction::Rewrite;
  std::string Note; ///< reviewer note, carried into the report
  /// Lock hazards of this section a person has reviewed (reviewedChecks()
  /// names them): reported as assisted with Note instead of manual. A site
  /// that only acknowledges hazards names no lock: the rules still map it.
  std::vector<std::string> Reviewed;
  unsigned Line = 0;
};

/// The lock-hazard checks a site's `reviewed:` may name
/// ("destroy-under-lock", "nested-lock"; docs/rewrite.md).
const std::vector<std::string> &reviewedChecks();

enum class CounterForm { Atomic, Counter };

/// Statistics updates (x.f++, x.f += n) on global Variable, or on any
/// global of struct type Struct, become atomic(9) or counter(9) calls.
/// The VNET spelling V_x is the same variable x.  With Fields, Struct
/// names the struct whose listed fields are counters in every object,
/// reached through any pointer (ifp->if_ipackets++).
struct Counter {
  std::string Variable;
  std::string Struct;
  std::vector<std::string> Fields;
  CounterForm Form = CounterForm::Atomic;
  unsigned Line = 0;
};

/// Reference count Field of struct Struct becomes refcount(9).
struct Refcount {
  std::string Struct;
  std::string Field;
  unsigned Line = 0;
};

enum class SleepForm { MSleep, MtxSleep };

/// tsleep inside a section becomes msleep (or mtx_sleep) with the
/// section's lock as interlock; PDrop adds PDROP when the section ends
/// right after the sleep.
struct Sleeps {
  SleepForm Form = SleepForm::MSleep;
  bool PDrop = true;
  /// Functions that tsleep on behalf of their callers (sbwait): each
  /// gets a trailing `struct mtx *` parameter passed to msleep as the
  /// interlock, and every call passes its section's lock (NULL outside
  /// any section, a manual site).
  std::vector<std::string> Wrappers;
};

/// A module: a name and the root-relative directories (or files) it holds.
/// Files not covered by any module belong to the module named after their
/// directory relative to the root.
struct Module {
  std::string Name;
  std::vector<std::string> Paths;
  /// Modules that must leave Giant before this one may (the socket layer
  /// that calls a protocol's entry points without Giant once it is
  /// PR_MPSAFE).
  std::vector<std::string> Needs;
  /// The reviewer keeps the module under Giant although its sections
  /// migrate (plan `giant: true`): its protocol entries and interfaces stay
  /// unmarked, and so do those of the modules that need it.
  bool Giant = false;
  unsigned Line = 0;
};

/// A stage migrates Modules; stages are cumulative in plan order, so
/// "--stage ip" migrates the modules of every stage up to and including ip.
struct Stage {
  std::string Name;
  std::vector<std::string> Modules;
  unsigned Line = 0;
};

/// A macro whose body holds a whole spl section (or wraps spl calls) and is
/// rewritten at its definition, with Lock replacing the sections inside it.
struct Macro {
  std::string Name;
  std::string Lock;
  unsigned Line = 0;
};

struct Plan {
  unsigned Version = 1;
  std::string Target = "freebsd"; ///< a profile name (see Profile)
  std::string Root; ///< paths are relative to it; "" = the plan's directory
  bool Annotations =
      false; ///< thread-safety annotations (read; not applied yet)
  /// Mark migrated modules' protosw entries PR_MPSAFE and drop their
  /// interfaces' IFF_NEEDSGIANT (not for a module with manual sites).
  bool MarkMpsafe = true;
  std::vector<Module> Modules;
  std::vector<Lock> Locks;
  std::vector<Rule> Rules;
  std::vector<Site> Sites;
  std::vector<Counter> Counters;
  std::vector<Refcount> Refcounts;
  Sleeps Sleep;
  std::vector<Stage> Stages;
  std::vector<Macro> Macros;

  /// Set by readPlan: the plan file, used to name it in errors.
  std::string Path;

  const Lock *findLock(llvm::StringRef Name) const;
  const Stage *findStage(llvm::StringRef Name) const;
};

/// The lock, sleep, atomic and refcount spellings of one target OS.
struct Profile {
  const char *Name;
  const char *LockType[4];   ///< by LockKind: "struct mtx", ...
  const char *LockCall[4];   ///< exclusive acquire by LockKind
  const char *UnlockCall[4]; ///< release by LockKind
  const char *InitCall[4];   ///< init by LockKind
  const char *DestroyCall[4];
  const char *AssertOwned; ///< mtx_assert(m, MA_OWNED) or equivalent
  const char *MSleep;      ///< sleep with a mutex interlock
  const char *MtxSleep;    ///< alternative spelling (mtx_sleep)
  /// Sleep with an rw or sx lock as interlock (by LockKind; null where a
  /// sleep is not allowed, as under a spin mutex).
  const char *LockSleep[4];
  const char *PDrop;                ///< flag that drops the interlock on return
  const char *AtomicAddPrefix;      ///< "atomic_add_" + int/long/32/64
  const char *AtomicSubtractPrefix; ///< "atomic_subtract_" + ...
  const char *CounterAdd;           ///< counter_u64_add
  const char *CounterType;          ///< counter_u64_t
  const char *RefAcquire, *RefRelease, *RefInit;
  const char *RefLoad; ///< a plain read of the count (refcount_load)
  const char *LockHeaders[4]; ///< includes the lock calls need, by LockKind
  const char *AtomicHeaders;
  const char *CounterHeaders;
  const char *RefcountHeaders;
  const char *VnetDefine, *VnetDeclare, *VnetAccess; ///< VNET_DEFINE...
  const char *VnetHeaders;
};

/// The profile of a target name, or null when unknown. "freebsd" is
/// complete; the table is where "netbsd" and "openbsd" go.
const Profile *findProfile(llvm::StringRef Target);

/// Reads and validates a plan. Errors are "PLAN:LINE:COL: error: ..." for
/// bad YAML, unknown keys, bad enum values, references to unknown locks or
/// stages, and missing required fields; every error is listed.
llvm::Expected<Plan> readPlan(llvm::StringRef Path);
/// Same, from text; Path only names the plan in messages.
llvm::Expected<Plan> parsePlan(llvm::StringRef Text, llvm::StringRef Path);

/// Validation alone (readPlan calls it).
llvm::Error validatePlan(const Plan &P);

/// Writes P as YAML that readPlan reads back to an equal plan.
void writePlan(llvm::raw_ostream &OS, const Plan &P);
/// Writes to Path atomically (temporary file, then rename).
llvm::Error writePlanFile(llvm::StringRef Path, const Plan &P);

/// The module a root-relative path belongs to under P's module table.
std::string moduleOf(const Plan &P, llvm::StringRef RelPath);

/// The modules migrated when running stage StageName ("" = all modules, or
/// every stage when the plan has stages). Empty result with AllModules set
/// means no restriction.
std::vector<std::string> stageModules(const Plan &P, llvm::StringRef StageName,
                                      bool &AllModules);

const char *lockKindName(LockKind K);
const char *counterFormName(CounterForm F);

} // namespace plan
} // namespace mpsafe

#endif // MPSAFE_PLAN_H
