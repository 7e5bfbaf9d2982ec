// cookieseal - symbol visibility for the shared library
#pragma once

// The library is built with hidden visibility; only what is marked here is exported.
#if defined(_WIN32)
#define COOKIESEAL_API
#else
#define COOKIESEAL_API __attribute__((visibility("default")))
#endif
