# The executions recorded against AWS (../shared/conformance/aws-recorded/),
# run in place through the interpreter. testdata/exec/known-failures.txt
# lists the cases that still fail, with why; the test fails on a new failure
# and on a listed case that passes (so the list only shrinks).
if(TARGET sfn_exec)
	add_executable(aws_recorded_runner ${CMAKE_CURRENT_SOURCE_DIR}/aws_recorded_runner.c)
	target_link_libraries(aws_recorded_runner PRIVATE sfn_exec sfn_task
		sfn_asl sfn_intrinsics sfn_jsonata sfn_jsonpath sfn_base)
	set(SFN_AWS_RECORDED ${CMAKE_SOURCE_DIR}/../shared/conformance/aws-recorded/cases)
	if(EXISTS ${SFN_AWS_RECORDED})
		add_test(NAME conformance.aws-recorded
			COMMAND aws_recorded_runner
				-k ${CMAKE_CURRENT_SOURCE_DIR}/exec/known-failures.txt
				${SFN_AWS_RECORDED})
	endif()
endif()

# Ctrl-C and sibling cancellation, with local commands that must be killed.
if(TARGET sfn)
	add_test(NAME exec.sigint COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/sigint.sh $<TARGET_FILE:sfn>)
	add_test(NAME exec.wait-visible COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/wait-visible.sh $<TARGET_FILE:sfn>)
	add_test(NAME exec.cancel COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/cancel.sh $<TARGET_FILE:sfn>)
	add_test(NAME exec.timestamps-in-order COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exec/timestamps-in-order.sh $<TARGET_FILE:sfn>)
	add_test(NAME exec.example COMMAND ${CMAKE_SOURCE_DIR}/scripts/example.sh $<TARGET_FILE:sfn>)
endif()
