// An empty program, linked (by bench/run) against the same shared libraries as ssetail
// (libcpp-httplib and what it pulls in: OpenSSL, zlib, brotli; libstdc++). Scenario 8 runs it
// next to ssetail to show what loading those libraries alone costs at startup.
int main() {
  return 0;
}
