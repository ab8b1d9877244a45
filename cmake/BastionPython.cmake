# Finds the CPython to embed: the `python3` on PATH at configure time (or
# -DBASTION_PYTHON=/path/to/python3). Records its real executable so that the
# embedded interpreter computes exactly the sys.path that python3 itself sees.
if(NOT BASTION_PYTHON)
  find_program(BASTION_PYTHON NAMES python3 REQUIRED)
endif()
execute_process(
  COMMAND ${BASTION_PYTHON} -c
    "import sys,sysconfig as s;print(sys.executable);print(s.get_paths()['include']);print(s.get_config_var('LIBDIR'));print(s.get_config_var('LDLIBRARY'));print(s.get_python_version())"
  OUTPUT_VARIABLE _py_out RESULT_VARIABLE _py_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT _py_rc EQUAL 0)
  message(FATAL_ERROR "BASTION_PYTHON=${BASTION_PYTHON} could not describe itself")
endif()
string(REPLACE "\n" ";" _py_lines "${_py_out}")
list(GET _py_lines 0 BASTION_PYTHON_EXECUTABLE)
list(GET _py_lines 1 BASTION_PYTHON_INCLUDE)
list(GET _py_lines 2 BASTION_PYTHON_LIBDIR)
list(GET _py_lines 3 BASTION_PYTHON_LDLIBRARY)
list(GET _py_lines 4 BASTION_PYTHON_VERSION)
if(NOT EXISTS "${BASTION_PYTHON_LIBDIR}/${BASTION_PYTHON_LDLIBRARY}")
  message(FATAL_ERROR "No shared libpython at ${BASTION_PYTHON_LIBDIR}/${BASTION_PYTHON_LDLIBRARY}")
endif()
message(STATUS "Embedding Python ${BASTION_PYTHON_VERSION}: ${BASTION_PYTHON_EXECUTABLE}")
add_library(bastion_libpython INTERFACE)
target_include_directories(bastion_libpython SYSTEM INTERFACE ${BASTION_PYTHON_INCLUDE})
target_link_libraries(bastion_libpython INTERFACE
  "${BASTION_PYTHON_LIBDIR}/${BASTION_PYTHON_LDLIBRARY}" dl m)
target_link_options(bastion_libpython INTERFACE "-Wl,-rpath,${BASTION_PYTHON_LIBDIR}")
target_compile_definitions(bastion_libpython INTERFACE
  BASTION_PYTHON_EXECUTABLE="${BASTION_PYTHON_EXECUTABLE}")
