# Golden expression files (STYLE.md §8): each testdata/jsonpath/*.test and
# testdata/intrinsics/*.test is also a ctest of its own, golden.<mod>.<file>
# (unit.jsonpath and unit.intrinsics run them all as well).
foreach(mod jsonpath intrinsics)
	if(TARGET test_${mod})
		file(GLOB files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${mod}/*.test)
		foreach(f ${files})
			get_filename_component(n ${f} NAME_WE)
			add_test(NAME golden.${mod}.${n} COMMAND test_${mod} ${f}
				WORKING_DIRECTORY ${CMAKE_SOURCE_DIR})
		endforeach()
	endif()
endforeach()
