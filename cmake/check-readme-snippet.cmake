# Compiles the C code of README.md's "Using the library" section as it
# is written there (warnings are errors), against the public headers.
#   cmake -DCC=... -DSRC=source-dir -DOUT=dir -P this
file(READ ${SRC}/README.md readme)
string(FIND "${readme}" "## Using the library" at)
if(at EQUAL -1)
  message(FATAL_ERROR "README.md has no 'Using the library' section")
endif()
string(SUBSTRING "${readme}" ${at} -1 section)
if(NOT section MATCHES "```c\n(.*)")
  message(FATAL_ERROR "README.md: no ```c block under 'Using the library'")
endif()
set(rest "${CMAKE_MATCH_1}")
string(FIND "${rest}" "```" end)
string(SUBSTRING "${rest}" 0 ${end} code)
file(MAKE_DIRECTORY ${OUT})
file(WRITE ${OUT}/readme-snippet.c "${code}")
execute_process(COMMAND ${CC} -std=c11 -Wall -Wextra -Werror -I${SRC}/include
                        -c ${OUT}/readme-snippet.c -o ${OUT}/readme-snippet.o
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "README.md's snippet (${OUT}/readme-snippet.c) does not compile")
endif()
