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
