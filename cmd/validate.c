#include "cmd.h"

int cmd_validate(int argc, char **argv)
{
	return sfn_cmd_not_yet("validate", 3, argc, argv);
}
