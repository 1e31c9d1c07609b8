//===- graphfile.h - reading dumped witness graphs --------------*- C++ -*-===//
//
// The reader of the format written by witness_dump_graph() and documented
// in docs/witness-graph-format.md.
//
//===----------------------------------------------------------------------===//
#ifndef WITNESS_SRC_GRAPHFILE_H
#define WITNESS_SRC_GRAPHFILE_H

#include <map>
#include <string>
#include <vector>

namespace witness {

struct GraphFile {
  struct ClassRec {
    std::string Kind, Name;
  };
  struct EdgeRec {
    unsigned From = 0, To = 0;
    bool Declared = false, Reversal = false;
    std::string FromSite, ToSite, FromInstance, ToInstance;
    std::vector<std::string> Frames;
    int Line = 0; // in the file
  };
  std::string Path;
  int Pid = 0;
  std::string Program;
  std::map<unsigned, ClassRec> Classes;
  std::vector<EdgeRec> Edges;
};

/// Reads Path into Out. On error returns false with Err set to
/// "PATH:LINE: reason".
bool readGraphFile(const std::string &Path, GraphFile &Out, std::string &Err);

} // namespace witness

#endif // WITNESS_SRC_GRAPHFILE_H
