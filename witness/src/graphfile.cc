//===- graphfile.cc - reading dumped witness graphs -------------*- C++ -*-===//
#include "graphfile.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace witness {

static std::vector<std::string> splitTabs(const std::string &Line) {
  std::vector<std::string> Out(1);
  for (size_t I = 0; I < Line.size(); ++I) {
    char C = Line[I];
    if (C == '\t') {
      Out.emplace_back();
    } else if (C == '\\' && I + 1 < Line.size()) {
      char N = Line[++I];
      Out.back() += N == 't' ? '\t' : N == 'n' ? '\n' : N;
    } else {
      Out.back() += C;
    }
  }
  for (std::string &F : Out)
    if (F == "-")
      F.clear();
  return Out;
}

static bool number(const std::string &S, unsigned &V) {
  if (S.empty() || S.find_first_not_of("0123456789") != std::string::npos ||
      S.size() > 9)
    return false;
  V = unsigned(strtoul(S.c_str(), nullptr, 10));
  return true;
}

bool readGraphFile(const std::string &Path, GraphFile &Out, std::string &Err) {
  std::ifstream In(Path);
  if (!In) {
    Err = Path + ": cannot open: " + strerror(errno);
    return false;
  }
  Out.Path = Path;
  std::string Line;
  int No = 0;
  auto Fail = [&](const std::string &Why) {
    Err = Path + ":" + std::to_string(No) + ": " + Why;
    return false;
  };
  while (std::getline(In, Line)) {
    ++No;
    if (!Line.empty() && Line.back() == '\r')
      Line.pop_back();
    if (Line.empty() || Line[0] == '#')
      continue;
    std::vector<std::string> F = splitTabs(Line);
    const std::string &Tag = F[0];
    if (No == 1 && Tag != "witness-graph")
      return Fail("not a witness graph (the first line must be "
                  "\"witness-graph<TAB>1\")");
    if (Tag == "witness-graph") {
      if (No != 1)
        return Fail("header line not at the top");
      if (F.size() != 2 || F[1] != "1")
        return Fail("unsupported graph format version '" +
                    (F.size() > 1 ? F[1] : std::string()) + "' (expected 1)");
    } else if (Tag == "process") {
      unsigned Pid;
      if (F.size() != 3 || !number(F[1], Pid))
        return Fail("process line needs: process<TAB>PID<TAB>PROGRAM");
      Out.Pid = int(Pid);
      Out.Program = F[2];
    } else if (Tag == "class") {
      unsigned Id;
      if (F.size() != 4 || !number(F[1], Id))
        return Fail("class line needs: class<TAB>ID<TAB>KIND<TAB>NAME");
      if (F[2] != "spin" && F[2] != "sleep" && F[2] != "rw" && F[2] != "sx")
        return Fail("unknown lock kind '" + F[2] +
                    "' (expected spin, sleep, rw or sx)");
      if (F[3].empty())
        return Fail("class " + F[1] + " has an empty name");
      if (!Out.Classes.emplace(Id, GraphFile::ClassRec{F[2], F[3]}).second)
        return Fail("class id " + F[1] + " defined twice");
    } else if (Tag == "edge") {
      GraphFile::EdgeRec E;
      if (F.size() != 8 || !number(F[1], E.From) || !number(F[2], E.To))
        return Fail("edge line needs 8 fields: edge FROM TO FLAGS FROM_SITE "
                    "TO_SITE FROM_INSTANCE TO_INSTANCE");
      if (!Out.Classes.count(E.From) || !Out.Classes.count(E.To))
        return Fail("edge refers to an undefined class id");
      size_t Pos = 0;
      while (Pos <= F[3].size() && !F[3].empty()) {
        size_t End = F[3].find(',', Pos);
        std::string Flag = F[3].substr(
            Pos, End == std::string::npos ? std::string::npos : End - Pos);
        if (Flag == "declared")
          E.Declared = true;
        else if (Flag == "reversal")
          E.Reversal = true;
        else
          return Fail("unknown edge flag '" + Flag + "'");
        if (End == std::string::npos)
          break;
        Pos = End + 1;
      }
      E.FromSite = F[4];
      E.ToSite = F[5];
      E.FromInstance = F[6];
      E.ToInstance = F[7];
      E.Line = No;
      Out.Edges.push_back(std::move(E));
    } else if (Tag == "frame") {
      if (Out.Edges.empty() || F.size() != 2)
        return Fail("frame line must follow an edge and have one field");
      Out.Edges.back().Frames.push_back(F[1]);
    } else {
      return Fail("unknown record '" + Tag + "'");
    }
  }
  if (No == 0)
    return Fail("empty file (expected a witness graph)");
  return true;
}

} // namespace witness
