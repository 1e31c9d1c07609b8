//===- Plan.cpp - the migration plan: YAML I/O, validation, profiles ------===//

#include "mpsafe/Plan.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/YAMLParser.h"
#include "llvm/Support/YAMLTraits.h"

using namespace mpsafe::plan;
using llvm::Error;
using llvm::Expected;
using llvm::StringRef;

namespace {
/// Context handed to the YAML mapping functions while reading: it turns a
/// node's position in the buffer into a line of the plan file.
struct ReadContext {
  StringRef Buffer;
  unsigned lineOf(llvm::yaml::IO &IO) const {
    if (IO.outputting())
      return 0;
    const llvm::yaml::Node *N =
        static_cast<llvm::yaml::Input &>(IO).getCurrentNode();
    if (!N)
      return 0;
    const char *P = N->getSourceRange().Start.getPointer();
    if (!P || P < Buffer.begin() || P > Buffer.end())
      return 0;
    return 1 + StringRef(Buffer.begin(), P - Buffer.begin()).count('\n');
  }
};

unsigned lineOf(llvm::yaml::IO &IO) {
  auto *Ctx = static_cast<ReadContext *>(IO.getContext());
  return Ctx ? Ctx->lineOf(IO) : 0;
}
} // namespace

LLVM_YAML_IS_SEQUENCE_VECTOR(Module)
LLVM_YAML_IS_SEQUENCE_VECTOR(Lock)
LLVM_YAML_IS_SEQUENCE_VECTOR(Rule)
LLVM_YAML_IS_SEQUENCE_VECTOR(Site)
LLVM_YAML_IS_SEQUENCE_VECTOR(Counter)
LLVM_YAML_IS_SEQUENCE_VECTOR(Refcount)
LLVM_YAML_IS_SEQUENCE_VECTOR(Stage)
LLVM_YAML_IS_SEQUENCE_VECTOR(Macro)

