# sfn_fmt_double against JavaScript itself: testdata/fmt/gen.js prints
# String(x) for every power of two and 80,000 random doubles, and
# fmt_double_check compares. Needs node (scripts/deps.sh test installs it).
find_program(SFN_NODE NAMES node nodejs)
if(SFN_NODE AND TARGET sfn_base)
	add_executable(fmt_double_check
		${CMAKE_SOURCE_DIR}/testdata/fmt/fmt_double_check.c)
	target_link_libraries(fmt_double_check PRIVATE sfn_base)
	add_test(NAME unit.fmt_double_js
		COMMAND sh -c "\"$0\" \"$1\" 20000 | \"$2\""
			${SFN_NODE} ${CMAKE_SOURCE_DIR}/testdata/fmt/gen.js
			$<TARGET_FILE:fmt_double_check>)
endif()

# Number literals in a definition, loaded and printed by `sfn run`, against
# JSON.parse + JSON.stringify of the same text.
if(SFN_NODE AND TARGET sfn)
	add_test(NAME cli.run.numbers-js
		COMMAND sh -c "d=$(mktemp -d) && \"$0\" \"$1\" \"$d\" && \"$2\" run --no-journal --no-payload-limit \"$d/nums.asl.json\" > \"$d/got\" && cmp \"$d/got\" \"$d/expected\"; rc=$?; rm -rf \"$d\"; exit $rc"
			${SFN_NODE} ${CMAKE_SOURCE_DIR}/testdata/fmt/numbers.js
			$<TARGET_FILE:sfn>)
endif()
