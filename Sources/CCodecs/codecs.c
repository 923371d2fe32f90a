#include "CCodecs.h"
int loupe_codecs_version(void) { return 1; }
