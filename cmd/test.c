#include "cmd.h"

int cmd_test(int argc, char **argv)
{
	return sfn_cmd_not_yet("test", 10, argc, argv);
}
