# nm_symbols(OUT FILE ARGS...): the names of the symbols `nm ARGS FILE`
# lists (its "ADDRESS TYPE NAME" and "TYPE NAME" lines), for the checks
# that include this file.  NM is the nm to run.
function(nm_symbols out file)
  execute_process(COMMAND ${NM} ${ARGN} ${file}
                  OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "nm ${ARGN} ${file} failed")
  endif()
  string(REGEX MATCHALL "\n([0-9a-f]+ )? *[A-Za-z] [^\n]+" lines "\n${text}")
  set(names "")
  foreach(l ${lines})
    string(REGEX REPLACE "^\n([0-9a-f]+ )? *[A-Za-z] " "" name "${l}")
    list(APPEND names ${name})
  endforeach()
  set(${out} ${names} PARENT_SCOPE)
endfunction()
