//===- FrontDoor.cpp - compile DB, flags, resource dir, TU runner ---------===//

#include "mpsafe/FrontDoor.h"
#include "mpsafe/Shim.h"
#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Options.h"
#include "clang/Frontend/FrontendAction.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Option/ArgList.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/VirtualFileSystem.h"
#include <algorithm>
#include <atomic>
#include <mutex>

using namespace clang;
using namespace clang::tooling;
using llvm::StringRef;

namespace mpsafe {

llvm::Error usageError(const llvm::Twine &Msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), Msg);
}

static std::string normalize(StringRef Path, StringRef Base) {
  llvm::SmallString<256> P(Path);
  if (!llvm::sys::path::is_absolute(P)) {
    llvm::SmallString<256> B(Base);
    llvm::sys::path::append(B, P);
    P = B;
  }
  llvm::sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

//===----------------------------------------------------------------------===//
// Compile DB
//===----------------------------------------------------------------------===//

llvm::Expected<std::unique_ptr<CompileDB>> CompileDB::load(StringRef BuildDir) {
  if (BuildDir.empty())
    return usageError("no build directory: pass -p BUILD_DIR (the directory "
                      "holding compile_commands.json)");
  llvm::SmallString<256> File(BuildDir);
  if (!BuildDir.endswith(".json"))
    llvm::sys::path::append(File, "compile_commands.json");
  if (!llvm::sys::fs::exists(File))
    return usageError(File + ": no compilation database here (configure "
                             "with -DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or "
                             "use bear/compiledb for make)");
  auto Buf = llvm::MemoryBuffer::getFile(File);
  if (!Buf)
    return usageError(File + ": cannot read: " + Buf.getError().message());
  auto Parsed = llvm::json::parse((*Buf)->getBuffer());
  if (!Parsed) {
    // LLVM's message carries [line:col, byte=N].
    return usageError(
        File + ": malformed JSON: " + llvm::toString(Parsed.takeError()));
  }
  const llvm::json::Array *Entries = Parsed->getAsArray();
  if (!Entries)
    return usageError(File + ": expected a JSON array of compile commands");

  auto DB = std::unique_ptr<CompileDB>(new CompileDB);
  DB->Path = std::string(File);
  std::string Cwd = ".";
  {
    llvm::SmallString<256> C;
    if (!llvm::sys::fs::current_path(C))
      Cwd = std::string(C);
  }
  for (size_t I = 0; I < Entries->size(); ++I) {
    auto Warn = [&](const llvm::Twine &Why) {
      DB->Warnings.push_back(
          (File + ": entry " + llvm::Twine(I) + ": " + Why + "; entry skipped")
              .str());
    };
    const llvm::json::Object *E = (*Entries)[I].getAsObject();
    if (!E) {
      Warn("not an object");
      continue;
    }
    auto Dir = E->getString("directory");
    auto Name = E->getString("file");
    if (!Dir) {
      Warn("no \"directory\"");
      continue;
    }
    if (!Name) {
      Warn("no \"file\"");
      continue;
    }
    std::vector<std::string> Args;
    if (const llvm::json::Array *A = E->getArray("arguments")) {
      for (const llvm::json::Value &V : *A)
        if (auto S = V.getAsString())
          Args.push_back(S->str());
    } else if (auto Cmd = E->getString("command")) {
      llvm::BumpPtrAllocator Alloc;
      llvm::StringSaver Saver(Alloc);
      llvm::SmallVector<const char *, 64> Toks;
      llvm::cl::TokenizeGNUCommandLine(*Cmd, Saver, Toks);
      for (const char *T : Toks)
        Args.push_back(T);
    }
    if (Args.empty()) {
      Warn("no \"arguments\" or \"command\"");
      continue;
    }
    std::string AbsDir = normalize(*Dir, Cwd);
    std::string AbsFile = normalize(*Name, AbsDir);
    std::string Out;
    if (auto O = E->getString("output"))
      Out = O->str();
    DB->Commands.emplace_back(AbsDir, AbsFile, std::move(Args), Out);
  }
  std::stable_sort(DB->Commands.begin(), DB->Commands.end(),
                   [](const CompileCommand &A, const CompileCommand &B) {
                     return A.Filename < B.Filename;
                   });
  if (DB->Commands.empty())
    return usageError(File + ": no usable compile command in it");
  return std::move(DB);
}

std::vector<CompileCommand>
CompileDB::getCompileCommands(StringRef FilePath) const {
  std::vector<CompileCommand> R;
  for (const CompileCommand &C : Commands)
    if (C.Filename == FilePath)
      R.push_back(C);
  return R;
}

std::vector<std::string> CompileDB::getAllFiles() const {
  std::vector<std::string> R;
  for (const CompileCommand &C : Commands)
    if (R.empty() || R.back() != C.Filename)
      R.push_back(C.Filename);
  return R;
}

std::vector<CompileCommand> CompileDB::getAllCompileCommands() const {
  return Commands;
}

llvm::Expected<std::vector<std::string>>
CompileDB::select(llvm::ArrayRef<std::string> Names) const {
  std::vector<std::string> All = getAllFiles();
  if (Names.empty())
    return All;
  std::string Cwd;
  {
    llvm::SmallString<256> C;
    llvm::sys::fs::current_path(C);
    Cwd = std::string(C);
  }
  std::vector<std::string> Out, Bad;
  for (const std::string &N : Names) {
    std::string Abs = normalize(N, Cwd);
    if (std::binary_search(All.begin(), All.end(), Abs)) {
      Out.push_back(Abs);
      continue;
    }
    // A unique trailing path match: "ip_input.c", "netinet/ip_input.c".
    std::vector<std::string> Hits;
    std::string Suffix = "/" + N;
    for (const std::string &F : All)
      if (StringRef(F).endswith(Suffix))
        Hits.push_back(F);
    if (Hits.size() == 1) {
      Out.push_back(Hits[0]);
    } else if (Hits.empty()) {
      Bad.push_back(N + ": not in " + Path);
    } else {
      Bad.push_back(N + ": ambiguous in " + Path + " (" + Hits[0] + ", " +
                    Hits[1] + (Hits.size() > 2 ? ", ..." : "") + ")");
    }
  }
  if (!Bad.empty())
    return usageError(llvm::join(Bad, "\n"));
  std::sort(Out.begin(), Out.end());
  Out.erase(std::unique(Out.begin(), Out.end()), Out.end());
  return Out;
}

std::string CompileDB::commonRoot() const {
  std::string Root;
  bool First = true;
  for (const CompileCommand &C : Commands) {
    StringRef Dir = llvm::sys::path::parent_path(C.Filename);
    if (First) {
      Root = Dir.str();
      First = false;
      continue;
    }
    while (!Root.empty() && !(Dir == Root || Dir.startswith(Root + "/")))
      Root = llvm::sys::path::parent_path(Root).str();
  }
  return Root.empty() ? "/" : Root;
}

//===----------------------------------------------------------------------===//
// Resource directory
//===----------------------------------------------------------------------===//

static bool hasStddef(StringRef Dir) {
  llvm::SmallString<256> P(Dir);
  llvm::sys::path::append(P, "include", "stddef.h");
  return llvm::sys::fs::exists(P);
}

std::string findResourceDir(std::string *Error) {
  static std::once_flag Once;
  static std::string Found, Why;
  std::call_once(Once, [] {
    std::vector<std::string> Tried;
    if (const char *Env = std::getenv("MPSAFE_CLANG_RESOURCE_DIR")) {
      if (hasStddef(Env)) {
        Found = Env;
        return;
      }
      Tried.push_back(std::string(Env) + " (MPSAFE_CLANG_RESOURCE_DIR)");
    }
    // The Clang we were built against, as its own driver would compute it.
    std::string Guess = driver::Driver::GetResourcesPath(
        MPSAFE_LLVM_TOOLS_DIR "/clang", CLANG_RESOURCE_DIR);
    if (hasStddef(Guess)) {
      Found = Guess;
      return;
    }
    Tried.push_back(Guess);
    // Ask a clang on PATH.
    for (StringRef Name : {"clang-" MPSAFE_LLVM_MAJOR, "clang"}) {
      auto Prog = llvm::sys::findProgramByName(Name);
      if (!Prog)
        continue;
      llvm::SmallString<128> Tmp;
      if (llvm::sys::fs::createTemporaryFile("mpsafe-rd", "txt", Tmp))
        continue;
      StringRef Argv[] = {*Prog, "-print-resource-dir"};
      int RC = shim::runToFile(*Prog, Argv, Tmp);
      auto Buf = llvm::MemoryBuffer::getFile(Tmp);
      llvm::sys::fs::remove(Tmp);
      if (RC == 0 && Buf) {
        std::string Dir = (*Buf)->getBuffer().trim().str();
        if (hasStddef(Dir)) {
          Found = Dir;
          return;
        }
        Tried.push_back(Dir + " (" + *Prog + " -print-resource-dir)");
      }
    }
    Why = "cannot find Clang's resource directory (include/stddef.h); "
          "tried: " +
          llvm::join(Tried, ", ") +
          ". Install clang-" MPSAFE_LLVM_MAJOR
          " or set MPSAFE_CLANG_RESOURCE_DIR";
  });
  if (Found.empty() && Error)
    *Error = Why;
  return Found;
}

//===----------------------------------------------------------------------===//
// Flags
//===----------------------------------------------------------------------===//

// Flags clang's driver parses but rejects for the usual kernel targets, and
// GCC optimizer flags it only warns about (dropped to keep logs quiet).
static const char *const GccOnlyPrefixes[] = {
    "-mrecord-mcount",
    "-mindirect-branch",
    "-mfunction-return",
    "-fno-tree-",
    "-ftree-",
    "-fconserve-stack",
    "-fno-ipa-",
    "-fipa-",
    "-mpreferred-stack-boundary",
    "-fno-var-tracking",
    "-fzero-call-used-regs",
    "-fmin-function-alignment",
    "-fno-allow-store-data-races",
    "-fno-code-hoisting",
    "-fstack-usage",
};

static bool driverRejects(StringRef Arg) {
  const llvm::opt::OptTable &T = driver::getDriverOptTable();
  std::string Copy = Arg.str();
  const char *Argv[] = {Copy.c_str()};
  unsigned MI = 0, MC = 0;
  llvm::opt::InputArgList L =
      T.ParseArgs(Argv, MI, MC, /*FlagsToInclude=*/0,
                  driver::options::CLOption | driver::options::NoDriverOption);
  for (const llvm::opt::Arg *A : L)
    if (A->getOption().getID() == driver::options::OPT_UNKNOWN)
      return true;
  return false;
}

bool isGccOnlyFlag(StringRef Arg) {
  if (!Arg.startswith("-") || Arg == "-")
    return false;
  for (const char *P : GccOnlyPrefixes)
    if (Arg.startswith(P))
      return true;
  // Only -f and -m flags are checked against the driver table; everything
  // else (-I, -D, -W, inputs) passes untouched. A tree repeats the same
  // few flags on every command: remember the answers.
  if (!(Arg.startswith("-f") || Arg.startswith("-m")))
    return false;
  static std::mutex Lock;
  static llvm::StringMap<bool> Known;
  {
    std::lock_guard<std::mutex> G(Lock);
    auto It = Known.find(Arg);
    if (It != Known.end())
      return It->second;
  }
  bool Rejected = driverRejects(Arg);
  std::lock_guard<std::mutex> G(Lock);
  Known[Arg] = Rejected;
  return Rejected;
}

ArgumentsAdjuster makeArgumentsAdjuster(llvm::ArrayRef<std::string> ExtraArgs,
                                        StringRef ResourceDir) {
  std::vector<std::string> Extra(ExtraArgs.begin(), ExtraArgs.end());
  std::string RD = ResourceDir.str();
  ArgumentsAdjuster Filter = [](const CommandLineArguments &Args, StringRef) {
    CommandLineArguments Out;
    for (size_t I = 0; I < Args.size(); ++I) {
      StringRef A = Args[I];
      if (I > 0 && (isGccOnlyFlag(A) || A == "-Werror" ||
                    A.startswith("-Werror=") || A == "-pedantic-errors"))
        continue;
      Out.push_back(Args[I]);
    }
    return Out;
  };
  ArgumentsAdjuster Adj = combineAdjusters(
      getClangStripOutputAdjuster(), getClangStripDependencyFileAdjuster());
  Adj = combineAdjusters(Adj, Filter);
  Adj = combineAdjusters(Adj, getClangSyntaxOnlyAdjuster());
  // -fno-caret-diagnostics also keeps clang from printing "N warnings
  // generated" on stderr behind our back.
  CommandLineArguments Tail = {"-fno-caret-diagnostics",
                               "-Wno-unknown-warning-option",
                               "-Wno-ignored-optimization-argument",
                               "-Wno-unused-command-line-argument"};
  if (!RD.empty()) {
    Tail.push_back("-resource-dir");
    Tail.push_back(RD);
  }
  Tail.insert(Tail.end(), Extra.begin(), Extra.end());
  Adj = combineAdjusters(
      Adj, getInsertArgumentAdjuster(Tail, ArgumentInsertPosition::END));
  return Adj;
}

//===----------------------------------------------------------------------===//
// Running an action
//===----------------------------------------------------------------------===//

namespace {
/// Keeps the first errors of a TU as "file:line:col: error: message".
class CapturingConsumer : public DiagnosticConsumer {
public:
  std::vector<std::string> Errors;
  unsigned Count = 0;

  void HandleDiagnostic(DiagnosticsEngine::Level L,
                        const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(L, Info);
    if (L < DiagnosticsEngine::Error)
      return;
    ++Count;
    if (Errors.size() >= 5)
      return;
    llvm::SmallString<256> Msg;
    Info.FormatDiagnostic(Msg);
    std::string Where;
    if (Info.getLocation().isValid() && Info.hasSourceManager()) {
      PresumedLoc P =
          Info.getSourceManager().getPresumedLoc(Info.getLocation());
      if (P.isValid())
        Where = (llvm::Twine(P.getFilename()) + ":" + llvm::Twine(P.getLine()) +
                 ":" + llvm::Twine(P.getColumn()) + ": ")
                    .str();
    }
    Errors.push_back(Where + "error: " + std::string(Msg));
  }
};
} // namespace

ParseResult runAction(const CompileCommand &Cmd,
                      const ArgumentsAdjuster &Adjust,
                      std::unique_ptr<FrontendAction> Action) {
  ParseResult R;
  R.File = Cmd.Filename;
  if (!llvm::sys::fs::exists(Cmd.Filename)) {
    R.Errors.push_back(Cmd.Filename + ": no such file (stale compile DB?)");
    return R;
  }
  std::vector<std::string> Args =
      Adjust ? Adjust(Cmd.CommandLine, Cmd.Filename) : Cmd.CommandLine;
  // A private file system: each thread has its own working directory.
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS =
      llvm::vfs::createPhysicalFileSystem();
  FS->setCurrentWorkingDirectory(Cmd.Directory);
  llvm::IntrusiveRefCntPtr<FileManager> Files(
      new FileManager(FileSystemOptions(), FS));
  CapturingConsumer Diags;
  ToolInvocation TI(Args, std::move(Action), Files.get());
  TI.setDiagnosticConsumer(&Diags);
  bool Ran = TI.run();
  R.Errors = std::move(Diags.Errors);
  if (Diags.Count > R.Errors.size())
    R.Errors.push_back("... " + std::to_string(Diags.Count - R.Errors.size()) +
                       " more errors");
  for (std::string &E : R.Errors)
    if (llvm::StringRef(E).contains("no input files"))
      E += " (the compile DB's command for this file does not name it as an "
           "input: check its quoting)";
  R.Ok = Ran && Diags.Count == 0;
  if (!R.Ok && R.Errors.empty())
    R.Errors.push_back("clang could not run this compile command");
  return R;
}

void parallelFor(size_t N, unsigned Jobs, bool Progress,
                 const std::function<void(size_t)> &Body) {
  bool Tty = Progress && llvm::sys::Process::StandardErrIsDisplayed() && N > 1;
  std::atomic<size_t> Done{0};
  std::mutex ErrLock;
  auto Step = [&](size_t I) {
    Body(I);
    size_t D = ++Done;
    if (Tty) {
      std::lock_guard<std::mutex> G(ErrLock);
      llvm::errs() << "\r[" << D << "/" << N << "]";
      if (D == N)
        llvm::errs() << "\r\033[K";
      llvm::errs().flush();
    }
  };
  if (Jobs == 1 || N <= 1) {
    for (size_t I = 0; I < N; ++I)
      Step(I);
    return;
  }
  llvm::ThreadPool Pool(llvm::hardware_concurrency(Jobs));
  for (size_t I = 0; I < N; ++I)
    Pool.async([&Step, I] { Step(I); });
  Pool.wait();
}

} // namespace mpsafe
