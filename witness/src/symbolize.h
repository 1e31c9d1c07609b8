//===- symbolize.h - naming addresses by module and symbol ------*- C++ -*-===//
#ifndef WITNESS_SRC_SYMBOLIZE_H
#define WITNESS_SRC_SYMBOLIZE_H

#include <cstdint>
#include <string>

namespace witness {

struct AddressInfo {
  std::string Module;   // file name of the loaded object
  uintptr_t Offset = 0; // from the object's load base
  std::string Symbol;   // enclosing function or object, if known
  uintptr_t SymbolOffset = 0;
};

/// False when Addr is in no loaded object (heap, stack).
bool describeAddress(const void *Addr, AddressInfo &Out);
/// "module:symbol+0xN", or "module+0xOFFSET" without a symbol.
std::string addressName(const AddressInfo &I);
/// A stack frame: "module:symbol+0xN (module+0xOFFSET)".
std::string frameName(const void *Pc);

} // namespace witness

#endif // WITNESS_SRC_SYMBOLIZE_H
