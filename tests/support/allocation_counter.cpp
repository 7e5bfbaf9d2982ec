// cookieseal tests - counting heap allocations: replaced operator new, or a sanitizer hook
#include "allocation_counter.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>

// Under a sanitizer the runtime owns operator new (ThreadSanitizer's cannot be replaced at
// all), so there the count comes from the sanitizer's allocation hook, which sees every
// allocation (operator new and malloc); elsewhere operator new itself is replaced.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define COUNT_WITH_SANITIZER_HOOK 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define COUNT_WITH_SANITIZER_HOOK 1
#endif
#endif
#ifdef COUNT_WITH_SANITIZER_HOOK
#include <sanitizer/allocator_interface.h>
#endif

namespace {

thread_local bool armed = false;
thread_local std::size_t allocations = 0;
thread_local std::size_t allocated_bytes = 0;
std::atomic<std::size_t> limit_bytes{0};

void note(std::size_t n) noexcept {
  const std::size_t limit = limit_bytes.load(std::memory_order_relaxed);
  if (limit != 0 && n > limit) {
    std::fprintf(stderr, "allocation of %zu bytes exceeds the limit of %zu bytes\n", n, limit);
    std::abort();
  }
  if (armed) {
    ++allocations;
    allocated_bytes += n;
  }
}

#ifdef COUNT_WITH_SANITIZER_HOOK

void on_malloc(const volatile void*, std::size_t n) { note(n); }
void on_free(const volatile void*) {}
// Before main, while there is one thread, as the hook's API requires.
const int hooks_installed = __sanitizer_install_malloc_and_free_hooks(&on_malloc, &on_free);

#else

void* plain_alloc(std::size_t n) noexcept {
  note(n);
  return std::malloc(n == 0 ? 1 : n);
}

void* counted_aligned(std::size_t n, std::align_val_t a) noexcept {
  note(n);
  void* p = nullptr;
  const std::size_t align = std::max(static_cast<std::size_t>(a), sizeof(void*));
  return posix_memalign(&p, align, n == 0 ? 1 : n) == 0 ? p : nullptr;
}

void* or_throw(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

#endif

}  // namespace

namespace test_support {

AllocationCounter::AllocationCounter() {
#ifdef COUNT_WITH_SANITIZER_HOOK
  if (hooks_installed == 0) throw std::runtime_error("the sanitizer's allocation hook is not installed");
#endif
  allocations = 0;
  allocated_bytes = 0;
  armed = true;
}
AllocationCounter::~AllocationCounter() { armed = false; }
std::size_t AllocationCounter::count() const { return allocations; }
std::size_t AllocationCounter::bytes() const { return allocated_bytes; }

void set_allocation_limit(std::size_t bytes) noexcept {
#ifdef COUNT_WITH_SANITIZER_HOOK
  if (hooks_installed == 0) return;  // the sanitizer's own allocation limits apply
#endif
  limit_bytes.store(bytes, std::memory_order_relaxed);
}

}  // namespace test_support

#ifndef COUNT_WITH_SANITIZER_HOOK

// noinline on the deletes: GCC 12 otherwise sees free() of an operator-new pointer and warns
// (-Wmismatched-new-delete), not knowing that these operators are malloc.
void* operator new(std::size_t n) { return or_throw(plain_alloc(n)); }
void* operator new[](std::size_t n) { return or_throw(plain_alloc(n)); }
void* operator new(std::size_t n, std::align_val_t a) { return or_throw(counted_aligned(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return or_throw(counted_aligned(n, a)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return plain_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return plain_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_aligned(n, a);
}
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return counted_aligned(n, a);
}
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  std::free(p);
}

#endif
