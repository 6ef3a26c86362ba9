#pragma once
// ADAMANT_TEST_ASAN is defined in AddressSanitizer builds (GCC defines __SANITIZE_ADDRESS__,
// clang answers __has_feature(address_sanitizer)).

#if defined(__SANITIZE_ADDRESS__)
#define ADAMANT_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ADAMANT_TEST_ASAN 1
#endif
#endif
