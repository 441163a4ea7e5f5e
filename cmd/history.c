#include "cmd.h"

int cmd_history(int argc, char **argv)
{
	return sfn_cmd_not_yet("history", 6, argc, argv);
}
