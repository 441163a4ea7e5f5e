#include "cmd.h"

int cmd_test_state(int argc, char **argv)
{
	return sfn_cmd_not_yet("test-state", 8, argc, argv);
}
