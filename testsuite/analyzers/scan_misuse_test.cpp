// Misuse and robustness: compile DB problems, unknown files, parse errors
// (distinct exit status, the rest still analysed), bad options, GCC-only
// flags, and the front door's library pieces.
#include "ScanTestUtil.h"
#include "mpsafe/FrontDoor.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace scantest;

namespace {

bool has(const std::string &S, const std::string &Sub) {
  return S.find(Sub) != std::string::npos;
}

TEST(Misuse, MissingCompileDB) {
  std::string W = workDir();
  ScanRun R = scan({"-p", W});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(R.Err, W + "/compile_commands.json")) << R.Err;
  EXPECT_TRUE(has(R.Err, "no compilation database")) << R.Err;
}

TEST(Misuse, NoBuildDir) {
  ScanRun R = scan({});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(R.Err, "-p BUILD_DIR")) << R.Err;
}

TEST(Misuse, MalformedCompileDBNamesFileLineAndColumn) {
  std::string W = workDir();
  writeFile(W + "/compile_commands.json",
            "[\n  {\"directory\": \"/x\",\n   \"file\" \"a.c\"}\n]\n");
  ScanRun R = scan({"-p", W});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(R.Err, W + "/compile_commands.json: malformed JSON"))
      << R.Err;
  EXPECT_TRUE(has(R.Err, "[3:")) << R.Err; // line 3
}

TEST(Misuse, NotAnArray) {
  std::string W = workDir();
  writeFile(W + "/compile_commands.json", "{\"file\": \"a.c\"}");
  ScanRun R = scan({"-p", W});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(R.Err, "expected a JSON array")) << R.Err;
}

TEST(Misuse, PartialDatabaseSkipsBadEntries) {
  std::string W = workDir();
  std::string F = fixtureSrc() + "/spl/out_of_order.c";
  writeFile(W + "/compile_commands.json",
            "[{\"directory\": \"" + W +
                "\"},\n"
                " {\"directory\": \"" +
                W + "\", \"file\": \"" + F + "\", \"command\": \"cc -c -I" +
                fixtures() + "/include " + F + "\"}]");
  ScanRun R = scan({"-p", W, "--no-cache"});
  EXPECT_EQ(R.Status, mpsafe::ExitClean) << R.Err;
  EXPECT_TRUE(has(R.Err, "entry 0: no \"file\"; entry skipped")) << R.Err;
  EXPECT_TRUE(has(R.Out, "[spl-out-of-order]")) << R.Out;
}

TEST(Misuse, RelativeEntriesAndAJsonPath) {
  std::string W = workDir();
  writeFile(W + "/db.json",
            "[{\"directory\": \"" + fixtureSrc() +
                "/spl\", \"file\": \"../spl/./out_of_order.c\", "
                "\"arguments\": [\"cc\", \"-c\", \"-I../../include\", "
                "\"out_of_order.c\"]}]");
  ScanRun R = scan({"-p", W + "/db.json", "--no-cache"});
  EXPECT_EQ(R.Status, mpsafe::ExitClean) << R.Out << R.Err;
  EXPECT_TRUE(has(R.Out, fixtureSrc() + "/spl/out_of_order.c:11:2: warning"))
      << R.Out;
}

TEST(Misuse, UnknownFileIsAUsageError) {
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/cross.c"});
  ScanRun R = scan({"-p", W, "nosuch.c", "spl/cross.c"});
  EXPECT_EQ(R.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(R.Err, "nosuch.c: not in " + W + "/compile_commands.json"))
      << R.Err;
}

TEST(Misuse, SelectsFilesByTrailingPath) {
  std::string W = workDir();
  writeDB(
      W, {fixtureSrc() + "/spl/cross.c", fixtureSrc() + "/spl/out_of_order.c"});
  ScanRun R = scan({"-p", W, "--no-cache", "spl/out_of_order.c"});
  EXPECT_EQ(R.Status, mpsafe::ExitClean) << R.Err;
  EXPECT_TRUE(has(R.Out, "out_of_order.c")) << R.Out;
  EXPECT_FALSE(has(R.Out, "cross.c")) << R.Out;
}

