# Runs an example (through LAUNCHER, e.g. valgrind, when given) and
# checks that every non-blank line of EXPECTED appears in its output as
# a whole line.
#   cmake -DEXE=... -DEXPECTED=FILE [-DARGS=a;b] [-DLAUNCHER="..."] -P this
separate_arguments(launcher UNIX_COMMAND "${LAUNCHER}")
execute_process(COMMAND ${launcher} ${EXE} ${ARGS}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${EXE} exited with ${rc}")
endif()
file(STRINGS ${EXPECTED} want_lines)
string(REPLACE "\n" ";" got_lines "${out}")
foreach(line ${want_lines})
  if(line STREQUAL "" OR line MATCHES "^#")
    continue()
  endif()
  list(FIND got_lines "${line}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "missing from the output of ${EXE}: '${line}'")
  endif()
endforeach()
