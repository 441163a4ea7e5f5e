#include "cmd.h"

int cmd_describe(int argc, char **argv)
{
	return sfn_cmd_not_yet("describe", 6, argc, argv);
}
