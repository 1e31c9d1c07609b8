//===- Cache.cpp - per-TU facts cached by content hash
//----------------------===//

#include "Cache.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SHA1.h"
#include "llvm/Support/xxhash.h"

namespace json = llvm::json;

namespace mpsafe {
namespace scan {

static constexpr int CacheVersion = 4;

static std::string sha1(llvm::StringRef Data) {
  return llvm::toHex(llvm::SHA1::hash(llvm::arrayRefFromStringRef(Data)),
                     /*LowerCase=*/true);
}

std::string FactsCache::entryPath(const std::string &File,
                                  const std::vector<std::string> &Args) {
  std::string Key = std::to_string(CacheVersion) + '\0' + File;
  for (const std::string &A : Args)
    Key += '\0' + A;
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, sha1(Key) + ".json");
  return std::string(P);
}

std::string FactsCache::stamp(const std::string &Path) {
  llvm::sys::fs::file_status St;
  if (llvm::sys::fs::status(Path, St))
    return "";
  return std::to_string(
             St.getLastModificationTime().time_since_epoch().count()) +
         ":" + std::to_string(St.getSize());
}

std::string FactsCache::hashFile(const std::string &Path) {
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Hashes.find(Path);
    if (It != Hashes.end())
      return It->second;
  }
  // Contents are hashed with xxHash64 (fast; the entry name, from the
  // command line, is a SHA-1).
  auto Buf = llvm::MemoryBuffer::getFile(Path);
  std::string H =
      Buf ? llvm::utohexstr(llvm::xxHash64((*Buf)->getBuffer())) : "";
  std::lock_guard<std::mutex> G(Lock);
  Hashes[Path] = H;
  return H;
}

bool FactsCache::lookup(const std::string &File,
                        const std::vector<std::string> &Args, TUFacts &Out) {
  if (!enabled())
    return false;
  auto Buf = llvm::MemoryBuffer::getFile(entryPath(File, Args));
  if (!Buf)
    return false;
  auto V = json::parse((*Buf)->getBuffer());
  if (!V) {
    llvm::consumeError(V.takeError());
    return false;
  }
  const json::Object *O = V->getAsObject();
  const json::Array *Deps = O ? O->getArray("deps") : nullptr;
  const json::Value *Facts = O ? O->get("facts") : nullptr;
  if (!Deps || !Facts)
    return false;
  for (const json::Value &D : *Deps) {
    const json::Array *Dep = D.getAsArray();
    if (!Dep || Dep->size() != 3)
      return false;
    auto Path = (*Dep)[0].getAsString();
    auto Hash = (*Dep)[1].getAsString();
    auto Stamp = (*Dep)[2].getAsString();
    if (!Path || !Hash || !Stamp)
      return false;
    // Same size and modification time: unchanged, as make and ninja
    // assume; otherwise the content decides (a touch is not an edit).
    if (stamp(Path->str()) != *Stamp && hashFile(Path->str()) != *Hash)
      return false;
  }
  TUFacts F;
  json::Path::Root R;
  if (!fromJSON(*Facts, F, R))
    return false;
  Out = std::move(F);
  return true;
}

void FactsCache::store(const std::string &File,
                       const std::vector<std::string> &Args,
                       const std::vector<std::string> &Deps,
                       const TUFacts &Facts) {
  if (!enabled())
    return;
  json::Array DepArr;
  for (const std::string &D : Deps) {
    std::string H = hashFile(D);
    if (H.empty())
      return; // a dependency we cannot read: do not cache
    DepArr.push_back(json::Array{D, H, stamp(D)});
  }
  if (llvm::sys::fs::create_directories(Dir))
    return;
  json::Value V = json::Object{{"version", CacheVersion},
                               {"file", File},
                               {"deps", std::move(DepArr)},
                               {"facts", toJSON(Facts)}};
  std::string Path = entryPath(File, Args);
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << V;
  OS.flush();
  // A failure to cache is not an error: the next scan parses again.
  llvm::consumeError(
      llvm::writeFileAtomically(Path + ".tmp-%%%%%%", Path, Text));
}

} // namespace scan
} // namespace mpsafe
