// Memory for history blocks: fixed-size buffers carved from 2 MiB chunks that ask for
// transparent huge pages, and recycled when freed.
//
// Without it a long history costs one page fault per 4 KiB of events (measured: 10 M
// lines into a 2 GiB history took 2.6 s instead of 0.25 s, most of it in the kernel's
// fault path). Chunks are never returned to the system: the pool's size is the largest
// number of blocks ever alive at once, which the history limits bound.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

namespace ssetail {

class BlockPool {
 public:
  static constexpr std::size_t kBufferBytes = 64 * 1024;
  static constexpr std::size_t kChunkBytes = 2 * 1024 * 1024;

  // The memory of one block, owned: a pooled buffer goes back to its pool when the Buffer
  // dies (on whichever thread releases the block last); a larger one is freed.
  class Buffer {
   public:
    Buffer() = default;
    Buffer(Buffer&& other) noexcept;
    Buffer& operator=(Buffer&& other) noexcept;
    Buffer(const Buffer&) = delete;
    Buffer& operator=(const Buffer&) = delete;
    ~Buffer();

    char* data() const { return data_; }
    std::size_t size() const { return size_; }

   private:
    friend class BlockPool;
    Buffer(BlockPool* pool, char* data, std::size_t size) : pool_(pool), data_(data), size_(size) {}
    void Free();

    BlockPool* pool_ = nullptr;  // null: from the heap
    char* data_ = nullptr;
    std::size_t size_ = 0;
  };

  // The process's pool. Never destroyed: blocks may outlive main.
  static BlockPool& Instance();

  // A buffer of `bytes`: from the pool when that is kBufferBytes, else from the heap (the
  // pinned first event, a single event larger than a block). Thread-safe.
  Buffer Allocate(std::size_t bytes);

  // Buffers carved so far (in use or free): what the pool holds.
  std::size_t carved() const;

 private:
  char* Take();
  void Give(char* buffer);

  mutable std::mutex mutex_;
  std::vector<char*> free_;
  char* chunk_ = nullptr;  // the chunk being carved
  std::size_t carved_in_chunk_ = kChunkBytes;
  std::size_t carved_ = 0;
};

}  // namespace ssetail
