# README's exit codes beyond the golden cases: a write error is 4 for
# every command, sfn --help and --version included.
add_test(NAME cli.write-error
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/write-error.sh $<TARGET_FILE:sfn>)
