# sfn redrive end to end, and the crash test in its short form.
add_test(NAME redrive.scenarios
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/redrive/redrive-test.sh $<TARGET_FILE:sfn>)
add_test(NAME redrive.crash
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/crash/crash-test.sh $<TARGET_FILE:sfn> 8)
set_tests_properties(redrive.scenarios redrive.crash PROPERTIES TIMEOUT 300)
