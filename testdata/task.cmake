# The integrations' tests (lib/task/{http,bedrock,lambda}_test.c) run against
# testdata/server/, a libmicrohttpd server they start on 127.0.0.1; the same
# server is a standalone program for bench/http.sh and golden CLI cases.
if(MHD_FOUND AND TARGET sfn_task)
	add_library(sfn_test_server STATIC
		${CMAKE_SOURCE_DIR}/testdata/server/server.c)
	target_include_directories(sfn_test_server PUBLIC
		${CMAKE_SOURCE_DIR}/testdata/server)
	target_link_libraries(sfn_test_server PUBLIC sfn_task PkgConfig::MHD)
	foreach(t http bedrock lambda)
		if(TARGET test_${t})
			target_link_libraries(test_${t} PRIVATE sfn_test_server)
		endif()
	endforeach()
	add_executable(sfn-test-server ${CMAKE_SOURCE_DIR}/testdata/server/main.c)
	target_link_libraries(sfn-test-server PRIVATE sfn_test_server)
	add_executable(sfn-http-bench ${CMAKE_SOURCE_DIR}/testdata/server/bench.c)
	target_link_libraries(sfn-http-bench PRIVATE sfn_test_server)
endif()

# Golden `sfn run` cases with HTTP Tasks: testdata/task/run-http/<case>/,
# run by testdata/task/run-http-case.sh against sfn-test-server.
file(GLOB SFN_RUN_HTTP_CASES LIST_DIRECTORIES true CONFIGURE_DEPENDS
	${CMAKE_CURRENT_SOURCE_DIR}/task/run-http/*)
if(TARGET sfn-test-server AND TARGET sfn)
	foreach(dir ${SFN_RUN_HTTP_CASES})
		if(IS_DIRECTORY ${dir} AND EXISTS ${dir}/args)
			get_filename_component(name ${dir} NAME)
			add_test(NAME cli.run-http.${name}
				COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/task/run-http-case.sh
					$<TARGET_FILE:sfn> $<TARGET_FILE:sfn-test-server>
					${dir})
		endif()
	endforeach()
endif()
