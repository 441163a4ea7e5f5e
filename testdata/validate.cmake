# sfn validate on several threads reports what one thread does, in order.
add_test(NAME validate.jobs
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/validate/jobs.sh $<TARGET_FILE:sfn>
		${CMAKE_CURRENT_SOURCE_DIR}/cli/validate)
