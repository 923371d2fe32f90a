#ifndef LOUPE_CCODECS_H
#define LOUPE_CCODECS_H
#include <stddef.h>
#include <stdint.h>
// C side of the image codecs: libpng and libjpeg report fatal errors by longjmp, which Swift
// cannot do, so every call that may fail goes through a wrapper here that catches the jump
// and returns an error message instead of aborting the process.
int loupe_codecs_version(void);
#endif
