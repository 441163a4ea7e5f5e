# The loader's malformed-input suite: each testdata/loader/<case>/ holds an
# input (or a 'generate' line for inputs too big to commit) and the exact
# output expected (error or diagnostics with line:col), run by the loader's
# unit-test binary as ctest loader.<case>. loader.conformance loads every
# definition AWS ran (../shared/conformance/aws-recorded) and compares the
# value with jansson's own parse.
if(TARGET test_load)
	file(GLOB SFN_LOADER_CASES LIST_DIRECTORIES true CONFIGURE_DEPENDS
		${CMAKE_CURRENT_SOURCE_DIR}/loader/*)
	foreach(dir ${SFN_LOADER_CASES})
		if(IS_DIRECTORY ${dir})
			get_filename_component(name ${dir} NAME)
			add_test(NAME loader.${name}
				COMMAND test_load --case ${dir}
				WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
		endif()
	endforeach()
	set_tests_properties(loader.big-50mb PROPERTIES TIMEOUT 600)
	add_test(NAME loader.conformance
		COMMAND test_load --conformance
			${CMAKE_SOURCE_DIR}/../shared/conformance/aws-recorded/cases)
	set_tests_properties(loader.conformance PROPERTIES SKIP_RETURN_CODE 77)
endif()
