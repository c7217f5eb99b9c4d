#include "history/block_pool.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

using namespace ssetail;

// Each test has a pool of its own (the process's pool is shared with the history tests), so
// carved() counts only its buffers. A pool's chunks are never unmapped, by design.

TEST_CASE(
    "block pool: a block-sized allocation is pooled, any other size is exact, from the heap") {
  BlockPool pool;
  CHECK(pool.carved() == 0);
  for (std::size_t bytes : {std::size_t{1}, std::size_t{4096}, BlockPool::kBufferBytes - 1}) {
    CAPTURE(bytes);
    BlockPool::Buffer buffer = pool.Allocate(bytes);
    REQUIRE(buffer.data() != nullptr);
    CHECK(buffer.size() == bytes);  // the pinned start event: no 64 KiB for a few bytes
    std::memset(buffer.data(), 0x5A, buffer.size());  // ASan: every byte of it is ours
  }
  CHECK(pool.carved() == 0);
  for (int i = 0; i < 3; ++i) {
    BlockPool::Buffer buffer = pool.Allocate(BlockPool::kBufferBytes);
    REQUIRE(buffer.data() != nullptr);
    CHECK(buffer.size() == BlockPool::kBufferBytes);
    // All of it is writable and readable.
    std::memset(buffer.data(), 0xA5, buffer.size());
    CHECK(static_cast<unsigned char>(buffer.data()[buffer.size() - 1]) == 0xA5);
  }
  // Each buffer died before the next was allocated: one buffer served them all.
  CHECK(pool.carved() == 1);
}

TEST_CASE("block pool: a freed buffer is reused before anything new is carved") {
  BlockPool pool;
  char* first;
  {
    BlockPool::Buffer a = pool.Allocate(BlockPool::kBufferBytes);
    first = a.data();
    CHECK(pool.carved() == 1);
  }
  BlockPool::Buffer b = pool.Allocate(BlockPool::kBufferBytes);
  CHECK(b.data() == first);
  CHECK(pool.carved() == 1);
  // With b alive, the next one is new.
  BlockPool::Buffer c = pool.Allocate(BlockPool::kBufferBytes);
  CHECK(c.data() != first);
  CHECK(pool.carved() == 2);
  // Free both: the next two allocations take exactly those two back, nothing new.
  char* second = c.data();
  b = BlockPool::Buffer();
  c = BlockPool::Buffer();
  BlockPool::Buffer d = pool.Allocate(BlockPool::kBufferBytes);
  BlockPool::Buffer e = pool.Allocate(BlockPool::kBufferBytes);
  CHECK(std::set<char*>{d.data(), e.data()} == std::set<char*>{first, second});
  CHECK(pool.carved() == 2);
}

TEST_CASE("block pool: a buffer larger than a block comes from the heap, exactly sized") {
  BlockPool pool;
  {
    BlockPool::Buffer big = pool.Allocate(BlockPool::kBufferBytes + 1);
    REQUIRE(big.data() != nullptr);
    CHECK(big.size() == BlockPool::kBufferBytes + 1);
    std::memset(big.data(), 1, big.size());  // ASan: every byte of it is ours
    BlockPool::Buffer huge = pool.Allocate(3 * BlockPool::kChunkBytes);
    CHECK(huge.size() == 3 * BlockPool::kChunkBytes);
    std::memset(huge.data(), 2, huge.size());
    CHECK(pool.carved() == 0);
  }
  // Freeing them gave nothing to the pool: the next small one is carved afresh.
  CHECK(pool.carved() == 0);
  BlockPool::Buffer small = pool.Allocate(BlockPool::kBufferBytes);
  CHECK(pool.carved() == 1);
}

