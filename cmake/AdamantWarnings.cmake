# Warning and code-generation flags for adamant's own targets (not for dependencies).
add_library(adamant_flags INTERFACE)
target_compile_options(adamant_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Werror -Wshadow -Wno-error=deprecated-declarations>
  # GCC 12 false positives inside avx512fintrin.h when Eigen vectorises with AVX-512 (GCC PR
  # 105593, fixed in GCC 13): _mm512_undefined_ps() trips -W(maybe-)uninitialized, at -O1 (the
  # sanitizer preset) as well as -O3. Clang does not need this (the fuzz preset builds with it).
  $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-maybe-uninitialized -Wno-uninitialized>)
# -ffp-contract=off: no fused multiply-add contraction, so a SIMD body and its scalar tail round
# identically (results do not depend on how a buffer is split across threads) and each operation
# rounds like PyTorch's. -fno-math-errno lets sqrt vectorize; it changes no value.
target_compile_options(adamant_flags INTERFACE -ffp-contract=off -fno-math-errno)
if(ADAMANT_NATIVE)
  target_compile_options(adamant_flags INTERFACE -march=native)
endif()
if(ADAMANT_SANITIZE)
  target_compile_options(adamant_flags INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  target_link_options(adamant_flags INTERFACE -fsanitize=address,undefined)
endif()

# adamant_module(name [sources...]): one library target per module folder, alias adamant::name,
# public headers under <module>/include, installed and exported.
function(adamant_module name)
  add_library(adamant_${name} ${ARGN})
  add_library(adamant::${name} ALIAS adamant_${name})
  set_target_properties(adamant_${name} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME adamant_${name})
  target_include_directories(adamant_${name} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(adamant_${name} PRIVATE $<BUILD_INTERFACE:adamant_flags>)
  if(ADAMANT_NATIVE)
    # Consumers must see Eigen with the same SIMD width: its alignment (16 vs 32/64 bytes) decides
    # how aligned_malloc / aligned_free pair up, so an object allocated inside the library and
    # freed in code compiled for another ISA corrupts the heap ("double free").
    target_compile_options(adamant_${name} INTERFACE -march=native)
  endif()
  install(TARGETS adamant_${name} EXPORT adamantTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endfunction()
