#include "cmd.h"

int cmd_run(int argc, char **argv)
{
	return sfn_cmd_not_yet("run", 4, argc, argv);
}