TEST(Misuse, ParseErrorsHaveTheirOwnExitAndTheRestIsAnalysed) {
  std::string W = workDir();
  std::string Bad = W + "/src/broken/broken.c";
  writeFile(
      Bad,
      "#include <sys/systm.h>\nint\nbroken(void)\n{\n\treturn (1 +);\n}\n");
  writeDB(W, {Bad, fixtureSrc() + "/spl/out_of_order.c"});
  ScanRun R = scan({"-p", W, "--no-cache"});
  EXPECT_EQ(R.Status, mpsafe::ExitParseFailure) << R.Err;
  EXPECT_TRUE(has(R.Out, Bad + ": error: failed to parse")) << R.Out;
  EXPECT_TRUE(has(R.Out, Bad + ":5:")) << R.Out; // the first error, located
  EXPECT_TRUE(has(R.Out, "[spl-out-of-order]")) << R.Out;
  EXPECT_TRUE(has(R.Err, "1 failed to parse")) << R.Err;
}

TEST(Misuse, MissingSourceFileIsAParseFailure) {
  std::string W = workDir();
  writeDB(W, {W + "/gone.c", fixtureSrc() + "/spl/out_of_order.c"});
  ScanRun R = scan({"-p", W, "--no-cache"});
  EXPECT_EQ(R.Status, mpsafe::ExitParseFailure);
  EXPECT_TRUE(has(R.Out, "gone.c: no such file")) << R.Out;
}

TEST(Misuse, BadOptions) {
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/cross.c"});
  ScanRun A = scan({"-p", W, "--format", "xml"});
  EXPECT_EQ(A.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(A.Err, "unknown format 'xml'")) << A.Err;
  ScanRun B = scan({"-p", W, "--shard", "3/2"});
  EXPECT_EQ(B.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(B.Err, "--shard")) << B.Err;
  ScanRun C = scan({"-p", W, "--no-such-option"});
  EXPECT_EQ(C.Status, mpsafe::ExitUsage);
  ScanRun D = scan({"-p", W, "--fail-on-new"});
  EXPECT_EQ(D.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(D.Err, "--baseline")) << D.Err;
  ScanRun E = scan({"-p", W, "--baseline", W + "/none.json"});
  EXPECT_EQ(E.Status, mpsafe::ExitUsage);
  EXPECT_TRUE(has(E.Err, W + "/none.json")) << E.Err;
  ScanRun F = scan({"-p", W, "--module", "nonsense"});
  EXPECT_EQ(F.Status, mpsafe::ExitUsage);
}

TEST(Output, NonRegularFileIsWrittenNotReplaced) {
  // -o on a FIFO (or /dev/null) writes into it; renaming a temporary file
  // over it would replace the device or the FIFO itself.
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/out_of_order.c"});
  std::string Fifo = W + "/out.fifo";
  ::unlink(Fifo.c_str()); // workDir() does not remove FIFOs
  ASSERT_EQ(mkfifo(Fifo.c_str(), 0600), 0) << Fifo;
  int Fd = open(Fifo.c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(Fd, 0);
  ScanRun R = scan({"-p", W, "--no-cache", "--quiet", "-o", Fifo});
  EXPECT_EQ(R.Status, mpsafe::ExitClean) << R.Err;
  char Buf[4096];
  ssize_t N = read(Fd, Buf, sizeof Buf);
  close(Fd);
  EXPECT_GT(N, 0);
  llvm::sys::fs::file_status St;
  ASSERT_FALSE(llvm::sys::fs::status(Fifo, St));
  EXPECT_EQ(St.type(), llvm::sys::fs::file_type::fifo_file);
  ::unlink(Fifo.c_str());
}

TEST(GccFlags, KernelCommandLineParses) {
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/cross.c"},
          {"-fconserve-stack", "-mindirect-branch=thunk-extern",
           "-mindirect-branch-register", "-mrecord-mcount", "-fno-tree-vrp",
           "-fno-ipa-sra", "-mpreferred-stack-boundary=3",
           "-fno-allow-store-data-races", "-Wno-maybe-uninitialized", "-Werror",
           "-Werror=implicit-fallthrough=5", "-fno-var-tracking-assignments",
           "-MD", "-MF", W + "/cross.d", "-fno-strict-aliasing", "-nostdinc",
           "-isystem", mpsafe::findResourceDir() + "/include"});
  ScanRun R = scan({"-p", W, "--no-cache"});
  EXPECT_EQ(R.Status, mpsafe::ExitClean) << R.Out << R.Err;
  EXPECT_TRUE(has(R.Out, "[spl-cross-function]")) << R.Out;
}

