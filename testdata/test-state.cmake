# sfn test-state against the integrations' test server: HTTP Tasks at
# TRACE (request/response, secrets masked or revealed). Cases live in
# testdata/test-state-http/<case>/ and run through
# testdata/test-state-http/run-case.sh, which starts the server as
# testdata/task/run-http-case.sh does and masks what changes between runs
# (URL, echoed host:port, Date).
file(GLOB SFN_TEST_STATE_HTTP_CASES LIST_DIRECTORIES true CONFIGURE_DEPENDS
	${CMAKE_CURRENT_SOURCE_DIR}/test-state-http/*)
if(TARGET sfn-test-server AND TARGET sfn)
	foreach(dir ${SFN_TEST_STATE_HTTP_CASES})
		if(IS_DIRECTORY ${dir} AND EXISTS ${dir}/args)
			get_filename_component(name ${dir} NAME)
			add_test(NAME cli.test-state-http.${name}
				COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/test-state-http/run-case.sh
					$<TARGET_FILE:sfn> $<TARGET_FILE:sfn-test-server>
					${dir})
		endif()
	endforeach()
endif()
