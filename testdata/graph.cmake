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
