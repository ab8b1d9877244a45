# Warnings are errors for every target that calls bastion_warnings().
function(bastion_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Werror -Wshadow -Wnon-virtual-dtor -Wcast-align
    -Wconversion -Wsign-conversion -Wnull-dereference -Wdouble-promotion
    -Wformat=2 -Wimplicit-fallthrough -Wno-missing-field-initializers)
endfunction()
# GCC 12 reports false -Wrestrict/-Wstringop-overflow inside libstdc++'s std::string and
# -Wnull-dereference inside <streambuf> at -O2 (GCC bugs 105329, 105651). Those checks stay on
# for clang and newer GCC.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  add_compile_options(-Wno-restrict -Wno-stringop-overflow -Wno-stringop-overread -Wno-null-dereference)
endif()
