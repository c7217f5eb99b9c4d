// Bytes in the gzip format (RFC 1952), for the page's files: each is compressed once, at
// startup, rather than by httplib on every request (see http_server.cpp, ServeAsset).
#pragma once

#include <string>
#include <string_view>

namespace ssetail {

// `bytes` gzip'd at zlib's best compression.
std::string GzipBytes(std::string_view bytes);

}  // namespace ssetail