namespace llvm {
namespace yaml {

template <> struct ScalarEnumerationTraits<LockKind> {
  static void enumeration(IO &IO, LockKind &K) {
    IO.enumCase(K, "mutex", LockKind::Mutex);
    IO.enumCase(K, "spin", LockKind::SpinMutex);
    IO.enumCase(K, "rw", LockKind::RW);
    IO.enumCase(K, "sx", LockKind::SX);
  }
};
template <> struct ScalarEnumerationTraits<LockScope> {
  static void enumeration(IO &IO, LockScope &S) {
    IO.enumCase(S, "global", LockScope::Global);
    IO.enumCase(S, "field", LockScope::Field);
  }
};
template <> struct ScalarEnumerationTraits<SiteAction> {
  static void enumeration(IO &IO, SiteAction &A) {
    IO.enumCase(A, "rewrite", SiteAction::Rewrite);
    IO.enumCase(A, "skip", SiteAction::Skip);
    IO.enumCase(A, "drop", SiteAction::Drop);
  }
};
template <> struct ScalarEnumerationTraits<CounterForm> {
  static void enumeration(IO &IO, CounterForm &F) {
    IO.enumCase(F, "atomic", CounterForm::Atomic);
    IO.enumCase(F, "counter", CounterForm::Counter);
  }
};
template <> struct ScalarEnumerationTraits<SleepForm> {
  static void enumeration(IO &IO, SleepForm &F) {
    IO.enumCase(F, "msleep", SleepForm::MSleep);
    IO.enumCase(F, "mtx_sleep", SleepForm::MtxSleep);
  }
};

template <> struct MappingTraits<Module> {
  static void mapping(IO &IO, Module &M) {
    M.Line = lineOf(IO);
    IO.mapRequired("name", M.Name);
    IO.mapOptional("paths", M.Paths);
    IO.mapOptional("needs", M.Needs);
    IO.mapOptional("giant", M.Giant, false);
  }
};

template <> struct MappingTraits<Lock> {
  static void mapping(IO &IO, Lock &L) {
    L.Line = lineOf(IO);
    IO.mapRequired("name", L.Name);
    IO.mapOptional("kind", L.Kind, LockKind::Mutex);
    IO.mapOptional("scope", L.Scope, LockScope::Global);
    IO.mapOptional("struct", L.Struct, std::string());
    IO.mapOptional("field", L.Field, std::string());
    IO.mapOptional("witness", L.Witness, std::string());
    IO.mapOptional("flags", L.Flags);
    IO.mapOptional("define_in", L.DefineIn, std::string());
    IO.mapOptional("declare_in", L.DeclareIn, std::string());
    IO.mapOptional("init_in", L.InitIn, std::string());
    IO.mapOptional("destroy_in", L.DestroyIn, std::string());
    IO.mapOptional("vnet", L.Vnet, false);
  }
};

template <> struct MappingTraits<Rule> {
  static void mapping(IO &IO, Rule &R) {
    R.Line = lineOf(IO);
    IO.mapRequired("lock", R.Lock);
    IO.mapOptional("function", R.When.Function, std::string());
    IO.mapOptional("file", R.When.File, std::string());
    IO.mapOptional("module", R.When.Module, std::string());
    IO.mapOptional("struct", R.When.Struct, std::string());
    IO.mapOptional("level", R.When.Level, std::string());
  }
};

template <> struct MappingTraits<Site> {
  static void mapping(IO &IO, Site &S) {
    S.Line = lineOf(IO);
    IO.mapRequired("file", S.File);
    IO.mapRequired("line", S.SiteLine);
    IO.mapOptional("action", S.Action, SiteAction::Rewrite);
    IO.mapOptional("lock", S.Lock, std::string());
    IO.mapOptional("object", S.Object, std::string());
    IO.mapOptional("note", S.Note, std::string());
    IO.mapOptional("reviewed", S.Reviewed);
  }
};

template <> struct MappingTraits<Counter> {
  static void mapping(IO &IO, Counter &C) {
    C.Line = lineOf(IO);
    IO.mapOptional("variable", C.Variable, std::string());
    IO.mapOptional("struct", C.Struct, std::string());
    IO.mapOptional("fields", C.Fields);
    IO.mapOptional("form", C.Form, CounterForm::Atomic);
  }
};

template <> struct MappingTraits<Refcount> {
  static void mapping(IO &IO, Refcount &R) {
    R.Line = lineOf(IO);
    IO.mapRequired("struct", R.Struct);
    IO.mapRequired("field", R.Field);
  }
};

template <> struct MappingTraits<Sleeps> {
  static void mapping(IO &IO, Sleeps &S) {
    IO.mapOptional("form", S.Form, SleepForm::MSleep);
    IO.mapOptional("pdrop", S.PDrop, true);
    IO.mapOptional("wrappers", S.Wrappers);
  }
};

template <> struct MappingTraits<Stage> {
  static void mapping(IO &IO, Stage &S) {
    S.Line = lineOf(IO);
    IO.mapRequired("name", S.Name);
    IO.mapOptional("modules", S.Modules);
  }
};

template <> struct MappingTraits<Macro> {
  static void mapping(IO &IO, Macro &M) {
    M.Line = lineOf(IO);
    IO.mapRequired("name", M.Name);
    IO.mapOptional("lock", M.Lock, std::string());
  }
};

template <> struct MappingTraits<Plan> {
  static void mapping(IO &IO, Plan &P) {
    IO.mapRequired("version", P.Version);
    IO.mapOptional("target", P.Target, std::string("freebsd"));
    IO.mapOptional("root", P.Root, std::string());
    IO.mapOptional("annotations", P.Annotations, false);
    IO.mapOptional("mark_mpsafe", P.MarkMpsafe, true);
    IO.mapOptional("modules", P.Modules);
    IO.mapOptional("locks", P.Locks);
    IO.mapOptional("rules", P.Rules);
    IO.mapOptional("sites", P.Sites);
    IO.mapOptional("counters", P.Counters);
    IO.mapOptional("refcounts", P.Refcounts);
    IO.mapOptional("sleeps", P.Sleep);
    IO.mapOptional("stages", P.Stages);
    IO.mapOptional("macros", P.Macros);
  }
};

} // namespace yaml
} // namespace llvm