TEST_CASE("block pool: a moved buffer is freed once, by its new owner") {
  BlockPool pool;
  SUBCASE("move construction, pooled") {
    BlockPool::Buffer a = pool.Allocate(BlockPool::kBufferBytes);
    char* data = a.data();
    {
      BlockPool::Buffer b(std::move(a));
      CHECK(a.data() == nullptr);  // NOLINT(bugprone-use-after-move): the point of the test
      CHECK(a.size() == 0);
      CHECK(b.data() == data);
      CHECK(b.size() == BlockPool::kBufferBytes);
    }
    // b gave it back once; a, moved from, gives nothing when it dies.
    a = BlockPool::Buffer();
    // Given back twice, the pool would hand the same buffer to two owners.
    BlockPool::Buffer x = pool.Allocate(BlockPool::kBufferBytes);
    BlockPool::Buffer y = pool.Allocate(BlockPool::kBufferBytes);
    CHECK(x.data() == data);
    CHECK(y.data() != data);
    CHECK(pool.carved() == 2);
  }
  SUBCASE("move assignment frees what the target held") {
    BlockPool::Buffer a = pool.Allocate(BlockPool::kBufferBytes);
    BlockPool::Buffer b = pool.Allocate(BlockPool::kBufferBytes);
    char* a_data = a.data();
    char* b_data = b.data();
    b = std::move(a);
    CHECK(a.data() == nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(a.size() == 0);
    CHECK(b.data() == a_data);
    // b's old buffer is back in the pool: the next allocation takes it, nothing is carved.
    BlockPool::Buffer c = pool.Allocate(BlockPool::kBufferBytes);
    CHECK(c.data() == b_data);
    CHECK(pool.carved() == 2);
  }
  SUBCASE("self move assignment keeps the buffer") {
    BlockPool::Buffer a = pool.Allocate(BlockPool::kBufferBytes);
    char* data = a.data();
    BlockPool::Buffer& alias = a;
    a = std::move(alias);
    CHECK(a.data() == data);
    CHECK(a.size() == BlockPool::kBufferBytes);
    BlockPool::Buffer other = pool.Allocate(BlockPool::kBufferBytes);
    CHECK(other.data() != data);  // still a's: not given back by the self-assignment
  }
  SUBCASE("heap buffers: moved, assigned over, freed once (ASan checks the once)") {
    BlockPool::Buffer a = pool.Allocate(BlockPool::kBufferBytes * 2);
    BlockPool::Buffer b(std::move(a));
    CHECK(a.data() == nullptr);  // NOLINT(bugprone-use-after-move)
    CHECK(b.size() == BlockPool::kBufferBytes * 2);
    BlockPool::Buffer c = pool.Allocate(BlockPool::kBufferBytes * 3);
    c = std::move(b);  // frees c's own heap buffer
    CHECK(c.size() == BlockPool::kBufferBytes * 2);
    std::memset(c.data(), 3, c.size());
    BlockPool::Buffer pooled = pool.Allocate(BlockPool::kBufferBytes);
    pooled = std::move(c);  // a pooled buffer replaced by a heap one
    CHECK(pooled.size() == BlockPool::kBufferBytes * 2);
    BlockPool::Buffer again = pool.Allocate(BlockPool::kBufferBytes);
    CHECK(pool.carved() == 1);  // the pooled one went back and came out again
  }
  SUBCASE("a default buffer is empty and frees nothing") {
    BlockPool::Buffer empty;
    CHECK(empty.data() == nullptr);
    CHECK(empty.size() == 0);
    BlockPool::Buffer moved(std::move(empty));
    CHECK(moved.data() == nullptr);
    CHECK(pool.carved() == 0);
  }
}

TEST_CASE("block pool: one chunk gives 32 distinct buffers 64 KiB apart, then a new chunk") {
  BlockPool pool;
  constexpr std::size_t kPerChunk = BlockPool::kChunkBytes / BlockPool::kBufferBytes;
  static_assert(kPerChunk == 32);
  std::vector<BlockPool::Buffer> buffers;
  for (std::size_t i = 0; i < kPerChunk; ++i)
    buffers.push_back(pool.Allocate(BlockPool::kBufferBytes));
  CHECK(pool.carved() == kPerChunk);
  const auto base = reinterpret_cast<std::uintptr_t>(buffers[0].data());
  CHECK(base % BlockPool::kChunkBytes == 0);  // the chunk is aligned for a huge page
  for (std::size_t i = 0; i < kPerChunk; ++i) {
    CAPTURE(i);
    CHECK(reinterpret_cast<std::uintptr_t>(buffers[i].data()) ==
          base + i * BlockPool::kBufferBytes);
    std::memset(buffers[i].data(), static_cast<int>(i), BlockPool::kBufferBytes);
  }
  // Writing each one whole did not touch its neighbours.
  for (std::size_t i = 0; i < kPerChunk; ++i) {
    CAPTURE(i);
    CHECK(buffers[i].data()[0] == static_cast<char>(i));
    CHECK(buffers[i].data()[BlockPool::kBufferBytes - 1] == static_cast<char>(i));
  }
  buffers.push_back(pool.Allocate(BlockPool::kBufferBytes));
  CHECK(pool.carved() == kPerChunk + 1);
  const auto next = reinterpret_cast<std::uintptr_t>(buffers.back().data());
  CHECK(next % BlockPool::kChunkBytes == 0);
  CHECK((next < base || next >= base + BlockPool::kChunkBytes));
}

TEST_CASE("block pool: Instance is one pool") {
  CHECK(&BlockPool::Instance() == &BlockPool::Instance());
  BlockPool::Buffer buffer = BlockPool::Instance().Allocate(BlockPool::kBufferBytes);
  CHECK(buffer.size() == BlockPool::kBufferBytes);
}

TEST_CASE("block pool: threads allocating and freeing, also each other's buffers") {
  BlockPool pool;
  constexpr int kThreads = 4;
  constexpr int kHeld = 3;  // buffers a thread holds at once
  constexpr int kRounds = 3000;
  // A buffer handed from one thread to another, to be freed by the other one.
  std::mutex exchange_mutex;
  std::optional<BlockPool::Buffer> exchange;
  std::vector<int> corrupt(kThreads, 0);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::vector<BlockPool::Buffer> held(kHeld);
      for (int round = 0; round < kRounds; ++round) {
        BlockPool::Buffer& slot = held[round % kHeld];
        slot = pool.Allocate(round % 2 == 0 ? 64 : BlockPool::kBufferBytes);
        // Stamp it with who holds it; a buffer given to two owners at once shows up when
        // the stamp is checked after the other threads had their turn.
        const std::uint64_t stamp = (static_cast<std::uint64_t>(t) << 32) | round;
        std::memcpy(slot.data(), &stamp, sizeof stamp);
        std::memcpy(slot.data() + slot.size() - sizeof stamp, &stamp, sizeof stamp);
        std::this_thread::yield();
        for (const BlockPool::Buffer& b : held) {
          if (b.data() == nullptr) continue;
          std::uint64_t front, back;
          std::memcpy(&front, b.data(), sizeof front);
          std::memcpy(&back, b.data() + b.size() - sizeof back, sizeof back);
          if (front != back || (front >> 32) != static_cast<std::uint64_t>(t)) ++corrupt[t];
        }
        if (round % 7 == 0) {
          // Swap one with the shared slot: it will die on another thread.
          std::lock_guard lock(exchange_mutex);
          BlockPool::Buffer mine = std::move(slot);
          if (exchange) slot = std::move(*exchange);
          exchange = std::move(mine);
          if (slot.data() != nullptr) {
            // Ours now: restamp it before anyone checks it.
            const std::uint64_t restamp = (static_cast<std::uint64_t>(t) << 32) | round;
            std::memcpy(slot.data(), &restamp, sizeof restamp);
            std::memcpy(slot.data() + slot.size() - sizeof restamp, &restamp, sizeof restamp);
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) CHECK(corrupt[t] == 0);
  // The pool never holds more than were alive at once: per thread, kHeld and the new one
  // being allocated for a slot before the slot's old one dies; and the shared slot.
  CHECK(pool.carved() <= kThreads * (kHeld + 1) + 1);
  CHECK(pool.carved() >= kHeld);
  exchange.reset();
  // Everything is back: that many allocations carve nothing new, and are all distinct.
  const std::size_t carved = pool.carved();
  std::vector<BlockPool::Buffer> all;
  std::set<char*> distinct;
  for (std::size_t i = 0; i < carved; ++i) {
    all.push_back(pool.Allocate(BlockPool::kBufferBytes));
    distinct.insert(all.back().data());
  }
  CHECK(pool.carved() == carved);
  CHECK(distinct.size() == carved);
}
