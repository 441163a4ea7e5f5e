#include "cmd.h"

int cmd_jsonata(int argc, char **argv)
{
	return sfn_cmd_not_yet("jsonata", 5, argc, argv);
}
