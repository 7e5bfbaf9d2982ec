// cookieseal tests - counts the heap allocations made by the calling thread, caps their size
#pragma once

#include <cstddef>

namespace test_support {

/// Counts, while alive, the heap allocations made by the thread that created it. Linking
/// allocation_counter.cpp (tests/support/meson.build: allocation_counter_dep) replaces every form of the
/// global operator new/delete of the test program; in a sanitizer build it installs the sanitizer's
/// allocation hook instead (which also counts malloc).
class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  AllocationCounter(const AllocationCounter&) = delete;
  AllocationCounter& operator=(const AllocationCounter&) = delete;

  /// Allocations made by this thread since construction.
  [[nodiscard]] std::size_t count() const;
  /// Bytes requested by those allocations.
  [[nodiscard]] std::size_t bytes() const;
};

/// From now on, one allocation of more than `bytes` (by any thread) prints its size and aborts
/// the program: the corpus replayer's equivalent of libFuzzer's -malloc_limit_mb, so that a
/// forged length trusted by a parser fails the plain build too. 0 (the default) is no limit.
void set_allocation_limit(std::size_t bytes) noexcept;

}  // namespace test_support
