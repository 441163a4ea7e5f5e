# libcurl and libcrypto load on first use, with an error naming the Debian
# package when they cannot (testdata/lazy/run.sh).
if(TARGET sfn)
	add_test(NAME cli.lazy-libs
		COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/lazy/run.sh $<TARGET_FILE:sfn>)
endif()
