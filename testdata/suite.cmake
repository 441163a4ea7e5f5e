# Test files follow schemas/test.schema.json (the linter of their format).
# failing.sfn-test.yaml is left out: its typo case is there to show how
# sfn test reports it at run time.
file(GLOB SFN_SUITE_FILES CONFIGURE_DEPENDS
	${CMAKE_CURRENT_SOURCE_DIR}/suite/shop.sfn-test.yaml
	${CMAKE_CURRENT_SOURCE_DIR}/suite/bad.sfn-test.yaml
	${CMAKE_SOURCE_DIR}/examples/*/*.sfn-test.yaml)
add_test(NAME schema.test-file
	COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/suite-schema-test.py
		${CMAKE_SOURCE_DIR}/schemas/test.schema.json ${SFN_SUITE_FILES})
# The README's end-to-end example: the orders project's own test suite.
add_test(NAME examples.orders-test
	COMMAND $<TARGET_FILE:sfn> test --coverage
	WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}/examples/orders)
