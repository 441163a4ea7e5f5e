# sfn graph: the Mermaid twins of the golden DOT cases, Graphviz parsing
# every golden DOT file, the mermaid package rendering every golden Mermaid
# file in headless Chromium, and all AWS-recorded conformance definitions
# drawn in every format (docs/graph.md). Needs graphviz, nodejs, npm,
# chromium (scripts/deps.sh test); none of these tests skips.
set(SFN_GRAPH_DIR ${CMAKE_CURRENT_SOURCE_DIR}/graph)
file(GLOB SFN_GRAPH_MERMAID CONFIGURE_DEPENDS
	${CMAKE_CURRENT_SOURCE_DIR}/cli/graph/*/mermaid.mmd)
set(SFN_GRAPH_DOT)
foreach(mmd ${SFN_GRAPH_MERMAID})
	get_filename_component(dir ${mmd} DIRECTORY)
	get_filename_component(name ${dir} NAME)
	add_test(NAME golden.graph.mermaid.${name}
		COMMAND ${SFN_GRAPH_DIR}/golden-mermaid.sh $<TARGET_FILE:sfn> ${dir})
	list(APPEND SFN_GRAPH_DOT ${dir}/stdout)
endforeach()
add_test(NAME graph.dot-parses COMMAND ${SFN_GRAPH_DIR}/dot-check.sh ${SFN_GRAPH_DOT})
add_test(NAME graph.mermaid-renders
	COMMAND ${SFN_GRAPH_DIR}/mermaid-check.sh ${CMAKE_BINARY_DIR}/graph-npm
		${SFN_GRAPH_MERMAID})
if(TARGET PkgConfig::GVC)
	set(SFN_GRAPH_SVG svg)
else()
	set(SFN_GRAPH_SVG nosvg)
endif()
add_test(NAME graph.conformance
	COMMAND ${SFN_GRAPH_DIR}/conformance.sh $<TARGET_FILE:sfn>
		${CMAKE_SOURCE_DIR}/../shared ${CMAKE_BINARY_DIR}/graph-npm
		${SFN_GRAPH_SVG})
set_tests_properties(graph.mermaid-renders graph.conformance PROPERTIES
	TIMEOUT 900 RESOURCE_LOCK graph-npm)
add_test(NAME graph.outputs
	COMMAND ${SFN_GRAPH_DIR}/outputs.sh $<TARGET_FILE:sfn> ${SFN_GRAPH_SVG})
# Rendering in-process runs Graphviz, which does not free all it allocates
# (graph/lsan.supp says what and why).
set_tests_properties(graph.outputs graph.conformance PROPERTIES
	ENVIRONMENT "LSAN_OPTIONS=suppressions=${SFN_GRAPH_DIR}/lsan.supp:print_suppressions=0")
# The HTML page (docs/graph.md): golden pages (Graphviz's drawing cut out)
# for a failed run with a Map, a caught Parallel branch and retries, a
# redriven run, a run whose process died and a plain definition; and the
# execution view driven in headless Chromium from a real sfn run, which
# leaves graph-html/execution.png for review. Both need libgvc.
if(TARGET PkgConfig::GVC)
	set(SFN_GRAPH_HTML_CASES
		"declined|--journal-dir|execution/journals|--execution|declined-run"
		"redriven|--journal-dir|../journals|--execution|redriven-run"
		"died|--journal-dir|../journals|--execution|died-run"
		"definition|execution/orders.asl.json")
	foreach(c ${SFN_GRAPH_HTML_CASES})
		string(REPLACE "|" ";" args "${c}")
		list(POP_FRONT args name)
		add_test(NAME golden.graph.html.${name}
			COMMAND ${SFN_GRAPH_DIR}/golden-html.sh $<TARGET_FILE:sfn>
				${SFN_GRAPH_DIR}/html/${name}.html --format html ${args})
		list(APPEND SFN_GRAPH_HTML golden.graph.html.${name})
	endforeach()
	add_test(NAME graph.html-execution
		COMMAND ${SFN_GRAPH_DIR}/html-check.sh $<TARGET_FILE:sfn>
			${CMAKE_BINARY_DIR}/graph-html)
	set_tests_properties(graph.html-execution PROPERTIES TIMEOUT 300)
	set_tests_properties(graph.html-execution ${SFN_GRAPH_HTML} PROPERTIES
		ENVIRONMENT "LSAN_OPTIONS=suppressions=${SFN_GRAPH_DIR}/lsan.supp:print_suppressions=0")
endif()