namespace mpsafe {
namespace plan {

const std::vector<std::string> &reviewedChecks() {
  static const std::vector<std::string> Checks = {"destroy-under-lock",
                                                  "nested-lock"};
  return Checks;
}

const Lock *Plan::findLock(StringRef N) const {
  for (const Lock &L : Locks)
    if (L.Name == N)
      return &L;
  return nullptr;
}

const Stage *Plan::findStage(StringRef N) const {
  for (const Stage &S : Stages)
    if (S.Name == N)
      return &S;
  return nullptr;
}

// The profile table. Index order of the per-kind columns follows LockKind:
// mutex, spin mutex, rw, sx.
static const Profile Profiles[] = {
    {"freebsd",
     {"struct mtx", "struct mtx", "struct rwlock", "struct sx"},
     {"mtx_lock", "mtx_lock_spin", "rw_wlock", "sx_xlock"},
     {"mtx_unlock", "mtx_unlock_spin", "rw_wunlock", "sx_xunlock"},
     {"mtx_init", "mtx_init", "rw_init", "sx_init"},
     {"mtx_destroy", "mtx_destroy", "rw_destroy", "sx_destroy"},
     "mtx_assert",
     "msleep",
     "mtx_sleep",
     {"msleep", nullptr, "rw_sleep", "sx_sleep"},
     "PDROP",
     "atomic_add_",
     "atomic_subtract_",
     "counter_u64_add",
     "counter_u64_t",
     "refcount_acquire",
     "refcount_release",
     "refcount_init",
     "refcount_load",
     {"#include <sys/lock.h>\n#include <sys/mutex.h>\n",
      "#include <sys/lock.h>\n#include <sys/mutex.h>\n",
      "#include <sys/lock.h>\n#include <sys/rwlock.h>\n",
      "#include <sys/lock.h>\n#include <sys/sx.h>\n"},
     "#include <machine/atomic.h>\n",
     "#include <sys/counter.h>\n",
     "#include <sys/refcount.h>\n",
     "VNET_DEFINE",
     "VNET_DECLARE",
     "VNET",
     "#include <net/vnet.h>\n"},
};

const Profile *findProfile(StringRef Target) {
  for (const Profile &P : Profiles)
    if (Target == P.Name)
      return &P;
  return nullptr;
}

const char *lockKindName(LockKind K) {
  switch (K) {
  case LockKind::Mutex:
    return "mutex";
  case LockKind::SpinMutex:
    return "spin";
  case LockKind::RW:
    return "rw";
  case LockKind::SX:
    return "sx";
  }
  return "mutex";
}

const char *counterFormName(CounterForm F) {
  return F == CounterForm::Atomic ? "atomic" : "counter";
}

static bool isIdentifier(StringRef S) {
  if (S.empty() || !(isalpha((unsigned char)S[0]) || S[0] == '_'))
    return false;
  return llvm::all_of(
      S, [](char C) { return isalnum((unsigned char)C) || C == '_'; });
}

Error validatePlan(const Plan &P) {
  std::vector<std::string> Errs;
  auto Err = [&](unsigned Line, const llvm::Twine &Msg) {
    Errs.push_back(
        (P.Path + ":" + llvm::Twine(Line) + ": error: " + Msg).str());
  };
  if (P.Version != 1)
    Err(1, "unsupported plan version " + llvm::Twine(P.Version) +
               " (this mpsafe reads version 1)");
  if (!findProfile(P.Target))
    Err(1, "unknown target '" + P.Target + "' (known: freebsd)");

  llvm::StringSet<> LockNames;
  for (const Lock &L : P.Locks) {
    if (!LockNames.insert(L.Name).second)
      Err(L.Line, "lock '" + L.Name + "' is defined twice");
    if (!isIdentifier(L.cName()))
      Err(L.Line, "lock name '" + L.cName() + "' is not a C identifier");
    if (L.Scope == LockScope::Field && L.Struct.empty())
      Err(L.Line, "lock '" + L.Name + "' has scope field but no 'struct'");
    if (L.Scope == LockScope::Global && !L.Struct.empty())
      Err(L.Line, "lock '" + L.Name + "' names a struct but has scope global");
    if (L.Vnet && L.Scope != LockScope::Global)
      Err(L.Line, "lock '" + L.Name + "' has vnet: true but scope field "
                  "(a per-instance lock is a global of each instance)");
    else if (L.Vnet && L.InitIn.empty())
      Err(L.Line, "lock '" + L.Name + "' has vnet: true but no init_in (the "
                  "function that sets up each instance must initialize it)");
  }
  auto CheckLock = [&](unsigned Line, const std::string &Name,
                       const char *What) {
    if (!P.findLock(Name))
      Err(Line, llvm::Twine(What) + " names unknown lock '" + Name + "'");
  };
  for (const Rule &R : P.Rules)
    CheckLock(R.Line, R.Lock, "rule");
  for (const Site &S : P.Sites) {
    for (const std::string &Check : S.Reviewed)
      if (!llvm::is_contained(reviewedChecks(), Check))
        Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                        " reviews unknown check '" + Check +
                        "' (known: destroy-under-lock, nested-lock)");
    if (!S.Reviewed.empty() && S.Note.empty())
      Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                      " marks hazards reviewed but has no 'note' saying why "
                      "they are safe");
    if (!S.Reviewed.empty() && S.Action != SiteAction::Rewrite)
      Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                      " marks hazards reviewed but takes no lock (action " +
                      (S.Action == SiteAction::Skip ? "skip" : "drop") + ")");
    if (S.Action == SiteAction::Rewrite) {
      if (S.Lock.empty() && S.Object.empty() && !S.Reviewed.empty())
        continue; // only acknowledges hazards: the rules map the section
      if (S.Lock.empty())
        Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                        " rewrites but names no lock");
      else
        CheckLock(S.Line, S.Lock, "site");
      const Lock *L = P.findLock(S.Lock);
      if (!S.Object.empty() && L && L->Scope != LockScope::Field)
        Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                        " names an object but lock '" + S.Lock + "' is global");
    } else if (!S.Lock.empty()) {
      Err(S.Line, "site " + S.File + ":" + llvm::Twine(S.SiteLine) +
                      " names a lock but its action takes none");
    }
  }
  for (const Macro &M : P.Macros)
    if (!M.Lock.empty())
      CheckLock(M.Line, M.Lock, "macro");
  for (const Counter &C : P.Counters)
    if (C.Variable.empty() && C.Struct.empty())
      Err(C.Line, "counter entry needs 'variable' or 'struct'");
    else if (!C.Fields.empty() && C.Struct.empty())
      Err(C.Line, "counter entry with 'fields' needs 'struct' (the struct "
                  "that has them)");
  llvm::StringSet<> ModuleNames, StageNames;
  for (const Module &M : P.Modules)
    if (!ModuleNames.insert(M.Name).second)
      Err(M.Line, "module '" + M.Name + "' is defined twice");
  llvm::StringSet<> Known = ModuleNames;
  for (const Stage &S : P.Stages) {
    if (!StageNames.insert(S.Name).second)
      Err(S.Line, "stage '" + S.Name + "' is defined twice");
    for (const std::string &M : S.Modules)
      Known.insert(M);
  }
  for (const Module &M : P.Modules)
    for (const std::string &N : M.Needs)
      if (!Known.count(N))
        Err(M.Line, "module '" + M.Name + "' needs unknown module '" + N + "'");

  if (Errs.empty())
    return Error::success();
  std::string All;
  for (const std::string &E : Errs)
    All += E + "\n";
  All.pop_back();
  return llvm::createStringError(llvm::inconvertibleErrorCode(), All);
}

