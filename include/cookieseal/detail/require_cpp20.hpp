// cookieseal - stops a pre-C++20 build at the first line of the first cookieseal header
#pragma once
// Included first by every public header, so that -std=c++17 gives this message rather than
// an error about std::endian or std::span deep inside. MSVC keeps __cplusplus at 199711L
// unless /Zc:__cplusplus is given; _MSVC_LANG carries its real language level.
#if defined(_MSVC_LANG) && _MSVC_LANG > __cplusplus
#define COOKIESEAL_CPLUSPLUS _MSVC_LANG
#else
#define COOKIESEAL_CPLUSPLUS __cplusplus
#endif
#if COOKIESEAL_CPLUSPLUS < 202002L
#error "cookieseal needs C++20 (-std=c++20)"
#endif
#undef COOKIESEAL_CPLUSPLUS
