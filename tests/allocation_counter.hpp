// cookieseal tests - counts the heap allocations made by the calling thread
#pragma once

#include <cstddef>

namespace test_support {

/// Counts, while alive, the heap allocations made by the thread that created it. Linking
/// allocation_counter.cpp replaces every form of the global operator new/delete of the test
/// program; in a sanitizer build it installs the sanitizer's allocation hook instead (which
/// also counts malloc).
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

}  // namespace test_support
