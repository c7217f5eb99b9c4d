#include "view/file_reader.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <string>

using namespace ssetail;

namespace {

// A temporary file holding `bytes`, removed at the end of the scope.
struct TempFile {
  explicit TempFile(const std::string& bytes) {
    char name[] = "/tmp/ssetail-file-reader-XXXXXX";
    const int fd = ::mkstemp(name);
    REQUIRE(fd >= 0);
    path = name;
    REQUIRE(::write(fd, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    ::close(fd);
  }
  ~TempFile() { ::unlink(path.c_str()); }
  std::string path;
};

std::string Gzip(const std::string& text) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, text.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Everything the reader gives, in reads of `piece`; `status` the last one's.
std::string ReadAll(const std::string& path, std::size_t piece, FileReader::Status& status,
                    std::string& why) {
  FileReader reader(UniqueFd(::open(path.c_str(), O_RDONLY | O_NONBLOCK)));
  std::string out(piece, '\0'), all;
  std::size_t got = 0;
  while ((status = reader.Read(out.data(), piece, got, why)) == FileReader::Status::Data) {
    all.append(out.data(), got);
  }
  return all;
}

}  // namespace

TEST_CASE("file reader: plain files as they are, gzip inflated, members one after the other") {
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "line " + std::to_string(i) + "\n";
  for (const auto& [name, bytes] :
       {std::pair<std::string, std::string>{"plain", text},
        {"gzip", Gzip(text)},
        {"two members", Gzip(text.substr(0, 1000)) + Gzip(text.substr(1000))},
        {"0x1f first", "\x1f" + text}}) {
    CAPTURE(name);
    const TempFile file(bytes);
    for (std::size_t piece : {std::size_t{1000}, std::size_t{128 << 10}}) {
      FileReader::Status status;
      std::string why;
      const std::string expected = name == "0x1f first" ? "\x1f" + text : text;
      CHECK(ReadAll(file.path, piece, status, why) == expected);
      CHECK(status == FileReader::Status::NothingNow);
    }
  }
}

TEST_CASE("file reader: a corrupt gzip stream says so; a truncated one is the end for now") {
  FileReader::Status status;
  std::string why;
  const TempFile bad(std::string("\x1f\x8b\x99garbage garbage"));
  ReadAll(bad.path, 4096, status, why);
  CHECK(status == FileReader::Status::Error);
  CHECK(why.rfind("not a gzip stream zlib can read: ", 0) == 0);
  const std::string gz = Gzip(std::string(100000, 'a'));
  const TempFile torn(gz.substr(0, gz.size() / 2));  // a writer not done yet
  ReadAll(torn.path, 4096, status, why);
  CHECK(status == FileReader::Status::NothingNow);
}
