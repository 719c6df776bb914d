# Installs the build into a scratch prefix and builds tests/consumer
# against it through find_package and pkg-config.
set(prefix ${BUILD}/install-check/prefix)
set(cbuild ${BUILD}/install-check/consumer)
file(REMOVE_RECURSE ${BUILD}/install-check)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${prefix}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed")
endif()
file(GLOB_RECURSE pcs ${prefix}/*/pvhdev.pc)
list(GET pcs 0 pc)
get_filename_component(pcdir ${pc} DIRECTORY)
set(ENV{PKG_CONFIG_PATH} ${pcdir})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${cbuild}
                        -DCMAKE_PREFIX_PATH=${prefix}
                        -DPVHDEV_EXAMPLES=${SRC}/examples
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer configure failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${cbuild} RESULT_VARIABLE rc
                OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "consumer build failed")
endif()
foreach(exe with_cmake with_core with_pkgconfig)
  execute_process(COMMAND ${cbuild}/${exe} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${exe} failed to run")
  endif()
endforeach()

# ---- What a user of the installed tree gets ----
# The files, then the installed pvhdev booting its bundled machine from
# the prefix's data: with $PVHDEV_DATADIR unset, from another directory,
# and without the source tree's path anywhere in the binary.
include(GNUInstallDirs)
set(docdir ${prefix}/${CMAKE_INSTALL_DATADIR}/doc/pvhdev)
set(mandir ${prefix}/${CMAKE_INSTALL_MANDIR}/man1)
set(datadir ${prefix}/${CMAKE_INSTALL_DATADIR}/pvhdev)
set(machine machines/intel-nuc-broadwell-u-i218.xml)
set(files ${prefix}/${CMAKE_INSTALL_BINDIR}/pvhdev
          ${datadir}/${machine} ${datadir}/schema/platform.rng
          ${docdir}/LICENSE ${docdir}/README.md ${docdir}/architecture.md
          ${docdir}/scenario-format.md)
if(MAN)
  list(APPEND files ${mandir}/pvhdev.1 ${mandir}/pvhdev-boot.1
       ${mandir}/pvhdev-replay.1 ${mandir}/pvhdev-record.1
       ${mandir}/pvhdev-capture.1)
endif()
foreach(f ${files})
  if(NOT EXISTS ${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
if(MAN)
  file(READ ${mandir}/pvhdev-boot.1 page)
  if(NOT page MATCHES "--platform FILE")
    message(FATAL_ERROR "${mandir}/pvhdev-boot.1 does not document boot's options")
  endif()
endif()

set(exe ${prefix}/${CMAKE_INSTALL_BINDIR}/pvhdev)
file(READ ${exe} bin HEX)
string(HEX "${SRC}/data" src_hex)
string(FIND "${bin}" "${src_hex}" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "${exe} names the source tree's data directory ${SRC}/data")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=PVHDEV_DATADIR
                        ${exe} boot --json
                WORKING_DIRECTORY ${BUILD}/install-check
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed pvhdev boot failed (${rc}): ${err}")
endif()
get_filename_component(want ${datadir}/${machine} REALPATH)
if(NOT out MATCHES "\"source\": \"platform:([^\"]*)\"")
  message(FATAL_ERROR "installed pvhdev boot: no machine in its output")
endif()
get_filename_component(got ${CMAKE_MATCH_1} REALPATH)
if(NOT got STREQUAL want)
  message(FATAL_ERROR "installed pvhdev booted ${CMAKE_MATCH_1}, not ${want}")
endif()
if(NOT out MATCHES "\"reason\": \"bar\"")
  message(FATAL_ERROR "installed pvhdev boot mapped no BAR:\n${out}")
endif()

# The examples, built against the installed tree, on its bundled dump.
execute_process(COMMAND ${cbuild}/embed
                        ${datadir}/machines/intel-nuc-broadwell-u-i218.lspci
                RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "identity bar 0000:00:02.0 bar 0")
  message(FATAL_ERROR "installed-tree embed failed (${rc}):\n${out}")
endif()
execute_process(COMMAND ${cbuild}/own_handler RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "installed-tree own_handler failed (${rc})")
endif()