Expected<Plan> parsePlan(StringRef Text, StringRef Path) {
  std::vector<std::string> Errs;
  auto Handler = [](const llvm::SMDiagnostic &D, void *Ctx) {
    auto *E = static_cast<std::vector<std::string> *>(Ctx);
    E->push_back((D.getFilename() + ":" + llvm::Twine(D.getLineNo()) + ":" +
                  llvm::Twine(D.getColumnNo() + 1) +
                  ": error: " + D.getMessage())
                     .str());
  };
  ReadContext Ctx{Text};
  Plan P;
  {
    llvm::yaml::Input In(llvm::MemoryBufferRef(Text, Path), &Ctx, Handler,
                         &Errs);
    if (Text.trim().empty())
      Errs.push_back((Path + ":1:1: error: the plan is empty").str());
    else
      In >> P;
    if (In.error() && Errs.empty())
      Errs.push_back(
          (Path + ":1:1: error: not a plan (" + In.error().message() + ")")
              .str());
  }
  if (!Errs.empty()) {
    std::string All;
    for (const std::string &E : Errs)
      All += E + "\n";
    All.pop_back();
    return llvm::createStringError(llvm::inconvertibleErrorCode(), All);
  }
  P.Path = Path.str();
  if (Error E = validatePlan(P))
    return std::move(E);
  return P;
}

