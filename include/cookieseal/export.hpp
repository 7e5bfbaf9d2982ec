// cookieseal - symbol visibility for the shared library
#pragma once
#include <cookieseal/detail/require_cpp20.hpp>  // first: a clear error before C++20

// The library is built with hidden visibility; only what is marked here is exported.
#if defined(_WIN32)
#define COOKIESEAL_API
#else
#define COOKIESEAL_API __attribute__((visibility("default")))
#endif
