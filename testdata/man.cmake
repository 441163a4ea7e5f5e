# The man page is generated from --help; this keeps the committed one in step.
add_test(NAME docs.man
	COMMAND sh -c "${CMAKE_SOURCE_DIR}/scripts/gen-man.sh $<TARGET_FILE:sfn> | diff -u ${CMAKE_SOURCE_DIR}/docs/sfn.1 - && echo '1 passed, 0 failed'")
add_test(NAME docs.completions
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/completions-test.sh $<TARGET_FILE_DIR:sfn>)
add_test(NAME install.layout
	COMMAND sh -c "d=$(mktemp -d) && DESTDIR=$d cmake --install ${CMAKE_BINARY_DIR} --prefix /usr/local >/dev/null && test -x $d/usr/local/bin/sfn && test -f $d/usr/local/share/man/man1/sfn.1 && test -f $d/usr/local/share/bash-completion/completions/sfn && test -f $d/usr/local/share/zsh/vendor-completions/_sfn && rm -rf $d && echo '1 passed, 0 failed'")
add_test(NAME docs.man-environment
	COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/man-env-test.sh $<TARGET_FILE:sfn> ${CMAKE_SOURCE_DIR}/docs/sfn.1)
