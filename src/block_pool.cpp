#include "block_pool.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>

namespace ssetail {

BlockPool& BlockPool::Instance() {
  static BlockPool* pool = new BlockPool;  // never destroyed: blocks may outlive main
  return *pool;
}

char* BlockPool::Get() {
  std::lock_guard lock(mutex_);
  if (!free_.empty()) {
    char* buffer = free_.back();
    free_.pop_back();
    return buffer;
  }
  if (carved_ == kChunkBytes) {
    // Over-allocate to align the chunk on 2 MiB, the huge page size, and trim the rest.
    const std::size_t span = 2 * kChunkBytes;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (base + kChunkBytes - 1) & ~(kChunkBytes - 1);
    if (aligned > base) ::munmap(raw, aligned - base);
    const std::uintptr_t end = base + span;
    if (end > aligned + kChunkBytes) {
      ::munmap(reinterpret_cast<void*>(aligned + kChunkBytes), end - aligned - kChunkBytes);
    }
    chunk_ = reinterpret_cast<char*>(aligned);
    ::madvise(chunk_, kChunkBytes, MADV_HUGEPAGE);  // a hint; fine where THP is off
    carved_ = 0;
  }
  char* buffer = chunk_ + carved_;
  carved_ += kBufferBytes;
  return buffer;
}

void BlockPool::Put(char* buffer) {
  std::lock_guard lock(mutex_);
  free_.push_back(buffer);
}

}  // namespace ssetail
