#include "compare/normalize.hpp"

#include <doctest/doctest.h>

#include <string>

using ssetail::compare::Normalize;

TEST_CASE("compare: Normalize replaces what differs between runs in compilers' and make's lines") {
  CHECK(Normalize("/tmp/tmp.Xk3Zq9/src/util.c:5:5: error: expected ';' before 'return'") ==
        "<tmp>/src/util.c:5:5: error: expected ';' before 'return'");
  CHECK(Normalize("/usr/bin/ld: /tmp/ccAbC123.o: in function `main':") ==
        "/usr/bin/ld: <tmp>: in function `main':");
  CHECK(Normalize("make[1]: Entering directory '/tmp/build-8f3a/app'") ==
        "make[1]: Entering directory '<tmp>/app'");
  CHECK(Normalize("   Compiling app v0.1.0 (/var/tmp/.tmpQ2w/app)") ==
        "   Compiling app v0.1.0 (<tmp>/app)");
  CHECK(Normalize("[12/345] Building C object CMakeFiles/app.dir/src/main.c.o") ==
        "[<progress>] Building C object CMakeFiles/app.dir/src/main.c.o");
  CHECK(Normalize("[ 45%] Building CXX object src/CMakeFiles/x.dir/a.cpp.o") ==
        "[<progress>] Building CXX object src/CMakeFiles/x.dir/a.cpp.o");
}

TEST_CASE("compare: Normalize replaces test runners' durations and progress") {
  CHECK(Normalize("tests/test_api.py::test_login PASSED                [ 50%]") ==
        "tests/test_api.py::test_login PASSED                [<progress>]");
  CHECK(Normalize("=============== 3 passed, 1 warning in 0.12s ===============") ==
        "=============== 3 passed, 1 warning in <duration> ===============");
  CHECK(Normalize("--- PASS: TestParse (0.00s)") == "--- PASS: TestParse (<duration>)");
  CHECK(Normalize("ok  \texample.com/pkg/parse\t0.123s") ==
        "ok  \texample.com/pkg/parse\t<duration>");
  CHECK(Normalize("    Finished dev [unoptimized + debuginfo] target(s) in 2.34s") ==
        "    Finished dev [unoptimized + debuginfo] target(s) in <duration>");
  CHECK(Normalize("test result: ok. 12 passed; 0 failed; finished in 0.01s") ==
        "test result: ok. 12 passed; 0 failed; finished in <duration>");
  CHECK(Normalize("Ran 3 tests in 0.002s") == "Ran 3 tests in <duration>");
  CHECK(Normalize("1/1 Test #1: parse ....   Passed    0.01 sec") ==
        "1/1 Test #1: parse ....   Passed    <duration>");
  CHECK(Normalize("real\t0m1.234s") == "real\t<duration>");
  CHECK(Normalize("Elapsed: 1h2m3.5s, then 1m 2s") == "Elapsed: <duration>, then <duration>");
  CHECK(Normalize("took 12.3 sec (350 ms cpu, 12\xc2\xb5s gc) in 2 minutes") ==
        "took <duration> (<duration> cpu, <duration> gc) in <duration>");
}

TEST_CASE("compare: Normalize replaces CI timestamps and clock times") {
  CHECK(Normalize("2024-01-15T10:23:45.1234567Z ##[group]Run make -j2") ==
        "<time> ##[group]Run make -j2");
  CHECK(Normalize("2024-01-15T10:23:45+01:00 start") == "<time> start");
  CHECK(Normalize("2024-01-15 10:23:45,123 INFO worker started pid=4242") ==
        "<time> INFO worker started pid=<pid>");
  CHECK(Normalize("2009/11/10 23:00:00 listening on :8080") == "<time> listening on :8080");
  CHECK(Normalize("[10:23:45] Starting 'build'...") == "[<time>] Starting 'build'...");
  CHECK(Normalize("Build date: 2024-01-15") == "Build date: <time>");
  CHECK(Normalize("Mon Jan 15 10:23:45 UTC 2024") == "Mon Jan 15 <time> UTC 2024");
}

TEST_CASE("compare: Normalize replaces addresses, UUIDs and pids") {
  CHECK(Normalize("==12345==ERROR: AddressSanitizer: heap-use-after-free on address "
                  "0x602000000010 at pc 0x55d0c4a3b2a0") ==
        "==<pid>==ERROR: AddressSanitizer: heap-use-after-free on address <addr> at pc <addr>");
  CHECK(Normalize("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x4a5b6c]") ==
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=<addr>]");
  CHECK(Normalize("request 123e4567-e89b-12d3-a456-426614174000 done") == "request <uuid> done");
  CHECK(Normalize("container E3B0C442-98FC-1C14-9AFB-F4C8996FB924") == "container <uuid>");
  CHECK(Normalize("sshd[12345]: Accepted key") == "sshd[<pid>]: Accepted key");
  CHECK(Normalize("worker (pid 31337) exited; PID: 77 too") ==
        "worker (pid <pid>) exited; PID: <pid> too");
}

TEST_CASE("compare: Normalize removes escape sequences first") {
  CHECK(Normalize("\x1b[1;31merror:\x1b[0m build failed") == "error: build failed");
  CHECK(Normalize("\x1b[32m[3/10]\x1b[0m cc -c 0.5s") == "[<progress>] cc -c <duration>");
}

TEST_CASE("compare: Normalize keeps what is not one of its patterns") {
  for (const std::string line : {
           "main.c:12:34: warning: unused variable 'x' [-Wunused-variable]",
           "  --> src/lib.rs:10:5:",
           "x86_64-linux-gnu-gcc-12 -O2 libfoo.so.1.2.3",
           "3 sections, 5m apples, 5 m, 2 users",
           "flags 0x10, make[1], int[10], array[ 12]",
           "/home/me/tmp/file and src/tmp/x and /tmpfoo/x",
           "deadbeef-1234 abc12345-e89b-12d3",
           "v1.2s tests_3s 12:34",
           "caf\xc3\xa9 1s\xc3\xa9",
           "",
       }) {
    CHECK(Normalize(line) == line);
  }
}

TEST_CASE("compare: Normalize never reads past a line's end") {
  const std::string full =
      "2024-01-15T10:23:45.123+01:00 0x55d0c4a3b2a0 [12/345] 1m2.5s "
      "/tmp/x 123e4567-e89b-12d3-a456-426614174000 pid=12 ==123== [ 4%]";
  for (std::size_t n = 0; n <= full.size(); ++n) {
    const std::string prefix = full.substr(0, n);  // its own buffer: ASan sees any overread
    CHECK(Normalize(prefix).size() <= prefix.size() + 64);
  }
}

TEST_CASE("compare: Normalize is idempotent: a placeholder is a boundary for what follows it") {
  // Found by fuzz_compare: the byte before "/tmp/" was a path byte in the line, but '>' in
  // the normalised one, so a second pass replaced more.
  CHECK(Normalize("/tmp/ab/tmp/cd") == "<tmp><tmp>");
  for (const std::string line :
       {"/tmp/ab/tmp/cd", "0x12345678/tmp/x", "[1234]5s 10:11:12.5s", "2024-01-15 12:00:00/tmp/x",
        "sshd[123]pid 5", "2024-01-15T10:23:5min",
        "==20==20====5===", "2024-01-15T10:24:4524-01-15T10:24:45Z", "10:11:12Zx"}) {
    CHECK(Normalize(Normalize(line)) == Normalize(line));
  }
}
