#include "cmd.h"

int cmd_list(int argc, char **argv)
{
	return sfn_cmd_not_yet("list", 6, argc, argv);
}
