# JSONata: the reference suite (../shared/conformance/jsonata) through its
# runner, checked against testdata/jsonata/known-failures.txt.
set(SFN_JSONATA_SUITE ${CMAKE_SOURCE_DIR}/../shared/conformance/jsonata
	CACHE PATH "the JSONata reference suite (read in place)")
add_executable(jsonata_conformance
	${CMAKE_CURRENT_SOURCE_DIR}/jsonata/conformance.c)
target_link_libraries(jsonata_conformance PRIVATE sfn_jsonata)
if(EXISTS ${SFN_JSONATA_SUITE}/groups)
	add_test(NAME conformance.jsonata
		COMMAND jsonata_conformance ${SFN_JSONATA_SUITE}
			${CMAKE_CURRENT_SOURCE_DIR}/jsonata/known-failures.txt)
	# every case again over a prepared input (sfn_jsonata_eval_input)
	add_test(NAME conformance.jsonata.prepared
		COMMAND jsonata_conformance ${SFN_JSONATA_SUITE}
			${CMAKE_CURRENT_SOURCE_DIR}/jsonata/known-failures.txt
			--prepared)
endif()

# bench/jsonata.sh's harness (not a test): times the workload of
# ../shared/bench/jsonata_workload.json.
add_executable(jsonata_bench ${CMAKE_SOURCE_DIR}/bench/jsonata/bench.c)
target_link_libraries(jsonata_bench PRIVATE sfn_jsonata)
