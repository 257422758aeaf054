# Run at build time (cmake -P) so the git revision in outputs follows commits without
# a re-configure; configure_file rewrites the file only when its content changes.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE CPSF_GIT_REVISION
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT CPSF_GIT_REVISION)
  set(CPSF_GIT_REVISION "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no
  WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE dirty ERROR_QUIET)
if(dirty)
  string(APPEND CPSF_GIT_REVISION "-dirty")
endif()
configure_file(${SOURCE_DIR}/engine/cpsf/base/version_info.cpp.in ${OUTPUT} @ONLY)
