//===- Facts.cpp - JSON form of per-TU facts
//--------------------------------===//

#include "Facts.h"
#include <map>

using llvm::json::Array;
using llvm::json::Object;
using llvm::json::Value;

namespace mpsafe {
namespace scan {

// Locations are [file index, line, col] into the TU's "files" table: the
// same few paths would otherwise repeat in every fact. The table being
// written or read is per thread (TUs are (de)serialised in parallel).
namespace {
struct FileTable {
  std::vector<std::string> Names;
  std::map<std::string, unsigned> Index;
};
thread_local FileTable *Writing = nullptr;
thread_local const std::vector<std::string> *Reading = nullptr;
} // namespace

static Value loc(const Location &L) {
  auto It = Writing->Index.emplace(L.File, Writing->Names.size());
  if (It.second)
    Writing->Names.push_back(L.File);
  return Array{It.first->second, L.Line, L.Column};
}

static bool loc(const Value *V, Location &L) {
  const Array *A = V ? V->getAsArray() : nullptr;
  if (!A || A->size() != 3)
    return false;
  auto F = (*A)[0].getAsInteger();
  auto Ln = (*A)[1].getAsInteger();
  auto C = (*A)[2].getAsInteger();
  if (!F || !Ln || !C || *F < 0 || static_cast<size_t>(*F) >= Reading->size())
    return false;
  L.File = (*Reading)[*F];
  L.Line = static_cast<unsigned>(*Ln);
  L.Column = static_cast<unsigned>(*C);
  return true;
}

static Value strs(const std::vector<std::string> &S) {
  Array A;
  for (const std::string &X : S)
    A.push_back(X);
  return A;
}

namespace {
/// Facts are stored as arrays in a fixed field order (no key per field:
/// the cache is read on every warm scan). Reads fields in that order; a
/// missing or mistyped field marks the fact bad.
class Reader {
public:
  explicit Reader(const Value &V) : A(V.getAsArray()) { Ok = A != nullptr; }
  bool ok() const { return Ok && A && I == A->size(); }
  Reader &str(std::string &Out) {
    if (const Value *V = next())
      if (auto S = V->getAsString()) {
        Out = S->str();
        return *this;
      }
    Ok = false;
    return *this;
  }
  Reader &flag(bool &Out) {
    if (const Value *V = next())
      if (auto B = V->getAsBoolean()) {
        Out = *B;
        return *this;
      }
    Ok = false;
    return *this;
  }
  Reader &num(unsigned &Out) {
    if (const Value *V = next())
      if (auto N = V->getAsInteger()) {
        Out = static_cast<unsigned>(*N);
        return *this;
      }
    Ok = false;
    return *this;
  }
  Reader &at(Location &Out) {
    const Value *V = next();
    if (!V || !loc(V, Out))
      Ok = false;
    return *this;
  }
  Reader &list(std::vector<std::string> &Out) {
    const Value *V = next();
    const Array *L = V ? V->getAsArray() : nullptr;
    if (!L) {
      Ok = false;
      return *this;
    }
    for (const Value &E : *L)
      if (auto S = E.getAsString())
        Out.push_back(S->str());
    return *this;
  }
  Reader &locs(std::vector<Location> &Out) {
    const Value *V = next();
    const Array *L = V ? V->getAsArray() : nullptr;
    if (!L) {
      Ok = false;
      return *this;
    }
    for (const Value &E : *L) {
      Location Loc;
      if (!loc(&E, Loc)) {
        Ok = false;
        break;
      }
      Out.push_back(Loc);
    }
    return *this;
  }

private:
  const Value *next() {
    if (!Ok || I >= A->size())
      return nullptr;
    return &(*A)[I++];
  }
  const Array *A;
  size_t I = 0;
  bool Ok;
};
} // namespace

static Value toJ(const SectionFact &S) {
  Array Lowers;
  for (const Location &L : S.Lowers)
    Lowers.push_back(loc(L));
  return Array{S.Function,        S.Level, S.Var,  loc(S.Raise),
               std::move(Lowers), S.Depth, S.Outer};
}
static bool fromJ(const Value &V, SectionFact &S) {
  return Reader(V)
      .str(S.Function)
      .str(S.Level)
      .str(S.Var)
      .at(S.Raise)
      .locs(S.Lowers)
      .num(S.Depth)
      .str(S.Outer)
      .ok();
}

static Value toJ(const SplEventFact &E) {
  return Array{E.Kind,  E.Function, E.Level,       E.Var,
               E.Other, loc(E.Loc), loc(E.Related)};
}
static bool fromJ(const Value &V, SplEventFact &E) {
  return Reader(V)
      .str(E.Kind)
      .str(E.Function)
      .str(E.Level)
      .str(E.Var)
      .str(E.Other)
      .at(E.Loc)
      .at(E.Related)
      .ok();
}

static Value toJ(const SleepFact &S) {
  return Array{S.Function, S.Kind,      S.Channel,    S.Wmesg,
               S.Timeout,  S.Interlock, S.Level,      S.IsWakeup,
               S.Pcatch,   S.InLoop,    strs(S.Held), loc(S.Loc)};
}
static bool fromJ(const Value &V, SleepFact &S) {
  return Reader(V)
      .str(S.Function)
      .str(S.Kind)
      .str(S.Channel)
      .str(S.Wmesg)
      .str(S.Timeout)
      .str(S.Interlock)
      .str(S.Level)
      .flag(S.IsWakeup)
      .flag(S.Pcatch)
      .flag(S.InLoop)
      .list(S.Held)
      .at(S.Loc)
      .ok();
}

static Value toJ(const AccessFact &A) {
  return Array{A.Global, A.Path,      A.Function, A.Kind,
               A.Level,  A.ValueUsed, loc(A.Loc)};
}
static bool fromJ(const Value &V, AccessFact &A) {
  return Reader(V)
      .str(A.Global)
      .str(A.Path)
      .str(A.Function)
      .str(A.Kind)
      .str(A.Level)
      .flag(A.ValueUsed)
      .at(A.Loc)
      .ok();
}

static Value toJ(const GlobalFact &G) {
  return Array{G.Key,     G.Name,     G.Type, G.Static,
               G.Pointer, G.ListHead, G.Vnet, loc(G.Loc)};
}
static bool fromJ(const Value &V, GlobalFact &G) {
  return Reader(V)
      .str(G.Key)
      .str(G.Name)
      .str(G.Type)
      .flag(G.Static)
      .flag(G.Pointer)
      .flag(G.ListHead)
      .flag(G.Vnet)
      .at(G.Loc)
      .ok();
}

static Value toJ(const FieldFact &F) {
  return Array{F.Struct, F.Field, F.Function, F.Level, F.Write, loc(F.Loc)};
}
static bool fromJ(const Value &V, FieldFact &F) {
  return Reader(V)
      .str(F.Struct)
      .str(F.Field)
      .str(F.Function)
      .str(F.Level)
      .flag(F.Write)
      .at(F.Loc)
      .ok();
}

static Value toJ(const CallFact &C) {
  return Array{C.Caller, C.Callee, C.Level, C.WaitOk, strs(C.Held), loc(C.Loc)};
}
static bool fromJ(const Value &V, CallFact &C) {
  return Reader(V)
      .str(C.Caller)
      .str(C.Callee)
      .str(C.Level)
      .flag(C.WaitOk)
      .list(C.Held)
      .at(C.Loc)
      .ok();
}

static Value toJ(const FunctionFact &F) {
  return Array{F.Key, F.Name, loc(F.Loc)};
}
static bool fromJ(const Value &V, FunctionFact &F) {
  return Reader(V).str(F.Key).str(F.Name).at(F.Loc).ok();
}

template <typename T> static Value all(const std::vector<T> &V) {
  Array A;
  for (const T &X : V)
    A.push_back(toJ(X));
  return A;
}

template <typename T>
static bool all(const Object &O, const char *K, std::vector<T> &Out,
                llvm::json::Path P) {
  const Array *A = O.getArray(K);
  if (!A) {
    P.field(K).report("expected an array");
    return false;
  }
  for (size_t I = 0; I < A->size(); ++I) {
    T X;
    if (!fromJ((*A)[I], X)) {
      P.field(K).index(I).report("malformed fact");
      return false;
    }
    Out.push_back(std::move(X));
  }
  return true;
}

Value toJSON(const TUFacts &F) {
  FileTable Table;
  Writing = &Table;
  Object O{{"file", F.File},
           {"functions", all(F.Functions)},
           {"sections", all(F.Sections)},
           {"spl_events", all(F.SplEvents)},
           {"sleeps", all(F.Sleeps)},
           {"globals", all(F.Globals)},
           {"accesses", all(F.Accesses)},
           {"fields", all(F.Fields)},
           {"calls", all(F.Calls)}};
  Writing = nullptr;
  Array Files;
  for (const std::string &N : Table.Names)
    Files.push_back(N);
  O["files"] = std::move(Files);
  return O;
}

bool fromJSON(const Value &V, TUFacts &F, llvm::json::Path P) {
  const Object *O = V.getAsObject();
  if (!O) {
    P.report("expected an object");
    return false;
  }
  auto File = O->getString("file");
  if (!File) {
    P.field("file").report("expected a string");
    return false;
  }
  F.File = File->str();
  std::vector<std::string> Names;
  const Array *Files = O->getArray("files");
  if (!Files) {
    P.field("files").report("expected an array");
    return false;
  }
  for (const Value &N : *Files)
    if (auto S = N.getAsString())
      Names.push_back(S->str());
  Reading = &Names;
  bool Ok =
      all(*O, "functions", F.Functions, P) &&
      all(*O, "sections", F.Sections, P) &&
      all(*O, "spl_events", F.SplEvents, P) && all(*O, "sleeps", F.Sleeps, P) &&
      all(*O, "globals", F.Globals, P) && all(*O, "accesses", F.Accesses, P) &&
      all(*O, "fields", F.Fields, P) && all(*O, "calls", F.Calls, P);
  Reading = nullptr;
  return Ok;
}

} // namespace scan
} // namespace mpsafe
