// Memory for history blocks: fixed-size buffers carved from 2 MiB chunks that ask for
// transparent huge pages, and recycled when freed.
//
// Without it a long history costs one page fault per 4 KiB of events (measured: 10 M
// lines into a 2 GiB history took 2.6 s instead of 0.25 s, most of it in the kernel's
// fault path). Chunks are never returned to the system: the pool's size is the largest
// number of blocks ever alive at once, which the history limits bound.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

namespace ssetail {

class BlockPool {
 public:
  static constexpr std::size_t kBufferBytes = 64 * 1024;
  static constexpr std::size_t kChunkBytes = 2 * 1024 * 1024;

  static BlockPool& Instance();

  char* Get();             // kBufferBytes of memory
  void Put(char* buffer);  // thread-safe: blocks die on whichever thread released them last

 private:
  std::mutex mutex_;
  std::vector<char*> free_;
  char* chunk_ = nullptr;  // the chunk being carved
  std::size_t carved_ = kChunkBytes;
};

}  // namespace ssetail
