# Fails unless
#   - every global symbol defined in ARCHIVES starts with pvhdev_ (the
#     internals' pvhdev__ included): no generic name can collide with a
#     hypervisor's own;
#   - SHARED exports exactly the functions and objects that the headers
#     in HEADERS declare with PVHDEV_API: no internal is reachable, or
#     replaceable by interposition, through the .so.
cmake_policy(SET CMP0057 NEW)

include(${CMAKE_CURRENT_LIST_DIR}/nm.cmake)

foreach(lib ${ARCHIVES})
  nm_symbols(defs ${lib} -g --defined-only)
  set(bad "")
  foreach(name ${defs})
    # (ASan's ODR indicator of a pvhdev_ variable is named after it.)
    if(NOT name MATCHES "^(__odr_asan[.])?pvhdev_")
      list(APPEND bad ${name})
    endif()
  endforeach()
  if(bad)
    message(FATAL_ERROR "${lib} defines globals outside pvhdev_*: ${bad}")
  endif()
  list(LENGTH defs n)
  message(STATUS "${lib}: ${n} globals, all pvhdev_*")
endforeach()

# The API: the last pvhdev_ name before "(" or ";" in each PVHDEV_API
# declaration (the return type may be on the line before the name).
file(GLOB headers ${HEADERS}/*.h)
set(api "")
foreach(h ${headers})
  file(READ ${h} text)
  # (";" separates CMake list items: "@" stands for it here.)
  string(REPLACE ";" "@" text "${text}")
  string(REGEX MATCHALL "\nPVHDEV_API [^@(]*[ *\n]pvhdev_[a-z0-9_]+ *[(@]" decls "${text}")
  foreach(d ${decls})
    string(REGEX MATCH "pvhdev_[a-z0-9_]+ *[(@]$" name "${d}")
    string(REGEX REPLACE " *[(@]$" "" name "${name}")
    list(APPEND api ${name})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES api)

nm_symbols(defs ${SHARED} -D --defined-only)
set(exported "")
foreach(name ${defs})
  # The linker's own markers and, in the sanitizer build, its runtime's
  # hooks are not ours.
  if(name MATCHES "^(_init|_fini|_edata|_end|__bss_start)$" OR
     name MATCHES "^__(asan|ubsan|sanitizer|lsan)_" OR name MATCHES "^__odr_asan[.]")
    continue()
  endif()
  list(APPEND exported ${name})
endforeach()
set(extra ${exported})
set(missing ${api})
if(api AND exported)
  list(REMOVE_ITEM extra ${api})
  list(REMOVE_ITEM missing ${exported})
endif()
if(extra OR missing)
  message(FATAL_ERROR "${SHARED}: exports not in the API: ${extra}; "
          "API not exported: ${missing}")
endif()
list(LENGTH api n)
message(STATUS "${SHARED}: exports exactly the ${n} PVHDEV_API declarations")
