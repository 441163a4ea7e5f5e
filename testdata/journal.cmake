# The journal fixtures (and so the shape the interpreter writes) follow
# schemas/journal.schema.json.
file(GLOB SFN_JOURNAL_FIXTURES CONFIGURE_DEPENDS
	${CMAKE_CURRENT_SOURCE_DIR}/journals/*/journal.ndjson)
add_test(NAME schema.journal
	COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/journal-schema-test.py
		${CMAKE_SOURCE_DIR}/schemas/journal.schema.json ${SFN_JOURNAL_FIXTURES})
# Journals of executions on several threads (and on one) follow it too.
add_test(NAME exec.journal-threads
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/journal-threads.sh $<TARGET_FILE:sfn>
		${CMAKE_SOURCE_DIR}/schemas/journal.schema.json)
# Inputs and outputs are the values' text, rendered early or late.
add_test(NAME exec.journal-payloads
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/journal-payloads.sh $<TARGET_FILE:sfn>)