TEST(ExtraArg, AddedToEveryCommand) {
  std::string W = workDir();
  std::string F = W + "/src/feature/feature.c";
  writeFile(F, "#ifndef FEATURE\n#error build with FEATURE\n#endif\n"
               "int feature_on;\n");
  writeDB(W, {F});
  ScanRun Without = scan({"-p", W, "--no-cache"});
  EXPECT_EQ(Without.Status, mpsafe::ExitParseFailure);
  EXPECT_TRUE(has(Without.Out, "build with FEATURE")) << Without.Out;
  ScanRun With = scan({"-p", W, "--no-cache", "--extra-arg", "-DFEATURE"});
  EXPECT_EQ(With.Status, mpsafe::ExitClean) << With.Out << With.Err;
}

TEST(GccFlags, WithoutTheFilterClangRejectsThem) {
  // The flags really are fatal to a plain clang: the filter is needed.
  std::string W = workDir();
  writeFile(W + "/t.c", "int x;\n");
  std::string Clang = MPSAFE_CLANG;
  llvm::StringRef Argv[] = {Clang, "-fsyntax-only", "-fconserve-stack",
                            W + "/t.c"};
  llvm::Optional<llvm::StringRef> Redir[] = {
      llvm::StringRef(""), llvm::StringRef(""), llvm::StringRef("")};
  EXPECT_NE(llvm::sys::ExecuteAndWait(Clang, Argv, llvm::None, Redir), 0);
}

TEST(FrontDoor, GccOnlyFlagClassification) {
  for (const char *F :
       {"-fconserve-stack", "-mindirect-branch=thunk-extern", "-mrecord-mcount",
        "-fno-tree-vrp", "-fno-ipa-sra", "-fzero-call-used-regs=used-gpr",
        "-mpreferred-stack-boundary=3", "-fno-code-hoisting"})
    EXPECT_TRUE(mpsafe::isGccOnlyFlag(F)) << F;
  for (const char *F : {"-I/usr/include", "-DKERNEL", "-O2",
                        "-fno-strict-aliasing", "-mno-red-zone", "-fno-common",
                        "-ffreestanding", "-c", "foo.c", "-std=gnu11", "-Wall"})
    EXPECT_FALSE(mpsafe::isGccOnlyFlag(F)) << F;
}

TEST(FrontDoor, ResourceDirHasStddef) {
  std::string Why;
  std::string D = mpsafe::findResourceDir(&Why);
  ASSERT_FALSE(D.empty()) << Why;
  EXPECT_TRUE(llvm::sys::fs::exists(D + "/include/stddef.h"));
}

TEST(FrontDoor, AdjusterDropsAndAdds) {
  auto Adj = mpsafe::makeArgumentsAdjuster({"-DEXTRA=1"}, "/rd");
  std::vector<std::string> Out = Adj(
      {"gcc", "-c", "-fconserve-stack", "-Werror", "-O2", "-o", "x.o", "x.c"},
      "x.c");
  auto Has = [&](const char *A) {
    return std::find(Out.begin(), Out.end(), A) != Out.end();
  };
  EXPECT_FALSE(Has("-fconserve-stack"));
  EXPECT_FALSE(Has("-Werror"));
  EXPECT_FALSE(Has("x.o"));
  EXPECT_TRUE(Has("-fsyntax-only"));
  EXPECT_TRUE(Has("-O2"));
  EXPECT_TRUE(Has("-DEXTRA=1"));
  EXPECT_TRUE(Has("/rd"));
}

TEST(FrontDoor, CommonRootAndSelection) {
  std::string W = workDir();
  writeDB(W, {fixtureSrc() + "/spl/cross.c", fixtureSrc() + "/sleep/sleeps.c"});
  auto DB = mpsafe::CompileDB::load(W);
  ASSERT_TRUE(static_cast<bool>(DB)) << llvm::toString(DB.takeError());
  EXPECT_EQ((*DB)->commonRoot(), fixtureSrc());
  auto Sel = (*DB)->select({"cross.c"});
  ASSERT_TRUE(static_cast<bool>(Sel));
  EXPECT_EQ(*Sel, std::vector<std::string>{fixtureSrc() + "/spl/cross.c"});
  auto Bad = (*DB)->select({"c"});
  EXPECT_FALSE(static_cast<bool>(Bad));
  llvm::consumeError(Bad.takeError());
}

} // namespace
