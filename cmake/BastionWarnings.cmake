# Warnings are errors for every target that calls bastion_warnings().
# GCC 12 reports false -Wrestrict/-Wstringop-overflow inside libstdc++'s std::string and
# -Wnull-dereference inside <streambuf> and std::string assignment at -O2/-O3 (GCC bugs 105329,
# 105651). Those checks stay on for clang and newer GCC. The exemptions come after the
# warning list so that they win over -Wnull-dereference (and only there: CMake drops repeated
# options, so a directory-wide copy earlier on the line would silently undo them).
set(BASTION_GCC12_EXEMPTIONS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  set(BASTION_GCC12_EXEMPTIONS
      -Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread -Wno-null-dereference)
endif()

function(bastion_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wconversion -Wsign-conversion -Wnull-dereference -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough -Wno-missing-field-initializers
    ${BASTION_GCC12_EXEMPTIONS})
endfunction()