Expected<Plan> readPlan(StringRef Path) {
  auto Buf = llvm::MemoryBuffer::getFile(Path, /*IsText=*/true);
  if (!Buf)
    return llvm::createStringError(
        Buf.getError(), "%s: error: cannot read plan: %s", Path.str().c_str(),
        Buf.getError().message().c_str());
  return parsePlan((*Buf)->getBuffer(), Path);
}

void writePlan(llvm::raw_ostream &OS, const Plan &P) {
  OS << "# mpsafe migration plan (schema: docs/plan.md)\n";
  llvm::yaml::Output Out(OS);
  Plan Copy = P;
  Out << Copy;
}

Error writePlanFile(StringRef Path, const Plan &P) {
  llvm::SmallString<256> Tmp;
  int FD;
  StringRef Dir = llvm::sys::path::parent_path(Path);
  llvm::SmallString<256> Model(Dir.empty() ? "." : Dir);
  llvm::sys::path::append(Model, ".mpsafe-plan-%%%%%%.tmp");
  if (std::error_code EC = llvm::sys::fs::createUniqueFile(Model, FD, Tmp))
    return llvm::createStringError(EC, "%s: error: cannot write plan: %s",
                                   Path.str().c_str(), EC.message().c_str());
  {
    llvm::raw_fd_ostream OS(FD, /*shouldClose=*/true);
    writePlan(OS, P);
    OS.close();
    if (OS.has_error()) {
      llvm::sys::fs::remove(Tmp);
      return llvm::createStringError(OS.error(), "%s: error: write failed",
                                     Path.str().c_str());
    }
  }
  if (std::error_code EC = llvm::sys::fs::rename(Tmp, Path)) {
    llvm::sys::fs::remove(Tmp);
    return llvm::createStringError(EC, "%s: error: cannot write plan: %s",
                                   Path.str().c_str(), EC.message().c_str());
  }
  return Error::success();
}

static bool underPath(StringRef Rel, StringRef Prefix) {
  Prefix = Prefix.rtrim('/');
  if (Prefix.empty() || Prefix == ".")
    return true;
  return Rel == Prefix ||
         (Rel.startswith(Prefix) && Rel.size() > Prefix.size() &&
          Rel[Prefix.size()] == '/');
}

std::string moduleOf(const Plan &P, StringRef Rel) {
  const Module *Best = nullptr;
  size_t BestLen = 0;
  for (const Module &M : P.Modules)
    for (const std::string &Path : M.Paths)
      if (underPath(Rel, Path) && (!Best || Path.size() > BestLen)) {
        Best = &M;
        BestLen = Path.size();
      }
  if (Best)
    return Best->Name;
  StringRef Dir =
      llvm::sys::path::parent_path(Rel, llvm::sys::path::Style::posix);
  return Dir.empty() ? "." : Dir.str();
}

std::vector<std::string> stageModules(const Plan &P, StringRef StageName,
                                      bool &AllModules) {
  std::vector<std::string> Out;
  AllModules = P.Stages.empty();
  if (AllModules)
    return Out;
  for (const Stage &S : P.Stages) {
    Out.insert(Out.end(), S.Modules.begin(), S.Modules.end());
    if (S.Name == StageName)
      break;
  }
  return Out;
}

} // namespace plan
} // namespace mpsafe
