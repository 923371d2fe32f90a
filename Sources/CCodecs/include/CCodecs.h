#ifndef LOUPE_CCODECS_H
#define LOUPE_CCODECS_H
#include <stddef.h>
#include <stdint.h>

// C side of the image codecs. libpng and libjpeg report fatal errors by longjmp, which Swift
// cannot do, so every call that may fail goes through a wrapper here that catches the jump
// and returns a status code and a message instead of aborting the process. libjpeg's default
// error_exit calls exit(); it is replaced.

/// Outcome of a codec call (`code` is one of the LOUPE_CODEC_* values).
typedef struct {
    int code;
    char message[200];
} loupe_codec_status;

enum {
    LOUPE_CODEC_OK = 0,
    LOUPE_CODEC_TRUNCATED = 1,    // the data ends before the image does
    LOUPE_CODEC_CORRUPT = 2,      // the decoder rejected the data
    LOUPE_CODEC_UNSUPPORTED = 3,  // valid data of a kind Loupe does not decode
    LOUPE_CODEC_NO_MEMORY = 4,
    LOUPE_CODEC_BAD_ARGUMENT = 5, // caller error: geometry or buffer size mismatch
};

// ---- PNG ----

/// Decodes a PNG held in memory to 8-bit grey (`channels` 1) or RGB (`channels` 3), with
/// 16-bit samples reduced to their high byte, palettes expanded, alpha and tRNS dropped,
/// Adam7 de-interlaced. `out` holds `width * height * channels` bytes; the caller has read
/// the geometry from IHDR and checked its limits before allocating it.
int loupe_png_decode(const uint8_t *data, size_t size, uint32_t width, uint32_t height,
                     int channels, uint8_t *out, size_t out_size, loupe_codec_status *status);

/// Encodes 8-bit grey, RGB or RGBA pixels (`channels` 1, 3, 4) as PNG with fixed settings
/// (zlib level 6, Paeth filter, no time or text chunks) so equal pixels give equal bytes.
/// On success `*out` is a malloc'd buffer the caller frees with `loupe_codec_free`.
int loupe_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                     int interlaced, uint8_t **out, size_t *out_size, loupe_codec_status *status);

// ---- JPEG ----

/// What a JPEG header says, read without decoding any pixels.
typedef struct {
    uint32_t width;
    uint32_t height;
    int components;      // 1, 3 or 4
    int color_space;     // libjpeg's J_COLOR_SPACE of the stored data
    int adobe_marker;    // 1 when an Adobe APP14 marker was seen (CMYK stored inverted)
    int progressive;
} loupe_jpeg_header;

enum { LOUPE_JPEG_GREY = 1, LOUPE_JPEG_RGB = 2, LOUPE_JPEG_CMYK = 4, LOUPE_JPEG_YCCK = 5 };

int loupe_jpeg_read_header(const uint8_t *data, size_t size, loupe_jpeg_header *header,
                           loupe_codec_status *status);

/// Decodes to `channels` 1 (grey), 3 (RGB) or 4 (raw CMYK as stored, for CMYK/YCCK files).
/// A premature end of data is an error (libjpeg would only warn and pad with grey).
int loupe_jpeg_decode(const uint8_t *data, size_t size, int channels, uint8_t *out,
                      size_t out_size, loupe_codec_status *status);

/// The same at 1/`scale_denom` of the size (1, 2, 4 or 8) by libjpeg's DCT scaling; the output
/// is ceil(width / scale_denom) x ceil(height / scale_denom).
int loupe_jpeg_decode_scaled(const uint8_t *data, size_t size, int channels, int scale_denom, uint8_t *out,
                             size_t out_size, loupe_codec_status *status);

/// Encodes 8-bit grey or RGB pixels (`channels` 1 or 3) at `quality` 1...100, baseline,
/// 4:2:0 for colour, no optional markers beyond JFIF.
int loupe_jpeg_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      int quality, uint8_t **out, size_t *out_size, loupe_codec_status *status);

/// Frees a buffer returned by an encoder.
void loupe_codec_free(void *buffer);

#endif
