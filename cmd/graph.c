#include "cmd.h"

int cmd_graph(int argc, char **argv)
{
	return sfn_cmd_not_yet("graph", 9, argc, argv);
}
