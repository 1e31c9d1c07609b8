//===- Cache.h - per-TU facts cached by content hash -------------*- C++
//-*-===//
//
// An entry per (file, adjusted command line) holds the facts and the hash
// of every file the preprocessor read for it (the main file and each
// header). The entry is used only while all those contents are unchanged:
// the same guarantee as hashing the preprocessed input, without running
// the preprocessor on a warm scan. A file whose size and modification time
// did not change is not read again.
//
//===----------------------------------------------------------------------===//

#ifndef MPSAFE_SCAN_CACHE_H
#define MPSAFE_SCAN_CACHE_H

#include "Facts.h"
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace mpsafe {
namespace scan {

class FactsCache {
public:
  /// An empty Dir disables the cache.
  explicit FactsCache(std::string Dir) : Dir(std::move(Dir)) {}

  bool enabled() const { return !Dir.empty(); }
  bool lookup(const std::string &File, const std::vector<std::string> &Args,
              TUFacts &Out);
  void store(const std::string &File, const std::vector<std::string> &Args,
             const std::vector<std::string> &Deps, const TUFacts &Facts);

private:
  std::string entryPath(const std::string &File,
                        const std::vector<std::string> &Args);
  std::string hashFile(const std::string &Path); // "" when unreadable
  static std::string stamp(const std::string &Path); // "mtime:size"

  std::string Dir;
  std::mutex Lock;
  std::map<std::string, std::string> Hashes; // per run: headers hashed once
};

} // namespace scan
} // namespace mpsafe

#endif // MPSAFE_SCAN_CACHE_H
