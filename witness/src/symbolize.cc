//===- symbolize.cc - module + offset, named from ELF symbols ---*- C++ -*-===//
//
// Names a code or data address as "module:symbol+0xN" using the module's
// full symbol table (.symtab, which dladdr() does not read), falling back
// to the dynamic symbol dladdr() finds, then to "module+0xOFFSET". The
// offset is relative to the module's load base, so names are the same in
// every process of the same binary.
//
//===----------------------------------------------------------------------===//
#include "symbolize.h"
#include "internal.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace witness {

namespace {

struct Sym {
  uintptr_t Value, Size;
  std::string Name;
};

struct Module {
  bool Dyn = true; // ET_DYN: symbol values are relative to the load base
  std::vector<Sym> Syms;
};

SpinLock ModulesMu;
std::map<std::string, Module *> *Modules;

Module *loadModule(const std::string &Path) {
  auto *M = new Module;
  int Fd = open(Path.c_str(), O_RDONLY | O_CLOEXEC);
  if (Fd < 0)
    return M;
  struct stat St;
  void *Map = MAP_FAILED;
  if (fstat(Fd, &St) == 0 && size_t(St.st_size) >= sizeof(Elf64_Ehdr))
    Map = mmap(nullptr, size_t(St.st_size), PROT_READ, MAP_PRIVATE, Fd, 0);
  close(Fd);
  if (Map == MAP_FAILED)
    return M;
  const char *Base = static_cast<const char *>(Map);
  size_t Size = size_t(St.st_size);
  auto *Eh = reinterpret_cast<const Elf64_Ehdr *>(Base);
  if (memcmp(Eh->e_ident, ELFMAG, SELFMAG) == 0 &&
      Eh->e_ident[EI_CLASS] == ELFCLASS64 &&
      Eh->e_shoff + uint64_t(Eh->e_shnum) * sizeof(Elf64_Shdr) <= Size) {
    M->Dyn = Eh->e_type == ET_DYN;
    auto *Sh = reinterpret_cast<const Elf64_Shdr *>(Base + Eh->e_shoff);
    for (unsigned I = 0; I < Eh->e_shnum; ++I) {
      if (Sh[I].sh_type != SHT_SYMTAB && Sh[I].sh_type != SHT_DYNSYM)
        continue;
      if (Sh[I].sh_link >= Eh->e_shnum)
        continue;
      const Elf64_Shdr &Str = Sh[Sh[I].sh_link];
      if (Sh[I].sh_offset + Sh[I].sh_size > Size ||
          Str.sh_offset + Str.sh_size > Size)
        continue;
      auto *S = reinterpret_cast<const Elf64_Sym *>(Base + Sh[I].sh_offset);
      size_t N = Sh[I].sh_size / sizeof(Elf64_Sym);
      for (size_t J = 0; J < N; ++J) {
        int Type = ELF64_ST_TYPE(S[J].st_info);
        if ((Type != STT_FUNC && Type != STT_OBJECT) || !S[J].st_value ||
            S[J].st_name >= Str.sh_size)
          continue;
        const char *Name = Base + Str.sh_offset + S[J].st_name;
        M->Syms.push_back(
            {S[J].st_value, S[J].st_size,
             std::string(Name, strnlen(Name, Str.sh_size - S[J].st_name))});
      }
    }
  }
  munmap(Map, Size);
  std::sort(M->Syms.begin(), M->Syms.end(),
            [](const Sym &A, const Sym &B) { return A.Value < B.Value; });
  return M;
}

const Sym *lookup(const Module &M, uintptr_t V) {
  auto It =
      std::upper_bound(M.Syms.begin(), M.Syms.end(), V,
                       [](uintptr_t X, const Sym &S) { return X < S.Value; });
  if (It == M.Syms.begin())
    return nullptr;
  --It;
  // Zero-sized symbols (hand-written assembly) cover only their address.
  if (V < It->Value + std::max<uintptr_t>(It->Size, 1))
    return &*It;
  return nullptr;
}

/// WITNESS_MODULES=FILE: one "name<TAB>path" line per object named in this
/// process, so that a tool reading the reports later (witness-run) can find
/// the file behind "module+0xOFFSET" and its debug information.
void noteModule(const std::string &Name, const std::string &Path) {
  const char *File = getenv("WITNESS_MODULES");
  if (!File || !*File)
    return;
  int Fd = open(File, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (Fd < 0)
    return;
  std::string Line = Name + "\t" + Path + "\n";
  ssize_t Done = write(Fd, Line.data(), Line.size());
  (void)Done; // a lost line costs only a source line in witness-run's legend
  close(Fd);
}

} // namespace

bool describeAddress(const void *Addr, AddressInfo &Out) {
  Dl_info Info;
  if (!dladdr(Addr, &Info) || !Info.dli_fbase)
    return false;
  std::string Path =
      Info.dli_fname && *Info.dli_fname ? Info.dli_fname : "/proc/self/exe";
  Out.Module = Path.substr(Path.rfind('/') + 1);
  if (Out.Module == "exe") {
    char Buf[4096];
    ssize_t N = readlink("/proc/self/exe", Buf, sizeof Buf - 1);
    if (N > 0) {
      Buf[N] = 0;
      Path = Buf;
      Out.Module = Path.substr(Path.rfind('/') + 1);
    }
  }
  uintptr_t A = reinterpret_cast<uintptr_t>(Addr);
  uintptr_t Base = reinterpret_cast<uintptr_t>(Info.dli_fbase);
  Out.Offset = A - Base;
  Module *M;
  {
    Guard G(ModulesMu);
    if (!Modules)
      Modules = new std::map<std::string, Module *>;
    Module *&Slot = (*Modules)[Path];
    if (!Slot) {
      Slot = loadModule(Path);
      noteModule(Out.Module, Path);
    }
    M = Slot;
  }
  Out.Symbol.clear();
  Out.SymbolOffset = 0;
  if (const Sym *S = lookup(*M, M->Dyn ? Out.Offset : A)) {
    Out.Symbol = S->Name;
    Out.SymbolOffset = (M->Dyn ? Out.Offset : A) - S->Value;
  } else if (Info.dli_sname && Info.dli_saddr) {
    Out.Symbol = Info.dli_sname;
    Out.SymbolOffset = A - reinterpret_cast<uintptr_t>(Info.dli_saddr);
  }
  return true;
}

/// C++ symbols read better demangled; the result is as stable as the
/// mangled name.
static std::string demangle(const std::string &Name) {
  if (Name.compare(0, 2, "_Z") != 0)
    return Name;
  int Status = 0;
  char *D = abi::__cxa_demangle(Name.c_str(), nullptr, nullptr, &Status);
  if (!D || Status != 0)
    return Name;
  std::string Out(D);
  free(D);
  return Out;
}

std::string addressName(const AddressInfo &I) {
  char Buf[32];
  if (I.Symbol.empty()) {
    snprintf(Buf, sizeof Buf, "+0x%lx", static_cast<unsigned long>(I.Offset));
    return I.Module + Buf;
  }
  std::string S = I.Module + ":" + demangle(I.Symbol);
  if (I.SymbolOffset) {
    snprintf(Buf, sizeof Buf, "+0x%lx",
             static_cast<unsigned long>(I.SymbolOffset));
    S += Buf;
  }
  return S;
}

std::string frameName(const void *Pc) {
  AddressInfo I;
  char Buf[32];
  if (!describeAddress(Pc, I)) {
    snprintf(Buf, sizeof Buf, "%p", Pc);
    return Buf;
  }
  if (I.Symbol.empty())
    return addressName(I);
  snprintf(Buf, sizeof Buf, "+0x%lx", static_cast<unsigned long>(I.Offset));
  return addressName(I) + " (" + I.Module + Buf + ")";
}

} // namespace witness
