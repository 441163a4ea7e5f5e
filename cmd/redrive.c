#include "cmd.h"

int cmd_redrive(int argc, char **argv)
{
	return sfn_cmd_not_yet("redrive", 6, argc, argv);
}
