#include "history/block_pool.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <new>
#include <utility>

namespace ssetail {

BlockPool::Buffer::Buffer(Buffer&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)) {}

BlockPool::Buffer& BlockPool::Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    Free();
    pool_ = std::exchange(other.pool_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

BlockPool::Buffer::~Buffer() {
  Free();
}

void BlockPool::Buffer::Free() {
  if (data_ == nullptr) return;
  if (pool_ != nullptr) {
    pool_->Give(data_);
  } else {
    delete[] data_;
  }
  data_ = nullptr;
}

BlockPool& BlockPool::Instance() {
  static BlockPool* pool = new BlockPool;
  return *pool;
}

BlockPool::Buffer BlockPool::Allocate(std::size_t bytes) {
  if (bytes != kBufferBytes) return Buffer(nullptr, new char[bytes], bytes);
  return Buffer(this, Take(), kBufferBytes);
}

std::size_t BlockPool::carved() const {
  std::lock_guard lock(mutex_);
  return carved_;
}

char* BlockPool::Take() {
  std::lock_guard lock(mutex_);
  if (!free_.empty()) {
    char* buffer = free_.back();
    free_.pop_back();
    return buffer;
  }
  if (carved_in_chunk_ == kChunkBytes) {
    // Over-allocate to align the chunk on 2 MiB, the huge page size, and trim the rest.
    const std::size_t span = 2 * kChunkBytes;
    void* raw = ::mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) throw std::bad_alloc();
    auto base = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (base + kChunkBytes - 1) & ~(kChunkBytes - 1);
    // Trimming can only fail for a range we do not map, which these are not: unchecked.
    if (aligned > base) ::munmap(raw, aligned - base);
    const std::uintptr_t end = base + span;
    if (end > aligned + kChunkBytes) {
      ::munmap(reinterpret_cast<void*>(aligned + kChunkBytes), end - aligned - kChunkBytes);
    }
    chunk_ = reinterpret_cast<char*>(aligned);
    // A hint: it fails where THP is off, and the chunk works as well without it.
    ::madvise(chunk_, kChunkBytes, MADV_HUGEPAGE);
    carved_in_chunk_ = 0;
  }
  char* buffer = chunk_ + carved_in_chunk_;
  carved_in_chunk_ += kBufferBytes;
  ++carved_;
  return buffer;
}

void BlockPool::Give(char* buffer) {
  std::lock_guard lock(mutex_);
  free_.push_back(buffer);
}

}  // namespace ssetail
