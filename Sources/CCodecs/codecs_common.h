#ifndef LOUPE_CODECS_COMMON_H
#define LOUPE_CODECS_COMMON_H
#include "CCodecs.h"
#include <stdio.h>
#include <string.h>

static inline int loupe_fail(loupe_codec_status *status, int code, const char *message) {
    status->code = code;
    snprintf(status->message, sizeof status->message, "%s", message);
    return code;
}

static inline int loupe_succeed(loupe_codec_status *status) {
    status->code = LOUPE_CODEC_OK;
    status->message[0] = 0;
    return LOUPE_CODEC_OK;
}
#endif
